/** Form fields generated from voluptuous-serialize descriptions (plugin schemas and setting validators). */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ifDefined } from "lit/directives/if-defined.js";
import { api } from "./api";
import { LightElement } from "./base";
import { checkboxField, selectField, textField } from "./forms";
import { t } from "./i18n";
import type { SchemaField } from "./types";
import { selectOptions } from "./validate";

export interface SchemaFieldView {
  id: string;
  field: Omit<SchemaField, "name">;
  label: string;
  value: unknown;
  error?: string | null | undefined;
  hint?: string | undefined;
  required?: boolean;
  disabled?: boolean;
  placeholder?: string | undefined;
  onChange: (value: unknown) => void;
}

/** The raw form value (text or boolean) of a stored JSON value. */
export function rawValue(field: Omit<SchemaField, "name">, value: unknown): unknown {
  if (field.type === "boolean") return value === true;
  if (field.type === "multi_select") return Array.isArray(value) ? value.map(String) : [];
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function rangeHint(field: Omit<SchemaField, "name">): string | undefined {
  const { valueMin: min, valueMax: max } = field;
  if (min !== undefined && max !== undefined) return `${min} – ${max}`;
  if (min !== undefined) return `≥ ${min}`;
  if (max !== undefined) return `≤ ${max}`;
  return undefined;
}

/** A list of choices as a group of checkboxes; the value is the ticked options in their order. */
function multiSelectField(o: SchemaFieldView, hint: string | undefined): TemplateResult {
  const chosen = new Set(Array.isArray(o.value) ? o.value.map(String) : []);
  const options = selectOptions(o.field);
  const toggle = (value: string, on: boolean): void => {
    const next = new Set(chosen);
    if (on) next.add(value);
    else next.delete(value);
    o.onChange(options.map(([v]) => v).filter((v) => next.has(v)));
  };
  return html`<fieldset class="field multi-select ${o.error ? "has-error" : ""}" id=${o.id}
      aria-describedby=${ifDefined(hint || o.error ? `${o.id}-error` : undefined)}>
    <legend>${o.label}</legend>
    ${options.map(([value, label]) => checkboxField({
      id: `${o.id}-${value}`,
      label,
      checked: chosen.has(value),
      disabled: o.disabled ?? false,
      onChange: (on) => toggle(value, on),
    }))}
    ${hint ? html`<div class="hint">${hint}</div>` : nothing}
    <div class="field-error" id="${o.id}-error" aria-live="polite">${o.error ?? ""}</div>
  </fieldset>`;
}

export function schemaFieldView(o: SchemaFieldView): TemplateResult {
  const { field } = o;
  const hints = [field.type === "integer" || field.type === "float" ? rangeHint(field) : undefined, o.hint]
    .filter(Boolean)
    .join(" · ");
  const hint = hints || undefined;
  if (field.format === "prompt") return html`<cb-prompt-select .view=${{ ...o, hint }}></cb-prompt-select>`;
  switch (field.type) {
    case "multi_select":
      return multiSelectField(o, hint);
    case "boolean":
      return checkboxField({
        id: o.id,
        label: o.label,
        checked: o.value === true,
        hint,
        error: o.error,
        disabled: o.disabled ?? false,
        onChange: (checked) => o.onChange(checked),
      });
    case "select": {
      const options = selectOptions(field).map(([v, l]): [string, string] => [v, l in LANGUAGE_LABELS ? LANGUAGE_LABELS[l]!() : l]);
      const value = String(o.value ?? "");
      const withEmpty: Array<[string, string]> = o.required && value ? options : [["", "—"], ...options];
      return selectField({
        id: o.id,
        label: o.label,
        value,
        options: withEmpty,
        required: o.required ?? false,
        error: o.error,
        hint,
        disabled: o.disabled ?? false,
        onInput: (v) => o.onChange(v),
      });
    }
    case "integer":
    case "float":
      return textField({
        id: o.id,
        label: o.label,
        value: String(o.value ?? ""),
        type: "number",
        inputmode: field.type === "integer" ? "numeric" : "decimal",
        step: field.type === "integer" ? "1" : "any",
        min: field.valueMin,
        max: field.valueMax,
        required: o.required ?? false,
        error: o.error,
        hint,
        disabled: o.disabled ?? false,
        placeholder: o.placeholder,
        onInput: (v) => o.onChange(v),
      });
    default: {
      const type = field.format === "password" ? "password" : field.format === "email" ? "email" : "text";
      const inputmode = field.format === "extension" || field.format === "pin" ? "numeric" : undefined;
      return textField({
        id: o.id,
        label: o.label,
        value: String(o.value ?? ""),
        type,
        ...(inputmode ? { inputmode } : {}),
        required: o.required ?? false,
        error: o.error,
        hint,
        disabled: o.disabled ?? false,
        placeholder: o.placeholder,
        onInput: (v) => o.onChange(v),
      });
    }
  }
}

const LANGUAGE_LABELS: Record<string, () => string> = {
  en: () => t("lang.en"),
  de: () => t("lang.de"),
  da: () => t("lang.da"),
};

/** One prompt as GET /api/prompts lists it for a choice: ``org:<n>`` with its name, or a system id. */
export interface PromptChoice {
  id: string;
  kind: "org" | "system";
  name: string;
}

const CHOICES_FRESH_MS = 10_000;
let choices: { at: number; list: Promise<PromptChoice[] | null> } | null = null;

/**
 * The prompts a "prompt" field offers, the organisation's first (by name), then the system's; fetched
 * again when older than a few seconds (new prompts appear). Null when this person may not list them.
 */
export function promptChoices(): Promise<PromptChoice[] | null> {
  if (choices && Date.now() - choices.at < CHOICES_FRESH_MS) return choices.list;
  const list = api
    .get<{ prompts: PromptChoice[] }>("/api/prompts")
    .then(({ prompts }) => [...prompts.filter((p) => p.kind === "org"), ...prompts.filter((p) => p.kind !== "org")])
    .catch(() => {
      choices = null;
      return null;
    });
  choices = { at: Date.now(), list };
  return list;
}

/** A field of format "prompt" (cv.prompt_id): a select of the organisation's and the system's prompts. */
@customElement("cb-prompt-select")
export class CbPromptSelect extends LightElement {
  @property({ attribute: false }) view: SchemaFieldView | null = null;
  /** Undefined while loading; null when the list is not available (a text field is shown instead). */
  @state() private choices: PromptChoice[] | null | undefined = undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void promptChoices().then((list) => (this.choices = list));
  }

  protected override render(): TemplateResult | typeof nothing {
    const o = this.view;
    if (!o) return nothing;
    if (this.choices === null) return schemaFieldView({ ...o, field: { ...o.field, format: "prompt-id" } });
    const value = String(o.value ?? "");
    const list = this.choices ?? [];
    const own = list.filter((p) => p.kind === "org");
    const system = list.filter((p) => p.kind !== "org");
    // A stored id that is not listed (a deleted prompt) stays visible rather than silently changing.
    const unknown = value && this.choices && !list.some((p) => p.id === value) ? value : "";
    const option = (p: PromptChoice) => html`<option value=${p.id} ?selected=${p.id === value}>${p.name}</option>`;
    const described = [o.hint && o.hint !== o.error ? `${o.id}-hint` : "", o.error ? `${o.id}-error` : ""].filter(Boolean).join(" ");
    return html`<div class="field ${o.error ? "has-error" : ""}">
      <label for=${o.id}>${o.label}${o.required ? html`<span class="req" aria-hidden="true"> *</span>` : nothing}</label>
      <select id=${o.id} name=${o.id} data-format="prompt" ?required=${o.required} ?disabled=${o.disabled || this.choices === undefined}
        aria-invalid=${o.error ? "true" : "false"} aria-describedby=${ifDefined(described || undefined)}
        @change=${(e: Event) => o.onChange((e.target as HTMLSelectElement).value)}>
        ${o.required && value ? nothing : html`<option value="" ?selected=${!value}>—</option>`}
        ${unknown ? html`<option value=${unknown} selected>${unknown}</option>` : nothing}
        ${own.length ? html`<optgroup label=${t("orgPrompts.title")}>${own.map(option)}</optgroup>` : nothing}
        ${system.length ? html`<optgroup label=${t("prompts.systemTitle")}>${system.map(option)}</optgroup>` : nothing}
      </select>
      ${o.hint && o.hint !== o.error ? html`<div class="hint" id="${o.id}-hint">${o.hint}</div>` : nothing}
      <div class="field-error" id="${o.id}-error" aria-live="polite">${o.error ?? ""}</div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "cb-prompt-select": CbPromptSelect;
  }
}
