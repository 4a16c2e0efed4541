import { describe, expect, it } from "vitest";
import {
  checkMac,
  deviceStateText,
  fetchResultText,
  formatMac,
  liveRegistration,
  normaliseMac,
  parseLastFetch,
  registrationIsOf,
  sourceText,
  vendorName,
  type Device,
} from "../src/devices";
import { en } from "../src/i18n/en";
import type { EntityState } from "../src/types";

describe("MAC addresses", () => {
  it("normalises the ways people write them to 12 lower-case hex digits", () => {
    for (const text of ["00:04:13:A1:B2:C3", "00-04-13-a1-b2-c3", "0004.13a1.b2c3", "0004-13a1-b2c3", " 000413A1B2C3 ", "00 04 13 a1 b2 c3"]) {
      expect(normaliseMac(text), text).toBe("000413a1b2c3");
    }
  });

  it("refuses what is not a MAC", () => {
    for (const text of ["", "00:04:13:a1:b2", "00:04:13:a1:b2:c3:d4", "00:04:13:a1:b2:g3", "00_04_13_a1_b2_c3"]) {
      expect(normaliseMac(text), text).toBeNull();
    }
  });

  it("checks a typed MAC with the reason", () => {
    expect(checkMac("00:15:65:a1:b2:c3")).toBeNull();
    expect(checkMac("  ")).toBe(en["validation.required"]);
    expect(checkMac("00:15:65")).toBe(en["devices.macInvalid"]);
    expect(checkMac("ff:ff:ff:ff:ff:ff")).toBe(en["devices.macGroup"]);
    expect(checkMac("00:00:00:00:00:00")).toBe(en["devices.macGroup"]);
    // The group bit: the lowest bit of the first byte (01:00:5e:… is multicast).
    expect(checkMac("01:00:5e:00:00:01")).toBe(en["devices.macGroup"]);
    expect(checkMac("03:15:65:a1:b2:c3")).toBe(en["devices.macGroup"]);
    expect(checkMac("02:15:65:a1:b2:c3")).toBeNull();
  });

  it("formats with colons", () => {
    expect(formatMac("000413a1b2c3")).toBe("00:04:13:a1:b2:c3");
    expect(formatMac("")).toBe("");
  });
});

describe("texts", () => {
  it("names known vendors and leaves others as they are", () => {
    expect(vendorName("snom")).toBe("Snom");
    expect(vendorName("yealink")).toBe("Yealink");
    expect(vendorName("acme")).toBe("acme");
  });

  it("translates fetch results, sources and states it knows", () => {
    expect(fetchResultText("served (with account)")).toBe(en["devices.fetch.account"]);
    expect(fetchResultText("unknown MAC")).toBe(en["devices.fetch.unknown"]);
    expect(fetchResultText("teapot")).toBe("teapot");
    expect(sourceText("pnp")).toBe(en["devices.source.pnp"]);
    expect(sourceText("carrier pigeon")).toBe("carrier pigeon");
    expect(deviceStateText("assigned")).toBe(en["devices.state.assigned"]);
    expect(deviceStateText("free_seat")).toBe(en["devices.state.free_seat"]);
    expect(deviceStateText("lost")).toBe("lost");
  });
});

describe("parseLastFetch", () => {
  it("splits time, path and result", () => {
    expect(parseLastFetch("2026-12-01T19:40:00Z 001565a1b2c3.cfg served (with account)")).toEqual({
      at: Date.UTC(2026, 11, 1, 19, 40) / 1000,
      path: "001565a1b2c3.cfg",
      result: "served (with account)",
      ok: true,
    });
  });

  it("marks what was not served, and a time it cannot read", () => {
    expect(parseLastFetch("garbage /x.cfg no such file")).toEqual({ at: null, path: "/x.cfg", result: "no such file", ok: false });
  });

  it("is null when the phone never asked", () => {
    expect(parseLastFetch("")).toBeNull();
    expect(parseLastFetch("   ")).toBeNull();
  });
});

function device(overrides: Partial<Device> = {}): Device {
  return {
    mac: "001565a1b2c3",
    vendor: "yealink",
    model: "T54W",
    firmware: "",
    ip: "192.168.1.31",
    description: "",
    user_id: 7,
    state: "assigned",
    source: "manual",
    first_seen: null,
    last_seen: null,
    last_fetch: "",
    created: 0,
    updated: 0,
    user: null,
    registration: { registered: false },
    ...overrides,
  };
}

function registration(entityId: string, attributes: Record<string, unknown>): EntityState {
  return { entity_id: entityId, state: "registered", attributes, last_changed: 0, last_updated: 0 };
}

describe("registrationIsOf", () => {
  it("matches the assigned user's registration from the phone's address", () => {
    expect(registrationIsOf(registration("device.1", { user_id: 7, source: "udp:192.168.1.31:5060" }), device())).toBe(true);
    expect(registrationIsOf(registration("device.1", { user_id: 7, source: "udp:192.168.1.32:5060" }), device())).toBe(false);
  });

  it("reads IPv6 sources in brackets", () => {
    const phone = device({ ip: "fd00::31" });
    expect(registrationIsOf(registration("device.1", { user_id: 7, source: "tls:[fd00::31]:5061" }), phone)).toBe(true);
  });

  it("matches the MAC in the contact or the user agent, however written", () => {
    const other = { user_id: 7, source: "udp:10.0.0.9:5060" };
    expect(registrationIsOf(registration("device.1", { ...other, contact: "<sip:7@10.0.0.9;mac=00:15:65:A1:B2:C3>" }), device())).toBe(true);
    expect(registrationIsOf(registration("device.1", { ...other, user_agent: "Yealink SIP-T54W 001565a1b2c3" }), device())).toBe(true);
    expect(registrationIsOf(registration("device.1", other), device())).toBe(false);
  });

  it("never matches another user's registration or an unassigned phone", () => {
    const state = registration("device.1", { user_id: 8, source: "udp:192.168.1.31:5060" });
    expect(registrationIsOf(state, device())).toBe(false);
    expect(registrationIsOf(registration("device.1", { user_id: null, source: "udp:192.168.1.31:5060" }), device({ user_id: null }))).toBe(false);
  });
});

describe("liveRegistration", () => {
  const mine = registration("device.9", { user_id: 7, source: "udp:192.168.1.31:5060" });

  it("goes by the list's answer until the states are synced", () => {
    expect(liveRegistration(device({ registration: { registered: true } }), new Map(), false)).toBeUndefined();
    expect(liveRegistration(device(), new Map(), false)).toBeNull();
  });

  it("follows the known entity, else finds the phone's registration", () => {
    const states = new Map([[mine.entity_id, mine]]);
    expect(liveRegistration(device({ registration: { registered: true, entity_id: "device.9" } }), states, true)).toBe(mine);
    expect(liveRegistration(device(), states, true)).toBe(mine);
    expect(liveRegistration(device({ ip: "10.1.1.1" }), states, true)).toBeNull();
  });
});
