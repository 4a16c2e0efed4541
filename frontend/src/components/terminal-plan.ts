/**
 * The terminals editor (TERM-01..03, TERM-09, CAPU-11/13, RTE-10): a user's registered phones as one
 * terminal and up to four numbers (a mobile, a colleague), rung together (each after its delay) or
 * one by one (each for its ring time, in this order), always or by working hours, and where an
 * unanswered call ends. `base` is the API resource it reads and replaces: `/api/me/terminals` on
 * the user's own page, `/api/users/{id}/terminals` on an administrator's user page (`admin`: texts
 * about "the user" instead of "my"). The server's refusals are shown next to their fields.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView } from "../base";
import { checkboxField, formError, selectField, sendForm, textField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { toast } from "../session";

export interface Terminal {
  kind: "phones" | "number";
  number: string | null;
  label: string;
  enabled: boolean;
  delay_s: number;
  ring_s: number;
  when: string;
}

export interface TerminalPlan {
  user_id: number;
  mode: "simultaneous" | "sequential";
  terminals: Terminal[];
  /** RTE-10: where a call ends that no terminal answered (null: nowhere). */
  fallback: string | null;
}

export const MAX_TERMINALS = 5;
export const WHEN = ["always", "working_hours", "outside_working_hours"] as const;

/** The body of PUT …/terminals: numbers trimmed (null for the phones), an empty fallback null. */
export function planBody(plan: TerminalPlan): Record<string, unknown> {
  return {
    mode: plan.mode,
    terminals: plan.terminals.map((x) => ({ ...x, number: x.kind === "number" ? (x.number ?? "").trim() : null })),
    fallback: (plan.fallback ?? "").trim() || null,
  };
}

/** `terminals` with the one at `index` swapped with its neighbour `delta` away (unchanged at an end). */
export function moved<T>(terminals: readonly T[], index: number, delta: number): T[] {
  const next = [...terminals];
  const target = index + delta;
  if (index < 0 || index >= next.length || target < 0 || target >= next.length) return next;
  [next[index], next[target]] = [next[target]!, next[index]!];
  return next;
}

@customElement("cb-terminal-plan")
export class CbTerminalPlan extends LightElement {
  /** The API resource: GET and PUT there. */
  @property() base = "/api/me/terminals";
  /** On an administrator's page about another user. */
  @property({ type: Boolean }) admin = false;
  @state() private plan: TerminalPlan | null = null;
  @state() private loadError = "";
  @state() errors: Record<string, string> = {};
  @state() error = "";
  @state() busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.style.display = "block";
    void this.load();
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has("base") && changed.get("base") !== undefined) void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      this.plan = await api.get<TerminalPlan>(this.base);
      this.dispatchEvent(new CustomEvent("plan-loaded", { detail: this.plan }));
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private change(index: number, patch: Partial<Terminal>): void {
    if (!this.plan) return;
    const terminals = this.plan.terminals.map((x, i) => (i === index ? { ...x, ...patch } : x));
    this.plan = { ...this.plan, terminals };
  }

  private move(index: number, delta: number): void {
    if (this.plan) this.plan = { ...this.plan, terminals: moved(this.plan.terminals, index, delta) };
  }

  private addNumber(): void {
    if (!this.plan || this.plan.terminals.length >= MAX_TERMINALS) return;
    const fresh: Terminal = { kind: "number", number: "", label: "", enabled: true, delay_s: 0, ring_s: 20, when: "always" };
    this.plan = { ...this.plan, terminals: [...this.plan.terminals, fresh] };
  }

  private removeTerminal(index: number): void {
    if (!this.plan) return;
    this.plan = { ...this.plan, terminals: this.plan.terminals.filter((_x, i) => i !== index) };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const plan = this.plan;
    if (!plan || this.busy) return;
    await sendForm(this, async () => {
      this.plan = await api.put<TerminalPlan>(this.base, planBody(plan));
      this.errors = {};
      toast(t(this.admin ? "adminEdits.terminalsSaved" : "terminals.saved"));
    });
  }

  private whenText(when: string): string {
    if (this.admin && when !== "always") return t(`adminEdits.when.${when}` as MessageKey);
    return t(`terminals.when.${when}` as MessageKey);
  }

  private row(terminal: Terminal, index: number, count: number): TemplateResult {
    const sequential = this.plan?.mode === "sequential";
    const id = `terminal-${index}`;
    const phones = this.admin ? t("adminEdits.phones") : t("terminals.phones");
    const name = terminal.kind === "phones" ? phones : terminal.number || t("terminals.newNumber");
    return html`<li class="card terminal" data-testid=${id}>
      <div class="terminal-head">
        <strong>${index + 1}. ${name}</strong>
        <div class="actions start">
          <button type="button" class="icon secondary" aria-label=${t("common.moveUp", { name })} ?disabled=${index === 0}
            @click=${() => this.move(index, -1)}>↑</button>
          <button type="button" class="icon secondary" aria-label=${t("common.moveDown", { name })} ?disabled=${index === count - 1}
            @click=${() => this.move(index, 1)}>↓</button>
          ${terminal.kind === "number"
            ? html`<button type="button" class="danger small" aria-label=${t("terminals.remove", { name })} @click=${() => this.removeTerminal(index)}>${t("common.delete")}</button>`
            : nothing}
        </div>
      </div>
      ${terminal.kind === "number"
        ? html`${textField({ id: `${id}-number`, label: t("terminals.number"), value: terminal.number ?? "", required: true, inputmode: "tel",
            hint: t("terminals.numberHint"), error: this.errors[`terminals.${index}.number`], onInput: (v) => this.change(index, { number: v }) })}
          ${textField({ id: `${id}-label`, label: t("terminals.label"), value: terminal.label, error: this.errors[`terminals.${index}.label`], onInput: (v) => this.change(index, { label: v }) })}`
        : html`<p class="muted">${this.admin ? t("adminEdits.phonesHint") : t("terminals.phonesHint")}</p>`}
      ${checkboxField({ id: `${id}-enabled`, label: t("terminals.rings"), checked: terminal.enabled, onChange: (v) => this.change(index, { enabled: v }) })}
      ${sequential
        ? textField({ id: `${id}-ring`, label: t("terminals.ringFor"), type: "number", value: String(terminal.ring_s), min: 5, max: 120,
            error: this.errors[`terminals.${index}.ring_s`], onInput: (v) => this.change(index, { ring_s: Number(v) }) })
        : textField({ id: `${id}-delay`, label: t("terminals.delay"), type: "number", value: String(terminal.delay_s), min: 0, max: 120,
            error: this.errors[`terminals.${index}.delay_s`], onInput: (v) => this.change(index, { delay_s: Number(v) }) })}
      ${selectField({ id: `${id}-when`, label: t("terminals.when"), value: terminal.when, error: this.errors[`terminals.${index}.when`],
        options: WHEN.map((w): [string, string] => [w, this.whenText(w)]), onInput: (v) => this.change(index, { when: v }) })}
    </li>`;
  }

  protected override render(): TemplateResult {
    if (this.loadError) return errorView(this.loadError, () => void this.load());
    if (!this.plan) return loadingView();
    const plan = this.plan;
    const numbers = plan.terminals.filter((x) => x.kind === "number" && x.enabled);
    return html`<form novalidate @submit=${this.save} aria-label=${this.admin ? t("adminEdits.terminalsTitle") : t("terminals.title")}
        data-testid="terminal-plan">
      ${formError(this.error, "terminals-error")}
      <div class="card">
        ${selectField({ id: "terminals-mode", label: t("terminals.mode"), value: plan.mode,
          options: [["simultaneous", t("terminals.mode.simultaneous")], ["sequential", t("terminals.mode.sequential")]],
          error: this.errors["mode"], onInput: (v) => (this.plan = { ...plan, mode: v as TerminalPlan["mode"] }) })}
        ${numbers.length && plan.mode === "simultaneous" ? html`<p class="notice warn" data-testid="two-channels">${t("terminals.twoChannels")}</p>` : nothing}
        ${this.errors["terminals"] ? html`<p class="field-error" role="alert">${this.errors["terminals"]}</p>` : nothing}
      </div>
      <ol class="terminal-list" aria-label=${this.admin ? t("adminEdits.terminalsTitle") : t("terminals.title")}>${plan.terminals.map((x, i) => this.row(x, i, plan.terminals.length))}</ol>
      ${textField({ id: "terminals-fallback", label: t("terminals.fallback"), value: plan.fallback ?? "", inputmode: "tel",
        hint: this.admin ? t("adminEdits.fallbackHint") : t("terminals.fallbackHint"), error: this.errors["fallback"],
        onInput: (v) => (this.plan = { ...plan, fallback: v }) })}
      <div class="actions">
        <button type="button" class="secondary" ?disabled=${plan.terminals.length >= MAX_TERMINALS} @click=${() => this.addNumber()}>${t("terminals.addNumber")}</button>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button>
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "cb-terminal-plan": CbTerminalPlan;
  }
}
