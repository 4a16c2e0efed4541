/** <cb-live-calls>: the calls in progress from the live `call.<id>` states, durations ticking (CDR-03). */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { LightElement } from "../base";
import { Ticker, callStateLabel, formatClock, formatDateTime, isCall, party, since } from "../calls";
import { t } from "../i18n";
import { session } from "../session";
import type { EntityState } from "../types";
import { live } from "../ws";

@customElement("cb-live-calls")
export class CbLiveCalls extends LightElement {
  /** Only the calls the logged-in person takes part in (an admin's WebSocket carries every call). */
  @property({ type: Boolean }) mine = false;
  @state() private calls: EntityState[] = [];
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
    </tr>`;
  }

  protected override render(): TemplateResult {
    if (!this.calls.length) return html`<p class="muted" data-testid="no-live-calls">${t("calls.noActive")}</p>`;
    return html`<div class="table-wrap">
      <table class="data responsive" data-testid="live-calls">
        <caption class="sr-only">${t("dashboard.activeCalls")}</caption>
        <thead>
          <tr>
            <th scope="col">${t("calls.started")}</th>
            <th scope="col">${t("calls.from")}</th>
            <th scope="col">${t("calls.to")}</th>
            <th scope="col">${t("calls.state")}</th>
            <th scope="col">${t("calls.duration")}</th>
          </tr>
        </thead>
        <tbody>
          ${this.calls.map((c) => this.row(c))}
        </tbody>
      </table>
    </div>`;
  }
}
