import { afterEach, describe, expect, it } from "vitest";
import { RESULTS } from "../src/calls";
import { da } from "../src/i18n/da";
import { de } from "../src/i18n/de";
import { en } from "../src/i18n/en";
import { KINDS } from "../src/keys";
import { formatBytes, formatDuration, language, LANGUAGES, settingLabel, t } from "../src/i18n";
import { useLanguage } from "./lang";

const TABLES: Record<string, Record<string, string>> = { en, de, da };

/** The names of a text's placeholders ("{name}"), sorted. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();
}

afterEach(() => useLanguage("en"));

describe("the dictionaries", () => {
  for (const [lang, table] of Object.entries(TABLES)) {
    if (lang === "en") continue;

    it(`${lang} has every English key and no other`, () => {
      expect(Object.keys(en).filter((key) => !(key in table))).toEqual([]);
      expect(Object.keys(table).filter((key) => !(key in en))).toEqual([]);
    });

    it(`${lang} keeps every placeholder of the English text`, () => {
      const differ = Object.keys(en).filter(
        (key) => placeholders(en[key as keyof typeof en]).join() !== placeholders(table[key] ?? "").join(),
      );
      expect(differ).toEqual([]);
    });
  }

  for (const [lang, table] of Object.entries(TABLES)) {
    it(`${lang} has no empty text`, () => {
      expect(Object.entries(table).filter(([, text]) => !text.trim())).toEqual([]);
    });
  }

  it("has the texts the pages look up by a computed key", () => {
    const computed = [
      ...RESULTS.map((r) => `calls.result.${r}`),
      ...["trying", "ringing", "answered"].map((s) => `calls.state.${s}`),
      ...LANGUAGES.map((l) => `lang.${l}`),
      ...[...KINDS, "none"].map((k) => `keys.kind.${k}`),
      ...["loaded", "disabled", "config_error", "setup_error", "not_ready", "not_loaded"].map((s) => `plugins.state.${s}`),
      ...["guide", "recording", "review"].map((s) => `phoneRecording.${s}`),
      ...["busy", "not_answered", "no_phone", "hung_up", "discarded", "nothing_recorded", "cancelled"].map(
        (c) => `phoneRecording.failed.${c}`,
      ),
    ];
    for (const table of Object.values(TABLES)) expect(computed.filter((key) => !(key in table))).toEqual([]);
  });
});

describe("t", () => {
  it("fills in placeholders and leaves unknown ones visible", () => {
    expect(t("app.loggedInAs", { name: "anna" })).toBe("Logged in as anna");
    expect(t("app.loggedInAs")).toBe("Logged in as {name}");
    expect(t("validation.min", { min: 0 })).toBe("Must be at least 0.");
  });

  it("answers in the chosen language and falls back to the browser's for an unknown one", () => {
    useLanguage("da");
    expect(language()).toBe("da");
    expect(t("app.loggedInAs", { name: "bo" })).toBe(da["app.loggedInAs"].replace("{name}", "bo"));
    useLanguage("xx" as "en");
    expect(language()).toBe("en");
    expect(t("common.save")).toBe("Save");
  });

  it("marks the page's language", () => {
    useLanguage("de");
    expect(document.documentElement.lang).toBe("de");
  });
});

describe("settingLabel", () => {
  it("uses the translated name of a known setting", () => {
    expect(settingLabel("core.timezone")).toBe("Time zone");
    useLanguage("de");
    expect(settingLabel("core.timezone")).toBe("Zeitzone");
  });

  it("makes a label from the key of an unknown one", () => {
    expect(settingLabel("acme.scan_interval")).toBe("Scan interval");
    expect(settingLabel("retries")).toBe("Retries");
  });
});

describe("formatDuration", () => {
  it("shows seconds below a minute, then minutes, hours and days", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(59.9)).toBe("59 s");
    expect(formatDuration(60)).toBe("1 min");
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe("3 h 5 min");
    expect(formatDuration(2 * 86400 + 4 * 3600 + 59)).toBe("2 d 4 h");
  });

  it("uses the language's units", () => {
    useLanguage("de");
    expect(formatDuration(3600)).toBe("1 Std 0 Min");
  });
});

describe("formatBytes", () => {
  it("scales to the largest unit with one decimal below 10", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("20 MB");
    expect(formatBytes(3 * 1024 ** 5)).toBe("3,072 TB");
  });

  it("says unknown for no value", () => {
    expect(formatBytes(null)).toBe("Unknown");
    expect(formatBytes(undefined)).toBe("Unknown");
    expect(formatBytes(Number.NaN)).toBe("Unknown");
  });

  it("writes numbers the language's way", () => {
    useLanguage("de");
    expect(formatBytes(1536)).toBe("1,5 KB");
  });
});
