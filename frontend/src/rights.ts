/**
 * Service rights (ROLE-09): the API's shapes and the pure helpers of the Service rights page: what a
 * service is called and allows, a grant as a sentence a person reads ("Members of Reception may see
 * the status of the users in group Sales"), and the grant lists the page sends.
 */
import { t, type MessageKey } from "./i18n";
import type { Group, Scope, User } from "./types";

/** Members of group ``group_id`` (null: every user) may use the service against the users of the
 * scope: everyone (``org``), the members of group ``scope_id`` or the user ``scope_id``. */
export interface Grant {
  group_id: number | null;
  scope: Scope;
  scope_id: number | null;
}

export interface ServiceRights {
  service: string;
  /** The catalogue's feature (PRS-11...). */
  feature: string;
  grants: Grant[];
}

/** The services this UI has words for; others (added by a later version) get generic ones. */
export const KNOWN_SERVICES = [
  "see_status",
  "view_future_presence",
  "edit_future_presence",
  "edit_directory",
  "pickup",
  "retrieve_parked",
  "intrude",
  "bypass_diversion",
  "camp_on",
] as const;
export type KnownService = (typeof KNOWN_SERVICES)[number];

/** The groups and users a grant may name. */
export interface Names {
  groups: readonly Pick<Group, "id" | "name">[];
  users: readonly Pick<User, "id" | "username" | "first_name" | "last_name">[];
}

export function isKnownService(service: string): service is KnownService {
  return (KNOWN_SERVICES as readonly string[]).includes(service);
}

/** Whether the service is about lists of contacts (the organisation's or a group's) rather than
 * about users: then a grant cannot name one user. */
export function isListService(service: string): boolean {
  return service === "edit_directory";
}

/** The levels a grant of the service may cover. */
export function scopesOf(service: string): Scope[] {
  return isListService(service) ? ["org", "group"] : ["org", "group", "user"];
}

/** The service's name as a person reads it ("See colleagues' status"). */
export function serviceTitle(service: string): string {
  return isKnownService(service) ? t(`rights.service.${service}.title` as MessageKey) : service;
}

/** What the service allows, in a sentence or two. */
export function serviceText(service: string): string {
  return isKnownService(service) ? t(`rights.service.${service}.text` as MessageKey) : t("rights.service.other.text");
}

export function groupName(id: number | null, names: Names): string {
  const group = names.groups.find((g) => g.id === id);
  return group ? group.name : t("rights.unknownGroup", { id: String(id ?? "") });
}

export function userName(id: number | null, names: Names): string {
  const user = names.users.find((u) => u.id === id);
  if (!user) return t("rights.unknownUser", { id: String(id ?? "") });
  return `${user.first_name} ${user.last_name}`.trim() || user.username;
}

/** Over whom a grant applies ("everyone", "the users in group Sales", "Anna Berg"), or for the
 * directory which list ("the organisation's contacts", "the contacts of group Sales"). */
export function whomText(service: string, grant: Grant, names: Names): string {
  if (grant.scope === "user") return userName(grant.scope_id, names);
  const list = isListService(service) ? "list" : "whom";
  if (grant.scope === "org") return t(`rights.${list}.org` as MessageKey);
  return t(`rights.${list}.group` as MessageKey, { group: groupName(grant.scope_id, names) });
}

/** A grant as a sentence: "Members of Reception may see the status of the users in group Sales",
 * "Every user may see the status of everyone". */
export function grantSentence(service: string, grant: Grant, names: Names): string {
  const who = grant.group_id === null ? "all" : "group";
  const key = `rights.sentence.${isKnownService(service) ? service : "other"}.${who}` as MessageKey;
  return t(key, {
    group: grant.group_id === null ? "" : groupName(grant.group_id, names),
    whom: whomText(service, grant, names),
    service,
  });
}

/** The grant as the API keeps it: no ``scope_id`` for the organisation. */
export function normalGrant(grant: Grant): Grant {
  return { group_id: grant.group_id, scope: grant.scope, scope_id: grant.scope === "org" ? null : grant.scope_id };
}

export function sameGrant(a: Grant, b: Grant): boolean {
  const x = normalGrant(a);
  const y = normalGrant(b);
  return x.group_id === y.group_id && x.scope === y.scope && x.scope_id === y.scope_id;
}

/** The list with ``grant`` added at its end, or null when it holds that grant already. */
export function withGrant(grants: readonly Grant[], grant: Grant): Grant[] | null {
  if (grants.some((g) => sameGrant(g, grant))) return null;
  return [...grants.map(normalGrant), normalGrant(grant)];
}

/** The list without the grant at ``index``. */
export function withoutGrant(grants: readonly Grant[], index: number): Grant[] {
  return grants.filter((_, i) => i !== index).map(normalGrant);
}

/** The server's error for the grant at ``index`` ("grants.1.scope_id": ...), if any, in one text. */
export function grantError(fields: Record<string, string | null | undefined>, index: number): string {
  const prefix = `grants.${index}`;
  return Object.entries(fields)
    .filter(([key, message]) => message && (key === prefix || key.startsWith(`${prefix}.`)))
    .map(([, message]) => message)
    .join(" ");
}
