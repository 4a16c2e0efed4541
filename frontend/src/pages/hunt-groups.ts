/**
 * Hunt groups (admin, HG-01..06, HG-08, FC-16): numbers that ring the users of chosen user groups,
 * all at once or one after another, and then a fallback number. The list shows each group's name,
 * number, distribution, the phones that ring and members; "New hunt group" and "Edit" open the form
 * (name, number, feature-code identifier, the user groups whose users are the members, distribution
 * and ring length, fallback, which of the members' phones ring, opening hours from a schedule,
 * excluded activities and roles). The form checks what it can before sending; the server's refusals
 * (a number someone else has ...) are shown next to their fields. Deleting asks first.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { live } from "lit/directives/live.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { confirmDialog } from "../dialog";
import { focusFirstError, focusWhenRendered, formError, selectField, sendForm, textField } from "../forms";
import {
  DISTRIBUTIONS,
  FIELD_OF,
  MAX_RING_S,
  MIN_RING_S,
  PHONE_TYPES,
  bodyOf,
  distributionText,
  draftErrors,
  draftOf,
  emptyDraft,
  memberCountText,
  membersText,
  phoneTypeLabel,
  phoneTypesText,
  type Distribution,
  type Draft,
  type HuntGroup,
  type PhoneType,
} from "../hunt-groups";
import { t } from "../i18n";
import { labelOf, type Activity, type Role } from "../presence";
import type { Schedule } from "../schedules";
import { toast } from "../session";
import type { Group } from "../types";

const GROUPS = "/api/hunt_groups/groups";
type Errors = Record<string, string | null | undefined>;
type IdSetKey = "userGroups" | "excludedActivities" | "excludedRoles";

@customElement("cb-hunt-groups")
export class CbHuntGroups extends LightElement {
  @state() private groups: HuntGroup[] | null = null;
  @state() private userGroups: Group[] = [];
  @state() private activities: Activity[] = [];
  @state() private roles: Role[] = [];
  @state() private schedules: Schedule[] = [];
  @state() private loadError = "";
  @state() private off = false;
  @state() private draft: Draft | null = null;
  /** The group the form changes; null while it makes a new one. */
  @state() private editing: HuntGroup | null = null;
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;
  /** Where the focus goes back to when the form closes. */
  private opener = "#hg-new";

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(true);
  }

  private async load(spinner: boolean): Promise<void> {
    if (spinner) this.groups = null;
    this.loadError = "";
    try {
      const [groups, userGroups, activities, roles, schedules] = await Promise.all([
        api.get<HuntGroup[]>(GROUPS),
        api.get<Group[]>("/api/groups"),
        api.get<Activity[]>("/api/presence/activities"),
        api.get<Role[]>("/api/presence/roles"),
        api.get<Schedule[]>("/api/schedules"),
      ]);
      [this.userGroups, this.activities, this.roles, this.schedules] = [userGroups, activities, roles, schedules];
      this.groups = groups;
      this.off = false;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.off = true;
      else this.loadError = errorText(err);
    }
  }

  private open(group: HuntGroup | null, opener: string): void {
    this.editing = group;
    this.opener = opener;
    this.draft = group
      ? draftOf(group, {
          userGroups: new Set(this.userGroups.map((g) => g.id)),
          activities: new Set(this.activities.map((a) => a.id)),
          roles: new Set(this.roles.map((r) => r.id)),
          schedules: new Set(this.schedules.map((s) => s.id)),
        })
      : emptyDraft();
    this.errors = {};
    this.error = "";
    void focusWhenRendered(this, "#hg-name");
  }

  private close(): void {
    this.draft = null;
    this.editing = null;
    this.errors = {};
    this.error = "";
    void focusWhenRendered(this, this.opener);
  }

  /** Change a field; its message goes (the form's stays until the next save). */
  private set<K extends keyof Draft>(key: K, value: Draft[K]): void {
    if (!this.draft) return;
    this.draft = { ...this.draft, [key]: value };
    const field = FIELD_OF[key];
    if (Object.keys(this.errors).some((name) => name === field || name.startsWith(`${field}.`))) {
      this.errors = Object.fromEntries(
        Object.entries(this.errors).filter(([name]) => name !== field && !name.startsWith(`${field}.`)),
      );
    }
  }

  private toggle(key: IdSetKey, id: number, on: boolean): void {
    if (!this.draft) return;
    const next = new Set(this.draft[key]);
    if (on) next.add(id);
    else next.delete(id);
    this.set(key, next);
  }

  private togglePhoneType(type: PhoneType, on: boolean): void {
    if (!this.draft) return;
    const next = new Set(this.draft.phoneTypes);
    if (on) next.add(type);
    else next.delete(type);
    this.set("phoneTypes", next);
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const draft = this.draft;
    if (!draft || this.busy) return;
    const problems = draftErrors(draft);
    if (Object.keys(problems).length) {
      this.errors = problems;
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    const editing = this.editing;
    const sent = await sendForm(this, async () => {
      const body = bodyOf(draft);
      const saved = editing
        ? await api.put<HuntGroup>(`${GROUPS}/${editing.id}`, body)
        : await api.post<HuntGroup>(GROUPS, body);
      toast(t(editing ? "huntGroups.saved" : "huntGroups.created", { name: saved.name, number: saved.number }));
      this.opener = `#hg-edit-${saved.id}`;
    });
    if (!sent) return;
    await this.load(false);
    this.close();
  }

  private async deleteGroup(group: HuntGroup): Promise<void> {
    const question = t("huntGroups.confirmDelete", { name: group.name, number: group.number });
    if (!(await confirmDialog(question, t("common.delete")))) return;
    try {
      await api.delete(`${GROUPS}/${group.id}`);
      toast(t("huntGroups.deleted", { name: group.name, number: group.number }));
      if (this.editing?.id === group.id) this.close();
      await this.load(false);
      void focusWhenRendered(this, "#hg-new");
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  /** The server's message for a field, also when it names an item of a list ("excluded_roles.0"). */
  private fieldError(name: string): string | undefined {
    const direct = this.errors[name];
    if (direct) return direct;
    const nested = Object.entries(this.errors).find(([key, message]) => key.startsWith(`${name}.`) && message);
    return nested?.[1] ?? undefined;
  }

  protected override render(): TemplateResult {
    const head = pageHeading(
      t("huntGroups.title"),
      this.groups && !this.draft
        ? html`<button type="button" id="hg-new" @click=${() => this.open(null, "#hg-new")}>${t("huntGroups.new")}</button>`
        : undefined,
    );
    let body: TemplateResult;
    if (this.off) body = this.offView();
    else if (this.loadError) body = errorView(this.loadError, () => void this.load(true));
    else if (!this.groups) body = loadingView();
    else body = html`${this.draft ? this.form(this.draft) : nothing}${this.table(this.groups)}`;
    return html`<section class="page hunt-groups-page">
      ${head}
      <p class="muted">${t("huntGroups.intro")}</p>
      ${body}
    </section>`;
  }

  private offView(): TemplateResult {
    return html`<div class="notice warn" role="status" data-testid="hunt-groups-off">
      <p><strong>${t("huntGroups.off")}</strong></p>
      <p>${t("huntGroups.offAdmin")} <a href="/plugins">${t("nav.plugins")}</a>.</p>
    </div>`;
  }

  private table(groups: HuntGroup[]): TemplateResult {
    if (!groups.length) return html`<p class="empty" data-testid="hunt-groups-empty">${t("huntGroups.empty")}</p>`;
    const col = {
      name: t("huntGroups.name"),
      number: t("huntGroups.number"),
      distribution: t("huntGroups.distribution"),
      members: t("huntGroups.members"),
      fallback: t("huntGroups.fallback"),
    };
    return html`<div class="table-wrap">
      <table class="data responsive" data-testid="hunt-groups">
        <caption class="sr-only">${t("huntGroups.title")}</caption>
        <thead>
          <tr>
            <th scope="col">${col.name}</th>
            <th scope="col">${col.number}</th>
            <th scope="col">${col.distribution}</th>
            <th scope="col">${col.members}</th>
            <th scope="col">${col.fallback}</th>
            <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
          </tr>
        </thead>
        <tbody>
          ${groups.map(
            (g) => html`<tr data-testid="hunt-group" data-number=${g.number} class=${this.editing?.id === g.id ? "selected" : ""}>
              <td data-label=${col.name} data-testid="hg-name">${g.name}</td>
              <td data-label=${col.number} class="num" data-testid="hg-number">${g.number}</td>
              <td data-label=${col.distribution} data-testid="hg-distribution">
                <div>
                  ${distributionText(g.distribution)}
                  <div class="muted small">${t("huntGroups.ringFor", { seconds: g.ring_s })}</div>
                  <div class="muted small" data-testid="hg-phone-types">${phoneTypesText(g.phone_types)}</div>
                </div>
              </td>
              <td data-label=${col.members} data-testid="hg-members">
                <div>
                  ${memberCountText(g.members.length)}
                  ${g.members.length ? html`<div class="muted small">${membersText(g.members)}</div>` : nothing}
                </div>
              </td>
              <td data-label=${col.fallback} class="num">${g.fallback ?? html`<span class="muted">${t("common.none")}</span>`}</td>
              <td class="entry-actions">
                <div class="actions">
                  <button type="button" id="hg-edit-${g.id}" class="secondary small"
                    aria-label=${t("huntGroups.editFor", { name: g.name })}
                    @click=${() => this.open(g, `#hg-edit-${g.id}`)}>${t("common.edit")}</button>
                  <button type="button" class="danger small" aria-label=${t("huntGroups.deleteFor", { name: g.name })}
                    @click=${() => void this.deleteGroup(g)}>${t("common.delete")}</button>
                </div>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private form(d: Draft): TemplateResult {
    const editing = this.editing;
    const ring = d.distribution === "sequential" ? "huntGroups.ringHintSequential" : "huntGroups.ringHintParallel";
    return html`<form class="card" novalidate data-testid="hunt-group-form" aria-labelledby="hg-form-title"
        @submit=${(e: Event) => void this.save(e)}>
      <h2 id="hg-form-title">${editing ? t("huntGroups.editTitle", { name: editing.name }) : t("huntGroups.new")}</h2>
      ${formError(this.error, "hg-form-error")}
      <div class="grid three">
        ${textField({ id: "hg-name", label: t("huntGroups.name"), value: d.name, required: true, error: this.errors["name"],
          autocomplete: "off", onInput: (v) => this.set("name", v) })}
        ${textField({ id: "hg-number", label: t("huntGroups.number"), value: d.number, required: true, error: this.errors["number"],
          hint: t("huntGroups.numberHint"), inputmode: "tel", autocomplete: "off", onInput: (v) => this.set("number", v) })}
        ${textField({ id: "hg-identifier", label: t("huntGroups.identifier"), value: d.identifier, error: this.errors["identifier"],
          hint: t("huntGroups.identifierHint"), inputmode: "numeric", autocomplete: "off", onInput: (v) => this.set("identifier", v) })}
      </div>
      ${this.checkList({
        id: "hg-user-groups",
        legend: t("huntGroups.userGroups"),
        hint: t("huntGroups.userGroupsHint"),
        items: this.userGroups.map((g) => [g.id, g.name]),
        chosen: d.userGroups,
        toggle: (id, on) => this.toggle("userGroups", id, on),
        error: this.fieldError("user_groups"),
        empty: t("huntGroups.noUserGroups"),
        required: true,
      })}
      ${editing?.members.length
        ? html`<p class="muted small" data-testid="hg-member-order">${t("huntGroups.memberOrder", { members: membersText(editing.members) })}</p>`
        : nothing}
      <div class="grid three">
        ${selectField({
          id: "hg-distribution",
          label: t("huntGroups.distribution"),
          value: d.distribution,
          options: DISTRIBUTIONS.map((value) => [value, distributionText(value)]),
          error: this.errors["distribution"],
          onInput: (v) => this.set("distribution", v as Distribution),
        })}
        ${textField({ id: "hg-ring", label: t("huntGroups.ringLength"), value: d.ringS, type: "number", min: MIN_RING_S, max: MAX_RING_S,
          step: "1", required: true, error: this.errors["ring_s"], hint: t(ring), onInput: (v) => this.set("ringS", v) })}
        ${textField({ id: "hg-fallback", label: t("huntGroups.fallback"), value: d.fallback, error: this.errors["fallback"],
          hint: t("huntGroups.fallbackHint"), inputmode: "tel", autocomplete: "off", onInput: (v) => this.set("fallback", v) })}
      </div>
      ${this.checkList({
        id: "hg-phone-types",
        legend: t("huntGroups.phoneTypes"),
        hint: t("huntGroups.phoneTypesHint"),
        items: PHONE_TYPES.map((type) => [type, phoneTypeLabel(type)]),
        chosen: d.phoneTypes,
        toggle: (type, on) => this.togglePhoneType(type, on),
        error: this.fieldError("phone_types"),
        required: true,
      })}
      ${selectField({
        id: "hg-schedule",
        label: t("huntGroups.schedule"),
        value: d.scheduleId,
        options: [["", t("huntGroups.alwaysOpen")], ...this.schedules.map((s): [string, string] => [String(s.id), s.name])],
        error: this.errors["schedule_id"],
        hint: t("huntGroups.scheduleHint"),
        onInput: (v) => this.set("scheduleId", v),
      })}
      <div class="grid two">
        ${this.checkList({
          id: "hg-activities",
          legend: t("huntGroups.excludedActivities"),
          hint: t("huntGroups.excludedActivitiesHint"),
          items: this.activities.map((a) => [a.id, labelOf(a)]),
          chosen: d.excludedActivities,
          toggle: (id, on) => this.toggle("excludedActivities", id, on),
          error: this.fieldError("excluded_activities"),
          empty: t("huntGroups.noActivities"),
        })}
        ${this.checkList({
          id: "hg-roles",
          legend: t("huntGroups.excludedRoles"),
          hint: t("huntGroups.excludedRolesHint"),
          items: this.roles.map((r) => [r.id, labelOf(r)]),
          chosen: d.excludedRoles,
          toggle: (id, on) => this.toggle("excludedRoles", id, on),
          error: this.fieldError("excluded_roles"),
          empty: t("huntGroups.noRoles"),
        })}
      </div>
      <div class="actions">
        <button type="button" class="secondary" @click=${() => this.close()}>${t("common.cancel")}</button>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button>
      </div>
    </form>`;
  }

  /** Checkboxes for ids (user groups, activities, roles) or phone types with one message for the
   * whole list; `empty` is shown when there is nothing to tick. */
  private checkList<T extends number | string>(o: {
    id: string;
    legend: string;
    hint: string;
    items: Array<[T, string]>;
    chosen: ReadonlySet<T>;
    toggle: (value: T, on: boolean) => void;
    error: string | undefined;
    empty?: string;
    required?: boolean;
  }): TemplateResult {
    const described = `${o.id}-hint ${o.id}-error`;
    return html`<fieldset class="checks ${o.error ? "has-error" : ""}" id=${o.id} data-testid=${o.id}>
      <legend>${o.legend}${o.required ? html`<span class="req" aria-hidden="true"> *</span>` : nothing}</legend>
      <p class="hint" id="${o.id}-hint">${o.hint}</p>
      ${o.items.length
        ? html`<div class="checks-inline">
            ${o.items.map(
              ([value, label], i) => html`<div class="field checkbox">
                <input type="checkbox" id="${o.id}-${value}" name=${o.id} .checked=${live(o.chosen.has(value))}
                  aria-invalid=${o.error && i === 0 ? "true" : "false"} aria-describedby=${described}
                  @change=${(e: Event) => o.toggle(value, (e.target as HTMLInputElement).checked)} />
                <label for="${o.id}-${value}">${label}</label>
              </div>`,
            )}
          </div>`
        : html`<p class="muted">${o.empty}</p>`}
      <div class="field-error" id="${o.id}-error" aria-live="polite">${o.error ?? ""}</div>
    </fieldset>`;
  }
}
