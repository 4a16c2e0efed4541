/** UI texts in English, German and Danish; the logged-in user's language, else the browser's. */
import type { Language } from "../types";
import { da } from "./da";
import { de } from "./de";
import { en, type Dictionary, type MessageKey } from "./en";

export type { MessageKey };
export const LANGUAGES: Language[] = ["en", "de", "da"];
const DICTIONARIES: Record<Language, Dictionary> = { en, de, da };
const listeners = new Set<() => void>();
let current: Language = browserLanguage();

export function browserLanguage(): Language {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split("-")[0] as Language;
    if (LANGUAGES.includes(base)) return base;
  }
  return "en";
}

export function language(): Language {
  return current;
}

export function setLanguage(lang: string | null | undefined): void {
  const next = LANGUAGES.includes(lang as Language) ? (lang as Language) : browserLanguage();
  document.documentElement.lang = next;
  if (next === current) return;
  current = next;
  for (const listener of listeners) listener();
}

export function onLanguageChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = DICTIONARIES[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

/** A label for a setting key: the translated name, else "Scan interval" made from "plugin.scan_interval". */
export function settingLabel(key: string): string {
  const known = `setting.${key}` as MessageKey;
  if (known in en) return t(known);
  const field = key.includes(".") ? key.slice(key.indexOf(".") + 1) : key;
  const words = field.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function formatNumber(value: number, digits = 0): string {
  return new Intl.NumberFormat(current, { maximumFractionDigits: digits }).format(value);
}

export function formatBytes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return t("common.unknown");
  const units = ["B", "KB", "MB", "GB", "TB"];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit += 1;
  }
  return `${formatNumber(n, n < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const parts: string[] = [];
  if (d) parts.push(t("time.days", { n: d }));
  if (h || d) parts.push(t("time.hours", { n: h }));
  if (!d) parts.push(t("time.minutes", { n: m }));
  if (!d && !h && m < 1) return t("time.seconds", { n: Math.floor(seconds) });
  return parts.join(" ");
}
