/**
 * The admin dashboard: live calls (CDR-03), registered phones (CAPA-37), system and plugin states and
 * the user count, all kept current over the WebSocket (no polling).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { formatBytes, formatDuration, formatNumber, t, type MessageKey } from "../i18n";
import type { EntityState, User } from "../types";
import { live } from "../ws";
import { devices, sourceText } from "./phones";
import "../components/live-calls";

const REGISTRATIONS_SHOWN = 6;

const WATCHED = new Set(["user.created", "user.deleted", "storage.external_change"]);

@customElement("cb-dashboard")
export class CbDashboard extends LightElement {
  @state() private states = new Map(live.states);
  @state() private synced = live.synced;
  @state() private userCount: number | null = null;
  @state() private userError = "";
  private readonly onStates = () => {
    this.states = new Map(live.states);
    this.synced = live.synced;
  };
  private readonly onEvent = (e: Event) => {
    const { eventType } = (e as CustomEvent<{ eventType: string }>).detail;
    if (WATCHED.has(eventType)) void this.countUsers();
  };
  private readonly onResync = () => void this.countUsers();

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("states", this.onStates);
    live.addEventListener("bus-event", this.onEvent);
    live.addEventListener("resync", this.onResync);
    void this.countUsers();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("states", this.onStates);
    live.removeEventListener("bus-event", this.onEvent);
    live.removeEventListener("resync", this.onResync);
  }

  private async countUsers(): Promise<void> {
    try {
      this.userCount = (await api.get<User[]>("/api/users")).length;
      this.userError = "";
    } catch (err) {
      this.userError = errorText(err);
    }
  }

  private systemCard(): TemplateResult {
    const get = (id: string): EntityState | undefined => this.states.get(`system_info.${id}`);
    const version = get("version");
    const uptime = get("uptime");
    const disk = get("disk");
    const memory = get("memory");
    let body: TemplateResult;
    if (!this.synced) body = loadingView();
    else if (!version) body = html`<p class="muted">${t("dashboard.noSystemInfo")}</p>`;
    else {
      const da = disk?.attributes ?? {};
      const ma = memory?.attributes ?? {};
      const memFree = Number(memory?.state);
      body = html`<dl class="facts">
        <div><dt>${t("dashboard.version")}</dt><dd data-testid="version">${version.state}</dd></div>
        <div><dt>${t("dashboard.uptime")}</dt><dd data-testid="uptime">${formatDuration(uptimeNow(uptime))}</dd></div>
        ${disk
          ? html`<div>
              <dt>${t("dashboard.disk")}</dt>
              <dd>
                ${disk.state === "low" ? html`<span class="badge warn">${t("dashboard.diskLow")}</span> ` : nothing}
                ${t("dashboard.diskFree", {
                  free: formatBytes(da["free"] as number),
                  total: formatBytes(da["total"] as number),
                  percent: formatNumber(Number(da["used_percent"] ?? 0), 1),
                })}
                <meter min="0" max="100" low="70" high=${Number(da["warning_percent"] ?? 90)} optimum="0"
                  value=${Number(da["used_percent"] ?? 0)} aria-label=${t("dashboard.disk")}></meter>
              </dd>
            </div>`
          : nothing}
        ${memory
          ? html`<div>
              <dt>${t("dashboard.memory")}</dt>
              <dd>${t("dashboard.memoryFree", {
                free: Number.isFinite(memFree) ? formatBytes(memFree) : t("common.unknown"),
                total: formatBytes(ma["total"] as number | null),
              })}</dd>
            </div>
            <div><dt>${t("dashboard.load")}</dt><dd>${ma["load_1m"] === null || ma["load_1m"] === undefined ? t("common.unknown") : formatNumber(Number(ma["load_1m"]), 2)}</dd></div>`
          : nothing}
      </dl>`;
    }
    return html`<section class="card" aria-labelledby="dash-system"><h2 id="dash-system">${t("dashboard.system")}</h2>${body}</section>`;
  }

  private pluginsCard(): TemplateResult {
    const plugins = [...this.states.values()].filter((s) => s.entity_id.startsWith("plugin.")).sort((a, b) => a.entity_id.localeCompare(b.entity_id));
    let body: TemplateResult;
    if (!this.synced) body = loadingView();
    else if (!plugins.length) body = html`<p class="muted">${t("dashboard.noPlugins")}</p>`;
    else
      body = html`<ul class="plain-list">
        ${plugins.map((p) => {
          const domain = p.entity_id.slice("plugin.".length);
          return html`<li class="row-between">
            <a href="/plugins/${domain}">${String(p.attributes["name"] ?? domain)}</a>
            ${stateBadge(p.state)}
          </li>`;
        })}
      </ul>`;
    return html`<section class="card" aria-labelledby="dash-plugins"><h2 id="dash-plugins">${t("dashboard.plugins")}</h2>${body}</section>`;
  }

  private usersCard(): TemplateResult {
    let body: TemplateResult;
    if (this.userError) body = errorView(this.userError, () => void this.countUsers());
    else if (this.userCount === null) body = loadingView();
    else body = html`<p class="big-number" data-testid="user-count">${formatNumber(this.userCount)}</p>`;
    return html`<section class="card" aria-labelledby="dash-users">
      <h2 id="dash-users">${t("dashboard.users")}</h2>
      ${body}
      <p><a href="/users">${t("dashboard.manageUsers")}</a></p>
    </section>`;
  }

  private callsCard(): TemplateResult {
    return html`<section class="card wide" aria-labelledby="dash-calls">
      <div class="row-between">
        <h2 id="dash-calls">${t("dashboard.activeCalls")}</h2>
        <a href="/calls">${t("dashboard.callHistory")}</a>
      </div>
      ${this.synced ? html`<cb-live-calls></cb-live-calls>` : loadingView()}
    </section>`;
  }

  private registrationsCard(): TemplateResult {
    const list = devices(this.states);
    let body: TemplateResult;
    if (!this.synced) body = loadingView();
    else
      body = html`<p class="big-number" data-testid="registration-count">${formatNumber(list.length)}</p>
        ${list.length
          ? html`<ul class="plain-list" data-testid="registrations">
              ${list.slice(0, REGISTRATIONS_SHOWN).map((d) => {
                const a = d.attributes;
                return html`<li class="row-between" data-testid="registration">
                  <span><strong>${String(a["extension"] || a["username"] || "")}</strong> ${String(a["username"] ?? "")}</span>
                  <span class="muted small">${String(a["user_agent"] || sourceText(a["source"]))}</span>
                </li>`;
              })}
              ${list.length > REGISTRATIONS_SHOWN
                ? html`<li class="muted">${t("dashboard.moreRegistrations", { count: list.length - REGISTRATIONS_SHOWN })}</li>`
                : nothing}
            </ul>`
          : html`<p class="muted">${t("dashboard.noRegistrations")}</p>`}`;
    return html`<section class="card" aria-labelledby="dash-registrations">
      <h2 id="dash-registrations">${t("dashboard.registrations")}</h2>
      ${body}
      <p><a href="/phones/registrations">${t("dashboard.allPhones")}</a></p>
    </section>`;
  }

  protected override render(): TemplateResult {
    return html`<section class="page">
      ${pageHeading(t("dashboard.title"))}
      <div class="cards">
        ${this.callsCard()} ${this.registrationsCard()} ${this.usersCard()} ${this.systemCard()} ${this.pluginsCard()}
      </div>
    </section>`;
  }
}

export function stateBadge(status: string): TemplateResult {
  const key = `plugins.state.${status}` as MessageKey;
  const known = ["loaded", "disabled", "config_error", "setup_error", "not_ready", "not_loaded"].includes(status);
  const kind = status === "loaded" ? "ok" : status === "disabled" || status === "not_loaded" ? "off" : status === "not_ready" ? "warn" : "bad";
  return html`<span class="badge ${kind}">${known ? t(key) : status}</span>`;
}

/** The uptime measured at the last update plus the time since (the plugin measures every 30 s). */
function uptimeNow(state: EntityState | undefined): number {
  if (!state) return 0;
  const measured = Number(state.state);
  const since = Date.now() / 1000 - Number(state.last_updated || 0);
  return Number.isFinite(measured) ? measured + Math.max(0, Math.min(since, 3600)) : 0;
}
