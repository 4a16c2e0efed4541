/** Key templates (admin, CAPA-31, PROV-08): the list, and an editor of name, default and the key rows from key 2 on. */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { confirmDialog } from "../dialog";
import { checkboxField, focusFirstError, focusWhenRendered, formError, sendForm, textField } from "../forms";
import { t } from "../i18n";
import { checkRows, hasErrors, keyRowsEditor, KINDS, toKeys, toRows, type Extension, type KeyRow, type KeyTemplate } from "../keys";
import { toast } from "../session";
import type { User } from "../types";
import { check } from "../validate";
import { fullName } from "./users";

type Errors = Record<string, string | null | undefined>;

@customElement("cb-key-templates")
export class CbKeyTemplates extends LightElement {
  @state() private templates: KeyTemplate[] | null = null;
  @state() private extensions: Extension[] = [];
  @state() private loadError = "";
  /** The template being edited: its id, 0 for a new one, null for none. */
  @state() private editing: number | null = null;
  @state() private name = "";
  @state() private isDefault = false;
  @state() private rows: KeyRow[] = [];
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const [templates, users] = await Promise.all([api.get<KeyTemplate[]>("/api/key-templates"), api.get<User[]>("/api/users")]);
      this.templates = templates;
      this.extensions = users
        .filter((u) => u.extension)
        .map((u) => ({ extension: u.extension ?? "", name: fullName(u) }))
        .sort((a, b) => a.extension.localeCompare(b.extension));
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private edit(template: KeyTemplate | null): void {
    this.editing = template ? template.id : 0;
    this.name = template?.name ?? "";
    this.isDefault = template?.is_default ?? false;
    this.rows = toRows(template?.keys ?? []);
    this.errors = {};
    this.error = "";
    void focusWhenRendered(this, "#template-name");
  }

  private async save(push: boolean): Promise<void> {
    this.errors = { name: check(this.name, true), ...checkRows(this.rows, this.extensions) };
    if (hasErrors(this.errors)) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    const body = { name: this.name.trim(), is_default: this.isDefault, keys: toKeys(this.rows) };
    await sendForm(this, async () => {
      if (this.editing) {
        const saved = await api.put<KeyTemplate & { resynced: string[] }>(`/api/key-templates/${this.editing}`, { ...body, push });
        toast(push ? t("keys.pushed", { count: saved.resynced.length }) : t("common.saved"));
      } else {
        const saved = await api.post<KeyTemplate>("/api/key-templates", body);
        this.editing = saved.id;
        toast(t("keys.created", { name: saved.name }));
      }
      await this.load();
    });
  }

  private async deleteTemplate(template: KeyTemplate): Promise<void> {
    if (!(await confirmDialog(t("keys.confirmDelete", { name: template.name }), t("common.delete")))) return;
    try {
      await api.delete(`/api/key-templates/${template.id}`);
      toast(t("keys.deleted", { name: template.name }));
      if (this.editing === template.id) this.editing = null;
      await this.load();
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  protected override render(): TemplateResult {
    const add = html`<button type="button" @click=${() => this.edit(null)}>${t("keys.new")}</button>`;
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.templates) body = loadingView();
    else body = html`${this.list(this.templates)}${this.editing === null ? nothing : this.editor()}`;
    return html`<section class="page">${pageHeading(t("keys.title"), add)}<p class="muted">${t("keys.intro")}</p>${body}</section>`;
  }

  private list(templates: KeyTemplate[]): TemplateResult {
    if (!templates.length) return html`<p class="muted" data-testid="key-templates-empty">${t("keys.empty")}</p>`;
    return html`<div class="table-wrap">
      <table class="data" data-testid="key-templates">
        <thead><tr><th>${t("keys.name")}</th><th>${t("keys.count")}</th><th>${t("keys.usersHead")}</th><th>${t("common.actions")}</th></tr></thead>
        <tbody>
          ${templates.map(
            (tpl) => html`<tr class=${this.editing === tpl.id ? "selected" : ""}>
              <td>${tpl.name}${tpl.is_default ? html` <span class="badge">${t("keys.defaultBadge")}</span>` : nothing}</td>
              <td>${tpl.keys.length}</td>
              <td>${tpl.users}</td>
              <td class="actions start">
                <button type="button" class="secondary small" @click=${() => this.edit(tpl)} aria-label=${t("keys.editNamed", { name: tpl.name })}>${t("common.edit")}</button>
                <button type="button" class="danger small" @click=${() => void this.deleteTemplate(tpl)} aria-label=${t("keys.deleteNamed", { name: tpl.name })}>${t("common.delete")}</button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private editor(): TemplateResult {
    const title = this.editing ? t("keys.editTitle", { name: this.name }) : t("keys.new");
    return html`<form class="card" id="key-template-form" novalidate aria-labelledby="key-template-title"
      @submit=${(e: Event) => {
        e.preventDefault();
        void this.save(false);
      }}>
      <h2 id="key-template-title">${title}</h2>
      ${formError(this.error)}
      <div class="grid two">
        ${textField({ id: "template-name", label: t("keys.name"), value: this.name, required: true, error: this.errors["name"], onInput: (v) => {
          this.name = v;
          this.errors = { ...this.errors, name: null };
        } })}
        ${checkboxField({ id: "template-default", label: t("keys.isDefault"), checked: this.isDefault, error: this.errors["is_default"], onChange: (on) => (this.isDefault = on) })}
      </div>
      <p class="muted">${t("keys.line1Note")}</p>
      ${formError(this.errors["keys"] ?? null, "template-keys-error")}
      ${keyRowsEditor({
        prefix: "template-key",
        rows: this.rows,
        errors: this.errors,
        extensions: this.extensions,
        kinds: KINDS,
        onChange: (rows, changed) => {
          this.rows = rows;
          this.errors = changed ? { ...this.errors, [changed]: null } : {};
        },
      })}
      <div class="actions">
        <button type="button" class="secondary" @click=${() => (this.editing = null)}>${t("common.cancel")}</button>
        ${this.editing
          ? html`<button type="button" class="secondary" ?disabled=${this.busy} @click=${() => void this.save(true)}>${t("keys.saveAndPush")}</button>`
          : nothing}
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : this.editing ? t("common.save") : t("common.create")}</button>
      </div>
    </form>`;
  }
}
