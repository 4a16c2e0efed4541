import { afterEach, describe, expect, it } from "vitest";
import { en } from "../src/i18n/en";
import { de } from "../src/i18n/de";
import {
  check,
  checks,
  checkSchemaField,
  isTimeZone,
  schemaValue,
  selectOptions,
  timeZones,
} from "../src/validate";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

/** Each checker: values it lets through, values it refuses, and the message it refuses them with. */
const CASES: Array<{ name: keyof typeof checks; good: string[]; bad: string[]; message: string }> = [
  { name: "required", good: ["x", " a "], bad: ["", "   ", "\t"], message: en["validation.required"] },
  {
    name: "username",
    good: ["anna", "a", "bo.berg", "c_d-e9", "Anna", " anna ", "a".repeat(64)],
    bad: ["9anna", "_anna", "an na", "anna@x", "æble", "a".repeat(65), ""],
    message: en["validation.username"],
  },
  {
    name: "email",
    good: ["anna@example.com", " a@b ", "x.y+z@sub.example.org"],
    bad: ["anna", "anna@", "@example.com", "a b@example.com", "a@b@c", `${"a".repeat(250)}@b.dk`],
    message: en["validation.email"],
  },
  {
    name: "extension",
    good: ["10", "1001", "12345678", " 1001 "],
    bad: ["1", "123456789", "10a", "+1001", "10 01", ""],
    message: en["validation.extension"],
  },
  {
    name: "pin",
    good: ["1234", "123456789012", " 0000 "],
    bad: ["123", "1234567890123", "12a4", "12 34"],
    message: en["validation.pin"],
  },
  {
    name: "password",
    good: ["12345678", "correct horse", "        "],
    bad: ["", "1234567", "short"],
    message: en["validation.password"],
  },
  {
    name: "sipPassword",
    good: ["123456789012", "a very long secret"],
    bad: ["12345678901", "short"],
    message: en["validation.sipPassword"],
  },
  {
    name: "phone",
    good: ["+49 30 1234567", "030/123-45", "(0)45.12.34", "112", " +4512345678 "],
    bad: ["12", "+49 30 12a4567", "--- ---", "+", `${"1".repeat(33)}`, "phone"],
    message: en["validation.phone"],
  },
  {
    name: "transferTarget",
    good: ["1003", "4711", "+4930123456", "*21#", "#", "0", " 1003 ", "1".repeat(32)],
    bad: ["", "   ", "10 03", "1003a", "sip:1003", "-1", "1".repeat(33)],
    message: en["validation.transferTarget"],
  },
  {
    name: "country",
    good: ["DE", "dk", " Us "],
    bad: ["D", "DEU", "D1", "", "d e"],
    message: en["validation.country"],
  },
  {
    name: "timezone",
    good: ["UTC", "Europe/Berlin", "Europe/Copenhagen", " America/New_York "],
    bad: ["", "Mars/Olympus", "Berlin", "Europe/Nowhere"],
    message: en["validation.timezone"],
  },
];

describe("checks", () => {
  for (const { name, good, bad, message } of CASES) {
    it(`${name} lets good values through`, () => {
      for (const value of good) expect(checks[name](value), JSON.stringify(value)).toBeNull();
    });
    it(`${name} refuses bad values with its message`, () => {
      for (const value of bad) expect(checks[name](value), JSON.stringify(value)).toBe(message);
    });
  }

  it("covers every checker", () => {
    expect(CASES.map((c) => c.name).sort()).toEqual(Object.keys(checks).sort());
  });

  it("answers in the user's language", () => {
    useLanguage("de");
    expect(checks.extension("1")).toBe(de["validation.extension"]);
    expect(checks.email("anna")).toBe("Geben Sie eine E-Mail-Adresse wie anna@example.com ein.");
  });
});

describe("check", () => {
  it("passes an empty optional value without running the rules", () => {
    expect(check("", false, checks.extension)).toBeNull();
    expect(check("  ", false, checks.email)).toBeNull();
  });

  it("refuses an empty required value", () => {
    expect(check("", true, checks.extension)).toBe(en["validation.required"]);
    expect(check(" ", true)).toBe(en["validation.required"]);
  });

  it("gives the first failing rule's message", () => {
    expect(check("1", true, checks.extension, checks.pin)).toBe(en["validation.extension"]);
    expect(check("12345", true, checks.extension, checks.pin)).toBeNull();
    expect(check("123456789", true, checks.pin, checks.extension)).toBe(en["validation.extension"]);
  });
});

describe("time zones", () => {
  it("knows IANA names and refuses others", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("")).toBe(false);
    expect(isTimeZone("Europe/Atlantis")).toBe(false);
  });

  it("lists UTC and real zones", () => {
    const zones = timeZones();
    expect(zones).toContain("UTC");
    expect(zones).toContain("Europe/Copenhagen");
    expect(zones.every(isTimeZone)).toBe(true);
  });
});

describe("selectOptions", () => {
  it("takes voluptuous-serialize's [value, label] pairs, as strings", () => {
    const options = [
      [1, "One"],
      ["b", "Bee"],
    ] as unknown as Array<[string, string]>;
    expect(selectOptions({ options })).toEqual([
      ["1", "One"],
      ["b", "Bee"],
    ]);
  });

  it("takes a value → label mapping", () => {
    expect(selectOptions({ options: { en: "English", da: "Dansk" } })).toEqual([
      ["en", "English"],
      ["da", "Dansk"],
    ]);
  });

  it("has no options when the field names none", () => {
    expect(selectOptions({})).toEqual([]);
  });
});

describe("checkSchemaField", () => {
  const integer = { type: "integer", valueMin: 1, valueMax: 60 };

  it("never refuses a boolean", () => {
    expect(checkSchemaField({ type: "boolean" }, undefined, true)).toBeNull();
  });

  it("refuses an empty required field, passes an empty optional one", () => {
    expect(checkSchemaField({ type: "string" }, "", true)).toBe(en["validation.required"]);
    expect(checkSchemaField({ type: "string" }, null, true)).toBe(en["validation.required"]);
    expect(checkSchemaField({ type: "string" }, undefined, false)).toBeNull();
    expect(checkSchemaField({ type: "integer" }, "  ", false)).toBeNull();
  });

  it("treats required_text as required (a text that must not be empty)", () => {
    expect(checkSchemaField({ type: "string", required_text: true }, "", false)).toBe(en["validation.required"]);
  });

  it("checks numbers, whole numbers and the range with its bounds in the message", () => {
    expect(checkSchemaField(integer, "30", true)).toBeNull();
    expect(checkSchemaField(integer, 1, true)).toBeNull();
    expect(checkSchemaField(integer, "60", true)).toBeNull();
    expect(checkSchemaField(integer, "abc", true)).toBe(en["validation.number"]);
    expect(checkSchemaField(integer, "2.5", true)).toBe(en["validation.integer"]);
    expect(checkSchemaField(integer, "0", true)).toBe("Must be at least 1.");
    expect(checkSchemaField(integer, "61", true)).toBe("Must be at most 60.");
    expect(checkSchemaField({ type: "float", valueMax: 1.5 }, "2.5", true)).toBe("Must be at most 1.5.");
    expect(checkSchemaField({ type: "float" }, "2.5", true)).toBeNull();
    expect(checkSchemaField({ type: "float" }, "Infinity", true)).toBe(en["validation.number"]);
  });

  it("accepts only a listed option of a select", () => {
    const select = { type: "select", options: [["a", "A"], ["b", "B"]] as Array<[string, string]> };
    expect(checkSchemaField(select, "b", true)).toBeNull();
    expect(checkSchemaField(select, "c", true)).toBe(en["validation.option"]);
  });

  it("applies the checker of the field's format", () => {
    const cases: Array<[string, string, string, keyof typeof en]> = [
      ["extension", "1001", "1", "validation.extension"],
      ["email", "a@b.dk", "a", "validation.email"],
      ["username", "anna", "9anna", "validation.username"],
      ["pin", "1234", "12", "validation.pin"],
      ["password", "longenough", "short", "validation.password"],
    ];
    for (const [format, good, bad, key] of cases) {
      expect(checkSchemaField({ type: "string", format }, good, true), format).toBeNull();
      expect(checkSchemaField({ type: "string", format }, bad, true), format).toBe(en[key]);
    }
  });

  it("lets any text of an unknown format through", () => {
    expect(checkSchemaField({ type: "string", format: "prompt" }, "anything", true)).toBeNull();
  });

  it("gives the range message in German", () => {
    useLanguage("de");
    expect(checkSchemaField(integer, "0", true)).toBe("Muss mindestens 1 sein.");
  });
});

describe("schemaValue", () => {
  it("sends booleans as booleans", () => {
    expect(schemaValue({ type: "boolean" }, "")).toBe(false);
    expect(schemaValue({ type: "boolean" }, true)).toBe(true);
  });

  it("sends numbers as numbers and empty text as null", () => {
    expect(schemaValue({ type: "integer" }, " 42 ")).toBe(42);
    expect(schemaValue({ type: "float" }, "0.5")).toBe(0.5);
    expect(schemaValue({ type: "integer" }, "")).toBeNull();
    expect(schemaValue({ type: "string" }, null)).toBeNull();
    expect(schemaValue({ type: "string" }, undefined)).toBeNull();
  });

  it("sends text trimmed", () => {
    expect(schemaValue({ type: "string" }, "  Acme  ")).toBe("Acme");
    expect(schemaValue({ type: "select" }, "de")).toBe("de");
  });
});
