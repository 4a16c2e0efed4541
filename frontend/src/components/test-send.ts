/**
 * What <cb-test-mail> and <cb-test-sms> share: a form with one recipient field that POSTs it to the
 * notify plugin's test endpoint and shows the answer next to the button (what was sent, or the
 * reason in words); a bad recipient gets its error next to the field.
 */
import { html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, fieldErrors } from "../base";
import { textField } from "../forms";
import { t, type MessageKey } from "../i18n";

/** How one test form is named, labelled and where it sends. */
export interface TestSendSetup {
  /** The prefix of the form's ids and test ids, such as "test-mail". */
  id: string;
  endpoint: string;
  field: { type: string; autocomplete: string; hint?: MessageKey };
  texts: { title: MessageKey; intro: MessageKey; to: MessageKey; send: MessageKey; sending: MessageKey };
}

export abstract class TestSendForm<Result> extends LightElement {
  @state() protected to = "";
  @state() private busy = false;
  @state() private fieldError: string | null = null;
  @state() private error = "";
  @state() private sent: Result | null = null;

  protected abstract readonly setup: TestSendSetup;

  /** The line shown once the server says it was sent. */
  protected abstract sentText(result: Result): string;

  /** Called after a successful send. */
  protected afterSent(): void {}

  private async send(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    this.busy = true;
    this.error = "";
    this.fieldError = null;
    this.sent = null;
    try {
      this.sent = await api.post<Result>(this.setup.endpoint, { to: this.to.trim() });
      this.afterSent();
    } catch (err) {
      const fields = fieldErrors(err);
      if (fields["to"]) this.fieldError = fields["to"];
      else this.error = errorText(err);
      if (this.fieldError) {
        await this.updateComplete;
        this.querySelector<HTMLElement>(`#${this.setup.id}-to`)?.focus();
      }
    } finally {
      this.busy = false;
    }
  }

  protected override render(): TemplateResult {
    const { id, field, texts } = this.setup;
    const result = this.sent
      ? html`<p class="notice" role="status" data-testid="${id}-sent">${this.sentText(this.sent)}</p>`
      : this.error
        ? html`<p class="notice bad" role="alert" data-testid="${id}-error">${this.error}</p>`
        : nothing;
    return html`<form class="card" id="${id}-form" novalidate @submit=${this.send} aria-labelledby="${id}-title"
      data-testid=${id}>
      <h2 id="${id}-title">${t(texts.title)}</h2>
      <p class="muted">${t(texts.intro)}</p>
      ${textField({
        id: `${id}-to`,
        label: t(texts.to),
        type: field.type,
        autocomplete: field.autocomplete,
        hint: field.hint ? t(field.hint) : undefined,
        required: true,
        value: this.to,
        error: this.fieldError,
        onInput: (v) => {
          this.to = v;
          this.fieldError = null;
        },
      })}
      <div class="actions start">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t(texts.sending) : t(texts.send)}</button>
      </div>
      ${result}
    </form>`;
  }
}
