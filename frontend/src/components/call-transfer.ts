/**
 * <cb-call-transfer>: transfer a live, answered call from the web (PKP-10): who is transferred (the
 * caller or the called party; in a user's own list always the party they talk with) and the
 * number to send them to. POST /api/calls/{id}/transfer; the other phone is hung up. A refused
 * number shows next to its field and the form stays open; once under way a status message says
 * so and the form fires "transferred" (detail: the accepted transfer); Escape or Cancel fire
 * "cancel". The live list follows the calls over the WebSocket by itself.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { live } from "lit/directives/live.js";
import { api } from "../api";
import { LightElement, errorText } from "../base";
import {
  defaultTransferParty,
  liveCallId,
  otherParty,
  partyLabel,
  partyName,
  transferFieldErrors,
  type TransferParty,
} from "../calls";
import { focusFirstError, focusWhenRendered, formError, textField, type FormHost } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";
import type { EntityState } from "../types";
import { check, checks } from "../validate";

/** The 202 answer of POST /api/calls/{id}/transfer. */
export interface TransferAccepted {
  id: string;
  party: TransferParty;
  target: string;
}

const PARTIES: TransferParty[] = ["caller", "callee"];

@customElement("cb-call-transfer")
export class CbCallTransfer extends LightElement implements FormHost {
  /** The live `call.<id>` state of the call to transfer. */
  @property({ attribute: false }) call: EntityState | null = null;
  /** The logged-in user in their own list: the party is the one they talk with, not a choice. */
  @property({ attribute: false }) me: number | null = null;
  @state() private party: TransferParty = "caller";
  @state() private target = "";
  @state() errors: Record<string, string | null | undefined> = {};
  @state() error = "";
  @state() busy = false;

  protected override willUpdate(): void {
    // Opened: the default party, and the focus in the number field (the party has a default).
    if (!this.hasUpdated && this.call) {
      this.party = defaultTransferParty(this.call, this.me);
      void focusWhenRendered(this, `#${this.idPrefix}-target`);
    }
  }

  /** Ids unique on the page (a call's entity id is letters and digits after "call."). */
  private get idPrefix(): string {
    return `transfer-${(this.call?.entity_id ?? "").slice("call.".length)}`;
  }

  private cancel(): void {
    this.dispatchEvent(new CustomEvent("cancel"));
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy || !this.call) return;
    const target = this.target.trim();
    const invalid = check(target, true, checks.transferTarget);
    this.error = "";
    this.errors = { target: invalid };
    if (invalid) {
      focusFirstError(this);
      return;
    }
    const call = this.call;
    const party = this.party;
    this.busy = true;
    try {
      const accepted = await api.post<TransferAccepted>(`/api/calls/${encodeURIComponent(liveCallId(call))}/transfer`, {
        target,
        party,
      });
      toast(t("transfer.started", { who: partyName(call, accepted.party ?? party), target: accepted.target ?? target }));
      this.dispatchEvent(new CustomEvent<TransferAccepted>("transferred", { detail: accepted }));
    } catch (err) {
      // A refused number shows next to its field; anything else (a call that ended or may not be
      // transferred, 409) in the form's message box; a form whose call is gone from the list
      // meanwhile says it in a message and closes.
      this.errors = transferFieldErrors(err, target);
      if (!this.isConnected) {
        toast(this.errors["target"] || errorText(err), "error");
        this.dispatchEvent(new CustomEvent("cancel"));
        return;
      }
      this.error = this.errors["target"] || this.errors["party"] ? "" : errorText(err);
      focusFirstError(this);
    } finally {
      this.busy = false;
    }
  }

  private partyChoice(): TemplateResult {
    const call = this.call;
    if (!call) return html``;
    const p = this.idPrefix;
    return html`<fieldset class="transfer-party" aria-describedby="${p}-party-error">
      <legend>${t("transfer.who")}</legend>
      ${PARTIES.map(
        (side) => html`<div class="field checkbox">
          <input type="radio" id="${p}-party-${side}" name="${p}-party" value=${side}
            .checked=${live(this.party === side)}
            @change=${() => {
              this.party = side;
              this.errors = { ...this.errors, party: null };
            }} />
          <label for="${p}-party-${side}">${t(`transfer.${side}`, { party: partyLabel(call, side) })}</label>
        </div>`,
      )}
      <div class="field-error" id="${p}-party-error" aria-live="polite">${this.errors["party"] ?? ""}</div>
    </fieldset>`;
  }

  protected override render(): TemplateResult {
    const call = this.call;
    if (!call) return html``;
    const p = this.idPrefix;
    const title = t("transfer.title", { caller: partyLabel(call, "caller"), callee: partyLabel(call, "callee") });
    return html`<form class="call-transfer" id="${p}-form" novalidate aria-labelledby="${p}-title" data-testid="transfer-form"
      @submit=${this.submit}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === "Escape" && !this.busy) {
          e.preventDefault();
          this.cancel();
        }
      }}>
      <h3 id="${p}-title">${title}</h3>
      ${formError(this.error, `${p}-form-error`)}
      ${this.me === null ? this.partyChoice() : nothing}
      ${textField({
        id: `${p}-target`,
        label: t("transfer.target"),
        value: this.target,
        required: true,
        error: this.errors["target"],
        hint: t("transfer.hint", { who: partyName(call, this.party), other: partyName(call, otherParty(this.party)) }),
        autocomplete: "off",
        inputmode: "tel",
        onInput: (v) => {
          this.target = v;
          if (this.errors["target"]) this.errors = { ...this.errors, target: null };
        },
      })}
      <div class="actions start">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("transfer.sending") : t("transfer.submit")}</button>
        <button type="button" class="secondary" ?disabled=${this.busy} @click=${() => this.cancel()}>${t("common.cancel")}</button>
      </div>
    </form>`;
  }
}
