/** Base element: light DOM (one global stylesheet, labels and ids that work across the page) and re-render on language change. */
import { html, LitElement, type TemplateResult } from "lit";
import { ApiError } from "./api";
import { onLanguageChange, t } from "./i18n";

export class LightElement extends LitElement {
  private stopLanguage: (() => void) | null = null;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopLanguage = onLanguageChange(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopLanguage?.();
  }
}

/** The text to show a person for a failed request (never raw JSON). */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t("common.networkError");
    return err.message || t("common.loadFailed");
  }
  return t("common.loadFailed");
}

export function fieldErrors(err: unknown): Record<string, string> {
  return err instanceof ApiError ? { ...err.fields } : {};
}

export function loadingView(): TemplateResult {
  return html`<div class="loading" role="status" aria-live="polite"><span class="spinner" aria-hidden="true"></span>${t("app.loading")}</div>`;
}

export function errorView(message: string, retry?: () => void): TemplateResult {
  return html`<div class="error-box" role="alert">
    <p>${message}</p>
    ${retry ? html`<button type="button" class="secondary" @click=${retry}>${t("common.retry")}</button>` : ""}
  </div>`;
}

/** The page heading: focused after navigation so keyboard and screen reader users start at the top. */
export function pageHeading(text: string, extra?: TemplateResult): TemplateResult {
  return html`<div class="page-head"><h1 tabindex="-1" class="page-title">${text}</h1>${extra ?? ""}</div>`;
}
