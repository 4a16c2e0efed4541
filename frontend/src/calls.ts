/** Shapes and formatting shared by the call pages: history rows, live `call.<id>` states, `device.<id>` states. */
import { html, type TemplateResult } from "lit";
import { ApiError } from "./api";
import { language, t, type MessageKey } from "./i18n";
import type { EntityState } from "./types";

/** One row of GET /api/calls (FEATURES.md CDR-01/02). */
export interface CallRow {
  id: string;
  caller: string;
  caller_name: string;
  caller_user_id: number | null;
  callee: string;
  callee_name: string;
  callee_user_id: number | null;
  started: number;
  answered: number | null;
  ended: number | null;
  duration: number;
  result: string | null;
  sip_code: number | null;
  reason: string;
  /** What routed the call: "rule Night to mobile", "terminals one by one", "presence: diverted to 1003". */
  route?: string;
}

export const RESULTS = ["answered", "busy", "no_answer", "cancelled", "failed", "rejected"] as const;

/** "2026-12-01 14:03:09" style in the page's language. */
export function formatDateTime(epochSeconds: number | null | undefined): string {
  if (epochSeconds === null || epochSeconds === undefined || !Number.isFinite(epochSeconds)) return "—";
  return new Intl.DateTimeFormat(language(), { dateStyle: "short", timeStyle: "medium" }).format(
    new Date(epochSeconds * 1000),
  );
}

/** A stopwatch: 0:07, 12:34, 1:02:03. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** "1002 (Bo Berg)" or just the number. */
export function party(number: string, name: string): TemplateResult {
  return html`<span class="party"><span class="number">${number || "—"}</span>${name ? html` <span class="muted">${name}</span>` : ""}</span>`;
}

/** Who of a live call is transferred (POST /api/calls/{id}/transfer, PKP-10). */
export type TransferParty = "caller" | "callee";

/** A live call's party as a person calls it: the name, else the number. */
export function partyName(call: EntityState, side: TransferParty): string {
  const a = call.attributes;
  return String(a[`${side}_name`] ?? "").trim() || String(a[side] ?? "") || "—";
}

/** A live call's party with the number: "Ann Andersen (1001)", or just the number. */
export function partyLabel(call: EntityState, side: TransferParty): string {
  const a = call.attributes;
  const name = String(a[`${side}_name`] ?? "").trim();
  const number = String(a[side] ?? "") || "—";
  return name ? `${name} (${number})` : number;
}

/** The id of a live call as the API knows it (the entity id is in lower case, the call's id not). */
export function liveCallId(call: EntityState): string {
  return String(call.attributes["call_id"] ?? "") || call.entity_id.slice("call.".length);
}

export function otherParty(side: TransferParty): TransferParty {
  return side === "caller" ? "callee" : "caller";
}

/** Whom a transfer sends on unless the person chooses: on the dashboard the caller; in a user's
 * own list the party they talk with (the server's default too). */
export function defaultTransferParty(call: EntityState, me: number | null | undefined): TransferParty {
  if (me === null || me === undefined) return "caller";
  return call.attributes["caller_user_id"] === me && call.attributes["callee_user_id"] !== me ? "callee" : "caller";
}

/** The field errors of a refused transfer, the number's in the page's language: nobody has it
 * (404) or the dial plan bars it (403, with the server's reason). */
export function transferFieldErrors(err: unknown, target: string): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const fields = { ...err.fields };
  const reason = fields["target"];
  if (reason && err.status === 404) fields["target"] = t("transfer.unknownNumber", { target });
  else if (reason && err.status === 403) {
    fields["target"] = t("transfer.barred", { target, reason: reason.replace(/^Forbidden\s*-\s*/i, "") });
  }
  return fields;
}

export function resultBadge(result: string | null): TemplateResult {
  if (!result) return html`—`;
  const known = (RESULTS as readonly string[]).includes(result);
  const kind = result === "answered" ? "ok" : result === "busy" || result === "no_answer" ? "warn" : result === "cancelled" ? "off" : "bad";
  return html`<span class="badge ${kind}">${known ? t(`calls.result.${result}` as MessageKey) : result}</span>`;
}

export function callStateLabel(state: string): string {
  return ["trying", "ringing", "answered"].includes(state) ? t(`calls.state.${state}` as MessageKey) : state;
}

export function isCall(state: EntityState): boolean {
  return state.entity_id.startsWith("call.");
}

export function isDevice(state: EntityState): boolean {
  return state.entity_id.startsWith("device.");
}

/** Seconds since a server time, never negative (the browser's clock may run a little behind). */
export function since(epochSeconds: number): number {
  return Math.max(0, Date.now() / 1000 - epochSeconds);
}

/** Re-render a component every second while ``active()`` says so (durations and countdowns). */
export class Ticker {
  private timer: number | undefined;
  constructor(private readonly onTick: () => void) {}

  update(active: boolean): void {
    if (active && this.timer === undefined) this.timer = window.setInterval(this.onTick, 1000);
    else if (!active) this.stop();
  }

  stop(): void {
    window.clearInterval(this.timer);
    this.timer = undefined;
  }
}
