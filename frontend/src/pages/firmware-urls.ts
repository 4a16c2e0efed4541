/**
 * <cb-firmware-urls>: the optional firmware URL per phone model (issue 9) on the provisioning tab:
 * rows of vendor, model and URL. Saving replaces the list (PUT /api/provisioning/firmware); a bad
 * field is shown at its row (the API names it `entries.<row>.<field>`). Phones of a model without a
 * row keep the firmware they have.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView } from "../base";
import { vendorName } from "../devices";
import { firmwareErrors, type FirmwareEntry, type FirmwareUrls } from "../firmware";
import { focusFirstError, formError, selectField, sendForm, textField } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";

type Errors = Record<string, string | null | undefined>;

@customElement("cb-firmware-urls")
export class CbFirmwareUrls extends LightElement {
  @state() private data: FirmwareUrls | null = null;
  @state() private entries: FirmwareEntry[] = [];
  @state() private loadError = "";
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.data = await api.get<FirmwareUrls>("/api/provisioning/firmware");
      this.entries = this.data.entries.map((e) => ({ ...e }));
      this.loadError = "";
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private change(row: number, changes: Partial<FirmwareEntry>): void {
    this.entries = this.entries.map((entry, i) => (i === row ? { ...entry, ...changes } : entry));
    const cleared = { ...this.errors };
    for (const field of Object.keys(changes)) cleared[`entries.${row}.${field}`] = null;
    this.errors = cleared;
  }

  private add(vendors: string[]): void {
    this.entries = [...this.entries, { vendor: vendors[0] ?? "", model: "", url: "" }];
    void this.updateComplete.then(() => this.querySelector<HTMLElement>(`#firmware-${this.entries.length - 1}-vendor`)?.focus());
  }

  private removeRow(row: number): void {
    this.entries = this.entries.filter((_, i) => i !== row);
    this.errors = {};
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const form = this.querySelector("#firmware-form") ?? this;
    this.errors = firmwareErrors(this.entries);
    this.error = "";
    if (Object.values(this.errors).some(Boolean)) {
      this.error = t("common.formInvalid");
      focusFirstError(form);
      return;
    }
    const entries = this.entries.map((entry) => ({ vendor: entry.vendor, model: entry.model.trim(), url: entry.url.trim() }));
    await sendForm(
      this,
      async () => {
        const data = await api.put<FirmwareUrls>("/api/provisioning/firmware", { entries });
        this.data = data;
        this.entries = data.entries.map((entry) => ({ ...entry }));
        toast(t("firmware.saved"));
      },
      form,
    );
  }

  private row(entry: FirmwareEntry, row: number, vendors: string[]): TemplateResult {
    const id = `firmware-${row}`;
    const error = (field: string) => this.errors[`entries.${row}.${field}`];
    const options = [...new Set([...vendors, entry.vendor])].filter(Boolean).map((v): [string, string] => [v, vendorName(v)]);
    return html`<div class="row-start" data-testid="firmware-row" style="align-items: flex-start; gap: 0.75rem">
      ${selectField({
        id: `${id}-vendor`,
        label: t("devices.vendor"),
        value: entry.vendor,
        options,
        error: error("vendor"),
        onInput: (v) => this.change(row, { vendor: v }),
      })}
      ${textField({
        id: `${id}-model`,
        label: t("devices.model"),
        value: entry.model,
        required: true,
        autocomplete: "off",
        placeholder: "T46U",
        error: error("model"),
        onInput: (v) => this.change(row, { model: v }),
      })}
      <div style="flex: 1 1 20rem">
        ${textField({
          id: `${id}-url`,
          label: t("firmware.url"),
          type: "url",
          value: entry.url,
          required: true,
          autocomplete: "off",
          placeholder: "https://",
          error: error("url"),
          onInput: (v) => this.change(row, { url: v }),
        })}
      </div>
      <button type="button" class="secondary small" style="margin-top: 1.6rem" @click=${() => this.removeRow(row)}>
        ${t("firmware.remove")}<span class="sr-only"> ${t("firmware.removeRow", { model: entry.model || String(row + 1) })}</span>
      </button>
    </div>`;
  }

  protected override render(): TemplateResult {
    const data = this.data;
    if (this.loadError && !data) return errorView(this.loadError, () => void this.load());
    if (!data) return loadingView();
    return html`<form id="firmware-form" class="card" novalidate @submit=${this.save} aria-labelledby="firmware-title" data-testid="firmware-urls">
      <h2 id="firmware-title">${t("firmware.title")}</h2>
      <p class="muted">${t("firmware.intro")}</p>
      ${formError(this.error, "firmware-error")}
      ${this.entries.length
        ? this.entries.map((entry, row) => this.row(entry, row, data.vendors))
        : html`<p class="small" data-testid="firmware-none">${t("firmware.none")}</p>`}
      ${data.vendors.length ? nothing : html`<p class="hint">${t("firmware.noVendors")}</p>`}
      <div class="actions start">
        <button type="button" class="secondary" ?disabled=${!data.vendors.length} @click=${() => this.add(data.vendors)}>${t("firmware.add")}</button>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button>
      </div>
    </form>`;
  }
}
