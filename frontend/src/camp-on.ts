/**
 * Camp-on notifications (PQ-07): a call a receptionist camped on a busy colleague still waits. The
 * appliance sends the event personal_queue.camped_waiting to the receptionist who camped it, later
 * to the whole reception; the app shows it to the people it names.
 */
import { t } from "./i18n";

export const CAMPED_WAITING_EVENT = "personal_queue.camped_waiting";

export interface CampedWaiting {
  user_ids: number[];
  caller: string;
  caller_name: string;
  number: string;
  name: string;
  waited_s: number;
  to: "camper" | "reception";
}

/** Whether the notification is for this user (admins get every event, but only the named see it). */
export function campedWaitingFor(data: CampedWaiting, userId: number): boolean {
  return Array.isArray(data.user_ids) && data.user_ids.includes(userId);
}

function party(name: string, number: string): string {
  return name ? `${name} (${number})` : number;
}

/** "Ann Tester (1001) has waited 30 s for Bo Tester (1002)". */
export function campedWaitingText(data: CampedWaiting): string {
  return t("campOn.waiting", {
    caller: party(data.caller_name, data.caller),
    user: party(data.name, data.number),
    seconds: data.waited_s,
  });
}
