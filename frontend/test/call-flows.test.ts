import { afterEach, describe, expect, it } from "vitest";
import {
  BOX_H,
  BOX_W,
  GAP_X,
  MARGIN,
  cutLoops,
  edgeAt,
  edgeLabelText,
  editUrl,
  flowUrl,
  imageName,
  layoutTree,
  loadedPaths,
  nodeKindText,
  noteText,
  numbersOnPath,
  svgOf,
  withNode,
  type FlowNode,
} from "../src/call-flows";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

const BO: FlowNode = {
  number: "1002",
  kind: "user",
  label: "Bo Tester",
  note: "",
  edges: [
    { label: "at once", target: null, kind: "phones", note: "", expandable: false },
    { label: "after 20 s", target: "1002", kind: "voicemail", note: "Mailbox", expandable: false },
  ],
};
const SALES: FlowNode = {
  number: "1500",
  kind: "hunt_group",
  label: "Sales",
  note: "",
  edges: [
    { label: "member", target: "1002", kind: "number", note: "parallel, 15 s", expandable: true },
    { label: "fallback", target: "1600", kind: "number", note: "", expandable: true },
  ],
};
const MAIN: FlowNode = {
  number: "1600",
  kind: "ivr",
  label: "Main <&>",
  note: "",
  edges: [
    { label: "key 1", target: "1500", kind: "number", note: "", expandable: true },
    { label: "no key pressed", target: null, kind: "hangup", note: "", expandable: false },
  ],
};

describe("call flows (AA-02)", () => {
  it("names the API's nodes and edges in the UI's language", () => {
    expect(flowUrl("1600")).toBe("/api/numbers/1600/flow");
    expect(flowUrl("+4512", 30)).toBe("/api/numbers/%2B4512/flow?depth=10");
    expect(edgeLabelText("key 1")).toBe("key 1");
    expect(noteText("parallel, 15 s")).toBe("all at once, 15 s");
    expect(nodeKindText("plugin_kind")).toBe("plugin_kind");
    useLanguage("de");
    expect(edgeLabelText("key 1")).toBe("Taste 1");
    expect(edgeLabelText("after 20 s")).toBe("nach 20 s");
    expect(edgeLabelText("fallback")).toBe("Ausweichziel");
    expect(noteText("one by one, 15 s")).toBe("nacheinander, 15 s");
    expect(noteText("goodbye, after 3 tries of 5 s")).toBe("Verabschiedung nach 3 Versuchen zu je 5 s");
    expect(nodeKindText("hunt_group")).toBe("Sammelrufgruppe");
    useLanguage("da");
    expect(edgeLabelText("no key pressed")).toBe("ingen tast trykket");
    expect(edgeLabelText("Rule name")).toBe("Rule name");
  });

  it("links a function number's node to its page with its form open, and no other node", () => {
    expect(editUrl({ number: "1600", kind: "ivr" })).toBe("/ivr?edit=1600");
    expect(editUrl({ number: "+4589401000", kind: "hunt_group" })).toBe("/hunt-groups?edit=%2B4589401000");
    expect(editUrl({ number: "1650", kind: "flow_switch" })).toBe("/flow-elements?edit=1650");
    expect(editUrl({ number: "1660", kind: "announcement" })).toBe("/flow-elements?edit=1660");
    expect(editUrl({ number: "1580", kind: "group_inbox" })).toBe("/group-inboxes?edit=1580");
    expect(editUrl({ number: "1750", kind: "rule_number" })).toBe("/rule-numbers?edit=1750");
    expect(nodeKindText("rule_number")).toBe("Rule-based number");
    for (const kind of ["user", "outside", "unknown", "loop", "park"]) {
      expect(editUrl({ number: "1001", kind })).toBeNull();
    }
  });

  it("hangs fetched nodes on their edges and finds them by path", () => {
    const tree = withNode(withNode(MAIN, "0", SALES), "0/0", BO);
    expect(MAIN.edges[0]?.node).toBeUndefined(); // a copy: the old tree is left as it was
    expect(edgeAt(tree, "0/0")?.node?.label).toBe("Bo Tester");
    expect(numbersOnPath(tree, "0/0")).toEqual(["1600", "1500", "1002"]);
    expect(loadedPaths(tree)).toEqual(["0", "0/0"]);
  });

  it("cuts a subtree where it comes back to a number on the way down", () => {
    const subtree = withNode(SALES, "1", MAIN);
    const cut = cutLoops(subtree, ["1600"]);
    expect(cut.edges[1]?.node).toEqual({ number: "1600", kind: "loop", label: "", note: "", edges: [] });
  });

  it("lays the open tree out from left to right, a parent level with the middle of its children", () => {
    const tree = withNode(withNode(MAIN, "0", SALES), "0/0", BO);
    const closed = layoutTree(tree, () => false);
    expect(closed.boxes.map((b) => b.title)).toEqual(["1500", "Hang up", "1600 Main <&>"]);
    const open = layoutTree(tree, (p) => p === "0" || p === "0/0");
    const titles = open.boxes.map((b) => b.title);
    expect(titles).toEqual(["Their phones ring", "1002", "1002 Bo Tester", "1600", "1500 Sales", "Hang up", "1600 Main <&>"]);
    const box = (title: string) => open.boxes.find((b) => b.title === title)!;
    expect(box("1600 Main <&>").x).toBe(MARGIN);
    expect(box("1500 Sales").x).toBe(MARGIN + BOX_W + GAP_X);
    expect(box("1002").subtitle).toBe("Voicemail");
    expect(box("1002 Bo Tester").y).toBe((box("Their phones ring").y + box("1002").y) / 2);
    expect(open.links).toHaveLength(6);
    expect(open.width).toBe(2 * MARGIN + 4 * BOX_W + 3 * GAP_X);
    expect(open.height).toBeGreaterThanOrEqual(4 * BOX_H);
    const svg = svgOf(open);
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg).toContain("Main &lt;&amp;&gt;");
    expect(svg).toContain(">key 1<");
    expect(imageName("+45 1600", "png")).toBe("call-flow-+45_1600.png");
  });
});
