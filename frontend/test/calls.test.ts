import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../src/api";
import {
  defaultTransferParty,
  formatClock,
  isCall,
  isDevice,
  liveCallId,
  otherParty,
  partyLabel,
  partyName,
  since,
  transferFieldErrors,
} from "../src/calls";
import { rawValue } from "../src/schema-form";
import type { EntityState } from "../src/types";
import { useLanguage } from "./lang";

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

describe("transfer of a live call", () => {
  afterEach(() => useLanguage("en"));
  const call = (attributes: Record<string, unknown>): EntityState => ({
    entity_id: "call.01ABC",
    state: "answered",
    attributes,
    last_changed: 0,
    last_updated: 0,
  });
  const annToBo = call({ caller: "1001", caller_name: "Ann Andersen", caller_user_id: 2, callee: "1002", callee_name: "Bo Berg", callee_user_id: 3 });
  const outside = call({ caller: "+4930111", caller_name: "", caller_user_id: null, callee: "1002", callee_name: "Bo Berg", callee_user_id: 3 });

  it("sends the call's own id, not the entity id in lower case", () => {
    expect(liveCallId({ ...annToBo, entity_id: "call.01abc", attributes: { call_id: "01ABC" } })).toBe("01ABC");
    expect(liveCallId(call({}))).toBe("01ABC");
  });

  it("names the parties by name, else by number", () => {
    expect(partyName(annToBo, "caller")).toBe("Ann Andersen");
    expect(partyLabel(annToBo, "callee")).toBe("Bo Berg (1002)");
    expect(partyName(outside, "caller")).toBe("+4930111");
    expect(partyLabel(outside, "caller")).toBe("+4930111");
    expect(otherParty("caller")).toBe("callee");
  });

  it("sends the caller from the dashboard, and in a user's own list the one they talk with", () => {
    expect(defaultTransferParty(annToBo, null)).toBe("caller");
    expect(defaultTransferParty(annToBo, 2)).toBe("callee");
    expect(defaultTransferParty(annToBo, 3)).toBe("caller");
    expect(defaultTransferParty(outside, 3)).toBe("caller");
  });

  it("says why a number was refused in the page's language", () => {
    const unknown = new ApiError(404, "transfer_refused", "Not Found", { target: "Not Found" });
    expect(transferFieldErrors(unknown, "4711")).toEqual({ target: "Nobody has the number 4711, and no trunk reaches it." });
    const barred = new ApiError(403, "transfer_refused", "Forbidden - Outside Calls To This Number Need A PIN", {
      target: "Forbidden - Outside Calls To This Number Need A PIN",
    });
    expect(transferFieldErrors(barred, "0049301")).toEqual({
      target: "0049301 may not be called from this call: Outside Calls To This Number Need A PIN",
    });
    useLanguage("de");
    expect(transferFieldErrors(unknown, "4711")["target"]).toBe("Die Nummer 4711 hat niemand, und kein SIP-Trunk erreicht sie.");
  });

  it("leaves errors without a field to the form's message", () => {
    expect(transferFieldErrors(new ApiError(409, "conflict", "Only an answered call"), "1003")).toEqual({});
    expect(transferFieldErrors(new ApiError(404, "not_found", "No such call in progress"), "1003")).toEqual({});
    expect(transferFieldErrors(new Error("boom"), "1003")).toEqual({});
  });
});
