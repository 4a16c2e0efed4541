/** RBN-01: the organisation's "Rules for rule-based numbers" in the routing editor's pure helpers. */
import { afterEach, describe, expect, it } from "vitest";
import {
  DEST_KINDS,
  LISTS,
  ORG_LISTS,
  RULE_NUMBER_KINDS,
  checkDraft,
  draftBody,
  draftConditions,
  draftOf,
  hasTier,
  kindsFor,
  listsFor,
  movableLists,
  ruleSentence,
  type Rule,
} from "../src/routing";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

function rule(changes: Partial<Rule> = {}): Rule {
  return {
    id: 9,
    scope: "org",
    scope_id: null,
    list: "rule_numbers",
    tier: null,
    position: 1,
    name: "Hotline by day",
    enabled: true,
    conditions: { called_prefixes: ["1750"], working_hours: "in" },
    destinations: [{ kind: "number", after_s: 0, target: "1001" }],
    ...changes,
  };
}

describe("the lists of a level", () => {
  it("adds the rules for rule-based numbers at the organisation level only", () => {
    expect(listsFor("org")).toEqual(["incoming", "outgoing", "fallback", "rule_numbers"]);
    expect(listsFor("group")).toEqual(["incoming", "outgoing", "fallback"]);
    expect(listsFor("user")).toEqual(LISTS);
    expect(ORG_LISTS.slice(0, 3)).toEqual(LISTS);
  });

  it("keeps a new rule for rule-based numbers in its list, and the other lists among themselves", () => {
    expect(movableLists(ORG_LISTS, "rule_numbers")).toEqual(["rule_numbers"]);
    expect(movableLists(ORG_LISTS, "incoming")).toEqual(["incoming", "outgoing", "fallback"]);
    expect(movableLists(["incoming"], "incoming")).toEqual(["incoming"]);
  });

  it("offers forwarding, busy and reject only, and no tier", () => {
    expect(kindsFor("rule_numbers", DEST_KINDS)).toEqual(["number", "busy", "reject"]);
    expect(kindsFor("incoming", ["phones", "voicemail"])).toEqual(["phones", "voicemail"]);
    expect(hasTier("org", "rule_numbers")).toBe(false);
    expect(hasTier("org", "incoming")).toBe(true);
    expect(hasTier("group", "fallback")).toBe(true);
    expect(hasTier("user", "incoming")).toBe(false);
  });
});

describe("a rule for rule-based numbers in the editor", () => {
  it("starts without a tier, forwarding to a number, and is sent with tier null", () => {
    const draft = draftOf(null, "rule_numbers", RULE_NUMBER_KINDS, "overridable");
    expect(draft.tier).toBe("");
    expect(draft.destinations).toEqual([{ kind: "number", after: "0", target: "" }]);
    draft.name = "Hotline";
    draft.calledPrefixes = "1750, 1751";
    draft.destinations = [{ kind: "number", after: "0", target: "10 01" }];
    expect(checkDraft(draft, "org", RULE_NUMBER_KINDS)).toEqual({});
    expect(draftBody(draft, "org")).toEqual({
      name: "Hotline",
      enabled: true,
      tier: null,
      conditions: { called_prefixes: ["1750", "1751"] },
      destinations: [{ kind: "number", after_s: 0, target: "1001" }],
    });
  });

  it("round-trips a stored rule", () => {
    const draft = draftOf(rule(), "incoming", RULE_NUMBER_KINDS, "overridable");
    expect(draft.list).toBe("rule_numbers");
    expect(draftBody(draft, "org")).toEqual({
      name: "Hotline by day",
      enabled: true,
      tier: null,
      conditions: { working_hours: "in", called_prefixes: ["1750"] },
      destinations: [{ kind: "number", after_s: 0, target: "1001" }],
    });
  });

  it("sends only the conditions such a rule may test", () => {
    const draft = draftOf(null, "rule_numbers", RULE_NUMBER_KINDS);
    Object.assign(draft, { availability: "busy", dnd: "yes", caller: "external", callerPrefixes: "+49", workingHours: "out" });
    expect(draftConditions(draft)).toEqual({ working_hours: "out", caller: "external", caller_prefixes: ["+49"] });
  });

  it("refuses a destination kind it may not use, under the API's field name", () => {
    const draft = draftOf(null, "rule_numbers", RULE_NUMBER_KINDS);
    draft.name = "Hotline";
    draft.destinations = [{ kind: "voicemail", after: "0", target: "" }];
    expect(Object.keys(checkDraft(draft, "org", RULE_NUMBER_KINDS))).toEqual(["destinations.0.kind"]);
  });

  it("still asks other organisation rules for a tier", () => {
    const draft = draftOf(null, "incoming");
    draft.name = "x";
    expect(checkDraft(draft, "org").tier).toBe("Choose required or overridable.");
  });

  it("reads as a sentence, in every language", () => {
    expect(ruleSentence(rule())).toBe(
      "When a rule-based number is called and within working hours and the dialled number starts with 1750, forward to 1001 at once.",
    );
    useLanguage("de");
    expect(ruleSentence(rule())).toMatch(/^Wenn eine regelbasierte Rufnummer angerufen wird/);
    useLanguage("da");
    expect(ruleSentence(rule())).toMatch(/^Når der ringes til et regelbaseret nummer/);
  });
});
