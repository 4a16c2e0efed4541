/**
 * Hunt groups (HG-01..06, HG-08, FC-16): the API's shapes and the pure helpers of the Hunt groups
 * page: a group as an editable draft and back, and the checks that mirror the server's (the
 * server decides: a number someone else has, an unknown user group ... come back by field).
 */
import { compact, existing, isEntryNumber, PUBLIC_RE, sortedIds } from "./drafts";
import { t, type MessageKey } from "./i18n";

export type Distribution = "parallel" | "sequential";
export const DISTRIBUTIONS: Distribution[] = ["parallel", "sequential"];
export const MIN_RING_S = 1;
export const MAX_RING_S = 300;
export const DEFAULT_RING_S = 20;
/** The longest display text a group may have (core/calls/metadata.py). */
export const DISPLAY_TEXT_MAX = 60;

/** The kinds of a member's phones a group rings (HG-06), in the order the form and the API list them. */
export type PhoneType = "desk" | "softphone" | "mobile";
export const PHONE_TYPES: PhoneType[] = ["desk", "softphone", "mobile"];
/** What a new group rings: the members' phones here, not their mobiles. */
export const DEFAULT_PHONE_TYPES: PhoneType[] = ["desk", "softphone"];

/** A member as the API lists them, in the order they are rung. */
export interface HuntGroupMember {
  user_id: number;
  name: string;
  number: string;
}

/** One hunt group as GET /api/hunt_groups/groups lists it. */
export interface HuntGroup {
  id: number;
  name: string;
  number: string;
  identifier: string;
  user_groups: number[];
  distribution: Distribution;
  ring_s: number;
  fallback: string | null;
  excluded_activities: number[];
  excluded_roles: number[];
  schedule_id: number | null;
  phone_types: PhoneType[];
  /** NUM-11: left out of contact searches (it can still be called). */
  exclude_from_search: boolean;
  /** Shown on the members' phones before the caller's name; "": the group's name. */
  display_text: string;
  /** A display text set earlier in the call path (a menu's) is kept instead of the group's. */
  keep_derived_metadata: boolean;
  /** BAR-04: the blocking groups limiting the outside numbers the group sends callers to. */
  blocking_groups: number[];
  /** ROLE-04: the user groups whose members may change this hunt group. */
  admin_groups?: number[];
  members: HuntGroupMember[];
}

/** The dial plan, for its blocking groups (BAR-04). */
export const DIALPLAN = "/api/dialplan";

/** A blocking group as GET /api/dialplan lists it (what the form needs of it). */
export interface BlockingGroupRef {
  id: number;
  name: string;
}

/** What the form edits: the text fields as typed, the lists as sets of ids. */
export interface Draft {
  name: string;
  number: string;
  identifier: string;
  userGroups: Set<number>;
  distribution: Distribution;
  ringS: string;
  fallback: string;
  excludedActivities: Set<number>;
  excludedRoles: Set<number>;
  /** The schedule's id as the select holds it; "" for none (always open). */
  scheduleId: string;
  phoneTypes: Set<PhoneType>;
  excludeFromSearch: boolean;
  displayText: string;
  keepDerivedMetadata: boolean;
  blockingGroups: Set<number>;
  /** ROLE-04: who administers the group; null in a group administrator's form, which chooses
   * neither that nor the blocking groups (the body leaves both out and the server keeps them). */
  adminGroups: Set<number> | null;
}

/** The API's name of each draft field, for its message. */
export const FIELD_OF: Record<keyof Draft, string> = {
  name: "name",
  number: "number",
  identifier: "identifier",
  userGroups: "user_groups",
  distribution: "distribution",
  ringS: "ring_s",
  fallback: "fallback",
  excludedActivities: "excluded_activities",
  excludedRoles: "excluded_roles",
  scheduleId: "schedule_id",
  phoneTypes: "phone_types",
  excludeFromSearch: "exclude_from_search",
  displayText: "display_text",
  keepDerivedMetadata: "keep_derived_metadata",
  blockingGroups: "blocking_groups",
  adminGroups: "admin_groups",
};

export function emptyDraft(): Draft {
  return {
    name: "",
    number: "",
    identifier: "",
    userGroups: new Set(),
    distribution: "parallel",
    ringS: String(DEFAULT_RING_S),
    fallback: "",
    excludedActivities: new Set(),
    excludedRoles: new Set(),
    scheduleId: "",
    phoneTypes: new Set(DEFAULT_PHONE_TYPES),
    excludeFromSearch: false,
    displayText: "",
    keepDerivedMetadata: false,
    blockingGroups: new Set(),
    adminGroups: new Set(),
  };
}

export interface Known {
  userGroups: ReadonlySet<number>;
  activities: ReadonlySet<number>;
  roles: ReadonlySet<number>;
  schedules: ReadonlySet<number>;
  /** The blocking groups that exist; without, the group's are kept as they are. */
  blockingGroups?: ReadonlySet<number>;
  /** ROLE-04: a group administrator's form (see Draft.adminGroups); the schedule is kept as it is
   * (they may not list the schedules). */
  groupAdmin?: boolean;
}

export function draftOf(group: HuntGroup, known: Known): Draft {
  return {
    name: group.name,
    number: group.number,
    // A local number's identifier is the number unless it was set apart: the field stays empty then.
    identifier: group.identifier === group.number ? "" : group.identifier,
    userGroups: existing(group.user_groups, known.userGroups),
    distribution: group.distribution,
    ringS: String(group.ring_s),
    fallback: group.fallback ?? "",
    excludedActivities: existing(group.excluded_activities, known.activities),
    excludedRoles: existing(group.excluded_roles, known.roles),
    scheduleId:
      group.schedule_id !== null && (known.groupAdmin || known.schedules.has(group.schedule_id)) ? String(group.schedule_id) : "",
    phoneTypes: new Set(PHONE_TYPES.filter((type) => group.phone_types.includes(type))),
    excludeFromSearch: group.exclude_from_search === true,
    displayText: group.display_text ?? "",
    keepDerivedMetadata: group.keep_derived_metadata === true,
    blockingGroups: known.blockingGroups
      ? existing(group.blocking_groups ?? [], known.blockingGroups)
      : new Set(group.blocking_groups ?? []),
    adminGroups: known.groupAdmin ? null : existing(group.admin_groups ?? [], known.userGroups),
  };
}

/** The body of POST and PUT /api/hunt_groups/groups; a group administrator's has no blocking groups
 * and no administrators. */
export function bodyOf(draft: Draft): Record<string, unknown> {
  return {
    name: draft.name.trim(),
    number: compact(draft.number),
    identifier: compact(draft.identifier) || null,
    user_groups: sortedIds(draft.userGroups),
    distribution: draft.distribution,
    ring_s: Number(draft.ringS.trim()),
    fallback: compact(draft.fallback) || null,
    excluded_activities: sortedIds(draft.excludedActivities),
    excluded_roles: sortedIds(draft.excludedRoles),
    schedule_id: draft.scheduleId ? Number(draft.scheduleId) : null,
    phone_types: PHONE_TYPES.filter((type) => draft.phoneTypes.has(type)),
    exclude_from_search: draft.excludeFromSearch,
    display_text: draft.displayText.trim(),
    keep_derived_metadata: draft.keepDerivedMetadata,
    ...(draft.adminGroups
      ? { blocking_groups: sortedIds(draft.blockingGroups), admin_groups: sortedIds(draft.adminGroups) }
      : {}),
  };
}

const IDENTIFIER_RE = /^[0-9]{1,8}$/;
const DIALABLE_RE = /^\+?[0-9]{2,20}$/;

/** The messages next to the fields, by the API's field names; empty when the draft may be sent. */
export function draftErrors(draft: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  const number = compact(draft.number);
  const identifier = compact(draft.identifier);
  const fallback = compact(draft.fallback);
  const ring = draft.ringS.trim();
  if (!draft.name.trim()) errors["name"] = t("validation.required");
  if (!number) errors["number"] = t("validation.required");
  else if (!isEntryNumber(number)) errors["number"] = t("huntGroups.numberInvalid");
  if (identifier && !IDENTIFIER_RE.test(identifier)) errors["identifier"] = t("huntGroups.identifierInvalid");
  else if (!identifier && PUBLIC_RE.test(number)) errors["identifier"] = t("huntGroups.identifierNeeded");
  if (!draft.userGroups.size) errors["user_groups"] = t("huntGroups.userGroupsNeeded");
  if (!/^[0-9]+$/.test(ring) || Number(ring) < MIN_RING_S || Number(ring) > MAX_RING_S) {
    errors["ring_s"] = t("huntGroups.ringInvalid", { min: MIN_RING_S, max: MAX_RING_S });
  }
  if (fallback && !DIALABLE_RE.test(fallback)) errors["fallback"] = t("huntGroups.fallbackInvalid");
  else if (fallback && fallback === number) errors["fallback"] = t("huntGroups.fallbackOwn");
  if (!draft.phoneTypes.size) errors["phone_types"] = t("huntGroups.phoneTypesNeeded");
  if (draft.displayText.trim().length > DISPLAY_TEXT_MAX) {
    errors["display_text"] = t("huntGroups.displayTextTooLong", { max: DISPLAY_TEXT_MAX });
  }
  return errors;
}

export function distributionText(distribution: Distribution): string {
  return t(distribution === "sequential" ? "huntGroups.sequential" : "huntGroups.parallel");
}

/** The label of each phone type's checkbox. */
const PHONE_TYPE_LABELS: Record<PhoneType, MessageKey> = {
  desk: "huntGroups.phoneTypeDesk",
  softphone: "huntGroups.phoneTypeSoftphone",
  mobile: "huntGroups.phoneTypeMobile",
};
/** The words of a phone type within a sentence ("softphones"). */
const PHONE_TYPE_WORDS: Record<PhoneType, MessageKey> = {
  desk: "huntGroups.phoneTypeDeskInList",
  softphone: "huntGroups.phoneTypeSoftphoneInList",
  mobile: "huntGroups.phoneTypeMobileInList",
};

/** The checkbox label of a phone type ("Mobiles (over the trunk)"). */
export function phoneTypeLabel(type: PhoneType): string {
  return t(PHONE_TYPE_LABELS[type]);
}

/** "Desk phones, softphones": the phones a group rings, in the fixed order, for the list. */
export function phoneTypesText(types: readonly PhoneType[]): string {
  const text = PHONE_TYPES.filter((type) => types.includes(type))
    .map((type) => t(PHONE_TYPE_WORDS[type]))
    .join(", ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "2 members", "1 member", "No members". */
export function memberCountText(count: number): string {
  if (!count) return t("huntGroups.memberCountNone");
  return count === 1 ? t("huntGroups.memberCountOne") : t("huntGroups.memberCount", { n: count });
}

/** "Ann Tester (1001), Bo Tester (1002)": who is rung, in order. */
export function membersText(members: HuntGroupMember[]): string {
  return members.map((m) => `${m.name} (${m.number})`).join(", ");
}
