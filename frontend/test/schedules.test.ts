import { afterEach, describe, expect, it } from "vitest";
import { barGeometry, checkEvent, checkExtra, checkWeek, emptyWeek, isDate, minutes, moved, newEvent } from "../src/schedules";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

describe("times and bars (SCH-01)", () => {
  it("reads HH:MM up to 24:00", () => {
    expect(minutes("07:30")).toBe(450);
    expect(minutes("24:00")).toBe(1440);
    expect(minutes("24:01")).toBeNull();
    expect(minutes("7:30")).toBeNull();
  });

  it("places a window on the 24-hour bar", () => {
    expect(barGeometry({ from: "06:00", to: "18:00" })).toEqual({ left: 25, width: 50 });
    expect(barGeometry({ from: "18:00", to: "07:00" })).toBeNull();
  });

  it("knows calendar dates", () => {
    expect(isDate("2026-12-24")).toBe(true);
    expect(isDate("2026-02-30")).toBe(false);
  });
});

describe("client checks name the server's fields", () => {
  it("refuses a window ending before it starts and overlapping windows", () => {
    useLanguage("en");
    const week = emptyWeek();
    week.mon = [{ from: "18:00", to: "07:00" }];
    week.tue = [
      { from: "07:00", to: "12:00" },
      { from: "11:00", to: "13:00" },
    ];
    week.wed = [{ from: "", to: "" }];
    week.thu = [{ from: "08:00", to: "" }];
    expect(checkWeek(week)).toEqual({
      "week.mon.0.to": "Ends before it starts",
      "week.tue.1": "Overlaps another window of the day",
      "week.thu.0.to": "A time from 00:00 to 24:00, such as 07:30",
    });
    expect(checkExtra([{ date: "2026-13-01", from: "10:00", to: "09:00" }])).toEqual({
      "extra.0.date": "A date such as 2026-12-24",
      "extra.0.to": "Ends before it starts",
    });
  });

  it("checks events (SCH-08)", () => {
    useLanguage("en");
    const forward = { ...newEvent(), name: "Night", action: "forward" as const, target: "sip:x" };
    expect(checkEvent(forward, "events.0")).toEqual({ "events.0.target": "A number to dial, such as 1001 or +4533123456" });
    const once = { ...newEvent(), name: "Party", repeat: "once" as const, weekdays: [], start_date: "2018-01-20", end_date: "2018-01-19" };
    expect(checkEvent(once, "events.1")).toMatchObject({ "events.1.end_date": "The end date is before the start date" });
    expect(checkEvent({ ...newEvent(), name: "X", weekdays: [] }, "events.2")).toEqual({ "events.2.weekdays": "Choose at least one weekday" });
    expect(checkEvent({ ...newEvent(), name: "X", repeat: "once", weekdays: [], start_date: "2018-01-19", from: "00:00", end_date: "2018-01-20", to: "00:00" }, "e")).toEqual({});
  });

  it("moves events up and down (SCH-07 order)", () => {
    expect(moved(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(moved(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
  });
});
