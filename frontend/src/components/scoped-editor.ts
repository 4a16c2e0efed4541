/**
 * <cb-scoped-editor>: edit settings at one level (SET-04). It first asks which level to change
 * (organisation, a user group or a user), offering only the levels the settings allow, then shows
 * the settings that may be set there. Below the organisation a setting is either set at the
 * level or inherited; a cleared setting is sent as null.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { checkboxField, focusFirstError, formError } from "../forms";
import { settingLabel, t } from "../i18n";
import { rawValue, schemaFieldView } from "../schema-form";
import { toast } from "../session";
import type { Group, SchemaField, Scope, User } from "../types";
import { checkSchemaField, schemaValue } from "../validate";
import { scopePicker } from "./scope-picker";

export interface SettingItem {
  /** The full key, e.g. "core.timezone" or "system_info.scan_interval". */
  key: string;
  field: Omit<SchemaField, "name">;
  scopes: Scope[];
  default: unknown;
  description?: string;
  /** Required at the organisation level (plugin schema fields marked vol.Required). */
  required?: boolean;
}

export type LoadLevel = (scope: Scope, id: number | null) => Promise<Record<string, unknown>>;
export type SaveLevel = (scope: Scope, id: number | null, changes: Record<string, unknown>, all: Record<string, unknown>) => Promise<void>;


/** What an unset organisation-level field shows: nothing (the default is the hint), except for a
 * list of choices, whose ticked boxes are the default (an empty list would mean "none of them"). */
function shownDefault(item: SettingItem): unknown {
  return item.field.type === "multi_select" ? item.default : null;
}

@customElement("cb-scoped-editor")
export class CbScopedEditor extends LightElement {
  @property({ attribute: false }) items: SettingItem[] = [];
  @property({ attribute: false }) groups: Group[] = [];
  @property({ attribute: false }) users: User[] = [];
  @property({ attribute: false }) loadLevel: LoadLevel = async () => ({});
  @property({ attribute: false }) saveLevel: SaveLevel = async () => undefined;
  /** Maps a server field-error name to an item key (plugin config errors name the bare field). */
  @property({ attribute: false }) errorKey: (name: string) => string = (name) => name;
  @property() idPrefix = "setting";

  @state() private scope: Scope = "org";
  @state() private scopeId: number | null = null;
  @state() private stored: Record<string, unknown> | null = null;
  @state() private raw: Record<string, unknown> = {};
  @state() private setHere: Record<string, boolean> = {};
  @state() private errors: Record<string, string | null | undefined> = {};
  @state() private error = "";
  @state() private loadError = "";
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private get offered(): Scope[] {
    const all = new Set<Scope>(["org"]);
    for (const item of this.items) for (const s of item.scopes) all.add(s);
    return (["org", "group", "user"] as Scope[]).filter((s) => all.has(s));
  }

  private get shown(): SettingItem[] {
    return this.items.filter((item) => item.scopes.includes(this.scope));
  }

  private async load(): Promise<void> {
    this.errors = {};
    this.error = "";
    this.loadError = "";
    if (this.scope !== "org" && this.scopeId === null) {
      this.stored = null;
      return;
    }
    this.stored = null;
    try {
      const [stored, org] = await Promise.all([
        this.loadLevel(this.scope, this.scopeId),
        this.scope === "org" ? Promise.resolve({} as Record<string, unknown>) : this.loadLevel("org", null),
      ]);
      const raw: Record<string, unknown> = {};
      const setHere: Record<string, boolean> = {};
      for (const item of this.items) {
        const has = stored[item.key] !== undefined && stored[item.key] !== null;
        setHere[item.key] = has;
        const above = org[item.key] ?? item.default;
        raw[item.key] = rawValue(item.field, has ? stored[item.key] : this.scope === "org" ? shownDefault(item) : above);
      }
      this.stored = stored;
      this.raw = raw;
      this.setHere = setHere;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const errors: Record<string, string | null> = {};
    const changes: Record<string, unknown> = {};
    const all: Record<string, unknown> = {};
    for (const item of this.shown) {
      const active = this.scope === "org" || this.setHere[item.key];
      if (!active) {
        if (this.stored && this.stored[item.key] !== undefined) changes[item.key] = null;
        continue;
      }
      const value = this.raw[item.key];
      errors[item.key] = checkSchemaField(item.field, value, this.scope === "org" ? Boolean(item.required) : true);
      const json = schemaValue(item.field, value);
      all[item.key] = json;
      if (JSON.stringify(json) !== JSON.stringify(this.stored?.[item.key] ?? (this.scope === "org" ? shownDefault(item) : null))) changes[item.key] = json;
    }
    this.errors = errors;
    if (Object.values(errors).some(Boolean)) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    this.error = "";
    this.busy = true;
    try {
      await this.saveLevel(this.scope, this.scopeId, changes, all);
      toast(t("settings.saved"));
      await this.load();
    } catch (err) {
      const mapped: Record<string, string> = {};
      for (const [name, message] of Object.entries(fieldErrors(err))) mapped[this.errorKey(name)] = message;
      this.errors = mapped;
      this.error = errorText(err);
      focusFirstError(this);
    } finally {
      this.busy = false;
    }
  }

  private picker(): TemplateResult {
    const offered = this.offered;
    if (offered.length === 1) return html`<p class="muted">${t("settings.orgOnly")}</p>`;
    return scopePicker({
      idPrefix: this.idPrefix,
      scopes: offered,
      scope: this.scope,
      scopeId: this.scopeId,
      groups: this.groups,
      users: this.users,
      onPick: (scope, id) => {
        this.scope = scope;
        this.scopeId = id;
        void this.load();
      },
    });
  }

  private row(item: SettingItem): TemplateResult {
    const id = `${this.idPrefix}-${item.key.replace(/\./g, "-")}`;
    const inherited = this.scope !== "org" && !this.setHere[item.key];
    const defaultText =
      item.default === null || item.default === undefined || item.default === "" ? undefined : t("common.default", { value: String(item.default) });
    const hint = [item.description, this.scope === "org" ? defaultText : undefined].filter(Boolean).join(" ") || undefined;
    const here =
      this.scope !== "org"
        ? checkboxField({
            id: `${id}-here`,
            label: `${settingLabel(item.key)}: ${t("settings.setHere")}`,
            checked: Boolean(this.setHere[item.key]),
            onChange: (on) => (this.setHere = { ...this.setHere, [item.key]: on }),
          })
        : nothing;
    return html`<div class="setting-row ${inherited ? "inherited" : ""}">
      ${here}
      ${schemaFieldView({
        id,
        field: item.field,
        label: settingLabel(item.key),
        value: this.raw[item.key],
        error: this.errors[item.key],
        hint: inherited ? [item.description, t("settings.inherited")].filter(Boolean).join(" ") : hint,
        required: this.scope === "org" ? Boolean(item.required) : !inherited,
        disabled: inherited,
        placeholder: this.scope === "org" && item.default !== null && item.default !== undefined ? String(item.default) : undefined,
        onChange: (value) => {
          this.raw = { ...this.raw, [item.key]: value };
          if (this.errors[item.key]) this.errors = { ...this.errors, [item.key]: null };
        },
      })}
    </div>`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.scope === "group" && this.scopeId === null) body = html`<p class="muted">${t("settings.pickGroup")}</p>`;
    else if (this.scope === "user" && this.scopeId === null) body = html`<p class="muted">${t("settings.pickUser")}</p>`;
    else if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.stored) body = loadingView();
    else if (!this.shown.length) body = html`<p class="muted">${t("settings.noneAtLevel")}</p>`;
    else
      body = html`<form novalidate @submit=${this.save}>
        ${formError(this.error, `${this.idPrefix}-form-error`)}
        ${this.shown.map((item) => this.row(item))}
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button></div>
      </form>`;
    return html`${this.picker()}${body}`;
  }
}
