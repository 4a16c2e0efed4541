/**
 * Switches & announcements (admin, AA-03, AA-04, CAPA-14): two lists on one page. A virtual switch
 * sends its callers to one number while on and to another while off: the list shows its state with
 * a one-click On/Off button, where each state goes, who set it last and whether it is locked (with
 * a Lock/Unlock button); the form sets the name, number, state, both destinations, the user groups
 * whose members may set it by phone and the lock. An announcement answers, plays a prompt and then
 * hands the caller on or hangs up; its list and form work the same way. The forms check what they
 * can before sending; the server's refusals are shown next to their fields. Deleting asks first.
 * Administrators also choose the user groups that administer an element (ROLE-04): their members
 * find the page under "Group administration" with just those elements, and change, switch and
 * lock them, but create and delete none.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, pageHeading } from "../base";
import { CrudPage, checkList, toggled, type Column } from "../crud-page";
import {
  ANNOUNCEMENTS,
  ANNOUNCEMENT_FIELD_OF,
  SWITCHES,
  SWITCH_CODE,
  SWITCH_CODE_KEY,
  SWITCH_FIELD_OF,
  announcementBodyOf,
  announcementDraftErrors,
  announcementDraftOf,
  emptyAnnouncementDraft,
  emptySwitchDraft,
  switchBodyOf,
  switchCodes,
  switchDraftErrors,
  switchDraftOf,
  type Announcement,
  type AnnouncementDraft,
  type FlowSwitch,
  type SwitchDraft,
} from "../flow-elements";
import type { FeatureCodeList } from "../feature-codes";
import { checkboxField, textField } from "../forms";
import { t } from "../i18n";
import { schemaFieldView } from "../schema-form";
import { session, toast } from "../session";
import type { Group } from "../types";

/** ROLE-04: the user groups whose members may administer an element; administrators' forms only. */
function adminGroupsField(o: {
  id: string;
  hint: string;
  userGroups: Group[];
  chosen: Set<number> | null;
  change: (chosen: Set<number>) => void;
  error: string | undefined;
}): TemplateResult | typeof nothing {
  const chosen = o.chosen;
  if (!chosen) return nothing;
  return checkList({
    id: o.id,
    legend: t("flowElements.adminGroups"),
    hint: o.hint,
    items: o.userGroups.map((g) => [g.id, g.name]),
    chosen,
    toggle: (id, on) => o.change(toggled(chosen, id, on)),
    error: o.error,
    empty: t("flowSwitches.noUserGroups"),
  });
}

function lockedBadge(locked: boolean): TemplateResult {
  return locked
    ? html`<span class="badge bad" data-testid="fe-locked">${t("flowElements.lockedBadge")}</span>`
    : html`<span class="badge ok" data-testid="fe-unlocked">${t("flowElements.unlockedBadge")}</span>`;
}

@customElement("cb-flow-switches")
export class CbFlowSwitches extends CrudPage<FlowSwitch, SwitchDraft> {
  @state() private userGroups: Group[] = [];
  /** The switch code's digits now (an administrator may have changed them on Feature codes). */
  @state() private codeDigits = SWITCH_CODE;

  protected readonly crud = {
    url: SWITCHES,
    ns: "flowSwitches",
    prefix: "fs",
    editIds: true,
    subsection: true,
    testIds: { page: "flow-switches", row: "flow-switch", form: "flow-switch-form" },
    offAdmin: "flowElements.offAdmin",
    emptyDraft: emptySwitchDraft,
    draftErrors: switchDraftErrors,
    bodyOf: switchBodyOf,
  } as const;

  protected async fetchEntries(): Promise<FlowSwitch[]> {
    const [switches, userGroups, codes] = await Promise.all([
      api.get<FlowSwitch[]>(SWITCHES),
      api.get<Group[]>("/api/groups"),
      api.get<FeatureCodeList>("/api/feature-codes"),
    ]);
    this.userGroups = userGroups;
    this.codeDigits = codes.codes.find((c) => c.key === SWITCH_CODE_KEY)?.code ?? SWITCH_CODE;
    return switches;
  }

  protected draftOf(entry: FlowSwitch): SwitchDraft {
    return switchDraftOf(entry, new Set(this.userGroups.map((g) => g.id)), session.isAdmin);
  }

  /** ROLE-04: a group administrator changes elements but neither creates nor deletes them. */
  protected override get mayAddAndDelete(): boolean {
    return session.isAdmin;
  }

  private set<K extends keyof SwitchDraft>(key: K, value: SwitchDraft[K]): void {
    this.change({ [key]: value } as Partial<SwitchDraft>, SWITCH_FIELD_OF[key]);
  }

  /** AA-04: one click turns the switch on or off. */
  private async setState(entry: FlowSwitch, on: boolean): Promise<void> {
    try {
      await api.post<FlowSwitch>(`${SWITCHES}/${entry.id}/state`, { on });
      toast(t(on ? "flowSwitches.turnedOn" : "flowSwitches.turnedOff", { name: entry.name }));
      await this.load(false);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private async setLocked(entry: FlowSwitch, locked: boolean): Promise<void> {
    try {
      await api.post<FlowSwitch>(`${SWITCHES}/${entry.id}/lock`, { locked });
      toast(t(locked ? "flowElements.lockedToast" : "flowElements.unlockedToast", { name: entry.name }));
      await this.load(false);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private groupNames(ids: number[]): string {
    const names = this.userGroups.filter((g) => ids.includes(g.id)).map((g) => g.name);
    return names.length ? names.join(", ") : t("flowSwitches.adminsOnly");
  }

  protected columns(): Array<Column<FlowSwitch>> {
    return [
      { label: t("flowElements.name"), testId: "fs-name", cell: (s) => s.name },
      { label: t("flowElements.number"), num: true, testId: "fs-number", cell: (s) => s.number },
      {
        label: t("flowSwitches.state"),
        testId: "fs-state",
        cell: (s) => html`<div class="entry-badges">
          <span class="badge ${s.on ? "ok" : "warn"}" data-testid="fs-state-badge">${t(s.on ? "flowSwitches.stateOn" : "flowSwitches.stateOff")}</span>
          <button type="button" class="secondary small" data-testid="fs-toggle"
            aria-label=${t(s.on ? "flowSwitches.turnOffFor" : "flowSwitches.turnOnFor", { name: s.name })}
            @click=${() => void this.setState(s, !s.on)}>${t(s.on ? "flowSwitches.turnOff" : "flowSwitches.turnOn")}</button>
        </div>`,
      },
      {
        label: t("flowSwitches.targets"),
        testId: "fs-targets",
        cell: (s) => html`<div>
          <div class=${s.on ? "" : "muted"}>${t("flowSwitches.whileOn", { number: s.on_target })}</div>
          <div class=${s.on ? "muted" : ""}>${t("flowSwitches.whileOff", { number: s.off_target })}</div>
          ${s.changed_by ? html`<div class="muted small">${t("flowSwitches.changedBy", { who: s.changed_by })}</div>` : nothing}
        </div>`,
      },
      {
        label: t("flowSwitches.operators"),
        cell: (s) => html`<div>
          ${this.groupNames(s.operator_groups)}
          <div class="muted small">${t("flowSwitches.codes", switchCodes(s.number, this.codeDigits))}</div>
        </div>`,
      },
      {
        label: t("flowElements.locked"),
        testId: "fs-lock",
        cell: (s) => html`<div class="entry-badges">
          ${lockedBadge(s.locked)}
          <button type="button" class="secondary small" data-testid="fs-lock-toggle"
            aria-label=${t(s.locked ? "flowElements.unlockFor" : "flowElements.lockFor", { name: s.name })}
            @click=${() => void this.setLocked(s, !s.locked)}>${t(s.locked ? "flowElements.unlock" : "flowElements.lock")}</button>
        </div>`,
      },
    ];
  }

  protected fields(d: SwitchDraft): TemplateResult {
    return html`<div class="grid three">
        ${textField({ id: "fs-name", label: t("flowElements.name"), value: d.name, required: true, error: this.errors["name"],
          autocomplete: "off", onInput: (v) => this.set("name", v) })}
        ${textField({ id: "fs-number", label: t("flowElements.number"), value: d.number, required: true, error: this.errors["number"],
          hint: t("flowElements.numberHint"), inputmode: "tel", autocomplete: "off", onInput: (v) => this.set("number", v) })}
        ${d.on === null
          ? nothing
          : checkboxField({ id: "fs-on", label: t("flowSwitches.isOn"), checked: d.on, hint: t("flowSwitches.isOnHint"),
              error: this.errors["on"], onChange: (on) => this.set("on", on) })}
      </div>
      <div class="grid two">
        ${textField({ id: "fs-on-target", label: t("flowSwitches.onTarget"), value: d.onTarget, required: true,
          error: this.errors["on_target"], hint: t("flowSwitches.targetHint"), inputmode: "tel", autocomplete: "off",
          onInput: (v) => this.set("onTarget", v) })}
        ${textField({ id: "fs-off-target", label: t("flowSwitches.offTarget"), value: d.offTarget, required: true,
          error: this.errors["off_target"], hint: t("flowSwitches.targetHint"), inputmode: "tel", autocomplete: "off",
          onInput: (v) => this.set("offTarget", v) })}
      </div>
      ${checkList({
        id: "fs-operators",
        legend: t("flowSwitches.operators"),
        hint: t("flowSwitches.operatorsHint"),
        items: this.userGroups.map((g) => [g.id, g.name]),
        chosen: d.operatorGroups,
        toggle: (id, on) => this.set("operatorGroups", toggled(d.operatorGroups, id, on)),
        error: this.fieldError("operator_groups"),
        empty: t("flowSwitches.noUserGroups"),
      })}
      ${checkboxField({ id: "fs-locked", label: t("flowElements.locked"), checked: d.locked, hint: t("flowElements.lockedHint"),
        error: this.errors["locked"], onChange: (locked) => this.set("locked", locked) })}
      ${adminGroupsField({ id: "fs-admin-groups", hint: t("flowSwitches.adminGroupsHint"), userGroups: this.userGroups,
        chosen: d.adminGroups, change: (chosen) => this.set("adminGroups", chosen), error: this.fieldError("admin_groups") })}`;
  }
}

@customElement("cb-flow-announcements")
export class CbFlowAnnouncements extends CrudPage<Announcement, AnnouncementDraft> {
  /** For an administrator's "Administered by"; a group administrator's form has none. */
  @state() private userGroups: Group[] = [];

  protected readonly crud = {
    url: ANNOUNCEMENTS,
    ns: "flowAnnouncements",
    prefix: "fa",
    editIds: true,
    subsection: true,
    testIds: { page: "flow-announcements", row: "flow-announcement", form: "flow-announcement-form" },
    offAdmin: "flowElements.offAdmin",
    emptyDraft: emptyAnnouncementDraft,
    draftErrors: announcementDraftErrors,
    bodyOf: announcementBodyOf,
  } as const;

  protected async fetchEntries(): Promise<Announcement[]> {
    const [announcements, userGroups] = await Promise.all([
      api.get<Announcement[]>(ANNOUNCEMENTS),
      session.isAdmin ? api.get<Group[]>("/api/groups") : Promise.resolve([]),
    ]);
    this.userGroups = userGroups;
    return announcements;
  }

  protected draftOf(entry: Announcement): AnnouncementDraft {
    return announcementDraftOf(entry, new Set(this.userGroups.map((g) => g.id)), session.isAdmin);
  }

  /** ROLE-04: a group administrator changes elements but neither creates nor deletes them. */
  protected override get mayAddAndDelete(): boolean {
    return session.isAdmin;
  }

  private set<K extends keyof AnnouncementDraft>(key: K, value: AnnouncementDraft[K]): void {
    this.change({ [key]: value } as Partial<AnnouncementDraft>, ANNOUNCEMENT_FIELD_OF[key]);
  }

  private async setLocked(entry: Announcement, locked: boolean): Promise<void> {
    try {
      await api.post<Announcement>(`${ANNOUNCEMENTS}/${entry.id}/lock`, { locked });
      toast(t(locked ? "flowElements.lockedToast" : "flowElements.unlockedToast", { name: entry.name }));
      await this.load(false);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  protected columns(): Array<Column<Announcement>> {
    return [
      { label: t("flowElements.name"), testId: "fa-name", cell: (a) => a.name },
      { label: t("flowElements.number"), num: true, testId: "fa-number", cell: (a) => a.number },
      { label: t("flowAnnouncements.prompt"), testId: "fa-prompt", cell: (a) => a.prompt },
      {
        label: t("flowAnnouncements.then"),
        testId: "fa-then",
        cell: (a) => (a.next_number ? t("flowAnnouncements.thenNumber", { number: a.next_number }) : t("flowAnnouncements.hangUp")),
      },
      {
        label: t("flowElements.locked"),
        testId: "fa-lock",
        cell: (a) => html`<div class="entry-badges">
          ${lockedBadge(a.locked)}
          <button type="button" class="secondary small" data-testid="fa-lock-toggle"
            aria-label=${t(a.locked ? "flowElements.unlockFor" : "flowElements.lockFor", { name: a.name })}
            @click=${() => void this.setLocked(a, !a.locked)}>${t(a.locked ? "flowElements.unlock" : "flowElements.lock")}</button>
        </div>`,
      },
    ];
  }

  protected fields(d: AnnouncementDraft): TemplateResult {
    return html`<div class="grid two">
        ${textField({ id: "fa-name", label: t("flowElements.name"), value: d.name, required: true, error: this.errors["name"],
          autocomplete: "off", onInput: (v) => this.set("name", v) })}
        ${textField({ id: "fa-number", label: t("flowElements.number"), value: d.number, required: true, error: this.errors["number"],
          hint: t("flowElements.numberHint"), inputmode: "tel", autocomplete: "off", onInput: (v) => this.set("number", v) })}
      </div>
      ${schemaFieldView({
        id: "fa-prompt",
        field: { type: "string", format: "prompt" },
        label: t("flowAnnouncements.prompt"),
        hint: t("flowAnnouncements.promptHint"),
        value: d.prompt,
        required: true,
        error: this.errors["prompt"],
        onChange: (v) => this.set("prompt", String(v ?? "")),
      })}
      ${textField({ id: "fa-next", label: t("flowAnnouncements.nextNumber"), value: d.nextNumber, error: this.errors["next_number"],
        hint: t("flowAnnouncements.nextNumberHint"), inputmode: "tel", autocomplete: "off", onInput: (v) => this.set("nextNumber", v) })}
      ${checkboxField({ id: "fa-locked", label: t("flowElements.locked"), checked: d.locked, hint: t("flowElements.lockedHint"),
        error: this.errors["locked"], onChange: (locked) => this.set("locked", locked) })}
      ${adminGroupsField({ id: "fa-admin-groups", hint: t("flowAnnouncements.adminGroupsHint"), userGroups: this.userGroups,
        chosen: d.adminGroups, change: (chosen) => this.set("adminGroups", chosen), error: this.fieldError("admin_groups") })}`;
  }
}

/** The page: its heading, then the switches and the announcements. */
@customElement("cb-flow-elements")
export class CbFlowElements extends LightElement {
  protected override render(): TemplateResult {
    return html`<section class="page flow-elements-page">
      ${pageHeading(t("flowElements.title"))}
      <p class="muted">${t("flowElements.intro")}</p>
      <cb-flow-switches></cb-flow-switches>
      <cb-flow-announcements></cb-flow-announcements>
    </section>`;
  }
}
