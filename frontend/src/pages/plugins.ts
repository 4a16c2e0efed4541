/** Installed plugins with their live state; enable, disable, open settings. */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { t } from "../i18n";
import { toast } from "../session";
import type { PluginInfo } from "../types";
import { live } from "../ws";
import { stateBadge } from "./dashboard";

@customElement("cb-plugins")
export class CbPlugins extends LightElement {
  @state() private plugins: PluginInfo[] | null = null;
  @state() private error = "";
  @state() private busy = "";
  private readonly onStates = () => {
    if (!this.plugins || this.busy) return;
    // Live status from the plugin.<domain> states; the list itself changes only on install.
    let changed = false;
    const next = this.plugins.map((p) => {
      const s = live.states.get(`plugin.${p.domain}`);
      if (!s) return p;
      const enabled = Boolean(s.attributes["enabled"]);
      const error = (s.attributes["error"] as string | null) ?? null;
      if (s.state === p.status && enabled === p.enabled && error === p.error) return p;
      changed = true;
      return { ...p, status: s.state, enabled, error };
    });
    if (changed) this.plugins = next;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("states", this.onStates);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("states", this.onStates);
  }

  private async load(): Promise<void> {
    this.error = "";
    try {
      this.plugins = await api.get<PluginInfo[]>("/api/plugins");
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async toggle(plugin: PluginInfo): Promise<void> {
    this.busy = plugin.domain;
    const name = plugin.manifest.name ?? plugin.domain;
    try {
      const updated = await api.post<PluginInfo>(`/api/plugins/${plugin.domain}/${plugin.enabled ? "disable" : "enable"}`);
      this.plugins = (this.plugins ?? []).map((p) => (p.domain === plugin.domain ? updated : p));
      toast(t(updated.enabled ? "plugins.enabled" : "plugins.disabled", { name }));
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.busy = "";
    }
  }

  private card(p: PluginInfo): TemplateResult {
    const name = p.manifest.name ?? p.domain;
    return html`<li class="card plugin-card">
      <div class="row-between">
        <h2 class="plugin-name">${name}</h2>
        ${stateBadge(p.status)}
      </div>
      <p class="muted small">
        ${p.domain} · ${t("plugins.version", { version: p.manifest.version ?? "?" })}
        ${p.builtin ? html` · ${t("plugins.builtin")}` : nothing} ${p.essential ? html` · ${t("plugins.essential")}` : nothing}
      </p>
      ${p.manifest.description ? html`<p>${p.manifest.description}</p>` : nothing}
      ${p.error ? html`<p class="notice bad">${t("plugins.error", { error: p.error })}</p>` : nothing}
      <div class="actions start">
        <a class="button secondary" href="/plugins/${p.domain}" aria-label="${t("plugins.settings")}: ${name}">${t("plugins.settings")}</a>
        ${p.essential && p.enabled
          ? nothing
          : html`<button type="button" class=${p.enabled ? "secondary" : ""} ?disabled=${this.busy === p.domain}
              aria-label="${p.enabled ? t("plugins.disable") : t("plugins.enable")}: ${name}" @click=${() => void this.toggle(p)}>
              ${p.enabled ? t("plugins.disable") : t("plugins.enable")}
            </button>`}
      </div>
    </li>`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.error) body = errorView(this.error, () => void this.load());
    else if (!this.plugins) body = loadingView();
    else if (!this.plugins.length) body = html`<p class="empty">${t("dashboard.noPlugins")}</p>`;
    else body = html`<ul class="plugin-list">${this.plugins.map((p) => this.card(p))}</ul>`;
    return html`<section class="page">${pageHeading(t("plugins.title"))}<p class="muted">${t("plugins.intro")}</p>${body}</section>`;
  }
}
