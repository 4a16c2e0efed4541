/** The pure helpers of the admin edits that close the REST gaps: the shared terminals editor
 * (TERM-01..03, CAPA-40), number ranges (NUM-01), presence and shortcuts (PRS-01..04, PRS-10) and
 * voicemail numbers (GIB-07); and their texts in every language. */
import { afterEach, describe, expect, it } from "vitest";
import {
  EMPTY_SHORTCUT,
  presenceBody,
  presenceValues,
  shortcutBody,
  shortcutDraft,
  shortcutDraftErrors,
} from "../src/components/presence-control";
import { moved, planBody, type TerminalPlan } from "../src/components/terminal-plan";
import { da } from "../src/i18n/da";
import { de } from "../src/i18n/de";
import { en } from "../src/i18n/en";
import { numberBody, numberDraftOf } from "../src/pages/group-inboxes";
import { EMPTY_RANGE, rangeBody, rangeDraft } from "../src/pages/numbers";
import type { Presence, Shortcut } from "../src/presence";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

describe("the terminals editor", () => {
  const plan: TerminalPlan = {
    user_id: 7,
    mode: "sequential",
    fallback: "  ",
    terminals: [
      { kind: "phones", number: "ignored", label: "", enabled: true, delay_s: 0, ring_s: 20, when: "always" },
      { kind: "number", number: " 1502 ", label: "Tove", enabled: true, delay_s: 5, ring_s: 15, when: "working_hours" },
    ],
  };

  it("sends trimmed numbers, none for the phones, and no empty fallback", () => {
    const body = planBody(plan) as { mode: string; fallback: unknown; terminals: Array<{ number: unknown; when: string }> };
    expect(body.mode).toBe("sequential");
    expect(body.fallback).toBeNull();
    expect(body.terminals.map((x) => x.number)).toEqual([null, "1502"]);
    expect(body.terminals[1]?.when).toBe("working_hours");
    expect(Object.keys(body)).toEqual(["mode", "terminals", "fallback"]);
    expect(planBody({ ...plan, fallback: " +4533123456 " })["fallback"]).toBe("+4533123456");
  });

  it("moves a terminal up or down, and not past an end", () => {
    expect(moved(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(moved(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(moved(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
    expect(moved(["a", "b", "c"], 2, 1)).toEqual(["a", "b", "c"]);
  });
});

describe("editing a number range", () => {
  it("edits every field the API changes and sends them trimmed", () => {
    const range = { id: 4, kind: "local" as const, first: "200", last: "299", purpose: "groups", label: "Groups",
      ivr_dialable: true, seeded: false, size: 100, in_use: 3 };
    const draft = rangeDraft(range);
    expect(draft).toEqual({ kind: "local", first: "200", last: "299", purpose: "groups", label: "Groups", ivr_dialable: true });
    expect(rangeBody({ ...draft, first: " 210 ", last: "289 ", label: " Teams " })).toEqual({
      kind: "local", first: "210", last: "289", purpose: "groups", label: "Teams", ivr_dialable: true,
    });
    expect(Object.keys(EMPTY_RANGE).sort()).toEqual(Object.keys(draft).sort());
  });
});

describe("presence", () => {
  const presence: Presence = {
    user_id: 3, availability: "busy", activity_id: 2, role_id: null, dnd: false, diversion: null, until: null,
    shortcut_id: null, call_state: "idle", activity: null, role: null, extension: "1501",
  };

  it("fills the form from a presence and sends it back (the role only when roles exist)", () => {
    const values = presenceValues(presence);
    expect(values).toEqual({ availability: "busy", activity: "2", role: "", until: "", diversion: "" });
    expect(presenceBody(values, false)).toEqual({ availability: "busy", activity_id: 2, until: null, diversion: null });
    expect(presenceBody({ ...values, role: "1", diversion: " 1502 " }, true)).toEqual({
      availability: "busy", activity_id: 2, until: null, diversion: "1502", role_id: 1,
    });
  });

  it("edits a shortcut: its fields in the form, the same body as when it was made", () => {
    const gym: Shortcut = { id: 9, owner_user_id: 3, scope: "user", name: "Gym", activity_id: null, availability: "busy",
      duration_minutes: 90, icon: "🏋", diversion: "+4520111222" };
    const draft = shortcutDraft(gym);
    expect(draft).toEqual({ name: "Gym", activity: "", availability: "busy", duration: "90", icon: "🏋", diversion: "+4520111222" });
    expect(shortcutBody({ ...draft, name: " Gym 2 ", duration: "" })).toEqual({
      name: "Gym 2", activity_id: null, availability: "busy", duration_minutes: null, icon: "🏋", diversion: "+4520111222",
    });
    expect(Object.values(shortcutDraftErrors(draft)).filter(Boolean)).toEqual([]);
    const bad = shortcutDraftErrors({ ...EMPTY_SHORTCUT, duration: "1.5", diversion: "nope" });
    expect(bad["name"]).toBeTruthy();
    expect(bad["duration_minutes"]).toBe(en["presence.durationInvalid"]);
    expect(bad["diversion"]).toBeTruthy();
  });
});

describe("editing a voicemail number", () => {
  it("fills the form and sends an inbox only for a group inbox", () => {
    expect(numberDraftOf({ number: "1598", kind: "group_inbox", inbox_id: 3 })).toEqual({ number: "1598", kind: "group_inbox", inboxId: "3" });
    expect(numberDraftOf({ number: "1599", kind: "user_inbox", inbox_id: null })).toEqual({ number: "1599", kind: "user_inbox", inboxId: "" });
    expect(numberBody({ number: " 15 97 ", kind: "group_inbox", inboxId: "3" })).toEqual({ number: "1597", kind: "group_inbox", inbox_id: 3 });
    expect(numberBody({ number: "1597", kind: "user_inbox", inboxId: "3" })).toEqual({ number: "1597", kind: "user_inbox", inbox_id: null });
  });
});

describe("the texts", () => {
  const keys = Object.keys(en).filter((k) => k.startsWith("adminEdits."));

  it("are in English, German and Danish, translated", () => {
    expect(keys.length).toBeGreaterThan(20);
    for (const key of keys) {
      const k = key as keyof typeof en;
      expect(de[k], key).toBeTruthy();
      expect(da[k], key).toBeTruthy();
      if (!/^\{?\w+\}?$/.test(en[k])) {
        expect(de[k], key).not.toBe(en[k]);
        expect(da[k], key).not.toBe(en[k]);
      }
    }
  });

  it("has the working-hours choices the admin's editor looks up by a computed key", () => {
    for (const when of ["working_hours", "outside_working_hours"]) expect(keys).toContain(`adminEdits.when.${when}`);
  });
});
