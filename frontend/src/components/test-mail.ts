/**
 * <cb-test-mail>: on the notify plugin's settings page, send a test mail with the saved SMTP
 * settings (BYD-28) through POST /api/notify/test-mail. The answer is shown next to the button: the
 * address it went to, or the server's problem in words (not set up, connection refused, wrong
 * password, TLS failure); a bad address gets its error next to the field.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, fieldErrors } from "../base";
import { textField } from "../forms";
import { t } from "../i18n";
import { session } from "../session";

/** POST /api/notify/test-mail's answer when the server took the mail. */
interface TestMailResult {
  sent: boolean;
  to: string;
  server: string;
}

@customElement("cb-test-mail")
export class CbTestMail extends LightElement {
  /** The logged-in administrator's own address to start with. */
  @state() private to = session.user?.email ?? "";
  @state() private busy = false;
  @state() private fieldError: string | null = null;
  @state() private error = "";
  @state() private sent: TestMailResult | null = null;

  private async send(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    this.busy = true;
    this.error = "";
    this.fieldError = null;
    this.sent = null;
    try {
      this.sent = await api.post<TestMailResult>("/api/notify/test-mail", { to: this.to.trim() });
    } catch (err) {
      const fields = fieldErrors(err);
      if (fields["to"]) this.fieldError = fields["to"];
      else this.error = errorText(err);
      if (this.fieldError) {
        await this.updateComplete;
        this.querySelector<HTMLElement>("#test-mail-to")?.focus();
      }
    } finally {
      this.busy = false;
    }
  }

  protected override render(): TemplateResult {
    const result = this.sent
      ? html`<p class="notice" role="status" data-testid="test-mail-sent">${t("testMail.sent", { to: this.sent.to, server: this.sent.server })}</p>`
      : this.error
        ? html`<p class="notice bad" role="alert" data-testid="test-mail-error">${this.error}</p>`
        : nothing;
    return html`<form class="card" id="test-mail-form" novalidate @submit=${this.send} aria-labelledby="test-mail-title"
      data-testid="test-mail">
      <h2 id="test-mail-title">${t("testMail.title")}</h2>
      <p class="muted">${t("testMail.intro")}</p>
      ${textField({
        id: "test-mail-to",
        label: t("testMail.to"),
        type: "email",
        autocomplete: "email",
        required: true,
        value: this.to,
        error: this.fieldError,
        onInput: (v) => {
          this.to = v;
          this.fieldError = null;
        },
      })}
      <div class="actions start">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("testMail.sending") : t("testMail.send")}</button>
      </div>
      ${result}
    </form>`;
  }
}
