import { afterEach, describe, expect, it } from "vitest";
import {
  formatIntervals,
  listError,
  mergePrefixes,
  parseIntervals,
  parsePrefixes,
  prefixesFromFile,
  reasonText,
  ruleSentence,
} from "../src/dialplan";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

describe("a conversion rule as a sentence", () => {
  it("CNV-02: 1XXX becomes +451XXX", () => {
    expect(ruleSentence({ prefix: "1", digits: 3, intervals: [], rewrite: "+451" })).toBe("1XXX becomes +451XXX");
  });

  it("any number of digits, and no prefix", () => {
    expect(ruleSentence({ prefix: "00", digits: null, intervals: [], rewrite: "+" })).toBe("00… becomes +…");
    expect(ruleSentence({ prefix: "", digits: 8, intervals: [], rewrite: "+45" })).toBe("XXXXXXXX becomes +45XXXXXXXX");
  });

  it("CNV-04: with intervals", () => {
    const rule = { prefix: "2", digits: 2, intervals: [["07", "15"], ["17", "29"]] as Array<[string, string]>, rewrite: "+4588" };
    expect(ruleSentence(rule)).toBe("2XX becomes +4588XX when XX is in 07–15, 17–29");
    useLanguage("de");
    expect(ruleSentence(rule)).toBe("2XX wird zu +4588XX, wenn XX in 07–15, 17–29 liegt");
    useLanguage("da");
    expect(ruleSentence({ ...rule, intervals: [["5", "5"]] })).toBe("2XX bliver til +4588XX, når XX ligger i 5");
  });
});

describe("intervals as typed", () => {
  it("commas, semicolons, spaces and dashes", () => {
    expect(parseIntervals("07-15, 17-29")).toEqual(["07-15", "17-29"]);
    expect(parseIntervals(" 07 – 15;17-29  31 ")).toEqual(["07-15", "17-29", "31"]);
    expect(parseIntervals("")).toEqual([]);
  });

  it("back to text", () => {
    expect(formatIntervals([["07", "15"], ["17", "29"], ["31", "31"]])).toBe("07-15, 17-29, 31");
    expect(parseIntervals(formatIntervals([["07", "15"], ["17", "29"]]))).toEqual(["07-15", "17-29"]);
  });

  it("the API's errors of a list, after the item they are about", () => {
    const fields = { "intervals.1": "two numbers of the same length", prefix: "emergency" };
    expect(listError(fields, "intervals", ["07-15", "17-2"])).toBe("17-2: two numbers of the same length");
    expect(listError({ intervals: "the intervals overlap" }, "intervals", ["1-5", "3-7"])).toBe("the intervals overlap");
    expect(listError({ "prefixes.0": "a prefix of digits" }, "prefixes", ["+45x"])).toBe("+45x: a prefix of digits");
    expect(listError({ prefix: "x" }, "intervals", [])).toBe("");
  });
});

describe("prefixes", () => {
  it("one per line or separated by commas, without spaces, each once", () => {
    expect(parsePrefixes("+4590\n+45 70, +4580;+4590\n\n")).toEqual(["+4590", "+4570", "+4580"]);
  });

  it("BAR-02: a text or CSV file, one prefix per line; headers and notes are skipped", () => {
    const csv = "\uFEFFprefix,country\r\n+46,Sweden\r\n\"+47\";Norway\r\n\r\n+46,again\r\nsee www.example.com\r\n";
    expect(prefixesFromFile(csv)).toEqual({ prefixes: ["+46", "+47"], skipped: 2 });
    expect(prefixesFromFile("0045\n0046\n")).toEqual({ prefixes: ["0045", "0046"], skipped: 0 });
  });

  it("BAR-02: added to the type's prefixes or replacing them", () => {
    expect(mergePrefixes(["+4590", "+46"], ["+46", "+47"], "add")).toEqual(["+4590", "+46", "+47"]);
    expect(mergePrefixes(["+4590", "+46"], ["+46", "+47"], "replace")).toEqual(["+46", "+47"]);
  });
});

describe("refusal reasons", () => {
  it("in the UI language, the server's words when unknown", () => {
    expect(reasonText("Forbidden - Premium Numbers Are Barred")).toBe("Premium numbers are barred.");
    expect(reasonText("Forbidden - International Calls Are Barred")).toBe("International calls are blocked.");
    useLanguage("de");
    expect(reasonText("Forbidden - Daily Limit Of External Calls Reached")).toBe("Die tägliche Grenze externer Gespräche ist erreicht.");
    expect(reasonText("Something new")).toBe("Something new");
  });
});
