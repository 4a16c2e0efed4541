/**
 * The dial plan (admin; CNV-01..08, BAR-01/02/05/06, EMR-01/02, BYD-15): conversion rules, each as
 * a sentence ("1XXX becomes +451XXX"); number types with their prefixes (typed or uploaded from a
 * file, added or replacing), barred or released; the emergency and special numbers (never
 * converted or barred, 112 always); the international policy and the toll-fraud limits; and a
 * "test a number" box that shows the decision the trunks take before a call goes out, also as
 * dialled from a function number in blocking groups (BAR-04, the groups' card: cb-blocking-groups).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { live } from "lit/directives/live.js";
import { api } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView, pageHeading } from "../base";
import { blockedReasonText, type DialPlanWithGroups } from "../components/blocking-groups";
import { checkList, toggled } from "../crud-page";
import {
  DAILY_EXTERNAL,
  EMERGENCY,
  INTERNATIONAL,
  MAX_EXTERNAL,
  formatIntervals,
  intervalText,
  listError,
  mergePrefixes,
  parseIntervals,
  parsePrefixes,
  prefixesFromFile,
  reasonText,
  ruleSentence,
  type ConversionRule,
  type Decision,
  type DialPlan,
  type NumberType,
} from "../dialplan";
import { confirmDialog } from "../dialog";
import { checkboxField, focusFirstError, formError, selectField, textField } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";
import type { User } from "../types";
import { fullName } from "./users";

type Errors = Record<string, string | null | undefined>;

/** BAR-05: the organisation's international policy, in the order the radio buttons show it. */
const INTERNATIONAL_LABELS = {
  blocked: "dialplan.internationalBlocked",
  pin: "dialplan.internationalPin",
  released: "dialplan.internationalReleased",
} as const;

interface RuleDraft {
  id: number | null;
  prefix: string;
  digits: string;
  intervals: string;
  rewrite: string;
  label: string;
}

interface TypeDraft {
  id: number | null;
  name: string;
  prefixes: string;
  barred: boolean;
  released: boolean;
}

const NEW_RULE: RuleDraft = { id: null, prefix: "", digits: "", intervals: "", rewrite: "", label: "" };
const NEW_TYPE: TypeDraft = { id: null, name: "", prefixes: "", barred: false, released: false };
const PREFIXES_SHOWN = 8;

/** The rule the draft describes, for its live sentence (null while the digits are not a number). */
function draftRule(d: RuleDraft): Pick<ConversionRule, "prefix" | "digits" | "intervals" | "rewrite"> | null {
  const digits = d.digits.trim() ? Number(d.digits) : null;
  if (digits !== null && !(Number.isInteger(digits) && digits > 0 && digits <= 15)) return null;
  const intervals = parseIntervals(d.intervals).map((i): [string, string] => {
    const [low = "", high = low] = i.split("-");
    return [low, high];
  });
  return { prefix: d.prefix.trim(), digits, intervals, rewrite: d.rewrite.trim() };
}

@customElement("cb-dialplan")
export class CbDialplan extends LightElement {
  @state() private plan: DialPlanWithGroups | null = null;
  @state() private org: Record<string, unknown> = {};
  @state() private users: User[] = [];
  @state() private loadError = "";

  @state() private rule: RuleDraft = { ...NEW_RULE };
  @state() private ruleErrors: Errors = {};
  @state() private ruleError = "";
  @state() private type: TypeDraft = { ...NEW_TYPE };
  @state() private typeErrors: Errors = {};
  @state() private typeError = "";
  @state() private uploadMode: "add" | "replace" = "add";
  @state() private uploadNote = "";
  @state() private emergency = "";
  @state() private emergencyError = "";
  @state() private international = "blocked";
  @state() private maxExternal = "0";
  @state() private dailyExternal = "0";
  @state() private policyErrors: Errors = {};
  @state() private testNumber = "";
  @state() private testUser = "";
  @state() private testGroups: ReadonlySet<number> = new Set();
  @state() private testError = "";
  @state() private decision: Decision | null = null;
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(true);
  }

  private async load(spinner: boolean): Promise<void> {
    if (spinner) this.plan = null;
    this.loadError = "";
    try {
      const [plan, org, users] = await Promise.all([
        api.get<DialPlanWithGroups>("/api/dialplan"),
        api.get<Record<string, unknown>>("/api/settings/org"),
        api.get<User[]>("/api/users"),
      ]);
      this.plan = plan;
      this.org = org;
      this.users = users;
      this.emergency = plan.special_numbers.join(" ");
      if (spinner) {
        this.international = String(org[INTERNATIONAL] ?? "blocked");
        this.maxExternal = String(org[MAX_EXTERNAL] ?? 0);
        this.dailyExternal = String(org[DAILY_EXTERNAL] ?? 0);
      }
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async reloadPlan(): Promise<void> {
    try {
      const plan = await api.get<DialPlanWithGroups>("/api/dialplan");
      this.plan = plan;
      const ids = new Set(plan.blocking_groups.map((g) => g.id));
      this.testGroups = new Set([...this.testGroups].filter((id) => ids.has(id)));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  /* -- conversion rules -------------------------------------------------------------------- */

  private editRule(r: ConversionRule): void {
    this.rule = {
      id: r.id,
      prefix: r.prefix,
      digits: r.digits === null ? "" : String(r.digits),
      intervals: formatIntervals(r.intervals),
      rewrite: r.rewrite,
      label: r.label,
    };
    this.ruleErrors = {};
    this.ruleError = "";
    void this.updateComplete.then(() => this.querySelector<HTMLElement>("#dp-prefix")?.focus());
  }

  private cancelRule(): void {
    this.rule = { ...NEW_RULE };
    this.ruleErrors = {};
    this.ruleError = "";
  }

  private async saveRule(e: Event): Promise<void> {
    e.preventDefault();
    const d = this.rule;
    const digitsText = d.digits.trim();
    const digits = digitsText ? Number(digitsText) : null;
    if (digits !== null && !Number.isInteger(digits)) {
      this.ruleErrors = { digits: t("dialplan.digitsRule") };
      this.ruleError = t("common.formInvalid");
      focusFirstError(this.querySelector("#dp-rule-form") ?? this);
      return;
    }
    const intervals = parseIntervals(d.intervals);
    const body = { prefix: d.prefix.trim(), digits, intervals, rewrite: d.rewrite.trim(), label: d.label.trim() };
    this.busy = true;
    this.ruleError = "";
    try {
      const saved = d.id === null
        ? await api.post<ConversionRule>("/api/dialplan/conversions", body)
        : await api.put<ConversionRule>(`/api/dialplan/conversions/${d.id}`, body);
      toast(t(d.id === null ? "dialplan.ruleAdded" : "dialplan.ruleSaved", { rule: ruleSentence(saved) }));
      this.cancelRule();
      await this.reloadPlan();
    } catch (err) {
      const fields = fieldErrors(err);
      this.ruleErrors = { ...fields, intervals: listError(fields, "intervals", intervals) || null };
      this.ruleError = errorText(err);
      focusFirstError(this.querySelector("#dp-rule-form") ?? this);
    } finally {
      this.busy = false;
    }
  }

  private async deleteRule(r: ConversionRule): Promise<void> {
    const sentence = ruleSentence(r);
    if (!(await confirmDialog(t("dialplan.confirmDeleteRule", { rule: sentence }), t("common.delete")))) return;
    try {
      await api.delete(`/api/dialplan/conversions/${r.id}`);
      toast(t("dialplan.ruleDeleted", { rule: sentence }));
      if (this.rule.id === r.id) this.cancelRule();
      await this.reloadPlan();
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private conversionsCard(plan: DialPlan): TemplateResult {
    return html`<section class="card" aria-labelledby="dp-conv-title">
      <h2 id="dp-conv-title">${t("dialplan.conversions")}</h2>
      <p class="muted">${t("dialplan.conversionsIntro")}</p>
      ${plan.conversions.length
        ? html`<div class="table-scroll"><table class="data" data-testid="conversions" aria-labelledby="dp-conv-title">
            <thead><tr>
              <th scope="col">${t("dialplan.rule")}</th>
              <th scope="col">${t("dialplan.prefix")}</th><th scope="col">${t("dialplan.followedBy")}</th>
              <th scope="col">${t("dialplan.intervals")}</th><th scope="col">${t("dialplan.rewrite")}</th>
              <th scope="col">${t("dialplan.label")}</th>
              <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
            </tr></thead>
            <tbody>
              ${plan.conversions.map((r) => {
                const sentence = ruleSentence(r);
                return html`<tr class=${this.rule.id === r.id ? "selected" : ""}>
                  <td class="dp-sentence">${sentence}</td>
                  <td>${r.prefix ? html`<code>${r.prefix}</code>` : html`<span class="muted">${t("dialplan.noPrefix")}</span>`}</td>
                  <td>${r.digits === null ? t("dialplan.anyDigits") : t("dialplan.nDigits", { n: r.digits })}</td>
                  <td>${r.intervals.length ? r.intervals.map(intervalText).join(", ") : html`<span class="muted">${t("dialplan.allIntervals")}</span>`}</td>
                  <td>${r.rewrite ? html`<code>${r.rewrite}</code>` : html`<span class="muted">${t("dialplan.noPrefix")}</span>`}</td>
                  <td>${r.label}</td>
                  <td><div class="number-actions">
                    <button type="button" class="secondary small" aria-label=${t("dialplan.editRule", { rule: sentence })}
                      @click=${() => this.editRule(r)}>${t("common.edit")}</button>
                    <button type="button" class="danger small" aria-label=${t("dialplan.deleteRule", { rule: sentence })}
                      @click=${() => void this.deleteRule(r)}>${t("common.delete")}</button>
                  </div></td>
                </tr>`;
              })}
            </tbody>
          </table></div>`
        : html`<p class="empty">${t("dialplan.noConversions")}</p>`}
      ${this.ruleForm()}
    </section>`;
  }

  private ruleForm(): TemplateResult {
    const d = this.rule;
    const preview = d.prefix.trim() || d.digits.trim() || d.rewrite.trim() ? draftRule(d) : null;
    const editing = d.id !== null;
    return html`<form id="dp-rule-form" class="dp-editor" novalidate @submit=${this.saveRule} aria-labelledby="dp-rule-form-title">
      <h3 id="dp-rule-form-title">${editing ? t("dialplan.editRuleTitle") : t("dialplan.newRule")}</h3>
      ${formError(this.ruleError, "dp-rule-error")}
      <div class="dp-grid">
        ${textField({ id: "dp-prefix", label: t("dialplan.prefix"), value: d.prefix, error: this.ruleErrors["prefix"], hint: t("dialplan.prefixHint"), inputmode: "tel", onInput: (v) => (this.rule = { ...this.rule, prefix: v }) })}
        ${textField({ id: "dp-digits", label: t("dialplan.followedByDigits"), value: d.digits, type: "number", min: 1, max: 15, placeholder: t("dialplan.anyDigits"), error: this.ruleErrors["digits"], hint: t("dialplan.digitsHint"), onInput: (v) => (this.rule = { ...this.rule, digits: v }) })}
        ${textField({ id: "dp-intervals", label: t("dialplan.intervals"), value: d.intervals, error: this.ruleErrors["intervals"], hint: t("dialplan.intervalsHint"), placeholder: "07-15, 17-29", onInput: (v) => (this.rule = { ...this.rule, intervals: v }) })}
        ${textField({ id: "dp-rewrite", label: t("dialplan.rewrite"), value: d.rewrite, error: this.ruleErrors["rewrite"], hint: t("dialplan.rewriteHint"), inputmode: "tel", onInput: (v) => (this.rule = { ...this.rule, rewrite: v }) })}
        ${textField({ id: "dp-label", label: t("dialplan.label"), value: d.label, error: this.ruleErrors["label"], onInput: (v) => (this.rule = { ...this.rule, label: v }) })}
      </div>
      ${preview ? html`<p class="rule-preview" data-testid="dp-rule-preview"><span class="muted">${t("dialplan.preview")}</span> ${ruleSentence(preview)}</p>` : nothing}
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${editing ? t("dialplan.saveRule") : t("dialplan.addRule")}</button>
        ${editing ? html`<button type="button" class="secondary" @click=${() => this.cancelRule()}>${t("common.cancel")}</button>` : nothing}
      </div>
    </form>`;
  }

  /* -- number types ------------------------------------------------------------------------ */

  private editType(nt: NumberType): void {
    this.type = { id: nt.id, name: nt.name, prefixes: nt.prefixes.join("\n"), barred: nt.barred, released: nt.released };
    this.typeErrors = {};
    this.typeError = "";
    this.uploadNote = "";
    void this.updateComplete.then(() => this.querySelector<HTMLElement>("#dp-type-name")?.focus());
  }

  private cancelType(): void {
    this.type = { ...NEW_TYPE };
    this.typeErrors = {};
    this.typeError = "";
    this.uploadNote = "";
  }

  private async saveType(e: Event): Promise<void> {
    e.preventDefault();
    const d = this.type;
    const prefixes = parsePrefixes(d.prefixes);
    const body = { name: d.name.trim(), prefixes, barred: d.barred, released: d.released };
    this.busy = true;
    this.typeError = "";
    try {
      const saved = d.id === null
        ? await api.post<NumberType>("/api/dialplan/number_types", body)
        : await api.put<NumberType>(`/api/dialplan/number_types/${d.id}`, body);
      toast(t(d.id === null ? "dialplan.typeAdded" : "dialplan.typeSaved", { name: saved.name, count: saved.prefixes.length }));
      this.cancelType();
      await this.reloadPlan();
    } catch (err) {
      const fields = fieldErrors(err);
      this.typeErrors = { ...fields, prefixes: listError(fields, "prefixes", prefixes) || null };
      this.typeError = errorText(err);
      focusFirstError(this.querySelector("#dp-type-form") ?? this);
    } finally {
      this.busy = false;
    }
  }

  /** The barred and released switches of a type's row: saved at once. */
  private async switchType(nt: NumberType, changes: Partial<Pick<NumberType, "barred" | "released">>): Promise<void> {
    const body = { name: nt.name, prefixes: nt.prefixes, barred: nt.barred, released: nt.released, ...changes };
    try {
      const saved = await api.put<NumberType>(`/api/dialplan/number_types/${nt.id}`, body);
      toast(
        "barred" in changes
          ? t(saved.barred ? "dialplan.nowBarred" : "dialplan.noLongerBarred", { name: saved.name })
          : t(saved.released ? "dialplan.nowReleased" : "dialplan.noLongerReleased", { name: saved.name }),
      );
    } catch (err) {
      const fields = fieldErrors(err);
      toast(Object.values(fields)[0] ?? errorText(err), "error");
    }
    await this.reloadPlan();
  }

  private async deleteType(nt: NumberType): Promise<void> {
    if (!(await confirmDialog(t("dialplan.confirmDeleteType", { name: nt.name }), t("common.delete")))) return;
    try {
      await api.delete(`/api/dialplan/number_types/${nt.id}`);
      toast(t("dialplan.typeDeleted", { name: nt.name }));
      if (this.type.id === nt.id) this.cancelType();
      await this.reloadPlan();
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  /** BAR-02: the file's prefixes go into the form, added to the typed ones or replacing them. */
  private async readPrefixFile(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const { prefixes, skipped } = prefixesFromFile(await file.text());
    input.value = "";
    if (!prefixes.length) {
      this.uploadNote = "";
      this.typeErrors = { ...this.typeErrors, prefixes: t("dialplan.uploadNone", { file: file.name }) };
      return;
    }
    const merged = mergePrefixes(parsePrefixes(this.type.prefixes), prefixes, this.uploadMode);
    this.type = { ...this.type, prefixes: merged.join("\n") };
    this.typeErrors = { ...this.typeErrors, prefixes: null };
    this.uploadNote = t(this.uploadMode === "add" ? "dialplan.uploadAdded" : "dialplan.uploadReplaced", {
      file: file.name,
      count: prefixes.length,
      total: merged.length,
    }) + (skipped ? ` ${t("dialplan.uploadSkipped", { skipped })}` : "");
  }

  private typesCard(plan: DialPlan): TemplateResult {
    return html`<section class="card" aria-labelledby="dp-types-title">
      <h2 id="dp-types-title">${t("dialplan.types")}</h2>
      <p class="muted">${t("dialplan.typesIntro")}</p>
      ${plan.number_types.length
        ? html`<div class="table-scroll"><table class="data" data-testid="number-types" aria-labelledby="dp-types-title">
            <thead><tr>
              <th scope="col">${t("dialplan.typeName")}</th><th scope="col">${t("dialplan.prefixes")}</th>
              <th scope="col">${t("dialplan.barred")}</th><th scope="col">${t("dialplan.released")}</th>
              <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
            </tr></thead>
            <tbody>
              ${plan.number_types.map(
                (nt) => html`<tr class=${this.type.id === nt.id ? "selected" : ""} data-testid="type-${nt.name}">
                  <td><strong>${nt.name}</strong></td>
                  <td class="dp-prefixes">${nt.prefixes.slice(0, PREFIXES_SHOWN).map((p) => html`<code>${p}</code> `)}${nt.prefixes.length > PREFIXES_SHOWN
                    ? html`<span class="muted">${t("dialplan.morePrefixes", { count: nt.prefixes.length - PREFIXES_SHOWN })}</span>`
                    : nothing}</td>
                  <td><label class="switch"><input type="checkbox" role="switch" .checked=${live(nt.barred)}
                    aria-label=${t("dialplan.barredOf", { name: nt.name })}
                    @change=${(e: Event) => void this.switchType(nt, { barred: (e.target as HTMLInputElement).checked })} />
                    <span aria-hidden="true">${nt.barred ? t("common.yes") : t("common.no")}</span></label></td>
                  <td><label class="switch"><input type="checkbox" role="switch" .checked=${live(nt.released)}
                    aria-label=${t("dialplan.releasedOf", { name: nt.name })}
                    @change=${(e: Event) => void this.switchType(nt, { released: (e.target as HTMLInputElement).checked })} />
                    <span aria-hidden="true">${nt.released ? t("common.yes") : t("common.no")}</span></label></td>
                  <td><div class="number-actions">
                    <button type="button" class="secondary small" aria-label=${t("dialplan.editType", { name: nt.name })}
                      @click=${() => this.editType(nt)}>${t("common.edit")}</button>
                    <button type="button" class="danger small" aria-label=${t("dialplan.deleteType", { name: nt.name })}
                      @click=${() => void this.deleteType(nt)}>${t("common.delete")}</button>
                  </div></td>
                </tr>`,
              )}
            </tbody>
          </table></div>`
        : html`<p class="empty">${t("dialplan.noTypes")}</p>`}
      ${this.typeForm()}
    </section>`;
  }

  private typeForm(): TemplateResult {
    const d = this.type;
    const editing = d.id !== null;
    const prefixError = this.typeErrors["prefixes"];
    return html`<form id="dp-type-form" class="dp-editor" novalidate @submit=${this.saveType} aria-labelledby="dp-type-form-title">
      <h3 id="dp-type-form-title">${editing ? t("dialplan.editTypeTitle", { name: d.name }) : t("dialplan.newType")}</h3>
      ${formError(this.typeError, "dp-type-error")}
      ${textField({ id: "dp-type-name", label: t("dialplan.typeName"), value: d.name, required: true, error: this.typeErrors["name"], onInput: (v) => (this.type = { ...this.type, name: v }) })}
      <div class="field ${prefixError ? "has-error" : ""}">
        <label for="dp-type-prefixes">${t("dialplan.prefixes")}<span class="req" aria-hidden="true"> *</span></label>
        <textarea id="dp-type-prefixes" name="dp-type-prefixes" rows="4" spellcheck="false" aria-required="true"
          aria-invalid=${prefixError ? "true" : "false"} aria-describedby="dp-type-prefixes-hint dp-type-prefixes-error"
          .value=${live(d.prefixes)} @input=${(e: Event) => (this.type = { ...this.type, prefixes: (e.target as HTMLTextAreaElement).value })}></textarea>
        <div class="hint" id="dp-type-prefixes-hint">${t("dialplan.prefixesHint")}</div>
        <div class="field-error" id="dp-type-prefixes-error" aria-live="polite">${prefixError ?? ""}</div>
      </div>
      <fieldset class="dp-upload">
        <legend>${t("dialplan.upload")}</legend>
        <div class="segmented">
          ${(["add", "replace"] as const).map(
            (mode) => html`<label class=${this.uploadMode === mode ? "on" : ""}>
              <input type="radio" name="dp-upload-mode" value=${mode} .checked=${this.uploadMode === mode}
                @change=${() => (this.uploadMode = mode)} />
              ${t(mode === "add" ? "dialplan.uploadAdd" : "dialplan.uploadReplace")}
            </label>`,
          )}
        </div>
        <div class="field">
          <label for="dp-type-file">${t("dialplan.uploadFile")}</label>
          <input id="dp-type-file" type="file" accept=".csv,.txt,text/csv,text/plain" aria-describedby="dp-type-file-hint"
            @change=${(e: Event) => void this.readPrefixFile(e)} />
          <div class="hint" id="dp-type-file-hint">${t("dialplan.uploadHint")}</div>
        </div>
        ${this.uploadNote ? html`<p class="notice" role="status" data-testid="dp-upload-note">${this.uploadNote}</p>` : nothing}
      </fieldset>
      ${checkboxField({ id: "dp-type-barred", label: t("dialplan.barredLong"), checked: d.barred, error: this.typeErrors["barred"], onChange: (v) => (this.type = { ...this.type, barred: v }) })}
      ${checkboxField({ id: "dp-type-released", label: t("dialplan.releasedLong"), checked: d.released, error: this.typeErrors["released"], onChange: (v) => (this.type = { ...this.type, released: v }) })}
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${editing ? t("dialplan.saveType") : t("dialplan.addType")}</button>
        ${editing ? html`<button type="button" class="secondary" @click=${() => this.cancelType()}>${t("common.cancel")}</button>` : nothing}
      </div>
    </form>`;
  }

  /* -- emergency numbers, international calls and limits ----------------------------------- */

  private async saveEmergency(e: Event, value: string | null): Promise<void> {
    e.preventDefault();
    this.busy = true;
    this.emergencyError = "";
    try {
      this.org = await api.put<Record<string, unknown>>("/api/settings/org", { [EMERGENCY]: value });
      await this.reloadPlan();
      if (this.plan) this.emergency = this.plan.special_numbers.join(" ");
      toast(t(value === null ? "dialplan.emergencyReset" : "dialplan.emergencySaved"));
    } catch (err) {
      this.emergencyError = fieldErrors(err)[EMERGENCY] ?? errorText(err);
      focusFirstError(this.querySelector("#dp-emergency-form") ?? this);
    } finally {
      this.busy = false;
    }
  }

  private emergencyCard(plan: DialPlan): TemplateResult {
    const own = this.org[EMERGENCY] !== undefined && this.org[EMERGENCY] !== null;
    return html`<form id="dp-emergency-form" class="card" novalidate aria-labelledby="dp-emergency-title"
      @submit=${(e: Event) => void this.saveEmergency(e, this.emergency.trim())}>
      <h2 id="dp-emergency-title">${t("dialplan.emergency")}</h2>
      <p class="muted">${t("dialplan.emergencyIntro")}</p>
      <ul class="dp-special" aria-label=${t("dialplan.emergencyNow")} data-testid="special-numbers">
        ${plan.special_numbers.map((n) => html`<li><span class="badge ${n === "112" ? "bad" : ""}">${n}</span></li>`)}
      </ul>
      ${textField({ id: "dp-emergency", label: t("dialplan.emergencyField"), value: this.emergency, error: this.emergencyError, hint: t("dialplan.emergencyHint"), inputmode: "tel", onInput: (v) => (this.emergency = v) })}
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${t("dialplan.emergencySave")}</button>
        ${own
          ? html`<button type="button" class="secondary" ?disabled=${this.busy}
              @click=${(e: Event) => void this.saveEmergency(e, null)}>${t("dialplan.emergencyCountry")}</button>`
          : nothing}
      </div>
    </form>`;
  }

  private async savePolicy(e: Event): Promise<void> {
    e.preventDefault();
    const asNumber = (v: string) => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : v.trim());
    const changes = {
      [INTERNATIONAL]: this.international,
      [MAX_EXTERNAL]: asNumber(this.maxExternal),
      [DAILY_EXTERNAL]: asNumber(this.dailyExternal),
    };
    this.busy = true;
    this.policyErrors = {};
    try {
      this.org = await api.put<Record<string, unknown>>("/api/settings/org", changes);
      toast(t("dialplan.policySaved"));
    } catch (err) {
      this.policyErrors = fieldErrors(err);
      if (!Object.keys(this.policyErrors).length) toast(errorText(err), "error");
      focusFirstError(this.querySelector("#dp-policy-form") ?? this);
    } finally {
      this.busy = false;
    }
  }

  private policyCard(): TemplateResult {
    const released = this.international === "released";
    return html`<form id="dp-policy-form" class="card" novalidate aria-labelledby="dp-policy-title" @submit=${this.savePolicy}>
      <h2 id="dp-policy-title">${t("dialplan.policy")}</h2>
      <p class="notice warn" data-testid="toll-fraud">${t("dialplan.tollFraud")}</p>
      <fieldset class="dp-international">
        <legend>${t("dialplan.international")}</legend>
        ${(["blocked", "pin", "released"] as const).map(
          (value) => html`<div class="field checkbox">
            <input type="radio" id="dp-international-${value}" name="dp-international" value=${value}
              .checked=${live(this.international === value)} @change=${() => (this.international = value)} />
            <label for="dp-international-${value}">${t(INTERNATIONAL_LABELS[value])}</label>
          </div>`,
        )}
        <div class="field-error" aria-live="polite">${this.policyErrors[INTERNATIONAL] ?? ""}</div>
      </fieldset>
      ${released ? html`<p class="notice bad" role="status">${t("dialplan.releasedWarning")}</p>` : nothing}
      <p class="muted small">${t("dialplan.internationalLevels")}</p>
      ${textField({ id: "dp-max-external", label: t("dialplan.maxExternal"), value: this.maxExternal, type: "number", min: 0, max: 1000, error: this.policyErrors[MAX_EXTERNAL], hint: t("dialplan.noLimitHint"), onInput: (v) => (this.maxExternal = v) })}
      ${textField({ id: "dp-daily-external", label: t("dialplan.dailyExternal"), value: this.dailyExternal, type: "number", min: 0, max: 10000, error: this.policyErrors[DAILY_EXTERNAL], hint: t("dialplan.noLimitHint"), onInput: (v) => (this.dailyExternal = v) })}
      <div class="actions"><button type="submit" ?disabled=${this.busy}>${t("dialplan.policySave")}</button></div>
    </form>`;
  }

  /* -- test a number ----------------------------------------------------------------------- */

  private async test(e: Event): Promise<void> {
    e.preventDefault();
    const number = this.testNumber.trim();
    if (!number) {
      this.testError = t("dialplan.testNumberRequired");
      focusFirstError(this.querySelector("#dp-test-form") ?? this);
      return;
    }
    this.testError = "";
    this.busy = true;
    try {
      const body: Record<string, unknown> = { number };
      if (this.testUser) body["user_id"] = Number(this.testUser);
      const groups = (this.plan?.blocking_groups ?? []).filter((g) => this.testGroups.has(g.id)).map((g) => g.id);
      if (groups.length) body["blocking_groups"] = groups;
      this.decision = await api.post<Decision>("/api/dialplan/test", body);
    } catch (err) {
      this.decision = null;
      this.testError = fieldErrors(err)["number"] ?? errorText(err);
      focusFirstError(this.querySelector("#dp-test-form") ?? this);
    } finally {
      this.busy = false;
    }
  }

  private testCard(plan: DialPlanWithGroups): TemplateResult {
    const userOptions: Array<[string, string]> = [
      ["", t("dialplan.testNoUser")],
      ...this.users.map((u): [string, string] => [String(u.id), `${fullName(u)} (${u.extension ?? u.username})`]),
    ];
    return html`<form id="dp-test-form" class="card" novalidate aria-labelledby="dp-test-title" @submit=${this.test}>
      <h2 id="dp-test-title">${t("dialplan.test")}</h2>
      <p class="muted">${t("dialplan.testIntro")}</p>
      <div class="dp-test-row">
        ${textField({ id: "dp-test-number", label: t("dialplan.testNumber"), value: this.testNumber, required: true, error: this.testError, inputmode: "tel", onInput: (v) => (this.testNumber = v) })}
        ${selectField({ id: "dp-test-user", label: t("dialplan.testUser"), value: this.testUser, options: userOptions, onInput: (v) => (this.testUser = v) })}
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${t("dialplan.testButton")}</button></div>
      </div>
      ${plan.blocking_groups.length
        ? checkList({
            id: "dp-test-groups",
            legend: t("dialplan.blocking.testGroups"),
            hint: t("dialplan.blocking.testGroupsHint"),
            items: plan.blocking_groups.map((g): [number, string] => [g.id, g.name]),
            chosen: this.testGroups,
            toggle: (id, on) => (this.testGroups = toggled(this.testGroups, id, on)),
            error: null,
          })
        : nothing}
      <div aria-live="polite">${this.decision ? this.decisionView(this.decision) : nothing}</div>
    </form>`;
  }

  private decisionView(d: Decision): TemplateResult {
    const yesNo = (v: boolean) => t(v ? "common.yes" : "common.no");
    return html`<div class="dp-result" data-testid="dp-result">
      <p class="dp-verdict">
        ${d.allowed
          ? html`<span class="badge ok">${t("dialplan.allowed")}</span>`
          : html`<span class="badge bad">${t("dialplan.refused")}</span> ${blockedReasonText(d.reason) ?? reasonText(d.reason)} <span class="muted">(${d.status})</span>`}
      </p>
      <dl class="dp-facts">
        <dt>${t("dialplan.resultDialled")}</dt><dd>${d.dialled}</dd>
        <dt>${t("dialplan.resultEmergency")}</dt>
        <dd data-testid="dp-result-emergency">${d.emergency ? t("dialplan.resultIsEmergency") : yesNo(false)}</dd>
        <dt>${t("dialplan.resultNumber")}</dt><dd data-testid="dp-result-number"><strong>${d.number}</strong></dd>
        <dt>${t("dialplan.resultRule")}</dt>
        <dd data-testid="dp-result-rule">${d.rule
          ? html`${ruleSentence(d.rule)}${d.rule.label ? html` <span class="muted">(${d.rule.label})</span>` : nothing}`
          : t(d.emergency ? "dialplan.resultNeverConverted" : "dialplan.resultNotConverted")}</dd>
        <dt>${t("dialplan.resultType")}</dt><dd data-testid="dp-result-type">${d.number_type ?? t("dialplan.resultNoType")}</dd>
        <dt>${t("dialplan.resultInternational")}</dt><dd data-testid="dp-result-international">${yesNo(d.international)}</dd>
      </dl>
    </div>`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = html`<div class="card">${errorView(this.loadError, () => void this.load(true))}</div>`;
    else if (!this.plan) body = html`<div class="card">${loadingView()}</div>`;
    else
      body = html`${this.testCard(this.plan)}${this.conversionsCard(this.plan)}${this.typesCard(this.plan)}
        <cb-blocking-groups .groups=${this.plan.blocking_groups} .types=${this.plan.number_types}
          @changed=${() => void this.reloadPlan()}></cb-blocking-groups>
        <div class="dp-pair">${this.emergencyCard(this.plan)}${this.policyCard()}</div>`;
    return html`<section class="page">
      ${pageHeading(t("dialplan.title"))}
      <p class="muted">${t("dialplan.intro")}</p>
      ${body}
    </section>`;
  }
}
