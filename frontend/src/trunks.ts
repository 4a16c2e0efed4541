/** SIP trunks (BYD-01..03) for the admin page: the API's shapes, the form's draft and the live state. */
import type { MessageKey } from "./i18n";
import type { EntityState } from "./types";

/** The words for a trunk's state (registering trunks: registered/failed/unregistered; IP trunks: up/down). */
export const TRUNK_STATE_KEYS: Record<string, MessageKey> = {
  registered: "trunks.stateRegistered",
  failed: "trunks.stateFailed",
  unregistered: "trunks.stateUnregistered",
  up: "trunks.stateUp",
  down: "trunks.stateDown",
};

export interface Trunk {
  id: number;
  name: string;
  kind: "register" | "ip";
  host: string;
  port: number;
  transport: string;
  username: string;
  auth_username: string;
  expires: number;
  addresses: string[];
  outbound_proxy: string;
  from_domain: string;
  caller_ids: string[];
  default_caller_id: string;
  allow_anonymous: boolean;
  called_from: string;
  default_destination: string;
  country_code: string;
  national_prefix: string;
  priority: number;
  enabled: boolean;
  state: string;
  last_error: string;
}

export interface OutboundRoute {
  id: number;
  prefix: string;
  number_type: string;
  trunks: string[];
}

export type Draft = Record<string, string | boolean>;

export const EMPTY: Draft = {
  name: "",
  kind: "register",
  host: "",
  port: "5060",
  transport: "udp",
  username: "",
  auth_username: "",
  password: "",
  expires: "600",
  addresses: "",
  outbound_proxy: "",
  from_domain: "",
  caller_ids: "",
  default_caller_id: "",
  allow_anonymous: true,
  called_from: "request_uri",
  default_destination: "",
  country_code: "",
  national_prefix: "",
  priority: "10",
  enabled: true,
};
const TEXT_FIELDS = ["host", "username", "auth_username", "outbound_proxy", "from_domain", "default_caller_id", "default_destination", "country_code", "national_prefix"];
const NUMBER_FIELDS = ["port", "expires", "priority"];
const LIST_FIELDS = ["addresses", "caller_ids"];

/** "a, b c" -> ["a", "b", "c"]. */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** The JSON a draft sends: numbers as numbers, lists as lists, the password only when typed. */
export function draftBody(draft: Draft, creating: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: draft["kind"], transport: draft["transport"], called_from: draft["called_from"] };
  if (creating) body["name"] = String(draft["name"]).trim();
  for (const key of TEXT_FIELDS) body[key] = String(draft[key] ?? "").trim();
  for (const key of NUMBER_FIELDS) body[key] = Number(draft[key]);
  for (const key of LIST_FIELDS) body[key] = splitList(String(draft[key] ?? ""));
  body["allow_anonymous"] = Boolean(draft["allow_anonymous"]);
  body["enabled"] = Boolean(draft["enabled"]);
  if (String(draft["password"] ?? "")) body["password"] = String(draft["password"]);
  return body;
}

export function draftOf(trunk: Trunk): Draft {
  const draft: Draft = { ...EMPTY, password: "" };
  for (const [key, value] of Object.entries(trunk)) {
    if (key in EMPTY) draft[key] = Array.isArray(value) ? value.join(", ") : typeof value === "boolean" ? value : String(value);
  }
  return draft;
}

/** The live state of a trunk (its `trunk.<name>` entity), else what the list said. */
export function trunkState(trunk: Trunk, states: Map<string, EntityState>): { state: string; error: string } {
  const live = states.get(`trunk.${trunk.name}`);
  if (!live) return { state: trunk.state, error: trunk.last_error };
  return { state: live.state, error: String(live.attributes["last_error"] ?? "") };
}

