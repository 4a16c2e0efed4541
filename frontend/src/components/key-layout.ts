/**
 * Desk phone keys of one user (PROV-08): <cb-user-key-template> lets an admin assign a key template
 * on the user's page (CAPA-05); <cb-my-keys> lets a user pick a template and set keys of their own
 * that replace the template's key with the same number (CAPU-24). Key 1 is always the user's line.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { focusFirstError, formError, selectField, sendForm } from "../forms";
import { t } from "../i18n";
import { checkRows, hasErrors, keyRowsEditor, keysTable, KINDS, toKeys, toRows, type KeyLayout, type KeyRow } from "../keys";
import { toast } from "../session";

type Errors = Record<string, string | null | undefined>;
/** The select's value for "the organisation's default". */
const DEFAULT = "";

function templateOptions(layout: KeyLayout): Array<[string, string]> {
  const fallback = layout.templates.find((tpl) => tpl.id === layout.default_template_id);
  return [
    [DEFAULT, fallback ? t("keys.useDefault", { name: fallback.name }) : t("keys.noTemplate")],
    ...layout.templates.map((tpl): [string, string] => [String(tpl.id), tpl.name]),
  ];
}

function pushedText(layout: KeyLayout): string {
  const count = layout.resynced?.length ?? 0;
  return count ? t("keys.pushed", { count }) : t("common.saved");
}

@customElement("cb-user-key-template")
export class CbUserKeyTemplate extends LightElement {
  @property({ type: Number }) userId = 0;
  @state() private layout: KeyLayout | null = null;
  @state() private choice = DEFAULT;
  @state() private loadError = "";
  @state() private error = "";
  @state() private fieldError: string | null = null;
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      this.layout = await api.get<KeyLayout>(`/api/users/${this.userId}/key-template`);
      this.choice = this.layout.template_id === null ? DEFAULT : String(this.layout.template_id);
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    this.busy = true;
    this.error = "";
    this.fieldError = null;
    try {
      this.layout = await api.put<KeyLayout>(`/api/users/${this.userId}/key-template`, {
        template_id: this.choice === DEFAULT ? null : Number(this.choice),
        push: true,
      });
      toast(pushedText(this.layout));
    } catch (err) {
      this.fieldError = fieldErrors(err)["template_id"] ?? null;
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.layout) body = loadingView();
    else {
      const layout = this.layout;
      body = html`${formError(this.error, "user-key-template-error")}
        ${selectField({ id: "user-key-template", label: t("keys.template"), value: this.choice, options: templateOptions(layout), error: this.fieldError, onInput: (v) => (this.choice = v) })}
        <div class="actions start">
          <button type="submit" class="secondary" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button>
        </div>
        <details>
          <summary>${t("keys.phoneKeys")}</summary>
          ${keysTable(layout.keys, "user-effective-keys")}
        </details>`;
    }
    return html`<form class="card" id="user-key-template-form" novalidate @submit=${this.save} aria-labelledby="user-keys-title" data-testid="user-key-template">
      <h2 id="user-keys-title">${t("keys.userTitle")}</h2>
      <p class="muted">${t("keys.userHint")}</p>
      ${body}
    </form>`;
  }
}

@customElement("cb-my-keys")
export class CbMyKeys extends LightElement {
  @state() private layout: KeyLayout | null = null;
  @state() private choice = DEFAULT;
  @state() private rows: KeyRow[] = [];
  @state() private loadError = "";
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private show(layout: KeyLayout): void {
    this.layout = layout;
    this.choice = layout.template_id === null ? DEFAULT : String(layout.template_id);
    this.rows = toRows(layout.overrides);
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      this.show(await api.get<KeyLayout>("/api/me/keys"));
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.layout) return;
    this.errors = checkRows(this.rows, this.layout.extensions);
    if (hasErrors(this.errors)) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    await sendForm(this, async () => {
      const layout = await api.put<KeyLayout>("/api/me/keys", {
        template_id: this.choice === DEFAULT ? null : Number(this.choice),
        keys: toKeys(this.rows),
      });
      this.show(layout);
      toast(pushedText(layout));
    });
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.layout) body = loadingView();
    else {
      const layout = this.layout;
      body = html`${formError(this.error, "my-keys-error")}
        ${selectField({ id: "my-key-template", label: t("keys.template"), value: this.choice, options: templateOptions(layout), error: this.errors["template_id"], onInput: (v) => (this.choice = v) })}
        <h3>${t("keys.myKeys")}</h3>
        ${formError(this.errors["keys"] ?? null, "my-keys-rows-error")}
        ${keyRowsEditor({
          prefix: "my-key",
          rows: this.rows,
          errors: this.errors,
          extensions: layout.extensions,
          kinds: [...KINDS, "none"],
          onChange: (rows, changed) => {
            this.rows = rows;
            this.errors = changed ? { ...this.errors, [changed]: null } : {};
          },
        })}
        <div class="actions start">
          <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button>
        </div>
        <h3>${t("keys.phoneKeys")}</h3>
        ${layout.keys.length > 1 ? nothing : html`<p class="muted">${t("keys.onlyLine")}</p>`}
        ${keysTable(layout.keys, "my-effective-keys")}`;
    }
    return html`<form class="card" id="my-keys-form" novalidate @submit=${this.save} aria-labelledby="my-keys-title" data-testid="my-keys">
      <h2 id="my-keys-title">${t("keys.myTitle")}</h2>
      <p class="muted">${t("keys.myIntro")}</p>
      ${body}
    </form>`;
  }
}
