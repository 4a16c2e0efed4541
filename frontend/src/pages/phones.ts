/**
 * Admin: the Phones page (PROV-05/06/14, CAPA-37) in three tabs: the phone list (desk phones by MAC,
 * provisioned by Cordboard), the registrations (every phone and softphone registered right now, from
 * the live `device.<id>` states, whether listed or not), and the provisioning settings.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, loadingView, pageHeading } from "../base";
import { Ticker, formatClock, formatDateTime, isDevice, since } from "../calls";
import { formatMac, registrationIsOf, type Device } from "../devices";
import { formatDuration, t, type MessageKey } from "../i18n";
import type { EntityState } from "../types";
import { live, type StateChange } from "../ws";
import "./phone-list";
import "./provisioning";

export type PhonesTab = "list" | "registrations" | "provisioning";

const TABS: Array<[PhonesTab, string, MessageKey]> = [
  ["list", "/phones", "phones.tabList"],
  ["registrations", "/phones/registrations", "phones.tabRegistrations"],
  ["provisioning", "/phones/provisioning", "phones.tabProvisioning"],
];

/** The registered devices, by extension then user agent. */
export function devices(states: Map<string, EntityState>): EntityState[] {
  const key = (d: EntityState) => `${String(d.attributes["extension"] ?? "")} ${String(d.attributes["username"] ?? "")}`;
  return [...states.values()]
    .filter(isDevice)
    .sort((a, b) => key(a).localeCompare(key(b)) || String(a.attributes["user_agent"]).localeCompare(String(b.attributes["user_agent"])));
}

/** "udp 192.168.1.31:5060" from the state's "udp:192.168.1.31:5060". */
export function sourceText(source: unknown): string {
  const text = String(source ?? "");
  const colon = text.indexOf(":");
  return colon > 0 ? `${text.slice(0, colon).toUpperCase()} ${text.slice(colon + 1)}` : text || "—";
}

/** <cb-phones>: the page heading and its tabs (links: each tab has its own address). */
@customElement("cb-phones")
export class CbPhones extends LightElement {
  @property() tab: PhonesTab = "list";

  protected override render(): TemplateResult {
    const body =
      this.tab === "registrations"
        ? html`<cb-phone-registrations></cb-phone-registrations>`
        : this.tab === "provisioning"
          ? html`<cb-provisioning></cb-provisioning>`
          : html`<cb-phone-list></cb-phone-list>`;
    return html`<section class="page">
      ${pageHeading(t("phones.title"))}
      <nav class="segmented" aria-label=${t("phones.tabs")} data-testid="phone-tabs">
        ${TABS.map(
          ([id, href, key]) =>
            html`<a href=${href} class=${this.tab === id ? "on" : ""} aria-current=${this.tab === id ? "page" : nothing}
              style="padding: 0.45rem 0.9rem; text-decoration: none; font-weight: 500; ${this.tab === id ? "background: var(--primary-soft);" : ""}"
              >${t(key)}</a
            >`,
        )}
      </nav>
      ${body}
    </section>`;
  }
}

/** <cb-phone-registrations>: the registrations right now (CAPA-37, PROV-14), kept current over the WebSocket. */
@customElement("cb-phone-registrations")
export class CbPhoneRegistrations extends LightElement {
  @state() private devices: EntityState[] = devices(live.states);
  @state() private synced = live.synced;
  @state() private search = "";
  /** The phone list, to name a registration's MAC (empty when it cannot be loaded). */
  @state() private listed: Device[] = [];
  private readonly ticker = new Ticker(() => this.requestUpdate());
  private reloadTimer: number | undefined;
  private readonly onStates = () => {
    this.devices = devices(live.states);
    this.synced = live.synced;
  };
  private readonly onChange = (e: Event) => {
    const { entityId } = (e as CustomEvent<StateChange>).detail;
    if (entityId.startsWith("phone.")) this.scheduleLoad();
  };
  private readonly onResync = () => this.scheduleLoad();

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("states", this.onStates);
    live.addEventListener("state-changed", this.onChange);
    live.addEventListener("resync", this.onResync);
    this.ticker.update(true);
    void this.loadListed();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("states", this.onStates);
    live.removeEventListener("state-changed", this.onChange);
    live.removeEventListener("resync", this.onResync);
    window.clearTimeout(this.reloadTimer);
    this.ticker.stop();
  }

  private scheduleLoad(): void {
    window.clearTimeout(this.reloadTimer);
    this.reloadTimer = window.setTimeout(() => void this.loadListed(), 250);
  }

  private async loadListed(): Promise<void> {
    try {
      this.listed = await api.get<Device[]>("/api/devices");
    } catch {
      this.listed = []; // the MAC column stays empty; the registrations are still shown
    }
  }

  private macOf(d: EntityState): string {
    return this.listed.find((device) => device.registration.entity_id === d.entity_id || registrationIsOf(d, device))?.mac ?? "";
  }

  private shown(): EntityState[] {
    const words = this.search.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return this.devices;
    return this.devices.filter((d) => {
      const a = d.attributes;
      const mac = this.macOf(d);
      const haystack = [a["username"], a["extension"], a["user_agent"], a["source"], a["contact"], mac, mac && formatMac(mac)]
        .map((v) => String(v ?? ""))
        .join(" ")
        .toLowerCase();
      return words.every((w) => haystack.includes(w));
    });
  }

  private row(d: EntityState): TemplateResult {
    const a = d.attributes;
    const expiresAt = Number(a["expires_at"]);
    const left = expiresAt - Date.now() / 1000;
    const mac = this.macOf(d);
    return html`<tr data-testid="device" data-device=${d.entity_id}>
      <td data-label=${t("phones.user")}>
        ${Number(a["user_id"]) > 0 ? html`<a href="/users/${String(a["user_id"])}">${String(a["username"] ?? "")}</a>` : String(a["username"] ?? "—")}
      </td>
      <td data-label=${t("phones.extension")}>${String(a["extension"] || "—")}</td>
      <td data-label=${t("phones.userAgent")} class="wrap">
        ${String(a["user_agent"] || "—")}
        ${a["kind"] === "analogue" || a["kind"] === "desk"
          ? html`<br /><span class="badge" data-testid="device-kind">${t("phones.thirdParty", { kind: t(a["kind"] === "analogue" ? "thirdParty.kind.analogue" : "thirdParty.kind.desk") })}</span>`
          : nothing}
      </td>
      <td data-label=${t("phones.mac")} data-testid="device-mac">
        ${mac ? html`<code>${formatMac(mac)}</code>` : html`<span class="muted">${t("phones.notListed")}</span>`}
      </td>
      <td data-label=${t("phones.source")}><code>${sourceText(a["source"])}</code></td>
      <td data-label=${t("phones.contact")} class="wrap"><code>${String(a["contact"] ?? "")}</code></td>
      <td data-label=${t("phones.since")} title=${formatDateTime(d.last_changed)}>${formatDuration(since(d.last_changed))}</td>
      <td data-label=${t("phones.expires")} title=${formatDateTime(expiresAt)} data-testid="device-expires">
        ${left > 0 ? t("phones.expiresIn", { time: formatClock(left) }) : t("phones.expired")}
      </td>
    </tr>`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (!this.synced) body = loadingView();
    else {
      const shown = this.shown();
      body = html`<div class="filters">
          <div class="field grow">
            <label for="phone-search">${t("phones.search")}</label>
            <input id="phone-search" type="search" .value=${this.search} aria-describedby="phone-search-hint"
              @input=${(e: Event) => (this.search = (e.target as HTMLInputElement).value)} />
            <div class="hint" id="phone-search-hint">${t("phones.searchHint")}</div>
          </div>
        </div>
        <p class="muted" role="status" aria-live="polite" data-testid="device-count">${t("phones.count", { count: this.devices.length })}</p>
        ${shown.length
          ? html`<div class="table-wrap">
              <table class="data responsive" data-testid="devices">
                <caption class="sr-only">${t("phones.tabRegistrations")}</caption>
                <thead>
                  <tr>
                    <th scope="col">${t("phones.user")}</th>
                    <th scope="col">${t("phones.extension")}</th>
                    <th scope="col">${t("phones.userAgent")}</th>
                    <th scope="col">${t("phones.mac")}</th>
                    <th scope="col">${t("phones.source")}</th>
                    <th scope="col">${t("phones.contact")}</th>
                    <th scope="col">${t("phones.since")}</th>
                    <th scope="col">${t("phones.expires")}</th>
                  </tr>
                </thead>
                <tbody>
                  ${shown.map((d) => this.row(d))}
                </tbody>
              </table>
            </div>`
          : html`<p class="empty">${this.devices.length ? t("phones.noMatch") : t("phones.empty")}</p>`}`;
    }
    return html`<p class="muted">${t("phones.intro")}</p>${body}`;
  }
}
