/** Presence (PRS): the API's shapes and small helpers shared by the user's control and the admin pages. */
import { language, t, type MessageKey } from "./i18n";

export type Availability = "available" | "busy";
export type CallState = "idle" | "ringing" | "in_call";
export const AVAILABILITIES: Availability[] = ["available", "busy"];
export const CALL_STATES: CallState[] = ["idle", "ringing", "in_call"];

export interface Labelled {
  id: number;
  name: string;
  labels: Record<string, string>;
}

export interface Activity extends Labelled {
  show_as: Availability;
  message: string | null;
}

export type Role = Labelled;

export interface Shortcut {
  id: number;
  owner_user_id: number | null;
  scope: "org" | "user";
  name: string;
  activity_id: number | null;
  availability: Availability | null;
  duration_minutes: number | null;
  icon: string;
  diversion: string | null;
}

/** PRS-06: an activity planned from ``start`` to ``end`` (epoch seconds), not started yet. */
export interface Plan {
  id: number;
  user_id: number;
  activity_id: number;
  start: number;
  end: number;
  availability: Availability | null;
  diversion: string | null;
  created_by: number | null;
}

export interface Presence {
  user_id: number;
  availability: Availability;
  activity_id: number | null;
  role_id: number | null;
  dnd: boolean;
  diversion: string | null;
  until: number | null;
  shortcut_id: number | null;
  call_state: CallState;
  activity: Activity | null;
  role: Role | null;
  extension: string | null;
  username?: string;
  name?: string;
}

/** An activity's or role's name in the UI language, else its name. */
export function labelOf(item: Labelled | null | undefined): string {
  if (!item) return "";
  return item.labels[language()] || item.name;
}

export function availabilityText(value: Availability): string {
  return t(`presence.availability.${value}` as MessageKey);
}

export function callStateText(value: CallState): string {
  return t(`presence.callState.${value}` as MessageKey);
}

/** An end time (epoch seconds) as the UI language shows a date and time. */
export function formatUntil(until: number): string {
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(until * 1000));
}

/** A datetime-local input's value ("2026-12-01T17:00", local time) as ISO 8601 with the zone; "" gives null. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const moment = new Date(value);
  return Number.isNaN(moment.getTime()) ? null : moment.toISOString();
}

/** Epoch seconds as a datetime-local input's value in local time. */
export function isoToLocal(until: number | null): string {
  if (until === null) return "";
  const d = new Date(until * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A number calls can be diverted to: 2 to 20 digits, optionally starting with + (the API's rule). */
export function checkDiversion(value: string): string | null {
  const text = value.replace(/[ ()/.-]/g, "");
  if (!text) return null;
  return /^\+?[0-9]{2,20}$/.test(text) ? null : t("presence.diversionInvalid");
}

/** What a shortcut does, in one line: "Lunch · Busy · 30 min · → 1002". */
export function shortcutSummary(shortcut: Shortcut, activities: Activity[]): string {
  const activity = activities.find((a) => a.id === shortcut.activity_id);
  const parts: string[] = [];
  if (activity) parts.push(labelOf(activity));
  const availability = shortcut.availability ?? activity?.show_as;
  if (availability) parts.push(availabilityText(availability));
  parts.push(shortcut.duration_minutes ? t("presence.minutes", { n: shortcut.duration_minutes }) : t("presence.noEnd"));
  if (shortcut.diversion) parts.push(`→ ${shortcut.diversion}`);
  return parts.join(" · ");
}
