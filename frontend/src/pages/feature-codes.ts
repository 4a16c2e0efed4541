/**
 * Feature codes (FC-15..17): the codes a person dials on a phone, as a table to pin to the wall:
 * what to dial to use or turn on a feature ("*21*NUMBER*", the fields in capitals in the UI's
 * language), what undoes it ("#21#"), its name, what it does and its catalogue ID. Every user sees
 * it; an administrator also changes a code's digits in its row (checked here: 1 to 6 digits; the
 * server refuses clashes with other codes and numbers, named next to the field) or sets them back
 * to the default (PUT /api/feature-codes/{key}). A print button prints the table without the
 * navigation and the editing column.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { live } from "lit/directives/live.js";
import { repeat } from "lit/directives/repeat.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView, pageHeading } from "../base";
import {
  codeLabel,
  codeText,
  digitsError,
  fieldName,
  fieldsOf,
  fieldText,
  formParts,
  formText,
  normalDigits,
  withCode,
  type FeatureCode,
  type FeatureCodeList,
} from "../feature-codes";
import { focusWhenRendered } from "../forms";
import { t } from "../i18n";
import { session, toast } from "../session";

/** The code's key as a part of element ids ("forward_all" stays, "acme.door" becomes "acme-door"). */
function idOf(key: string): string {
  return `fc-${key.replace(/[^a-zA-Z0-9_-]/g, "-")}`;
}

/** The server's refusal as one text for the digits field: its message and the field's reason
 * ("*2 cannot be used: it and the code of Forward all calls (21) start alike"). */
function refusalText(err: unknown): string {
  const field = fieldErrors(err)["code"];
  if (!field) return errorText(err);
  const message = err instanceof ApiError ? err.message.replace(/[\s.:]+$/, "") : "";
  return message && message !== field ? `${message}: ${field}` : field;
}

@customElement("cb-feature-codes")
export class CbFeatureCodes extends LightElement {
  @state() private codes: FeatureCode[] | null = null;
  @state() private loadError = "";
  /** What the administrator typed per code (its key), until saved. */
  @state() private drafts: Record<string, string> = {};
  /** The message next to a code's digits field, per key. */
  @state() private errors: Record<string, string> = {};
  /** The key of the code whose change is being sent. */
  @state() private busyKey: string | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    this.codes = null;
    try {
      const answer = await api.get<FeatureCodeList>("/api/feature-codes");
      this.drafts = Object.fromEntries(answer.codes.map((c) => [c.key, c.code]));
      this.errors = {};
      this.codes = answer.codes;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private setError(key: string, message: string): void {
    this.errors = { ...this.errors, [key]: message };
  }

  private async save(e: Event, code: FeatureCode): Promise<void> {
    e.preventDefault();
    if (this.busyKey) return;
    const typed = this.drafts[code.key] ?? code.code;
    const problem = digitsError(typed);
    if (problem) {
      this.setError(code.key, problem);
      void focusWhenRendered(this, `#${idOf(code.key)}-code`);
      return;
    }
    await this.send(code, normalDigits(typed));
  }

  /** Give the code the digits (null: its default); the table shows the saved code, a refusal is
   * shown next to the field, which takes the focus. */
  private async send(code: FeatureCode, digits: string | null): Promise<void> {
    this.busyKey = code.key;
    this.setError(code.key, "");
    const field = `#${idOf(code.key)}-code`;
    try {
      const saved = await api.put<FeatureCode>(`/api/feature-codes/${encodeURIComponent(code.key)}`, { code: digits });
      this.codes = withCode(this.codes ?? [], saved);
      this.drafts = { ...this.drafts, [saved.key]: saved.code };
      const form = formText(saved.forms.on ?? saved.forms.off ?? saved.code);
      toast(t(digits === null ? "featureCodes.resetDone" : "featureCodes.saved", { name: codeLabel(saved), form }));
      // The "back to default" button is gone once the code has its default: the field takes the focus.
      if (digits === null) void focusWhenRendered(this, field);
    } catch (err) {
      this.setError(code.key, refusalText(err));
      void focusWhenRendered(this, field);
    } finally {
      this.busyKey = null;
    }
  }

  protected override render(): TemplateResult {
    const admin = session.isAdmin;
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.codes) body = loadingView();
    else if (!this.codes.length) body = html`<p class="empty">${t("featureCodes.empty")}</p>`;
    else body = html`${this.table(this.codes, admin)}${this.fields(this.codes)}`;
    const print = this.codes?.length
      ? html`<div class="head-actions no-print">
          <button type="button" class="secondary" @click=${() => window.print()}>${t("featureCodes.print")}</button>
        </div>`
      : undefined;
    return html`<section class="page feature-codes-page">
      ${pageHeading(t("featureCodes.title"), print)}
      <p class="muted">${t("featureCodes.intro", { field: fieldName("number") })}</p>
      ${admin ? html`<p class="notice no-print" data-testid="feature-codes-admin">${t("featureCodes.adminIntro")}</p>` : nothing}
      ${body}
    </section>`;
  }

  private table(codes: FeatureCode[], admin: boolean): TemplateResult {
    return html`<div class="table-wrap">
      <table class="data responsive fc-table" data-testid="feature-codes">
        <caption class="sr-only">${t("featureCodes.caption")}</caption>
        <thead>
          <tr>
            <th scope="col">${t("featureCodes.col.feature")}</th>
            <th scope="col">${t("featureCodes.col.on")}</th>
            <th scope="col">${t("featureCodes.col.off")}</th>
            <th scope="col">${t("featureCodes.col.id")}</th>
            ${admin ? html`<th scope="col" class="fc-edit">${t("featureCodes.col.digits")}</th>` : nothing}
          </tr>
        </thead>
        <tbody>
          ${repeat(
            codes,
            (code) => code.key,
            (code) => html`<tr data-testid="code-${code.key}">
              <td data-label=${t("featureCodes.col.feature")}>
                <div>
                  <strong class="fc-name" data-testid="code-name">${codeLabel(code)}</strong>
                  <span class="muted small fc-text">${codeText(code)}</span>
                  ${code.source !== "core"
                    ? html`<span class="badge fc-plugin">${t("featureCodes.plugin", { plugin: code.source })}</span>`
                    : nothing}
                </div>
              </td>
              <td data-label=${t("featureCodes.col.on")}>${this.form(code.forms.on, "on")}</td>
              <td data-label=${t("featureCodes.col.off")}>${this.form(code.forms.off, "off")}</td>
              <td data-label=${t("featureCodes.col.id")} class="num" data-testid="code-feature">${code.feature}</td>
              ${admin ? html`<td data-label=${t("featureCodes.col.digits")} class="fc-edit">${this.editor(code)}</td>` : nothing}
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  /** What is dialled, the fields as placeholders ("*21*NUMBER*"); a dash when there is no form. */
  private form(form: string | null, which: "on" | "off"): TemplateResult {
    if (form === null) {
      return html`<span aria-hidden="true" class="muted">—</span><span class="sr-only">${t("featureCodes.noForm")}</span>`;
    }
    return html`<code class="fc-form" data-testid="form-${which}">${formParts(form).map((part) =>
      part.kind === "field" ? html`<var>${part.text}</var>` : part.text,
    )}</code>`;
  }

  private editor(code: FeatureCode): TemplateResult {
    const id = idOf(code.key);
    const name = codeLabel(code);
    const error = this.errors[code.key] ?? "";
    const busy = this.busyKey === code.key;
    return html`<form class="fc-editor" novalidate @submit=${(e: Event) => void this.save(e, code)}>
      <label class="sr-only" for="${id}-code">${t("featureCodes.digitsFor", { name })}</label>
      <div class="fc-editor-row">
        <input
          id="${id}-code"
          name="${id}-code"
          type="text"
          inputmode="numeric"
          autocomplete="off"
          spellcheck="false"
          .value=${live(this.drafts[code.key] ?? code.code)}
          aria-invalid=${error ? "true" : "false"}
          aria-describedby="${id}-code-error"
          @input=${(e: Event) => {
            this.drafts = { ...this.drafts, [code.key]: (e.target as HTMLInputElement).value };
            if (this.errors[code.key]) this.setError(code.key, "");
          }}
        />
        <button type="submit" class="small" ?disabled=${busy} aria-label=${t("featureCodes.saveFor", { name })}>
          ${busy ? t("common.saving") : t("featureCodes.save")}
        </button>
        ${code.code !== code.default
          ? html`<button type="button" class="secondary small" ?disabled=${busy}
              aria-label=${t("featureCodes.resetFor", { code: code.default, name })}
              @click=${() => void this.send(code, null)}>${t("featureCodes.reset", { code: code.default })}</button>`
          : nothing}
      </div>
      <div class="field-error" id="${id}-code-error" aria-live="polite">${error}</div>
    </form>`;
  }

  /** What to type in place of the words in capitals that the codes use. */
  private fields(codes: FeatureCode[]): TemplateResult | typeof nothing {
    const known = fieldsOf(codes)
      .map((field) => [field, fieldText(field)] as const)
      .filter((entry): entry is readonly [string, string] => entry[1] !== null);
    if (!known.length) return nothing;
    return html`<section class="card fc-fields" aria-labelledby="fc-fields-title" data-testid="feature-code-fields">
      <h2 id="fc-fields-title">${t("featureCodes.fieldsTitle")}</h2>
      <dl class="facts">
        ${known.map(([field, text]) => html`<div><dt><var>${fieldName(field)}</var></dt><dd>${text}</dd></div>`)}
      </dl>
    </section>`;
  }
}
