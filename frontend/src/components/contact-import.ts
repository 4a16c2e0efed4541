/**
 * <cb-contact-import>: the CSV import of contacts (DIR-09) onto one list: pick a .csv or .txt file
 * (others are refused here and by the server), see a preview in which every column has a select of
 * what it holds ("skip" to leave it out) and every row its error, say whether the first line is a
 * header (each change asks the server for the preview again), then import the good rows. The list
 * is ``scope``/``scopeId``, or the user's own when ``scope`` is null; given more than one of the
 * ``lists`` a user may add to (DIR-02), the one chosen in its "List" select. Fires "imported"
 * (detail: the number of contacts made) and "cancel".
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, fieldErrors } from "../base";
import {
  IMPORT_EXTENSIONS,
  columnText,
  counted,
  importErrorText,
  importRowSummary,
  isImportFile,
  listChoiceText,
  listTarget,
  listValue,
  type ContactList,
  type ImportPreview,
} from "../directory";
import { checkboxField, focusLateField, focusWhenRendered, formError, selectField } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";
import type { Scope } from "../types";

/** At most this many rows are shown in the preview (all are imported). */
const SHOWN_ROWS = 200;

@customElement("cb-contact-import")
export class CbContactImport extends LightElement {
  @property({ attribute: false }) scope: Scope | null = null;
  @property({ attribute: false }) scopeId: number | null = null;
  /** The lists the contacts may go on; with more than one, a select asks which. */
  @property({ attribute: false }) lists: ContactList[] = [];
  @property() idPrefix = "contact-import";
  /** The chosen list's value (``listValue``); "" for the first. */
  @state() private list = "";

  @state() private filename = "";
  @state() private text = "";
  @state() private fileError = "";
  @state() private error = "";
  @state() private busy = false;
  @state() private preview: ImportPreview | null = null;
  /** The column choices and the header box as shown: the person's choice at once, then the
   * server's answer. */
  @state() private columns: string[] = [];
  @state() private hasHeader = false;
  private asked = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    // The first field: the list, when there is one to choose, else the file.
    void focusWhenRendered(this, `#${this.idPrefix}-list, #${this.idPrefix}-file`);
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    const before = changed.get("lists") as ContactList[] | undefined;
    // The lists came after the import opened: their choice, above the file, starts it.
    if (changed.has("lists") && this.hasUpdated && (before?.length ?? 0) < 2 && this.lists.length > 1) {
      focusLateField(this, `#${this.idPrefix}-list`, `#${this.idPrefix}-file`);
    }
  }

  private get chosenList(): ContactList | undefined {
    if (this.lists.length < 2) return undefined;
    return this.lists.find((l) => listValue(l) === this.list) ?? this.lists[0];
  }

  private target(): Record<string, unknown> {
    const chosen = this.chosenList;
    if (chosen) return listTarget(chosen);
    if (!this.scope) return {};
    return { scope: this.scope, scope_id: this.scope === "org" ? null : this.scopeId };
  }

  private async pick(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    this.preview = null;
    this.error = "";
    this.fileError = "";
    if (!file) return;
    if (!isImportFile(file.name)) {
      this.fileError = t("dir.import.wrongType", { name: file.name, types: IMPORT_EXTENSIONS.join(", ") });
      input.value = "";
      void focusWhenRendered(this, `#${this.idPrefix}-file`);
      return;
    }
    this.filename = file.name;
    this.text = await file.text();
    await this.ask(null, null, false);
    if (this.preview) void focusWhenRendered(this, `#${this.idPrefix}-preview-title`);
  }

  /** Ask the server for the preview (or, with ``apply``, to save the good rows). */
  private async ask(columns: string[] | null, hasHeader: boolean | null, apply: boolean): Promise<ImportPreview | null> {
    const asked = ++this.asked;
    this.busy = true;
    this.error = "";
    try {
      const answer = await api.post<ImportPreview>("/api/directory/contacts/import", {
        filename: this.filename,
        text: this.text,
        columns,
        has_header: hasHeader,
        apply,
        ...this.target(),
      });
      if (asked !== this.asked) return null; // a later change asked again meanwhile
      this.preview = answer;
      this.columns = [...answer.columns];
      this.hasHeader = answer.has_header;
      return answer;
    } catch (err) {
      if (asked !== this.asked) return null;
      // What is wrong with the file (its type, no rows, too many) shows next to the file field.
      const fields = fieldErrors(err);
      const aboutFile = fields["filename"] ?? fields["text"];
      if (aboutFile) {
        this.fileError = `${errorText(err)}: ${aboutFile}`;
        this.preview = null;
        void focusWhenRendered(this, `#${this.idPrefix}-file`);
      } else {
        this.error = [errorText(err), ...new Set(Object.values(fields))].join(": ");
        void focusWhenRendered(this, `#${this.idPrefix}-error`);
      }
      return null;
    } finally {
      if (asked === this.asked) this.busy = false;
    }
  }

  private setColumn(index: number, field: string): void {
    const columns = [...this.columns];
    while (columns.length <= index) columns.push("");
    columns[index] = field;
    this.columns = columns;
    void this.ask(columns, this.hasHeader, false);
  }

  private setHeader(on: boolean): void {
    this.hasHeader = on;
    void this.ask(this.columns, on, false);
  }

  private async apply(): Promise<void> {
    if (!this.preview) return;
    const done = await this.ask(this.columns, this.hasHeader, true);
    if (!done) return;
    toast(counted(done.created, "dir.import.doneOne", "dir.import.done"));
    this.dispatchEvent(new CustomEvent<number>("imported", { detail: done.created, bubbles: true }));
  }

  private cancel(): void {
    this.dispatchEvent(new CustomEvent("cancel", { bubbles: true }));
  }

  protected override render(): TemplateResult {
    const p = this.idPrefix;
    return html`<section class="contact-import" aria-labelledby="${p}-title"
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === "Escape") this.cancel();
      }}>
      <h2 id="${p}-title">${t("dir.import.title")}</h2>
      <p class="muted">${t("dir.import.intro")}</p>
      ${formError(this.error, `${p}-error`)}
      ${this.lists.length > 1
        ? html`<div class="grid two">
            ${selectField({
              id: `${p}-list`,
              label: t("dir.listField"),
              value: this.list || listValue(this.lists[0]!),
              hint: t("dir.listHint"),
              options: this.lists.map((l): [string, string] => [listValue(l), listChoiceText(l)]),
              onInput: (v) => (this.list = v),
            })}
          </div>`
        : nothing}
      <div class="field ${this.fileError ? "has-error" : ""}">
        <label for="${p}-file">${t("dir.import.file")}</label>
        <input id="${p}-file" type="file" accept=".csv,.txt,text/csv,text/plain"
          aria-invalid=${this.fileError ? "true" : "false"} aria-describedby="${p}-file-hint ${p}-file-error"
          @change=${(e: Event) => void this.pick(e)} />
        <div class="hint" id="${p}-file-hint">${t("dir.import.fileHint")}</div>
        <div class="field-error" id="${p}-file-error" aria-live="polite">${this.fileError}</div>
      </div>
      ${this.preview ? this.previewView(this.preview) : nothing}
      <div class="actions">
        <button type="button" class="secondary" @click=${() => this.cancel()}>${t("common.cancel")}</button>
        ${this.preview
          ? html`<button type="button" data-testid="import-apply" ?disabled=${this.busy || !this.good(this.preview)}
              @click=${() => void this.apply()}>${counted(this.good(this.preview), "dir.import.applyOne", "dir.import.apply")}</button>`
          : nothing}
      </div>
    </section>`;
  }

  private good(preview: ImportPreview): number {
    return preview.rows.filter((r) => !r.error).length;
  }

  private previewView(preview: ImportPreview): TemplateResult {
    const p = this.idPrefix;
    const widest = Math.max(this.columns.length, ...preview.rows.map((r) => r.cells.length));
    const indexes = Array.from({ length: widest }, (_, i) => i);
    const choices = ["", ...preview.fields];
    const bad = preview.rows.length - this.good(preview);
    const header = preview.has_header ? preview.header : null;
    const shown = preview.rows.slice(0, SHOWN_ROWS);
    return html`<div class="import-preview" data-testid="import-preview" aria-busy=${this.busy ? "true" : "false"}>
      <h3 id="${p}-preview-title" tabindex="-1">${t("dir.import.previewTitle", { name: this.filename })}</h3>
      <p role="status" data-testid="import-summary">
        ${t("dir.import.summary", { n: preview.rows.length, good: this.good(preview), bad })}
      </p>
      ${checkboxField({
        id: `${p}-header`,
        label: t("dir.import.hasHeader"),
        checked: this.hasHeader,
        onChange: (on) => this.setHeader(on),
      })}
      <p class="hint">${t("dir.import.columnsHint")}</p>
      <div class="table-wrap import-table">
        <table class="data" data-testid="import-rows">
          <caption class="sr-only">${t("dir.import.previewTitle", { name: this.filename })}</caption>
          <thead>
            <tr>
              <th scope="col">${t("dir.import.line")}</th>
              ${indexes.map((i) => {
                const chosen = this.columns[i] ?? "";
                const options = choices.includes(chosen) ? choices : [...choices, chosen];
                return html`<th scope="col" class="import-column">
                  <label for="${p}-column-${i}" class="sr-only">${t("dir.import.columnN", { n: i + 1 })}${header?.[i] ? ` (${header[i]})` : ""}</label>
                  <select id="${p}-column-${i}" data-testid="import-column"
                    @change=${(e: Event) => this.setColumn(i, (e.target as HTMLSelectElement).value)}>
                    ${options.map((f) => html`<option value=${f} ?selected=${f === chosen}>${columnText(f)}</option>`)}
                  </select>
                  ${header?.[i] ? html`<div class="import-header" aria-hidden="true">${header[i]}</div>` : nothing}
                </th>`;
              })}
              <th scope="col">${t("dir.import.result")}</th>
            </tr>
          </thead>
          <tbody>
            ${shown.map((row) => {
              const cells = row.cells;
              return html`<tr class=${row.error ? "import-bad" : ""} data-testid="import-row">
                <td class="num">${row.line}</td>
                ${indexes.map((i) => html`<td class=${(this.columns[i] ?? "") === "" ? "skipped" : ""}>${cells[i] ?? ""}</td>`)}
                <td>
                  ${row.error
                    ? html`<span class="field-error" data-testid="import-error">${importErrorText(row.error)}</span>`
                    : html`<span class="badge ok">${t("dir.import.ok")}</span> ${importRowSummary(row)}`}
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      ${preview.rows.length > SHOWN_ROWS
        ? html`<p class="muted">${t("dir.import.more", { n: preview.rows.length - SHOWN_ROWS })}</p>`
        : nothing}
    </div>`;
  }
}
