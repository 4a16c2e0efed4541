/**
 * Desk phones of the device list (PROV-05/06/10): the shapes of /api/devices and /api/provisioning,
 * MAC checks that mirror the server's, and a listed phone's registration followed live from the
 * `device.<id>` states the WebSocket keeps current.
 */
import { t, type MessageKey } from "./i18n";
import type { EntityState } from "./types";

export interface DeviceUser {
  id: number;
  username: string;
  name: string;
  extension: string | null;
}

/** What GET /api/devices says of a phone's registration when the list was loaded. */
export interface DeviceRegistration {
  registered: boolean;
  entity_id?: string;
  contact?: string;
  user_agent?: string;
  since?: number;
}

/** One row of GET /api/devices. */
export interface Device {
  mac: string;
  vendor: string;
  model: string;
  firmware: string;
  ip: string;
  description: string;
  user_id: number | null;
  state: string;
  source: string;
  first_seen: number | null;
  last_seen: number | null;
  /** The last provisioning fetch: "<ISO time> <path> <result>", "" when the phone never asked. */
  last_fetch: string;
  created: number;
  updated: number;
  user: DeviceUser | null;
  registration: DeviceRegistration;
  /** Free seating (PROV-09): no fixed user; ``user`` is whoever is logged in on it. */
  free_seat?: boolean;
  /** When the user logged in on the free-seat phone. */
  seated_at?: number | null;
  /** After an assignment: a new SIP password was generated for the user (``notice`` says why). */
  sip_password_generated?: boolean;
  notice?: string;
}

/** GET /api/provisioning. */
export interface Provisioning {
  url: string;
  https_url: string | null;
  vendors: Record<string, string>;
  pnp: { listening: boolean; address: string | null };
  settings: Record<string, unknown>;
}

export const AUTO_ADD = "core.provisioning_auto_add";
export const PNP = "core.provisioning_pnp";
export const NTP_SERVER = "core.ntp_server";
export const PHONE_ADMIN_PASSWORD = "core.phone_admin_password";
export const SWITCH_CHOICES = ["private_network", "on", "off"] as const;

const VENDOR_NAMES: Record<string, string> = {
  snom: "Snom",
  yealink: "Yealink",
  grandstream: "Grandstream",
  fanvil: "Fanvil",
  poly: "Poly",
  mitel: "Mitel",
};

export function vendorName(vendor: string): string {
  return VENDOR_NAMES[vendor] ?? vendor;
}

/** Twelve lower-case hex digits from "00:04:13:A1:B2:C3", "0004-13a1-b2c3" or "000413a1b2c3"; null otherwise. */
export function normaliseMac(text: string): string | null {
  const mac = text.trim().replace(/[:\-. ]/g, "").toLowerCase();
  return /^[0-9a-f]{12}$/.test(mac) ? mac : null;
}

/** The field error for a MAC as typed (the server decides; this is the fast feedback). */
export function checkMac(text: string): string | null {
  if (!text.trim()) return t("validation.required");
  const mac = normaliseMac(text);
  if (!mac) return t("devices.macInvalid");
  if (mac === "000000000000" || mac === "ffffffffffff" || parseInt(mac.charAt(1), 16) & 1) return t("devices.macGroup");
  return null;
}

/** "00:04:13:a1:b2:c3" */
export function formatMac(mac: string): string {
  return mac.match(/.{1,2}/g)?.join(":") ?? mac;
}

/** A registration's host from the state's "udp:192.168.1.31:5060" (IPv6 in brackets or not). */
function sourceHost(source: unknown): string {
  const text = String(source ?? "");
  const rest = text.slice(text.indexOf(":") + 1);
  if (rest.startsWith("[")) return rest.slice(1, rest.indexOf("]"));
  const colon = rest.lastIndexOf(":");
  return colon > 0 ? rest.slice(0, colon) : rest;
}

function macIn(text: unknown, mac: string): boolean {
  return String(text ?? "").toLowerCase().replace(/[:\-.]/g, "").includes(mac);
}

/** Whether a `device.<id>` registration is this phone's: its assigned user, from its address or naming its MAC (as the server matches). */
export function registrationIsOf(state: EntityState, device: Device): boolean {
  const a = state.attributes;
  if (device.user_id === null || a["user_id"] !== device.user_id) return false;
  return (
    (Boolean(device.ip) && sourceHost(a["source"]) === device.ip) ||
    macIn(a["contact"], device.mac) ||
    macIn(a["user_agent"], device.mac)
  );
}

/** The phone's registration now: the `device.<id>` state it holds, followed live; null when not registered. */
export function liveRegistration(device: Device, states: Map<string, EntityState>, synced: boolean): EntityState | null | undefined {
  const known = device.registration.entity_id;
  if (!synced) return device.registration.registered ? undefined : null;
  if (known && states.has(known)) return states.get(known) ?? null;
  for (const state of states.values()) {
    if (state.entity_id.startsWith("device.") && registrationIsOf(state, device)) return state;
  }
  return null;
}

export interface LastFetch {
  at: number | null;
  path: string;
  result: string;
  ok: boolean;
}

/** "2026-12-01T19:40:00Z 001565a1b2c3.cfg served (with account)" in parts; null when never fetched. */
export function parseLastFetch(text: string): LastFetch | null {
  const value = text.trim();
  if (!value) return null;
  const [stamp = "", path = "", ...rest] = value.split(" ");
  const ms = Date.parse(stamp);
  const result = rest.join(" ");
  return { at: Number.isFinite(ms) ? ms / 1000 : null, path, result, ok: result.startsWith("served") };
}

const FETCH_RESULTS: Record<string, MessageKey> = {
  "served (with account)": "devices.fetch.account",
  "served (base settings)": "devices.fetch.base",
  "served (common)": "devices.fetch.common",
  "no such file": "devices.fetch.noFile",
  "unknown MAC": "devices.fetch.unknown",
};

export function fetchResultText(result: string): string {
  const key = FETCH_RESULTS[result];
  return key ? t(key) : result;
}

const SOURCES: Record<string, MessageKey> = {
  manual: "devices.source.manual",
  csv: "devices.source.csv",
  pnp: "devices.source.pnp",
  http: "devices.source.http",
  zeroconf: "devices.source.zeroconf",
};

/** How the phone came into the list. */
export function sourceText(source: string): string {
  const key = SOURCES[source];
  return key ? t(key) : source;
}

export function deviceStateText(state: string): string {
  if (state === "assigned") return t("devices.state.assigned");
  if (state === "not_provisioned") return t("devices.state.not_provisioned");
  if (state === "seated") return t("devices.state.seated");
  if (state === "free_seat") return t("devices.state.free_seat");
  return state;
}

/** Copy text; on plain http (no Clipboard API) through a hidden text field. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (window.isSecureContext && navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the old way
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
