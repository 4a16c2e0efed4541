/**
 * <cb-contact-form>: add or change one contact (DIR-07, DIR-08): names, company, address, e-mail,
 * speed dial, the type (a blocked contact cannot call the list's owner, BAR-07) and one or more
 * numbers (type, number, abbreviated number) in rows to add and remove; on an organisation or
 * group list also "mandatory" (DIR-06). The server's field errors ("numbers.1.number") show next
 * to their fields. Saves itself (POST to the list ``scope``/``scopeId``, or to the user's own list
 * when ``scope`` is null; PUT for a change) and fires "saved" (detail: the contact) or "cancel".
 * Given more than one of the ``lists`` a user may add to (DIR-02), a new contact's form starts with
 * a "List" select, and the contact goes on the list chosen there.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement } from "../base";
import {
  CONTACT_TYPES,
  MAX_NUMBERS,
  NUMBER_TYPES,
  checkDraft,
  contactName,
  contactTypeText,
  draftBody,
  draftOf,
  emptyNumber,
  hasErrors,
  listChoiceText,
  listTarget,
  listValue,
  numberTypeText,
  type Contact,
  type ContactList,
  type ContactNumber,
  type ContactType,
  type Draft,
  type Errors,
  type NumberType,
  type TextField,
} from "../directory";
import { checkboxField, focusFirstError, focusLateField, focusWhenRendered, formError, selectField, sendForm, textField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { toast } from "../session";
import type { Scope } from "../types";

@customElement("cb-contact-form")
export class CbContactForm extends LightElement {
  /** The contact to change; null for a new one. */
  @property({ attribute: false }) contact: Contact | null = null;
  /** The list a new contact goes on; null: the user's own list (the server's default). */
  @property({ attribute: false }) scope: Scope | null = null;
  @property({ attribute: false }) scopeId: number | null = null;
  /** Offer "mandatory" (organisation and group lists only, DIR-06). */
  @property({ attribute: false }) allowMandatory = false;
  /** The lists a new contact may go on; with more than one, the form asks which (and offers
   * "mandatory" on a shared one). */
  @property({ attribute: false }) lists: ContactList[] = [];
  @property() idPrefix = "contact";

  @state() private draft: Draft = draftOf(null);
  /** The chosen list's value (``listValue``). */
  @state() private list = "";
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // Another contact to edit (or a new one) while the form is open: start again from its values.
    if (changed.has("contact") || !this.hasUpdated) {
      this.draft = draftOf(this.contact);
      this.list = this.lists[0] ? listValue(this.lists[0]) : "";
      this.errors = {};
      this.error = "";
      // The first field: the list, when there is one to choose, else the first name.
      void focusWhenRendered(this, `#${this.idPrefix}-list, #${this.idPrefix}-first_name`);
    } else if (changed.has("lists") && ((changed.get("lists") as ContactList[] | undefined)?.length ?? 0) <= 1) {
      // The lists came after the form opened (a slow answer): the choice appears above the first
      // name and, while nothing was typed yet, starts the form as it would have.
      this.list = this.lists[0] ? listValue(this.lists[0]) : "";
      if (this.listShown) focusLateField(this, `#${this.idPrefix}-list`, `#${this.idPrefix}-first_name`);
    }
  }

  /** Whether the form asks which list a new contact goes on. */
  private get listShown(): boolean {
    return !this.contact && this.lists.length > 1;
  }

  private get chosenList(): ContactList | undefined {
    return this.lists.find((l) => listValue(l) === this.list) ?? this.lists[0];
  }

  private get withMandatory(): boolean {
    if (this.listShown) return (this.chosenList?.scope ?? "user") !== "user";
    return this.allowMandatory;
  }

  /** Where a new contact goes: the chosen list, else ``scope``/``scopeId``, else the server's
   * default (the user's own list). */
  private target(): Record<string, unknown> {
    const chosen = this.listShown ? this.chosenList : undefined;
    if (chosen) return listTarget(chosen);
    if (this.scope) return { scope: this.scope, scope_id: this.scope === "org" ? null : this.scopeId };
    return {};
  }

  private set(changes: Partial<Draft>, ...fields: string[]): void {
    this.draft = { ...this.draft, ...changes };
    if (fields.length && fields.some((f) => this.errors[f])) {
      this.errors = { ...this.errors, ...Object.fromEntries(fields.map((f) => [f, null])) };
    }
  }

  private setNumber(index: number, changes: Partial<ContactNumber>): void {
    const numbers = this.draft.numbers.map((n, i) => (i === index ? { ...n, ...changes } : n));
    this.set({ numbers }, ...Object.keys(changes).map((k) => `numbers.${index}.${k}`), "numbers");
  }

  private addNumber(): void {
    // A second number is most often the mobile: offer the first type not used yet.
    const used = new Set(this.draft.numbers.map((n) => n.type));
    const type = NUMBER_TYPES.find((x) => !used.has(x)) ?? "other";
    this.set({ numbers: [...this.draft.numbers, emptyNumber(type)] }, "numbers");
    void focusWhenRendered(this, `#${this.idPrefix}-number-${this.draft.numbers.length - 1}-number`);
  }

  private removeNumber(index: number): void {
    // Errors of later rows would now sit on the wrong rows: they go, the checks run again on saving.
    this.errors = Object.fromEntries(Object.entries(this.errors).filter(([key]) => !key.startsWith("numbers")));
    this.set({ numbers: this.draft.numbers.filter((_, i) => i !== index) });
    const left = this.draft.numbers.length;
    void focusWhenRendered(this, left ? `#${this.idPrefix}-number-${Math.min(index, left - 1)}-number` : `#${this.idPrefix}-add-number`);
  }

  private cancel(): void {
    this.dispatchEvent(new CustomEvent("cancel", { bubbles: true }));
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    this.errors = checkDraft(this.draft);
    if (hasErrors(this.errors)) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    const body = draftBody(this.draft, this.withMandatory);
    await sendForm(this, async () => {
      const contact = this.contact;
      const saved = contact
        ? await api.put<Contact>(`/api/directory/contacts/${contact.id}`, body)
        : await api.post<Contact>("/api/directory/contacts", { ...body, ...this.target() });
      const name = saved.name || contactName(saved);
      toast(contact ? t("dir.saved", { name }) : t("dir.created", { name }));
      this.dispatchEvent(new CustomEvent<Contact>("saved", { detail: saved, bubbles: true }));
    });
  }

  private text(field: TextField, extra: { required?: boolean; hint?: string; type?: string; autocomplete?: string; inputmode?: string } = {}): TemplateResult {
    return textField({
      id: `${this.idPrefix}-${field}`,
      label: t(`dir.field.${field}` as MessageKey),
      value: this.draft[field],
      error: this.errors[field],
      onInput: (v) => this.set({ [field]: v } as Partial<Draft>, field),
      ...extra,
    });
  }

  protected override render(): TemplateResult {
    const p = this.idPrefix;
    const d = this.draft;
    const title = this.contact ? t("dir.editTitle", { name: this.contact.name || contactName(this.contact) }) : t("dir.newTitle");
    return html`<form class="contact-form" id="${p}-form" novalidate aria-labelledby="${p}-title" @submit=${this.save}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === "Escape") this.cancel();
      }}>
      <h2 id="${p}-title">${title}</h2>
      ${formError(this.error, `${p}-form-error`)}
      ${this.listShown
        ? html`<div class="grid two">
            ${selectField({
              id: `${p}-list`,
              label: t("dir.listField"),
              value: this.list,
              hint: t("dir.listHint"),
              error: this.errors["scope"] ?? this.errors["scope_id"],
              options: this.lists.map((l): [string, string] => [listValue(l), listChoiceText(l)]),
              onInput: (v) => {
                this.list = v;
                this.errors = { ...this.errors, scope: null, scope_id: null };
              },
            })}
          </div>`
        : nothing}
      <p class="hint">${t("dir.nameHint")}</p>
      <div class="grid two">
        ${this.text("first_name", { autocomplete: "off" })} ${this.text("last_name", { autocomplete: "off" })}
        ${this.text("company")} ${this.text("department")}
        ${this.text("short_name", { hint: t("dir.shortNameHint") })}
        ${selectField({
          id: `${p}-type`,
          label: t("dir.field.type"),
          value: d.type,
          hint: d.type === "blocked" ? t("dir.blockedHint") : t("dir.typeHint"),
          error: this.errors["type"],
          options: CONTACT_TYPES.map((x): [string, string] => [x, contactTypeText(x)]),
          onInput: (v) => this.set({ type: v as ContactType }, "type"),
        })}
      </div>
      ${this.numbersView()}
      <div class="grid two">
        ${this.text("email", { type: "email", autocomplete: "off" })}
        ${this.text("speed_dial", { inputmode: "numeric", hint: t("dir.speedDialHint") })}
      </div>
      <fieldset class="contact-address">
        <legend>${t("dir.address")}</legend>
        <div class="grid two">
          ${this.text("street")}
          <div class="grid postcode-city">${this.text("postcode")} ${this.text("city")}</div>
          ${this.text("country")}
        </div>
      </fieldset>
      ${this.withMandatory
        ? checkboxField({
            id: `${p}-mandatory`,
            label: t("dir.field.mandatory"),
            hint: t("dir.mandatoryHint"),
            checked: d.mandatory,
            error: this.errors["mandatory"],
            onChange: (on) => this.set({ mandatory: on }, "mandatory"),
          })
        : nothing}
      <div class="actions">
        <button type="button" class="secondary" @click=${() => this.cancel()}>${t("common.cancel")}</button>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : this.contact ? t("common.save") : t("dir.add")}</button>
      </div>
    </form>`;
  }

  private numbersView(): TemplateResult {
    const p = this.idPrefix;
    const rows = this.draft.numbers;
    return html`<fieldset class="contact-numbers" aria-describedby="${p}-numbers-error">
      <legend>${t("dir.numbers")} <span class="req" aria-hidden="true">*</span></legend>
      <div class="field-error" id="${p}-numbers-error" role="alert">${this.errors["numbers"] ?? ""}</div>
      <ol class="number-rows">
        ${rows.map(
          (row, i) => html`<li class="number-row" data-testid="number-row-${i}">
            ${selectField({
              id: `${p}-number-${i}-type`,
              label: t("dir.numberTypeN", { n: i + 1 }),
              value: row.type,
              error: this.errors[`numbers.${i}.type`],
              options: NUMBER_TYPES.map((x): [string, string] => [x, numberTypeText(x)]),
              onInput: (v) => this.setNumber(i, { type: v as NumberType }),
            })}
            ${textField({
              id: `${p}-number-${i}-number`,
              label: t("dir.numberN", { n: i + 1 }),
              value: row.number,
              type: "tel",
              required: true,
              inputmode: "tel",
              autocomplete: "off",
              placeholder: "+45 33 12 34 56",
              error: this.errors[`numbers.${i}.number`],
              onInput: (v) => this.setNumber(i, { number: v }),
            })}
            ${textField({
              id: `${p}-number-${i}-short`,
              label: t("dir.shortN", { n: i + 1 }),
              value: row.short,
              inputmode: "numeric",
              error: this.errors[`numbers.${i}.short`],
              onInput: (v) => this.setNumber(i, { short: v }),
            })}
            <div class="number-remove">
              <button type="button" class="secondary small" aria-label=${t("dir.removeNumber", { n: i + 1 })}
                @click=${() => this.removeNumber(i)}>${t("dir.remove")}</button>
            </div>
          </li>`,
        )}
      </ol>
      <p class="hint">${t("dir.shortHint")}</p>
      <button type="button" class="secondary small" id="${p}-add-number" ?disabled=${rows.length >= MAX_NUMBERS}
        @click=${() => this.addNumber()}>${t("dir.addNumber")}</button>
    </fieldset>`;
  }
}
