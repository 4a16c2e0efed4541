/** Countries for pickers, named in the UI language by the browser (Intl.DisplayNames). */
import { language } from "./i18n";

const NOT_COUNTRIES = new Set(["EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ", "AC", "CP", "DG", "EA", "IC", "TA", "CQ"]);

export function countries(): Array<[string, string]> {
  const names = new Intl.DisplayNames([language()], { type: "region" });
  const result: Array<[string, string]> = [];
  const A = 65;
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      if (NOT_COUNTRIES.has(code)) continue;
      let name: string | undefined;
      try {
        name = names.of(code);
      } catch {
        name = undefined;
      }
      if (name && name !== code) result.push([code, name]);
    }
  }
  return result.sort((a, b) => a[1].localeCompare(b[1], language()));
}

export function guessCountry(): string {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const region = tag.split("-")[1];
    if (region && /^[A-Z]{2}$/i.test(region)) return region.toUpperCase();
  }
  return "";
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}
