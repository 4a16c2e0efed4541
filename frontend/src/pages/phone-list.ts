/**
 * <cb-phone-list>: the desk phones Cordboard provisions (PROV-05/06/10/11/13, CAPA-03/07/32): MAC,
 * vendor and model, firmware, address, description, assigned user, state, registration (live over
 * the WebSocket) and the last provisioning fetch; adding by MAC, assigning a user, resync and reboot,
 * deleting the stored MAC, and CSV import with every bad line named.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { formatDateTime } from "../calls";
import {
  checkMac,
  deviceStateText,
  fetchResultText,
  formatMac,
  liveRegistration,
  normaliseMac,
  parseLastFetch,
  registrationIsOf,
  sourceText,
  vendorName,
  type Device,
  type Provisioning,
} from "../devices";
import { confirmDialog } from "../dialog";
import { focusFirstError, formError, selectField, textField } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";
import type { EntityState, User } from "../types";
import { live, type StateChange } from "../ws";
import { fullName } from "./users";
import "./free-seat";

type Errors = Record<string, string | null | undefined>;
type Note = { kind: "ok" | "bad" | "warn"; text: string };

const USER_EVENTS = new Set(["user.created", "user.updated", "user.deleted", "storage.external_change"]);
/** A phone fetched its configuration or asked by plug-and-play: its last fetch and details changed. */
const DEVICE_EVENTS = new Set(["device.provisioned", "device.discovered"]);
const MODEL_MAX = 64;
const DESCRIPTION_MAX = 200;

interface DeviceForm {
  mac: string;
  vendor: string;
  model: string;
  description: string;
  userId: string;
  userSearch: string;
}

const EMPTY_FORM: DeviceForm = { mac: "", vendor: "", model: "", description: "", userId: "", userSearch: "" };

function userLabel(user: Pick<User, "extension" | "username"> & { name: string }): string {
  return `${user.extension ? `${user.extension} – ` : ""}${user.name} (${user.username})`;
}

/** POST a CSV file as it is (text/csv); the answer or an ApiError with the per-line problems. */
async function postCsv(text: string): Promise<{ added: number; updated: number }> {
  let response: Response;
  try {
    response = await fetch("/api/devices/import", {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "text/csv" },
      body: text,
    });
  } catch {
    throw new ApiError(0, "network", "");
  }
  const data = (await response.json().catch(() => null)) as
    | { added: number; updated: number; error?: { code?: string; message?: string; fields?: Record<string, string> } }
    | null;
  if (!response.ok) {
    if (response.status === 401) void api.get("/api/auth/me").catch(() => undefined); // back to the log-in page
    const error = data?.error;
    throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? response.statusText, error?.fields ?? {});
  }
  return data ?? { added: 0, updated: 0 };
}

@customElement("cb-phone-list")
export class CbPhoneList extends LightElement {
  @state() private devices: Device[] | null = null;
  @state() private users: User[] = [];
  @state() private vendors: string[] = [];
  @state() private loadError = "";
  @state() private search = "";
  @state() private states = new Map(live.states);
  @state() private synced = live.synced;
  /** The add form (open or not), its values and errors. */
  @state() private adding = false;
  @state() private add: DeviceForm = { ...EMPTY_FORM };
  @state() private addErrors: Errors = {};
  @state() private addError = "";
  /** The phone being edited (its MAC), its values and errors, and the outcome of its last action. */
  @state() private editing: string | null = null;
  @state() private edit: DeviceForm = { ...EMPTY_FORM };
  @state() private editErrors: Errors = {};
  @state() private editError = "";
  @state() private editNote: Note | null = null;
  @state() private busy = false;
  /** A notice the API gave (a SIP password was generated for the assigned user). */
  @state() private notice = "";
  @state() private importing = false;
  /** The "open extension for provisioning" card (PROV-12) is shown. */
  @state() private opening = false;
  @state() private importErrors: Array<[string, string]> = [];
  @state() private importError = "";
  @state() private importNote = "";
  private reloadTimer: number | undefined;
  private readonly onStates = () => {
    this.states = new Map(live.states);
    this.synced = live.synced;
  };
  private readonly onChange = (e: Event) => {
    const { entityId, oldState, newState } = (e as CustomEvent<StateChange>).detail;
    // A listed phone changed (assigned, fetched its configuration, added by a request) or a
    // registration came or went: the list is asked again, once for a burst of changes.
    if (entityId.startsWith("phone.") || (entityId.startsWith("device.") && (!oldState || !newState))) this.scheduleLoad();
  };
  private readonly onEvent = (e: Event) => {
    const { eventType } = (e as CustomEvent<{ eventType: string }>).detail;
    if (USER_EVENTS.has(eventType)) this.scheduleLoad(true);
    else if (DEVICE_EVENTS.has(eventType)) this.scheduleLoad();
  };
  private readonly onResync = () => this.scheduleLoad(true);

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("states", this.onStates);
    live.addEventListener("state-changed", this.onChange);
    live.addEventListener("bus-event", this.onEvent);
    live.addEventListener("resync", this.onResync);
    void this.load(true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("states", this.onStates);
    live.removeEventListener("state-changed", this.onChange);
    live.removeEventListener("bus-event", this.onEvent);
    live.removeEventListener("resync", this.onResync);
    window.clearTimeout(this.reloadTimer);
  }

  private usersToo = false;

  private scheduleLoad(users = false): void {
    this.usersToo ||= users;
    window.clearTimeout(this.reloadTimer);
    this.reloadTimer = window.setTimeout(() => {
      const withUsers = this.usersToo;
      this.usersToo = false;
      void this.load(withUsers);
    }, 200);
  }

  private async load(everything: boolean): Promise<void> {
    try {
      if (everything) {
        const [devices, users, provisioning] = await Promise.all([
          api.get<Device[]>("/api/devices"),
          api.get<User[]>("/api/users"),
          api.get<Provisioning>("/api/provisioning"),
        ]);
        this.users = users.sort((a, b) => (a.extension ?? "~").localeCompare(b.extension ?? "~") || fullName(a).localeCompare(fullName(b)));
        this.vendors = Object.keys(provisioning.vendors).sort();
        this.devices = devices;
      } else {
        this.devices = await api.get<Device[]>("/api/devices");
      }
      this.loadError = "";
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  // -- search ---------------------------------------------------------------------------------

  private registration(device: Device): EntityState | null | undefined {
    return liveRegistration(device, this.states, this.synced);
  }

  private shown(devices: Device[]): Device[] {
    const words = this.search.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return devices;
    return devices.filter((d) => {
      const registered = this.registration(d) !== null;
      const haystack = [
        d.mac,
        formatMac(d.mac),
        d.vendor,
        vendorName(d.vendor),
        d.model,
        d.firmware,
        d.ip,
        d.description,
        d.user?.username,
        d.user?.name,
        d.user?.extension,
        deviceStateText(d.state),
        sourceText(d.source),
        registered ? t("devices.registered") : t("devices.notRegistered"),
      ]
        .filter(Boolean)
        .join(" ")
        .toLowerCase();
      return words.every((w) => haystack.includes(w));
    });
  }

  /** Registrations of phones that are not in the list (they show on the Registrations tab). */
  private unlisted(devices: Device[]): number {
    return [...this.states.values()].filter(
      (s) => s.entity_id.startsWith("device.") && !devices.some((d) => d.registration.entity_id === s.entity_id || registrationIsOf(s, d)),
    ).length;
  }

  // -- the user picker (a search box narrowing a select) ---------------------------------------

  private userPicker(prefix: string, form: DeviceForm, error: string | null | undefined, set: (changes: Partial<DeviceForm>) => void): TemplateResult {
    const words = form.userSearch.toLowerCase().split(/\s+/).filter(Boolean);
    const matches = this.users.filter((u) => {
      if (String(u.id) === form.userId) return true; // the chosen user stays choosable
      const haystack = [u.username, u.first_name, u.last_name, u.extension, u.email].filter(Boolean).join(" ").toLowerCase();
      return words.every((w) => haystack.includes(w));
    });
    const options: Array<[string, string]> = [
      ["", t("devices.noUser")],
      ...matches.map((u): [string, string] => [String(u.id), userLabel({ ...u, name: fullName(u) })]),
    ];
    return html`<div class="grid two">
      <div class="field">
        <label for="${prefix}-user-search">${t("devices.findUser")}</label>
        <input id="${prefix}-user-search" type="search" autocomplete="off" .value=${form.userSearch} aria-describedby="${prefix}-user-search-hint"
          @input=${(e: Event) => {
            const userSearch = (e.target as HTMLInputElement).value;
            // Narrowed to one user: choose them, so typing a name or extension is enough.
            const q = userSearch.toLowerCase().split(/\s+/).filter(Boolean);
            const only = this.users.filter((u) =>
              q.every((w) => [u.username, u.first_name, u.last_name, u.extension, u.email].filter(Boolean).join(" ").toLowerCase().includes(w)),
            );
            set(q.length && only.length === 1 ? { userSearch, userId: String(only[0]!.id) } : { userSearch });
          }} />
        <div class="hint" id="${prefix}-user-search-hint">${t("devices.findUserHint", { count: matches.length })}</div>
      </div>
      ${selectField({
        id: `${prefix}-user`,
        label: t("devices.user"),
        value: form.userId,
        options,
        error,
        hint: t("devices.userHint"),
        onInput: (v) => set({ userId: v }),
      })}
    </div>`;
  }

  // -- add ------------------------------------------------------------------------------------

  private openAdd(): void {
    this.adding = true;
    this.add = { ...EMPTY_FORM };
    this.addErrors = {};
    this.addError = "";
    void this.updateComplete.then(() => this.querySelector<HTMLInputElement>("#device-mac")?.focus());
  }

  private async submitAdd(e: Event): Promise<void> {
    e.preventDefault();
    const form = this.querySelector("#device-add-form") ?? this;
    const f = this.add;
    this.addErrors = {
      mac: checkMac(f.mac),
      model: f.model.trim().length > MODEL_MAX ? t("devices.tooLong", { max: MODEL_MAX }) : null,
      description: f.description.trim().length > DESCRIPTION_MAX ? t("devices.tooLong", { max: DESCRIPTION_MAX }) : null,
    };
    this.addError = "";
    if (Object.values(this.addErrors).some(Boolean)) {
      this.addError = t("common.formInvalid");
      focusFirstError(form);
      return;
    }
    const body: Record<string, unknown> = { mac: normaliseMac(f.mac), model: f.model.trim(), description: f.description.trim() };
    if (f.vendor) body["vendor"] = f.vendor;
    if (f.userId) body["user_id"] = Number(f.userId);
    this.busy = true;
    try {
      const added = await api.post<Device>("/api/devices", body);
      this.adding = false;
      this.notice = added.sip_password_generated ? t("devices.passwordGenerated", { name: added.user?.name ?? "" }) : "";
      toast(t("devices.added", { mac: formatMac(added.mac) }));
      await this.load(false);
    } catch (err) {
      const fields = fieldErrors(err);
      if (err instanceof ApiError && err.status === 409) fields["mac"] = t("devices.macTaken");
      this.addErrors = { mac: fields["mac"], model: fields["model"], description: fields["description"], user_id: fields["user_id"], vendor: fields["vendor"] };
      this.addError = errorText(err);
      focusFirstError(form);
    } finally {
      this.busy = false;
    }
  }

  private addForm(): TemplateResult {
    const f = this.add;
    const set = (changes: Partial<DeviceForm>) => (this.add = { ...this.add, ...changes });
    const vendorOptions: Array<[string, string]> = [["", t("devices.vendorAuto")], ...this.vendors.map((v): [string, string] => [v, vendorName(v)])];
    return html`<form id="device-add-form" class="card" novalidate @submit=${this.submitAdd} aria-labelledby="device-add-title">
      <h2 id="device-add-title">${t("devices.addTitle")}</h2>
      <p class="muted">${t("devices.addIntro")}</p>
      ${formError(this.addError, "device-add-error")}
      <div class="grid two">
        ${textField({
          id: "device-mac",
          label: t("devices.mac"),
          value: f.mac,
          required: true,
          autocomplete: "off",
          placeholder: "00:15:65:a1:b2:c3",
          hint: t("devices.macHint"),
          error: this.addErrors["mac"],
          onInput: (v) => {
            set({ mac: v });
            this.addErrors = { ...this.addErrors, mac: null };
          },
          onBlur: () => {
            if (this.add.mac.trim()) this.addErrors = { ...this.addErrors, mac: checkMac(this.add.mac) };
          },
        })}
        ${selectField({
          id: "device-vendor",
          label: t("devices.vendor"),
          value: f.vendor,
          options: vendorOptions,
          hint: t("devices.vendorHint"),
          error: this.addErrors["vendor"],
          onInput: (v) => set({ vendor: v }),
        })}
        ${textField({
          id: "device-model",
          label: t("devices.model"),
          value: f.model,
          autocomplete: "off",
          placeholder: "T46U",
          error: this.addErrors["model"],
          onInput: (v) => set({ model: v }),
        })}
        ${textField({
          id: "device-description",
          label: t("devices.description"),
          value: f.description,
          autocomplete: "off",
          hint: t("devices.descriptionHint"),
          error: this.addErrors["description"],
          onInput: (v) => set({ description: v }),
        })}
      </div>
      ${this.userPicker("device-add", f, this.addErrors["user_id"], set)}
      <div class="actions">
        <button type="button" class="secondary" @click=${() => (this.adding = false)}>${t("common.cancel")}</button>
        <button type="submit" ?disabled=${this.busy}>${t("devices.addSubmit")}</button>
      </div>
    </form>`;
  }

  // -- edit, resync, delete -------------------------------------------------------------------

  private openEdit(device: Device): void {
    this.editing = device.mac;
    this.edit = {
      ...EMPTY_FORM,
      mac: device.mac,
      model: device.model,
      description: device.description === device.ip ? "" : device.description,
      userId: device.user_id === null ? "" : String(device.user_id),
    };
    this.editErrors = {};
    this.editError = "";
    this.editNote = null;
    void this.updateComplete.then(() => {
      const title = this.querySelector<HTMLElement>("#device-edit-title");
      title?.scrollIntoView({ block: "nearest" });
      title?.focus();
    });
  }

  private closeEdit(): void {
    const mac = this.editing;
    this.editing = null;
    void this.updateComplete.then(() => this.querySelector<HTMLElement>(`[data-mac="${mac}"] button.edit`)?.focus());
  }

  private async submitEdit(e: Event): Promise<void> {
    e.preventDefault();
    const device = this.devices?.find((d) => d.mac === this.editing);
    if (!device) return;
    const form = this.querySelector("#device-edit-form") ?? this;
    const f = this.edit;
    this.editErrors = {
      model: f.model.trim().length > MODEL_MAX ? t("devices.tooLong", { max: MODEL_MAX }) : null,
      description: f.description.trim().length > DESCRIPTION_MAX ? t("devices.tooLong", { max: DESCRIPTION_MAX }) : null,
    };
    this.editError = "";
    this.editNote = null;
    if (Object.values(this.editErrors).some(Boolean)) {
      this.editError = t("common.formInvalid");
      focusFirstError(form);
      return;
    }
    const userId = f.userId ? Number(f.userId) : null;
    const changes: Record<string, unknown> = {};
    if (f.model.trim() !== device.model) changes["model"] = f.model.trim();
    const description = device.description === device.ip ? "" : device.description;
    if (f.description.trim() !== description) changes["description"] = f.description.trim();
    if (userId !== device.user_id) changes["user_id"] = userId;
    if (!Object.keys(changes).length) {
      this.closeEdit();
      return;
    }
    this.busy = true;
    try {
      const saved = await api.patch<Device>(`/api/devices/${device.mac}`, changes);
      this.notice = saved.sip_password_generated ? t("devices.passwordGenerated", { name: saved.user?.name ?? "" }) : "";
      toast(
        "user_id" in changes
          ? saved.user
            ? t("devices.assigned", { mac: formatMac(saved.mac), name: saved.user.name })
            : t("devices.unassigned", { mac: formatMac(saved.mac) })
          : t("devices.saved", { mac: formatMac(saved.mac) }),
      );
      this.devices = (this.devices ?? []).map((d) => (d.mac === saved.mac ? saved : d));
      this.closeEdit();
    } catch (err) {
      const fields = fieldErrors(err);
      this.editErrors = { model: fields["model"], description: fields["description"], user_id: fields["user_id"] };
      this.editError = errorText(err);
      if (err instanceof ApiError && err.status === 404) await this.load(false);
      focusFirstError(form);
    } finally {
      this.busy = false;
    }
  }

  /** Free seating changed or a seated user was logged out (<cb-free-seat>). */
  private deviceChanged(saved: Device): void {
    this.devices = (this.devices ?? []).map((d) => (d.mac === saved.mac ? saved : d));
    this.edit = { ...this.edit, userId: saved.user_id === null ? "" : String(saved.user_id) };
  }

  private async resync(device: Device, reboot: boolean): Promise<void> {
    if (reboot && !(await confirmDialog(t("devices.confirmReboot", { mac: formatMac(device.mac) }), t("devices.reboot"), false))) return;
    this.busy = true;
    this.editNote = null;
    try {
      const answer = await api.post<{ contacts: string[] }>(`/api/devices/${device.mac}/resync`, { reboot });
      const count = answer.contacts.length;
      this.editNote = { kind: "ok", text: t(reboot ? "devices.rebootSent" : "devices.resyncSent", { count }) };
    } catch (err) {
      const text = err instanceof ApiError && err.code === "not_registered" ? t("devices.notReachable") : errorText(err);
      this.editNote = { kind: "bad", text };
    } finally {
      this.busy = false;
    }
  }

  private async deleteDevice(device: Device): Promise<void> {
    const message = t(device.user ? "devices.confirmDeleteAssigned" : "devices.confirmDelete", {
      mac: formatMac(device.mac),
      name: device.user?.name ?? "",
    });
    if (!(await confirmDialog(message, t("devices.delete")))) return;
    this.busy = true;
    try {
      await api.delete(`/api/devices/${device.mac}`);
      toast(t("devices.deleted", { mac: formatMac(device.mac) }));
      this.editing = null;
      this.devices = (this.devices ?? []).filter((d) => d.mac !== device.mac);
    } catch (err) {
      this.editNote = { kind: "bad", text: errorText(err) };
      if (err instanceof ApiError && err.status === 404) await this.load(false);
    } finally {
      this.busy = false;
    }
  }

  private editForm(device: Device): TemplateResult {
    const f = this.edit;
    const set = (changes: Partial<DeviceForm>) => (this.edit = { ...this.edit, ...changes });
    const registered = this.registration(device) !== null;
    return html`<form id="device-edit-form" class="card" novalidate @submit=${this.submitEdit} aria-labelledby="device-edit-title" data-testid="device-edit">
      <div class="row-between">
        <h2 id="device-edit-title" tabindex="-1">${t("devices.editTitle", { mac: formatMac(device.mac) })}</h2>
        <span class="muted small">${[vendorName(device.vendor), device.model].filter(Boolean).join(" ")}</span>
      </div>
      ${formError(this.editError, "device-edit-error")}
      <div class="grid two">
        ${textField({
          id: "device-edit-description",
          label: t("devices.description"),
          value: f.description,
          autocomplete: "off",
          hint: t("devices.descriptionHint"),
          error: this.editErrors["description"],
          onInput: (v) => set({ description: v }),
        })}
        ${textField({
          id: "device-edit-model",
          label: t("devices.model"),
          value: f.model,
          autocomplete: "off",
          error: this.editErrors["model"],
          onInput: (v) => set({ model: v }),
        })}
      </div>
      ${device.free_seat
        ? html`<p class="hint">${t("hotDesk.noFixedUser")}</p>`
        : html`${this.userPicker("device-edit", f, this.editErrors["user_id"], set)}
            <p class="hint">${t("devices.assignHint")}</p>`}
      <cb-free-seat .device=${device} @device-changed=${(e: CustomEvent<Device>) => this.deviceChanged(e.detail)}></cb-free-seat>
      <div class="actions">
        <button type="button" class="secondary" @click=${() => this.closeEdit()}>${t("common.cancel")}</button>
        <button type="submit" ?disabled=${this.busy}>${t("common.save")}</button>
      </div>
      <h3 class="small" style="margin-top: 1rem">${t("devices.actionsTitle")}</h3>
      <p class="hint">${registered ? t("devices.actionsHint") : t("devices.actionsHintOffline")}</p>
      ${this.editNote
        ? html`<div class=${this.editNote.kind === "bad" ? "field-error" : "notice"} role=${this.editNote.kind === "bad" ? "alert" : "status"} data-testid="device-action-result">
            ${this.editNote.text}
          </div>`
        : nothing}
      <div class="actions start">
        <button type="button" class="secondary" ?disabled=${this.busy} @click=${() => void this.resync(device, false)}>${t("devices.resync")}</button>
        <button type="button" class="secondary" ?disabled=${this.busy} @click=${() => void this.resync(device, true)}>${t("devices.reboot")}</button>
        <button type="button" class="danger" ?disabled=${this.busy} @click=${() => void this.deleteDevice(device)}>${t("devices.delete")}</button>
      </div>
    </form>`;
  }

  // -- CSV import -----------------------------------------------------------------------------

  private async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    this.importErrors = [];
    this.importError = "";
    this.importNote = "";
    this.busy = true;
    try {
      const result = await postCsv(await file.text());
      this.importNote = t("devices.imported", { file: file.name, added: result.added, updated: result.updated });
      toast(this.importNote);
      await this.load(false);
    } catch (err) {
      const fields = fieldErrors(err);
      const lines = Object.entries(fields).sort(([a], [b]) => (Number(a.replace(/\D/g, "")) || 0) - (Number(b.replace(/\D/g, "")) || 0));
      this.importErrors = lines.map(([where, message]): [string, string] => [
        /^line \d+$/.test(where) ? t("devices.importLine", { line: where.slice(5) }) : where,
        message,
      ]);
      this.importError = lines.length ? t("devices.importRejected", { file: file.name, count: lines.length }) : errorText(err);
    } finally {
      this.busy = false;
    }
  }

  private importCard(): TemplateResult {
    return html`<section class="card" aria-labelledby="device-import-title" data-testid="device-import">
      <h2 id="device-import-title">${t("devices.importTitle")}</h2>
      <p class="muted">${t("devices.importIntro")}</p>
      <pre class="small" style="background: #f8f9fc; padding: 0.5rem 0.75rem; border-radius: 8px; overflow-x: auto">mac,model,description
00:15:65:a1:b2:c3,T46U,Reception
000413a1b2c4,D785,Meeting room</pre>
      <div class="field">
        <label for="device-import-file">${t("devices.importFile")}</label>
        <input id="device-import-file" type="file" accept=".csv,text/csv,text/plain" ?disabled=${this.busy}
          @change=${(e: Event) => void this.importFile(e.target as HTMLInputElement)} />
      </div>
      ${this.importNote ? html`<div class="notice" role="status" data-testid="device-import-result">${this.importNote}</div>` : nothing}
      ${this.importError
        ? html`<div class="form-error" role="alert" data-testid="device-import-errors">
            ${this.importError}
            ${this.importErrors.length
              ? html`<ul>
                  ${this.importErrors.map(([line, message]) => html`<li><strong>${line}:</strong> ${message}</li>`)}
                </ul>`
              : nothing}
          </div>`
        : nothing}
      <div class="actions start">
        <button type="button" class="secondary" @click=${() => (this.importing = false)}>${t("devices.importClose")}</button>
      </div>
    </section>`;
  }

  // -- the table ------------------------------------------------------------------------------

  private registrationCell(device: Device): TemplateResult {
    const registration = this.registration(device);
    if (registration === undefined) return html`<span class="badge">${t("app.loading")}</span>`;
    if (registration === null)
      return html`<span class="badge bad" data-testid="device-registration">
        <span aria-hidden="true">●</span> ${t("devices.notRegistered")}</span
      >`;
    const ua = String(registration.attributes["user_agent"] ?? "");
    return html`<span class="badge ok" data-testid="device-registration" title=${ua}><span aria-hidden="true">●</span> ${t("devices.registered")}</span>`;
  }

  private fetchCell(device: Device): TemplateResult {
    const fetch = parseLastFetch(device.last_fetch);
    if (!fetch) return html`<span class="muted">${t("devices.neverFetched")}</span>`;
    return html`<span class="badge ${fetch.ok ? "ok" : "bad"}">${fetchResultText(fetch.result)}</span>
      <div class="small muted">${formatDateTime(fetch.at)}</div>
      <div class="small"><code>${fetch.path}</code></div>`;
  }

  private row(d: Device): TemplateResult {
    const phone = [vendorName(d.vendor), d.model].filter(Boolean).join(" ");
    return html`<tr data-testid="phone-row" data-mac=${d.mac} class=${this.editing === d.mac ? "selected" : ""}>
      <td data-label=${t("devices.mac")}>
        <code style="white-space: nowrap">${formatMac(d.mac)}</code>
        <div class="small" data-testid="device-description">${d.description || html`<span class="muted">—</span>`}</div>
      </td>
      <td data-label=${t("devices.phone")}>
        ${phone || html`<span class="muted">${t("common.unknown")}</span>`}
        ${d.firmware ? html`<div class="small muted">${t("devices.firmwareShort", { version: d.firmware })}</div>` : nothing}
        <div class="small muted" data-testid="device-source">${sourceText(d.source)}</div>
      </td>
      <td data-label=${t("devices.ip")}>${d.ip ? html`<code style="white-space: nowrap">${d.ip}</code>` : "—"}</td>
      <td data-label=${t("devices.user")} data-testid="device-user">
        ${d.user
          ? html`<a href="/users/${d.user.id}">${d.user.name || d.user.username}</a>
              <div class="small muted">${[d.user.extension, d.user.username].filter(Boolean).join(" · ")}</div>`
          : "—"}
      </td>
      <td data-label=${t("devices.state")}>
        <div><span class="badge ${d.state === "assigned" || d.state === "seated" ? "ok" : "warn"}" data-testid="device-state">${deviceStateText(d.state)}</span></div>
        <div style="margin-top: 0.25rem">${this.registrationCell(d)}</div>
      </td>
      <td data-label=${t("devices.lastFetch")} data-testid="device-fetch">${this.fetchCell(d)}</td>
      <td data-label=${t("common.actions")}>
        <button type="button" class="secondary small edit" @click=${() => this.openEdit(d)} aria-expanded=${this.editing === d.mac ? "true" : "false"}>
          ${t("common.edit")}<span class="sr-only"> ${formatMac(d.mac)}</span>
        </button>
      </td>
    </tr>`;
  }

  private table(devices: Device[]): TemplateResult {
    return html`<div class="table-wrap">
      <table class="data responsive" data-testid="phone-list">
        <caption class="sr-only">${t("phones.tabList")}</caption>
        <thead>
          <tr>
            <th scope="col">${t("devices.macAndDescription")}</th>
            <th scope="col">${t("devices.phone")}</th>
            <th scope="col">${t("devices.ip")}</th>
            <th scope="col">${t("devices.user")}</th>
            <th scope="col">${t("devices.stateAndRegistration")}</th>
            <th scope="col">${t("devices.lastFetch")}</th>
            <th scope="col">${t("common.actions")}</th>
          </tr>
        </thead>
        <tbody>
          ${devices.map((d) => this.row(d))}
        </tbody>
      </table>
    </div>`;
  }

  protected override render(): TemplateResult {
    const devices = this.devices;
    if (this.loadError && !devices) return errorView(this.loadError, () => void this.load(true));
    if (!devices) return loadingView();
    const shown = this.shown(devices);
    const editing = this.editing ? devices.find((d) => d.mac === this.editing) : undefined;
    const unlisted = this.synced ? this.unlisted(devices) : 0;
    return html`<p class="muted">${t("devices.intro")}</p>
      <div class="actions start" style="margin-bottom: 1rem">
        <button type="button" ?disabled=${this.adding} @click=${() => this.openAdd()}>+ ${t("devices.add")}</button>
        <button type="button" class="secondary" aria-expanded=${this.importing ? "true" : "false"} @click=${() => (this.importing = !this.importing)}>
          ${t("devices.import")}
        </button>
        <button type="button" class="secondary" aria-expanded=${this.opening ? "true" : "false"} @click=${() => (this.opening = !this.opening)}>
          ${t("openExt.button")}
        </button>
      </div>
      ${this.opening ? html`<cb-open-extension .users=${this.users}></cb-open-extension>` : nothing}
      ${this.loadError ? errorView(this.loadError, () => void this.load(true)) : nothing}
      ${this.notice ? html`<div class="notice warn" role="alert" data-testid="device-notice">${this.notice}</div>` : nothing}
      ${this.adding ? this.addForm() : nothing}
      ${this.importing ? this.importCard() : nothing}
      ${editing ? this.editForm(editing) : nothing}
      <div class="filters">
        <div class="field grow">
          <label for="device-search">${t("devices.search")}</label>
          <input id="device-search" type="search" .value=${this.search} aria-describedby="device-search-hint"
            @input=${(e: Event) => (this.search = (e.target as HTMLInputElement).value)} />
          <div class="hint" id="device-search-hint">${t("devices.searchHint")}</div>
        </div>
      </div>
      <p class="muted" role="status" aria-live="polite" data-testid="phone-count">
        ${t("devices.count", { shown: shown.length, total: devices.length })}
        ${unlisted ? html` · <a href="/phones/registrations" data-testid="unlisted-link">${t("devices.unlisted", { count: unlisted })}</a>` : nothing}
      </p>
      ${shown.length ? this.table(shown) : html`<p class="empty">${devices.length ? t("devices.noMatch") : t("devices.empty")}</p>`}`;
  }
}
