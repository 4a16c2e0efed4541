/**
 * <cb-rule-editor>: create or change one routing rule (RTE-01..05): name, list (new rules), tier
 * (organisation and group rules), the conditions and the timed destinations with add / remove
 * rows. The destination kinds offered are ``kinds`` (RTE-05); the server's field errors
 * ("destinations.1.target") show next to their fields. Fires "saved" (detail: the rule) and "cancel".
 * A rule for rule-based numbers (RBN-01, list ``rule_numbers``) stays in its list, has no tier
 * (``tier: null`` is sent) and offers only the caller, the prefixes and the organisation's working
 * hours as conditions, and forwarding, busy or reject as destinations.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement } from "../base";
import { checkboxField, focusFirstError, focusWhenRendered, formError, selectField, sendForm, textField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { labelOf, type Activity, type Role } from "../presence";
import {
  CALLER_KINDS,
  CONTACT_PRESETS,
  DEST_KINDS,
  LISTS,
  MAX_DESTINATIONS,
  RULE_NUMBERS,
  TIERS,
  checkDraft,
  draftBody,
  draftConditions,
  draftDestinations,
  draftOf,
  errorFor,
  hasErrors,
  hasTier,
  kindsFor,
  movableLists,
  ruleSentence,
  type DestKind,
  type DestRow,
  type Draft,
  type Errors,
  type Names,
  type Rule,
  type RuleList,
  type Tier,
} from "../routing";
import { toast } from "../session";
import type { Scope } from "../types";

@customElement("cb-rule-editor")
export class CbRuleEditor extends LightElement {
  @property({ attribute: false }) scope: Scope = "user";
  @property({ attribute: false }) scopeId: number | null = null;
  /** The rule to change; null for a new one. */
  @property({ attribute: false }) rule: Rule | null = null;
  /** The list of a new rule (the editor offers ``lists``). */
  @property({ attribute: false }) list: RuleList = "incoming";
  @property({ attribute: false }) lists: RuleList[] = LISTS;
  @property({ attribute: false }) kinds: DestKind[] = DEST_KINDS;
  @property({ attribute: false }) activities: Activity[] = [];
  @property({ attribute: false }) roles: Role[] = [];
  @property({ attribute: false }) names: Names = { activities: new Map(), roles: new Map() };
  @property() idPrefix = "rule";

  @state() private draft: Draft = draftOf(null, "incoming");
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    const list = this.rule?.list ?? this.list;
    this.draft = draftOf(this.rule, list, kindsFor(list, this.kinds), this.scope === "user" ? "" : "overridable");
    void focusWhenRendered(this, `#${this.idPrefix}-name`);
  }

  /** RBN-01: a rule for rule-based numbers (its list is fixed: a new one is made from its card). */
  private get forRuleNumbers(): boolean {
    return this.draft.list === RULE_NUMBERS;
  }

  /** The destination kinds offered: the level's, or those of the rules for rule-based numbers. */
  private get allowedKinds(): DestKind[] {
    return kindsFor(this.draft.list, this.kinds);
  }

  private set(changes: Partial<Draft>, ...fields: string[]): void {
    this.draft = { ...this.draft, ...changes };
    if (fields.length) {
      const errors = { ...this.errors };
      for (const field of fields) for (const key of Object.keys(errors)) if (key === field || key.startsWith(`${field}.`)) errors[key] = null;
      this.errors = errors;
    }
  }

  private setRow(index: number, changes: Partial<DestRow>): void {
    const destinations = this.draft.destinations.map((row, i) => (i === index ? { ...row, ...changes } : row));
    this.set({ destinations }, ...Object.keys(changes).map((k) => `destinations.${index}.${k === "after" ? "after_s" : k}`), "destinations");
  }

  private addRow(): void {
    const last = this.draft.destinations[this.draft.destinations.length - 1];
    const after = last ? String(Math.min(Number(last.after) + 20 || 20, 600)) : "0";
    const kinds = this.allowedKinds;
    const kind = kinds.find((k) => k === "voicemail") ?? kinds[0] ?? "phones";
    this.set({ destinations: [...this.draft.destinations, { kind, after, target: "" }] }, "destinations");
    const index = this.draft.destinations.length - 1;
    void focusWhenRendered(this, `#${this.idPrefix}-dest-${index}-kind`);
  }

  private removeRow(index: number): void {
    // Errors of later rows would now sit on the wrong rows: they go, the server tells again.
    const errors = Object.fromEntries(Object.entries(this.errors).filter(([key]) => !key.startsWith("destinations")));
    this.errors = errors;
    this.set({ destinations: this.draft.destinations.filter((_, i) => i !== index) });
    void focusWhenRendered(this, `#${this.idPrefix}-add-dest`);
  }

  private cancel(): void {
    this.dispatchEvent(new CustomEvent("cancel", { bubbles: true }));
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    this.errors = checkDraft(this.draft, this.scope, this.allowedKinds);
    if (hasErrors(this.errors)) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    const body = draftBody(this.draft, this.scope);
    await sendForm(this, async () => {
      const saved = this.rule
        ? await api.patch<Rule>(`/api/routing/rules/${this.rule.id}`, body)
        : await api.post<Rule>("/api/routing/rules", { ...body, scope: this.scope, scope_id: this.scopeId, list: this.draft.list });
      toast(this.rule ? t("routing.saved", { name: saved.name }) : t("routing.created", { name: saved.name }));
      this.dispatchEvent(new CustomEvent<Rule>("saved", { detail: saved, bubbles: true }));
    });
  }

  protected override render(): TemplateResult {
    const p = this.idPrefix;
    const d = this.draft;
    const title = this.rule ? t("routing.editTitle", { name: this.rule.name }) : t("routing.newTitle");
    const preview = ruleSentence({ list: d.list, conditions: draftConditions(d), destinations: draftDestinations(d) }, this.names);
    return html`<form class="rule-editor" id="${p}-form" novalidate aria-labelledby="${p}-title" @submit=${this.save}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === "Escape") this.cancel();
      }}>
      <h3 id="${p}-title">${title}</h3>
      ${formError(this.error, `${p}-form-error`)}
      <div class="grid two">
        ${textField({
          id: `${p}-name`,
          label: t("routing.name"),
          value: d.name,
          required: true,
          error: this.errors["name"],
          onInput: (v) => this.set({ name: v }, "name"),
        })}
        ${this.rule || this.forRuleNumbers
          ? html`<div class="field"><span class="label-text">${t("routing.list")}</span><div data-testid="${p}-list-fixed">${t(`routing.list.${d.list}` as MessageKey)}</div></div>`
          : selectField({
              id: `${p}-list`,
              label: t("routing.list"),
              value: d.list,
              error: this.errors["list"],
              options: movableLists(this.lists, d.list).map((l): [string, string] => [l, t(`routing.list.${l}` as MessageKey)]),
              onInput: (v) => this.set({ list: v as RuleList }, "list"),
            })}
        ${!hasTier(this.scope, d.list)
          ? nothing
          : selectField({
              id: `${p}-tier`,
              label: t("routing.tier"),
              value: d.tier,
              required: true,
              hint: t("routing.tierHint"),
              error: this.errors["tier"],
              options: TIERS.map((x): [string, string] => [x, t(`routing.tier.${x}` as MessageKey)]),
              onInput: (v) => this.set({ tier: v as Tier }, "tier"),
            })}
        ${checkboxField({
          id: `${p}-enabled`,
          label: t("routing.ruleOn"),
          hint: t("routing.ruleOnHint"),
          checked: d.enabled,
          onChange: (on) => this.set({ enabled: on }),
        })}
      </div>
      ${this.conditionsView()} ${this.destinationsView()}
      <p class="rule-preview" data-testid="rule-preview"><span class="muted">${t("routing.preview")}</span> ${preview}</p>
      <div class="actions">
        <button type="button" class="secondary" @click=${() => this.cancel()}>${t("common.cancel")}</button>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : this.rule ? t("common.save") : t("common.create")}</button>
      </div>
    </form>`;
  }

  private choices<T extends string>(values: T[], key: (v: T) => MessageKey): Array<[string, string]> {
    return [["", t("routing.any")], ...values.map((v): [string, string] => [v, t(key(v))])];
  }

  private idChecks(legend: string, items: Array<Activity | Role>, chosen: number[], field: "activityIds" | "roleIds", apiKey: string): TemplateResult | typeof nothing {
    if (!items.length && !chosen.length) return nothing;
    const p = `${this.idPrefix}-${apiKey.replace(/_/g, "-")}`;
    const error = errorFor(this.errors, `conditions.${apiKey}`);
    return html`<fieldset class="rule-ids ${error ? "has-error" : ""}" aria-describedby="${p}-hint ${p}-error">
      <legend>${legend}</legend>
      <div class="hint" id="${p}-hint">${t("routing.idsHint")}</div>
      <div class="checks-inline">
        ${items.map((item) =>
          checkboxField({
            id: `${p}-${item.id}`,
            label: labelOf(item),
            checked: chosen.includes(item.id),
            onChange: (on) =>
              this.set({ [field]: on ? [...chosen, item.id] : chosen.filter((x) => x !== item.id) } as Partial<Draft>, `conditions.${apiKey}`),
          }),
        )}
      </div>
      <div class="field-error" id="${p}-error" aria-live="polite">${error ?? ""}</div>
    </fieldset>`;
  }

  private conditionsView(): TemplateResult {
    if (this.forRuleNumbers) return this.ruleNumberConditionsView();
    const p = this.idPrefix;
    const d = this.draft;
    const err = (key: string) => errorFor(this.errors, `conditions.${key}`);
    const yesNo = (on: MessageKey, off: MessageKey): Array<[string, string]> => [["", t("routing.any")], ["yes", t(on)], ["no", t(off)]];
    return html`<fieldset class="rule-part">
      <legend>${t("routing.conditions")}</legend>
      <p class="hint">${t("routing.conditionsHint")}</p>
      <div class="grid three">
        ${selectField({
          id: `${p}-availability`,
          label: t("presence.availability"),
          value: d.availability,
          error: err("availability"),
          options: this.choices<"available" | "busy">(["available", "busy"], (v) => `presence.availability.${v}` as MessageKey),
          onInput: (v) => this.set({ availability: v as Draft["availability"] }, "conditions.availability"),
        })}
        ${selectField({
          id: `${p}-dnd`,
          label: t("routing.dnd"),
          value: d.dnd,
          error: err("dnd"),
          options: yesNo("routing.c.dndOn", "routing.c.dndOff"),
          onInput: (v) => this.set({ dnd: v as Draft["dnd"] }, "conditions.dnd"),
        })}
        ${selectField({
          id: `${p}-in-call`,
          label: t("routing.inCall"),
          value: d.inCall,
          error: err("in_call"),
          options: yesNo("routing.c.inCall", "routing.c.notInCall"),
          onInput: (v) => this.set({ inCall: v as Draft["inCall"] }, "conditions.in_call"),
        })}
        ${selectField({
          id: `${p}-registered`,
          label: t("routing.phonesRegistered"),
          value: d.phonesRegistered,
          error: err("phones_registered"),
          options: yesNo("routing.c.registered", "routing.c.notRegistered"),
          onInput: (v) => this.set({ phonesRegistered: v as Draft["phonesRegistered"] }, "conditions.phones_registered"),
        })}
        ${this.hoursField()} ${this.callerField()}
        ${selectField({
          id: `${p}-caller-contacts`,
          label: t("routing.callerContacts"),
          value: d.callerContacts,
          hint: t("routing.callerContactsHint"),
          error: err("caller_contacts"),
          options: [
            ...this.choices(Object.keys(CONTACT_PRESETS), (v) => `routing.c.contacts.${v}` as MessageKey),
            ...(d.callerContacts === "custom" ? [["custom", t("routing.contactsCustom")] as [string, string]] : []),
          ],
          onInput: (v) => this.set({ callerContacts: v }, "conditions.caller_contacts"),
        })}
      </div>
      <div class="grid two">
        ${this.callerPrefixesField()} ${this.calledPrefixesField(t("routing.prefixesHint"))}
        ${textField({
          id: `${p}-number-types`,
          label: t("routing.numberTypes"),
          value: d.numberTypes,
          hint: t("routing.numberTypesHint"),
          error: err("number_types"),
          onInput: (v) => this.set({ numberTypes: v }, "conditions.number_types"),
        })}
      </div>
      ${this.idChecks(t("routing.activities"), this.activities, d.activityIds, "activityIds", "activity_ids")}
      ${this.idChecks(t("routing.roles"), this.roles, d.roleIds, "roleIds", "role_ids")}
    </fieldset>`;
  }

  /** RBN-01: the conditions a rule for rule-based numbers may test — who calls, the numbers (the
   * dialled prefixes name the rule-based numbers the rule is for) and the organisation's hours. */
  private ruleNumberConditionsView(): TemplateResult {
    return html`<fieldset class="rule-part">
      <legend>${t("routing.conditions")}</legend>
      <p class="hint">${t("routing.conditionsHint")}</p>
      <div class="grid two">
        ${this.calledPrefixesField(t("routing.ruleNumbersCalledHint"))}
        ${this.hoursField(t("routing.ruleNumbersHoursHint"))} ${this.callerField()} ${this.callerPrefixesField()}
      </div>
    </fieldset>`;
  }

  private conditionError(key: string): string | undefined {
    return errorFor(this.errors, `conditions.${key}`);
  }

  private hoursField(hint?: string): TemplateResult {
    return selectField({
      id: `${this.idPrefix}-hours`,
      label: t("routing.workingHours"),
      value: this.draft.workingHours,
      hint,
      error: this.conditionError("working_hours"),
      options: [["", t("routing.any")], ["in", t("routing.c.hoursIn")], ["out", t("routing.c.hoursOut")]],
      onInput: (v) => this.set({ workingHours: v as Draft["workingHours"] }, "conditions.working_hours"),
    });
  }

  private callerField(): TemplateResult {
    return selectField({
      id: `${this.idPrefix}-caller`,
      label: t("routing.caller"),
      value: this.draft.caller,
      error: this.conditionError("caller"),
      options: this.choices(CALLER_KINDS, (v) => `routing.c.caller.${v}` as MessageKey),
      onInput: (v) => this.set({ caller: v as Draft["caller"] }, "conditions.caller"),
    });
  }

  private callerPrefixesField(): TemplateResult {
    return textField({
      id: `${this.idPrefix}-caller-prefixes`,
      label: t("routing.callerPrefixes"),
      value: this.draft.callerPrefixes,
      hint: t("routing.prefixesHint"),
      inputmode: "tel",
      error: this.conditionError("caller_prefixes"),
      onInput: (v) => this.set({ callerPrefixes: v }, "conditions.caller_prefixes"),
    });
  }

  private calledPrefixesField(hint: string): TemplateResult {
    return textField({
      id: `${this.idPrefix}-called-prefixes`,
      label: t("routing.calledPrefixes"),
      value: this.draft.calledPrefixes,
      hint,
      inputmode: "tel",
      error: this.conditionError("called_prefixes"),
      onInput: (v) => this.set({ calledPrefixes: v }, "conditions.called_prefixes"),
    });
  }

  private destinationsView(): TemplateResult {
    const p = this.idPrefix;
    const rows = this.draft.destinations;
    const allowed = this.allowedKinds;
    const kindOptions = (current: DestKind): Array<[string, string]> => {
      // A kind the admin no longer allows stays visible on an old rule (the server names it).
      const kinds = allowed.includes(current) ? allowed : [...allowed, current];
      return kinds.map((k): [string, string] => [k, t(`routing.kind.${k}` as MessageKey)]);
    };
    return html`<fieldset class="rule-part">
      <legend>${t("routing.destinations")}</legend>
      <p class="hint">${t("routing.destinationsHint")}</p>
      ${formError(this.errors["destinations"] ?? null, `${p}-destinations-error`)}
      <ol class="dest-rows">
        ${rows.map(
          (row, i) => html`<li class="dest-row" data-testid="dest-row-${i}">
            <span class="dest-num" aria-hidden="true">${i + 1}</span>
            ${selectField({
              id: `${p}-dest-${i}-kind`,
              label: t("routing.destKind", { n: i + 1 }),
              value: row.kind,
              error: this.errors[`destinations.${i}.kind`],
              options: kindOptions(row.kind),
              onInput: (v) => this.setRow(i, { kind: v as DestKind }),
            })}
            ${textField({
              id: `${p}-dest-${i}-after`,
              label: t("routing.afterSeconds"),
              value: row.after,
              type: "number",
              min: 0,
              max: 600,
              inputmode: "numeric",
              error: this.errors[`destinations.${i}.after_s`],
              onInput: (v) => this.setRow(i, { after: v }),
            })}
            ${row.kind === "number"
              ? textField({
                  id: `${p}-dest-${i}-target`,
                  label: t("routing.target"),
                  value: row.target,
                  required: true,
                  inputmode: "tel",
                  hint: t("routing.targetHint"),
                  error: this.errors[`destinations.${i}.target`],
                  onInput: (v) => this.setRow(i, { target: v }),
                })
              : html`<div class="dest-spacer"></div>`}
            <div class="dest-remove">
              <button type="button" class="secondary small" ?disabled=${rows.length === 1}
                aria-label=${t("routing.removeDest", { n: i + 1 })} @click=${() => this.removeRow(i)}>${t("routing.remove")}</button>
            </div>
          </li>`,
        )}
      </ol>
      <button type="button" class="secondary" id="${p}-add-dest" ?disabled=${rows.length >= MAX_DESTINATIONS} @click=${() => this.addRow()}>${t("routing.addDest")}</button>
    </fieldset>`;
  }
}
