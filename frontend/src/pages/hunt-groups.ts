/**
 * Hunt groups (admin, HG-01..06, HG-08, FC-16): numbers that ring the users of chosen user groups,
 * all at once or one after another, and then a fallback number. The list shows each group's name,
 * number, distribution, the phones that ring and members; "New hunt group" and "Edit" open the form
 * (name, number, feature-code identifier, the user groups whose users are the members, distribution
 * and ring length, fallback, which of the members' phones ring, opening hours from a schedule,
 * excluded activities and roles, the blocking groups of the dial plan that limit the outside numbers it
 * may send callers to, BAR-04). The form checks what it can before sending; the server's refusals
 * (a number someone else has ...) are shown next to their fields. Deleting asks first.
 * Administrators also choose the user groups that administer a hunt group (ROLE-04): their members
 * find the page under "Group administration" with just those groups, and change them, but create
 * and delete none and choose neither the blocking groups nor who administers a group; the opening
 * hours stay as they are (the schedules are the administrators').
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { CrudPage, checkList, toggled, type Column } from "../crud-page";
import { checkboxField, selectField, textField } from "../forms";
import {
  DIALPLAN,
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
  type BlockingGroupRef,
  type Distribution,
  type Draft,
  type HuntGroup,
} from "../hunt-groups";
import { blockingGroupsField } from "../components/blocking-groups";
import { t } from "../i18n";
import { labelOf, type Activity, type Role } from "../presence";
import { scheduleField } from "../schedule-field";
import type { Schedule } from "../schedules";
import { session } from "../session";
import type { Group } from "../types";

@customElement("cb-hunt-groups")
export class CbHuntGroups extends CrudPage<HuntGroup, Draft> {
  @state() private userGroups: Group[] = [];
  @state() private activities: Activity[] = [];
  @state() private roles: Role[] = [];
  @state() private schedules: Schedule[] = [];
  @state() private blockingGroups: BlockingGroupRef[] = [];

  protected readonly crud = {
    url: "/api/hunt_groups/groups",
    ns: "huntGroups",
    prefix: "hg",
    editIds: true,
    testIds: { page: "hunt-groups", row: "hunt-group", form: "hunt-group-form" },
    offAdmin: "huntGroups.offAdmin",
    emptyDraft,
    draftErrors,
    bodyOf,
  } as const;

  protected async fetchEntries(): Promise<HuntGroup[]> {
    // ROLE-04: the schedules and the dial plan are for administrators only.
    const admin = session.isAdmin;
    const [groups, userGroups, activities, roles, schedules, plan] = await Promise.all([
      api.get<HuntGroup[]>(this.crud.url),
      api.get<Group[]>("/api/groups"),
      api.get<Activity[]>("/api/presence/activities"),
      api.get<Role[]>("/api/presence/roles"),
      admin ? api.get<Schedule[]>("/api/schedules") : Promise.resolve([]),
      admin ? api.get<{ blocking_groups?: BlockingGroupRef[] }>(DIALPLAN) : Promise.resolve({ blocking_groups: [] }),
    ]);
    [this.userGroups, this.activities, this.roles, this.schedules] = [userGroups, activities, roles, schedules];
    this.blockingGroups = plan.blocking_groups ?? [];
    return groups;
  }

  protected draftOf(group: HuntGroup): Draft {
    return draftOf(group, {
      userGroups: new Set(this.userGroups.map((g) => g.id)),
      activities: new Set(this.activities.map((a) => a.id)),
      roles: new Set(this.roles.map((r) => r.id)),
      schedules: new Set(this.schedules.map((s) => s.id)),
      blockingGroups: new Set(this.blockingGroups.map((g) => g.id)),
      groupAdmin: !session.isAdmin,
    });
  }

  /** ROLE-04: a group administrator changes hunt groups but neither creates nor deletes them. */
  protected override get mayAddAndDelete(): boolean {
    return session.isAdmin;
  }

  /** Change a field; its message goes (the form's stays until the next save). */
  private set<K extends keyof Draft>(key: K, value: Draft[K]): void {
    this.change({ [key]: value } as Partial<Draft>, FIELD_OF[key]);
  }

  protected columns(): Array<Column<HuntGroup>> {
    return [
      { label: t("huntGroups.name"), testId: "hg-name", cell: (g) => g.name },
      { label: t("huntGroups.number"), num: true, testId: "hg-number", cell: (g) => g.number },
      {
        label: t("huntGroups.distribution"),
        testId: "hg-distribution",
        cell: (g) => html`<div>
          ${distributionText(g.distribution)}
          <div class="muted small">${t("huntGroups.ringFor", { seconds: g.ring_s })}</div>
          <div class="muted small" data-testid="hg-phone-types">${phoneTypesText(g.phone_types)}</div>
        </div>`,
      },
      {
        label: t("huntGroups.members"),
        testId: "hg-members",
        cell: (g) => html`<div>
          ${memberCountText(g.members.length)}
          ${g.members.length ? html`<div class="muted small">${membersText(g.members)}</div>` : nothing}
        </div>`,
      },
      { label: t("huntGroups.fallback"), num: true, cell: (g) => g.fallback ?? html`<span class="muted">${t("common.none")}</span>` },
    ];
  }

  protected fields(d: Draft): TemplateResult {
    const editing = this.editing;
    const ring = d.distribution === "sequential" ? "huntGroups.ringHintSequential" : "huntGroups.ringHintParallel";
    return html`<div class="grid three">
      ${textField({ id: "hg-name", label: t("huntGroups.name"), value: d.name, required: true, error: this.errors["name"],
        autocomplete: "off", onInput: (v) => this.set("name", v) })}
      ${textField({ id: "hg-number", label: t("huntGroups.number"), value: d.number, required: true, error: this.errors["number"],
        hint: t("huntGroups.numberHint"), inputmode: "tel", autocomplete: "off", onInput: (v) => this.set("number", v) })}
      ${textField({ id: "hg-identifier", label: t("huntGroups.identifier"), value: d.identifier, error: this.errors["identifier"],
        hint: t("huntGroups.identifierHint"), inputmode: "numeric", autocomplete: "off", onInput: (v) => this.set("identifier", v) })}
    </div>
    ${checkList({
      id: "hg-user-groups",
      legend: t("huntGroups.userGroups"),
      hint: t("huntGroups.userGroupsHint"),
      items: this.userGroups.map((g) => [g.id, g.name]),
      chosen: d.userGroups,
      toggle: (id, on) => this.set("userGroups", toggled(d.userGroups, id, on)),
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
    ${checkList({
      id: "hg-phone-types",
      legend: t("huntGroups.phoneTypes"),
      hint: t("huntGroups.phoneTypesHint"),
      items: PHONE_TYPES.map((type) => [type, phoneTypeLabel(type)]),
      chosen: d.phoneTypes,
      toggle: (type, on) => this.set("phoneTypes", toggled(d.phoneTypes, type, on)),
      error: this.fieldError("phone_types"),
      required: true,
    })}
    ${d.adminGroups
      ? scheduleField({
          id: "hg-schedule",
          label: t("huntGroups.schedule"),
          alwaysOpen: t("huntGroups.alwaysOpen"),
          hint: t("huntGroups.scheduleHint"),
          value: d.scheduleId,
          schedules: this.schedules,
          error: this.errors["schedule_id"],
          onInput: (v) => this.set("scheduleId", v),
        })
      : nothing}
    <div class="grid two">
      ${checkList({
        id: "hg-activities",
        legend: t("huntGroups.excludedActivities"),
        hint: t("huntGroups.excludedActivitiesHint"),
        items: this.activities.map((a) => [a.id, labelOf(a)]),
        chosen: d.excludedActivities,
        toggle: (id, on) => this.set("excludedActivities", toggled(d.excludedActivities, id, on)),
        error: this.fieldError("excluded_activities"),
        empty: t("huntGroups.noActivities"),
      })}
      ${checkList({
        id: "hg-roles",
        legend: t("huntGroups.excludedRoles"),
        hint: t("huntGroups.excludedRolesHint"),
        items: this.roles.map((r) => [r.id, labelOf(r)]),
        chosen: d.excludedRoles,
        toggle: (id, on) => this.set("excludedRoles", toggled(d.excludedRoles, id, on)),
        error: this.fieldError("excluded_roles"),
        empty: t("huntGroups.noRoles"),
      })}
    </div>
    ${d.adminGroups ? this.blockingGroupsField(d) : nothing}
    ${checkboxField({ id: "hg-exclude", label: t("huntGroups.excludeFromSearch"), hint: t("huntGroups.excludeFromSearchHint"),
      checked: d.excludeFromSearch, error: this.errors["exclude_from_search"], onChange: (v) => this.set("excludeFromSearch", v) })}
    ${textField({ id: "hg-display-text", label: t("huntGroups.displayText"), value: d.displayText, error: this.errors["display_text"],
      hint: t("huntGroups.displayTextHint"), autocomplete: "off", onInput: (v) => this.set("displayText", v) })}
    ${checkboxField({ id: "hg-keep-derived", label: t("huntGroups.keepDerivedMetadata"), hint: t("huntGroups.keepDerivedMetadataHint"),
      checked: d.keepDerivedMetadata, error: this.errors["keep_derived_metadata"], onChange: (v) => this.set("keepDerivedMetadata", v) })}
    ${this.adminGroupsField(d.adminGroups)}`;
  }

  /** ROLE-04: only an administrator's form chooses who administers the hunt group. */
  private adminGroupsField(chosen: Set<number> | null): TemplateResult | typeof nothing {
    if (!chosen) return nothing;
    return checkList({
      id: "hg-admin-groups",
      legend: t("huntGroups.adminGroups"),
      hint: t("huntGroups.adminGroupsHint"),
      items: this.userGroups.map((g) => [g.id, g.name]),
      chosen,
      toggle: (id, on) => this.set("adminGroups", toggled(chosen, id, on)),
      error: this.fieldError("admin_groups"),
      empty: t("huntGroups.noUserGroups"),
    });
  }

  /** BAR-04 (administrators): the dial plan's blocking groups to tick. */
  private blockingGroupsField(d: Draft): TemplateResult {
    return blockingGroupsField({
      prefix: "hg",
      groups: this.blockingGroups,
      chosen: d.blockingGroups,
      toggle: (id, on) => this.set("blockingGroups", toggled(d.blockingGroups, id, on)),
      hint: t("huntGroups.blockingGroupsHint"),
      error: this.fieldError("blocking_groups"),
    });
  }
}
