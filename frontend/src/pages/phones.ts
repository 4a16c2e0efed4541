/** Admin: the registered phones from the live `device.<id>` states (CAPA-37, PROV-14), kept current over the WebSocket. */
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { LightElement, loadingView, pageHeading } from "../base";
import { Ticker, formatClock, formatDateTime, isDevice, since } from "../calls";
import { formatDuration, t } from "../i18n";
import type { EntityState } from "../types";
import { live } from "../ws";

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

@customElement("cb-phones")
export class CbPhones extends LightElement {
  @state() private devices: EntityState[] = devices(live.states);
  @state() private synced = live.synced;
  @state() private search = "";
  private readonly ticker = new Ticker(() => this.requestUpdate());
  private readonly onStates = () => {
    this.devices = devices(live.states);
    this.synced = live.synced;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("states", this.onStates);
    this.ticker.update(true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("states", this.onStates);
    this.ticker.stop();
  }

  private shown(): EntityState[] {
    const words = this.search.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return this.devices;
    return this.devices.filter((d) => {
      const a = d.attributes;
      const haystack = [a["username"], a["extension"], a["user_agent"], a["source"], a["contact"]].map((v) => String(v ?? "")).join(" ").toLowerCase();
      return words.every((w) => haystack.includes(w));
    });
  }

  private row(d: EntityState): TemplateResult {
    const a = d.attributes;
    const expiresAt = Number(a["expires_at"]);
    const left = expiresAt - Date.now() / 1000;
    return html`<tr data-testid="device" data-device=${d.entity_id}>
      <td data-label=${t("phones.user")}>
        ${a["user_id"] !== undefined && a["user_id"] !== null ? html`<a href="/users/${String(a["user_id"])}">${String(a["username"] ?? "")}</a>` : String(a["username"] ?? "—")}
      </td>
      <td data-label=${t("phones.extension")}>${String(a["extension"] || "—")}</td>
      <td data-label=${t("phones.userAgent")} class="wrap">${String(a["user_agent"] || "—")}</td>
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
                <caption class="sr-only">${t("phones.title")}</caption>
                <thead>
                  <tr>
                    <th scope="col">${t("phones.user")}</th>
                    <th scope="col">${t("phones.extension")}</th>
                    <th scope="col">${t("phones.userAgent")}</th>
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
    return html`<section class="page">
      ${pageHeading(t("phones.title"))}
      <p class="muted">${t("phones.intro")}</p>
      ${body}
    </section>`;
  }
}
