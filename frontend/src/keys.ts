/** Desk phone function keys (PROV-08): the rows editor shared by key templates and a user's own layout, and its checks. */
import { html, nothing, type TemplateResult } from "lit";
import { selectField, textField } from "./forms";
import { t, type MessageKey } from "./i18n";

export interface PhoneKey {
  index: number;
  kind: string;
  value: string;
  label: string;
}

/** A row as edited: the key number is text until it is sent. */
export interface KeyRow {
  index: string;
  kind: string;
  value: string;
  label: string;
}

export interface KeyTemplate {
  id: number;
  name: string;
  keys: PhoneKey[];
  is_default: boolean;
  users: number;
}

export interface Extension {
  extension: string;
  name: string;
}

export interface KeyLayout {
  user_id: number;
  template_id: number | null;
  default_template_id: number | null;
  effective_template_id: number | null;
  overrides: PhoneKey[];
  keys: PhoneKey[];
  template_keys: PhoneKey[];
  templates: Array<{ id: number; name: string; is_default: boolean }>;
  extensions: Extension[];
  resynced?: string[];
}

export const KINDS = ["blf", "speed_dial", "dtmf", "line"] as const;
export const MAX_INDEX = 100;
export const LABEL_MAX = 24;
type Errors = Record<string, string | null | undefined>;

export function kindLabel(kind: string): string {
  return t(`keys.kind.${kind}` as MessageKey);
}

export function toRows(keys: PhoneKey[]): KeyRow[] {
  return keys.map((k) => ({ index: String(k.index), kind: k.kind, value: k.value, label: k.label }));
}

export function toKeys(rows: KeyRow[]): Array<Record<string, unknown>> {
  return rows.map((r) => ({
    index: /^\d+$/.test(r.index.trim()) ? Number(r.index.trim()) : r.index,
    kind: r.kind,
    value: r.kind === "none" ? "" : r.value.trim(),
    label: r.label.trim(),
  }));
}

/** The next free key number (after the highest used, from 2 on). */
export function nextIndex(rows: KeyRow[]): string {
  const used = rows.map((r) => Number(r.index)).filter((n) => Number.isInteger(n));
  return String(Math.min(MAX_INDEX, Math.max(1, ...used) + 1));
}

/** Client-side checks mirroring the server's: errors keyed ``keys.<row>.<field>`` as the API names them. */
export function checkRows(rows: KeyRow[], extensions: Extension[]): Errors {
  const errors: Errors = {};
  const known = new Set(extensions.map((e) => e.extension));
  const seen = new Set<number>();
  rows.forEach((row, i) => {
    const n = Number(row.index.trim());
    if (!/^\d+$/.test(row.index.trim()) || n < 2 || n > MAX_INDEX) errors[`keys.${i}.index`] = t("keys.checkIndex", { max: MAX_INDEX });
    else if (seen.has(n)) errors[`keys.${i}.index`] = t("keys.checkTwice", { index: n });
    else seen.add(n);
    const value = row.value.trim();
    if (row.kind === "blf") {
      if (!value) errors[`keys.${i}.value`] = t("validation.required");
      else if (!known.has(value)) errors[`keys.${i}.value`] = t("keys.checkExtension", { extension: value });
    } else if (row.kind === "speed_dial" && !/^\+?[0-9*#]{1,32}$/.test(value)) errors[`keys.${i}.value`] = t("keys.checkNumber");
    else if (row.kind === "dtmf" && !/^[0-9*#A-Da-d]{1,32}$/.test(value)) errors[`keys.${i}.value`] = t("keys.checkDtmf");
    else if (row.kind === "line" && !/^[1-9][0-9]?$/.test(value)) errors[`keys.${i}.value`] = t("keys.checkLine");
    if (row.label.trim().length > LABEL_MAX) errors[`keys.${i}.label`] = t("keys.checkLabel", { max: LABEL_MAX });
  });
  return errors;
}

export function hasErrors(errors: Errors): boolean {
  return Object.values(errors).some(Boolean);
}

export interface RowsEditorOptions {
  prefix: string;
  rows: KeyRow[];
  errors: Errors;
  extensions: Extension[];
  /** Kinds offered; a user's layout adds "none" (empties a template's key). */
  kinds: readonly string[];
  onChange: (rows: KeyRow[], changed: string) => void;
}

/** Rows of key number, type, value and label; BLF values pick from the extensions (a datalist). */
export function keyRowsEditor(o: RowsEditorOptions): TemplateResult {
  const list = `${o.prefix}-extensions`;
  const set = (i: number, field: keyof KeyRow, value: string) => {
    const rows = o.rows.map((r, j) => (j === i ? { ...r, [field]: value } : r));
    o.onChange(rows, `keys.${i}.${field}`);
  };
  const remove = (i: number) => o.onChange(o.rows.filter((_, j) => j !== i), "");
  const add = () => o.onChange([...o.rows, { index: nextIndex(o.rows), kind: "blf", value: "", label: "" }], "");
  return html`<datalist id=${list}>
      ${o.extensions.map((e) => html`<option value=${e.extension}>${e.name}</option>`)}
    </datalist>
    ${o.rows.length ? nothing : html`<p class="muted">${t("keys.noRows")}</p>`}
    <ol class="key-rows" data-testid="${o.prefix}-rows">
      ${o.rows.map((row, i) => {
        const id = `${o.prefix}-${i}`;
        const err = (field: string) => o.errors[`keys.${i}.${field}`] ?? (field === "index" ? o.errors[`keys.${i}`] : undefined);
        return html`<li class="key-row grid four" data-testid="key-row">
          ${textField({ id: `${id}-index`, label: t("keys.index"), value: row.index, inputmode: "numeric", required: true, error: err("index"), onInput: (v) => set(i, "index", v) })}
          ${selectField({ id: `${id}-kind`, label: t("keys.kind"), value: row.kind, required: true, error: err("kind"), options: o.kinds.map((k): [string, string] => [k, kindLabel(k)]), onInput: (v) => set(i, "kind", v) })}
          ${row.kind === "none"
            ? html`<div></div>`
            : textField({
                id: `${id}-value`,
                label: row.kind === "blf" ? t("keys.extension") : t("keys.value"),
                value: row.value,
                required: true,
                error: err("value"),
                hint: row.kind === "blf" ? t("keys.blfHint") : undefined,
                ...(row.kind === "blf" ? { list } : {}),
                onInput: (v) => set(i, "value", v),
              })}
          <div class="key-label">
            ${row.kind === "none"
              ? nothing
              : textField({ id: `${id}-label`, label: t("keys.label"), value: row.label, error: err("label"), hint: row.kind === "blf" ? t("keys.labelHint") : undefined, onInput: (v) => set(i, "label", v) })}
            <button type="button" class="secondary small" @click=${() => remove(i)} aria-label=${t("keys.removeKey", { index: row.index })}>${t("common.delete")}</button>
          </div>
        </li>`;
      })}
    </ol>
    <div class="actions start"><button type="button" class="secondary" @click=${add}>${t("keys.addKey")}</button></div>`;
}

/** The keys a phone shows, as a read-only table. */
export function keysTable(keys: PhoneKey[], testid: string): TemplateResult {
  return html`<div class="table-wrap">
    <table class="data" data-testid=${testid}>
      <thead><tr><th>${t("keys.index")}</th><th>${t("keys.kind")}</th><th>${t("keys.value")}</th><th>${t("keys.label")}</th></tr></thead>
      <tbody>
        ${keys.map((k) => html`<tr><td>${k.index}</td><td>${kindLabel(k.kind)}</td><td>${k.value}</td><td>${k.label}</td></tr>`)}
      </tbody>
    </table>
  </div>`;
}
