/**
 * Presence controls (PRS-01..05, PRS-09, PRS-10): <cb-presence-control> is the user's own (availability,
 * activity, role, do-not-disturb, end time, diversion, one-click shortcuts and private shortcuts, which
 * the user adds, changes and deletes); <cb-user-presence> shows an admin one user's presence, sets or
 * clears their DND (CAPA-08), changes their presence with the same form (<cb-presence-form>, CAPA-40)
 * and applies a shortcut for them. Both follow presence.changed live.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { confirmDialog } from "../dialog";
import { checkboxField, focusFirstError, focusWhenRendered, formError, selectField, textField } from "../forms";
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
export type ShortcutDraft = typeof EMPTY_SHORTCUT;

/** A shortcut as its form edits it (PRS-04). */
export function shortcutDraft(s: Shortcut): ShortcutDraft {
  return {
    name: s.name,
    activity: s.activity_id === null ? "" : String(s.activity_id),
    availability: s.availability ?? "",
    duration: s.duration_minutes === null ? "" : String(s.duration_minutes),
    icon: s.icon,
    diversion: s.diversion ?? "",
  };
}

/** The form's own checks: a name, a whole number of minutes (or none), a diallable diversion. */
export function shortcutDraftErrors(d: ShortcutDraft): Errors {
  const minutes = Number(d.duration);
  return {
    name: check(d.name, true),
    duration_minutes: d.duration && !(Number.isInteger(minutes) && minutes >= 1) ? t("presence.durationInvalid") : null,
    diversion: checkDiversion(d.diversion),
  };
}

/** The body of POST or PUT …/presence/shortcuts: empty choices are null. */
export function shortcutBody(d: ShortcutDraft): Record<string, unknown> {
  return {
    name: d.name.trim(),
    activity_id: d.activity ? Number(d.activity) : null,
    availability: d.availability || null,
    duration_minutes: d.duration ? Number(d.duration) : null,
    icon: d.icon.trim(),
    diversion: d.diversion.trim() || null,
  };
}

/** The values of the presence form for a presence. */
export function presenceValues(p: Presence): PresenceValues {
  return {
    availability: p.availability,
    activity: p.activity_id === null ? "" : String(p.activity_id),
    role: p.role_id === null ? "" : String(p.role_id),
    until: isoToLocal(p.until),
    diversion: p.diversion ?? "",
  };
}

export interface PresenceValues {
  availability: Availability;
  activity: string;
  role: string;
  until: string;
  diversion: string;
}

/** The body of PUT …/presence from the form (``withRole``: roles exist, so the role is sent too). */
export function presenceBody(v: PresenceValues, withRole: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    availability: v.availability,
    activity_id: v.activity ? Number(v.activity) : null,
    until: localToIso(v.until),
    diversion: v.diversion.trim() || null,
  };
  if (withRole) body["role_id"] = v.role ? Number(v.role) : null;
  return body;
}

/** The one-click shortcut buttons (PRS-04): the one applied last is pressed. */
export function shortcutButtons(o: {
  shortcuts: Shortcut[];
  presence: Presence;
  activities: Activity[];
  busy: boolean;
  apply: (s: Shortcut) => void;
  testId: string;
  label: string;
}): TemplateResult {
  return html`<div class="row-start" role="group" aria-label=${o.label} data-testid=${o.testId}>
    ${o.shortcuts.map(
      (s) => html`<button type="button" class="secondary" ?disabled=${o.busy} title=${shortcutSummary(s, o.activities)}
        aria-pressed=${o.presence.shortcut_id === s.id ? "true" : "false"} @click=${() => o.apply(s)}>
        ${s.icon ? html`<span aria-hidden="true">${s.icon}</span> ` : nothing}${s.name}
      </button>`,
    )}
  </div>`;
}

/**
 * The form that changes a presence (PRS-01..03, PRS-09): availability, activity (which brings its
 * availability), role, end time and diversion; PUT to ``base`` (``/api/me/presence``, or an admin's
 * ``/api/users/{id}/presence``). Its element ids start with ``prefix``. It follows ``presence`` until
 * the person edits it; after saving it fires "presence-changed" with the new presence.
 */
@customElement("cb-presence-form")
export class CbPresenceForm extends LightElement {
  @property() base = "/api/me/presence";
  @property() prefix = "presence";
  /** The toast after saving. */
  @property() savedText = "";
  @property({ attribute: false }) presence: Presence | null = null;
  @property({ attribute: false }) activities: Activity[] = [];
  @property({ attribute: false }) roles: Role[] = [];
  @state() private values: PresenceValues = { availability: "available", activity: "", role: "", until: "", diversion: "" };
  @state() private errors: Errors = {};
  @state() private error = "";
  @state() private busy = false;
  /** The form holds the person's unsaved edits: live updates leave it alone. */
  private dirty = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.style.display = "block";
  }

  /** Forget the unsaved edits: the form shows ``presence`` again (after a shortcut was applied). */
  discardEdits(): void {
    this.dirty = false;
    this.errors = {};
    this.error = "";
    if (this.presence) this.values = presenceValues(this.presence);
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("presence") && this.presence && !this.dirty) this.values = presenceValues(this.presence);
  }

  private set(name: keyof PresenceValues, value: string): void {
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

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    const form = this.querySelector(`#${this.prefix}-form`) ?? this;
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
    this.busy = true;
    this.error = "";
    try {
      const saved = await api.put<Presence>(this.base, presenceBody(this.values, this.roles.length > 0));
      this.dirty = false;
      this.errors = {};
      this.values = presenceValues(saved);
      this.dispatchEvent(new CustomEvent("presence-changed", { detail: saved }));
      if (this.savedText) toast(this.savedText);
    } catch (err) {
      const fields = fieldErrors(err);
      this.errors = { ...fields, activity: fields["activity_id"], role: fields["role_id"] };
      this.error = errorText(err);
      focusFirstError(form);
    } finally {
      this.busy = false;
    }
  }

  protected override render(): TemplateResult {
    const id = this.prefix;
    return html`<form id="${id}-form" class="card" novalidate @submit=${this.save} aria-labelledby="${id}-change-title">
      <h2 id="${id}-change-title">${t("presence.change")}</h2>
      ${formError(this.error, `${id}-error`)}
      <fieldset>
        <legend>${t("presence.availability")}</legend>
        <div class="segmented">
          ${AVAILABILITIES.map(
            (a) => html`<label class=${this.values.availability === a ? "on" : ""}>
              <input type="radio" name="${id}-availability" value=${a} .checked=${this.values.availability === a}
                @change=${() => this.set("availability", a)} />
              ${availabilityText(a)}
            </label>`,
          )}
        </div>
      </fieldset>
      <div class="grid two">
        ${selectField({
          id: `${id}-activity`,
          label: t("presence.activity"),
          value: this.values.activity,
          error: this.errors["activity"],
          options: [["", t("presence.noActivity")], ...this.activities.map((a): [string, string] => [String(a.id), labelOf(a)])],
          onInput: (v) => this.set("activity", v),
        })}
        ${this.roles.length
          ? selectField({
              id: `${id}-role`,
              label: t("presence.role"),
              value: this.values.role,
              error: this.errors["role"],
              options: [["", t("presence.noRole")], ...this.roles.map((r): [string, string] => [String(r.id), labelOf(r)])],
              onInput: (v) => this.set("role", v),
            })
          : nothing}
        ${textField({
          id: `${id}-until`,
          label: t("presence.until"),
          type: "datetime-local",
          value: this.values.until,
          error: this.errors["until"],
          hint: t("presence.untilHint"),
          onInput: (v) => this.set("until", v),
        })}
        ${textField({
          id: `${id}-diversion`,
          label: t("presence.diversion"),
          inputmode: "tel",
          value: this.values.diversion,
          error: this.errors["diversion"],
          hint: t("presence.diversionHint"),
          onInput: (v) => this.set("diversion", v),
        })}
      </div>
      <div class="actions"><button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button></div>
    </form>`;
  }
}

@customElement("cb-presence-control")
export class CbPresenceControl extends LightElement {
  @state() private presence: Presence | null = null;
  @state() private activities: Activity[] = [];
  @state() private roles: Role[] = [];
  @state() private shortcuts: Shortcut[] = [];
  @state() private loadError = "";
  @state() private busy = false;
  @state() private draft: ShortcutDraft = { ...EMPTY_SHORTCUT };
  /** The private shortcut the form changes; null while it adds one. */
  @state() private editingShortcut: Shortcut | null = null;
  @state() private draftErrors: Errors = {};
  @state() private draftError = "";
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
      this.presence = await api.get<Presence>("/api/me/presence");
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async setDnd(on: boolean): Promise<void> {
    // The box shows the new value at once; the answer (or a reload after an error) confirms it.
    if (this.presence) this.presence = { ...this.presence, dnd: on };
    try {
      this.presence = await api.put<Presence>("/api/me/presence", { dnd: on });
      toast(on ? t("presence.dndOn") : t("presence.dndOff"));
    } catch (err) {
      toast(errorText(err), "error");
      await this.loadPresence();
    }
  }

  private async apply(shortcut: Shortcut): Promise<void> {
    this.busy = true;
    try {
      this.presence = await api.post<Presence>(`/api/me/presence/shortcuts/${shortcut.id}/apply`);
      this.querySelector<CbPresenceForm>("cb-presence-form")?.discardEdits();
      toast(t("presence.applied", { name: shortcut.name }));
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.busy = false;
    }
  }

  /** PRS-04: Edit fills the shortcut form with one of the user's own shortcuts. */
  private editShortcut(shortcut: Shortcut): void {
    this.editingShortcut = shortcut;
    this.draft = shortcutDraft(shortcut);
    this.draftErrors = {};
    this.draftError = "";
    void focusWhenRendered(this, "#my-shortcut-name");
  }

  private stopEditingShortcut(): void {
    const was = this.editingShortcut;
    this.editingShortcut = null;
    this.draft = { ...EMPTY_SHORTCUT };
    this.draftErrors = {};
    this.draftError = "";
    if (was) void focusWhenRendered(this, `#my-shortcut-edit-${was.id}`);
  }

  private async saveShortcut(e: Event): Promise<void> {
    e.preventDefault();
    const form = this.querySelector("#my-shortcut-form") ?? this;
    const d = this.draft;
    this.draftErrors = shortcutDraftErrors(d);
    if (Object.values(this.draftErrors).some(Boolean)) {
      this.draftError = t("common.formInvalid");
      focusFirstError(form);
      return;
    }
    this.draftError = "";
    const editing = this.editingShortcut;
    try {
      if (editing) {
        const saved = await api.put<Shortcut>(`/api/me/presence/shortcuts/${editing.id}`, shortcutBody(d));
        this.shortcuts = this.shortcuts.map((s) => (s.id === saved.id ? saved : s));
        toast(t("adminEdits.shortcutSaved", { name: saved.name }));
        this.stopEditingShortcut();
        return;
      }
      const created = await api.post<Shortcut>("/api/me/presence/shortcuts", shortcutBody(d));
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
      if (this.editingShortcut?.id === shortcut.id) this.stopEditingShortcut();
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
              ${shortcutButtons({ shortcuts: this.shortcuts, presence: p, activities: this.activities, busy: this.busy,
                apply: (s) => void this.apply(s), testId: "presence-shortcuts", label: t("presence.shortcuts") })}`
          : nothing}
      </section>
      <cb-presence-form base="/api/me/presence" prefix="presence" .presence=${p} .activities=${this.activities} .roles=${this.roles}
        savedText=${t("presence.saved")} @presence-changed=${(e: CustomEvent<Presence>) => (this.presence = e.detail)}></cb-presence-form>
      ${this.activities.length ? this.planned() : nothing}
      ${this.ownShortcuts()}`;
  }

  private ownShortcuts(): TemplateResult {
    const own = this.shortcuts.filter((s) => s.scope === "user");
    const d = this.draft;
    const editing = this.editingShortcut;
    const setDraft = (name: keyof ShortcutDraft, value: string) => {
      this.draft = { ...this.draft, [name]: value };
    };
    return html`<form id="my-shortcut-form" class="card" novalidate @submit=${this.saveShortcut} aria-labelledby="my-shortcuts-title">
      <h2 id="my-shortcuts-title">${t("presence.myShortcuts")}</h2>
      ${own.length
        ? html`<ul class="plain-list" data-testid="my-shortcuts">
            ${own.map(
              (s) => html`<li class="row-between">
                <span>${s.icon ? html`<span aria-hidden="true">${s.icon}</span> ` : nothing}<strong>${s.name}</strong>
                  <span class="muted">${shortcutSummary(s, this.activities)}</span></span>
                <span class="actions">
                  <button type="button" id="my-shortcut-edit-${s.id}" class="secondary small"
                    aria-label=${t("adminEdits.editShortcut", { name: s.name })} @click=${() => this.editShortcut(s)}>${t("common.edit")}</button>
                  <button type="button" class="danger small" aria-label=${t("presence.deleteNamed", { name: s.name })}
                    @click=${() => void this.deleteShortcut(s)}>${t("common.delete")}</button>
                </span>
              </li>`,
            )}
          </ul>`
        : html`<p class="muted">${t("presence.noOwnShortcuts")}</p>`}
      ${editing ? html`<h3 id="my-shortcut-edit-title">${t("adminEdits.editShortcutTitle", { name: editing.name })}</h3>` : nothing}
      ${formError(this.draftError, "my-shortcut-error")}
      ${shortcutFields("my-shortcut", d, this.draftErrors, this.activities, setDraft)}
      <div class="actions">
        ${editing ? html`<button type="button" class="secondary" @click=${() => this.stopEditingShortcut()}>${t("common.cancel")}</button>` : nothing}
        <button type="submit" class="secondary">${editing ? t("adminEdits.saveShortcut") : t("presence.addShortcut")}</button>
      </div>
    </form>`;
  }
}

/** The fields of a shortcut (PRS-04): name, activity, availability, duration, icon, diversion. */
export function shortcutFields(
  prefix: string,
  d: ShortcutDraft,
  errors: Errors,
  activities: Activity[],
  set: (name: keyof ShortcutDraft, value: string) => void,
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


/** An admin's view of one user's presence (CAPA-08, CAPA-40): what it is now; do-not-disturb set
 * or cleared; one of the shortcuts every user has applied for them; and the presence form. */
@customElement("cb-user-presence")
export class CbUserPresence extends LightElement {
  @property({ type: Number }) userId = 0;
  @state() private presence: Presence | null = null;
  @state() private activities: Activity[] = [];
  @state() private roles: Role[] = [];
  @state() private shortcuts: Shortcut[] = [];
  @state() private loadError = "";
  @state() private busy = false;
  private stopFollowing: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopFollowing = followPresence(
      () => this.userId,
      () => void this.loadPresence(),
    );
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopFollowing?.();
  }

  private get base(): string {
    return `/api/users/${this.userId}/presence`;
  }

  private async load(): Promise<void> {
    if (!this.userId) return;
    this.loadError = "";
    try {
      // The shortcuts every user has, then the user's own.
      [this.activities, this.roles, this.shortcuts] = await Promise.all([
        api.get<Activity[]>("/api/presence/activities"),
        api.get<Role[]>("/api/presence/roles"),
        api.get<Shortcut[]>(`${this.base}/shortcuts`),
      ]);
      await this.loadPresence();
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async loadPresence(): Promise<void> {
    if (!this.userId) return;
    try {
      this.presence = await api.get<Presence>(this.base);
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async clearDnd(): Promise<void> {
    try {
      this.presence = await api.delete<Presence>(`${this.base}/dnd`);
      toast(t("presence.dndCleared"));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private async setDnd(): Promise<void> {
    try {
      this.presence = await api.put<Presence>(this.base, { dnd: true });
      toast(t("adminEdits.dndSet"));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private async apply(shortcut: Shortcut): Promise<void> {
    this.busy = true;
    try {
      this.presence = await api.post<Presence>(`${this.base}/shortcuts/${shortcut.id}/apply`);
      this.querySelector<CbPresenceForm>("cb-presence-form")?.discardEdits();
      toast(t("adminEdits.shortcutApplied", { name: shortcut.name }));
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.busy = false;
    }
  }

  protected override render(): TemplateResult {
    const p = this.presence;
    return html`<section class="card" aria-labelledby="user-presence-title" data-testid="user-presence">
        <h2 id="user-presence-title">${t("presence.title")}</h2>
        ${this.loadError ? errorView(this.loadError, () => void this.load()) : p ? presenceSummary(p) : loadingView()}
        ${p
          ? html`<div class="actions start">
              ${p.dnd
                ? html`<button type="button" class="secondary" @click=${() => void this.clearDnd()}>${t("presence.clearDnd")}</button>`
                : html`<button type="button" class="secondary" @click=${() => void this.setDnd()}>${t("adminEdits.setDnd")}</button>`}
            </div>`
          : nothing}
        ${p && this.shortcuts.length
          ? html`<h3 id="user-presence-shortcuts-title">${t("adminEdits.applyShortcut")}</h3>
              ${shortcutButtons({ shortcuts: this.shortcuts, presence: p, activities: this.activities, busy: this.busy,
                apply: (s) => void this.apply(s), testId: "user-presence-shortcuts", label: t("adminEdits.applyShortcut") })}`
          : nothing}
      </section>
      ${p
        ? html`<cb-presence-form base=${this.base} prefix="user-presence" .presence=${p} .activities=${this.activities} .roles=${this.roles}
            savedText=${t("adminEdits.presenceSaved")} @presence-changed=${(e: CustomEvent<Presence>) => (this.presence = e.detail)}></cb-presence-form>`
        : nothing}`;
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
