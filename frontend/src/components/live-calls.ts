/**
 * <cb-live-calls>: the calls in progress from the live `call.<id>` states, durations ticking
 * (CDR-03). An answered call has a "Transfer" action (PKP-10) that opens <cb-call-transfer> in a
 * row under it; the list follows the transfer over the WebSocket like any other change.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ref } from "lit/directives/ref.js";
import { repeat } from "lit/directives/repeat.js";
import { LightElement } from "../base";
import { Ticker, callStateLabel, formatClock, formatDateTime, isCall, party, partyLabel, since } from "../calls";
import { t } from "../i18n";
import { session, toast } from "../session";
import type { EntityState } from "../types";
import { live } from "../ws";
import type { CbCallTransfer } from "./call-transfer";
import "./call-transfer";

const COLUMNS = 6;

@customElement("cb-live-calls")
export class CbLiveCalls extends LightElement {
  /** Only the calls the logged-in person takes part in (an admin's WebSocket carries every call). */
  @property({ type: Boolean }) mine = false;
  @state() private calls: EntityState[] = [];
  /** The call (entity id) whose transfer form is open. */
  @state() private transferring: string | null = null;
  /** Its form: kept while it sends even when the call's row (and the form with it) is gone. */
  private transferForm: CbCallTransfer | null = null;
  private readonly ticker = new Ticker(() => this.requestUpdate());
  private readonly onStates = () => this.collect();

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("states", this.onStates);
    this.collect();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("states", this.onStates);
    this.ticker.stop();
  }

  private collect(): void {
    const me = session.user?.id;
    this.calls = [...live.states.values()]
      .filter(isCall)
      .filter((c) => !this.mine || ((c.attributes["user_ids"] as unknown[]) ?? []).includes(me))
      .sort((a, b) => Number(a.attributes["started"]) - Number(b.attributes["started"]));
    this.ticker.update(this.calls.length > 0);
    const open = this.transferring;
    if (open && this.calls.find((c) => c.entity_id === open)?.state !== "answered") {
      // The call ended (or is no longer a call between two phones) while the form was open. While
      // the form sends, that is the transfer itself: the form's answer closes it.
      const form = this.transferForm;
      if (!form?.busy) {
        const focused = !!form?.contains(document.activeElement);
        this.transferring = null;
        this.transferForm = null;
        toast(t("transfer.callEnded"), "info");
        if (focused) void this.restoreFocus(open);
      }
    }
  }

  private openTransfer(call: EntityState): void {
    if (this.transferForm?.busy) return;
    this.transferring = this.transferring === call.entity_id ? null : call.entity_id;
    this.transferForm = null;
    if (!this.transferring) void this.restoreFocus(call.entity_id);
  }

  /** The form closed: its call's Transfer button takes the focus back, or, with the call gone (a
   * transfer ends it), the list; unless the person has moved on elsewhere meanwhile. */
  private closeTransfer(entityId: string): void {
    this.transferring = null;
    this.transferForm = null;
    const at = document.activeElement;
    if (!at || at === document.body || this.contains(at)) void this.restoreFocus(entityId);
  }

  private async restoreFocus(entityId: string): Promise<void> {
    await this.updateComplete;
    const button = this.querySelector<HTMLElement>(`[data-transfer="${CSS.escape(entityId)}"]`);
    (button ?? this.querySelector<HTMLElement>("[data-live-calls-focus]"))?.focus();
  }

  private actions(call: EntityState): TemplateResult {
    // Only calls between two phones can be transferred here; the server says which ones those are.
    if (call.state !== "answered" || call.attributes["transferable"] !== true) return html``;
    const open = this.transferring === call.entity_id;
    const callee = partyLabel(call, "callee");
    return html`<div class="actions">
      <button type="button" class="secondary small" data-transfer=${call.entity_id} data-testid="transfer-call"
        aria-expanded=${open ? "true" : "false"}
        aria-controls=${open ? `transfer-${call.entity_id.slice("call.".length)}-form` : nothing}
        aria-label=${t("transfer.actionLabel", { caller: partyLabel(call, "caller"), callee })}
        @click=${() => this.openTransfer(call)}>${t("transfer.action")}</button>
    </div>`;
  }

  private transferRow(call: EntityState): TemplateResult | typeof nothing {
    if (this.transferring !== call.entity_id) return nothing;
    return html`<tr class="transfer-row" data-testid="live-call-transfer">
      <td colspan=${COLUMNS} class="transfer-cell">
        <cb-call-transfer
          ${ref((form) => {
            if (form) this.transferForm = form as CbCallTransfer;
          })}
          .call=${call}
          .me=${this.mine ? (session.user?.id ?? null) : null}
          @cancel=${() => this.closeTransfer(call.entity_id)}
          @transferred=${() => this.closeTransfer(call.entity_id)}
        ></cb-call-transfer>
      </td>
    </tr>`;
  }

  private row(call: EntityState): TemplateResult {
    const a = call.attributes;
    const started = Number(a["started"]);
    const answered = a["answered"] === null || a["answered"] === undefined ? null : Number(a["answered"]);
    const kind = call.state === "answered" ? "ok" : "warn";
    return html`<tr data-testid="live-call" data-call=${call.entity_id}>
      <td data-label=${t("calls.started")}>${formatDateTime(started)}</td>
      <td data-label=${t("calls.from")}>${party(String(a["caller"] ?? ""), String(a["caller_name"] ?? ""))}</td>
      <td data-label=${t("calls.to")}>${party(String(a["callee"] ?? ""), String(a["callee_name"] ?? ""))}${a["route"]
        ? html`<div class="muted small" data-testid="live-call-route">${String(a["route"])}</div>`
        : nothing}</td>
      <td data-label=${t("calls.state")}><span class="badge ${kind}" data-testid="call-state">${callStateLabel(call.state)}</span></td>
      <td data-label=${t("calls.duration")} class="num">
        <span data-testid="call-duration" class=${answered === null ? "muted" : ""}>${formatClock(since(answered ?? started))}</span>
      </td>
      <td class="entry-actions">${this.actions(call)}</td>
    </tr>
    ${this.transferRow(call)}`;
  }

  protected override render(): TemplateResult {
    if (!this.calls.length) {
      return html`<p class="muted" data-testid="no-live-calls" tabindex="-1" data-live-calls-focus>${t("calls.noActive")}</p>`;
    }
    return html`<div class="table-wrap">
      <table class="data responsive" data-testid="live-calls" tabindex="-1" data-live-calls-focus>
        <caption class="sr-only">${t("dashboard.activeCalls")}</caption>
        <thead>
          <tr>
            <th scope="col">${t("calls.started")}</th>
            <th scope="col">${t("calls.from")}</th>
            <th scope="col">${t("calls.to")}</th>
            <th scope="col">${t("calls.state")}</th>
            <th scope="col">${t("calls.duration")}</th>
            <th scope="col"><span class="sr-only">${t("calls.actions")}</span></th>
          </tr>
        </thead>
        <tbody>
          ${repeat(this.calls, (c) => c.entity_id, (c) => this.row(c))}
        </tbody>
      </table>
    </div>`;
  }
}
