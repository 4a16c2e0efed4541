/**
 * IVR menus (IVR-01..04, IVR-07, IVR-08, SCH-07): the API's shapes (plugins/ivr/schema.py,
 * model.py) and the pure helpers of the IVR menus page: a menu as an editable draft and back, the
 * checks that mirror the server's (the server decides: a number someone else has, a target nobody
 * answers ... come back by field, options by their key: ``options.1.target``), and the short texts
 * of the list.
 */
import { compact, existing, isEntryNumber, sortedIds } from "./drafts";
import { t, type MessageKey } from "./i18n";

export const MENUS = "/api/ivr/menus";
/** The dial plan, for its blocking groups (BAR-04). */
export const DIALPLAN = "/api/dialplan";

/** A blocking group as GET /api/dialplan lists it (what the form needs of it). */
export interface BlockingGroupRef {
  id: number;
  name: string;
}

/** IVR-03: the keys an option may have, in the order the form offers them. */
export const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"] as const;
export type Kind = "number" | "voicemail" | "hangup" | "repeat";
/** Where a key may send the caller, in the order the form offers them. */
export const KINDS: Kind[] = ["number", "voicemail", "hangup", "repeat"];
/** The prompts' languages a menu may have (``null``: the caller's). */
export const MENU_LANGUAGES = ["en", "de", "da"] as const;
export const MIN_TIMEOUT_S = 1;
export const MAX_TIMEOUT_S = 60;
export const DEFAULT_TIMEOUT_S = 5;
export const MAX_RETRIES = 10;
export const DEFAULT_RETRIES = 2;
export const DEFAULT_WELCOME_PROMPT = "please_hold";
export const DEFAULT_INVALID_PROMPT = "invalid_option";
/** The longest display text a menu may have (core/calls/metadata.py). */
export const DISPLAY_TEXT_MAX = 60;

/** A destination as the API takes and gives it. */
export interface Destination {
  kind: Kind;
  target?: string;
}

/** One menu as GET /api/ivr/menus lists it. */
export interface IvrMenu {
  id: number;
  name: string;
  number: string;
  language: string | null;
  welcome_prompt: string;
  options: Record<string, Destination>;
  direct_dial: boolean;
  timeout_s: number;
  retries: number;
  invalid_prompt: string;
  timeout_destination: Destination | null;
  /** NUM-11: left out of contact searches (it can still be called). */
  exclude_from_search: boolean;
  /** Shown on the phones before the caller's name; "": the menu's name. */
  display_text: string;
  /** IVR-05: a display text set earlier in the call path is kept instead of the menu's. */
  keep_derived_metadata: boolean;
  /** BAR-04: the blocking groups limiting the outside numbers the menu sends callers to. */
  blocking_groups: number[];
  /** SCH-07: the schedule of the menu's opening hours; null: always open. */
  schedule_id: number | null;
  /** ROLE-04, IVR-06: the user groups whose members may change this menu. */
  admin_groups?: number[];
}

/** One option row of the form: a key and where it sends the caller (the target as typed). */
export interface OptionDraft {
  key: string;
  kind: Kind;
  target: string;
}

/** Where the call goes when nobody presses a key: "goodbye" (the API's null: the goodbye prompt,
 * then hang up) or one of the kinds. */
export type TimeoutKind = "goodbye" | Kind;

/** What the form edits: the text fields as typed. */
export interface Draft {
  name: string;
  number: string;
  /** "" for the caller's language. */
  language: string;
  welcomePrompt: string;
  directDial: boolean;
  options: OptionDraft[];
  timeoutS: string;
  retries: string;
  invalidPrompt: string;
  timeoutKind: TimeoutKind;
  timeoutTarget: string;
  excludeFromSearch: boolean;
  displayText: string;
  keepDerivedMetadata: boolean;
  blockingGroups: Set<number>;
  /** SCH-07: the schedule's id as the select holds it; "" for none (always open). */
  scheduleId: string;
  /** ROLE-04: who administers the menu; null in a group administrator's form, which chooses
   * neither that, the blocking groups nor the schedule (they may not list the schedules): the body
   * leaves them out and the server keeps them. */
  adminGroups: Set<number> | null;
}

export function needsTarget(kind: TimeoutKind): kind is "number" | "voicemail" {
  return kind === "number" || kind === "voicemail";
}

export function emptyDraft(): Draft {
  return {
    name: "",
    number: "",
    language: "",
    welcomePrompt: DEFAULT_WELCOME_PROMPT,
    directDial: false,
    options: [],
    timeoutS: String(DEFAULT_TIMEOUT_S),
    retries: String(DEFAULT_RETRIES),
    invalidPrompt: DEFAULT_INVALID_PROMPT,
    timeoutKind: "goodbye",
    timeoutTarget: "",
    excludeFromSearch: false,
    displayText: "",
    keepDerivedMetadata: false,
    blockingGroups: new Set(),
    scheduleId: "",
    adminGroups: new Set(),
  };
}

/** The keys in the order the form offers them (1-9, 0, *, #). */
function keyOrder(key: string): number {
  const at = (KEYS as readonly string[]).indexOf(key);
  return at < 0 ? KEYS.length : at;
}

export function sortedKeys(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => keyOrder(a) - keyOrder(b));
}

/** The menu as a draft; with `blockingGroups`, `userGroups` and `schedules` (the ids that exist) a
 * group or schedule that is gone is left out. `userGroups` null: a group administrator's form (see
 * Draft.adminGroups), whose schedule stays as it is (they may not list the schedules). */
export function draftOf(
  menu: IvrMenu,
  blockingGroups?: ReadonlySet<number>,
  userGroups?: ReadonlySet<number> | null,
  schedules?: ReadonlySet<number>,
): Draft {
  const groups = menu.blocking_groups ?? [];
  const admins = menu.admin_groups ?? [];
  const timeout = menu.timeout_destination;
  const schedule = menu.schedule_id ?? null;
  return {
    name: menu.name,
    number: menu.number,
    language: menu.language ?? "",
    welcomePrompt: menu.welcome_prompt,
    directDial: menu.direct_dial,
    options: sortedKeys(Object.keys(menu.options)).map((key) => {
      const dest = menu.options[key]!;
      return { key, kind: dest.kind, target: dest.target ?? "" };
    }),
    timeoutS: String(menu.timeout_s),
    retries: String(menu.retries),
    invalidPrompt: menu.invalid_prompt,
    timeoutKind: timeout ? timeout.kind : "goodbye",
    timeoutTarget: timeout?.target ?? "",
    excludeFromSearch: menu.exclude_from_search === true,
    displayText: menu.display_text ?? "",
    keepDerivedMetadata: menu.keep_derived_metadata === true,
    blockingGroups: blockingGroups ? existing(groups, blockingGroups) : new Set(groups),
    scheduleId: schedule !== null && (userGroups === null || !schedules || schedules.has(schedule)) ? String(schedule) : "",
    adminGroups: userGroups === null ? null : userGroups ? existing(admins, userGroups) : new Set(admins),
  };
}

/** The first key no option has yet; null when every key has one. */
export function freeKey(options: readonly OptionDraft[]): string | null {
  const used = new Set(options.map((o) => o.key));
  return KEYS.find((key) => !used.has(key)) ?? null;
}

/** The keys a row may choose: its own and those no other row has. */
export function keysFor(options: readonly OptionDraft[], index: number): string[] {
  const taken = new Set(options.filter((_, i) => i !== index).map((o) => o.key));
  return KEYS.filter((key) => !taken.has(key));
}

function destinationOf(kind: Kind, target: string): Destination {
  return needsTarget(kind) ? { kind, target: compact(target) } : { kind };
}

/** The body of POST and PUT /api/ivr/menus. With direct dialling on the options are off (IVR-04):
 * none are sent. A group administrator's body has no blocking groups, no administrators and no
 * schedule (the server keeps them). */
export function bodyOf(draft: Draft): Record<string, unknown> {
  const options: Record<string, Destination> = {};
  if (!draft.directDial) for (const o of draft.options) options[o.key] = destinationOf(o.kind, o.target);
  return {
    name: draft.name.trim(),
    number: compact(draft.number),
    language: draft.language || null,
    welcome_prompt: draft.welcomePrompt,
    options,
    direct_dial: draft.directDial,
    timeout_s: Number(draft.timeoutS.trim()),
    retries: Number(draft.retries.trim()),
    invalid_prompt: draft.invalidPrompt,
    timeout_destination: draft.timeoutKind === "goodbye" ? null : destinationOf(draft.timeoutKind, draft.timeoutTarget),
    exclude_from_search: draft.excludeFromSearch,
    display_text: draft.displayText.trim(),
    keep_derived_metadata: draft.keepDerivedMetadata,
    ...(draft.adminGroups
      ? {
          blocking_groups: sortedIds(draft.blockingGroups),
          admin_groups: sortedIds(draft.adminGroups),
          schedule_id: draft.scheduleId ? Number(draft.scheduleId) : null,
        }
      : {}),
  };
}

const DIALABLE_RE = /^\+?[0-9]{2,20}$/;

function wholeIn(text: string, low: number, high: number): boolean {
  return /^[0-9]+$/.test(text) && Number(text) >= low && Number(text) <= high;
}

/** The message of a destination's target, or null. */
function targetError(kind: TimeoutKind, target: string, number: string): string | null {
  if (!needsTarget(kind)) return null;
  const text = compact(target);
  if (!text) return t("validation.required");
  if (!DIALABLE_RE.test(text)) return t("ivr.targetInvalid");
  if (kind === "number" && text === number) return t("ivr.targetOwn");
  return null;
}

/** The messages next to the fields, by the API's field names; empty when the draft may be sent. */
export function draftErrors(draft: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  const number = compact(draft.number);
  if (!draft.name.trim()) errors["name"] = t("validation.required");
  if (!number) errors["number"] = t("validation.required");
  else if (!isEntryNumber(number)) errors["number"] = t("ivr.numberInvalid");
  if (!draft.welcomePrompt) errors["welcome_prompt"] = t("validation.required");
  if (!draft.invalidPrompt) errors["invalid_prompt"] = t("validation.required");
  if (draft.displayText.trim().length > DISPLAY_TEXT_MAX) {
    errors["display_text"] = t("ivr.displayTextTooLong", { max: DISPLAY_TEXT_MAX });
  }
  if (!wholeIn(draft.timeoutS.trim(), MIN_TIMEOUT_S, MAX_TIMEOUT_S)) {
    errors["timeout_s"] = t("ivr.timeoutInvalid", { min: MIN_TIMEOUT_S, max: MAX_TIMEOUT_S });
  }
  if (!wholeIn(draft.retries.trim(), 0, MAX_RETRIES)) errors["retries"] = t("ivr.retriesInvalid", { max: MAX_RETRIES });
  if (!draft.directDial) {
    const seen = new Set<string>();
    for (const o of draft.options) {
      if (seen.has(o.key)) errors[`options.${o.key}`] = t("ivr.keyTwice");
      seen.add(o.key);
      const problem = targetError(o.kind, o.target, number);
      if (problem) errors[`options.${o.key}.target`] = problem;
    }
  }
  const timeout = targetError(draft.timeoutKind, draft.timeoutTarget, number);
  if (timeout) errors["timeout_destination.target"] = timeout;
  return errors;
}

const KIND_LABELS: Record<Kind, MessageKey> = {
  number: "ivr.kind.number",
  voicemail: "ivr.kind.voicemail",
  hangup: "ivr.kind.hangup",
  repeat: "ivr.kind.repeat",
};

/** The choice of a kind select ("Call a number"). */
export function kindLabel(kind: Kind): string {
  return t(KIND_LABELS[kind]);
}

/** The choices of the "when nobody presses a key" select. */
export function timeoutLabel(kind: TimeoutKind): string {
  return kind === "goodbye" ? t("ivr.timeout.goodbye") : kindLabel(kind);
}

/** "call 1002", "voicemail of 1002", "hang up", "repeat the menu": a destination in a few words. */
export function destinationText(dest: Destination | null): string {
  if (!dest) return t("ivr.dest.goodbye");
  switch (dest.kind) {
    case "number":
      return t("ivr.dest.number", { target: dest.target ?? "" });
    case "voicemail":
      return t("ivr.dest.voicemail", { target: dest.target ?? "" });
    case "hangup":
      return t("ivr.dest.hangup");
    default:
      return t("ivr.dest.repeat");
  }
}

/** "1: call 1002", one per option, in key order. */
export function optionLines(menu: IvrMenu): string[] {
  return sortedKeys(Object.keys(menu.options)).map((key) => `${key}: ${destinationText(menu.options[key]!)}`);
}

/** The language of a menu's prompts, for the list and the select. */
export function languageText(language: string | null): string {
  if (!language) return t("ivr.callersLanguage");
  return (MENU_LANGUAGES as readonly string[]).includes(language) ? t(`lang.${language}` as MessageKey) : language;
}
