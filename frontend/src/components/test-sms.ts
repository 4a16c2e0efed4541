/**
 * <cb-test-sms>: on the notify plugin's settings page, send a test SMS through the GSM modem with
 * the saved settings via POST /api/notify/test-sms. The answer is shown next to the button: the
 * number and the modem's message reference, or the modem's reason in words (no modem set up, the
 * SIM wants its PIN, +CMS ERROR 38 network out of order, no answer); a bad number gets its error
 * next to the field.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, fieldErrors } from "../base";
import { textField } from "../forms";
import { t } from "../i18n";

/** POST /api/notify/test-sms's answer when the network took the SMS. */
interface TestSmsResult {
  sent: boolean;
  to: string;
  references: number[];
  device: string;
}

@customElement("cb-test-sms")
export class CbTestSms extends LightElement {
  @state() private to = "";
  @state() private busy = false;
  @state() private fieldError: string | null = null;
  @state() private error = "";
  @state() private sent: TestSmsResult | null = null;

  private async send(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    this.busy = true;
    this.error = "";
    this.fieldError = null;
    this.sent = null;
    try {
      this.sent = await api.post<TestSmsResult>("/api/notify/test-sms", { to: this.to.trim() });
      this.dispatchEvent(new CustomEvent("notify-sent", { bubbles: true, composed: true }));
    } catch (err) {
      const fields = fieldErrors(err);
      if (fields["to"]) this.fieldError = fields["to"];
      else this.error = errorText(err);
      if (this.fieldError) {
        await this.updateComplete;
        this.querySelector<HTMLElement>("#test-sms-to")?.focus();
      }
    } finally {
      this.busy = false;
    }
  }

  protected override render(): TemplateResult {
    const result = this.sent
      ? html`<p class="notice" role="status" data-testid="test-sms-sent">${t("testSms.sent", {
          to: this.sent.to,
          reference: this.sent.references.join(", "),
        })}</p>`
      : this.error
        ? html`<p class="notice bad" role="alert" data-testid="test-sms-error">${this.error}</p>`
        : nothing;
    return html`<form class="card" id="test-sms-form" novalidate @submit=${this.send} aria-labelledby="test-sms-title"
      data-testid="test-sms">
      <h2 id="test-sms-title">${t("testSms.title")}</h2>
      <p class="muted">${t("testSms.intro")}</p>
      ${textField({
        id: "test-sms-to",
        label: t("testSms.to"),
        type: "tel",
        autocomplete: "tel",
        hint: t("testSms.toHint"),
        required: true,
        value: this.to,
        error: this.fieldError,
        onInput: (v) => {
          this.to = v;
          this.fieldError = null;
        },
      })}
      <div class="actions start">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("testSms.sending") : t("testSms.send")}</button>
      </div>
      ${result}
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "cb-test-sms": CbTestSms;
  }
}
