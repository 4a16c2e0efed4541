/**
 * Schedules in the UI (SCH-01..09): the API's shapes, the week view's bars, and client-side checks
 * that name the same fields as the server ("week.mon.0.to", "events.2.target") for fast feedback.
 */
import { html, type TemplateResult } from "lit";
import { t, type MessageKey } from "./i18n";

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Day = (typeof DAYS)[number];
export const ACTIONS = ["open", "closed", "forward"] as const;
export type ScheduleAction = (typeof ACTIONS)[number];

export interface TimeWindow {
  from: string;
  to: string;
}
export interface ExtraWindow extends TimeWindow {
  date: string;
}
export type Week = Record<Day, TimeWindow[]>;

/** What one level (org, group, user) defines; null parts are inherited from the level above. */
export interface HoursLevel {
  week: Week | null;
  exceptions: string[] | null;
  extra: ExtraWindow[] | null;
}

export interface HoursStatus {
  user_id: number;
  at: string;
  zone: string;
  in_working_hours: boolean;
  night_mode: boolean;
  night_mode_off: boolean;
  next_change: string | null;
  may_extend: boolean;
  sources: Record<string, string>;
  effective: HoursLevel;
}

export interface ScheduleEvent {
  name: string;
  repeat: "weekly" | "once";
  from: string;
  to: string;
  weekdays: Day[];
  start_date: string | null;
  end_date: string | null;
  prompt: string | null;
  action: ScheduleAction;
  target: string | null;
}

export interface DefaultEvent {
  action: ScheduleAction;
  target: string | null;
  prompt: string | null;
}

export interface Schedule {
  id: number;
  owner: string;
  name: string;
  events: ScheduleEvent[];
  default: DefaultEvent;
  updated: number;
}

export interface Decision {
  schedule_id: number;
  at: string;
  zone: string;
  index: number | null;
  event: ScheduleEvent & { repeat: string };
  action: ScheduleAction;
  target: string | null;
  next_change: string | null;
}

export type Errors = Record<string, string | null | undefined>;

const TIME_RE = /^([01][0-9]|2[0-4]):([0-5][0-9])$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DIALLABLE_RE = /^\+?[0-9*#]{2,20}$/;

export const DAY_KEYS: Record<Day, MessageKey> = {
  mon: "sched.day.mon",
  tue: "sched.day.tue",
  wed: "sched.day.wed",
  thu: "sched.day.thu",
  fri: "sched.day.fri",
  sat: "sched.day.sat",
  sun: "sched.day.sun",
};

/** Minutes after midnight of "HH:MM" (00:00..24:00), or null. */
export function minutes(text: string): number | null {
  const match = TIME_RE.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]) * 60 + Number(match[2]);
  return value <= 1440 ? value : null;
}

export function emptyWeek(): Week {
  return { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
}

/** Where a window sits on a 24-hour bar, in percent. */
export function barGeometry(window: TimeWindow): { left: number; width: number } | null {
  const start = minutes(window.from);
  const end = minutes(window.to);
  if (start === null || end === null || end <= start) return null;
  return { left: (start / 1440) * 100, width: ((end - start) / 1440) * 100 };
}

export function isDate(text: string): boolean {
  if (!DATE_RE.test(text)) return false;
  const [y, m, d] = text.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** A From/To pair: both empty is fine when ``optional`` (not working that day). */
export function checkWindow(window: TimeWindow, path: string, optional: boolean): Errors {
  const errors: Errors = {};
  const from = window.from.trim();
  const to = window.to.trim();
  if (!from && !to) {
    if (!optional) errors[`${path}.from`] = t("validation.required");
    return errors;
  }
  const start = minutes(from);
  const end = minutes(to);
  if (start === null) errors[`${path}.from`] = t("sched.err.time");
  if (end === null) errors[`${path}.to`] = t("sched.err.time");
  if (start !== null && end !== null && end <= start) errors[`${path}.to`] = t("sched.err.endsBeforeStart");
  return errors;
}

/** The week's windows as the server checks them: each valid, none overlapping on a day. */
export function checkWeek(week: Week): Errors {
  let errors: Errors = {};
  for (const day of DAYS) {
    const windows = week[day];
    windows.forEach((w, i) => (errors = { ...errors, ...checkWindow(w, `week.${day}.${i}`, i === 0 && windows.length === 1) }));
    const ordered = windows
      .map((w, i) => ({ i, start: minutes(w.from), end: minutes(w.to) }))
      .filter((w) => w.start !== null && w.end !== null && w.end > w.start)
      .sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
    for (let k = 1; k < ordered.length; k++) {
      const a = ordered[k - 1]!;
      const b = ordered[k]!;
      if ((b.start ?? 0) < (a.end ?? 0)) errors[`week.${day}.${b.i}`] = t("sched.err.overlap");
    }
  }
  return errors;
}

export function checkExtra(extra: ExtraWindow[]): Errors {
  let errors: Errors = {};
  extra.forEach((x, i) => {
    if (!isDate(x.date)) errors[`extra.${i}.date`] = t("sched.err.date");
    errors = { ...errors, ...checkWindow(x, `extra.${i}`, false) };
  });
  return errors;
}

/** One event's fields, named like the server's errors ("events.0.to"). */
export function checkEvent(event: ScheduleEvent, path: string): Errors {
  const errors: Errors = {};
  if (!event.name.trim()) errors[`${path}.name`] = t("validation.required");
  const start = minutes(event.from);
  const end = minutes(event.to);
  if (start === null) errors[`${path}.from`] = t("sched.err.time");
  if (end === null) errors[`${path}.to`] = t("sched.err.time");
  if (event.start_date && !isDate(event.start_date)) errors[`${path}.start_date`] = t("sched.err.date");
  if (event.end_date && !isDate(event.end_date)) errors[`${path}.end_date`] = t("sched.err.date");
  if (event.start_date && event.end_date && isDate(event.start_date) && isDate(event.end_date) && event.end_date < event.start_date)
    errors[`${path}.end_date`] = t("sched.err.endDate");
  if (event.repeat === "weekly") {
    if (!event.weekdays.length) errors[`${path}.weekdays`] = t("sched.err.weekdays");
    if (start !== null && end !== null && end <= start) errors[`${path}.to`] = t("sched.err.endsBeforeStart");
  } else {
    if (!event.start_date) errors[`${path}.start_date`] = t("sched.err.onceDate");
    const last = event.end_date || event.start_date;
    if (event.start_date && last && start !== null && end !== null && `${last} ${String(end).padStart(4, "0")}` <= `${event.start_date} ${String(start).padStart(4, "0")}`)
      errors[`${path}.to`] = t("sched.err.endsBeforeStart");
  }
  Object.assign(errors, checkAction(event, path));
  return errors;
}

export function checkAction(event: { action: ScheduleAction; target: string | null }, path: string): Errors {
  if (event.action !== "forward") return {};
  const target = (event.target ?? "").replace(/ /g, "");
  return DIALLABLE_RE.test(target) ? {} : { [`${path}.target`]: t("sched.err.target") };
}

export function hasErrors(errors: Errors): boolean {
  return Object.values(errors).some(Boolean);
}

export function newEvent(): ScheduleEvent {
  return {
    name: "",
    repeat: "weekly",
    from: "08:00",
    to: "15:30",
    weekdays: ["mon", "tue", "wed", "thu", "fri"],
    start_date: null,
    end_date: null,
    prompt: null,
    action: "open",
    target: null,
  };
}

/** Move item ``index`` one place up (-1) or down (+1); the list is checked from the top (SCH-07). */
export function moved<T>(items: T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  if (to < 0 || to >= items.length) return items;
  const copy = [...items];
  [copy[index], copy[to]] = [copy[to]!, copy[index]!];
  return copy;
}

/** One weekday's bar track: the day's windows drawn on 0-24 h. */
export function dayBar(day: Day, windows: TimeWindow[], muted = false): TemplateResult {
  const label = windows.length ? windows.map((w) => `${w.from}–${w.to}`).join(", ") : t("sched.notWorking");
  return html`<div class="sched-track ${muted ? "muted" : ""}" role="img" aria-label=${`${t(DAY_KEYS[day])}: ${label}`} data-testid="bar-${day}">
    ${windows.map((w) => {
      const g = barGeometry(w);
      return g ? html`<span class="sched-bar" style="left:${g.left}%;width:${g.width}%">${w.from}–${w.to}</span>` : "";
    })}
  </div>`;
}

/** The 7-row week view, read-only (the portal, inherited levels). */
export function weekView(week: Week | null, testId = "week-view"): TemplateResult {
  const shown = week ?? emptyWeek();
  return html`<div class="sched-week" data-testid=${testId}>
    ${DAYS.map((day) => html`<div class="sched-row"><span class="sched-day">${t(DAY_KEYS[day])}</span>${dayBar(day, shown[day])}</div>`)}
  </div>`;
}

export function actionLabel(action: ScheduleAction, target: string | null): string {
  if (action === "forward") return t("sched.action.forwardTo", { target: target ?? "" });
  return t(action === "open" ? "sched.action.open" : "sched.action.closed");
}
