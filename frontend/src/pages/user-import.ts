/** CSV import of users: choose or paste a CSV, preview every change, then apply all or nothing (ADM-03). */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, fieldErrors, pageHeading } from "../base";
import { formError } from "../forms";
import { t, type MessageKey } from "../i18n";
import { navigate } from "../router";
import { toast } from "../session";
import type { ImportResult } from "../types";

const FIELD_LABELS: Record<string, MessageKey> = {
  extension: "user.extension",
  first_name: "user.firstName",
  last_name: "user.lastName",
  email: "user.email",
};

@customElement("cb-user-import")
export class CbUserImport extends LightElement {
  @state() private csv = "";
  @state() private preview: ImportResult | null = null;
  @state() private previewed = "";
  @state() private error = "";
  @state() private busy = false;

  private async readFile(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    this.csv = await file.text();
    this.preview = null;
  }

  private async runPreview(e: Event): Promise<void> {
    e.preventDefault();
    this.error = "";
    if (!this.csv.trim()) {
      this.error = t("import.empty");
      return;
    }
    this.busy = true;
    try {
      this.preview = await api.post<ImportResult>("/api/users/import", { csv: this.csv, dry_run: true });
      this.previewed = this.csv;
      await this.updateComplete;
      this.querySelector<HTMLElement>("#import-preview-title")?.focus();
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  private async apply(): Promise<void> {
    if (this.csv !== this.previewed) {
      this.error = t("import.stale");
      this.preview = null;
      return;
    }
    this.busy = true;
    this.error = "";
    try {
      const result = await api.post<ImportResult>("/api/users/import", { csv: this.csv, dry_run: false });
      const counts = count(result);
      toast(t("import.applied", { create: counts.create, update: counts.update }));
      navigate("/users");
    } catch (err) {
      const rows = Object.entries(fieldErrors(err)).map(([line, message]) => `${line}: ${message}`);
      this.error = [errorText(err), ...rows].join(" ");
    } finally {
      this.busy = false;
    }
  }

  private previewView(preview: ImportResult): TemplateResult {
    const counts = count(preview);
    const changed = preview.changes.filter((c) => c.action !== "unchanged");
    return html`<section class="card" aria-labelledby="import-preview-title">
      <h2 id="import-preview-title" tabindex="-1">${t("import.previewTitle")}</h2>
      <p data-testid="import-summary">${t("import.summary", counts)}</p>
      ${preview.errors.length
        ? html`<div class="form-error" role="alert">
            <p><strong>${t("import.errors")}</strong></p>
            <ul data-testid="import-errors">
              ${preview.errors.map((e) => html`<li>${t("import.line")} ${e.line}: ${e.message}</li>`)}
            </ul>
          </div>`
        : nothing}
      ${preview.changes.length
        ? html`<div class="table-wrap">
            <table class="data responsive" data-testid="import-changes">
              <caption class="sr-only">${t("import.previewTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">${t("import.line")}</th>
                  <th scope="col">${t("users.username")}</th>
                  <th scope="col">${t("import.action")}</th>
                  <th scope="col">${t("import.changes")}</th>
                </tr>
              </thead>
              <tbody>
                ${preview.changes.map(
                  (c) => html`<tr class="action-${c.action}">
                    <td data-label=${t("import.line")}>${c.line}</td>
                    <td data-label=${t("users.username")}>${c.username}</td>
                    <td data-label=${t("import.action")}><span class="badge ${c.action === "create" ? "ok" : c.action === "update" ? "warn" : "off"}">${t(`import.action.${c.action}`)}</span></td>
                    <td data-label=${t("import.changes")}>
                      ${Object.entries(c.changes).map(
                        ([name, [before, after]]) => html`<div>
                          ${FIELD_LABELS[name] ? t(FIELD_LABELS[name]!) : name}: <del>${before || "—"}</del> → <ins>${after || "—"}</ins>
                        </div>`,
                      )}
                      ${c.sets_sip_password ? html`<div>${t("import.newSip")}</div>` : nothing}
                      ${!Object.keys(c.changes).length && !c.sets_sip_password ? "—" : nothing}
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : nothing}
      <div class="actions">
        <button type="button" ?disabled=${this.busy || preview.errors.length > 0 || changed.length === 0} @click=${() => void this.apply()}>
          ${t("import.apply")}
        </button>
      </div>
    </section>`;
  }

  protected override render(): TemplateResult {
    const back = html`<a class="button secondary" href="/users">← ${t("nav.users")}</a>`;
    return html`<section class="page">
      ${pageHeading(t("import.title"), back)}
      <form class="card" novalidate @submit=${this.runPreview}>
        <p class="muted">${t("import.intro")}</p>
        ${formError(this.error)}
        <div class="field">
          <label for="import-file">${t("import.file")}</label>
          <input id="import-file" type="file" accept=".csv,text/csv" @change=${this.readFile} />
        </div>
        <div class="field">
          <label for="import-text">${t("import.text")}</label>
          <textarea id="import-text" rows="8" spellcheck="false" .value=${this.csv}
            placeholder="username,extension,first_name,last_name,email,sip_password"
            @input=${(e: Event) => (this.csv = (e.target as HTMLTextAreaElement).value)}></textarea>
        </div>
        <div class="actions"><button type="submit" class="secondary" ?disabled=${this.busy}>${t("import.preview")}</button></div>
      </form>
      ${this.preview ? this.previewView(this.preview) : nothing}
    </section>`;
  }
}

function count(result: ImportResult): { create: number; update: number; unchanged: number } {
  const counts = { create: 0, update: 0, unchanged: 0 };
  for (const c of result.changes) counts[c.action] += 1;
  return counts;
}
