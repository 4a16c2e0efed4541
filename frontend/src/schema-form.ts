/** Form fields generated from voluptuous-serialize descriptions (plugin schemas and setting validators). */
import type { TemplateResult } from "lit";
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

export function schemaFieldView(o: SchemaFieldView): TemplateResult {
  const { field } = o;
  const hints = [field.type === "integer" || field.type === "float" ? rangeHint(field) : undefined, o.hint]
    .filter(Boolean)
    .join(" · ");
  const hint = hints || undefined;
  switch (field.type) {
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
