import { afterEach, describe, expect, it } from "vitest";
import { da } from "../src/i18n/da";
import { de } from "../src/i18n/de";
import { en } from "../src/i18n/en";
import {
  AVAILABILITIES,
  CALL_STATES,
  checkDiversion,
  isoToLocal,
  labelOf,
  localToIso,
  shortcutSummary,
  type Activity,
  type Shortcut,
} from "../src/presence";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

const lunch: Activity = { id: 12, name: "Lunch", show_as: "busy", message: null, labels: { da: "Frokost" } };

describe("presence (PRS-01..05, PRS-09)", () => {
  it("has the availability and call state texts in every language", () => {
    const keys = [
      ...AVAILABILITIES.map((a) => `presence.availability.${a}`),
      ...CALL_STATES.map((s) => `presence.callState.${s}`),
    ];
    for (const table of [en, de, da] as Array<Record<string, string>>) expect(keys.filter((k) => !(k in table))).toEqual([]);
  });

  it("shows an activity's label in the UI language (PRS-02)", () => {
    expect(labelOf(lunch)).toBe("Lunch");
    useLanguage("da");
    expect(labelOf(lunch)).toBe("Frokost");
  });

  it("checks a diversion number as the API does", () => {
    expect(checkDiversion("")).toBeNull();
    expect(checkDiversion("+45 33 12 34 56")).toBeNull();
    expect(checkDiversion("1002")).toBeNull();
    expect(checkDiversion("12ab")).not.toBeNull();
    expect(checkDiversion("*43")).not.toBeNull();
  });

  it("turns a local date and time into ISO 8601 and back", () => {
    const iso = localToIso("2026-12-01T17:30");
    expect(iso).not.toBeNull();
    expect(isoToLocal(new Date(iso!).getTime() / 1000)).toBe("2026-12-01T17:30");
    expect(localToIso("")).toBeNull();
  });

  it("summarises a shortcut (PRS-04)", () => {
    const shortcut: Shortcut = {
      id: 1,
      owner_user_id: null,
      scope: "org",
      name: "Lunch",
      activity_id: 12,
      availability: null,
      duration_minutes: 30,
      icon: "",
      diversion: "1002",
    };
    expect(shortcutSummary(shortcut, [lunch])).toBe("Lunch · Busy · 30 min · → 1002");
  });
});
