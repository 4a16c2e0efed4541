import { afterEach, describe, expect, it } from "vitest";
import { checkRows, hasErrors, nextIndex, toKeys, toRows, type KeyRow } from "../src/keys";
import { useLanguage } from "./lang";

const EXTENSIONS = [{ extension: "1002", name: "Bo Berg" }];
const row = (index: string, kind: string, value: string, label = ""): KeyRow => ({ index, kind, value, label });

afterEach(() => useLanguage("en"));

describe("checkRows", () => {
  it("names the bad field of each row as the API does", () => {
    useLanguage("en");
    const errors = checkRows(
      [
        row("1", "blf", "1002"),
        row("3", "blf", "1099"),
        row("3", "speed_dial", "12a"),
        row("4", "dtmf", "*7", "x".repeat(25)),
        row("5", "line", "0"),
      ],
      EXTENSIONS,
    );
    expect(errors).toEqual({
      "keys.0.index": "A key number from 2 to 100",
      "keys.1.value": "No user has extension 1099",
      "keys.2.index": "Key 3 appears twice",
      "keys.2.value": "A number to dial: digits, * and #, a leading +",
      "keys.3.label": "At most 24 characters",
      "keys.4.value": "A line number from 1 to 99",
    });
    expect(hasErrors(errors)).toBe(true);
  });

  it("passes good rows and an emptied key", () => {
    const rows = [row("2", "blf", "1002"), row("3", "speed_dial", "+4512"), row("4", "none", ""), row("5", "dtmf", "*21#")];
    expect(hasErrors(checkRows(rows, EXTENSIONS))).toBe(false);
  });
});

describe("rows and keys", () => {
  it("round-trips and numbers a new row after the highest", () => {
    const keys = [{ index: 2, kind: "blf", value: "1002", label: "" }];
    expect(toKeys(toRows(keys))).toEqual(keys);
    expect(nextIndex([])).toBe("2");
    expect(nextIndex(toRows(keys))).toBe("3");
    expect(toKeys([row("x", "none", "1")])).toEqual([{ index: "x", kind: "none", value: "", label: "" }]);
  });
});
