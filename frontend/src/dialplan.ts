/**
 * The dial plan (CNV-01..08, BAR-01/02/05/06, EMR-01/02, BYD-15): the API's shapes and the pure
 * helpers of the Dial plan page — a conversion rule as a sentence ("1XXX becomes +451XXX"),
 * intervals and prefixes as typed or uploaded, the server's field errors for the intervals field,
 * and the refusal reasons of the number test in the UI language.
 */
import { t, type MessageKey } from "./i18n";

export interface ConversionRule {
  id: number;
  prefix: string;
  /** How many digits follow the prefix; null: any number (at least one). */
  digits: number | null;
  intervals: Array<[string, string]>;
  rewrite: string;
  label: string;
}

export interface NumberType {
  id: number;
  name: string;
  prefixes: string[];
  barred: boolean;
  released: boolean;
}

export interface DialPlan {
  conversions: ConversionRule[];
  number_types: NumberType[];
  special_numbers: string[];
}

export interface Decision {
  dialled: string;
  number: string;
  allowed: boolean;
  status: number;
  reason: string;
  emergency: boolean;
  number_type: string | null;
  rule: ConversionRule | null;
  international: boolean;
}

export const INTERNATIONAL = "core.international_calls";
export const EMERGENCY = "core.emergency_numbers";
export const MAX_EXTERNAL = "core.max_external_calls";
export const DAILY_EXTERNAL = "core.daily_external_calls";

/** The digits after the prefix as placeholders: "XXX" for 3, "…" for any number. */
function tail(digits: number | null): string {
  return digits === null ? "…" : "X".repeat(digits);
}

/** An interval for people: "07–15" (one number: "07"). */
export function intervalText([low, high]: [string, string]): string {
  return low === high ? low : `${low}–${high}`;
}

/** CNV-02: "1XXX becomes +451XXX", with the intervals when there are some. */
export function ruleSentence(rule: Pick<ConversionRule, "prefix" | "digits" | "intervals" | "rewrite">): string {
  const xs = tail(rule.digits);
  const from = `${rule.prefix}${xs}`;
  const to = `${rule.rewrite}${xs}`;
  if (!rule.intervals.length) return t("dialplan.sentence", { from, to });
  return t("dialplan.sentenceIn", { from, to, xs, intervals: rule.intervals.map(intervalText).join(", ") });
}

/** The intervals field's text: "07-15, 17-29". */
export function formatIntervals(intervals: Array<[string, string]>): string {
  return intervals.map(([low, high]) => (low === high ? low : `${low}-${high}`)).join(", ");
}

/** "07-15, 17-29" (commas, semicolons or spaces; en dashes too) as the API takes it: ["07-15", "17-29"]. */
export function parseIntervals(text: string): string[] {
  return text
    .replace(/[–—]/g, "-")
    .replace(/\s*-\s*/g, "-")
    .split(/[\s,;]+/)
    .filter(Boolean);
}

/**
 * The errors the API gave for a list field (``intervals``, ``intervals.1``, ``prefixes.3``) as one
 * text for the field that holds the list, each item's error after the item as it was sent.
 */
export function listError(fields: Record<string, string>, field: string, sent: string[]): string {
  const parts: string[] = [];
  for (const [key, message] of Object.entries(fields)) {
    const match = new RegExp(`^${field}(?:\\.(\\d+))?$`).exec(key);
    if (!match) continue;
    const index = match[1] === undefined ? -1 : Number(match[1]);
    const which = sent[index];
    parts.push(which === undefined ? message : `${which}: ${message}`);
  }
  return parts.join("; ");
}

/** A prefix as the API keeps it: without spaces or quotes ("+45 90" is "+4590"). */
function cleanPrefix(text: string): string {
  return text.replace(/["'\s]/g, "");
}

/** The prefixes typed in the textarea: one per line, or separated by commas or semicolons. */
export function parsePrefixes(text: string): string[] {
  return unique(text.split(/[\n\r,;]+/).map(cleanPrefix).filter(Boolean));
}

/**
 * BAR-02: the prefixes of an uploaded text or CSV file, one per line (of a CSV line its first
 * cell). Lines that are no prefix (a header such as "prefix", a note) are skipped and counted.
 */
export function prefixesFromFile(text: string): { prefixes: string[]; skipped: number } {
  const prefixes: string[] = [];
  let skipped = 0;
  for (const line of text.replace(/^\uFEFF/, "").split(/\r?\n|\r/)) {
    const cell = cleanPrefix(line.split(/[,;\t]/)[0] ?? "");
    if (!cell) continue;
    if (/^\+?[0-9]{1,15}$/.test(cell)) prefixes.push(cell);
    else skipped += 1;
  }
  return { prefixes: unique(prefixes), skipped };
}

/** BAR-02: a type's prefixes after an upload, added to the ones it has or replacing them. */
export function mergePrefixes(current: string[], uploaded: string[], mode: "add" | "replace"): string[] {
  return unique(mode === "add" ? [...current, ...uploaded] : uploaded);
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/** Why the test refused a number, in the UI language (the server's words when unknown). */
export function reasonText(reason: string): string {
  const barred = /^Forbidden - (.+) Numbers Are Barred$/.exec(reason);
  if (barred) return t("dialplan.reason.barred", { type: barred[1] ?? "" });
  const known: Record<string, MessageKey> = {
    "Forbidden - International Calls Are Barred": "dialplan.reason.international",
    "Forbidden - International Calls Need The Release PIN": "dialplan.reason.pin",
    "Service Unavailable - Too Many External Calls": "dialplan.reason.tooMany",
    "Forbidden - Daily Limit Of External Calls Reached": "dialplan.reason.daily",
  };
  const key = known[reason];
  return key ? t(key) : reason;
}
