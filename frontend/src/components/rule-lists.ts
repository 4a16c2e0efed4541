/**
 * <cb-rule-lists>: the routing rules of one level (RTE-01..04), one card per list (incoming,
 * outgoing, fallback; at the organisation level on the Routing page also the "Rules for rule-based
 * numbers", RBN-01, whose hint links to the Rule-based numbers page), checked from the top
 * (RTE-02). Each rule reads as a sentence with its tier (organisation and group rules, RTE-03), an
 * on/off switch, up/down buttons (keyboard friendly, PUT /api/routing/rules/order), edit
 * (<cb-rule-editor>) and delete. Fires "rules-changed" with the level's rules after loading and
 * after every change.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView } from "../base";
import { confirmDialog } from "../dialog";
import { focusWhenRendered } from "../forms";
import { t, type MessageKey } from "../i18n";
import type { Activity, Role } from "../presence";
import { DEST_KINDS, LISTS, NO_NAMES, RULE_NUMBERS, ruleSentence, type DestKind, type Names, type Rule, type RuleList } from "../routing";
import { toast } from "../session";
import type { Scope } from "../types";
import "./rule-editor";

@customElement("cb-rule-lists")
export class CbRuleLists extends LightElement {
  @property({ attribute: false }) scope: Scope = "org";
  @property({ attribute: false }) scopeId: number | null = null;
  @property({ attribute: false }) lists: RuleList[] = LISTS;
  @property({ attribute: false }) kinds: DestKind[] = DEST_KINDS;
  @property({ attribute: false }) activities: Activity[] = [];
  @property({ attribute: false }) roles: Role[] = [];
  @property({ attribute: false }) names: Names = NO_NAMES;
  /** The user's own page: the lists' hints speak to them ("calls you receive"). */
  @property({ attribute: false }) personal = false;

  @state() private rules: Rule[] | null = null;
  @state() private loadError = "";
  @state() private busy = false;
  /** What the editor shows: a rule's id, or "new:<list>"; null when closed. */
  @state() private editing: number | `new:${RuleList}` | null = null;
  private loadedFor = "";

  protected override willUpdate(): void {
    const level = `${this.scope}:${this.scopeId ?? ""}`;
    if (level !== this.loadedFor) {
      this.loadedFor = level;
      this.editing = null;
      void this.reload(true);
    }
  }

  /** Load the level's rules again (after a change made elsewhere, such as "forward all calls"). */
  async reload(spinner = false): Promise<void> {
    if (spinner) this.rules = null;
    this.loadError = "";
    const level = this.loadedFor;
    try {
      const query = this.scope === "org" ? "scope=org" : `scope=${this.scope}&scope_id=${this.scopeId}`;
      const rules = await api.get<Rule[]>(`/api/routing/rules?${query}`);
      if (level !== this.loadedFor) return; // another level was picked meanwhile
      this.rules = rules;
      this.dispatchEvent(new CustomEvent<Rule[]>("rules-changed", { detail: rules, bubbles: true }));
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private of(list: RuleList): Rule[] {
    return (this.rules ?? []).filter((r) => r.list === list).sort((a, b) => a.position - b.position);
  }

  private async move(list: RuleList, index: number, delta: number): Promise<void> {
    const rules = this.of(list);
    const target = index + delta;
    if (target < 0 || target >= rules.length) return;
    const moved = rules[index]!;
    [rules[index], rules[target]] = [rules[target]!, moved];
    this.busy = true;
    try {
      await api.put<Rule[]>("/api/routing/rules/order", { order: rules.map((r) => r.id) });
      toast(t("routing.orderSaved"));
      await this.reload();
      this.busy = false;
      await this.updateComplete;
      // Focus stays on the moved rule: the same button, or the other one once it reached an end.
      const ids = delta < 0 ? ["up", "down"] : ["down", "up"];
      const button = ids
        .map((dir) => this.querySelector<HTMLButtonElement>(`#rule-${dir}-${moved.id}`))
        .find((b) => b && !b.disabled);
      (button ?? this.querySelector<HTMLElement>(`#rule-edit-${moved.id}`))?.focus();
    } catch (err) {
      toast(errorText(err), "error");
      await this.reload();
    } finally {
      this.busy = false;
    }
  }

  private async toggle(rule: Rule, enabled: boolean): Promise<void> {
    this.busy = true;
    try {
      await api.patch<Rule>(`/api/routing/rules/${rule.id}`, { enabled });
      toast(t(enabled ? "routing.switchedOn" : "routing.switchedOff", { name: rule.name }));
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.busy = false;
      await this.reload();
    }
  }

  private async deleteRule(rule: Rule): Promise<void> {
    if (!(await confirmDialog(t("routing.confirmDelete", { name: rule.name }), t("common.delete")))) return;
    try {
      await api.delete(`/api/routing/rules/${rule.id}`);
      toast(t("routing.deleted", { name: rule.name }));
      if (this.editing === rule.id) this.editing = null;
      await this.reload();
      await this.updateComplete;
      this.querySelector<HTMLElement>(`#rule-add-${rule.list}`)?.focus();
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private async saved(rule: Rule): Promise<void> {
    this.editing = null;
    await this.reload();
    await this.updateComplete;
    this.querySelector<HTMLElement>(`#rule-edit-${rule.id}`)?.focus();
  }

  private closeEditor(focus: string): void {
    this.editing = null;
    void focusWhenRendered(this, `#${focus}`);
  }

  protected override render(): TemplateResult {
    if (this.loadError) return errorView(this.loadError, () => void this.reload(true));
    if (!this.rules) return loadingView();
    return html`${this.lists.map((list) => this.listCard(list))}`;
  }

  private editor(rule: Rule | null, list: RuleList, focusAfter: string): TemplateResult {
    return html`<cb-rule-editor
      .scope=${this.scope}
      .scopeId=${this.scopeId}
      .rule=${rule}
      .list=${list}
      .lists=${this.lists}
      .kinds=${this.kinds}
      .activities=${this.activities}
      .roles=${this.roles}
      .names=${this.names}
      @saved=${(e: CustomEvent<Rule>) => void this.saved(e.detail)}
      @cancel=${() => this.closeEditor(focusAfter)}
    ></cb-rule-editor>`;
  }

  private listCard(list: RuleList): TemplateResult {
    const rules = this.of(list);
    const titleId = `rules-${list}-title`;
    return html`<section class="card rule-list-card" data-testid="rules-${list}" aria-labelledby=${titleId}>
      <div class="row-between">
        <h2 id=${titleId}>${t(`routing.list.${list}` as MessageKey)}</h2>
        <button type="button" id="rule-add-${list}" class="secondary small" ?disabled=${this.editing !== null}
          @click=${() => (this.editing = `new:${list}`)}>${t("routing.add")}</button>
      </div>
      <p class="muted">${t(this.personal ? "routing.listHint.mine" : (`routing.listHint.${list}` as MessageKey))}${list === RULE_NUMBERS
          ? html` <a href="/rule-numbers" data-testid="rules-to-rule-numbers">${t("routing.toRuleNumbers")}</a>`
          : nothing}</p>
      ${rules.length
        ? html`<ol class="rule-list" aria-labelledby=${titleId}>
            ${rules.map((rule, i) => this.item(rule, i, rules.length))}
          </ol>`
        : html`<p class="empty">${t("routing.empty")}</p>`}
      ${this.editing === `new:${list}` ? this.editor(null, list, `rule-add-${list}`) : nothing}
    </section>`;
  }

  private item(rule: Rule, index: number, count: number): TemplateResult {
    const editing = this.editing === rule.id;
    return html`<li class="rule-item ${rule.enabled ? "" : "off"}" data-testid="rule-${rule.id}">
      <div class="rule-row">
        <span class="prio" title=${t("routing.position")}>${index + 1}</span>
        <div class="rule-main">
          <div class="rule-name">
            <strong>${rule.name}</strong>
            ${rule.tier
              ? html`<span class="badge ${rule.tier === "required" ? "warn" : ""}">${t(`routing.tier.${rule.tier}` as MessageKey)}</span>`
              : nothing}
            ${rule.enabled ? nothing : html`<span class="badge">${t("routing.off")}</span>`}
          </div>
          <div class="rule-sentence">${ruleSentence(rule, this.names)}</div>
        </div>
        <div class="rule-actions">
          <label class="switch">
            <input type="checkbox" role="switch" .checked=${rule.enabled} ?disabled=${this.busy}
              aria-label=${t("routing.enabledNamed", { name: rule.name })}
              @change=${(e: Event) => void this.toggle(rule, (e.target as HTMLInputElement).checked)} />
            <span aria-hidden="true">${t("routing.enabled")}</span>
          </label>
          <button type="button" id="rule-up-${rule.id}" class="icon secondary" aria-label=${t("common.moveUp", { name: rule.name })}
            ?disabled=${index === 0 || this.busy} @click=${() => void this.move(rule.list, index, -1)}>↑</button>
          <button type="button" id="rule-down-${rule.id}" class="icon secondary" aria-label=${t("common.moveDown", { name: rule.name })}
            ?disabled=${index === count - 1 || this.busy} @click=${() => void this.move(rule.list, index, 1)}>↓</button>
          <button type="button" id="rule-edit-${rule.id}" class="secondary small" aria-label=${t("routing.editNamed", { name: rule.name })}
            ?disabled=${this.editing !== null && !editing} @click=${() => (this.editing = rule.id)}>${t("common.edit")}</button>
          <button type="button" class="danger small" aria-label=${t("routing.deleteNamed", { name: rule.name })}
            @click=${() => void this.deleteRule(rule)}>${t("common.delete")}</button>
        </div>
      </div>
      ${editing ? this.editor(rule, rule.list, `rule-edit-${rule.id}`) : nothing}
    </li>`;
  }
}
