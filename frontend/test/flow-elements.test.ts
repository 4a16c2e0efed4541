import { afterEach, describe, expect, it } from "vitest";
import {
  announcementBodyOf,
  announcementDraftErrors,
  announcementDraftOf,
  emptySwitchDraft,
  switchBodyOf,
  switchCodes,
  switchDraftErrors,
  switchDraftOf,
  type Announcement,
  type FlowSwitch,
} from "../src/flow-elements";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

const DAY_NIGHT: FlowSwitch = {
  id: 2,
  name: "Day/night",
  number: "1650",
  on: true,
  on_target: "1600",
  off_target: "1001",
  operator_groups: [1, 9],
  locked: false,
  changed_at: 1_700_000_000,
  changed_by: "root (web)",
};

describe("virtual switches (AA-04)", () => {
  it("round-trips a switch through the draft, leaving out user groups that are gone and its state", () => {
    const draft = switchDraftOf(DAY_NIGHT, new Set([1]));
    expect([...draft.operatorGroups]).toEqual([1]);
    expect(switchBodyOf({ ...draft, number: " 16 50 " })).toEqual({
      name: "Day/night",
      number: "1650",
      on_target: "1600",
      off_target: "1001",
      operator_groups: [1],
      locked: false,
    });
  });

  it("names the bad fields", () => {
    expect(Object.keys(switchDraftErrors(emptySwitchDraft())).sort()).toEqual(["name", "number", "off_target", "on_target"]);
    const errors = switchDraftErrors({ ...emptySwitchDraft(), name: "S", number: "12a", onTarget: "x", offTarget: "1650" });
    expect(Object.keys(errors).sort()).toEqual(["number", "on_target"]);
    const own = switchDraftErrors({ ...emptySwitchDraft(), name: "S", number: "1650", onTarget: "1001", offTarget: "1650" });
    expect(own["off_target"]).toContain("own number");
    useLanguage("de");
    expect(switchDraftErrors(emptySwitchDraft())["name"]).not.toBe("This field is required.");
  });

  it("shows the phone codes", () => {
    expect(switchCodes("1650")).toEqual({ on: "*29*1650*", off: "**29*1650*" });
  });
});

describe("announcements (AA-03)", () => {
  const CLOSED: Announcement = { id: 4, name: "Closed", number: "1660", prompt: "org:3", next_number: null, locked: true };

  it("round-trips an announcement; no next number hangs up", () => {
    const draft = announcementDraftOf(CLOSED);
    expect(draft.nextNumber).toBe("");
    expect(announcementBodyOf(draft)).toEqual({ name: "Closed", number: "1660", prompt: "org:3", next_number: null, locked: true });
    expect(announcementBodyOf({ ...draft, nextNumber: "10 02" })["next_number"]).toBe("1002");
  });

  it("needs a prompt and a diallable next number", () => {
    const errors = announcementDraftErrors({ ...announcementDraftOf(CLOSED), prompt: "", nextNumber: "abc" });
    expect(Object.keys(errors).sort()).toEqual(["next_number", "prompt"]);
  });
});
