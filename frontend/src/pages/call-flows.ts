/**
 * Call flows (admin, AA-02 number visualisation): for any number, a tree of where its calls go. The
 * admin picks a function number (IVR menus, hunt groups, park positions) or keys any number; the
 * tree shows the number's node and its edges ("key 1", "after 20 s", "fallback"). Each edge that
 * leads to another number opens lazily (its node is fetched when opened); "Expand all" fetches a
 * node's whole subtree (?depth=10, loops cut). "Render image" draws the tree as it is open as SVG
 * and downloads it as a PNG (call-flow-<number>.png); "Download SVG" saves the drawing itself.
 * A menu's, hunt group's, switch's, announcement's or group inbox's node links to its page with its
 * form open ("Edit"), so the flow is changed step by step where it is shown. AA-01: an IVR menu's
 * node (a key it does not use yet, or no key pressed) and an announcement's without a next number
 * have "Add step": an inline form wires a new menu, a new announcement or an existing number in
 * (components/flow-add-step.ts); the tree then reloads as it was open, with the new step open.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import {
  FLOWS,
  MAX_DEPTH,
  childPath,
  cutLoops,
  edgeAt,
  edgeKindText,
  edgeLabelText,
  editUrl,
  flowUrl,
  imageName,
  layoutTree,
  loadedPaths,
  loopNode,
  nodeKindText,
  noteText,
  numbersOnPath,
  svgOf,
  withNode,
  type FlowEdge,
  type FlowNode,
  type FlowStart,
} from "../call-flows";
import "../components/flow-add-step";
import { canAddStep, pathOf, stepLabel, wayTo, type AddedStep, type WayStep } from "../flow-add";
import { focusWhenRendered, selectField, textField } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";

const STYLE = html`<style>
  .call-flows-page .flow-tree,
  .call-flows-page .flow-tree ul { list-style: none; margin: 0; padding-left: 1.25rem; }
  .call-flows-page .flow-tree { padding-left: 0; }
  .call-flows-page .flow-tree li { margin: 0.25rem 0; }
  .call-flows-page .flow-tree ul { border-left: 1px solid var(--border, #ccd); }
  .call-flows-page .flow-label { font-weight: 600; margin-right: 0.35rem; }
  .call-flows-page .flow-node-head { display: inline-flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; }
  .call-flows-page .flow-toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0.75rem 0; }
</style>`;

function download(url: string, name: string): void {
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}

@customElement("cb-call-flows")
export class CbCallFlows extends LightElement {
  @state() private starts: FlowStart[] | null = null;
  @state() private loadError = "";
  @state() private number = "";
  @state() private root: FlowNode | null = null;
  /** The paths of the open edges ("0", "0/2"). */
  @state() private open = new Set<string>();
  @state() private busy = false;
  @state() private error = "";
  /** AA-01: the path of the node whose "Add step" form is open ("" the root), or null. */
  @state() private adding: string | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    this.starts = null;
    try {
      this.starts = (await api.get<{ numbers: FlowStart[] }>(FLOWS)).numbers;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async show(number: string): Promise<void> {
    const wanted = number.trim();
    this.number = wanted;
    if (!wanted) return;
    this.busy = true;
    this.error = "";
    try {
      this.root = await api.get<FlowNode>(flowUrl(wanted));
      this.open = new Set();
      this.adding = null;
    } catch (err) {
      this.error = errorText(err);
      this.root = null;
    } finally {
      this.busy = false;
    }
  }

  /** Open or close the edge at `path`; opening fetches its target's node the first time. */
  private async toggle(path: string, edge: FlowEdge): Promise<void> {
    const root = this.root;
    if (!root || !edge.target) return;
    const open = new Set(this.open);
    if (open.has(path)) {
      for (const p of [...open]) if (p === path || p.startsWith(`${path}/`)) open.delete(p);
      this.open = open;
      if (this.adding !== null && (this.adding === path || this.adding.startsWith(`${path}/`))) this.adding = null;
      return;
    }
    if (!edge.node) {
      const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
      try {
        const node = numbersOnPath(root, parent).includes(edge.target)
          ? loopNode(edge.target)
          : await api.get<FlowNode>(flowUrl(edge.target));
        this.root = withNode(this.root ?? root, path, node);
      } catch (err) {
        toast(errorText(err), "error");
        return;
      }
    }
    open.add(path);
    this.open = open;
  }

  /** "Expand all": the whole subtree of the node at `path` ("" the root). */
  private async expandAll(path: string): Promise<void> {
    const root = this.root;
    if (!root) return;
    const number = path ? edgeAt(root, path)?.target : root.number;
    if (!number) return;
    try {
      const above = path ? numbersOnPath(root, path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "") : [];
      const subtree = cutLoops(await api.get<FlowNode>(flowUrl(number, MAX_DEPTH)), above);
      const next = withNode(this.root ?? root, path, subtree);
      this.root = next;
      const open = new Set(this.open);
      if (path) open.add(path);
      for (const p of loadedPaths(subtree, path)) open.add(p);
      this.open = open;
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private collapseAll(): void {
    this.open = new Set();
    this.adding = null;
  }

  /** `tree` with the node of `target` (fetched, or cut as a loop) hung on the edge at `path`. */
  private async hang(tree: FlowNode, path: string, target: string): Promise<FlowNode> {
    const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    const node = numbersOnPath(tree, parent).includes(target) ? loopNode(target) : await api.get<FlowNode>(flowUrl(target));
    return withNode(tree, path, node);
  }

  /** AA-01: a step was added after the node at `path`: the tree again as it was open, found by
   * labels and targets (a new key shifts the indexes), with the new step open below it. */
  private async stepAdded(path: string, step: AddedStep): Promise<void> {
    const root = this.root;
    this.adding = null;
    if (!root) return;
    const ways = [...this.open].sort((a, b) => a.split("/").length - b.split("/").length).map((p) => wayTo(root, p));
    const added: WayStep[] = [...(path ? wayTo(root, path) : []), { label: stepLabel(step.when), target: step.number }];
    try {
      let tree = await api.get<FlowNode>(flowUrl(root.number));
      const open = new Set<string>();
      for (const way of [...ways, added]) {
        const at = pathOf(tree, way);
        const edge = at === null ? undefined : edgeAt(tree, at);
        if (at === null || !edge?.target || !edge.expandable) continue;
        if (!edge.node) tree = await this.hang(tree, at, edge.target);
        open.add(at);
      }
      this.root = tree;
      this.open = open;
      const shown = pathOf(tree, added);
      if (shown !== null) {
        void focusWhenRendered(this, `[data-testid="flow-edge"][data-path="${shown}"] [data-testid="flow-toggle"]`);
      }
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private cancelAdding(path: string): void {
    this.adding = null;
    void focusWhenRendered(this, `[data-testid="flow-node-add"][data-path="${path}"]`);
  }

  private svg(): string | null {
    return this.root ? svgOf(layoutTree(this.root, (p) => this.open.has(p))) : null;
  }

  private downloadSvg(): void {
    const svg = this.svg();
    if (!svg || !this.root) return;
    const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
    download(url, imageName(this.root.number, "svg"));
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** "Render image": the SVG drawn on a canvas, saved as PNG. */
  private async renderImage(): Promise<void> {
    const root = this.root;
    if (!root) return;
    const layout = layoutTree(root, (p) => this.open.has(p));
    try {
      const image = new Image();
      const loaded = new Promise<void>((resolve, reject) => {
        image.onload = () => resolve();
        image.onerror = () => reject(new Error("SVG"));
      });
      image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgOf(layout))}`;
      await loaded;
      const scale = 2;
      const canvas = document.createElement("canvas");
      canvas.width = layout.width * scale;
      canvas.height = layout.height * scale;
      const context = canvas.getContext("2d");
      if (!context) throw new Error("canvas");
      context.scale(scale, scale);
      context.drawImage(image, 0, 0);
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
      if (!blob) throw new Error("PNG");
      const url = URL.createObjectURL(blob);
      download(url, imageName(root.number, "png"));
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      toast(t("flows.imageFailed", { error: err instanceof Error ? err.message : String(err) }), "error");
    }
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.starts) body = loadingView();
    else body = html`${this.chooser(this.starts)}${this.treeView()}`;
    return html`<section class="page call-flows-page">
      ${STYLE}${pageHeading(t("flows.title"))}
      <p class="muted">${t("flows.intro")}</p>
      ${body}
    </section>`;
  }

  private chooser(starts: FlowStart[]): TemplateResult {
    const chosen = starts.some((s) => s.number === this.number) ? this.number : "";
    return html`<form class="card" data-testid="flow-chooser" @submit=${(e: Event) => {
      e.preventDefault();
      void this.show(this.number);
    }}>
      <div class="grid two">
        ${selectField({
          id: "flow-start",
          label: t("flows.choose"),
          value: chosen,
          options: [["", "—"], ...starts.map((s): [string, string] => [s.number, `${s.number} ${s.label}`])],
          onInput: (v) => void this.show(v),
        })}
        ${textField({ id: "flow-number", label: t("flows.number"), value: this.number, hint: t("flows.numberHint"),
          inputmode: "tel", autocomplete: "off", onInput: (v) => (this.number = v) })}
      </div>
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${t("flows.show")}</button>
      </div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
    </form>`;
  }

  private treeView(): TemplateResult {
    const root = this.root;
    if (!root) return html`<p class="empty" data-testid="flows-empty">${t("flows.empty")}</p>`;
    return html`<div class="flow-toolbar">
        <button type="button" class="secondary" data-testid="flow-expand-all" @click=${() => void this.expandAll("")}>${t("flows.expandAll")}</button>
        <button type="button" class="secondary" @click=${() => this.collapseAll()}>${t("flows.collapseAll")}</button>
        <button type="button" data-testid="flow-render" @click=${() => void this.renderImage()}>${t("flows.renderImage")}</button>
        <button type="button" class="secondary" data-testid="flow-svg" @click=${() => this.downloadSvg()}>${t("flows.downloadSvg")}</button>
      </div>
      <ul class="flow-tree" data-testid="flow-tree">
        <li>${this.nodeHead(root, "")}${this.addForm(root, "")}${this.edgesView(root, "")}</li>
      </ul>`;
  }

  private nodeHead(node: FlowNode, path: string): TemplateResult {
    const edit = editUrl(node);
    return html`<span class="flow-node-head" data-testid="flow-node" data-number=${node.number} data-kind=${node.kind}>
      <strong class="num">${node.number}</strong>
      ${node.label ? html`<span>${node.label}</span>` : nothing}
      <span class="muted">${nodeKindText(node.kind)}</span>
      ${node.note ? html`<span class="muted small">(${noteText(node.note)})</span>` : nothing}
      ${edit
        ? html`<a class="small" href=${edit} data-testid="flow-node-edit"
            aria-label=${`${t("common.edit")} ${node.number}`}>${t("common.edit")}</a>`
        : nothing}
      ${canAddStep(node)
        ? html`<button type="button" class="secondary small" data-testid="flow-node-add" data-path=${path}
            aria-label=${t("flowAdd.addAfter", { number: node.number })} aria-expanded=${this.adding === path ? "true" : "false"}
            @click=${() => (this.adding = this.adding === path ? null : path)}>${t("flowAdd.add")}</button>`
        : nothing}
      ${path && node.edges.some((e) => e.expandable)
        ? html`<button type="button" class="secondary small" data-testid="flow-node-expand-all"
            @click=${() => void this.expandAll(path)}>${t("flows.expandAll")}</button>`
        : nothing}
    </span>`;
  }

  /** AA-01: the "Add step" form under the node at `path`, while it is open. */
  private addForm(node: FlowNode, path: string): TemplateResult | typeof nothing {
    if (this.adding !== path || !canAddStep(node)) return nothing;
    return html`<cb-flow-add-step .node=${node}
      @step-added=${(e: CustomEvent<AddedStep>) => void this.stepAdded(path, e.detail)}
      @step-cancel=${() => this.cancelAdding(path)}></cb-flow-add-step>`;
  }

  private edgesView(node: FlowNode, path: string): TemplateResult {
    if (!node.edges.length) {
      return node.kind === "loop" ? html`` : html`<ul><li class="muted small">${t("flows.noEdges")}</li></ul>`;
    }
    return html`<ul>
      ${node.edges.map((edge, i) => this.edgeView(edge, childPath(path, i)))}
    </ul>`;
  }

  private edgeView(edge: FlowEdge, path: string): TemplateResult {
    const label = html`<span class="flow-label">${edgeLabelText(edge.label)}</span>`;
    const note = edge.note ? html`<span class="muted small">(${noteText(edge.note)})</span>` : nothing;
    if (!edge.expandable || !edge.target) {
      return html`<li data-testid="flow-edge" data-kind=${edge.kind} data-target=${edge.target ?? ""}>
        ${label}→ ${edge.target ? html`<strong class="num">${edge.target}</strong>` : nothing}
        <span>${edgeKindText(edge.kind)}</span> ${note}
      </li>`;
    }
    const isOpen = this.open.has(path) && edge.node !== undefined;
    const target = edge.target;
    return html`<li data-testid="flow-edge" data-kind=${edge.kind} data-target=${target} data-path=${path}>
      ${label}→
      <button type="button" class="secondary small" aria-expanded=${isOpen ? "true" : "false"}
        aria-label=${t(isOpen ? "flows.collapse" : "flows.expand", { number: target })}
        data-testid="flow-toggle" @click=${() => void this.toggle(path, edge)}>${isOpen ? "▾" : "▸"} ${target}</button>
      ${note}
      ${isOpen && edge.node
        ? html`<div>${this.nodeHead(edge.node, path)}${this.addForm(edge.node, path)}${this.edgesView(edge.node, path)}</div>`
        : nothing}
    </li>`;
  }
}
