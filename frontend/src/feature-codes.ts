/**
 * Feature codes (FC-15..17): the API's shapes and the pure helpers of the Feature codes page: what a
 * code is called and does in the UI's language, what a person dials with the fields in capitals
 * translated ("*21*NUMBER*", "*21*NUMMER*"), and the check of the digits an administrator types.
 */
import { t, type MessageKey } from "./i18n";

/** One code as GET /api/feature-codes lists it. */
export interface FeatureCode {
  /** Stable id ("forward_all"); the digits are stored under it. */
  key: string;
  /** The catalogue's row ("FC-09"). */
  feature: string;
  /** The server's English name and description (used for codes this UI has no words for). */
  label: string;
  description: string;
  /** The digits it answers to now ("21"), and until an administrator changed them. */
  code: string;
  default: string;
  /** "core" or the domain of the plugin that registered it. */
  source: string;
  /** What a person dials to turn it on or use it, and to turn it off; null: no such form. */
  forms: { on: string | null; off: string | null };
  on_fields: string[] | null;
  off_fields: string[] | null;
}

export interface FeatureCodeList {
  codes: FeatureCode[];
}

/** The codes this UI has words for; others (a plugin's, a later version's) show the server's. */
export const KNOWN_CODES = [
  "group_login",
  "pickup_group",
  "pickup_directed",
  "present_number",
  "forward_all",
  "activity",
  "role",
  "night_mode",
  "intrude",
  "bypass_diversion",
  "fetch_call",
  "voicemail",
  "voicemail_listen",
  "voicemail_listen_other",
] as const;
export type KnownCode = (typeof KNOWN_CODES)[number];

/** The fields a form may hold that this UI has words for (what is typed in place of "NUMBER"). */
export const KNOWN_FIELDS = ["number", "extension", "activity", "role", "group"] as const;
export type KnownField = (typeof KNOWN_FIELDS)[number];

export const MAX_DIGITS = 6;

export function isKnownCode(key: string): key is KnownCode {
  return (KNOWN_CODES as readonly string[]).includes(key);
}

export function isKnownField(field: string): field is KnownField {
  return (KNOWN_FIELDS as readonly string[]).includes(field);
}

/** The code's name as a person reads it ("Forward all calls"). */
export function codeLabel(code: Pick<FeatureCode, "key" | "label">): string {
  return isKnownCode(code.key) ? t(`featureCodes.code.${code.key}.label` as MessageKey) : code.label || code.key;
}

/** What the code does, in a sentence. */
export function codeText(code: Pick<FeatureCode, "key" | "description">): string {
  return isKnownCode(code.key) ? t(`featureCodes.code.${code.key}.text` as MessageKey) : code.description;
}

/** A field's placeholder in the UI's language ("NUMBER", "NUMMER"); an unknown one as it is. */
export function fieldName(field: string): string {
  const name = field.toLowerCase();
  return isKnownField(name) ? t(`featureCodes.field.${name}` as MessageKey) : field.toUpperCase();
}

/** What to type in place of the field ("a phone number, as you would dial it"), if known. */
export function fieldText(field: string): string | null {
  const name = field.toLowerCase();
  return isKnownField(name) ? t(`featureCodes.field.${name}.text` as MessageKey) : null;
}

/** A part of what is dialled: digits and separators as they are, or a field to fill in. */
export type FormPart = { kind: "text"; text: string } | { kind: "field"; field: string; text: string };

/** "*21*NUMBER*" as its parts: "*21*", the field "number" (shown as its placeholder), "*". */
export function formParts(form: string): FormPart[] {
  const parts: FormPart[] = [];
  for (const token of form.split(/([*#])/)) {
    if (!token) continue;
    if (/^[0-9*#+]+$/.test(token)) {
      const last = parts[parts.length - 1];
      if (last?.kind === "text") last.text += token;
      else parts.push({ kind: "text", text: token });
    } else {
      parts.push({ kind: "field", field: token.toLowerCase(), text: fieldName(token) });
    }
  }
  return parts;
}

/** What is dialled as one text, the fields translated ("*21*NUMMER*"). */
export function formText(form: string): string {
  return formParts(form)
    .map((part) => part.text)
    .join("");
}

/** The fields the code's forms hold, each once, in the order they first appear. */
export function fieldsOf(codes: readonly Pick<FeatureCode, "on_fields" | "off_fields">[]): string[] {
  const seen: string[] = [];
  for (const code of codes) {
    for (const field of [...(code.on_fields ?? []), ...(code.off_fields ?? [])]) {
      const name = field.toLowerCase();
      if (!seen.includes(name)) seen.push(name);
    }
  }
  return seen;
}

/** The digits as the API takes them: spaces and a leading or trailing * or # (typed as dialled) off. */
export function normalDigits(value: string): string {
  return value.trim().replace(/^[*#]+/, "").replace(/[*#]+$/, "");
}

/** Why the typed digits cannot be a code, or null when they can (1 to 6 digits). */
export function digitsError(value: string): string | null {
  const digits = normalDigits(value);
  if (!digits) return t("featureCodes.digitsRequired");
  if (!/^[0-9]+$/.test(digits) || digits.length > MAX_DIGITS) return t("featureCodes.digitsInvalid", { max: MAX_DIGITS });
  return null;
}

/** The list with ``saved`` in place of the code with its key (the order kept). */
export function withCode(codes: readonly FeatureCode[], saved: FeatureCode): FeatureCode[] {
  return codes.map((code) => (code.key === saved.key ? saved : code));
}
