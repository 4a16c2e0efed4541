/**
 * SCH-07: the "Opening hours" select of a function number's form (hunt groups, IVR menus): "always
 * open" first, then the schedules of the Schedules page by name. Only administrators list the
 * schedules (ROLE-04): a group administrator's form shows no such select.
 */
import type { TemplateResult } from "lit";
import { selectField } from "./forms";
import type { Schedule } from "./schedules";

export interface ScheduleFieldOptions {
  id: string;
  label: string;
  /** The choice of no schedule (the API's null). */
  alwaysOpen: string;
  hint: string;
  /** The schedule's id as the draft holds it; "" for none. */
  value: string;
  schedules: ReadonlyArray<Pick<Schedule, "id" | "name">>;
  error?: string | null | undefined;
  onInput: (value: string) => void;
}

export function scheduleField(o: ScheduleFieldOptions): TemplateResult {
  return selectField({
    id: o.id,
    label: o.label,
    value: o.value,
    options: [["", o.alwaysOpen], ...o.schedules.map((s): [string, string] => [String(s.id), s.name])],
    error: o.error,
    hint: o.hint,
    onInput: o.onInput,
  });
}
