/** Switch the UI language in a test: setLanguage marks the page's `lang`, so a page element is made first. */
import { setLanguage } from "../src/i18n";
import type { Language } from "../src/types";

export function useLanguage(lang: Language): void {
  const g = globalThis as unknown as Record<string, unknown>;
  if (g["document"] === undefined) g["document"] = { documentElement: { lang: "" } };
  setLanguage(lang);
}
