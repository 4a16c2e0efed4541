import { describe, expect, it } from "vitest";
import { formatClock, isCall, isDevice, since } from "../src/calls";
import { rawValue } from "../src/schema-form";
import type { EntityState } from "../src/types";

describe("formatClock", () => {
  it("shows minutes and seconds, hours only when there are some", () => {
    expect(formatClock(0)).toBe("0:00");
    expect(formatClock(7.9)).toBe("0:07");
    expect(formatClock(754)).toBe("12:34");
    expect(formatClock(3723)).toBe("1:02:03");
    expect(formatClock(-5)).toBe("0:00");
  });
});

describe("since", () => {
  it("is never negative", () => {
    expect(since(Date.now() / 1000 + 60)).toBe(0);
    expect(since(Date.now() / 1000 - 30)).toBeGreaterThanOrEqual(29);
  });
});

describe("entity kinds", () => {
  const state = (entity_id: string): EntityState => ({ entity_id, state: "", attributes: {}, last_changed: 0, last_updated: 0 });
  it("tells calls from phones", () => {
    expect(isCall(state("call.abc"))).toBe(true);
    expect(isCall(state("device.1"))).toBe(false);
    expect(isDevice(state("device.1"))).toBe(true);
    expect(isDevice(state("sensor.call"))).toBe(false);
  });
});

describe("schema-form rawValue", () => {
  it("turns a stored value into what the field shows", () => {
    expect(rawValue({ type: "boolean" }, true)).toBe(true);
    expect(rawValue({ type: "boolean" }, "yes")).toBe(false);
    expect(rawValue({ type: "integer" }, 5)).toBe("5");
    expect(rawValue({ type: "string" }, null)).toBe("");
    expect(rawValue({ type: "string" }, undefined)).toBe("");
    expect(rawValue({ type: "string" }, ["a", 1])).toBe('["a",1]');
  });
});
