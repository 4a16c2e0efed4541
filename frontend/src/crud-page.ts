/**
 * The shared flow of the admin pages that list entries with a name and a number and change them in
 * a form above the list (Hunt groups, IVR menus, Group inboxes): load (404: the plugin is off) →
 * list → "New" / "Edit" open the form → the page's checks, then send, the server's refusals shown
 * next to their fields → delete after confirming. Each page gives its texts, ids and test ids, the
 * draft helpers, its columns and its form's fields (see CrudPage's abstract members).
 */
import { html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { ifDefined } from "lit/directives/if-defined.js";
import { live } from "lit/directives/live.js";
import { api, ApiError } from "./api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "./base";
import { confirmDialog } from "./dialog";
import { focusFirstError, focusWhenRendered, formError, sendForm } from "./forms";
import { t, type MessageKey } from "./i18n";
import { query } from "./router";
import { toast } from "./session";

export type Errors = Record<string, string | null | undefined>;

/** What every listed entry has. */
export interface Entry {
  id: number;
  name: string;
  number: string;
}

/** The pages' message namespaces; each has every key of CrudText. */
type CrudNs = "huntGroups" | "ivr" | "groupInboxes" | "flowSwitches" | "flowAnnouncements" | "ruleNumbers";
type CrudText =
  | "title"
  | "new"
  | "intro"
  | "off"
  | "empty"
  | "editTitle"
  | "editFor"
  | "deleteFor"
  | "created"
  | "saved"
  | "confirmDelete"
  | "deleted";

export interface CrudConfig<D> {
  /** The API's collection: GET and POST there, PUT and DELETE at `${url}/${id}`. */
  url: string;
  /** The messages: `${ns}.title`, `${ns}.new` ... */
  ns: CrudNs;
  /** Of the element ids: `${prefix}-new`, `${prefix}-name` (focused when the form opens),
   * `${prefix}-form-title`, `${prefix}-form-error`, and `${prefix}-edit-${id}` with `editIds`. */
  prefix: string;
  /** The Edit buttons have ids: the focus goes back to the entry's after saving, and to "New" after
   * deleting. Without, the focus goes back to "New" when the form closes. */
  editIds: boolean;
  /** The test ids: `${page}-empty`, `${page}-off`, the section's class `${page}-page`; the table
   * (`list`, else `page`), its rows and the form. */
  testIds: { page: string; list?: string; row: string; form: string };
  /** The line after "… is turned off" that says where to turn it on (under Plugins). */
  offAdmin?: MessageKey;
  /** One of several lists on a page (Switches & announcements): an h2 heading in a section of
   * the page, which has the h1. */
  subsection?: boolean;
  emptyDraft: () => D;
  /** The messages next to the fields by the API's field names; empty when the draft may be sent. */
  draftErrors: (draft: D) => Errors;
  bodyOf: (draft: D) => unknown;
}

/** A column of the list: its heading (also each cell's data-label) and its cell. */
export interface Column<E> {
  label: string;
  cell: (entry: E) => unknown;
  testId?: string;
  /** A number: right-aligned. */
  num?: boolean;
}

/** `set` with `value` in it (`on`) or not. */
export function toggled<T>(set: ReadonlySet<T>, value: T, on: boolean): Set<T> {
  const next = new Set(set);
  if (on) next.add(value);
  else next.delete(value);
  return next;
}

/** Checkboxes of ids or names with one message for the whole list; `empty` is shown when there
 * is nothing to tick. */
export function checkList<T extends number | string>(o: {
  id: string;
  legend: string;
  hint: string;
  items: Array<[T, string]>;
  chosen: ReadonlySet<T>;
  toggle: (value: T, on: boolean) => void;
  error: string | null | undefined;
  empty?: string;
  required?: boolean;
}): TemplateResult {
  const described = `${o.id}-hint ${o.id}-error`;
  return html`<fieldset class="checks ${o.error ? "has-error" : ""}" id=${o.id} data-testid=${o.id}>
    <legend>${o.legend}${o.required ? html`<span class="req" aria-hidden="true"> *</span>` : nothing}</legend>
    <p class="hint" id="${o.id}-hint">${o.hint}</p>
    ${o.items.length
      ? html`<div class="checks-inline">
          ${o.items.map(
            ([value, label], i) => html`<div class="field checkbox">
              <input type="checkbox" id="${o.id}-${value}" name=${o.id} .checked=${live(o.chosen.has(value))}
                aria-invalid=${o.error && i === 0 ? "true" : "false"} aria-describedby=${described}
                @change=${(e: Event) => o.toggle(value, (e.target as HTMLInputElement).checked)} />
              <label for="${o.id}-${value}">${label}</label>
            </div>`,
          )}
        </div>`
      : html`<p class="muted">${o.empty}</p>`}
    <div class="field-error" id="${o.id}-error" aria-live="polite">${o.error ?? ""}</div>
  </fieldset>`;
}

export abstract class CrudPage<E extends Entry, D> extends LightElement {
  /** The listed entries; null while loading. */
  @state() protected entries: E[] | null = null;
  @state() protected loadError = "";
  @state() protected off = false;
  @state() protected draft: D | null = null;
  /** The entry the form changes; null while it makes a new one. */
  @state() protected editing: E | null = null;
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;
  /** Where the focus goes back to when the form closes ("" for "New"). */
  private opener = "";

  protected abstract readonly crud: CrudConfig<D>;
  /** The entries; also loads what the form and the list need besides (user groups ...). */
  protected abstract fetchEntries(): Promise<E[]>;
  /** An entry as the form edits it. */
  protected abstract draftOf(entry: E): D;
  protected abstract columns(): Array<Column<E>>;
  /** The form's fields, between its title and its buttons. */
  protected abstract fields(draft: D): TemplateResult;
  /** What follows the list. */
  protected afterList(_entries: E[]): unknown {
    return nothing;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(true);
  }

  protected text(key: CrudText, params?: Record<string, string | number>): string {
    return t(`${this.crud.ns}.${key}`, params);
  }

  protected async load(spinner: boolean): Promise<void> {
    if (spinner) this.entries = null;
    this.loadError = "";
    try {
      this.entries = await this.fetchEntries();
      this.off = false;
      this.openAsked(this.entries);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.off = true;
      else this.loadError = errorText(err);
    }
  }

  /** `?edit=<number>` (a call flow's Edit link) opens the form of the entry with that number, once:
   * the address loses the question so that a reload or the next save does not open it again. */
  private openAsked(entries: E[]): void {
    const wanted = query("edit");
    if (!wanted || this.draft) return;
    const entry = entries.find((e) => (e as { number?: unknown }).number === wanted);
    if (!entry) return;
    history.replaceState(null, "", location.pathname);
    this.open(entry);
  }

  /** Whether the person may add and delete entries (not a group administrator, ROLE-04, who only
   * changes those they administer): without it, no New and no Delete buttons. */
  protected get mayAddAndDelete(): boolean {
    return true;
  }

  private get newId(): string {
    return `#${this.crud.prefix}-new`;
  }

  private editId(entry: Entry): string | undefined {
    return this.crud.editIds ? `${this.crud.prefix}-edit-${entry.id}` : undefined;
  }

  protected open(entry: E | null): void {
    this.editing = entry;
    const edit = entry && this.editId(entry);
    this.opener = edit ? `#${edit}` : "";
    this.draft = entry ? this.draftOf(entry) : this.crud.emptyDraft();
    this.errors = {};
    this.error = "";
    void focusWhenRendered(this, `#${this.crud.prefix}-name`);
  }

  protected close(): void {
    this.draft = null;
    this.editing = null;
    this.errors = {};
    this.error = "";
    void focusWhenRendered(this, this.opener || this.newId);
  }

  /** Drop the messages of these API fields and of what lies below them ("options.1" also drops
   * "options.1.target"); the form's message stays until the next save. */
  protected forget(...fields: string[]): void {
    const gone = (name: string) => fields.some((field) => name === field || name.startsWith(`${field}.`));
    if (Object.keys(this.errors).some(gone)) {
      this.errors = Object.fromEntries(Object.entries(this.errors).filter(([name]) => !gone(name)));
    }
  }

  /** Change a draft field and drop the messages of the API fields it makes. */
  protected change(changes: Partial<D>, ...fields: string[]): void {
    if (!this.draft) return;
    this.draft = { ...this.draft, ...changes };
    this.forget(...fields);
  }

  /** The server's message for a field, also when it names an item of a list ("excluded_roles.0"). */
  protected fieldError(name: string): string | undefined {
    const direct = this.errors[name];
    if (direct) return direct;
    const nested = Object.entries(this.errors).find(([key, message]) => key.startsWith(`${name}.`) && message);
    return nested?.[1] ?? undefined;
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const draft = this.draft;
    if (!draft || this.busy) return;
    const problems = this.crud.draftErrors(draft);
    if (Object.keys(problems).length) {
      this.errors = problems;
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    const { url } = this.crud;
    const editing = this.editing;
    const sent = await sendForm(this, async () => {
      const body = this.crud.bodyOf(draft);
      const saved = editing ? await api.put<E>(`${url}/${editing.id}`, body) : await api.post<E>(url, body);
      toast(this.text(editing ? "saved" : "created", { name: saved.name, number: saved.number }));
      const edit = this.editId(saved);
      if (edit) this.opener = `#${edit}`;
    });
    if (!sent) return;
    await this.load(false);
    this.close();
  }

  private async deleteEntry(entry: E): Promise<void> {
    const named = { name: entry.name, number: entry.number };
    if (!(await confirmDialog(this.text("confirmDelete", named), t("common.delete")))) return;
    try {
      await api.delete(`${this.crud.url}/${entry.id}`);
      toast(this.text("deleted", named));
      if (this.editing?.id === entry.id) this.close();
      await this.load(false);
      if (this.crud.editIds) void focusWhenRendered(this, this.newId);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  protected override render(): TemplateResult {
    const newButton =
      this.entries && !this.draft && this.mayAddAndDelete
        ? html`<button type="button" id="${this.crud.prefix}-new" @click=${() => this.open(null)}>${this.text("new")}</button>`
        : undefined;
    const head = this.crud.subsection
      ? html`<div class="page-head"><h2 id="${this.crud.prefix}-title">${this.text("title")}</h2>${newButton ?? ""}</div>`
      : pageHeading(this.text("title"), newButton);
    let body: TemplateResult;
    if (this.off) body = this.offView();
    else if (this.loadError) body = errorView(this.loadError, () => void this.load(true));
    else if (!this.entries) body = loadingView();
    else body = html`${this.draft ? this.form(this.draft) : nothing}${this.table(this.entries)}${this.afterList(this.entries)}`;
    const sectionClass = this.crud.subsection ? "crud-section" : "page";
    return html`<section class="${sectionClass} ${this.crud.testIds.page}-page"
        aria-labelledby=${ifDefined(this.crud.subsection ? `${this.crud.prefix}-title` : undefined)}>
      ${head}
      <p class="muted">${this.text("intro")}</p>
      ${body}
    </section>`;
  }

  private offView(): TemplateResult {
    const admin = this.crud.offAdmin;
    return html`<div class="notice warn" role="status" data-testid="${this.crud.testIds.page}-off">
      <p><strong>${this.text("off")}</strong></p>
      ${admin ? html`<p>${t(admin)} <a href="/plugins">${t("nav.plugins")}</a>.</p>` : nothing}
    </div>`;
  }

  private table(entries: E[]): TemplateResult {
    const ids = this.crud.testIds;
    if (!entries.length) return html`<p class="empty" data-testid="${ids.page}-empty">${this.text("empty")}</p>`;
    const columns = this.columns();
    return html`<div class="table-wrap">
      <table class="data responsive" data-testid=${ids.list ?? ids.page}>
        <caption class="sr-only">${this.text("title")}</caption>
        <thead>
          <tr>
            ${columns.map((c) => html`<th scope="col">${c.label}</th>`)}
            <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
          </tr>
        </thead>
        <tbody>
          ${entries.map(
            (e) => html`<tr data-testid=${ids.row} data-number=${e.number} class=${this.editing?.id === e.id ? "selected" : ""}>
              ${columns.map(
                (c) => html`<td data-label=${c.label} class=${ifDefined(c.num ? "num" : undefined)}
                  data-testid=${ifDefined(c.testId)}>${c.cell(e)}</td>`,
              )}
              <td class="entry-actions">
                <div class="actions">
                  <button type="button" id=${ifDefined(this.editId(e))} class="secondary small"
                    aria-label=${this.text("editFor", { name: e.name })}
                    @click=${() => this.open(e)}>${t("common.edit")}</button>
                  ${this.mayAddAndDelete
                    ? html`<button type="button" class="danger small" aria-label=${this.text("deleteFor", { name: e.name })}
                        @click=${() => void this.deleteEntry(e)}>${t("common.delete")}</button>`
                    : nothing}
                </div>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private form(d: D): TemplateResult {
    const { prefix, testIds } = this.crud;
    const editing = this.editing;
    return html`<form class="card" novalidate data-testid=${testIds.form} aria-labelledby="${prefix}-form-title"
        @submit=${(e: Event) => void this.save(e)}>
      <h2 id="${prefix}-form-title">${editing ? this.text("editTitle", { name: editing.name }) : this.text("new")}</h2>
      ${formError(this.error, `${prefix}-form-error`)}
      ${this.fields(d)}
      <div class="actions">
        <button type="button" class="secondary" @click=${() => this.close()}>${t("common.cancel")}</button>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button>
      </div>
    </form>`;
  }
}
