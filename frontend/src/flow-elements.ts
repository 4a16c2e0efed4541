/**
 * Virtual switches (AA-04) and announcements (AA-03), CAPA-14: the API's shapes and the pure
 * helpers of the "Switches & announcements" page: an element as an editable draft and back, and
 * the checks that mirror the server's (the server decides: a number someone else has, a
 * destination nobody answers, a prompt that is gone ... come back by field).
 */
import { compact, existing, isEntryNumber, sortedIds } from "./drafts";
import { t } from "./i18n";

export const SWITCHES = "/api/flow_elements/switches";
export const ANNOUNCEMENTS = "/api/flow_elements/announcements";
/** The feature code's default digits: `*29*NUMBER*` on, `**29*NUMBER*` off. */
export const SWITCH_CODE = "29";
/** The code's key on Feature codes (plugins/flow_elements/const.py CODE_KEY). */
export const SWITCH_CODE_KEY = "flow_switch";

/** One switch as GET /api/flow_elements/switches lists it. */
export interface FlowSwitch {
  id: number;
  name: string;
  number: string;
  on: boolean;
  on_target: string;
  off_target: string;
  operator_groups: number[];
  locked: boolean;
  /** ROLE-04: the user groups whose members may change, switch and lock it. */
  admin_groups?: number[];
  changed_at: number | null;
  changed_by: string | null;
}

/** One announcement as GET /api/flow_elements/announcements lists it. */
export interface Announcement {
  id: number;
  name: string;
  number: string;
  prompt: string;
  next_number: string | null;
  locked: boolean;
  /** ROLE-04: the user groups whose members may change and lock it. */
  admin_groups?: number[];
}

export interface SwitchDraft {
  name: string;
  number: string;
  /** A new switch's first state; null when editing one (its state is the list's On/Off button, so
   * a save never undoes a change made by phone meanwhile). */
  on: boolean | null;
  onTarget: string;
  offTarget: string;
  operatorGroups: Set<number>;
  locked: boolean;
  /** ROLE-04: who administers it; null for a group administrator, who may not choose it (the body
   * then leaves it out and the server keeps it). */
  adminGroups: Set<number> | null;
}

export interface AnnouncementDraft {
  name: string;
  number: string;
  prompt: string;
  /** "" hangs up after the prompt. */
  nextNumber: string;
  locked: boolean;
  /** As SwitchDraft's. */
  adminGroups: Set<number> | null;
}

/** The API's name of each draft field, for its message. */
export const SWITCH_FIELD_OF: Record<keyof SwitchDraft, string> = {
  name: "name",
  number: "number",
  on: "on",
  onTarget: "on_target",
  offTarget: "off_target",
  operatorGroups: "operator_groups",
  locked: "locked",
  adminGroups: "admin_groups",
};

export const ANNOUNCEMENT_FIELD_OF: Record<keyof AnnouncementDraft, string> = {
  name: "name",
  number: "number",
  prompt: "prompt",
  nextNumber: "next_number",
  locked: "locked",
  adminGroups: "admin_groups",
};

export function emptySwitchDraft(): SwitchDraft {
  return { name: "", number: "", on: false, onTarget: "", offTarget: "", operatorGroups: new Set(), locked: false, adminGroups: new Set() };
}

/** The body's `admin_groups`, when the form chooses them. */
function adminGroupsBody(adminGroups: ReadonlySet<number> | null): { admin_groups?: number[] } {
  return adminGroups ? { admin_groups: sortedIds(adminGroups) } : {};
}

/** `chooseAdmins`: an administrator's form, which also sets who administers the switch. */
export function switchDraftOf(s: FlowSwitch, userGroups: ReadonlySet<number>, chooseAdmins = false): SwitchDraft {
  return {
    name: s.name,
    number: s.number,
    on: null,
    onTarget: s.on_target,
    offTarget: s.off_target,
    operatorGroups: existing(s.operator_groups, userGroups),
    locked: s.locked,
    adminGroups: chooseAdmins ? existing(s.admin_groups ?? [], userGroups) : null,
  };
}

/** The body of POST and PUT /api/flow_elements/switches. */
export function switchBodyOf(draft: SwitchDraft): Record<string, unknown> {
  return {
    name: draft.name.trim(),
    number: compact(draft.number),
    ...(draft.on === null ? {} : { on: draft.on }),
    on_target: compact(draft.onTarget),
    off_target: compact(draft.offTarget),
    operator_groups: sortedIds(draft.operatorGroups),
    locked: draft.locked,
    ...adminGroupsBody(draft.adminGroups),
  };
}

export function emptyAnnouncementDraft(): AnnouncementDraft {
  return { name: "", number: "", prompt: "", nextNumber: "", locked: false, adminGroups: new Set() };
}

/** `userGroups` with `chooseAdmins`: an administrator's form, which also sets who administers it. */
export function announcementDraftOf(a: Announcement, userGroups: ReadonlySet<number> = new Set(), chooseAdmins = false): AnnouncementDraft {
  return {
    name: a.name,
    number: a.number,
    prompt: a.prompt,
    nextNumber: a.next_number ?? "",
    locked: a.locked,
    adminGroups: chooseAdmins ? existing(a.admin_groups ?? [], userGroups) : null,
  };
}

/** The body of POST and PUT /api/flow_elements/announcements. */
export function announcementBodyOf(draft: AnnouncementDraft): Record<string, unknown> {
  return {
    name: draft.name.trim(),
    number: compact(draft.number),
    prompt: draft.prompt,
    next_number: compact(draft.nextNumber) || null,
    locked: draft.locked,
    ...adminGroupsBody(draft.adminGroups),
  };
}

const DIALABLE_RE = /^\+?[0-9*#]{2,20}$/;

function nameAndNumber(draft: { name: string; number: string }, errors: Record<string, string>): string {
  const number = compact(draft.number);
  if (!draft.name.trim()) errors["name"] = t("validation.required");
  if (!number) errors["number"] = t("validation.required");
  else if (!isEntryNumber(number)) errors["number"] = t("flowElements.numberInvalid");
  return number;
}

function targetError(target: string, number: string, required: boolean): string | undefined {
  if (!target) return required ? t("validation.required") : undefined;
  if (!DIALABLE_RE.test(target)) return t("flowElements.targetInvalid");
  if (target === number) return t("flowElements.targetOwn");
  return undefined;
}

/** The messages next to the switch form's fields, by the API's field names; empty when it may be sent. */
export function switchDraftErrors(draft: SwitchDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  const number = nameAndNumber(draft, errors);
  const onError = targetError(compact(draft.onTarget), number, true);
  if (onError) errors["on_target"] = onError;
  const offError = targetError(compact(draft.offTarget), number, true);
  if (offError) errors["off_target"] = offError;
  return errors;
}

/** The messages next to the announcement form's fields, by the API's field names. */
export function announcementDraftErrors(draft: AnnouncementDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  const number = nameAndNumber(draft, errors);
  if (!draft.prompt) errors["prompt"] = t("validation.required");
  const nextError = targetError(compact(draft.nextNumber), number, false);
  if (nextError) errors["next_number"] = nextError;
  return errors;
}

/** What the phone code looks like for a switch: `*29*1650*` / `**29*1650*`. */
export function switchCodes(number: string, digits: string = SWITCH_CODE): { on: string; off: string } {
  return { on: `*${digits}*${number}*`, off: `**${digits}*${number}*` };
}
