/**
 * IVR menus (admin, IVR-01..04, IVR-07, IVR-08): numbers that answer with a welcome prompt and send
 * the caller where the key they press points. The list shows each menu's name, number, language,
 * what each key does (or that callers dial an extension directly) and what happens when nobody
 * presses a key; "New menu" and "Edit" open the form (name, number, language, welcome prompt,
 * direct dialling, one row per key with its action and target, timeout, retries, invalid-input
 * prompt and the timeout destination). The form checks what it can before sending; the server's
 * refusals (a number someone else has, a target nobody answers ...) are shown next to their fields,
 * an option's by its key (``options.1.target``). Deleting asks first.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { confirmDialog } from "../dialog";
import { checkboxField, focusFirstError, focusWhenRendered, formError, selectField, sendForm, textField } from "../forms";
import { t } from "../i18n";
import {
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
  type Draft,
  type IvrMenu,
  type Kind,
  type OptionDraft,
  type TimeoutKind,
} from "../ivr";
import { schemaFieldView } from "../schema-form";
import { toast } from "../session";

type Errors = Record<string, string | null | undefined>;

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
};

/** What "when nobody presses a key" offers: goodbye (and hang up), a number or a mailbox. */
const TIMEOUT_KINDS: TimeoutKind[] = ["goodbye", "number", "voicemail"];

@customElement("cb-ivr-menus")
export class CbIvrMenus extends LightElement {
  @state() private menus: IvrMenu[] | null = null;
  @state() private loadError = "";
  @state() private off = false;
  @state() private draft: Draft | null = null;
  /** The menu the form changes; null while it makes a new one. */
  @state() private editing: IvrMenu | null = null;
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;
  /** Where the focus goes back to when the form closes. */
  private opener = "#ivr-new";

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(true);
  }

  private async load(spinner: boolean): Promise<void> {
    if (spinner) this.menus = null;
    this.loadError = "";
    try {
      this.menus = await api.get<IvrMenu[]>(MENUS);
      this.off = false;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.off = true;
      else this.loadError = errorText(err);
    }
  }

  private open(menu: IvrMenu | null, opener: string): void {
    this.editing = menu;
    this.opener = opener;
    this.draft = menu ? draftOf(menu) : emptyDraft();
    this.errors = {};
    this.error = "";
    void focusWhenRendered(this, "#ivr-name");
  }

  private close(): void {
    this.draft = null;
    this.editing = null;
    this.errors = {};
    this.error = "";
    void focusWhenRendered(this, this.opener);
  }

  /** Drop the messages of these API fields and of what lies below them ("options.1" also drops
   * "options.1.target"). */
  private forget(...fields: string[]): void {
    const gone = (name: string) => fields.some((field) => name === field || name.startsWith(`${field}.`));
    if (Object.keys(this.errors).some(gone)) {
      this.errors = Object.fromEntries(Object.entries(this.errors).filter(([name]) => !gone(name)));
    }
  }

  /** Change a field; its message goes (the form's stays until the next save). */
  private set<K extends keyof typeof FIELD_OF>(key: K, value: Draft[K]): void {
    if (!this.draft) return;
    this.draft = { ...this.draft, [key]: value };
    this.forget(FIELD_OF[key]);
  }

  private setTimeout(change: Partial<Pick<Draft, "timeoutKind" | "timeoutTarget">>): void {
    if (!this.draft) return;
    this.draft = { ...this.draft, ...change };
    this.forget("timeout_destination");
  }

  private setOptions(options: OptionDraft[], ...touched: string[]): void {
    if (!this.draft) return;
    this.draft = { ...this.draft, options };
    this.forget("options", ...touched.map((key) => `options.${key}`));
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
        ? await api.put<IvrMenu>(`${MENUS}/${editing.id}`, body)
        : await api.post<IvrMenu>(MENUS, body);
      toast(t(editing ? "ivr.saved" : "ivr.created", { name: saved.name, number: saved.number }));
      this.opener = `#ivr-edit-${saved.id}`;
    });
    if (!sent) return;
    await this.load(false);
    this.close();
  }

  private async deleteMenu(menu: IvrMenu): Promise<void> {
    const question = t("ivr.confirmDelete", { name: menu.name, number: menu.number });
    if (!(await confirmDialog(question, t("common.delete")))) return;
    try {
      await api.delete(`${MENUS}/${menu.id}`);
      toast(t("ivr.deleted", { name: menu.name, number: menu.number }));
      if (this.editing?.id === menu.id) this.close();
      await this.load(false);
      void focusWhenRendered(this, "#ivr-new");
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  protected override render(): TemplateResult {
    const head = pageHeading(
      t("ivr.title"),
      this.menus && !this.draft
        ? html`<button type="button" id="ivr-new" @click=${() => this.open(null, "#ivr-new")}>${t("ivr.new")}</button>`
        : undefined,
    );
    let body: TemplateResult;
    if (this.off) body = this.offView();
    else if (this.loadError) body = errorView(this.loadError, () => void this.load(true));
    else if (!this.menus) body = loadingView();
    else body = html`${this.draft ? this.form(this.draft) : nothing}${this.table(this.menus)}`;
    return html`<section class="page ivr-page">
      ${head}
      <p class="muted">${t("ivr.intro")}</p>
      ${body}
    </section>`;
  }

  private offView(): TemplateResult {
    return html`<div class="notice warn" role="status" data-testid="ivr-off">
      <p><strong>${t("ivr.off")}</strong></p>
      <p>${t("ivr.offAdmin")} <a href="/plugins">${t("nav.plugins")}</a>.</p>
    </div>`;
  }

  private table(menus: IvrMenu[]): TemplateResult {
    if (!menus.length) return html`<p class="empty" data-testid="ivr-empty">${t("ivr.empty")}</p>`;
    const col = {
      name: t("ivr.name"),
      number: t("ivr.number"),
      language: t("ivr.language"),
      keys: t("ivr.keys"),
      timeout: t("ivr.noKey"),
    };
    return html`<div class="table-wrap">
      <table class="data responsive" data-testid="ivr-menus">
        <caption class="sr-only">${t("ivr.title")}</caption>
        <thead>
          <tr>
            <th scope="col">${col.name}</th>
            <th scope="col">${col.number}</th>
            <th scope="col">${col.language}</th>
            <th scope="col">${col.keys}</th>
            <th scope="col">${col.timeout}</th>
            <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
          </tr>
        </thead>
        <tbody>
          ${menus.map((m) => {
            const lines = optionLines(m);
            return html`<tr data-testid="ivr-menu" data-number=${m.number} class=${this.editing?.id === m.id ? "selected" : ""}>
              <td data-label=${col.name} data-testid="ivr-name">${m.name}</td>
              <td data-label=${col.number} class="num" data-testid="ivr-number">${m.number}</td>
              <td data-label=${col.language} data-testid="ivr-language">${languageText(m.language)}</td>
              <td data-label=${col.keys} data-testid="ivr-keys">
                ${m.direct_dial
                  ? html`<span class="badge ok" data-testid="ivr-direct-dial">${t("ivr.directDialBadge")}</span>`
                  : lines.length
                    ? html`<div>${lines.map((line) => html`<div class="small" data-testid="ivr-key">${line}</div>`)}</div>`
                    : html`<span class="muted">${t("ivr.noOptions")}</span>`}
              </td>
              <td data-label=${col.timeout} data-testid="ivr-timeout">
                <div>
                  ${destinationText(m.timeout_destination)}
                  <div class="muted small">${t("ivr.timeoutSummary", { seconds: m.timeout_s, retries: m.retries })}</div>
                </div>
              </td>
              <td class="entry-actions">
                <div class="actions">
                  <button type="button" id="ivr-edit-${m.id}" class="secondary small"
                    aria-label=${t("ivr.editFor", { name: m.name })}
                    @click=${() => this.open(m, `#ivr-edit-${m.id}`)}>${t("common.edit")}</button>
                  <button type="button" class="danger small" aria-label=${t("ivr.deleteFor", { name: m.name })}
                    @click=${() => void this.deleteMenu(m)}>${t("common.delete")}</button>
                </div>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
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

  private form(d: Draft): TemplateResult {
    const editing = this.editing;
    const timeoutKinds = TIMEOUT_KINDS.includes(d.timeoutKind) ? TIMEOUT_KINDS : [...TIMEOUT_KINDS, d.timeoutKind];
    return html`<form class="card" novalidate data-testid="ivr-form" aria-labelledby="ivr-form-title"
        @submit=${(e: Event) => void this.save(e)}>
      <h2 id="ivr-form-title">${editing ? t("ivr.editTitle", { name: editing.name }) : t("ivr.new")}</h2>
      ${formError(this.error, "ivr-form-error")}
      <div class="grid three">
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
      <div class="actions">
        <button type="button" class="secondary" @click=${() => this.close()}>${t("common.cancel")}</button>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button>
      </div>
    </form>`;
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
