import { afterEach, describe, expect, it } from "vitest";
import type { FlowNode } from "../src/call-flows";
import type { Announcement } from "../src/flow-elements";
import {
  AFTER_PROMPT,
  NO_KEY,
  addStepErrors,
  announcementUpdateBody,
  announcementWhens,
  canAddStep,
  elementBody,
  emptyAddStepDraft,
  freeKeys,
  menuUpdateBody,
  menuWhens,
  nextFreeNumber,
  parentStepError,
  pathOf,
  stepLabel,
  stepTarget,
  wayTo,
  whenText,
  type AddStepDraft,
} from "../src/flow-add";
import { ivrMenu } from "./ivr-menu";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

const MENU = ivrMenu({
  id: 4,
  number: "1690",
  options: { "1": { kind: "number", target: "1560" }, "9": { kind: "voicemail", target: "1240" } },
  admin_groups: [3],
});

const CLOSED: Announcement = {
  id: 7,
  name: "Closed",
  number: "1691",
  prompt: "goodbye",
  next_number: null,
  locked: false,
  admin_groups: [],
};

function draft(over: Partial<AddStepDraft>): AddStepDraft {
  return { ...emptyAddStepDraft("2", "1692"), ...over };
}

describe("where a step may be added", () => {
  it("offers a menu's unused keys in the IVR page's order, then no key pressed", () => {
    expect(freeKeys(MENU)).toEqual(["2", "3", "4", "5", "6", "7", "8", "0", "*", "#"]);
    expect(menuWhens(MENU)).toEqual(["2", "3", "4", "5", "6", "7", "8", "0", "*", "#", NO_KEY]);
  });

  it("leaves out no key pressed once the menu has a timeout destination, and keys while it dials directly", () => {
    const withTimeout = { ...MENU, timeout_destination: { kind: "hangup" as const } };
    expect(menuWhens(withTimeout)).not.toContain(NO_KEY);
    expect(freeKeys({ ...MENU, direct_dial: true })).toEqual([]);
    expect(menuWhens({ ...MENU, direct_dial: true })).toEqual([NO_KEY]);
  });

  it("offers an announcement's next number only while it hangs up", () => {
    expect(announcementWhens(CLOSED)).toEqual([AFTER_PROMPT]);
    expect(announcementWhens({ next_number: "1240" })).toEqual([]);
  });

  it("shows Add step on menu and announcement nodes that have room, from the tree alone", () => {
    const edge = (label: string, target: string | null, kind = "number") => ({ label, target, kind, note: "", expandable: !!target });
    const menu: FlowNode = { number: "1690", kind: "ivr", label: "Main", note: "", edges: [edge("key 1", "1560"), edge("no key pressed", "1240")] };
    expect(canAddStep(menu)).toBe(true);
    const full = { ...menu, edges: [..."1234567890*#"].map((k) => edge(`key ${k}`, "1560")).concat(edge("no key pressed", "1240")) };
    expect(canAddStep(full)).toBe(false);
    expect(canAddStep({ ...full, edges: [...full.edges.slice(0, 12), edge("no key pressed", null, "hangup")] })).toBe(true);
    const dialling = { ...menu, edges: [edge("direct dialling", null, "direct_dial"), edge("no key pressed", "1240")] };
    expect(canAddStep(dialling)).toBe(false);
    const hangsUp: FlowNode = { number: "1691", kind: "announcement", label: "", note: "", edges: [edge("then", null, "hangup")] };
    expect(canAddStep(hangsUp)).toBe(true);
    expect(canAddStep({ ...hangsUp, edges: [edge("then", "1240")] })).toBe(false);
    expect(canAddStep({ ...hangsUp, kind: "flow_switch" })).toBe(false);
    expect(canAddStep({ ...hangsUp, kind: "hunt_group" })).toBe(false);
  });

  it("names the choices in the UI's language", () => {
    expect(whenText("1")).toBe("Key 1");
    expect(whenText(NO_KEY)).toBe("No key pressed");
    useLanguage("de");
    expect(whenText("#")).toBe("Taste #");
    useLanguage("da");
    expect(whenText(AFTER_PROMPT)).toBe("Efter beskeden");
  });
});

describe("nextFreeNumber", () => {
  it("suggests the number after the highest one taken in 1600-1699", () => {
    expect(nextFreeNumber([])).toBe("1600");
    expect(nextFreeNumber(["1600", "1605", "1240", "+4589401699", "1700"])).toBe("1606");
  });

  it("falls back to the lowest gap when the last number is taken, and to null when all are", () => {
    expect(nextFreeNumber(["1600", "1699"])).toBe("1601");
    const all = Array.from({ length: 100 }, (_, i) => String(1600 + i));
    expect(nextFreeNumber(all)).toBeNull();
    expect(nextFreeNumber(["10", "12"], 10, 12)).toBe("11");
  });
});

describe("the form's checks and bodies", () => {
  it("asks for a free step, a name, a number and an announcement's prompt", () => {
    expect(addStepErrors(draft({ go: "ivr", name: "Sales" }), ["2"])).toEqual({});
    expect(addStepErrors(draft({ go: "ivr", when: "1", name: " ", number: "1 " }), ["2"])).toEqual({
      when: "This field is required.",
      name: "This field is required.",
      number: expect.stringContaining("2 to 8 digits") as string,
    });
    expect(Object.keys(addStepErrors(draft({ go: "announcement", name: "Hi" }), ["2"]))).toEqual(["prompt"]);
    expect(addStepErrors(draft({ go: "announcement", name: "Hi", prompt: "goodbye", nextNumber: "16 92" }), ["2"])).toEqual({
      next_number: "An element cannot send callers to its own number.",
    });
    expect(addStepErrors(draft({ go: "number", target: "" }), ["2"])).toEqual({ target: "This field is required." });
    expect(addStepErrors(draft({ go: "number", target: "12a" }), ["2"])).toEqual({ target: expect.stringContaining("digits") as string });
    expect(addStepErrors(draft({ go: "number", target: "+45 1240" }), ["2"])).toEqual({});
  });

  it("creates a bare menu, an announcement with its prompt and next number, and nothing for an existing number", () => {
    expect(elementBody(draft({ go: "ivr", name: " Sales ", number: "16 92" }))).toEqual({ name: "Sales", number: "1692" });
    expect(elementBody(draft({ go: "announcement", name: "Hi", prompt: "org:3", nextNumber: "" }))).toEqual({
      name: "Hi",
      number: "1692",
      prompt: "org:3",
      next_number: null,
    });
    expect(elementBody(draft({ go: "announcement", name: "Hi", prompt: "goodbye", nextNumber: "12 40" }))?.["next_number"]).toBe("1240");
    expect(elementBody(draft({ go: "number", target: "1240" }))).toBeNull();
    expect(stepTarget(draft({ go: "number", target: " 12 40" }))).toBe("1240");
    expect(stepTarget(draft({ go: "ivr" }))).toBe("1692");
  });

  it("puts the whole menu back with the new key or timeout destination", () => {
    const body = menuUpdateBody(MENU, "2", "1692");
    expect(body).toEqual({ ...MENU, options: { ...MENU.options, "2": { kind: "number", target: "1692" } } });
    expect(MENU.options).not.toHaveProperty("2");
    expect(menuUpdateBody(MENU, NO_KEY, "1240")).toEqual({ ...MENU, timeout_destination: { kind: "number", target: "1240" } });
    expect(menuUpdateBody(MENU, "1", "1692")).toBeNull();
    expect(menuUpdateBody({ ...MENU, timeout_destination: { kind: "repeat" } }, NO_KEY, "1692")).toBeNull();
  });

  it("puts the announcement back with its next number, unless it has one", () => {
    expect(announcementUpdateBody(CLOSED, "1240")).toEqual({ ...CLOSED, next_number: "1240" });
    expect(announcementUpdateBody({ ...CLOSED, next_number: "1230" }, "1240")).toBeNull();
  });

  it("finds the parent's refusal of the step among its field errors", () => {
    expect(parentStepError({ "options.2.target": "nothing answers 1692" })).toBe("nothing answers 1692");
    expect(parentStepError({ welcome_prompt: "gone", "timeout_destination.target": "circles" })).toBe("circles");
    expect(parentStepError({ next_number: "circles" })).toBe("circles");
    expect(parentStepError({ welcome_prompt: "gone" })).toBeUndefined();
  });
});

describe("the tree after a step was added", () => {
  const leaf = (number: string, kind = "user"): FlowNode => ({ number, kind, label: "", note: "", edges: [] });
  const before: FlowNode = {
    number: "1690",
    kind: "ivr",
    label: "Main",
    note: "",
    edges: [
      { label: "key 9", target: "1560", kind: "number", note: "", expandable: true, node: leaf("1560", "hunt_group") },
      { label: "no key pressed", target: null, kind: "hangup", note: "", expandable: false },
    ],
  };
  const after: FlowNode = {
    ...before,
    edges: [
      { label: "key 1", target: "1692", kind: "number", note: "", expandable: true },
      { label: "key 9", target: "1560", kind: "number", note: "", expandable: true, node: leaf("1560", "hunt_group") },
      { label: "no key pressed", target: null, kind: "hangup", note: "", expandable: false },
    ],
  };

  it("finds an open edge again by its label and target though a new key shifted it", () => {
    expect(wayTo(before, "0")).toEqual([{ label: "key 9", target: "1560" }]);
    expect(pathOf(after, wayTo(before, "0"))).toBe("1");
    expect(pathOf(after, [{ target: "1692" }])).toBe("0");
    expect(pathOf(after, [{ label: "key 2", target: "1692" }])).toBeNull();
    expect(pathOf(after, [])).toBeNull();
    expect(wayTo(before, "5")).toEqual([]);
  });

  it("names the new edge as the server does, so that the right one of two to the same number opens", () => {
    expect(stepLabel("1")).toBe("key 1");
    expect(stepLabel(NO_KEY)).toBe("no key pressed");
    expect(stepLabel(AFTER_PROMPT)).toBe("then");
    const twice: FlowNode = {
      ...before,
      edges: [
        { label: "key 1", target: "1240", kind: "number", note: "", expandable: true },
        { label: "no key pressed", target: "1240", kind: "number", note: "", expandable: true },
      ],
    };
    expect(pathOf(twice, [{ label: stepLabel(NO_KEY), target: "1240" }])).toBe("1");
  });

  it("follows a way only through nodes that are loaded", () => {
    expect(pathOf(after, [{ target: "1692" }, { target: "1240" }])).toBeNull();
  });
});
