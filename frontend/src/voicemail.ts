/** The Voicemail page's shapes and texts (VM-15): a mailbox as GET /api/voicemail/messages gives it. */
import { formatClock } from "./calls";
import { formatBytes, t } from "./i18n";

/** One voice message. */
export interface VoiceMessage {
  /** A ULID (26 characters). */
  id: string;
  caller: string;
  caller_name: string;
  /** When it was left, in epoch seconds. */
  received: number;
  seconds: number;
  heard: boolean;
}

/** GET /api/voicemail/messages: a user's messages, newest first, and how full the mailbox is. */
export interface Mailbox {
  user_id: number;
  messages: VoiceMessage[];
  new: number;
  old: number;
  used_bytes: number;
  max_bytes: number;
  retention_days: number;
}

/** GIB-03: a group inbox of the person's groups as GET /api/voicemail/group-inboxes/mine lists it. */
export interface MyInbox {
  id: number;
  name: string;
  number: string;
  new: number;
  old: number;
  messages: VoiceMessage[];
}

export const MY_INBOXES = "/api/voicemail/group-inboxes/mine";

/** A list of messages with how many are new and how many listened to. */
export function withCounts(messages: VoiceMessage[]): { messages: VoiceMessage[]; new: number; old: number } {
  const fresh = messages.filter((m) => !m.heard).length;
  return { messages, new: fresh, old: messages.length - fresh };
}

/** The bus event fired when a user's messages change (new, heard, deleted, expired): ``{user_id}``. */
export const VOICEMAIL_CHANGED = "voicemail.changed";

/** Where a message's WAV is played and downloaded from (range requests, the session cookie). */
export function audioUrl(message: Pick<VoiceMessage, "id">): string {
  return `/api/voicemail/messages/${encodeURIComponent(message.id)}/audio`;
}

/** A message's length as a stopwatch (0:12, 3:05), in whole seconds as the browser's player counts
 * them; a message shorter than a second shows 0:01. */
export function formatLength(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return formatClock(0);
  return formatClock(Math.max(1, Math.floor(seconds)));
}

/** Who left a message: "Bent Tester (1002)", the number alone, or "Unknown caller". */
export function callerText(message: Pick<VoiceMessage, "caller" | "caller_name">): string {
  const name = message.caller_name.trim();
  const number = message.caller.trim();
  if (name && number && name !== number) return `${name} (${number})`;
  return name || number || t("voicemail.unknownCaller");
}

/** "2 new, 3 listened to". */
export function summaryText(fresh: number, old: number): string {
  const newText = fresh === 1 ? t("voicemail.newOne") : t("voicemail.newCount", { n: fresh });
  const oldText = old === 1 ? t("voicemail.oldOne") : t("voicemail.oldCount", { n: old });
  return `${newText}, ${oldText}`;
}

/** "1.2 MB of 50 MB used". */
export function usageText(usedBytes: number, maxBytes: number): string {
  return t("voicemail.usage", { used: formatBytes(usedBytes), max: formatBytes(maxBytes) });
}

/** How full the mailbox is, 0 to 100 (whole per cent, never more than 100). */
export function usagePercent(usedBytes: number, maxBytes: number): number {
  if (!(maxBytes > 0) || !(usedBytes > 0)) return 0;
  return Math.min(100, Math.round((usedBytes / maxBytes) * 100));
}

/** A full mailbox refuses new messages (the server's rule: used ≥ max). */
export function isFull(mailbox: Pick<Mailbox, "used_bytes" | "max_bytes">): boolean {
  return mailbox.max_bytes > 0 && mailbox.used_bytes >= mailbox.max_bytes;
}

/** "Listened-to messages are deleted after 30 days." */
export function retentionText(days: number): string {
  return days === 1 ? t("voicemail.retentionOne") : t("voicemail.retention", { days });
}

/** The name a downloaded message is saved under: voicemail-1002-2026-12-01-1403.wav (local time). */
export function downloadName(message: Pick<VoiceMessage, "caller" | "received">): string {
  const when = new Date(message.received * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = Number.isFinite(when.getTime())
    ? `${when.getFullYear()}-${two(when.getMonth() + 1)}-${two(when.getDate())}-${two(when.getHours())}${two(when.getMinutes())}`
    : "";
  const caller = message.caller.replace(/[^0-9A-Za-z+*#]+/g, "").replace(/[*#]/g, "_");
  return `${["voicemail", caller, stamp].filter(Boolean).join("-")}.wav`;
}

/** Whether a ``voicemail.changed`` event concerns the mailbox shown (any, while none is loaded yet). */
export function concernsMailbox(data: Record<string, unknown> | undefined, shownUserId: number | null): boolean {
  if (shownUserId === null) return true;
  const userId = data?.["user_id"];
  return userId !== undefined && userId !== null && String(userId) === String(shownUserId);
}

/** Whether a ``voicemail.changed`` event (``{user_id: 0, inbox_id}``) concerns one of the group inboxes shown. */
export function concernsInbox(data: Record<string, unknown> | undefined, inboxIds: readonly number[]): boolean {
  const inboxId = data?.["inbox_id"];
  return inboxId !== undefined && inboxId !== null && inboxIds.some((id) => String(id) === String(inboxId));
}

/** The scoped plugin setting that says whether a new message is e-mailed to its owner (VM-07). */
export const EMAIL_SETTING = "voicemail.email";

/** No e-mail, an e-mail, or an e-mail with the recording attached. */
export type EmailChoice = "no" | "yes" | "attach";

export const EMAIL_CHOICES: readonly EmailChoice[] = ["no", "yes", "attach"];

export function isEmailChoice(value: unknown): value is EmailChoice {
  return typeof value === "string" && (EMAIL_CHOICES as readonly string[]).includes(value);
}

/** "No", "Yes", "Yes, with the recording attached" (an unknown value as it is). */
export function emailChoiceText(value: unknown): string {
  if (isEmailChoice(value)) return t(`voicemail.email.${value}`);
  return value === null || value === undefined ? "" : String(value);
}

/** Whether voicemail answers the calls the user's rules send there (VM-11). */
export const ACTIVE_SETTING = "voicemail.active";

/** Whether callers may leave a message after the greeting (VM-12). */
export const TAKE_MESSAGES_SETTING = "voicemail.take_messages";

/** Whether callers hear "press 2" and may leave the mailbox for the next call rule (VM-05). */
export const BYPASS_SETTING = "voicemail.bypass_key";

/** Whether the greeting says the person's activity and until when (VM-02, VM-03). */
export const ACTIVITY_INFO_SETTING = "voicemail.activity_info";

/** Whether the person gets an SMS on their mobile about each new message (VM-06). */
export const SMS_NOTICE_SETTING = "voicemail.sms_notice";
/** VM-04: where "for personal assistance press 1" puts the caller through (the person's own
 * number, or what their group or the organisation set; none: not offered). */
export const ASSISTANCE_SETTING = "voicemail.assistance_number";

/** The e-mail choices as value → label pairs, for <cb-my-setting>. */
export function emailChoices(): Array<[EmailChoice, string]> {
  return EMAIL_CHOICES.map((c): [EmailChoice, string] => [c, emailChoiceText(c)]);
}

/** On or off, as value → label pairs (``on`` and ``off`` name them). */
export function onOffChoices(on: string, off: string): Array<[boolean, string]> {
  return [
    [true, on],
    [false, off],
  ];
}

/** The two personal greetings (VM-10): when the user does not answer, and when they are on the phone. */
export type GreetingKind = "unavailable" | "busy";

export const GREETING_KINDS: readonly GreetingKind[] = ["unavailable", "busy"];

/** GET /api/voicemail/greetings (and the answer of an upload). */
export interface Greetings {
  user_id: number;
  /** The organisation lets users have personal greetings. */
  allowed: boolean;
  /** The organisation's greeting for mailboxes without a personal one (a prompt id), or null. */
  default_prompt: string | null;
  greetings: Record<GreetingKind, { personal: boolean; seconds: number | null }>;
}

/** Where a greeting is uploaded (PUT) and deleted (DELETE). */
export function greetingUrl(kind: GreetingKind): string {
  return `/api/voicemail/greetings/${kind}`;
}

/** Where a personal greeting's WAV is played from (the session cookie); ``version`` changes with
 * every upload so that the player does not keep the previous recording. */
export function greetingAudioUrl(kind: GreetingKind, version = 0): string {
  return `${greetingUrl(kind)}/audio${version ? `?v=${version}` : ""}`;
}

/** What callers hear: "Your own greeting (0:04)", or the standard (or the organisation's) greeting. */
export function greetingText(greetings: Pick<Greetings, "default_prompt" | "greetings">, kind: GreetingKind): string {
  const greeting = greetings.greetings[kind];
  if (greeting.personal) return t("voicemail.greetingOwn", { length: formatLength(greeting.seconds ?? 0) });
  return greetings.default_prompt ? t("voicemail.greetingOrg") : t("voicemail.greetingStandard");
}

/** How to record the greetings by phone, with the digits of the voicemail code ("*50*"). */
export function greetingByPhoneText(dial: string): string {
  return t("voicemail.greetingByPhone", { code: dial });
}
