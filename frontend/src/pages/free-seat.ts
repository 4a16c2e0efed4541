/**
 * Free seating and open extensions on the Phones page (PROV-06/09/12, CAPA-04), and the user's own
 * hot-desk seat on My profile (CAPU-20):
 * - <cb-free-seat>: in a phone's edit panel, the free-seating switch and who is logged in, with a
 *   log-out button; fires `device-changed` with the phone as the API returns it.
 * - <cb-open-extension>: open a user's extension for the next new phone, for some minutes.
 * - <cb-my-seat>: the phone the user is logged in on, and logging out of it.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText } from "../base";
import { formatClock, formatDateTime } from "../calls";
import { formatMac, vendorName, type Device, type DeviceUser } from "../devices";
import { checkboxField, formError, selectField, sendForm, textField } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";
import type { User } from "../types";
import { fullName } from "./users";

export const OPEN_MINUTES_MAX = 240;

/** The minutes of an open window as typed: a whole number 1-240, else null. */
export function openMinutes(text: string): number | null {
  const value = Number(text.trim());
  return /^\d+$/.test(text.trim()) && value >= 1 && value <= OPEN_MINUTES_MAX ? value : null;
}

/** <cb-free-seat .device=${d}>: the free-seating switch of one phone. */
@customElement("cb-free-seat")
export class CbFreeSeat extends LightElement {
  @property({ attribute: false }) device: Device | null = null;
  @state() private busy = false;
  @state() private error = "";
  /** The switch as clicked while the change is on its way. */
  @state() private wanted: boolean | null = null;

  private changed(device: Device): void {
    this.dispatchEvent(new CustomEvent<Device>("device-changed", { detail: device, bubbles: true }));
  }

  private async toggle(on: boolean): Promise<void> {
    const device = this.device;
    if (!device) return;
    this.busy = true;
    this.wanted = on;
    this.error = "";
    try {
      const saved = await api.put<Device>(`/api/devices/${device.mac}/free-seat`, { enabled: on });
      toast(t(on ? "hotDesk.freeSeatOn" : "hotDesk.freeSeatOff", { mac: formatMac(saved.mac) }));
      this.changed(saved);
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
      this.wanted = null;
    }
  }

  private async logout(device: Device, user: DeviceUser): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      const saved = await api.delete<Device>(`/api/devices/${device.mac}/seat`);
      toast(t("hotDesk.loggedOut", { name: user.name || user.username, mac: formatMac(device.mac) }));
      if (saved) this.changed(saved);
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  protected override render(): TemplateResult {
    const device = this.device;
    if (!device) return html``;
    const user = device.user;
    return html`<div data-testid="free-seat">
      ${formError(this.error, "free-seat-error")}
      ${checkboxField({
        id: "device-free-seat",
        label: t("hotDesk.freeSeat"),
        checked: this.wanted ?? Boolean(device.free_seat),
        disabled: this.busy,
        hint: t("hotDesk.freeSeatHint"),
        onChange: (on) => void this.toggle(on),
      })}
      ${device.free_seat
        ? user
          ? html`<p data-testid="seated-user">
              ${t("hotDesk.seatedUser", { name: user.name || user.username })}
              <span class="muted small">${t("hotDesk.seatedSince", { time: formatDateTime(device.seated_at) })}</span>
              <button type="button" class="secondary small" ?disabled=${this.busy} @click=${() => void this.logout(device, user)}>
                ${t("hotDesk.logoutUser")}
              </button>
            </p>`
          : html`<p class="muted" data-testid="seated-user">${t("hotDesk.nobodySeated")}</p>`
        : nothing}
    </div>`;
  }
}

interface OpenWindow {
  user_id: number;
  until: number;
  seconds_left: number;
  user: DeviceUser;
}

/** <cb-open-extension .users=${users}>: PROV-12's window, opened and closed here. */
@customElement("cb-open-extension")
export class CbOpenExtension extends LightElement {
  @property({ attribute: false }) users: User[] = [];
  @state() private window: OpenWindow | null = null;
  @state() private userId = "";
  @state() private minutes = "15";
  @state() errors: Record<string, string | null | undefined> = {};
  @state() error = "";
  @state() busy = false;
  private timer: number | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    this.timer = window.setInterval(() => this.requestUpdate(), 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.timer);
  }

  private async load(): Promise<void> {
    try {
      this.window = (await api.get<{ window: OpenWindow | null }>("/api/provisioning/open-extension")).window;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async open(e: Event): Promise<void> {
    e.preventDefault();
    const minutes = openMinutes(this.minutes);
    this.errors = { user_id: this.userId ? null : t("openExt.chooseUser"), minutes: minutes === null ? t("openExt.minutesRange") : null };
    if (!this.userId || minutes === null) return;
    await sendForm(this, async () => {
      const answer = await api.post<{ window: OpenWindow | null }>("/api/provisioning/open-extension", {
        user_id: Number(this.userId),
        minutes,
      });
      this.window = answer.window;
    });
  }

  private async close(): Promise<void> {
    this.busy = true;
    try {
      await api.delete("/api/provisioning/open-extension");
      this.window = null;
      toast(t("openExt.closed"));
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  private status(): TemplateResult {
    const open = this.window;
    const left = open ? open.until - Date.now() / 1000 : 0;
    if (!open || left <= 0) return html`<p class="muted" role="status" data-testid="open-extension-status">${t("openExt.none")}</p>`;
    return html`<div class="notice" role="status" data-testid="open-extension-status">
      ${t("openExt.opened", { name: open.user.name || open.user.username, extension: open.user.extension ?? "—", time: formatClock(left) })}
      <button type="button" class="secondary small" ?disabled=${this.busy} @click=${() => void this.close()}>${t("openExt.close")}</button>
    </div>`;
  }

  protected override render(): TemplateResult {
    const options: Array<[string, string]> = [
      ["", "—"],
      ...this.users.filter((u) => !u.locked).map((u): [string, string] => [String(u.id), `${u.extension ? `${u.extension} – ` : ""}${fullName(u)} (${u.username})`]),
    ];
    return html`<form class="card" novalidate @submit=${this.open} aria-labelledby="open-extension-title" data-testid="open-extension">
      <h2 id="open-extension-title">${t("openExt.title")}</h2>
      <p class="muted">${t("openExt.intro")}</p>
      ${formError(this.error, "open-extension-error")} ${this.status()}
      <div class="grid two">
        ${selectField({ id: "open-extension-user", label: t("openExt.user"), value: this.userId, options, required: true, error: this.errors["user_id"], onInput: (v) => (this.userId = v) })}
        ${textField({ id: "open-extension-minutes", label: t("openExt.minutes"), value: this.minutes, inputmode: "numeric", required: true, hint: t("openExt.minutesHint"), error: this.errors["minutes"], onInput: (v) => (this.minutes = v) })}
      </div>
      <div class="actions"><button type="submit" ?disabled=${this.busy}>${t("openExt.open")}</button></div>
    </form>`;
  }
}

interface MySeat {
  seat: { mac: string; vendor: string; model: string; description: string; since: number | null } | null;
  enabled: boolean;
}

/** <cb-my-seat>: the user portal's hot-desk seat (CAPU-20, PROV-09). */
@customElement("cb-my-seat")
export class CbMySeat extends LightElement {
  @state() private mine: MySeat | null = null;
  @state() private error = "";
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.mine = await api.get<MySeat>("/api/me/seat");
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async logout(): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      await api.delete("/api/me/seat");
      toast(t("hotDesk.myLoggedOut"));
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
      await this.load();
    }
  }

  protected override render(): TemplateResult {
    const mine = this.mine;
    if (!mine || (!mine.enabled && !mine.seat)) return html``;
    const seat = mine.seat;
    const phone = seat ? [seat.description, [vendorName(seat.vendor), seat.model].filter(Boolean).join(" "), formatMac(seat.mac)].filter(Boolean).join(" · ") : "";
    return html`<section class="card" aria-labelledby="my-seat-title" data-testid="my-seat">
      <h2 id="my-seat-title">${t("hotDesk.mySeatTitle")}</h2>
      ${formError(this.error, "my-seat-error")}
      ${seat
        ? html`<p data-testid="my-seat-phone">${t("hotDesk.mySeat", { phone })} <span class="muted">${t("hotDesk.mySeatSince", { time: formatDateTime(seat.since) })}</span></p>
            <div class="actions start"><button type="button" ?disabled=${this.busy} @click=${() => void this.logout()}>${t("hotDesk.myLogout")}</button></div>`
        : html`<p class="muted" data-testid="my-seat-phone">${t("hotDesk.myNoSeat")}</p>`}
    </section>`;
  }
}
