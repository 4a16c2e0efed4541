import { afterEach, describe, expect, it } from "vitest";
import {
  KNOWN_CODES,
  KNOWN_FIELDS,
  codeLabel,
  codeText,
  digitsError,
  fieldName,
  fieldsOf,
  formParts,
  formText,
  normalDigits,
  withCode,
  type FeatureCode,
} from "../src/feature-codes";
import { da } from "../src/i18n/da";
import { de } from "../src/i18n/de";
import { en } from "../src/i18n/en";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

function code(key: string, digits: string, extra: Partial<FeatureCode> = {}): FeatureCode {
  return {
    key,
    feature: "FC-09",
    label: "Server label",
    description: "Server description.",
    code: digits,
    default: digits,
    source: "core",
    forms: { on: `*${digits}*NUMBER*`, off: `#${digits}#` },
    on_fields: ["number"],
    off_fields: [],
    ...extra,
  };
}

describe("feature codes (FC-15..17)", () => {
  it("has a name and a text of every known code and a name and a text of every field in every language", () => {
    const keys = [
      ...KNOWN_CODES.flatMap((k) => [`featureCodes.code.${k}.label`, `featureCodes.code.${k}.text`]),
      ...KNOWN_FIELDS.flatMap((f) => [`featureCodes.field.${f}`, `featureCodes.field.${f}.text`]),
    ];
    for (const table of [en, de, da] as Array<Record<string, string>>) expect(keys.filter((k) => !(k in table))).toEqual([]);
  });

  it("names known codes in the UI's language and others as the server does", () => {
    expect(codeLabel(code("forward_all", "21"))).toBe("Forward all calls");
    expect(codeText(code("forward_all", "21"))).toBe(en["featureCodes.code.forward_all.text"]);
    expect(codeLabel(code("acme_door", "55"))).toBe("Server label");
    expect(codeText(code("acme_door", "55"))).toBe("Server description.");
    expect(codeLabel({ key: "acme_gate", label: "" })).toBe("acme_gate");
    useLanguage("de");
    expect(codeLabel(code("forward_all", "21"))).toBe("Alle Anrufe umleiten");
    useLanguage("da");
    expect(codeLabel(code("pickup_group", "8"))).toBe("Gruppeovertagelse");
  });

  it("splits what is dialled into digits and fields, the fields translated", () => {
    expect(formParts("*21*NUMBER*")).toEqual([
      { kind: "text", text: "*21*" },
      { kind: "field", field: "number", text: "NUMBER" },
      { kind: "text", text: "*" },
    ]);
    expect(formParts("#21#")).toEqual([{ kind: "text", text: "#21#" }]);
    expect(formText("**11*GROUP*")).toBe("**11*GROUP*");
    expect(formText("*9*EXTENSION*")).toBe("*9*EXTENSION*");
    expect(formText("*77*DOOR*")).toBe("*77*DOOR*");
    useLanguage("de");
    expect(formText("*21*NUMBER*")).toBe("*21*NUMMER*");
    expect(formText("*9*EXTENSION*")).toBe("*9*NEBENSTELLE*");
    expect(formText("*77*DOOR*")).toBe("*77*DOOR*");
    useLanguage("da");
    expect(formText("*23*ACTIVITY*")).toBe("*23*AKTIVITET*");
    expect(fieldName("role")).toBe("ROLLE");
  });

  it("lists the fields the codes use once each", () => {
    const codes = [
      code("forward_all", "21"),
      code("group_login", "11", { on_fields: ["group"], off_fields: ["group"] }),
      code("pickup_group", "8", { on_fields: [], off_fields: null }),
      code("present_number", "30"),
    ];
    expect(fieldsOf(codes)).toEqual(["number", "group"]);
  });

  it("checks the digits an administrator types", () => {
    expect(digitsError("22")).toBeNull();
    expect(digitsError(" *22# ")).toBeNull();
    expect(normalDigits(" *22# ")).toBe("22");
    expect(digitsError("123456")).toBeNull();
    expect(digitsError("")).toBe("Enter the digits of the code.");
    expect(digitsError("*")).toBe("Enter the digits of the code.");
    expect(digitsError("1234567")).toBe("Use 1 to 6 digits, such as 21.");
    expect(digitsError("2a")).toBe("Use 1 to 6 digits, such as 21.");
    expect(digitsError("2*1")).toBe("Use 1 to 6 digits, such as 21.");
  });

  it("puts a saved code in its place", () => {
    const codes = [code("pickup_group", "8"), code("forward_all", "21"), code("activity", "23")];
    const saved = code("forward_all", "22", { default: "21" });
    expect(withCode(codes, saved).map((c) => [c.key, c.code])).toEqual([
      ["pickup_group", "8"],
      ["forward_all", "22"],
      ["activity", "23"],
    ]);
  });
});
