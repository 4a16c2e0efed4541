import { describe, expect, it } from "vitest";
import { firmwareErrors } from "../src/firmware";
import { en } from "../src/i18n/en";

const entry = { vendor: "yealink", model: "T46U", url: "https://fw.example.lan/T46U-108.86.0.20.rom" };

describe("firmware URLs", () => {
  it("accepts http and https URLs with a host", () => {
    expect(firmwareErrors([entry, { ...entry, model: "T54W", url: "http://10.0.0.5:8080/fw/" }])).toEqual({});
  });

  it("names the row and field of a missing model, a bad URL and a model given twice", () => {
    const errors = firmwareErrors([
      { ...entry, model: " " },
      { ...entry, url: "ftp://fw.example.lan/x.rom" },
      { ...entry, url: "https:///x.rom" },
      { ...entry, model: "t46u " },
    ]);
    expect(errors).toEqual({
      "entries.0.model": en["validation.required"],
      "entries.1.url": en["firmware.urlRule"],
      "entries.2.url": en["firmware.urlRule"],
      "entries.2.model": en["firmware.twice"],
      "entries.3.model": en["firmware.twice"],
    });
  });

  it("allows the same model for another vendor", () => {
    expect(firmwareErrors([entry, { ...entry, vendor: "snom" }])).toEqual({});
  });
});
