/**
 * The user's terminals (portal, TERM-01..03, TERM-07, TERM-09, CAPU-11/13): their registered phones
 * as one terminal and up to four numbers (a mobile, a colleague), rung together (each after its
 * delay) or one by one (each for its ring time, in this order), always or by working hours.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView, pageHeading } from "../base";
import { checkboxField, focusFirstError, formError, selectField, textField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { toast } from "../session";
import { effectiveSettings, saveOwnSettings } from "../user-settings";

interface Terminal {
  kind: "phones" | "number";
  number: string | null;
  label: string;
  enabled: boolean;
  delay_s: number;
  ring_s: number;
  when: string;
}

interface CallerId {
  number: string;
  name: string;
  hidden: boolean;
  allowed: string[];
  /** NUM-04: the personal lines, primary first. */
  lines?: Array<{ number: string; type: "office_landline" | "office_mobile"; primary: boolean }>;
}

interface TerminalPlan {
  user_id: number;
  mode: "simultaneous" | "sequential";
  terminals: Terminal[];
  /** RTE-10: where a call ends that no terminal answered (null: nowhere). */
  fallback: string | null;
}

const MAX_TERMINALS = 5;
const WHEN = ["always", "working_hours", "outside_working_hours"] as const;

@customElement("cb-my-terminals")
export class CbMyTerminals extends LightElement {
  @state() private plan: TerminalPlan | null = null;
  @state() private callerId: CallerId | null = null;
  @state() private callerIdErrors: Record<string, string> = {};
  @state() private callWaiting = true;
  @state() private loadError = "";
  @state() private errors: Record<string, string> = {};
  @state() private error = "";
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      [this.plan, this.callerId] = await Promise.all([
        api.get<TerminalPlan>("/api/me/terminals"),
        api.get<CallerId>("/api/me/caller_id"),
      ]);
      const effective = await effectiveSettings(this.plan.user_id);
      this.callWaiting = effective["core.call_waiting"]?.value !== false;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private change(index: number, patch: Partial<Terminal>): void {
    if (!this.plan) return;
    const terminals = this.plan.terminals.map((t, i) => (i === index ? { ...t, ...patch } : t));
    this.plan = { ...this.plan, terminals };
  }

  private move(index: number, delta: number): void {
    if (!this.plan) return;
    const terminals = [...this.plan.terminals];
    const target = index + delta;
    if (target < 0 || target >= terminals.length) return;
    [terminals[index], terminals[target]] = [terminals[target]!, terminals[index]!];
    this.plan = { ...this.plan, terminals };
  }

  private addNumber(): void {
    if (!this.plan || this.plan.terminals.length >= MAX_TERMINALS) return;
    const fresh: Terminal = { kind: "number", number: "", label: "", enabled: true, delay_s: 0, ring_s: 20, when: "always" };
    this.plan = { ...this.plan, terminals: [...this.plan.terminals, fresh] };
  }

  private removeTerminal(index: number): void {
    if (!this.plan) return;
    this.plan = { ...this.plan, terminals: this.plan.terminals.filter((_t, i) => i !== index) };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.plan) return;
    this.busy = true;
    this.error = "";
    try {
      this.plan = await api.put<TerminalPlan>("/api/me/terminals", {
        mode: this.plan.mode,
        terminals: this.plan.terminals.map((t) => ({ ...t, number: t.kind === "number" ? (t.number ?? "").trim() : null })),
        fallback: (this.plan.fallback ?? "").trim() || null,
      });
      this.errors = {};
      toast(t("terminals.saved"));
    } catch (err) {
      this.errors = fieldErrors(err);
      this.error = errorText(err);
      await this.updateComplete;
      focusFirstError(this);
    } finally {
      this.busy = false;
    }
  }

  /** CLI-01/05: the number the user's calls show, or hidden. */
  private async chooseCallerId(change: { number?: string; hidden?: boolean }): Promise<void> {
    try {
      this.callerId = await api.put<CallerId>("/api/me/caller_id", change);
      this.callerIdErrors = {};
      toast(t("callerId.saved"));
    } catch (err) {
      this.callerIdErrors = fieldErrors(err);
    }
  }

  /** RTE-12: with call waiting off, a second call while in a call is busy. */
  private async setCallWaiting(on: boolean): Promise<void> {
    if (!this.plan) return;
    try {
      await saveOwnSettings(this.plan.user_id, { "core.call_waiting": on });
      this.callWaiting = on;
      toast(t(on ? "terminals.waitingOn" : "terminals.waitingOff"));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private callerIdCard(): TemplateResult | typeof nothing {
    const c = this.callerId;
    if (!c) return nothing;
    return html`<section class="card" aria-labelledby="caller-id-title" data-testid="caller-id">
      <h2 id="caller-id-title">${t("callerId.title")}</h2>
      ${c.lines?.length
        ? html`<p data-testid="personal-lines">${t("callerId.lines")}
            ${c.lines.map((l, i) => html`${i ? ", " : ""}<strong>${l.number}</strong> (${t(`callerId.line.${l.type}` as MessageKey)}${l.primary ? `, ${t("callerId.primary")}` : ""})`)}</p>`
        : nothing}
      ${selectField({ id: "caller-id-number", label: t("callerId.number"), value: c.number,
        options: c.allowed.map((n): [string, string] => [n, n]), hint: t("callerId.hint"),
        error: this.callerIdErrors["number"], onInput: (v) => void this.chooseCallerId({ number: v }) })}
      ${checkboxField({ id: "caller-id-hidden", label: t("callerId.hidden"), checked: c.hidden,
        error: this.callerIdErrors["hidden"], onChange: (v) => void this.chooseCallerId({ hidden: v }) })}
      ${checkboxField({ id: "call-waiting", label: t("terminals.callWaiting"), hint: t("terminals.callWaitingHint"),
        checked: this.callWaiting, onChange: (v) => void this.setCallWaiting(v) })}
    </section>`;
  }

  private row(terminal: Terminal, index: number, count: number): TemplateResult {
    const sequential = this.plan?.mode === "sequential";
    const id = `terminal-${index}`;
    const name = terminal.kind === "phones" ? t("terminals.phones") : terminal.number || t("terminals.newNumber");
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
        : html`<p class="muted">${t("terminals.phonesHint")}</p>`}
      ${checkboxField({ id: `${id}-enabled`, label: t("terminals.rings"), checked: terminal.enabled, onChange: (v) => this.change(index, { enabled: v }) })}
      ${sequential
        ? textField({ id: `${id}-ring`, label: t("terminals.ringFor"), type: "number", value: String(terminal.ring_s), min: 5, max: 120,
            error: this.errors[`terminals.${index}.ring_s`], onInput: (v) => this.change(index, { ring_s: Number(v) }) })
        : textField({ id: `${id}-delay`, label: t("terminals.delay"), type: "number", value: String(terminal.delay_s), min: 0, max: 120,
            error: this.errors[`terminals.${index}.delay_s`], onInput: (v) => this.change(index, { delay_s: Number(v) }) })}
      ${selectField({ id: `${id}-when`, label: t("terminals.when"), value: terminal.when,
        options: WHEN.map((w): [string, string] => [w, t(`terminals.when.${w}` as MessageKey)]), onInput: (v) => this.change(index, { when: v }) })}
    </li>`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.plan) body = loadingView();
    else {
      const plan = this.plan;
      const numbers = plan.terminals.filter((x) => x.kind === "number" && x.enabled);
      body = html`<form novalidate @submit=${this.save} aria-labelledby="terminals-title">
        ${formError(this.error)}
        <div class="card">
          ${selectField({ id: "terminals-mode", label: t("terminals.mode"), value: plan.mode,
            options: [["simultaneous", t("terminals.mode.simultaneous")], ["sequential", t("terminals.mode.sequential")]],
            error: this.errors["mode"], onInput: (v) => (this.plan = { ...plan, mode: v as TerminalPlan["mode"] }) })}
          ${numbers.length && plan.mode === "simultaneous" ? html`<p class="notice warn" data-testid="two-channels">${t("terminals.twoChannels")}</p>` : nothing}
          ${this.errors["terminals"] ? html`<p class="field-error" role="alert">${this.errors["terminals"]}</p>` : nothing}
        </div>
        <ol class="terminal-list" aria-label=${t("terminals.title")}>${plan.terminals.map((x, i) => this.row(x, i, plan.terminals.length))}</ol>
        ${textField({ id: "terminals-fallback", label: t("terminals.fallback"), value: plan.fallback ?? "", inputmode: "tel",
          hint: t("terminals.fallbackHint"), error: this.errors["fallback"], onInput: (v) => (this.plan = { ...plan, fallback: v }) })}
        <div class="actions">
          <button type="button" class="secondary" ?disabled=${plan.terminals.length >= MAX_TERMINALS} @click=${() => this.addNumber()}>${t("terminals.addNumber")}</button>
          <button type="submit" ?disabled=${this.busy}>${t("common.save")}</button>
        </div>
      </form>`;
    }
    return html`<section class="page">
      ${pageHeading(t("terminals.title"))}
      <p class="muted" id="terminals-title">${t("terminals.intro")}</p>
      ${this.callerIdCard()}
      ${body}
    </section>`;
  }
}
