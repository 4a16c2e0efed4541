import { afterEach, describe, expect, it } from "vitest";
import {
  checkDraft,
  destinationsText,
  draftBody,
  draftOf,
  errorFor,
  isForwardAll,
  isoWithOffset,
  offsetText,
  ruleSentence,
  splitPrefixes,
  whyNot,
  type Facts,
  type Names,
  type Rule,
} from "../src/routing";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

const names: Names = { activities: new Map([[3, "Lunch"], [4, "Meeting"]]), roles: new Map([[1, "Support"]]) };

function rule(changes: Partial<Rule> = {}): Rule {
  return {
    id: 1,
    scope: "user",
    scope_id: 7,
    list: "incoming",
    tier: null,
    position: 1,
    name: "Busy to voicemail",
    enabled: true,
    conditions: {},
    destinations: [{ kind: "phones", after_s: 0, target: null }],
    ...changes,
  };
}

const facts: Facts = {
  user_id: 7,
  at: "2026-12-12T10:00:00+01:00",
  availability: "available",
  activity_id: null,
  role_id: 1,
  dnd: false,
  in_call: false,
  in_working_hours: false,
  caller_kind: "external",
  caller_number: "+4533123456",
  called_number: "1001",
};

describe("a rule as a sentence (RTE-04)", () => {
  it("reads conditions and timed destinations", () => {
    const r = rule({
      conditions: { in_call: true },
      destinations: [
        { kind: "phones", after_s: 0, target: null },
        { kind: "voicemail", after_s: 10, target: null },
      ],
    });
    expect(ruleSentence(r)).toBe(
      "When a call comes in and the user is in a call, ring the phones at once, then send to voicemail after 10 s.",
    );
  });

  it("joins destinations that start together and names activities, roles and prefixes", () => {
    const r = rule({
      list: "outgoing",
      conditions: { activity_ids: [3, 9], role_ids: [1], working_hours: "out", called_prefixes: ["00", "+"] },
      destinations: [
        { kind: "phones", after_s: 0, target: null },
        { kind: "number", after_s: 0, target: "0171555" },
        { kind: "reject", after_s: 30, target: null },
      ],
    });
    expect(ruleSentence(r, names)).toBe(
      "When a call is placed and the activity is Lunch or #9 and the role is Support and outside working hours (night mode)" +
        " and the dialled number starts with 00 or +, ring the phones and forward to 0171555 at once, then reject the call after 30 s.",
    );
  });

  it("is translated", () => {
    useLanguage("de");
    expect(destinationsText([{ kind: "voicemail", after_s: 0, target: null }])).toBe("an die Mailbox sofort");
    expect(ruleSentence(rule({ conditions: { dnd: true } }))).toBe(
      "Wenn ein Anruf eingeht und Nicht stören an ist: die Telefone klingeln sofort.",
    );
  });
});

describe("why a rule does not match (the engine's mismatch, BYD-25)", () => {
  it("names the first failing condition, or null when the rule matches", () => {
    expect(whyNot(rule(), facts)).toBeNull();
    expect(whyNot(rule({ enabled: false }), facts)).toBe("the rule is switched off");
    expect(whyNot(rule({ conditions: { availability: "busy" } }), facts)).toBe("the user is available");
    expect(whyNot(rule({ conditions: { activity_ids: [3] } }), facts, names)).toBe("the activity is None");
    expect(whyNot(rule({ conditions: { role_ids: [1] } }), facts, names)).toBeNull();
    expect(whyNot(rule({ conditions: { working_hours: "in", caller: "internal" } }), facts)).toBe("outside working hours (night mode)");
    expect(whyNot(rule({ conditions: { caller: "internal" } }), facts)).toBe("the caller is external");
    expect(whyNot(rule({ conditions: { caller_prefixes: ["+49"] } }), facts)).toBe("the caller's number +4533123456 has none of the prefixes");
    expect(whyNot(rule({ conditions: { caller_prefixes: ["+45"], dnd: false, in_call: false } }), facts)).toBeNull();
  });

  it("outgoing rules by the number's type (RTE-07)", () => {
    const premium = rule({ list: "outgoing", conditions: { number_types: ["Premium", "Mobile"] } });
    expect(ruleSentence(premium)).toContain("the number is of type Premium or Mobile");
    expect(whyNot(premium, { ...facts, number_type: "Premium" })).toBeNull();
    expect(whyNot(premium, { ...facts, number_type: null })).toBe("the number's type is None");
    expect(draftBody(draftOf(premium, "outgoing"), "user").conditions).toEqual({ number_types: ["Premium", "Mobile"] });
  });

  it("forwards when unavailable: whether a phone is registered", () => {
    const away = rule({ conditions: { phones_registered: false } });
    expect(ruleSentence(away)).toContain("no phone is registered");
    expect(whyNot(away, { ...facts, phones_registered: true })).toBe("a phone is registered");
    expect(whyNot(away, { ...facts, phones_registered: false })).toBeNull();
    expect(draftBody(draftOf(away, "incoming"), "user").conditions).toEqual({ phones_registered: false });
  });
});

describe("the forward-all rule (RTE-08)", () => {
  it("has no conditions and one forward at 0 s", () => {
    const forward = rule({ destinations: [{ kind: "number", after_s: 0, target: "0171" }] });
    expect(isForwardAll(forward)).toBe(true);
    expect(isForwardAll({ ...forward, conditions: { dnd: true } })).toBe(false);
    expect(isForwardAll({ ...forward, destinations: [{ kind: "number", after_s: 5, target: "0171" }] })).toBe(false);
    expect(isForwardAll(rule())).toBe(false);
  });
});

describe("the editor's draft", () => {
  it("round-trips a rule into the API's body", () => {
    const r = rule({
      scope: "org",
      scope_id: null,
      tier: "required",
      conditions: { dnd: false, caller_prefixes: ["0", "+49"], activity_ids: [4, 3] },
      destinations: [
        { kind: "phones", after_s: 0, target: null },
        { kind: "number", after_s: 15, target: "+4520123456" },
      ],
    });
    expect(draftBody(draftOf(r, "incoming"), "org")).toEqual({
      name: "Busy to voicemail",
      enabled: true,
      tier: "required",
      conditions: { dnd: false, caller_prefixes: ["0", "+49"], activity_ids: [3, 4] },
      destinations: [
        { kind: "phones", after_s: 0, target: null },
        { kind: "number", after_s: 15, target: "+4520123456" },
      ],
    });
    expect(draftBody(draftOf(null, "fallback", ["voicemail"]), "user")).toEqual({
      name: "",
      enabled: true,
      conditions: {},
      destinations: [{ kind: "voicemail", after_s: 0, target: null }],
    });
  });

  it("checks fields under the API's names", () => {
    const draft = draftOf(null, "incoming");
    draft.callerPrefixes = "0, 12a";
    draft.destinations = [
      { kind: "phones", after: "20", target: "" },
      { kind: "number", after: "10", target: "" },
      { kind: "voicemail", after: "700", target: "" },
      { kind: "number", after: "700", target: "1x" },
    ];
    const errors = checkDraft(draft, "group", ["phones", "number"]);
    expect(Object.keys(errors).filter((k) => errors[k]).sort()).toEqual([
      "conditions.caller_prefixes",
      "destinations.1.after_s",
      "destinations.1.target",
      "destinations.2.after_s",
      "destinations.2.kind",
      "destinations.3.after_s",
      "destinations.3.target",
      "name",
      "tier",
    ]);
    expect(errorFor({ "conditions.caller_prefixes.1": "bad" }, "conditions.caller_prefixes")).toBe("bad");
    expect(splitPrefixes(" 0171; 0172  +45 ")).toEqual(["0171", "0172", "+45"]);
  });
});

describe("times with the browser's offset", () => {
  it("formats offsets both ways", () => {
    expect(offsetText({ getTimezoneOffset: () => -60 } as Date)).toBe("+01:00");
    expect(offsetText({ getTimezoneOffset: () => 330 } as Date)).toBe("-05:30");
    expect(offsetText({ getTimezoneOffset: () => 0 } as Date)).toBe("+00:00");
  });

  it("builds ISO 8601 with that day's offset and refuses bad input", () => {
    const iso = isoWithOffset("2026-12-12", "9:05");
    expect(iso).toMatch(/^2026-12-12T09:05:00[+-]\d{2}:\d{2}$/);
    expect(new Date(iso!).getTime()).toBe(new Date(2026, 11, 12, 9, 5).getTime());
    expect(isoWithOffset("2026-02-30", "10:00")).toBeNull();
    expect(isoWithOffset("2026-12-12", "24:00")).toBeNull();
    expect(isoWithOffset("", "10:00")).toBeNull();
    expect(isoWithOffset("2026-12-12", "10:00:00")).toMatch(/^2026-12-12T10:00:00[+-]/);
  });
});

describe("callers in the contacts (caller_contacts)", () => {
  it("reads a preset as words, keeps an unnamed set as it is, and says why a caller did not match", () => {
    const vips = rule({ conditions: { caller_contacts: ["vip"] } });
    expect(ruleSentence(vips)).toContain("the caller is a VIP contact");
    expect(whyNot(vips, { ...facts, caller_contact: "unknown" })).toBe("the caller is not in the contacts");
    expect(whyNot(vips, { ...facts, caller_contact: "vip" })).toBeNull();
    expect(whyNot(vips, facts)).toBe("the caller is not in the contacts");

    const known = draftOf(rule({ conditions: { caller_contacts: ["colleague", "vip", "contact", "favourite"] } }), "incoming");
    expect(known.callerContacts).toBe("known");
    expect(draftBody({ ...known, callerContacts: "unknown" }, "user")["conditions"]).toEqual({ caller_contacts: ["unknown"] });
    expect(draftBody({ ...known, callerContacts: "" }, "user")["conditions"]).toEqual({});

    const odd = rule({ conditions: { caller_contacts: ["blocked", "unknown"] } });
    expect(ruleSentence(odd)).toContain("the caller is in the contacts as blocked or unknown");
    const kept = draftOf(odd, "incoming");
    expect(kept.callerContacts).toBe("custom");
    expect(draftBody(kept, "user")["conditions"]).toEqual({ caller_contacts: ["blocked", "unknown"] });
  });
});
