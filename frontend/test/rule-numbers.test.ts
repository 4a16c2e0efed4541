/** RBN-01..05: the pure helpers of the Rule-based numbers page (src/pages/rule-numbers.ts). */
import { afterEach, describe, expect, it } from "vitest";
import { da } from "../src/i18n/da";
import { de } from "../src/i18n/de";
import { en } from "../src/i18n/en";
import {
  blockingGroupNames,
  bodyOf,
  draftErrors,
  draftOf,
  emptyDraft,
  languageText,
  type RuleNumber,
} from "../src/pages/rule-numbers";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

const HOTLINE: RuleNumber = {
  id: 3,
  name: "Hotline",
  number: "1750",
  display_text: "Hotline",
  keep_derived_metadata: true,
  language: "de",
  show_as_caller: true,
  blocking_groups: [5, 2],
};

describe("a rule-based number as the form edits it", () => {
  it("round-trips into the API's body (PUT takes the whole object)", () => {
    expect(bodyOf(draftOf(HOTLINE))).toEqual({
      name: "Hotline",
      number: "1750",
      display_text: "Hotline",
      keep_derived_metadata: true,
      language: "de",
      show_as_caller: true,
      blocking_groups: [2, 5],
    });
  });

  it("sends the caller's language as null, trims and compacts what was typed", () => {
    const draft = { ...emptyDraft(), name: "  Sales line ", number: "+45 8940 1750", displayText: " Sales " };
    expect(bodyOf(draft)).toEqual({
      name: "Sales line",
      number: "+4589401750",
      display_text: "Sales",
      keep_derived_metadata: false,
      language: null,
      show_as_caller: false,
      blocking_groups: [],
    });
  });

  it("leaves out a blocking group deleted since", () => {
    expect([...draftOf(HOTLINE, new Set([2, 7])).blockingGroups]).toEqual([2]);
  });
});

describe("the form's checks", () => {
  it("names the fields under the API's names", () => {
    expect(draftErrors(emptyDraft())).toEqual({ name: "This field is required.", number: "This field is required." });
    const bad = { ...emptyDraft(), name: "x".repeat(81), number: "17-50", displayText: "y".repeat(61), language: "fr" };
    expect(Object.keys(draftErrors(bad)).sort()).toEqual(["display_text", "language", "name", "number"]);
  });

  it("leaves the number's range to the server (1650 is sent, and refused there)", () => {
    expect(draftErrors({ ...emptyDraft(), name: "Hotline", number: "1650" })).toEqual({});
    expect(draftErrors({ ...emptyDraft(), name: "Hotline", number: "+4589401750", displayText: "z".repeat(60) })).toEqual({});
  });
});

describe("the list's texts", () => {
  it("names the language and the blocking groups", () => {
    expect(languageText(null)).toBe("Caller's / organisation's");
    expect(languageText("da")).toBe("Dansk");
    expect(blockingGroupNames([2, 9], [{ id: 2, name: "No premium" }])).toBe("No premium, #9");
    expect(blockingGroupNames([], [])).toBe("None");
    useLanguage("de");
    expect(languageText(null)).toBe("Die des Anrufers / der Organisation");
  });

  it("has every text the list-and-form page looks up in its namespace, in every language", () => {
    const keys = ["title", "new", "intro", "off", "offAdmin", "empty", "editTitle", "editFor", "deleteFor", "created", "saved", "confirmDelete", "deleted"];
    for (const table of [en, de, da] as Array<Record<string, string>>) {
      expect(keys.filter((key) => !(`ruleNumbers.${key}` in table))).toEqual([]);
    }
    for (const table of [en, de, da] as Array<Record<string, string>>) {
      expect(["routing.list.rule_numbers", "routing.listHint.rule_numbers", "routing.when.rule_numbers"].filter((k) => !(k in table))).toEqual([]);
    }
  });
});
