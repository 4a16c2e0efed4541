/**
 * Building a call flow from its tree (AA-01): the pure helpers of "Add step" on the Call flows page.
 * An IVR menu's node gets a new step on a key its options do not use yet, or on "no key pressed"
 * while the menu has no timeout destination; an announcement's node gets one as its next number
 * while it hangs up after the prompt. The step goes to a new IVR menu, a new announcement or an
 * existing number. The new element is created first (its own API), then the parent is changed with
 * its API, the whole of it as GET gave it plus the new step; the server decides, these helpers only
 * shape the bodies, suggest a free number and check what can be checked before sending.
 */
import { childPath, type FlowEdge, type FlowNode } from "./call-flows";
import { compact, isEntryNumber } from "./drafts";
import type { Announcement } from "./flow-elements";
import { t } from "./i18n";
import { KEYS, type IvrMenu } from "./ivr";

/** What the form tells the page once a step was added (its "step-added" event): where (a key,
 * NO_KEY, AFTER_PROMPT) and the number the step goes to. */
export interface AddedStep {
  when: string;
  number: string;
}

/** The "when" of a menu's step that is taken when the caller presses no key (IVR-08). */
export const NO_KEY = "timeout";
/** The "when" of an announcement's step: after its prompt. */
export const AFTER_PROMPT = "then";

/** Where the new step sends the caller. */
export type Go = "ivr" | "announcement" | "number";
export const GOES: readonly Go[] = ["ivr", "announcement", "number"];

/** The function numbers suggested for new menus and announcements (the default range for IVRs). */
export const FIRST_NUMBER = 1600;
export const LAST_NUMBER = 1699;

export interface AddStepDraft {
  /** A key ("1", "*"), NO_KEY or AFTER_PROMPT. */
  when: string;
  go: Go;
  /** The new element's name and number (go "ivr" or "announcement"). */
  name: string;
  number: string;
  /** The new announcement's prompt and where it goes next ("" hangs up). */
  prompt: string;
  nextNumber: string;
  /** The existing number (go "number"). */
  target: string;
}

export function emptyAddStepDraft(when = "", number = ""): AddStepDraft {
  return { when, go: "ivr", name: "", number, prompt: "", nextNumber: "", target: "" };
}

/** Whether the node is one that "Add step" is offered on. */
export function addsSteps(kind: string): boolean {
  return kind === "ivr" || kind === "announcement";
}

/** The keys a menu's options do not use yet, in the order the IVR page offers them; none while it
 * lets the caller key an extension (IVR-04: its options are off then). */
export function freeKeys(menu: Pick<IvrMenu, "options" | "direct_dial">): string[] {
  if (menu.direct_dial) return [];
  return KEYS.filter((key) => !(key in menu.options));
}

/** Where a menu may get a new step: its free keys, then NO_KEY while it has no timeout destination. */
export function menuWhens(menu: Pick<IvrMenu, "options" | "direct_dial" | "timeout_destination">): string[] {
  return [...freeKeys(menu), ...(menu.timeout_destination ? [] : [NO_KEY])];
}

/** Where an announcement may get a new step: AFTER_PROMPT while it hangs up after its prompt. */
export function announcementWhens(announcement: Pick<Announcement, "next_number">): string[] {
  return announcement.next_number ? [] : [AFTER_PROMPT];
}

/** As far as the tree's node tells (the form then asks the server): whether "Add step" has
 * anywhere to go on it: a free key, or a "no key pressed" edge that rings no number. */
export function canAddStep(node: FlowNode): boolean {
  if (node.kind === "announcement") return node.edges.every((edge) => !edge.target);
  if (node.kind !== "ivr") return false;
  const noKeyFree = node.edges.some((edge) => edge.label === "no key pressed" && !edge.target);
  if (node.edges.some((edge) => edge.kind === "direct_dial")) return noKeyFree;
  const used = node.edges.filter((edge) => edge.label.startsWith("key ")).length;
  return used < KEYS.length || noKeyFree;
}

/** The text of a "when" choice: "Key 1", "No key pressed", "After the prompt". */
export function whenText(when: string): string {
  if (when === NO_KEY) return t("flowAdd.whenNoKey");
  if (when === AFTER_PROMPT) return t("flowAdd.whenAfterPrompt");
  return t("flowAdd.whenKey", { key: when });
}

export function goText(go: Go): string {
  return t(go === "ivr" ? "flowAdd.goIvr" : go === "announcement" ? "flowAdd.goAnnouncement" : "flowAdd.goNumber");
}

/**
 * The number to suggest for a new menu or announcement: the one after the highest number in
 * FIRST_NUMBER-LAST_NUMBER that is taken; when that is the last, the lowest free one; null when
 * every number there is taken. The server decides (another range for IVRs works too).
 */
export function nextFreeNumber(taken: Iterable<string>, first = FIRST_NUMBER, last = LAST_NUMBER): string | null {
  const used = new Set<number>();
  for (const number of taken) {
    if (!/^[0-9]+$/.test(number)) continue;
    const n = Number(number);
    if (n >= first && n <= last) used.add(n);
  }
  const highest = used.size ? Math.max(...used) : first - 1;
  if (highest < last) return String(highest + 1);
  for (let n = first; n <= last; n += 1) if (!used.has(n)) return String(n);
  return null;
}

/** The messages next to the form's fields, by their names (when, go, name, number, prompt,
 * next_number, target); empty when it may be sent. `whens`: where the parent may get a step. */
export function addStepErrors(draft: AddStepDraft, whens: readonly string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!whens.includes(draft.when)) errors["when"] = t("validation.required");
  if (draft.go === "number") {
    const target = compact(draft.target);
    if (!target) errors["target"] = t("validation.required");
    else if (!DIALABLE_RE.test(target)) errors["target"] = t("flowElements.targetInvalid");
    return errors;
  }
  const number = compact(draft.number);
  if (!draft.name.trim()) errors["name"] = t("validation.required");
  if (!number) errors["number"] = t("validation.required");
  else if (!isEntryNumber(number)) errors["number"] = t("flowElements.numberInvalid");
  if (draft.go === "announcement") {
    if (!draft.prompt) errors["prompt"] = t("validation.required");
    const next = compact(draft.nextNumber);
    if (next && !DIALABLE_RE.test(next)) errors["next_number"] = t("flowElements.targetInvalid");
    else if (next && next === number) errors["next_number"] = t("flowElements.targetOwn");
  }
  return errors;
}

const DIALABLE_RE = /^\+?[0-9]{2,20}$/;

/** The body that creates the step's new element (POST /api/ivr/menus or
 * /api/flow_elements/announcements); null when the step goes to an existing number. */
export function elementBody(draft: AddStepDraft): Record<string, unknown> | null {
  if (draft.go === "number") return null;
  const base = { name: draft.name.trim(), number: compact(draft.number) };
  if (draft.go === "ivr") return base;
  return { ...base, prompt: draft.prompt, next_number: compact(draft.nextNumber) || null };
}

/** The number the step sends callers to: the new element's, or the existing one. */
export function stepTarget(draft: AddStepDraft): string {
  return compact(draft.go === "number" ? draft.target : draft.number);
}

/** PUT /api/ivr/menus/{id}'s body: the menu as GET gave it, with `target` on the key `when` (or as
 * its timeout destination for NO_KEY). Null when that step is no longer free (changed meanwhile). */
export function menuUpdateBody(menu: IvrMenu, when: string, target: string): Record<string, unknown> | null {
  if (!menuWhens(menu).includes(when)) return null;
  const destination = { kind: "number" as const, target };
  if (when === NO_KEY) return { ...menu, timeout_destination: destination };
  return { ...menu, options: { ...menu.options, [when]: destination } };
}

/** PUT /api/flow_elements/announcements/{id}'s body: the announcement with `target` as its next
 * number. Null when it has one already (changed meanwhile). */
export function announcementUpdateBody(announcement: Announcement, target: string): Record<string, unknown> | null {
  if (announcement.next_number) return null;
  return { ...announcement, next_number: target };
}

/** The parent's refusal of the step as one message (its fields for the step: the key's target, the
 * timeout destination's, the next number), or undefined when it named none of them. */
export function parentStepError(fields: Record<string, string>): string | undefined {
  const found = Object.entries(fields).find(
    ([field]) => /^options\.[^.]+(\.|$)/.test(field) || field.startsWith("timeout_destination") || field === "next_number",
  );
  return found?.[1];
}

// -- the tree again after a step was added -----------------------------------------------------
/** One step of the way down to an edge: the edge's label and target (label undefined: any). */
export interface WayStep {
  label?: string;
  target: string | null;
}

/** The way down to the edge at `path`, by labels and targets, which survive a reload (indexes do not:
 * a new key 1 comes before key 9). Empty for "" and for a path that is not in the tree. */
export function wayTo(root: FlowNode, path: string): WayStep[] {
  const way: WayStep[] = [];
  let node: FlowNode | undefined = root;
  for (const i of path ? path.split("/").map(Number) : []) {
    const edge: FlowEdge | undefined = node?.edges[i];
    if (!edge) return [];
    way.push({ label: edge.label, target: edge.target });
    node = edge.node;
  }
  return way;
}

/** The label of the tree's edge a step added on `when` becomes (core/numbers/flow.py's, as the
 * server phrases it): "key 1", "no key pressed", an announcement's "then". */
export function stepLabel(when: string): string {
  if (when === NO_KEY) return "no key pressed";
  if (when === AFTER_PROMPT) return "then";
  return `key ${when}`;
}

/** The path of the edge at the end of `way` in `root` (the nodes on the way loaded), else null. */
export function pathOf(root: FlowNode, way: readonly WayStep[]): string | null {
  let node: FlowNode | undefined = root;
  let path = "";
  for (const step of way) {
    if (!node) return null;
    const index = node.edges.findIndex(
      (edge) => edge.target === step.target && (step.label === undefined || edge.label === step.label),
    );
    if (index < 0) return null;
    path = childPath(path, index);
    node = node.edges[index]?.node;
  }
  return way.length ? path : null;
}
