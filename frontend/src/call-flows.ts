/**
 * Call flows (AA-02, number visualisation): the API's shapes (core/numbers/flow.py) and the pure
 * helpers of the Call flows page: the texts of nodes and edges, the tree as the admin expanded it
 * (paths of edge indexes: "" the root, "0/2" the third edge of the first edge's node), and a tidy
 * left-to-right layout of that tree drawn as SVG for "Render image".
 */
import { t, type MessageKey } from "./i18n";

export const FLOWS = "/api/numbers/flows";
export const MAX_DEPTH = 10;

/** Where a call goes next from a node; `node` is the target's node once it was fetched. */
export interface FlowEdge {
  label: string;
  target: string | null;
  kind: string;
  note: string;
  expandable: boolean;
  node?: FlowNode;
}

/** A number and what it is, as GET /api/numbers/{number}/flow gives it. */
export interface FlowNode {
  number: string;
  kind: string;
  label: string;
  note: string;
  edges: FlowEdge[];
}

/** A number to start from (GET /api/numbers/flows). */
export interface FlowStart {
  number: string;
  plugin: string;
  label: string;
}

export function flowUrl(number: string, depth = 0): string {
  const base = `/api/numbers/${encodeURIComponent(number)}/flow`;
  return depth > 0 ? `${base}?depth=${Math.min(depth, MAX_DEPTH)}` : base;
}

const NODE_KINDS: Record<string, MessageKey> = {
  ivr: "flows.kind.ivr",
  hunt_group: "flows.kind.hunt_group",
  flow_switch: "flows.kind.flow_switch",
  announcement: "flows.kind.announcement",
  park: "flows.kind.park",
  rule_number: "flows.kind.rule_number",
  user: "flows.kind.user",
  outside: "flows.kind.outside",
  unknown: "flows.kind.unknown",
  loop: "flows.kind.loop",
};
const EDGE_KINDS: Record<string, MessageKey> = {
  voicemail: "flows.edge.voicemail",
  hangup: "flows.edge.hangup",
  repeat: "flows.edge.repeat",
  phones: "flows.edge.phones",
  busy: "flows.edge.busy",
  reject: "flows.edge.reject",
  direct_dial: "flows.edge.direct_dial",
};

/** What a node is ("IVR menu", "Hunt group" ...); a plugin's own kind as it is. */
/** The admin page where a node of each of these kinds is changed (AA: a call flow's building blocks
 * are edited where they live). */
const EDIT_PAGES: Record<string, string> = {
  ivr: "/ivr",
  hunt_group: "/hunt-groups",
  flow_switch: "/flow-elements",
  announcement: "/flow-elements",
  group_inbox: "/group-inboxes",
  rule_number: "/rule-numbers",
};

/** Where the node's function number is changed, its form open (`?edit=`); null for other kinds. */
export function editUrl(node: Pick<FlowNode, "number" | "kind">): string | null {
  const page = EDIT_PAGES[node.kind];
  return page ? `${page}?edit=${encodeURIComponent(node.number)}` : null;
}

export function nodeKindText(kind: string): string {
  const key = NODE_KINDS[kind];
  return key ? t(key) : kind;
}

/** What an edge that rings no number of its own does ("Voicemail", "Hang up" ...). */
export function edgeKindText(kind: string): string {
  const key = EDGE_KINDS[kind];
  return key ? t(key) : kind;
}

/** An edge's label in the UI's language: "key 1", "after 20 s", "fallback" ...; others as they are. */
export function edgeLabelText(label: string): string {
  let m = /^key (.+)$/.exec(label);
  if (m) return t("flows.label.key", { key: m[1] ?? "" });
  m = /^after (\d+) s$/.exec(label);
  if (m) return t("flows.label.after", { seconds: m[1] ?? "" });
  const fixed: Record<string, MessageKey> = {
    "at once": "flows.label.atOnce",
    "no key pressed": "flows.label.noKey",
    "direct dialling": "flows.label.directDial",
    member: "flows.label.member",
    fallback: "flows.label.fallback",
    otherwise: "flows.label.otherwise",
  };
  const key = fixed[label];
  return key ? t(key) : label;
}

/** A note the server phrases ("parallel, 20 s", "goodbye, after 3 tries of 5 s") in the UI's language; others as they are. */
export function noteText(note: string): string {
  const tries = /^(goodbye, )?after (\d+) tries of (\d+) s$/.exec(note);
  if (tries) {
    const params = { tries: tries[2] ?? "", seconds: tries[3] ?? "" };
    return t(tries[1] ? "flows.note.goodbyeTries" : "flows.note.tries", params);
  }
  const m = /^(parallel|one by one), (\d+) s$/.exec(note);
  if (!m) return note;
  return t(m[1] === "parallel" ? "flows.note.parallel" : "flows.note.sequential", { seconds: m[2] ?? "" });
}

/** The node's one-line title: "1500 Sales", or just the number. */
export function nodeTitle(node: Pick<FlowNode, "number" | "label">): string {
  return node.label ? `${node.number} ${node.label}` : node.number;
}

// -- the tree as expanded ----------------------------------------------------------------------
export function childPath(path: string, index: number): string {
  return path ? `${path}/${index}` : String(index);
}

function indexes(path: string): number[] {
  return path ? path.split("/").map(Number) : [];
}

/** The edge at `path` (a child of the root for "0"), or undefined. */
export function edgeAt(root: FlowNode, path: string): FlowEdge | undefined {
  let node: FlowNode | undefined = root;
  let edge: FlowEdge | undefined;
  for (const i of indexes(path)) {
    edge = node?.edges[i];
    node = edge?.node;
  }
  return edge;
}

/** The numbers of the nodes from the root down to (and including) the node at `path`. */
export function numbersOnPath(root: FlowNode, path: string): string[] {
  const found = [root.number];
  let node: FlowNode | undefined = root;
  for (const i of indexes(path)) {
    const edge: FlowEdge | undefined = node?.edges[i];
    node = edge?.node;
    if (edge?.target) found.push(edge.target);
  }
  return found;
}

/** A copy of `root` with `node` hung on the edge at `path` (`path` "" replaces the root). */
export function withNode(root: FlowNode, path: string, node: FlowNode): FlowNode {
  const [first, ...rest] = indexes(path);
  if (first === undefined) return node;
  return {
    ...root,
    edges: root.edges.map((edge, i) =>
      i !== first ? edge : { ...edge, node: rest.length && edge.node ? withNode(edge.node, rest.join("/"), node) : node },
    ),
  };
}

/** A node that is already on the way down to `path`: the tree ends there. */
export function loopNode(number: string): FlowNode {
  return { number, kind: "loop", label: "", note: "", edges: [] };
}

/** `node` with every node below it whose number is in `seen` (or above it on its own way down)
 * cut off as a loop: a subtree fetched for a node deep in the tree knows nothing of its ancestors. */
export function cutLoops(node: FlowNode, seen: string[]): FlowNode {
  const path = [...seen, node.number];
  return {
    ...node,
    edges: node.edges.map((edge) => {
      if (!edge.node) return edge;
      const child = path.includes(edge.node.number) ? loopNode(edge.node.number) : cutLoops(edge.node, path);
      return { ...edge, node: child };
    }),
  };
}

/** The paths of every edge under `node` (at `path`) whose target's node is there: "Expand all". */
export function loadedPaths(node: FlowNode, path = ""): string[] {
  return node.edges.flatMap((edge, i) =>
    edge.node ? [childPath(path, i), ...loadedPaths(edge.node, childPath(path, i))] : [],
  );
}

// -- layout and SVG ----------------------------------------------------------------------------
export const BOX_W = 220;
export const BOX_H = 48;
export const GAP_X = 120;
export const GAP_Y = 16;
export const MARGIN = 16;

export interface Box {
  x: number;
  y: number;
  title: string;
  subtitle: string;
  kind: string;
}

export interface Link {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  label: string;
}

export interface Layout {
  boxes: Box[];
  links: Link[];
  width: number;
  height: number;
}

interface Shown {
  title: string;
  subtitle: string;
  kind: string;
  children: Array<{ label: string; shown: Shown }>;
}

/** What the tree shows: the root, and under each open edge its node (under a closed or leaf edge
 * a box for its target alone). */
function shownTree(node: FlowNode, path: string, isOpen: (path: string) => boolean): Shown {
  return {
    title: nodeTitle(node),
    subtitle: nodeKindText(node.kind),
    kind: node.kind,
    children: node.edges.map((edge, i) => {
      const at = childPath(path, i);
      const label = edgeLabelText(edge.label);
      if (edge.node && isOpen(at)) return { label, shown: shownTree(edge.node, at, isOpen) };
      const leaf = !edge.expandable;
      return {
        label,
        shown: {
          title: edge.target ?? edgeKindText(edge.kind),
          subtitle: leaf && edge.target ? edgeKindText(edge.kind) : "",
          kind: leaf ? edge.kind : "number",
          children: [],
        },
      };
    }),
  };
}

/** A tidy left-to-right layout: depth gives the column, leaves take one row each in order, a
 * parent sits level with the middle of its children. */
export function layoutTree(root: FlowNode, isOpen: (path: string) => boolean): Layout {
  const boxes: Box[] = [];
  const links: Link[] = [];
  let row = 0;
  let deepest = 0;
  const place = (shown: Shown, depth: number): Box => {
    deepest = Math.max(deepest, depth);
    const x = MARGIN + depth * (BOX_W + GAP_X);
    const placed = shown.children.map((child) => ({ label: child.label, box: place(child.shown, depth + 1) }));
    let y: number;
    if (placed.length) {
      const first = placed[0]!.box.y;
      const last = placed[placed.length - 1]!.box.y;
      y = (first + last) / 2;
    } else {
      y = MARGIN + row * (BOX_H + GAP_Y);
      row += 1;
    }
    const box: Box = { x, y, title: shown.title, subtitle: shown.subtitle, kind: shown.kind };
    boxes.push(box);
    for (const { label, box: child } of placed) {
      links.push({ x1: x + BOX_W, y1: y + BOX_H / 2, x2: child.x, y2: child.y + BOX_H / 2, label });
    }
    return box;
  };
  place(shownTree(root, "", isOpen), 0);
  return {
    boxes,
    links,
    width: 2 * MARGIN + (deepest + 1) * BOX_W + deepest * GAP_X,
    height: 2 * MARGIN + Math.max(1, row) * BOX_H + Math.max(0, row - 1) * GAP_Y,
  };
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function clip(text: string, max = 30): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const FILLS: Record<string, string> = {
  ivr: "#e3eefc",
  hunt_group: "#e6f4ea",
  user: "#fff4e0",
  voicemail: "#f3e8fd",
  loop: "#fde8e8",
  unknown: "#fde8e8",
};

/** The laid-out tree as a standalone SVG document. */
export function svgOf(layout: Layout): string {
  const links = layout.links.map((l) => {
    const mid = (l.x1 + l.x2) / 2;
    return (
      `<path d="M${l.x1},${l.y1} C${mid},${l.y1} ${mid},${l.y2} ${l.x2},${l.y2}" fill="none" stroke="#5f6b7a" stroke-width="1.5"/>` +
      `<text x="${l.x2 - 8}" y="${l.y2 - 6}" text-anchor="end" font-size="11" fill="#334">${xml(clip(l.label, 18))}</text>`
    );
  });
  const boxes = layout.boxes.map(
    (b) =>
      `<g><rect x="${b.x}" y="${b.y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${FILLS[b.kind] ?? "#f1f3f5"}" stroke="#5f6b7a"/>` +
      `<text x="${b.x + 10}" y="${b.y + 20}" font-size="13" font-weight="bold" fill="#111">${xml(clip(b.title))}</text>` +
      `<text x="${b.x + 10}" y="${b.y + 38}" font-size="11" fill="#444">${xml(clip(b.subtitle, 34))}</text></g>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" ` +
    `viewBox="0 0 ${layout.width} ${layout.height}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>${links.join("")}${boxes.join("")}</svg>`
  );
}

/** The name the image is saved under: call-flow-1600.png. */
export function imageName(number: string, extension: "png" | "svg"): string {
  return `call-flow-${number.replace(/[^0-9A-Za-z+]/g, "_")}.${extension}`;
}
