/**
 * The user's terminals (portal, TERM-01..03, TERM-07, TERM-09, CAPU-11/13): their registered phones
 * as one terminal and up to four numbers (a mobile, a colleague), rung together (each after its
 * delay) or one by one (each for its ring time, in this order), always or by working hours — the
 * editor is <cb-terminal-plan>, shared with the administrator's user page — and the number their
 * calls show (CLI-01/05) and call waiting (RTE-12).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, fieldErrors, pageHeading } from "../base";
import "../components/terminal-plan";
import type { TerminalPlan } from "../components/terminal-plan";
import { checkboxField, selectField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { toast } from "../session";
import { effectiveSettings, saveOwnSettings } from "../user-settings";

interface CallerId {
  number: string;
  name: string;
  hidden: boolean;
  allowed: string[];
  /** NUM-04: the personal lines, primary first. */
  lines?: Array<{ number: string; type: "office_landline" | "office_mobile"; primary: boolean }>;
}

@customElement("cb-my-terminals")
export class CbMyTerminals extends LightElement {
  @state() private userId: number | null = null;
  @state() private callerId: CallerId | null = null;
  @state() private callerIdErrors: Record<string, string> = {};
  @state() private callWaiting = true;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadCallerId();
  }

  private async loadCallerId(): Promise<void> {
    try {
      this.callerId = await api.get<CallerId>("/api/me/caller_id");
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  /** The plan came: its user's call waiting setting (RTE-12). */
  private async planLoaded(plan: TerminalPlan): Promise<void> {
    if (this.userId === plan.user_id) return;
    try {
      const effective = await effectiveSettings(plan.user_id);
      this.callWaiting = effective["core.call_waiting"]?.value !== false;
      this.userId = plan.user_id;
    } catch (err) {
      toast(errorText(err), "error");
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
    if (this.userId === null) return;
    try {
      await saveOwnSettings(this.userId, { "core.call_waiting": on });
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
      ${this.userId !== null
        ? checkboxField({ id: "call-waiting", label: t("terminals.callWaiting"), hint: t("terminals.callWaitingHint"),
            checked: this.callWaiting, onChange: (v) => void this.setCallWaiting(v) })
        : nothing}
    </section>`;
  }

  protected override render(): TemplateResult {
    return html`<section class="page">
      ${pageHeading(t("terminals.title"))}
      <p class="muted" id="terminals-title">${t("terminals.intro")}</p>
      ${this.callerIdCard()}
      <cb-terminal-plan base="/api/me/terminals"
        @plan-loaded=${(e: CustomEvent<TerminalPlan>) => void this.planLoaded(e.detail)}></cb-terminal-plan>
    </section>`;
  }
}
