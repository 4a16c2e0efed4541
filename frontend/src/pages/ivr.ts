/**
 * IVR menus (admin, IVR-01..04, IVR-07, IVR-08, SCH-07): numbers that answer with a welcome prompt
 * and send the caller where the key they press points. The list shows each menu's name, number,
 * language, what each key does (or that callers dial an extension directly) and what happens when
 * nobody presses a key; "New menu" and "Edit" open the form (name, number, language, opening hours
 * from a schedule, welcome prompt, direct dialling, one row per key with its action and target,
 * timeout, retries, invalid-input prompt, the timeout destination, and the dial plan's blocking
 * groups that limit the outside numbers it may send callers to, BAR-04). The form checks what it can before sending; the server's
 * refusals (a number someone else has, a target nobody answers ...) are shown next to their fields,
 * an option's by its key (``options.1.target``). Deleting asks first. Administrators also choose the
 * user groups that administer a menu (ROLE-04, IVR-06): their members find the page under "Group
 * administration" with just those menus, and change them, but create and delete none and choose
 * neither the blocking groups nor who administers a menu; the opening hours stay as they are (the
 * schedules are the administrators').
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { CrudPage, checkList, toggled, type Column } from "../crud-page";
import { checkboxField, focusWhenRendered, selectField, textField } from "../forms";
import { blockingGroupsField } from "../components/blocking-groups";
import { t } from "../i18n";
import {
  DIALPLAN,
  KINDS,
  MAX_RETRIES,
  MAX_TIMEOUT_S,
  MENUS,
  MENU_LANGUAGES,
  MIN_TIMEOUT_S,
  bodyOf,
  destinationText,
  draftErrors,
  draftOf,
  emptyDraft,
  freeKey,
  keysFor,
  kindLabel,
  languageText,
  needsTarget,
  optionLines,
  timeoutLabel,
  type BlockingGroupRef,
  type Draft,
  type IvrMenu,
  type Kind,
  type OptionDraft,
  type TimeoutKind,
} from "../ivr";
import { scheduleField } from "../schedule-field";
import type { Schedule } from "../schedules";
import { schemaFieldView } from "../schema-form";
import { session } from "../session";
import type { Group } from "../types";

/** The API's field of each draft field whose message goes when it changes. */
const FIELD_OF: Record<Exclude<keyof Draft, "options" | "timeoutKind" | "timeoutTarget">, string> = {
  name: "name",
  number: "number",
  language: "language",
  welcomePrompt: "welcome_prompt",
  directDial: "direct_dial",
  timeoutS: "timeout_s",
  retries: "retries",
  invalidPrompt: "invalid_prompt",
  excludeFromSearch: "exclude_from_search",
  displayText: "display_text",
  keepDerivedMetadata: "keep_derived_metadata",
  blockingGroups: "blocking_groups",
  scheduleId: "schedule_id",
  adminGroups: "admin_groups",
};

/** What "when nobody presses a key" offers: goodbye (and hang up), a number or a mailbox. */
const TIMEOUT_KINDS: TimeoutKind[] = ["goodbye", "number", "voicemail"];

@customElement("cb-ivr-menus")
export class CbIvrMenus extends CrudPage<IvrMenu, Draft> {
  @state() private blockingGroups: BlockingGroupRef[] = [];
  /** For an administrator's "Administered by"; a group administrator's form has none. */
  @state() private userGroups: Group[] = [];
  /** SCH-07: for an administrator's "Opening hours"; a group administrator may not list them. */
  @state() private schedules: Schedule[] = [];

  protected readonly crud = {
    url: MENUS,
    ns: "ivr",
    prefix: "ivr",
    editIds: true,
    testIds: { page: "ivr", list: "ivr-menus", row: "ivr-menu", form: "ivr-form" },
    offAdmin: "ivr.offAdmin",
    emptyDraft,
    draftErrors,
    bodyOf,
  } as const;

  protected async fetchEntries(): Promise<IvrMenu[]> {
    // ROLE-04: a group administrator may read neither the dial plan nor the schedules, nor choose
    // who administers.
    const admin = session.isAdmin;
    const [menus, plan, userGroups, schedules] = await Promise.all([
      api.get<IvrMenu[]>(MENUS),
      admin ? api.get<{ blocking_groups?: BlockingGroupRef[] }>(DIALPLAN) : Promise.resolve({ blocking_groups: [] }),
      admin ? api.get<Group[]>("/api/groups") : Promise.resolve([]),
      admin ? api.get<Schedule[]>("/api/schedules") : Promise.resolve([]),
    ]);
    this.blockingGroups = plan.blocking_groups ?? [];
    this.userGroups = userGroups;
    this.schedules = schedules;
    return menus;
  }

  protected draftOf(menu: IvrMenu): Draft {
    const userGroups = session.isAdmin ? new Set(this.userGroups.map((g) => g.id)) : null;
    return draftOf(
      menu,
      new Set(this.blockingGroups.map((g) => g.id)),
      userGroups,
      new Set(this.schedules.map((s) => s.id)),
    );
  }

  /** ROLE-04, IVR-06: a group administrator changes menus but neither creates nor deletes them. */
  protected override get mayAddAndDelete(): boolean {
    return session.isAdmin;
  }

  /** Change a field; its message goes (the form's stays until the next save). */
  private set<K extends keyof typeof FIELD_OF>(key: K, value: Draft[K]): void {
    this.change({ [key]: value } as Partial<Draft>, FIELD_OF[key]);
  }

  private setTimeout(change: Partial<Pick<Draft, "timeoutKind" | "timeoutTarget">>): void {
    this.change(change, "timeout_destination");
  }

  private setOptions(options: OptionDraft[], ...touched: string[]): void {
    this.change({ options }, "options", ...touched.map((key) => `options.${key}`));
  }

  private changeOption(index: number, change: Partial<OptionDraft>): void {
    const options = this.draft?.options;
    const old = options?.[index];
    if (!options || !old) return;
    const next = { ...old, ...change };
    if (!needsTarget(next.kind)) next.target = "";
    this.setOptions(
      options.map((o, i) => (i === index ? next : o)),
      old.key,
      next.key,
    );
  }

  private addOption(): void {
    const options = this.draft?.options;
    const key = options ? freeKey(options) : null;
    if (!options || key === null) return;
    this.setOptions([...options, { key, kind: "number", target: "" }]);
    void focusWhenRendered(this, `#ivr-opt-${options.length}-key`);
  }

  private removeOption(index: number): void {
    const options = this.draft?.options;
    const gone = options?.[index];
    if (!options || !gone) return;
    this.setOptions(
      options.filter((_, i) => i !== index),
      gone.key,
    );
    void focusWhenRendered(this, options.length > 1 ? `#ivr-opt-${Math.max(0, index - 1)}-key` : "#ivr-add-option");
  }

  protected columns(): Array<Column<IvrMenu>> {
    return [
      { label: t("ivr.name"), testId: "ivr-name", cell: (m) => m.name },
      { label: t("ivr.number"), num: true, testId: "ivr-number", cell: (m) => m.number },
      { label: t("ivr.language"), testId: "ivr-language", cell: (m) => languageText(m.language) },
      { label: t("ivr.keys"), testId: "ivr-keys", cell: (m) => this.keysCell(m) },
      {
        label: t("ivr.noKey"),
        testId: "ivr-timeout",
        cell: (m) => html`<div>
          ${destinationText(m.timeout_destination)}
          <div class="muted small">${t("ivr.timeoutSummary", { seconds: m.timeout_s, retries: m.retries })}</div>
        </div>`,
      },
    ];
  }

  private keysCell(m: IvrMenu): TemplateResult {
    if (m.direct_dial) return html`<span class="badge ok" data-testid="ivr-direct-dial">${t("ivr.directDialBadge")}</span>`;
    const lines = optionLines(m);
    return lines.length
      ? html`<div>${lines.map((line) => html`<div class="small" data-testid="ivr-key">${line}</div>`)}</div>`
      : html`<span class="muted">${t("ivr.noOptions")}</span>`;
  }

  /** A select of the organisation's and the system's prompts (the one the settings forms use). */
  private promptField(id: string, label: string, hint: string, value: string, field: "welcomePrompt" | "invalidPrompt"): TemplateResult {
    return schemaFieldView({
      id,
      field: { type: "string", format: "prompt" },
      label,
      hint,
      value,
      required: true,
      error: this.errors[FIELD_OF[field]],
      onChange: (v) => this.set(field, String(v ?? "")),
    });
  }

  protected fields(d: Draft): TemplateResult {
    const timeoutKinds = TIMEOUT_KINDS.includes(d.timeoutKind) ? TIMEOUT_KINDS : [...TIMEOUT_KINDS, d.timeoutKind];
    return html`<div class="grid three">
      ${textField({ id: "ivr-name", label: t("ivr.name"), value: d.name, required: true, error: this.errors["name"],
        autocomplete: "off", onInput: (v) => this.set("name", v) })}
      ${textField({ id: "ivr-number", label: t("ivr.number"), value: d.number, required: true, error: this.errors["number"],
        hint: t("ivr.numberHint"), inputmode: "tel", autocomplete: "off", onInput: (v) => this.set("number", v) })}
      ${selectField({
        id: "ivr-language",
        label: t("ivr.language"),
        value: d.language,
        options: [["", t("ivr.callersLanguage")], ...MENU_LANGUAGES.map((l): [string, string] => [l, languageText(l)])],
        error: this.errors["language"],
        hint: t("ivr.languageHint"),
        onInput: (v) => this.set("language", v),
      })}
    </div>
    ${d.adminGroups
      ? scheduleField({
          id: "ivr-schedule",
          label: t("ivr.schedule"),
          alwaysOpen: t("ivr.alwaysOpen"),
          hint: t("ivr.scheduleHint"),
          value: d.scheduleId,
          schedules: this.schedules,
          error: this.errors["schedule_id"],
          onInput: (v) => this.set("scheduleId", v),
        })
      : nothing}
    ${this.promptField("ivr-welcome", t("ivr.welcomePrompt"), t("ivr.welcomePromptHint"), d.welcomePrompt, "welcomePrompt")}
    ${checkboxField({
      id: "ivr-direct-dial",
      label: t("ivr.directDial"),
      checked: d.directDial,
      hint: t("ivr.directDialHint"),
      error: this.errors["direct_dial"],
      onChange: (on) => this.set("directDial", on),
    })}
    ${d.directDial
      ? html`<p class="notice" data-testid="ivr-direct-dial-note">${t("ivr.directDialNote")}</p>`
      : this.optionsView(d)}
    <fieldset data-testid="ivr-no-key">
      <legend>${t("ivr.noKey")}</legend>
      <div class="grid two">
        ${textField({ id: "ivr-timeout", label: t("ivr.timeoutS"), value: d.timeoutS, type: "number", min: MIN_TIMEOUT_S,
          max: MAX_TIMEOUT_S, step: "1", required: true, error: this.errors["timeout_s"], hint: t("ivr.timeoutHint"),
          onInput: (v) => this.set("timeoutS", v) })}
        ${textField({ id: "ivr-retries", label: t("ivr.retries"), value: d.retries, type: "number", min: 0, max: MAX_RETRIES,
          step: "1", required: true, error: this.errors["retries"], hint: t("ivr.retriesHint"),
          onInput: (v) => this.set("retries", v) })}
      </div>
      ${this.promptField("ivr-invalid-prompt", t("ivr.invalidPrompt"), t("ivr.invalidPromptHint"), d.invalidPrompt, "invalidPrompt")}
      <div class="grid two">
        ${selectField({
          id: "ivr-timeout-kind",
          label: t("ivr.timeoutDestination"),
          value: d.timeoutKind,
          options: timeoutKinds.map((kind): [string, string] => [kind, timeoutLabel(kind)]),
          error: this.errors["timeout_destination"] ?? this.errors["timeout_destination.kind"],
          hint: t("ivr.timeoutDestinationHint"),
          onInput: (v) => this.setTimeout({ timeoutKind: v as TimeoutKind }),
        })}
        ${needsTarget(d.timeoutKind)
          ? textField({ id: "ivr-timeout-target", label: this.targetLabel(d.timeoutKind), value: d.timeoutTarget, required: true,
              error: this.errors["timeout_destination.target"], inputmode: "tel", autocomplete: "off",
              onInput: (v) => this.setTimeout({ timeoutTarget: v }) })
          : nothing}
      </div>
    </fieldset>
    ${checkboxField({
      id: "ivr-exclude",
      label: t("ivr.excludeFromSearch"),
      checked: d.excludeFromSearch,
      hint: t("ivr.excludeFromSearchHint"),
      error: this.errors["exclude_from_search"],
      onChange: (on) => this.set("excludeFromSearch", on),
    })}
    ${textField({ id: "ivr-display-text", label: t("ivr.displayText"), value: d.displayText, error: this.errors["display_text"],
      hint: t("ivr.displayTextHint"), autocomplete: "off", onInput: (v) => this.set("displayText", v) })}
    ${checkboxField({
      id: "ivr-keep-derived",
      label: t("ivr.keepDerivedMetadata"),
      checked: d.keepDerivedMetadata,
      hint: t("ivr.keepDerivedMetadataHint"),
      error: this.errors["keep_derived_metadata"],
      onChange: (on) => this.set("keepDerivedMetadata", on),
    })}
    ${d.adminGroups ? this.blockingGroupsField(d) : nothing}
    ${this.adminGroupsField(d.adminGroups)}`;
  }

  /** ROLE-04, IVR-06: only an administrator's form chooses who administers the menu. */
  private adminGroupsField(chosen: Set<number> | null): TemplateResult | typeof nothing {
    if (!chosen) return nothing;
    return checkList({
      id: "ivr-admin-groups",
      legend: t("ivr.adminGroups"),
      hint: t("ivr.adminGroupsHint"),
      items: this.userGroups.map((g) => [g.id, g.name]),
      chosen,
      toggle: (id, on) => this.set("adminGroups", toggled(chosen, id, on)),
      error: this.fieldError("admin_groups"),
      empty: t("ivr.noUserGroups"),
    });
  }

  /** BAR-04 (administrators): the dial plan's blocking groups to tick. */
  private blockingGroupsField(d: Draft): TemplateResult {
    return blockingGroupsField({
      prefix: "ivr",
      groups: this.blockingGroups,
      chosen: d.blockingGroups,
      toggle: (id, on) => this.set("blockingGroups", toggled(d.blockingGroups, id, on)),
      hint: t("ivr.blockingGroupsHint"),
      error: this.fieldError("blocking_groups"),
    });
  }

  private targetLabel(kind: "number" | "voicemail"): string {
    return t(kind === "voicemail" ? "ivr.targetMailbox" : "ivr.targetNumber");
  }

  /** IVR-03: one row per key: the key, what it does, and the number or mailbox when it needs one. */
  private optionsView(d: Draft): TemplateResult {
    const options = d.options;
    const error = this.errors["options"];
    return html`<fieldset class=${error ? "has-error" : ""} data-testid="ivr-options" aria-describedby="ivr-options-hint ivr-options-error">
      <legend>${t("ivr.options")}</legend>
      <p class="hint" id="ivr-options-hint">${t("ivr.optionsHint")}</p>
      ${options.length ? nothing : html`<p class="muted" data-testid="ivr-no-options">${t("ivr.noOptionsYet")}</p>`}
      ${options.map((o, i) => this.optionRow(options, o, i))}
      <div class="field-error" id="ivr-options-error" aria-live="polite">${error ?? ""}</div>
      <div class="actions start">
        <button type="button" class="secondary small" id="ivr-add-option" ?disabled=${freeKey(options) === null}
          @click=${() => this.addOption()}>${t("ivr.addOption")}</button>
      </div>
    </fieldset>`;
  }

  private optionRow(options: OptionDraft[], o: OptionDraft, i: number): TemplateResult {
    const id = `ivr-opt-${i}`;
    const field = `options.${o.key}`;
    return html`<fieldset data-testid="ivr-option" data-key=${o.key}>
      <legend>${t("ivr.optionLegend", { key: o.key })}</legend>
      <div class="grid three">
        ${selectField({
          id: `${id}-key`,
          label: t("ivr.key"),
          value: o.key,
          options: keysFor(options, i).map((key): [string, string] => [key, key]),
          error: this.errors[field],
          onInput: (v) => this.changeOption(i, { key: v }),
        })}
        ${selectField({
          id: `${id}-kind`,
          label: t("ivr.action"),
          value: o.kind,
          options: KINDS.map((kind): [string, string] => [kind, kindLabel(kind)]),
          error: this.errors[`${field}.kind`],
          onInput: (v) => this.changeOption(i, { kind: v as Kind }),
        })}
        ${needsTarget(o.kind)
          ? textField({ id: `${id}-target`, label: this.targetLabel(o.kind), value: o.target, required: true,
              error: this.errors[`${field}.target`], inputmode: "tel", autocomplete: "off",
              onInput: (v) => this.changeOption(i, { target: v }) })
          : nothing}
      </div>
      <div class="actions start">
        <button type="button" class="danger small" aria-label=${t("ivr.removeOption", { key: o.key })}
          @click=${() => this.removeOption(i)}>${t("ivr.remove")}</button>
      </div>
    </fieldset>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "cb-ivr-menus": CbIvrMenus;
  }
}
