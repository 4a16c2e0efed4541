/** The core's settings (organisation name, country, time zone, numbering, …) with the level picker. */
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import type { SettingItem } from "../components/scoped-editor";
import "../components/scoped-editor";
import { t } from "../i18n";
import { countries } from "../regions";
import { session } from "../session";
import type { Group, Scope, SettingSpec, User } from "../types";
import { timeZones } from "../validate";

/** Better inputs than plain text for the core settings whose validators serialize as strings. */
function coreField(spec: SettingSpec): SettingItem["field"] {
  if (spec.key === "core.timezone") return { type: "select", options: timeZones().map((z): [string, string] => [z, z.replace(/_/g, " ")]) };
  if (spec.key === "core.country") return { type: "select", options: countries().map(([code, name]): [string, string] => [code, `${name} (${code})`]) };
  return spec.validator;
}

@customElement("cb-settings")
export class CbSettings extends LightElement {
  @state() private items: SettingItem[] | null = null;
  @state() private groups: Group[] = [];
  @state() private users: User[] = [];
  @state() private error = "";

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.error = "";
    try {
      const [specs, groups, users] = await Promise.all([
        api.get<SettingSpec[]>("/api/settings"),
        api.get<Group[]>("/api/groups"),
        api.get<User[]>("/api/users"),
      ]);
      this.groups = groups;
      this.users = users;
      this.items = specs
        .filter((s) => s.key.startsWith("core."))
        .map((s) => ({ key: s.key, field: coreField(s), scopes: s.scopes, default: s.default, description: s.description }));
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private readonly loadLevel = (scope: Scope, id: number | null) =>
    api.get<Record<string, unknown>>(scope === "org" ? "/api/settings/org" : `/api/settings/${scope}/${id}`);

  private readonly saveLevel = async (scope: Scope, id: number | null, changes: Record<string, unknown>): Promise<void> => {
    if (!Object.keys(changes).length) return;
    await api.put(scope === "org" ? "/api/settings/org" : `/api/settings/${scope}/${id}`, changes);
    if (scope === "org" && "core.organisation_name" in changes) await session.loadOrgName();
  };

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.error) body = errorView(this.error, () => void this.load());
    else if (!this.items) body = loadingView();
    else
      body = html`<div class="card">
        <cb-scoped-editor idPrefix="core" .items=${this.items} .groups=${this.groups} .users=${this.users}
          .loadLevel=${this.loadLevel} .saveLevel=${this.saveLevel}></cb-scoped-editor>
      </div>`;
    return html`<section class="page">${pageHeading(t("settings.title"))}<p class="muted">${t("settings.intro")}</p>${body}</section>`;
  }
}
