/**
 * Routing rules (RTE-01..05) and the routing test tool (BYD-25): the API's shapes and the pure
 * helpers the pages share — a rule as a sentence (RTE-04), why a rule does not match a call (the
 * server's reasons in the UI language), the editor's draft and its checks, and times with the
 * browser's UTC offset. The organisation also has a fourth list, the "Rules for rule-based
 * numbers" (RBN-01): no tiers, and only the conditions and destinations of RULE_NUMBER_CONDITIONS
 * and RULE_NUMBER_KINDS (the call concerns no user yet).
 */
import { t, type MessageKey } from "./i18n";
import type { Scope } from "./types";

export type RuleList = "incoming" | "outgoing" | "fallback" | "rule_numbers";
export type Tier = "required" | "overridable";
export type DestKind = "phones" | "number" | "voicemail" | "busy" | "reject";
export type CallerKind = "internal" | "external" | "anonymous";

/** The lists of every level (the organisation's, a group's, a user's). */
export const LISTS: RuleList[] = ["incoming", "outgoing", "fallback"];
/** RBN-01: the organisation's list for calls to rule-based numbers, the only way those go on. */
export const RULE_NUMBERS: RuleList = "rule_numbers";
/** The organisation level's lists: the three, then the rules for rule-based numbers. */
export const ORG_LISTS: RuleList[] = [...LISTS, RULE_NUMBERS];
export const TIERS: Tier[] = ["required", "overridable"];
export const DEST_KINDS: DestKind[] = ["phones", "number", "voicemail", "busy", "reject"];
export const CALLER_KINDS: CallerKind[] = ["internal", "external", "anonymous"];
/** RBN-01: where a rule for rule-based numbers may send the call. */
export const RULE_NUMBER_KINDS: DestKind[] = ["number", "busy", "reject"];
/** RBN-01: what a rule for rule-based numbers may test (nothing of a user: none is called yet). */
export const RULE_NUMBER_CONDITIONS: ReadonlyArray<keyof Conditions> = ["caller", "caller_prefixes", "called_prefixes", "working_hours"];

/** The lists a level shows: the organisation's four, a group's or a user's three. */
export function listsFor(scope: Scope): RuleList[] {
  return scope === "org" ? ORG_LISTS : LISTS;
}

/** The lists the editor of a new rule offers to move it to: the rules for rule-based numbers are
 * only made from their own list (their conditions and destinations differ), nor left. */
export function movableLists(lists: readonly RuleList[], list: RuleList): RuleList[] {
  return list === RULE_NUMBERS ? [RULE_NUMBERS] : lists.filter((l) => l !== RULE_NUMBERS);
}

/** The destination kinds a rule of ``list`` may use: the level's, or RBN-01's for rule-based numbers. */
export function kindsFor(list: RuleList, kinds: DestKind[]): DestKind[] {
  return list === RULE_NUMBERS ? RULE_NUMBER_KINDS : kinds;
}

/** Whether a rule of ``list`` at this level has a tier (RTE-03): organisation and group rules,
 * except the rules for rule-based numbers. */
export function hasTier(scope: Scope, list: RuleList): boolean {
  return scope !== "user" && list !== RULE_NUMBERS;
}
/** What a caller can be in the called user's contacts (the ``caller_contacts`` condition). */
export type ContactKind = "favourite" | "contact" | "vip" | "blocked" | "colleague" | "unknown";
/** The editor's choices for ``caller_contacts``: each a set of kinds. */
export const CONTACT_PRESETS: Record<string, ContactKind[]> = {
  known: ["favourite", "contact", "vip", "colleague"],
  vip: ["vip"],
  favourite: ["favourite"],
  colleague: ["colleague"],
  unknown: ["unknown"],
};

/** The preset a rule's ``caller_contacts`` is ("" none, "custom" a set the editor has no name for). */
export function contactPreset(kinds: readonly ContactKind[] | undefined): string {
  if (!kinds?.length) return "";
  const key = [...kinds].sort().join(",");
  return Object.entries(CONTACT_PRESETS).find(([, set]) => [...set].sort().join(",") === key)?.[0] ?? "custom";
}
export const MAX_AFTER_S = 600;
export const MAX_DESTINATIONS = 10;

export interface Destination {
  kind: DestKind;
  after_s: number;
  target: string | null;
}

export interface Conditions {
  availability?: "available" | "busy";
  activity_ids?: number[];
  role_ids?: number[];
  dnd?: boolean;
  in_call?: boolean;
  phones_registered?: boolean;
  working_hours?: "in" | "out";
  caller?: CallerKind;
  caller_prefixes?: string[];
  called_prefixes?: string[];
  number_types?: string[];
  caller_contacts?: ContactKind[];
}

export interface Rule {
  id: number;
  scope: Scope;
  scope_id: number | null;
  list: RuleList;
  tier: Tier | null;
  position: number;
  name: string;
  enabled: boolean;
  conditions: Conditions;
  destinations: Destination[];
}

export interface Facts {
  user_id: number;
  at: string;
  availability: "available" | "busy";
  activity_id: number | null;
  role_id: number | null;
  dnd: boolean;
  in_call: boolean;
  phones_registered?: boolean;
  in_working_hours: boolean;
  caller_kind: CallerKind;
  caller_number: string;
  called_number: string;
  number_type?: string | null;
  caller_contact?: ContactKind;
}

export interface Checked {
  id: number;
  name: string;
  scope: Scope;
  tier: Tier | null;
  list: RuleList;
  matched: boolean;
  why_not: string | null;
}

export interface Explanation {
  facts: Facts;
  checked: Checked[];
  rule: Rule | null;
  destinations: Destination[];
  /** ``rule``, ``fallback``, ``default``, ``function`` (a function number, RTE-06) or ``none``
   * (no destinations: no rule for rule-based numbers matched, RBN-01). */
  source: "rule" | "fallback" | "default" | "function" | "none";
  note: string;
}

/** Names of activities and roles by id (the presence lists); unknown ids show as "#12". */
export interface Names {
  activities: Map<number, string>;
  roles: Map<number, string>;
}

export const NO_NAMES: Names = { activities: new Map(), roles: new Map() };

function nameOf(map: Map<number, string>, id: number | null): string {
  return id === null ? t("common.none") : (map.get(id) ?? `#${id}`);
}

function orList(items: string[]): string {
  return items.join(t("routing.or"));
}

/** Each condition of a rule in words, in the order the engine checks them. */
export function conditionTexts(c: Conditions, names: Names = NO_NAMES): string[] {
  const out: string[] = [];
  if (c.availability) out.push(t(`routing.c.${c.availability}` as MessageKey));
  if (c.activity_ids?.length) out.push(t("routing.c.activity", { names: orList(c.activity_ids.map((id) => nameOf(names.activities, id))) }));
  if (c.role_ids?.length) out.push(t("routing.c.role", { names: orList(c.role_ids.map((id) => nameOf(names.roles, id))) }));
  if (c.dnd !== undefined) out.push(t(c.dnd ? "routing.c.dndOn" : "routing.c.dndOff"));
  if (c.in_call !== undefined) out.push(t(c.in_call ? "routing.c.inCall" : "routing.c.notInCall"));
  if (c.phones_registered !== undefined) out.push(t(c.phones_registered ? "routing.c.registered" : "routing.c.notRegistered"));
  if (c.working_hours) out.push(t(c.working_hours === "in" ? "routing.c.hoursIn" : "routing.c.hoursOut"));
  if (c.caller) out.push(t(`routing.c.caller.${c.caller}` as MessageKey));
  if (c.caller_prefixes?.length) out.push(t("routing.c.callerPrefix", { prefixes: orList(c.caller_prefixes) }));
  if (c.called_prefixes?.length) out.push(t("routing.c.calledPrefix", { prefixes: orList(c.called_prefixes) }));
  if (c.number_types?.length) out.push(t("routing.c.numberType", { types: orList(c.number_types) }));
  if (c.caller_contacts?.length) {
    const preset = contactPreset(c.caller_contacts);
    out.push(
      preset === "custom"
        ? t("routing.c.contacts.custom", { kinds: orList(c.caller_contacts.map((k) => t(`routing.contactKind.${k}` as MessageKey))) })
        : t(`routing.c.contacts.${preset}` as MessageKey),
    );
  }
  return out;
}

/** One destination as a verb phrase: "ring the phones", "forward to 0171 555", "send to voicemail". */
export function destinationText(d: Pick<Destination, "kind" | "target">): string {
  if (d.kind === "number") return t("routing.d.number", { target: d.target ?? "?" });
  return t(`routing.d.${d.kind}` as MessageKey);
}

/** When a destination starts: "at once" or "after 10 s". */
export function afterText(seconds: number): string {
  return seconds ? t("routing.after", { n: seconds }) : t("routing.atOnce");
}

/** The destinations in time (RTE-04): those starting together joined by "and", the steps by ", then ". */
export function destinationsText(destinations: Destination[]): string {
  const steps: Array<[number, string[]]> = [];
  for (const d of destinations) {
    const last = steps[steps.length - 1];
    if (last && last[0] === d.after_s) last[1].push(destinationText(d));
    else steps.push([d.after_s, [destinationText(d)]]);
  }
  return steps.map(([after, texts]) => `${texts.join(t("routing.and"))} ${afterText(after)}`).join(t("routing.then"));
}

/** A rule as a sentence (RTE-04): "When a call comes in and the user is in a call, ring the
 * phones at once, then send to voicemail after 10 s." */
export function ruleSentence(rule: Pick<Rule, "list" | "conditions" | "destinations">, names: Names = NO_NAMES): string {
  const when = [t(`routing.when.${rule.list}` as MessageKey), ...conditionTexts(rule.conditions, names)].join(t("routing.and"));
  return t("routing.sentence", { when, what: destinationsText(rule.destinations) });
}

/** Why a rule does not match these facts (the engine's first failing check, evaluate.mismatch),
 * in the UI language; null when it matches. */
export function whyNot(rule: Pick<Rule, "enabled" | "conditions">, facts: Facts, names: Names = NO_NAMES): string | null {
  if (!rule.enabled) return t("routing.why.off");
  const c = rule.conditions;
  if (c.availability && c.availability !== facts.availability) {
    return t(`routing.c.${facts.availability}` as MessageKey);
  }
  if (c.activity_ids && !(facts.activity_id !== null && c.activity_ids.includes(facts.activity_id))) {
    return t("routing.why.activity", { name: nameOf(names.activities, facts.activity_id) });
  }
  if (c.role_ids && !(facts.role_id !== null && c.role_ids.includes(facts.role_id))) {
    return t("routing.why.role", { name: nameOf(names.roles, facts.role_id) });
  }
  if (c.dnd !== undefined && c.dnd !== facts.dnd) return t(facts.dnd ? "routing.c.dndOn" : "routing.c.dndOff");
  if (c.in_call !== undefined && c.in_call !== facts.in_call) return t(facts.in_call ? "routing.c.inCall" : "routing.c.notInCall");
  if (c.phones_registered !== undefined && facts.phones_registered !== undefined && c.phones_registered !== facts.phones_registered) {
    return t(facts.phones_registered ? "routing.c.registered" : "routing.c.notRegistered");
  }
  if (c.working_hours && (c.working_hours === "in") !== facts.in_working_hours) {
    return t(facts.in_working_hours ? "routing.c.hoursIn" : "routing.c.hoursOut");
  }
  if (c.caller && c.caller !== facts.caller_kind) return t(`routing.c.caller.${facts.caller_kind}` as MessageKey);
  if (c.caller_prefixes && !startsWithAny(facts.caller_number, c.caller_prefixes)) {
    return t("routing.why.callerPrefix", { number: facts.caller_number || t("routing.noNumber") });
  }
  if (c.number_types && !(facts.number_type && c.number_types.includes(facts.number_type))) {
    return t("routing.why.numberType", { type: facts.number_type ?? t("common.none") });
  }
  if (c.caller_contacts && !c.caller_contacts.includes(facts.caller_contact ?? "unknown")) {
    return t(`routing.c.contacts.${facts.caller_contact ?? "unknown"}` as MessageKey);
  }
  if (c.called_prefixes && !startsWithAny(facts.called_number, c.called_prefixes)) {
    return t("routing.why.calledPrefix", { number: facts.called_number });
  }
  return null;
}

function startsWithAny(number: string, prefixes: string[]): boolean {
  return Boolean(number) && prefixes.some((p) => number.startsWith(p));
}

/** RTE-08: the user's "forward all calls" rule: no conditions, one forward to a number at 0 s. */
export function isForwardAll(rule: Rule): boolean {
  const [only] = rule.destinations;
  return (
    rule.scope === "user" &&
    rule.list === "incoming" &&
    Object.keys(rule.conditions).length === 0 &&
    rule.destinations.length === 1 &&
    only !== undefined &&
    only.kind === "number" &&
    only.after_s === 0
  );
}

// -- times ----------------------------------------------------------------------------------------
function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** Today's date and the current time (hh:mm) in the browser's zone, as the date/time inputs want them. */
export function nowLocal(now = new Date()): { date: string; time: string } {
  return {
    date: `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`,
    time: `${pad(now.getHours())}:${pad(now.getMinutes())}`,
  };
}

/** "+01:00" for a moment's offset in the browser's zone (getTimezoneOffset counts the other way). */
export function offsetText(moment: Date): string {
  const minutes = -moment.getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A date ("2026-12-12") and time ("10:00") in the browser's zone as ISO 8601 with that day's UTC
 * offset ("2026-12-12T10:00:00+01:00"); null when either is not valid. */
export function isoWithOffset(date: string, time: string): string | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const tm = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(time.trim());
  if (!d || !tm) return null;
  const [year, month, day, hour, minute] = [d[1], d[2], d[3], tm[1], tm[2]].map(Number) as [number, number, number, number, number];
  if (hour > 23 || minute > 59) return null;
  const moment = new Date(year, month - 1, day, hour, minute);
  if (moment.getFullYear() !== year || moment.getMonth() !== month - 1 || moment.getDate() !== day) return null;
  return `${d[1]}-${d[2]}-${d[3]}T${pad(hour)}:${pad(minute)}:00${offsetText(moment)}`;
}

// -- the editor's draft ---------------------------------------------------------------------------
export type TriState = "" | "yes" | "no";

export interface DestRow {
  kind: DestKind;
  /** Seconds as typed. */
  after: string;
  target: string;
}

export interface Draft {
  name: string;
  list: RuleList;
  tier: Tier | "";
  enabled: boolean;
  availability: "" | "available" | "busy";
  activityIds: number[];
  roleIds: number[];
  dnd: TriState;
  inCall: TriState;
  phonesRegistered: TriState;
  workingHours: "" | "in" | "out";
  caller: "" | CallerKind;
  callerPrefixes: string;
  calledPrefixes: string;
  numberTypes: string;
  /** A key of CONTACT_PRESETS, "" for any caller, or "custom" (``callerContactsCustom`` kept as set). */
  callerContacts: string;
  callerContactsCustom: ContactKind[];
  destinations: DestRow[];
}

function tri(value: boolean | undefined): TriState {
  return value === undefined ? "" : value ? "yes" : "no";
}

/** The editor's fields for a rule (or a new one in ``list``, first allowed kind at 0 s). */
export function draftOf(rule: Rule | null, list: RuleList, kinds: DestKind[] = DEST_KINDS, tier: Tier | "" = ""): Draft {
  const c = rule?.conditions ?? {};
  return {
    name: rule?.name ?? "",
    list: rule?.list ?? list,
    tier: rule ? (rule.tier ?? "") : list === RULE_NUMBERS ? "" : tier,
    enabled: rule?.enabled ?? true,
    availability: c.availability ?? "",
    activityIds: [...(c.activity_ids ?? [])],
    roleIds: [...(c.role_ids ?? [])],
    dnd: tri(c.dnd),
    inCall: tri(c.in_call),
    phonesRegistered: tri(c.phones_registered),
    workingHours: c.working_hours ?? "",
    caller: c.caller ?? "",
    callerPrefixes: (c.caller_prefixes ?? []).join(", "),
    calledPrefixes: (c.called_prefixes ?? []).join(", "),
    numberTypes: (c.number_types ?? []).join(", "),
    callerContacts: contactPreset(c.caller_contacts),
    callerContactsCustom: [...(c.caller_contacts ?? [])],
    destinations: rule
      ? rule.destinations.map((d) => ({ kind: d.kind, after: String(d.after_s), target: d.target ?? "" }))
      : [{ kind: kinds[0] ?? "phones", after: "0", target: "" }],
  };
}

/** "0171, 0172 " → ["0171", "0172"] (commas or spaces between prefixes). */
export function splitPrefixes(text: string): string[] {
  return text
    .split(/[,;\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
}

export function draftConditions(d: Draft): Conditions {
  const c: Conditions = {};
  if (d.availability) c.availability = d.availability;
  if (d.activityIds.length) c.activity_ids = [...d.activityIds].sort((a, b) => a - b);
  if (d.roleIds.length) c.role_ids = [...d.roleIds].sort((a, b) => a - b);
  if (d.dnd) c.dnd = d.dnd === "yes";
  if (d.inCall) c.in_call = d.inCall === "yes";
  if (d.phonesRegistered) c.phones_registered = d.phonesRegistered === "yes";
  if (d.workingHours) c.working_hours = d.workingHours;
  if (d.caller) c.caller = d.caller;
  const callerPrefixes = splitPrefixes(d.callerPrefixes);
  if (callerPrefixes.length) c.caller_prefixes = callerPrefixes;
  const calledPrefixes = splitPrefixes(d.calledPrefixes);
  if (calledPrefixes.length) c.called_prefixes = calledPrefixes;
  const numberTypes = d.numberTypes.split(",").map((x) => x.trim()).filter(Boolean);
  if (numberTypes.length) c.number_types = numberTypes;
  if (d.callerContacts === "custom" && d.callerContactsCustom.length) c.caller_contacts = [...d.callerContactsCustom];
  else if (d.callerContacts && CONTACT_PRESETS[d.callerContacts]) c.caller_contacts = [...CONTACT_PRESETS[d.callerContacts]!];
  if (d.list !== RULE_NUMBERS) return c;
  // RBN-01: only what such a rule may test (the editor offers nothing else).
  return Object.fromEntries(Object.entries(c).filter(([key]) => RULE_NUMBER_CONDITIONS.includes(key as keyof Conditions))) as Conditions;
}

export function draftDestinations(d: Draft): Destination[] {
  return d.destinations.map((row) => ({
    kind: row.kind,
    after_s: Number(row.after.trim() || "0"),
    target: row.kind === "number" ? row.target.replace(/\s/g, "") : null,
  }));
}

/** The body of POST /api/routing/rules (scope, scope_id and list only for a new rule); the rules
 * for rule-based numbers send ``tier: null``. */
export function draftBody(d: Draft, scope: Scope): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: d.name.trim(),
    enabled: d.enabled,
    conditions: draftConditions(d),
    destinations: draftDestinations(d),
  };
  if (scope !== "user") body["tier"] = hasTier(scope, d.list) ? d.tier || null : null;
  return body;
}

const DIALLABLE = /^\+?[0-9*#]{2,20}$/;

export type Errors = Record<string, string | null | undefined>;

/** The checks the browser can make before sending; the keys are the API's field names
 * ("destinations.1.target"), so the server's errors land on the same fields. */
export function checkDraft(d: Draft, scope: Scope, kinds: DestKind[] = DEST_KINDS): Errors {
  const errors: Errors = {};
  const name = d.name.trim();
  if (!name) errors["name"] = t("validation.required");
  else if (name.length > 80) errors["name"] = t("routing.err.name");
  if (hasTier(scope, d.list) && !d.tier) errors["tier"] = t("routing.err.tier");
  for (const [key, text] of [["caller_prefixes", d.callerPrefixes], ["called_prefixes", d.calledPrefixes]] as const) {
    if (splitPrefixes(text).some((p) => !DIALLABLE.test(p))) errors[`conditions.${key}`] = t("routing.err.prefix");
  }
  if (!d.destinations.length) errors["destinations"] = t("routing.err.noDestination");
  let previous = 0;
  d.destinations.forEach((row, i) => {
    if (!kinds.includes(row.kind)) errors[`destinations.${i}.kind`] = t("routing.err.kind");
    const after = row.after.trim() || "0";
    const seconds = Number(after);
    if (!/^\d+$/.test(after) || seconds > MAX_AFTER_S) errors[`destinations.${i}.after_s`] = t("routing.err.after", { max: MAX_AFTER_S });
    else if (seconds < previous) errors[`destinations.${i}.after_s`] = t("routing.err.rising");
    else previous = seconds;
    if (row.kind === "number") {
      const target = row.target.replace(/\s/g, "");
      if (!target) errors[`destinations.${i}.target`] = t("routing.err.target");
      else if (!DIALLABLE.test(target)) errors[`destinations.${i}.target`] = t("routing.err.number");
    }
  });
  return errors;
}

export function hasErrors(errors: Errors): boolean {
  return Object.values(errors).some(Boolean);
}

/** The error for a field or any part of it ("conditions.caller_prefixes.1" for "conditions.caller_prefixes"). */
export function errorFor(errors: Errors, key: string): string | undefined {
  if (errors[key]) return errors[key] ?? undefined;
  for (const [name, message] of Object.entries(errors)) if (message && name.startsWith(`${key}.`)) return message;
  return undefined;
}
