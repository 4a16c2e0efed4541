/**
 * Group inboxes and voicemail numbers (GIB-01, GIB-04, GIB-05, GIB-07): the API's shapes and the
 * pure helpers of their admin page: an inbox as an editable draft and back, and the checks that
 * mirror the server's (the server decides: a number someone else has, an unknown user group ...
 * come back by field).
 */
import { compact, existing, isEntryNumber, sortedIds } from "./drafts";
import { t } from "./i18n";

/** One group inbox as GET /api/voicemail/group-inboxes lists it. */
export interface GroupInbox {
  id: number;
  name: string;
  number: string;
  code: string;
  has_pin: boolean;
  allow_anonymous_after_pin: boolean;
  exclude_from_search: boolean;
  greeting_prompt: string;
  member_groups: number[];
  sms_groups: number[];
  email_groups: number[];
  /** ROLE-04, GIB-06: the user groups whose members may change this inbox. */
  admin_groups?: number[];
  new: number;
  old: number;
}

export type NumberKind = "user_inbox" | "group_inbox";
export const NUMBER_KINDS: NumberKind[] = ["user_inbox", "group_inbox"];

/** One voicemail number as GET /api/voicemail/numbers lists it. */
export interface VoicemailNumber {
  number: string;
  kind: NumberKind;
  inbox_id: number | null;
}

export type GroupListKey = "memberGroups" | "smsGroups" | "emailGroups";

/** What the inbox form edits: the text fields as typed, the lists as sets of ids. */
export interface Draft {
  name: string;
  number: string;
  code: string;
  /** A new PIN; "" keeps the one there is (or none). */
  pin: string;
  removePin: boolean;
  allowAnonymous: boolean;
  excludeFromSearch: boolean;
  greetingPrompt: string;
  memberGroups: Set<number>;
  smsGroups: Set<number>;
  emailGroups: Set<number>;
  /** ROLE-04: who administers the inbox; null for a group administrator, who may not choose it
   * (the body then leaves it out and the server keeps it). */
  adminGroups: Set<number> | null;
}

/** The API's name of each draft field, for its message. */
export const FIELD_OF: Record<keyof Draft, string> = {
  name: "name",
  number: "number",
  code: "code",
  pin: "pin",
  removePin: "pin",
  allowAnonymous: "allow_anonymous_after_pin",
  excludeFromSearch: "exclude_from_search",
  greetingPrompt: "greeting_prompt",
  memberGroups: "member_groups",
  smsGroups: "sms_groups",
  emailGroups: "email_groups",
  adminGroups: "admin_groups",
};

export function emptyDraft(): Draft {
  return {
    name: "",
    number: "",
    code: "",
    pin: "",
    removePin: false,
    allowAnonymous: false,
    excludeFromSearch: false,
    greetingPrompt: "",
    memberGroups: new Set(),
    smsGroups: new Set(),
    emailGroups: new Set(),
    adminGroups: new Set(),
  };
}

/** `chooseAdmins`: an administrator's form, which also sets who administers the inbox. */
export function draftOf(inbox: GroupInbox, userGroups: ReadonlySet<number>, chooseAdmins = false): Draft {
  return {
    name: inbox.name,
    number: inbox.number,
    code: inbox.code,
    pin: "",
    removePin: false,
    allowAnonymous: inbox.allow_anonymous_after_pin,
    excludeFromSearch: inbox.exclude_from_search,
    greetingPrompt: inbox.greeting_prompt,
    memberGroups: existing(inbox.member_groups, userGroups),
    smsGroups: existing(inbox.sms_groups, userGroups),
    emailGroups: existing(inbox.email_groups, userGroups),
    adminGroups: chooseAdmins ? existing(inbox.admin_groups ?? [], userGroups) : null,
  };
}

/** The body of POST and PUT /api/voicemail/group-inboxes; ``pin`` null keeps the PIN, "" removes it. */
export function bodyOf(draft: Draft): Record<string, unknown> {
  const pin = compact(draft.pin);
  return {
    name: draft.name.trim(),
    number: compact(draft.number),
    code: compact(draft.code),
    pin: draft.removePin ? "" : pin || null,
    allow_anonymous_after_pin: draft.allowAnonymous,
    exclude_from_search: draft.excludeFromSearch,
    greeting_prompt: draft.greetingPrompt,
    member_groups: sortedIds(draft.memberGroups),
    sms_groups: sortedIds(draft.smsGroups),
    email_groups: sortedIds(draft.emailGroups),
    ...(draft.adminGroups ? { admin_groups: sortedIds(draft.adminGroups) } : {}),
  };
}

const CODE_RE = /^[0-9]{1,8}$/;
const PIN_RE = /^[0-9]{4,12}$/;

/** The messages next to the fields, by the API's field names; empty when the draft may be sent. */
export function draftErrors(draft: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  const number = compact(draft.number);
  const code = compact(draft.code);
  const pin = compact(draft.pin);
  if (!draft.name.trim()) errors["name"] = t("validation.required");
  if (!number) errors["number"] = t("validation.required");
  else if (!isEntryNumber(number)) errors["number"] = t("groupInboxes.numberInvalid");
  if (!code) errors["code"] = t("validation.required");
  else if (!CODE_RE.test(code)) errors["code"] = t("groupInboxes.codeInvalid");
  if (pin && !draft.removePin && !PIN_RE.test(pin)) errors["pin"] = t("groupInboxes.pinInvalid");
  if (!draft.memberGroups.size) errors["member_groups"] = t("groupInboxes.membersNeeded");
  return errors;
}

/** "User inbox" or "Group inbox: After hours (1590)". */
export function numberKindText(number: VoicemailNumber, inboxes: GroupInbox[]): string {
  if (number.kind === "user_inbox") return t("groupInboxes.kindUser");
  const inbox = inboxes.find((i) => i.id === number.inbox_id);
  return inbox ? t("groupInboxes.kindGroupOf", { name: inbox.name, number: inbox.number }) : t("groupInboxes.kindGroup");
}
