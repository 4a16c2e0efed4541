/**
 * <cb-routing-test>: the routing test tool (BYD-25). For a caller, a number, a date and time (now
 * by default, sent with the browser's UTC offset) and a direction it asks POST
 * /api/routing/explain and shows the facts the rules saw, every rule checked with "matched" or why
 * not, and the destinations as a timeline; nothing is dialled. ``fixedNumber`` keeps the number
 * (a user tests calls to their own number).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement } from "../base";
import { focusFirstError, formError, selectField, sendForm, textField } from "../forms";
import { language, t, type MessageKey } from "../i18n";
import { availabilityText } from "../presence";
import {
  NO_NAMES,
  afterText,
  destinationText,
  isoWithOffset,
  nowLocal,
  whyNot,
  type Errors,
  type Explanation,
  type Names,
  type Rule,
} from "../routing";

type Direction = "incoming" | "outgoing";

@customElement("cb-routing-test")
export class CbRoutingTest extends LightElement {
  /** The number calls go to, fixed (the user portal); "" lets the person type it. */
  @property({ attribute: false }) fixedNumber = "";
  @property({ attribute: false }) allowOutgoing = true;
  @property({ attribute: false }) names: Names = NO_NAMES;
  /** The rules known to the page, to say in the UI language why one did not match. */
  @property({ attribute: false }) rules: Rule[] = [];

  @state() private caller = "";
  @state() private number = "";
  @state() private date = nowLocal().date;
  @state() private time = nowLocal().time;
  @state() private direction: Direction = "incoming";
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;
  @state() private result: Explanation | null = null;
  @state() private asked: Direction = "incoming";

  private get target(): string {
    return this.fixedNumber || this.number;
  }

  private async run(e: Event): Promise<void> {
    e.preventDefault();
    const at = isoWithOffset(this.date, this.time);
    const errors: Errors = {};
    if (!this.target.trim()) errors["number"] = t("validation.required");
    if (this.direction === "outgoing" && !this.caller.trim()) errors["caller"] = t("validation.required");
    if (!at) errors["at"] = t("routing.test.badTime");
    this.errors = errors;
    if (Object.values(errors).some(Boolean)) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    this.result = null;
    await sendForm(this, async () => {
      this.result = await api.post<Explanation>("/api/routing/explain", {
        caller: this.caller.trim(),
        number: this.target.trim(),
        at,
        direction: this.direction,
      });
      this.asked = this.direction;
      await this.updateComplete;
      this.querySelector<HTMLElement>("#routing-test-result-title")?.focus();
    });
  }

  protected override render(): TemplateResult {
    return html`<section class="card routing-test" aria-labelledby="routing-test-title" data-testid="routing-test">
      <h2 id="routing-test-title">${t("routing.test.title")}</h2>
      <p class="muted">${this.fixedNumber ? t("routing.test.introMine", { number: this.fixedNumber }) : t("routing.test.intro")}</p>
      <form novalidate @submit=${this.run}>
        ${formError(this.error, "routing-test-error")}
        <div class="grid three">
          ${this.allowOutgoing
            ? selectField({
                id: "test-direction",
                label: t("routing.test.direction"),
                value: this.direction,
                options: [
                  ["incoming", t("routing.test.incoming")],
                  ["outgoing", t("routing.test.outgoing")],
                ],
                onInput: (v) => (this.direction = v as Direction),
              })
            : nothing}
          ${textField({
            id: "test-caller",
            label: t("routing.test.caller"),
            value: this.caller,
            inputmode: "tel",
            required: this.direction === "outgoing",
            hint: this.direction === "outgoing" ? t("routing.test.callerHintOut") : t("routing.test.callerHint"),
            error: this.errors["caller"],
            onInput: (v) => (this.caller = v),
          })}
          ${this.fixedNumber
            ? nothing
            : textField({
                id: "test-number",
                label: this.direction === "outgoing" ? t("routing.test.dialled") : t("routing.test.number"),
                value: this.number,
                inputmode: "tel",
                required: true,
                error: this.errors["number"],
                onInput: (v) => (this.number = v),
              })}
        </div>
        <div class="grid three">
          ${textField({
            id: "test-date",
            label: t("routing.test.date"),
            type: "date",
            value: this.date,
            required: true,
            error: this.errors["at"],
            onInput: (v) => (this.date = v),
          })}
          ${textField({
            id: "test-time",
            label: t("routing.test.time"),
            type: "time",
            value: this.time,
            required: true,
            hint: t("routing.test.timeHint"),
            error: this.errors["at"],
            onInput: (v) => (this.time = v),
          })}
        </div>
        <div class="actions start">
          <button type="submit" ?disabled=${this.busy}>${this.busy ? t("routing.test.running") : t("routing.test.run")}</button>
        </div>
      </form>
      ${this.result ? this.resultView(this.result) : nothing}
    </section>`;
  }

  private yesNo(value: boolean): string {
    return value ? t("common.yes") : t("common.no");
  }

  private resultView(r: Explanation): TemplateResult {
    const f = r.facts;
    const when = new Intl.DateTimeFormat(language(), { dateStyle: "full", timeStyle: "short" }).format(new Date(f.at));
    const summary = this.summary(r);
    return html`<div class="routing-result" data-testid="routing-result">
      <h3 id="routing-test-result-title" tabindex="-1">${t("routing.test.result")}</h3>
      <p class="notice ${r.source === "function" ? "warn" : ""}" data-testid="routing-summary">${summary}</p>
      ${r.source === "function"
        ? nothing
        : html`<h4>${t("routing.test.facts")}</h4>
            <dl class="facts routing-facts" data-testid="routing-facts">
              <div><dt>${t("routing.test.when")}</dt><dd>${when}</dd></div>
              <div><dt>${t("presence.availability")}</dt><dd>${availabilityText(f.availability)}</dd></div>
              <div><dt>${t("routing.activity")}</dt><dd>${f.activity_id === null ? t("common.none") : (this.names.activities.get(f.activity_id) ?? `#${f.activity_id}`)}</dd></div>
              <div><dt>${t("routing.role")}</dt><dd>${f.role_id === null ? t("common.none") : (this.names.roles.get(f.role_id) ?? `#${f.role_id}`)}</dd></div>
              <div><dt>${t("routing.dnd")}</dt><dd>${this.yesNo(f.dnd)}</dd></div>
              <div><dt>${t("routing.inCall")}</dt><dd>${this.yesNo(f.in_call)}</dd></div>
              <div><dt>${t("routing.phonesRegistered")}</dt><dd>${this.yesNo(f.phones_registered ?? false)}</dd></div>
              <div><dt>${t("routing.workingHours")}</dt><dd>${f.in_working_hours ? t("routing.c.hoursIn") : t("routing.c.hoursOut")}</dd></div>
              <div><dt>${t("routing.caller")}</dt><dd>${t(`routing.callerKind.${f.caller_kind}` as MessageKey)}${f.caller_number ? ` (${f.caller_number})` : ""}</dd></div>
              <div><dt>${t("routing.test.number")}</dt><dd>${f.called_number}</dd></div>
              ${f.number_type ? html`<div><dt>${t("routing.numberType")}</dt><dd>${f.number_type}</dd></div>` : nothing}
            </dl>
            <h4>${t("routing.test.checked")}</h4>
            ${r.checked.length
              ? html`<ol class="checked-list" data-testid="routing-checked">
                  ${r.checked.map((c) => {
                    const known = this.rules.find((rule) => rule.id === c.id);
                    const reason = c.matched ? null : ((known && whyNot(known, f, this.names)) || c.why_not);
                    return html`<li class=${c.matched ? "matched" : ""} data-testid="checked-${c.id}">
                      <span class="badge ${c.matched ? "ok" : ""}">${c.matched ? t("routing.test.matched") : t("routing.test.notMatched")}</span>
                      <strong>${c.name}</strong>
                      <span class="muted small">${this.origin(c.scope, c.tier, c.list)}</span>
                      ${reason ? html`<div class="why">${t("routing.test.because", { reason })}</div>` : nothing}
                    </li>`;
                  })}
                </ol>`
              : html`<p class="muted">${t("routing.test.noRules")}</p>`}
            <h4>${t("routing.test.timeline")}</h4>
            <ol class="route-timeline" data-testid="routing-timeline">
              ${r.destinations.map(
                (d) => html`<li><span class="at">${afterText(d.after_s)}</span>
                  <span>${this.asked === "outgoing" && r.source === "default" ? t("routing.test.dials", { number: d.target ?? "" }) : destinationText(d)}</span></li>`,
              )}
            </ol>`}
    </div>`;
  }

  private origin(scope: string, tier: string | null, list: string): string {
    const parts = [t(`settings.level.${scope}` as MessageKey)];
    if (tier) parts.push(t(`routing.tier.${tier}` as MessageKey));
    parts.push(t(`routing.list.${list}` as MessageKey));
    return parts.join(" · ");
  }

  private summary(r: Explanation): string {
    switch (r.source) {
      case "function":
        return t("routing.test.function", { note: r.note });
      case "rule":
        return t("routing.test.byRule", { name: r.rule?.name ?? "" });
      case "fallback":
        return t("routing.test.byFallback", { name: r.rule?.name ?? "" });
      case "none":
        return t("routing.test.none");
      default:
        return this.asked === "outgoing" ? t("routing.test.defaultOut") : t("routing.test.defaultIn");
    }
  }
}
