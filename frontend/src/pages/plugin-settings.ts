/** One plugin's settings: a form generated from its serialized schema, with the level picker (SET-04);
 * the e-mail plugin (notify) adds a test mail, a test SMS and its delivery queue below it (BYD-28). */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import type { SettingItem } from "../components/scoped-editor";
import "../components/scoped-editor";
import "../components/test-mail";
import "../components/test-sms";
import "../components/notify-queue";
import { t } from "../i18n";
import type { Group, PluginInfo, SchemaField, Scope, SettingSpec, User } from "../types";
import { stateBadge } from "./dashboard";

@customElement("cb-plugin-settings")
export class CbPluginSettings extends LightElement {
  @property() domain = "";
  @state() private plugin: PluginInfo | null = null;
  @state() private items: SettingItem[] = [];
  @state() private groups: Group[] = [];
  @state() private users: User[] = [];
  @state() private error = "";
  @state() private notFound = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.error = "";
    try {
      const [plugin, specs] = await Promise.all([api.get<PluginInfo>(`/api/plugins/${this.domain}`), api.get<SettingSpec[]>("/api/settings")]);
      const prefix = `${this.domain}.`;
      const scoped = new Map(specs.filter((s) => s.key.startsWith(prefix)).map((s) => [s.key, s]));
      this.items = plugin.schema.map((field: SchemaField) => {
        const { name, ...rest } = field;
        const key = prefix + name;
        return {
          key,
          field: rest,
          scopes: scoped.get(key)?.scopes ?? (["org"] as Scope[]),
          default: field.default,
          required: Boolean(field.required),
          // A plugin's own help text for the field (vol.Optional(..., description=...)).
          ...(typeof field.description === "string" && field.description ? { description: field.description } : {}),
        };
      });
      if (this.items.some((i) => i.scopes.length > 1)) {
        [this.groups, this.users] = await Promise.all([api.get<Group[]>("/api/groups"), api.get<User[]>("/api/users")]);
      }
      this.plugin = plugin;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.notFound = true;
      else this.error = errorText(err);
    }
  }

  private readonly loadLevel = async (scope: Scope, id: number | null): Promise<Record<string, unknown>> => {
    const prefix = `${this.domain}.`;
    if (scope === "org") {
      const { config } = await api.get<{ config: Record<string, unknown> }>(`/api/plugins/${this.domain}/config`);
      return Object.fromEntries(Object.entries(config).map(([name, value]) => [prefix + name, value]));
    }
    const values = await api.get<Record<string, unknown>>(`/api/settings/${scope}/${id}`);
    return Object.fromEntries(Object.entries(values).filter(([key]) => key.startsWith(prefix)));
  };

  private readonly saveLevel = async (scope: Scope, id: number | null, changes: Record<string, unknown>, all: Record<string, unknown>): Promise<void> => {
    const prefix = `${this.domain}.`;
    if (scope === "org") {
      // The organisation's config is one validated document: send every field, leave out the empty ones.
      const config = Object.fromEntries(
        Object.entries(all)
          .filter(([, value]) => value !== null)
          .map(([key, value]) => [key.slice(prefix.length), value]),
      );
      await api.put(`/api/plugins/${this.domain}/config`, config);
      this.plugin = await api.get<PluginInfo>(`/api/plugins/${this.domain}`);
      return;
    }
    await api.put(`/api/settings/${scope}/${id}`, changes);
  };

  protected override render(): TemplateResult {
    const back = html`<a class="button secondary" href="/plugins">← ${t("nav.plugins")}</a>`;
    const name = this.plugin?.manifest.name ?? this.domain;
    let body: TemplateResult;
    if (this.notFound) body = html`<p>${t("plugins.notFound")}</p>`;
    else if (this.error) body = errorView(this.error, () => void this.load());
    else if (!this.plugin) body = loadingView();
    else
      body = html`<div class="card">
        <p class="row-start">${stateBadge(this.plugin.status)} <span class="muted">${this.plugin.manifest.description ?? ""}</span></p>
        ${this.plugin.error ? html`<p class="notice bad">${t("plugins.error", { error: this.plugin.error })}</p>` : nothing}
        ${this.items.length
          ? html`<cb-scoped-editor
              idPrefix="plugin"
              .items=${this.items}
              .groups=${this.groups}
              .users=${this.users}
              .loadLevel=${this.loadLevel}
              .saveLevel=${this.saveLevel}
              .errorKey=${(field: string) => (field.includes(".") ? field : `${this.domain}.${field}`)}
            ></cb-scoped-editor>`
          : html`<p class="muted">${t("plugins.noSettings")}</p>`}
      </div>
      ${this.domain === "notify" ? html`<cb-test-mail></cb-test-mail><cb-test-sms></cb-test-sms><cb-notify-queue></cb-notify-queue>` : nothing}`;
    return html`<section class="page">${pageHeading(t("plugins.settingsTitle", { name }), back)}${body}</section>`;
  }
}
