/**
 * Presence controls (PRS-01..05, PRS-09, PRS-10): <cb-presence-control> is the user's own (availability,
 * activity, role, do-not-disturb, end time, diversion, one-click shortcuts and private shortcuts);
 * <cb-user-presence> shows an admin one user's presence and clears their DND (CAPA-08). Both follow
 * presence.changed live.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { confirmDialog } from "../dialog";
import { checkboxField, focusFirstError, formError, selectField, textField } from "../forms";
import { t } from "../i18n";
import {
  AVAILABILITIES,
  availabilityText,
  callStateText,
  checkDiversion,
  formatUntil,
  isoToLocal,
  labelOf,
  localToIso,
  shortcutSummary,
  type Activity,
  type Availability,
  type Presence,
  type Role,
  type Shortcut,
} from "../presence";
import { session, toast } from "../session";
import { check } from "../validate";
import { live } from "../ws";
import { followPresence } from "./presence-plans";

type Errors = Record<string, string | null | undefined>;

/** One line of badges: availability, activity, DND, end time, call state, diversion. */
export function presenceSummary(p: Presence): TemplateResult {
  return html`<p class="row-start" data-testid="presence-summary">
    <span class="badge ${p.availability === "available" ? "ok" : "warn"}" data-testid="presence-availability">${availabilityText(p.availability)}</span>
    ${p.activity ? html`<span class="badge" data-testid="presence-activity">${labelOf(p.activity)}</span>` : nothing}
    ${p.dnd ? html`<span class="badge bad" data-testid="presence-dnd">${t("presence.dnd")}</span>` : nothing}
    ${p.role ? html`<span class="badge">${labelOf(p.role)}</span>` : nothing}
    <span class="badge" data-testid="presence-call-state">${callStateText(p.call_state)}</span>
    ${p.until !== null ? html`<span class="muted" data-testid="presence-until">${t("presence.untilTime", { time: formatUntil(p.until) })}</span>` : nothing}
    ${p.diversion ? html`<span class="muted">${t("presence.divertedTo", { number: p.diversion })}</span>` : nothing}
  </p>`;
}

export const EMPTY_SHORTCUT = { name: "", activity: "", availability: "", duration: "", icon: "", diversion: "" };

@customElement("cb-presence-control")
export class CbPresenceControl extends LightElement {
  @state() private presence: Presence | null = null;
  @state() private activities: Activity[] = [];
  @state() private roles: Role[] = [];
  @state() private shortcuts: Shortcut[] = [];
  @state() private loadError = "";
  @state() private values = { availability: "available" as Availability, activity: "", role: "", until: "", diversion: "" };
  @state() private errors: Errors = {};
  @state() private error = "";
  @state() private busy = false;
  @state() private draft = { ...EMPTY_SHORTCUT };
  @state() private draftErrors: Errors = {};
  @state() private draftError = "";
  /** The form holds the person's unsaved edits: live updates leave it alone. */
  private dirty = false;
  private stopFollowing: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopFollowing = followPresence(
      () => session.user?.id ?? null,
      () => void this.loadPresence(),
    );
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopFollowing?.();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const [activities, roles, shortcuts] = await Promise.all([
        api.get<Activity[]>("/api/presence/activities"),
        api.get<Role[]>("/api/presence/roles"),
        api.get<Shortcut[]>("/api/me/presence/shortcuts"),
      ]);
      this.activities = activities;
      this.roles = roles;
      this.shortcuts = shortcuts;
      await this.loadPresence();
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async loadPresence(): Promise<void> {
    try {
      this.show(await api.get<Presence>("/api/me/presence"));
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private show(presence: Presence): void {
    this.presence = presence;
    if (this.dirty) return;
    this.values = {
      availability: presence.availability,
      activity: presence.activity_id === null ? "" : String(presence.activity_id),
      role: presence.role_id === null ? "" : String(presence.role_id),
      until: isoToLocal(presence.until),
      diversion: presence.diversion ?? "",
    };
  }

  private set(name: keyof CbPresenceControl["values"], value: string): void {
    this.dirty = true;
    const next = { ...this.values, [name]: value };
    if (name === "activity") {
      // PRS-02: an activity brings its availability.
      const activity = this.activities.find((a) => String(a.id) === value);
      if (activity) next.availability = activity.show_as;
    }
    this.values = next;
    if (this.errors[name]) this.errors = { ...this.errors, [name]: null };
  }

  private async put(body: Record<string, unknown>, form: ParentNode | null): Promise<boolean> {
    this.busy = true;
    this.error = "";
    try {
      this.dirty = false;
      this.show(await api.put<Presence>("/api/me/presence", body));
      this.errors = {};
      return true;
    } catch (err) {
      this.dirty = true;
      const fields = fieldErrors(err);
      this.errors = { ...fields, activity: fields["activity_id"], role: fields["role_id"] };
      this.error = errorText(err);
      if (form) focusFirstError(form);
      else toast(this.error, "error");
      return false;
    } finally {
      this.busy = false;
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const form = this.querySelector("#presence-form") ?? this;
    const until = localToIso(this.values.until);
    this.errors = {
      diversion: checkDiversion(this.values.diversion),
      until: this.values.until && (!until || new Date(until).getTime() <= Date.now()) ? t("presence.untilPast") : null,
    };
    if (Object.values(this.errors).some(Boolean)) {
      this.error = t("common.formInvalid");
      focusFirstError(form);
      return;
    }
    const body: Record<string, unknown> = {
      availability: this.values.availability,
      activity_id: this.values.activity ? Number(this.values.activity) : null,
      until,
      diversion: this.values.diversion.trim() || null,
    };
    if (this.roles.length) body["role_id"] = this.values.role ? Number(this.values.role) : null;
    if (await this.put(body, form)) toast(t("presence.saved"));
  }

  private async setDnd(on: boolean): Promise<void> {
    // The box shows the new value at once; the answer (or a reload after an error) confirms it.
    if (this.presence) this.presence = { ...this.presence, dnd: on };
    if (await this.put({ dnd: on }, null)) toast(on ? t("presence.dndOn") : t("presence.dndOff"));
    else await this.loadPresence();
  }

  private async apply(shortcut: Shortcut): Promise<void> {
    this.busy = true;
    try {
      this.dirty = false;
      this.show(await api.post<Presence>(`/api/me/presence/shortcuts/${shortcut.id}/apply`));
      toast(t("presence.applied", { name: shortcut.name }));
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.busy = false;
    }
  }

  private async addShortcut(e: Event): Promise<void> {
    e.preventDefault();
    const form = this.querySelector("#my-shortcut-form") ?? this;
    const d = this.draft;
    const minutes = Number(d.duration);
    this.draftErrors = {
      name: check(d.name, true),
      duration_minutes: d.duration && !(Number.isInteger(minutes) && minutes >= 1) ? t("presence.durationInvalid") : null,
      diversion: checkDiversion(d.diversion),
    };
    if (Object.values(this.draftErrors).some(Boolean)) {
      this.draftError = t("common.formInvalid");
      focusFirstError(form);
      return;
    }
    this.draftError = "";
    try {
      const created = await api.post<Shortcut>("/api/me/presence/shortcuts", {
        name: d.name.trim(),
        activity_id: d.activity ? Number(d.activity) : null,
        availability: d.availability || null,
        duration_minutes: d.duration ? minutes : null,
        icon: d.icon.trim(),
        diversion: d.diversion.trim() || null,
      });
      this.shortcuts = [...this.shortcuts, created];
      this.draft = { ...EMPTY_SHORTCUT };
      toast(t("presence.shortcutCreated", { name: created.name }));
    } catch (err) {
      this.draftErrors = fieldErrors(err);
      this.draftError = errorText(err);
      focusFirstError(form);
    }
  }

  private async deleteShortcut(shortcut: Shortcut): Promise<void> {
    if (!(await confirmDialog(t("presence.confirmDeleteShortcut", { name: shortcut.name }), t("common.delete")))) return;
    try {
      await api.delete(`/api/me/presence/shortcuts/${shortcut.id}`);
      this.shortcuts = this.shortcuts.filter((s) => s.id !== shortcut.id);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private planned(): TemplateResult {
    return html`<section class="card" aria-labelledby="plan-title">
      <h2 id="plan-title">${t("presence.plansTitle")}</h2>
      <p class="muted">${t("presence.plansIntro")}</p>
      <cb-presence-plans idPrefix="plan" .activities=${this.activities} @plans-changed=${() => void this.loadPresence()}></cb-presence-plans>
    </section>`;
  }

  protected override render(): TemplateResult {
    if (this.loadError) return errorView(this.loadError, () => void this.load());
    const p = this.presence;
    if (!p) return loadingView();
    return html`<section class="card" aria-labelledby="presence-title" data-testid="presence-control">
        <h2 id="presence-title">${t("presence.now")}</h2>
        ${presenceSummary(p)}
        ${checkboxField({
          id: "presence-dnd",
          label: t("presence.dndLabel"),
          hint: t("presence.dndHint"),
          checked: p.dnd,
          onChange: (on) => void this.setDnd(on),
        })}
        ${this.shortcuts.length
          ? html`<h3>${t("presence.shortcuts")}</h3>
              <div class="row-start" data-testid="presence-shortcuts">
                ${this.shortcuts.map(
                  (s) => html`<button type="button" class="secondary" ?disabled=${this.busy} title=${shortcutSummary(s, this.activities)}
                    aria-pressed=${p.shortcut_id === s.id ? "true" : "false"} @click=${() => void this.apply(s)}>
                    ${s.icon ? html`<span aria-hidden="true">${s.icon}</span> ` : nothing}${s.name}
                  </button>`,
                )}
              </div>`
          : nothing}
      </section>
      <form id="presence-form" class="card" novalidate @submit=${this.save} aria-labelledby="presence-change-title">
        <h2 id="presence-change-title">${t("presence.change")}</h2>
        ${formError(this.error, "presence-error")}
        <fieldset>
          <legend>${t("presence.availability")}</legend>
          <div class="segmented">
            ${AVAILABILITIES.map(
              (a) => html`<label class=${this.values.availability === a ? "on" : ""}>
                <input type="radio" name="presence-availability" value=${a} .checked=${this.values.availability === a}
                  @change=${() => this.set("availability", a)} />
                ${availabilityText(a)}
              </label>`,
            )}
          </div>
        </fieldset>
        <div class="grid two">
          ${selectField({
            id: "presence-activity",
            label: t("presence.activity"),
            value: this.values.activity,
            error: this.errors["activity"],
            options: [["", t("presence.noActivity")], ...this.activities.map((a): [string, string] => [String(a.id), labelOf(a)])],
            onInput: (v) => this.set("activity", v),
          })}
          ${this.roles.length
            ? selectField({
                id: "presence-role",
                label: t("presence.role"),
                value: this.values.role,
                error: this.errors["role"],
                options: [["", t("presence.noRole")], ...this.roles.map((r): [string, string] => [String(r.id), labelOf(r)])],
                onInput: (v) => this.set("role", v),
              })
            : nothing}
          ${textField({
            id: "presence-until",
            label: t("presence.until"),
            type: "datetime-local",
            value: this.values.until,
            error: this.errors["until"],
            hint: t("presence.untilHint"),
            onInput: (v) => this.set("until", v),
          })}
          ${textField({
            id: "presence-diversion",
            label: t("presence.diversion"),
            inputmode: "tel",
            value: this.values.diversion,
            error: this.errors["diversion"],
            hint: t("presence.diversionHint"),
            onInput: (v) => this.set("diversion", v),
          })}
        </div>
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button></div>
      </form>
      ${this.activities.length ? this.planned() : nothing}
      ${this.ownShortcuts()}`;
  }

  private ownShortcuts(): TemplateResult {
    const own = this.shortcuts.filter((s) => s.scope === "user");
    const d = this.draft;
    const setDraft = (name: keyof typeof EMPTY_SHORTCUT, value: string) => {
      this.draft = { ...this.draft, [name]: value };
    };
    return html`<form id="my-shortcut-form" class="card" novalidate @submit=${this.addShortcut} aria-labelledby="my-shortcuts-title">
      <h2 id="my-shortcuts-title">${t("presence.myShortcuts")}</h2>
      ${own.length
        ? html`<ul class="plain-list" data-testid="my-shortcuts">
            ${own.map(
              (s) => html`<li class="row-between">
                <span>${s.icon ? html`<span aria-hidden="true">${s.icon}</span> ` : nothing}<strong>${s.name}</strong>
                  <span class="muted">${shortcutSummary(s, this.activities)}</span></span>
                <button type="button" class="danger small" aria-label=${t("presence.deleteNamed", { name: s.name })}
                  @click=${() => void this.deleteShortcut(s)}>${t("common.delete")}</button>
              </li>`,
            )}
          </ul>`
        : html`<p class="muted">${t("presence.noOwnShortcuts")}</p>`}
      ${formError(this.draftError, "my-shortcut-error")}
      ${shortcutFields("my-shortcut", d, this.draftErrors, this.activities, setDraft)}
      <div class="actions"><button type="submit" class="secondary">${t("presence.addShortcut")}</button></div>
    </form>`;
  }
}

/** The fields of a shortcut (PRS-04): name, activity, availability, duration, icon, diversion. */
export function shortcutFields(
  prefix: string,
  d: typeof EMPTY_SHORTCUT,
  errors: Errors,
  activities: Activity[],
  set: (name: keyof typeof EMPTY_SHORTCUT, value: string) => void,
): TemplateResult {
  return html`<div class="grid two">
    ${textField({ id: `${prefix}-name`, label: t("presence.shortcutName"), required: true, value: d.name, error: errors["name"], onInput: (v) => set("name", v) })}
    ${selectField({
      id: `${prefix}-activity`,
      label: t("presence.activity"),
      value: d.activity,
      error: errors["activity_id"],
      options: [["", t("presence.noActivity")], ...activities.map((a): [string, string] => [String(a.id), labelOf(a)])],
      onInput: (v) => set("activity", v),
    })}
    ${selectField({
      id: `${prefix}-availability`,
      label: t("presence.availability"),
      value: d.availability,
      error: errors["availability"],
      options: [["", t("presence.fromActivity")], ...AVAILABILITIES.map((a): [string, string] => [a, availabilityText(a)])],
      onInput: (v) => set("availability", v),
    })}
    ${textField({
      id: `${prefix}-duration`,
      label: t("presence.duration"),
      type: "number",
      min: 1,
      inputmode: "numeric",
      value: d.duration,
      error: errors["duration_minutes"],
      hint: t("presence.durationHint"),
      onInput: (v) => set("duration", v),
    })}
    ${textField({ id: `${prefix}-icon`, label: t("presence.icon"), value: d.icon, error: errors["icon"], onInput: (v) => set("icon", v) })}
    ${textField({
      id: `${prefix}-diversion`,
      label: t("presence.diversion"),
      inputmode: "tel",
      value: d.diversion,
      error: errors["diversion"],
      hint: t("presence.shortcutDiversionHint"),
      onInput: (v) => set("diversion", v),
    })}
  </div>`;
}


@customElement("cb-user-presence")
export class CbUserPresence extends LightElement {
  @property({ type: Number }) userId = 0;
  @state() private presence: Presence | null = null;
  @state() private loadError = "";
  private stopFollowing: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopFollowing = followPresence(
      () => this.userId,
      () => void this.load(),
    );
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopFollowing?.();
  }

  private async load(): Promise<void> {
    if (!this.userId) return;
    this.loadError = "";
    try {
      this.presence = await api.get<Presence>(`/api/users/${this.userId}/presence`);
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async clearDnd(): Promise<void> {
    try {
      this.presence = await api.delete<Presence>(`/api/users/${this.userId}/presence/dnd`);
      toast(t("presence.dndCleared"));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  protected override render(): TemplateResult {
    const p = this.presence;
    return html`<section class="card" aria-labelledby="user-presence-title" data-testid="user-presence">
      <h2 id="user-presence-title">${t("presence.title")}</h2>
      ${this.loadError ? errorView(this.loadError, () => void this.load()) : p ? presenceSummary(p) : loadingView()}
      ${p?.dnd
        ? html`<div class="actions start">
            <button type="button" class="secondary" @click=${() => void this.clearDnd()}>${t("presence.clearDnd")}</button>
          </div>`
        : nothing}
    </section>`;
  }
}

/** PRS-01 in the directory: an extension's availability (and DND, call state) from its live state. */
@customElement("cb-presence-badge")
export class CbPresenceBadge extends LightElement {
  @property() extension = "";
  private readonly onStates = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("states", this.onStates);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("states", this.onStates);
  }

  protected override render(): TemplateResult {
    const a = live.states.get(`extension.${this.extension}`)?.attributes ?? {};
    const availability = a["availability"];
    if (availability !== "available" && availability !== "busy") return html``;
    const callState = a["call_state"];
    return html`<span class="badge ${availability === "available" ? "ok" : "warn"}" data-testid="presence-badge">${availabilityText(availability)}</span>
      ${a["dnd"] === true ? html`<span class="badge bad">${t("presence.dnd")}</span>` : nothing}
      ${callState === "ringing" || callState === "in_call" ? html`<span class="badge">${callStateText(callState)}</span>` : nothing}`;
  }
}
