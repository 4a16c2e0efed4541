/**
 * My call rules (user portal, CAPU-10, CAPU-11, RTE-04, RTE-05, RTE-08): "forward all my calls
 * to …" on and off, the user's own incoming rules with the editor limited to the destination kinds
 * the administrator allows, and the routing test tool for calls to their own number.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, query, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView, pageHeading } from "../base";
import type { CbRuleLists } from "../components/rule-lists";
import "../components/rule-lists";
import "../components/routing-test";
import { focusFirstError, textField } from "../forms";
import { t } from "../i18n";
import type { Activity, Role } from "../presence";
import { DEST_KINDS, isForwardAll, type DestKind, type Rule } from "../routing";
import { session, toast } from "../session";
import { allowedKinds, namesOf } from "./routing";

const DIALLABLE = /^\+?[0-9*#]{2,20}$/;

@customElement("cb-my-rules")
export class CbMyRules extends LightElement {
  @state() private activities: Activity[] = [];
  @state() private roles: Role[] = [];
  @state() private kinds: DestKind[] = DEST_KINDS;
  @state() private rules: Rule[] = [];
  @state() private ready = false;
  @state() private loadError = "";
  @state() private forwardTo = "";
  @state() private forwardError = "";
  @state() private busy = false;
  @query("cb-rule-lists") private listsEl!: CbRuleLists | null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private get userId(): number {
    return session.user?.id ?? 0;
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const [activities, roles, kinds] = await Promise.all([
        api.get<Activity[]>("/api/presence/activities"),
        api.get<Role[]>("/api/presence/roles"),
        allowedKinds(this.userId).catch(() => DEST_KINDS),
      ]);
      this.activities = activities;
      this.roles = roles;
      this.kinds = kinds;
      this.ready = true;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  /** The "forward all calls" rule: the first incoming rule of that shape, if any. */
  private get forwardRule(): Rule | undefined {
    return this.rules.filter((r) => r.list === "incoming").sort((a, b) => a.position - b.position).find(isForwardAll);
  }

  private get forwarding(): boolean {
    const rule = this.forwardRule;
    const first = this.rules.filter((r) => r.list === "incoming" && r.enabled).sort((a, b) => a.position - b.position)[0];
    return Boolean(rule && rule.enabled && first?.id === rule.id);
  }

  private onRules(rules: Rule[]): void {
    this.rules = rules;
    const rule = this.forwardRule;
    if (rule && !this.forwardTo) this.forwardTo = rule.destinations[0]?.target ?? "";
  }

  /** RTE-08 on: the forward rule (made if missing) with this target, switched on, first in the list. */
  private async forwardOn(e: Event): Promise<void> {
    e.preventDefault();
    const target = this.forwardTo.replace(/\s/g, "");
    this.forwardError = !target ? t("validation.required") : DIALLABLE.test(target) ? "" : t("routing.err.number");
    if (this.forwardError) {
      focusFirstError(this.querySelector("#forward-form") ?? this);
      return;
    }
    this.busy = true;
    const destinations = [{ kind: "number", after_s: 0, target }];
    try {
      const existing = this.forwardRule;
      const rule = existing
        ? await api.patch<Rule>(`/api/routing/rules/${existing.id}`, { enabled: true, destinations })
        : await api.post<Rule>("/api/routing/rules", {
            scope: "user",
            scope_id: this.userId,
            list: "incoming",
            name: t("myRules.forwardName"),
            enabled: true,
            conditions: {},
            destinations,
          });
      const incoming = this.rules.filter((r) => r.list === "incoming" && r.id !== rule.id).sort((a, b) => a.position - b.position);
      if (incoming.length) await api.put("/api/routing/rules/order", { order: [rule.id, ...incoming.map((r) => r.id)] });
      toast(t("myRules.forwardOn", { target }));
      await this.listsEl?.reload();
    } catch (err) {
      const fields = fieldErrors(err);
      this.forwardError = fields["destinations.0.target"] ?? fields["destinations.0.kind"] ?? errorText(err);
      focusFirstError(this.querySelector("#forward-form") ?? this);
    } finally {
      this.busy = false;
    }
  }

  private async forwardOff(): Promise<void> {
    const rule = this.forwardRule;
    if (!rule) return;
    this.busy = true;
    try {
      await api.patch<Rule>(`/api/routing/rules/${rule.id}`, { enabled: false });
      toast(t("myRules.forwardOff"));
      await this.listsEl?.reload();
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.busy = false;
    }
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.ready) body = loadingView();
    else body = this.view();
    return html`<section class="page">${pageHeading(t("myRules.title"))}<p class="muted">${t("myRules.intro")}</p>${body}</section>`;
  }

  private forwardCard(): TemplateResult {
    const on = this.forwarding;
    const rule = this.forwardRule;
    const canForward = this.kinds.includes("number");
    return html`<section class="card" aria-labelledby="forward-title" data-testid="forward-all">
      <h2 id="forward-title">${t("myRules.forwardTitle")}</h2>
      <p role="status" data-testid="forward-state">
        <span class="badge ${on ? "warn" : "ok"}">${on ? t("myRules.forwardingOn") : t("myRules.forwardingOff")}</span>
        ${on ? t("myRules.forwardingTo", { target: rule?.destinations[0]?.target ?? "" }) : t("myRules.forwardingNone")}
      </p>
      ${rule && rule.enabled && !on ? html`<p class="muted">${t("myRules.forwardNotFirst")}</p>` : nothing}
      ${canForward
        ? html`<form id="forward-form" class="sched-add" novalidate @submit=${this.forwardOn}>
            ${textField({
              id: "forward-to",
              label: t("myRules.forwardTo"),
              value: this.forwardTo,
              inputmode: "tel",
              required: true,
              hint: t("routing.targetHint"),
              error: this.forwardError,
              onInput: (v) => {
                this.forwardTo = v;
                this.forwardError = "";
              },
            })}
            <button type="submit" ?disabled=${this.busy}>${on ? t("myRules.forwardChange") : t("myRules.forwardStart")}</button>
            ${rule?.enabled
              ? html`<button type="button" class="secondary" ?disabled=${this.busy} @click=${() => void this.forwardOff()}>${t("myRules.forwardStop")}</button>`
              : nothing}
          </form>`
        : html`<p class="muted">${t("myRules.forwardNotAllowed")}</p>`}
    </section>`;
  }

  private view(): TemplateResult {
    const names = namesOf(this.activities, this.roles);
    const own = session.user?.extension ?? "";
    return html`${this.forwardCard()}
      <cb-rule-lists
        .scope=${"user"}
        .scopeId=${this.userId}
        .lists=${["incoming"]}
        .personal=${true}
        .kinds=${this.kinds}
        .activities=${this.activities}
        .roles=${this.roles}
        .names=${names}
        @rules-changed=${(e: CustomEvent<Rule[]>) => this.onRules(e.detail)}
      ></cb-rule-lists>
      ${own
        ? html`<cb-routing-test .fixedNumber=${own} .allowOutgoing=${false} .names=${names} .rules=${this.rules}></cb-routing-test>`
        : html`<p class="muted">${t("myRules.noNumber")}</p>`}`;
  }
}
