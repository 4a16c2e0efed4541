/**
 * Pure helpers shared by the draft modules of the admin list+form pages (hunt-groups.ts, ivr.ts,
 * group-inboxes.ts): numbers as typed, ids that still exist, the number an entry may have.
 */

/** The numbers as typed with spaces dropped ("+45 8940 1500" is "+4589401500"). */
export function compact(value: string): string {
  return value.replace(/\s+/g, "");
}

/** Ids that still exist: a user group, activity, role or schedule deleted since is left out, so
 * that saving the form unchanged does not fail on it. */
export function existing(ids: number[], known: ReadonlySet<number>): Set<number> {
  return new Set(ids.filter((id) => known.has(id)));
}

/** The ids of a set in ascending order, as the API takes them. */
export function sortedIds(ids: ReadonlySet<number>): number[] {
  return [...ids].sort((a, b) => a - b);
}

const LOCAL_RE = /^[0-9]{2,8}$/;
export const PUBLIC_RE = /^\+[1-9][0-9]{6,14}$/;

/** A number an entry may have (compacted): a local one (2-8 digits) or a public one (E.164). */
export function isEntryNumber(number: string): boolean {
  return LOCAL_RE.test(number) || PUBLIC_RE.test(number);
}
