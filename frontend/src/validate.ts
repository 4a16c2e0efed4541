/** Client-side checks that mirror the server's validators, for fast feedback; the server decides. */
import { t } from "./i18n";
import type { SchemaField } from "./types";

export type Check = (value: string) => string | null;

export const USERNAME_RE = /^[a-z][a-z0-9._-]{0,63}$/;
export const EXTENSION_RE = /^[0-9]{2,8}$/;
const EMAIL_RE = /^[^@\s]+@[^@\s]+$/;
const PIN_RE = /^[0-9]{4,12}$/;
const PHONE_RE = /^\+?[0-9 ()/.-]{3,32}$/;
/** A number to transfer a call to (POST /api/calls/{id}/transfer): what a phone could dial. */
export const TRANSFER_TARGET_RE = /^[0-9*#+]{1,32}$/;

export const checks = {
  required: (v: string) => (v.trim() ? null : t("validation.required")),
  username: (v: string) => (USERNAME_RE.test(v.trim().toLowerCase()) ? null : t("validation.username")),
  email: (v: string) => (EMAIL_RE.test(v.trim()) && v.trim().length <= 254 ? null : t("validation.email")),
  extension: (v: string) => (EXTENSION_RE.test(v.trim()) ? null : t("validation.extension")),
  pin: (v: string) => (PIN_RE.test(v.trim()) ? null : t("validation.pin")),
  password: (v: string) => (v.length >= 8 ? null : t("validation.password")),
  sipPassword: (v: string) => (v.length >= 12 ? null : t("validation.sipPassword")),
  transferTarget: (v: string) => (TRANSFER_TARGET_RE.test(v.trim()) ? null : t("validation.transferTarget")),
  phone: (v: string) =>
    PHONE_RE.test(v.trim()) && (v.match(/[0-9]/g) ?? []).length >= 3 ? null : t("validation.phone"),
  country: (v: string) => (/^[A-Za-z]{2}$/.test(v.trim()) ? null : t("validation.country")),
  timezone: (v: string) => (isTimeZone(v.trim()) ? null : t("validation.timezone")),
};

/** Run checks on a value: empty optional values pass; the first failing check's message wins. */
export function check(value: string, required: boolean, ...rules: Check[]): string | null {
  if (!value.trim()) return required ? t("validation.required") : null;
  for (const rule of rules) {
    const error = rule(value);
    if (error) return error;
  }
  return null;
}

export function isTimeZone(name: string): boolean {
  if (!name) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.("timeZone") ?? ["UTC", "Europe/Berlin", "Europe/Copenhagen"];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

export function selectOptions(field: Pick<SchemaField, "options">): Array<[string, string]> {
  const options = field.options ?? [];
  return Array.isArray(options) ? options.map(([v, l]) => [String(v), String(l)]) : Object.entries(options);
}

/** Check one value of a generated form field (voluptuous-serialize types and this repo's formats). */
export function checkSchemaField(field: Omit<SchemaField, "name">, raw: unknown, required: boolean): string | null {
  if (field.type === "boolean") return null;
  if (field.type === "multi_select") return null;
  const value = raw === null || raw === undefined ? "" : String(raw);
  if (!value.trim()) return required || field.required_text ? t("validation.required") : null;
  if (field.type === "integer" || field.type === "float") {
    const n = Number(value);
    if (!Number.isFinite(n)) return t("validation.number");
    if (field.type === "integer" && !Number.isInteger(n)) return t("validation.integer");
    if (field.valueMin !== undefined && n < field.valueMin) return t("validation.min", { min: field.valueMin });
    if (field.valueMax !== undefined && n > field.valueMax) return t("validation.max", { max: field.valueMax });
    return null;
  }
  if (field.type === "select") {
    return selectOptions(field).some(([v]) => v === value) ? null : t("validation.option");
  }
  switch (field.format) {
    case "extension":
      return checks.extension(value);
    case "email":
      return checks.email(value);
    case "username":
      return checks.username(value);
    case "pin":
      return checks.pin(value);
    case "password":
      return checks.password(value);
    default:
      return null;
  }
}

/** The JSON value to send for a generated form field's text. */
export function schemaValue(field: Omit<SchemaField, "name">, raw: unknown): unknown {
  if (field.type === "boolean") return Boolean(raw);
  if (field.type === "multi_select") return Array.isArray(raw) ? raw : [];
  const value = raw === null || raw === undefined ? "" : String(raw).trim();
  if (value === "") return null;
  if (field.type === "integer" || field.type === "float") return Number(value);
  return value;
}
