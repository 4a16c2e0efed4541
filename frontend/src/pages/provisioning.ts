/**
 * <cb-provisioning>: where phones fetch their configuration (BYD-07/08, PROV-03/04): the secret
 * provisioning URL per vendor with a copy button and the DHCP option 66 hint, renewing the ticket
 * (every old URL is refused from then on), the same URL over HTTPS (BYD-08), and the settings:
 * auto-add of unknown phones, SIP plug-and-play and the URL it sends, the phones' time server and
 * their web admin password; below them the firmware URLs per phone model (<cb-firmware-urls>).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import {
  AUTO_ADD,
  NTP_SERVER,
  PHONE_ADMIN_PASSWORD,
  PNP,
  SWITCH_CHOICES,
  copyText,
  vendorName,
  type Provisioning,
} from "../devices";
import { confirmDialog } from "../dialog";
import { checkboxField, focusFirstError, formError, selectField, textField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { toast } from "../session";
import { live } from "../ws";
import "./firmware-urls";

type Errors = Record<string, string | null | undefined>;

/** Which URL plug-and-play sends: "http" (default) or "https" (self-signed certificate). */
const PROVISIONING_SCHEME = "core.provisioning_scheme";

const SWITCH_LABELS: Record<(typeof SWITCH_CHOICES)[number], MessageKey> = {
  private_network: "provisioning.switch.private_network",
  on: "provisioning.switch.on",
  off: "provisioning.switch.off",
};

interface SettingsForm {
  autoAdd: string;
  pnp: string;
  ntp: string;
  scheme: string;
  adminPassword: string;
  clearAdminPassword: boolean;
}

/** A row header that reads like the cells (the table style makes column headers small capitals). */
const ROW_HEADER = "text-transform: none; letter-spacing: normal; font-size: inherit; color: inherit; background: transparent";

/** The option 66 value a vendor's phones understand: the URL; Snom phones need the file name too. */
export function dhcpValue(vendor: string, url: string): string {
  return vendor === "snom" ? `${url}{mac}.xml` : url;
}

@customElement("cb-provisioning")
export class CbProvisioning extends LightElement {
  @state() private data: Provisioning | null = null;
  @state() private loadError = "";
  @state() private form: SettingsForm = { autoAdd: "private_network", pnp: "private_network", ntp: "", scheme: "http", adminPassword: "", clearAdminPassword: false };
  @state() private errors: Errors = {};
  @state() private formMessage = "";
  @state() private busy = false;
  @state() private renewing = false;
  /** The vendor whose URL was just copied (or failed to copy): the button's status. */
  @state() private copied: { vendor: string; ok: boolean } | null = null;
  private readonly onResync = () => void this.load();

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("resync", this.onResync);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("resync", this.onResync);
  }

  private async load(): Promise<void> {
    try {
      const data = await api.get<Provisioning>("/api/provisioning");
      this.data = data;
      this.form = {
        autoAdd: String(data.settings[AUTO_ADD] ?? "private_network"),
        pnp: String(data.settings[PNP] ?? "private_network"),
        ntp: String(data.settings[NTP_SERVER] ?? ""),
        scheme: String(data.settings[PROVISIONING_SCHEME] ?? "http"),
        adminPassword: "",
        clearAdminPassword: false,
      };
      this.loadError = "";
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async copy(vendor: string, url: string): Promise<void> {
    this.copied = { vendor, ok: await copyText(url) };
  }

  private async renew(): Promise<void> {
    if (!(await confirmDialog(t("provisioning.confirmRenew"), t("provisioning.renew")))) return;
    this.renewing = true;
    try {
      await api.post<{ url: string }>("/api/provisioning/renew-ticket", {});
      this.copied = null;
      await this.load();
      toast(t("provisioning.renewed"));
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.renewing = false;
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const data = this.data;
    if (!data) return;
    const form = this.querySelector("#provisioning-settings") ?? this;
    const f = this.form;
    const password = f.adminPassword;
    this.errors = {
      [NTP_SERVER]: f.ntp.trim() ? null : t("validation.required"),
      [PHONE_ADMIN_PASSWORD]:
        password && (password.length < 8 || password.length > 64 || /\s/.test(password)) ? t("provisioning.adminPasswordRule") : null,
    };
    this.formMessage = "";
    if (Object.values(this.errors).some(Boolean)) {
      this.formMessage = t("common.formInvalid");
      focusFirstError(form);
      return;
    }
    const changes: Record<string, unknown> = {};
    if (f.autoAdd !== String(data.settings[AUTO_ADD])) changes[AUTO_ADD] = f.autoAdd;
    if (f.pnp !== String(data.settings[PNP])) changes[PNP] = f.pnp;
    if (f.ntp.trim() !== String(data.settings[NTP_SERVER])) changes[NTP_SERVER] = f.ntp.trim();
    if (f.scheme !== String(data.settings[PROVISIONING_SCHEME])) changes[PROVISIONING_SCHEME] = f.scheme;
    if (password) changes[PHONE_ADMIN_PASSWORD] = password;
    else if (f.clearAdminPassword) changes[PHONE_ADMIN_PASSWORD] = null;
    if (!Object.keys(changes).length) {
      toast(t("provisioning.nothingChanged"), "info");
      return;
    }
    this.busy = true;
    try {
      await api.put("/api/settings/org", changes);
      toast(t("provisioning.saved"));
      await this.load();
    } catch (err) {
      const fields = fieldErrors(err);
      this.errors = {
        [AUTO_ADD]: fields[AUTO_ADD],
        [PNP]: fields[PNP],
        [NTP_SERVER]: fields[NTP_SERVER],
        [PROVISIONING_SCHEME]: fields[PROVISIONING_SCHEME],
        [PHONE_ADMIN_PASSWORD]: fields[PHONE_ADMIN_PASSWORD],
      };
      this.formMessage = errorText(err);
      focusFirstError(form);
    } finally {
      this.busy = false;
    }
  }

  /** One URL and the vendors whose phones use it (today every vendor shares one); ``https``: the
   * same over HTTPS, for all vendors, with a hint on its certificate. */
  private urlRow(vendors: string[], url: string, https = false): TemplateResult {
    const key = https ? "https" : vendors.join("-") || "all";
    const id = `provisioning-url-${key}`;
    const names = https ? t("provisioning.httpsLabel") : vendors.length ? vendors.map(vendorName).join(", ") : t("provisioning.allVendors");
    const copied = this.copied?.vendor === key ? this.copied : null;
    return html`<div class="field" data-testid=${https ? "provisioning-https" : "provisioning-vendor"} data-vendors=${vendors.join(" ")}>
      <label for=${id}>${names}</label>
      ${https ? html`<div class="hint" id="${id}-hint">${t("provisioning.httpsHint")}</div>` : nothing}
      <div class="row-start" style="flex-wrap: nowrap">
        <input id=${id} type="text" readonly .value=${url} data-testid=${https ? "provisioning-https-url" : "provisioning-url"} style="font-family: ui-monospace, monospace"
          aria-describedby=${https ? `${id}-hint` : nothing}
          @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
        <button type="button" class="secondary small" @click=${() => void this.copy(key, url)}>
          ${t("provisioning.copy")}<span class="sr-only"> ${names}</span>
        </button>
      </div>
      <div class="hint" role="status" aria-live="polite">${copied ? (copied.ok ? t("provisioning.copied") : t("provisioning.copyFailed")) : ""}</div>
    </div>`;
  }

  /** DHCP option 66 per vendor (README "Installer notes"): the URL, for Snom with its file name;
   * over HTTPS when the admin chose HTTPS for plug-and-play (one scheme for every way in). */
  private dhcpTable(data: Provisioning): TemplateResult {
    const https = data.settings[PROVISIONING_SCHEME] === "https" ? data.https_url : null;
    const vendors = Object.entries(data.vendors)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([vendor, url]): [string, string] => [vendor, https ?? url]);
    return html`<div class="notice small" data-testid="dhcp-hint">
      <p><strong>${t("provisioning.dhcpTitle")}</strong> ${t("provisioning.dhcpHint")}${https ? html` ${t("provisioning.dhcpHttps")}` : nothing}</p>
      ${vendors.length
        ? html`<table class="data" style="background: transparent">
            <caption class="sr-only">${t("provisioning.dhcpTitle")}</caption>
            <thead>
              <tr>
                <th scope="col">${t("devices.vendor")}</th>
                <th scope="col">${t("provisioning.dhcpValue")}</th>
                <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              ${vendors.map(([vendor, url]) => {
                const value = dhcpValue(vendor, url);
                const key = `dhcp-${vendor}`;
                const copied = this.copied?.vendor === key ? this.copied : null;
                return html`<tr data-testid="dhcp-row" data-vendor=${vendor}>
                  <th scope="row" style=${ROW_HEADER}>${vendorName(vendor)}</th>
                  <td class="wrap"><code>${value}</code>${vendor === "poly" ? html`<div class="muted">${t("provisioning.dhcpPoly")}</div>` : nothing}</td>
                  <td>
                    <button type="button" class="secondary small" @click=${() => void this.copy(key, value)}>
                      ${t("provisioning.copy")}<span class="sr-only"> ${t("provisioning.dhcpFor", { vendor: vendorName(vendor) })}</span>
                    </button>
                    <span class="small" role="status">${copied ? (copied.ok ? t("provisioning.copied") : t("provisioning.copyFailed")) : ""}</span>
                  </td>
                </tr>`;
              })}
            </tbody>
          </table>`
        : nothing}
    </div>`;
  }

  private urlCard(data: Provisioning): TemplateResult {
    const byUrl = new Map<string, string[]>();
    for (const [vendor, url] of Object.entries(data.vendors).sort(([a], [b]) => a.localeCompare(b))) {
      byUrl.set(url, [...(byUrl.get(url) ?? []), vendor]);
    }
    return html`<section class="card" aria-labelledby="provisioning-url-title">
      <h2 id="provisioning-url-title">${t("provisioning.urlTitle")}</h2>
      <p class="muted">${t("provisioning.urlIntro")}</p>
      ${byUrl.size ? [...byUrl].map(([url, vendors]) => this.urlRow(vendors, url)) : this.urlRow([], data.url)}
      ${data.https_url ? this.urlRow([], data.https_url, true) : nothing}
      ${this.dhcpTable(data)}
      <p class="small" style="margin-top: 0.75rem" data-testid="pnp-status">
        ${data.pnp.listening
          ? t("provisioning.pnpListening", { address: data.pnp.address ?? "" })
          : t("provisioning.pnpNotListening")}
      </p>
      <h3 class="small">${t("provisioning.renewTitle")}</h3>
      <p class="hint">${t("provisioning.renewHint")}</p>
      <div class="actions start">
        <button type="button" class="danger" ?disabled=${this.renewing} @click=${() => void this.renew()}>${t("provisioning.renew")}</button>
      </div>
    </section>`;
  }

  private settingsCard(data: Provisioning): TemplateResult {
    const f = this.form;
    const set = (changes: Partial<SettingsForm>) => (this.form = { ...this.form, ...changes });
    const switchOptions = SWITCH_CHOICES.map((c): [string, string] => [c, t(SWITCH_LABELS[c])]);
    const passwordSet = Boolean(data.settings[`${PHONE_ADMIN_PASSWORD}_set`]);
    return html`<form id="provisioning-settings" class="card" novalidate @submit=${this.save} aria-labelledby="provisioning-settings-title">
      <h2 id="provisioning-settings-title">${t("provisioning.settingsTitle")}</h2>
      ${formError(this.formMessage, "provisioning-settings-error")}
      ${selectField({
        id: "provisioning-auto-add",
        label: t("provisioning.autoAdd"),
        value: f.autoAdd,
        options: switchOptions,
        hint: t("provisioning.autoAddHint"),
        error: this.errors[AUTO_ADD],
        onInput: (v) => set({ autoAdd: v }),
      })}
      ${selectField({
        id: "provisioning-pnp",
        label: t("provisioning.pnp"),
        value: f.pnp,
        options: switchOptions,
        hint: t("provisioning.pnpHint"),
        error: this.errors[PNP],
        onInput: (v) => set({ pnp: v }),
      })}
      ${textField({
        id: "provisioning-ntp",
        label: t("provisioning.ntp"),
        value: f.ntp,
        required: true,
        autocomplete: "off",
        hint: t("provisioning.ntpHint"),
        error: this.errors[NTP_SERVER],
        onInput: (v) => {
          set({ ntp: v });
          this.errors = { ...this.errors, [NTP_SERVER]: null };
        },
      })}
      ${selectField({
        id: "provisioning-scheme",
        label: t("provisioning.scheme"),
        value: f.scheme,
        options: [
          ["http", t("provisioning.scheme.http")],
          ["https", t("provisioning.scheme.https")],
        ],
        hint: t("provisioning.schemeHint"),
        error: this.errors[PROVISIONING_SCHEME],
        onInput: (v) => set({ scheme: v }),
      })}
      ${textField({
        id: "provisioning-admin-password",
        label: t("provisioning.adminPassword"),
        type: "password",
        value: f.adminPassword,
        autocomplete: "new-password",
        hint: passwordSet ? t("provisioning.adminPasswordSet") : t("provisioning.adminPasswordUnset"),
        error: this.errors[PHONE_ADMIN_PASSWORD],
        onInput: (v) => {
          set({ adminPassword: v });
          this.errors = { ...this.errors, [PHONE_ADMIN_PASSWORD]: null };
        },
      })}
      ${passwordSet
        ? checkboxField({
            id: "provisioning-admin-password-clear",
            label: t("provisioning.adminPasswordClear"),
            checked: f.clearAdminPassword,
            disabled: Boolean(f.adminPassword),
            onChange: (v) => set({ clearAdminPassword: v }),
          })
        : nothing}
      <div class="actions start">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button>
      </div>
    </form>`;
  }

  protected override render(): TemplateResult {
    const data = this.data;
    if (this.loadError && !data) return errorView(this.loadError, () => void this.load());
    if (!data) return loadingView();
    return html`<p class="muted">${t("provisioning.intro")}</p>
      <div class="columns">${this.urlCard(data)}${this.settingsCard(data)}</div>
      <cb-firmware-urls></cb-firmware-urls>`;
  }
}
