/** User groups in priority order (SET-02): create, reorder with buttons (keyboard friendly), open, delete. */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { confirmDialog } from "../dialog";
import { focusFirstError, formError, sendForm, textField } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";
import type { Group } from "../types";
import { check } from "../validate";
import { live } from "../ws";

@customElement("cb-groups")
export class CbGroups extends LightElement {
  @state() private groups: Group[] | null = null;
  @state() private loadError = "";
  @state() private name = "";
  @state() private description = "";
  @state() errors: Record<string, string | null | undefined> = {};
  @state() error = "";
  @state() busy = false;
  private readonly onEvent = (e: Event) => {
    const type = (e as CustomEvent<{ eventType: string }>).detail.eventType;
    if ((type === "group.updated" || type === "storage.external_change") && !this.busy) void this.load(false);
  };
  private readonly onResync = () => void this.load(false);

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("bus-event", this.onEvent);
    live.addEventListener("resync", this.onResync);
    void this.load(true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("bus-event", this.onEvent);
    live.removeEventListener("resync", this.onResync);
  }

  private async load(spinner: boolean): Promise<void> {
    if (spinner) this.groups = null;
    this.loadError = "";
    try {
      this.groups = await api.get<Group[]>("/api/groups");
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async create(e: Event): Promise<void> {
    e.preventDefault();
    this.errors = { name: check(this.name, true) };
    if (this.errors["name"]) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    await sendForm(this, async () => {
      const group = await api.post<Group>("/api/groups", { name: this.name.trim(), description: this.description.trim() });
      toast(t("groups.created", { name: group.name }));
      this.name = "";
      this.description = "";
      await this.load(false);
    });
  }

  private async move(index: number, delta: number): Promise<void> {
    const groups = [...(this.groups ?? [])];
    const target = index + delta;
    if (target < 0 || target >= groups.length) return;
    [groups[index], groups[target]] = [groups[target]!, groups[index]!];
    this.groups = groups;
    this.busy = true;
    try {
      this.groups = await api.put<Group[]>("/api/groups/order", { order: groups.map((g) => g.id) });
      toast(t("groups.orderSaved"));
      await this.updateComplete;
      const id = delta < 0 ? `up-${groups[target]!.id}` : `down-${groups[target]!.id}`;
      const button = this.querySelector<HTMLButtonElement>(`#${id}`);
      (button && !button.disabled ? button : this.querySelector<HTMLElement>(`#group-link-${groups[target]!.id}`))?.focus();
    } catch (err) {
      toast(errorText(err), "error");
      await this.load(false);
    } finally {
      this.busy = false;
    }
  }

  private async deleteGroup(group: Group): Promise<void> {
    if (!(await confirmDialog(t("groups.confirmDelete", { name: group.name }), t("common.delete")))) return;
    try {
      await api.delete(`/api/groups/${group.id}`);
      toast(t("groups.deleted", { name: group.name }));
      await this.load(false);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private list(groups: Group[]): TemplateResult {
    if (!groups.length) return html`<p class="empty">${t("groups.empty")}</p>`;
    return html`<ol class="group-list" aria-label=${t("groups.title")}>
      ${groups.map(
        (g, i) => html`<li class="group-item">
          <span class="prio" title=${t("groups.priority")}>${i + 1}</span>
          <div class="group-main">
            <a id="group-link-${g.id}" href="/groups/${g.id}">${g.name}</a>
            ${g.description ? html`<div class="muted">${g.description}</div>` : nothing}
            <div class="muted small">${t("groups.memberCount", { count: g.members?.length ?? 0 })}</div>
          </div>
          <div class="group-actions">
            <button type="button" id="up-${g.id}" class="icon secondary" aria-label=${t("common.moveUp", { name: g.name })}
              ?disabled=${i === 0 || this.busy} @click=${() => void this.move(i, -1)}>↑</button>
            <button type="button" id="down-${g.id}" class="icon secondary" aria-label=${t("common.moveDown", { name: g.name })}
              ?disabled=${i === groups.length - 1 || this.busy} @click=${() => void this.move(i, 1)}>↓</button>
            <button type="button" class="danger small" @click=${() => void this.deleteGroup(g)}>${t("common.delete")}</button>
          </div>
        </li>`,
      )}
    </ol>`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load(true));
    else if (!this.groups) body = loadingView();
    else body = this.list(this.groups);
    return html`<section class="page">
      ${pageHeading(t("groups.title"))}
      <p class="muted">${t("groups.intro")}</p>
      <div class="columns">
        <div class="main-col card">${body}</div>
        <form class="side-col card" novalidate @submit=${this.create} aria-labelledby="new-group-title">
          <h2 id="new-group-title">${t("groups.new")}</h2>
          ${formError(this.error)}
          ${textField({ id: "group-name", label: t("groups.name"), value: this.name, required: true, error: this.errors["name"], onInput: (v) => (this.name = v) })}
          ${textField({ id: "group-description", label: t("groups.description"), value: this.description, required: false, error: this.errors["description"], onInput: (v) => (this.description = v) })}
          <div class="actions"><button type="submit" ?disabled=${this.busy}>${t("common.create")}</button></div>
        </form>
      </div>
    </section>`;
  }
}
