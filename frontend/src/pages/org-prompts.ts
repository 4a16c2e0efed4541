/**
 * Admin: the organisation's own prompts (PRM-01..03, PRM-05), the "Our prompts" part of the Prompts page:
 * list with play per language, create by upload, edit name, description and recordings, delete.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { ifDefined } from "lit/directives/if-defined.js";
import { live } from "lit/directives/live.js";
import { api, ApiError } from "../api";
import { AUDIO_ACCEPT, WavPlayer, pickedFile, rawRequest, withEntry, withKey, type Note } from "../audio";
import { LightElement, errorText, errorView, loadingView } from "../base";
import { confirmDialog } from "../dialog";
import { focusFirstError, formError, selectField, sendForm, textField } from "../forms";
import { formatNumber, t, type MessageKey } from "../i18n";
import { toast } from "../session";
import { check } from "../validate";
import "../components/record-by-phone";
import type { CbRecordByPhone, PhoneJob } from "../components/record-by-phone";

/** The API's largest recording (core/http/api_prompts.py MAX_PROMPT_BYTES): refused here before sending. */
export const MAX_PROMPT_BYTES = 50 * 1024 * 1024;

/** One of the organisation's prompts as GET /api/prompts?kind=org lists it; its id is ``org:<n>``. */
export interface OrgPromptInfo {
  id: string;
  kind: "org";
  name: string;
  description: string;
  /** The recorded languages, in the organisation's order (en, de, da). */
  languages: string[];
  seconds: Record<string, number>;
}

interface OrgPromptList {
  languages: string[];
  default_language: string;
  prompts: OrgPromptInfo[];
}

/** The answer to PUT /api/prompts/{language}/{id}: the recording as stored. */
export interface Recorded {
  id: string;
  language: string;
  seconds: number;
}

/**
 * PUT ``file`` as the recording of prompt ``id`` in ``lang`` (a system prompt replaced, or one of the
 * organisation's recorded); a file over MAX_PROMPT_BYTES is refused here, before sending, like the API would.
 */
export async function putRecording(lang: string, id: string, file: File): Promise<Recorded> {
  if (file.size > MAX_PROMPT_BYTES) throw new ApiError(413, "too_large", t("prompts.tooLarge"));
  const response = await rawRequest("PUT", `/api/prompts/${lang}/${encodeURIComponent(id)}`, file);
  return (await response.json()) as Recorded;
}

type Errors = Record<string, string | null | undefined>;

interface Editing {
  id: string;
  name: string;
  description: string;
  errors: Errors;
  error: string;
}

function languageName(lang: string): string {
  return t(`lang.${lang}` as MessageKey);
}

/** A labelled textarea with hint and error, built like forms.ts's fields. */
function textAreaField(o: { id: string; label: string; value: string; hint: string; error?: string | null | undefined; required?: boolean; onInput: (v: string) => void }): TemplateResult {
  const described = [o.hint && o.hint !== o.error ? `${o.id}-hint` : "", o.error ? `${o.id}-error` : ""].filter(Boolean).join(" ");
  return html`<div class="field ${o.error ? "has-error" : ""}">
    <label for=${o.id}>${o.label}${o.required ? html`<span class="req" aria-hidden="true"> *</span>` : nothing}</label>
    <textarea id=${o.id} name=${o.id} rows="3" style="font-family: inherit" .value=${live(o.value)} ?required=${o.required}
      aria-required=${o.required ? "true" : "false"} aria-invalid=${o.error ? "true" : "false"} aria-describedby=${ifDefined(described || undefined)}
      @input=${(e: Event) => o.onInput((e.target as HTMLTextAreaElement).value)}></textarea>
    ${o.hint && o.hint !== o.error ? html`<div class="hint" id="${o.id}-hint">${o.hint}</div>` : nothing}
    <div class="field-error" id="${o.id}-error" aria-live="polite">${o.error ?? ""}</div>
  </div>`;
}

@customElement("cb-org-prompts")
export class CbOrgPrompts extends LightElement {
  @state() private list: OrgPromptList | null = null;
  @state() private loadError = "";
  @state() private name = "";
  @state() private description = "";
  @state() private language = "";
  @state() private file: File | null = null;
  /** How the new prompt's first recording comes: an uploaded file or a call to a phone (PRM-04). */
  @state() private source: "upload" | "phone" = "upload";
  /** The "id/language" whose recording is being made by phone in the editor. */
  @state() private phoneFor = "";
  // The new-prompt form's sending state, set by sendForm (busy while it creates one).
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;
  @state() private editing: Editing | null = null;
  /** Per "id" or "id/language": work in progress and the outcome of the last action there. */
  @state() private busyKeys = new Set<string>();
  @state() private notes = new Map<string, Note>();
  /** Its keys are "id/language". */
  private readonly player = new WavPlayer(this);

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const list = await api.get<OrgPromptList>("/api/prompts?kind=org");
      if (!this.language || !list.languages.includes(this.language)) this.language = list.default_language;
      this.list = list;
      if (this.editing && !list.prompts.some((p) => p.id === this.editing?.id)) this.editing = null;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private prompt(id: string): OrgPromptInfo | undefined {
    return this.list?.prompts.find((p) => p.id === id);
  }

  private setBusy(key: string, on: boolean): void {
    this.busyKeys = withKey(this.busyKeys, key, on);
  }

  private setNote(key: string, note: Note | null): void {
    this.notes = withEntry(this.notes, key, note);
  }

  /** Give the player up if it plays a recording whose key starts with ``prefix``. */
  private dropAudio(prefix: string): void {
    this.player.drop((key) => key.startsWith(prefix));
  }

  private async play(p: OrgPromptInfo, lang: string): Promise<void> {
    const key = `${p.id}/${lang}`;
    this.setBusy(p.id, true);
    this.setNote(p.id, null);
    try {
      await this.player.play(key, `/api/prompts/${lang}/${encodeURIComponent(p.id)}.wav`);
    } catch (err) {
      this.setNote(p.id, { kind: "bad", text: errorText(err) });
    } finally {
      this.setBusy(p.id, false);
    }
  }

  /** The new prompt's fields for a recording by phone; null (and the errors shown) when some are missing. */
  private phoneDetails(): Record<string, string> | null {
    const errors: Errors = { name: check(this.name, true), description: check(this.description, true) };
    this.errors = errors;
    if (Object.values(errors).some(Boolean)) return null;
    return { name: this.name.trim(), description: this.description.trim(), language: this.language };
  }

  private async phoneSaved(job: PhoneJob, isNew: boolean): Promise<void> {
    if (isNew) {
      this.name = "";
      this.description = "";
      this.errors = {};
    } else if (job.prompt_id) {
      this.setNote(`${job.prompt_id}/${job.language}`, { kind: "ok", text: t("orgPrompts.recorded", { name: job.name, language: languageName(job.language), seconds: formatNumber(job.seconds ?? 0, 1) }) });
    }
    await this.load();
  }

  private async create(e: Event): Promise<void> {
    e.preventDefault();
    if (this.source === "phone") {
      await this.querySelector<CbRecordByPhone>("#org-new-phone")?.start();
      return;
    }
    const errors: Errors = {
      name: check(this.name, true),
      description: check(this.description, true),
      file: this.file ? (this.file.size > MAX_PROMPT_BYTES ? t("prompts.tooLarge") : null) : t("validation.required"),
    };
    this.errors = errors;
    if (Object.values(errors).some(Boolean)) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    const form = new FormData();
    form.append("name", this.name.trim());
    form.append("description", this.description.trim());
    form.append("language", this.language);
    form.append("file", this.file!, this.file!.name);
    await sendForm(this, async () => {
      const response = await rawRequest("POST", "/api/prompts", form);
      const created = (await response.json()) as OrgPromptInfo;
      toast(t("orgPrompts.created", { name: created.name }));
      this.name = "";
      this.description = "";
      this.file = null;
      const input = this.querySelector<HTMLInputElement>("#org-new-file");
      if (input) input.value = "";
      await this.load();
    });
  }

  private startEdit(p: OrgPromptInfo): void {
    this.editing = { id: p.id, name: p.name, description: p.description, errors: {}, error: "" };
    void this.updateComplete.then(() => this.querySelector<HTMLElement>("#org-edit-title")?.focus());
  }

  /** Back to the row's Edit button once the editor closes (it is enabled again after the save). */
  private focusEdit(id: string): void {
    void this.updateComplete.then(() => this.querySelector<HTMLElement>(`[data-prompt-id="${id}"] button.edit`)?.focus());
  }

  /** Change the editor while it is still open on prompt ``id``. */
  private updateEditor(id: string, changes: Partial<Editing>): void {
    if (this.editing?.id === id) this.editing = { ...this.editing, ...changes };
  }

  private closeEditor(): void {
    const id = this.editing?.id;
    this.editing = null;
    if (id) this.focusEdit(id);
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const editing = this.editing;
    if (!editing) return;
    const errors: Errors = { name: check(editing.name, true), description: check(editing.description, true) };
    if (Object.values(errors).some(Boolean)) {
      this.editing = { ...editing, errors, error: t("common.formInvalid") };
      focusFirstError(this);
      return;
    }
    // The editor keeps its messages in ``editing`` and is busy with its prompt's row (the page's
    // errors, error and busy are the new-prompt form's).
    const id = editing.id;
    const sent = await sendForm(
      this,
      async () => {
        const saved = await api.patch<OrgPromptInfo>(`/api/prompts/${encodeURIComponent(id)}`, {
          name: editing.name.trim(),
          description: editing.description.trim(),
        });
        toast(t("orgPrompts.saved", { name: saved.name }));
        this.editing = null;
        await this.load();
      },
      this,
      {
        busy: (on) => this.setBusy(id, on),
        error: (error) => this.updateEditor(id, { error }),
        errors: (errors) => this.updateEditor(id, { errors }),
      },
    );
    if (sent) this.focusEdit(id);
  }

  private async deletePrompt(p: OrgPromptInfo): Promise<void> {
    if (!(await confirmDialog(t("orgPrompts.confirmDelete", { name: p.name }), t("orgPrompts.delete")))) return;
    this.setBusy(p.id, true);
    try {
      await api.delete(`/api/prompts/${encodeURIComponent(p.id)}`);
      this.dropAudio(`${p.id}/`);
      if (this.editing?.id === p.id) this.editing = null;
      toast(t("orgPrompts.deleted", { name: p.name }));
      await this.load();
    } catch (err) {
      this.setNote(p.id, { kind: "bad", text: errorText(err) });
    } finally {
      this.setBusy(p.id, false);
    }
  }

  private async upload(p: OrgPromptInfo, lang: string, input: HTMLInputElement): Promise<void> {
    const file = pickedFile(input);
    if (!file) return;
    const key = `${p.id}/${lang}`;
    this.setBusy(key, true);
    this.setNote(key, null);
    try {
      const done = await putRecording(lang, p.id, file);
      this.dropAudio(key);
      const text = t("orgPrompts.recorded", { name: p.name, language: languageName(lang), seconds: formatNumber(done.seconds, 1) });
      this.setNote(key, { kind: "ok", text });
      toast(text);
      await this.load();
    } catch (err) {
      this.setNote(key, { kind: "bad", text: errorText(err) });
    } finally {
      this.setBusy(key, false);
    }
  }

  private async removeRecording(p: OrgPromptInfo, lang: string): Promise<void> {
    const key = `${p.id}/${lang}`;
    if (!(await confirmDialog(t("orgPrompts.confirmRemove", { name: p.name, language: languageName(lang) }), t("orgPrompts.removeRecording")))) return;
    this.setBusy(key, true);
    this.setNote(key, null);
    try {
      await api.delete(`/api/prompts/${lang}/${encodeURIComponent(p.id)}`);
      this.dropAudio(key);
      toast(t("orgPrompts.removed", { name: p.name, language: languageName(lang) }));
      await this.load();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) await this.load();
      this.setNote(key, { kind: "bad", text: errorText(err) });
    } finally {
      this.setBusy(key, false);
    }
  }

  private row(p: OrgPromptInfo): TemplateResult {
    const busy = this.busyKeys.has(p.id);
    const note = this.notes.get(p.id);
    const playing = this.player.current?.key.startsWith(`${p.id}/`) ? this.player.current : null;
    const playingLang = playing ? playing.key.slice(p.id.length + 1) : "";
    return html`<tr data-testid="org-prompt" data-prompt-id=${p.id}>
      <td data-label=${t("orgPrompts.name")}>
        <div>
          <strong data-testid="org-prompt-name">${p.name}</strong>
          <div class="muted small">${t("orgPrompts.idHint", { id: p.id })}</div>
        </div>
      </td>
      <td data-label=${t("orgPrompts.description")} data-testid="org-prompt-description">${p.description}</td>
      <td data-label=${t("orgPrompts.languages")}>
        <div>
          <div class="inline-group" data-testid="org-prompt-languages">
            ${p.languages.map(
              (lang) => html`<button type="button" class="secondary small" ?disabled=${busy} data-lang=${lang}
                aria-label=${t("orgPrompts.play", { name: p.name, language: languageName(lang) })} @click=${() => void this.play(p, lang)}>
                <span aria-hidden="true">▶</span> ${languageName(lang)} <span class="muted">${formatNumber(p.seconds[lang] ?? 0, 1)} s</span>
              </button>`,
            )}
          </div>
          ${playing
            ? html`<audio controls preload="auto" src=${playing.url} data-key=${playing.key} data-testid="org-prompt-audio"
                aria-label=${t("orgPrompts.audioLabel", { name: p.name, language: languageName(playingLang) })}></audio>`
            : nothing}
        </div>
      </td>
      <td data-label=${t("common.actions")}>
        <div>
          <div class="inline-group">
            <button type="button" class="secondary small edit" ?disabled=${busy} @click=${() => this.startEdit(p)}>
              ${t("orgPrompts.edit")}<span class="sr-only"> ${p.name}</span>
            </button>
            <button type="button" class="danger small" ?disabled=${busy} @click=${() => void this.deletePrompt(p)}>
              ${t("orgPrompts.delete")}<span class="sr-only"> ${p.name}</span>
            </button>
          </div>
          ${busy ? html`<div class="muted small">${t("app.loading")}</div>` : nothing}
          ${note?.kind === "bad" ? html`<div class="field-error" role="alert" data-testid="org-prompt-error">${note.text}</div>` : nothing}
        </div>
      </td>
    </tr>`;
  }

  private table(list: OrgPromptList): TemplateResult {
    if (!list.prompts.length) return html`<p class="empty" data-testid="org-prompts-empty">${t("orgPrompts.empty")}</p>`;
    return html`<div class="table-wrap">
      <table class="data responsive" data-testid="org-prompts">
        <caption class="sr-only">${t("orgPrompts.title")}</caption>
        <thead>
          <tr>
            <th scope="col">${t("orgPrompts.name")}</th>
            <th scope="col">${t("orgPrompts.description")}</th>
            <th scope="col">${t("orgPrompts.languages")}</th>
            <th scope="col">${t("common.actions")}</th>
          </tr>
        </thead>
        <tbody>
          ${list.prompts.map((p) => this.row(p))}
        </tbody>
      </table>
    </div>`;
  }

  private recordingRow(p: OrgPromptInfo, lang: string): TemplateResult {
    const key = `${p.id}/${lang}`;
    const recorded = p.languages.includes(lang);
    const busy = this.busyKeys.has(key);
    const note = this.notes.get(key);
    const inputId = `org-file-${p.id.replace(":", "-")}-${lang}`;
    return html`<li class="field" data-testid="org-recording" data-lang=${lang}>
      <div class="inline-group">
        <strong>${languageName(lang)}</strong>
        ${recorded
          ? html`<span class="badge ok" data-testid="org-recording-status">${formatNumber(p.seconds[lang] ?? 0, 1)} s</span>`
          : html`<span class="badge" data-testid="org-recording-status">${t("orgPrompts.notRecorded")}</span>`}
        <button type="button" class="secondary small" ?disabled=${busy}
          aria-label=${t("orgPrompts.uploadLabel", { name: p.name, language: languageName(lang) })}
          @click=${() => this.querySelector<HTMLInputElement>(`#${inputId}`)?.click()}>
          ${recorded ? t("orgPrompts.replace") : t("orgPrompts.upload")}
        </button>
        <input id=${inputId} class="sr-only" type="file" accept=${AUDIO_ACCEPT} tabindex="-1" aria-hidden="true"
          @change=${(e: Event) => void this.upload(p, lang, e.target as HTMLInputElement)} />
        <button type="button" class="secondary small" ?disabled=${busy} aria-expanded=${this.phoneFor === key ? "true" : "false"}
          aria-label=${t("phoneRecording.recordLabel", { name: p.name, language: languageName(lang) })}
          @click=${() => (this.phoneFor = this.phoneFor === key ? "" : key)}>
          ${t("phoneRecording.title")}
        </button>
        ${recorded && p.languages.length > 1
          ? html`<button type="button" class="danger small" ?disabled=${busy}
              aria-label=${t("orgPrompts.removeLabel", { name: p.name, language: languageName(lang) })}
              @click=${() => void this.removeRecording(p, lang)}>${t("orgPrompts.removeRecording")}</button>`
          : nothing}
      </div>
      ${this.phoneFor === key
        ? html`<cb-record-by-phone key=${`org-phone-${p.id.replace(":", "-")}-${lang}`} promptId=${p.id} language=${lang}
            @phone-saved=${(e: CustomEvent<PhoneJob>) => void this.phoneSaved(e.detail, false)}></cb-record-by-phone>`
        : nothing}
      ${busy ? html`<div class="muted small">${t("app.loading")}</div>` : nothing}
      ${note?.kind === "bad" ? html`<div class="field-error" role="alert" data-testid="org-recording-error">${note.text}</div>` : nothing}
      ${note?.kind === "ok" ? html`<div class="small" data-testid="org-recording-note">${note.text}</div>` : nothing}
    </li>`;
  }

  private editor(list: OrgPromptList, editing: Editing): TemplateResult | typeof nothing {
    const p = this.prompt(editing.id);
    if (!p) return nothing;
    const update = (changes: Partial<Editing>) => {
      if (this.editing) this.editing = { ...this.editing, ...changes };
    };
    return html`<div class="card" style="margin-top: 1rem" data-testid="org-prompt-edit">
      <h3 id="org-edit-title" tabindex="-1">${t("orgPrompts.editTitle", { name: p.name })}</h3>
      <form novalidate @submit=${this.save} aria-labelledby="org-edit-title">
        ${formError(editing.error, "org-edit-error")}
        ${textField({ id: "org-edit-name", label: t("orgPrompts.name"), value: editing.name, required: true, hint: t("orgPrompts.nameHint"), error: editing.errors["name"], onInput: (v) => update({ name: v }) })}
        ${textAreaField({ id: "org-edit-description", label: t("orgPrompts.description"), value: editing.description, required: true, hint: t("orgPrompts.descriptionHint"), error: editing.errors["description"], onInput: (v) => update({ description: v }) })}
        <div class="actions">
          <button type="button" class="secondary" @click=${() => this.closeEditor()}>${t("common.cancel")}</button>
          <button type="submit" ?disabled=${this.busyKeys.has(p.id)}>${t("common.save")}</button>
        </div>
      </form>
      <h4>${t("orgPrompts.recordings")}</h4>
      <ul class="plain" style="list-style: none; padding: 0">
        ${list.languages.map((lang) => this.recordingRow(p, lang))}
      </ul>
    </div>`;
  }

  private newForm(list: OrgPromptList): TemplateResult {
    const languages = list.languages.map((l): [string, string] => [l, languageName(l)]);
    const fileError = this.errors["file"];
    return html`<form class="side-col card" novalidate @submit=${this.create} aria-labelledby="org-new-title" data-testid="org-prompt-new">
      <h3 id="org-new-title">${t("orgPrompts.new")}</h3>
      ${formError(this.error, "org-new-error")}
      ${textField({ id: "org-new-name", label: t("orgPrompts.name"), value: this.name, required: true, hint: t("orgPrompts.nameHint"), error: this.errors["name"], onInput: (v) => (this.name = v) })}
      ${textAreaField({ id: "org-new-description", label: t("orgPrompts.description"), value: this.description, required: true, hint: t("orgPrompts.descriptionHint"), error: this.errors["description"], onInput: (v) => (this.description = v) })}
      ${selectField({ id: "org-new-language", label: t("orgPrompts.recordingLanguage"), value: this.language, options: languages, error: this.errors["language"], onInput: (v) => (this.language = v) })}
      <fieldset>
        <legend>${t("phoneRecording.source")}</legend>
        <div class="segmented">
          ${(["upload", "phone"] as const).map(
            (source) => html`<label class=${this.source === source ? "on" : ""}>
              <input type="radio" name="org-new-source" value=${source} .checked=${this.source === source} @change=${() => (this.source = source)} />
              ${source === "upload" ? t("phoneRecording.sourceUpload") : t("phoneRecording.title")}
            </label>`,
          )}
        </div>
      </fieldset>
      ${this.source === "phone"
        ? html`<cb-record-by-phone id="org-new-phone" key="org-new-phone" .details=${() => this.phoneDetails()}
            @phone-errors=${(e: CustomEvent<Record<string, string>>) => (this.errors = { ...e.detail, number: null })}
            @phone-saved=${(e: CustomEvent<PhoneJob>) => void this.phoneSaved(e.detail, true)}></cb-record-by-phone>`
        : this.fileField(fileError)}
    </form>`;
  }

  private fileField(fileError: string | null | undefined): TemplateResult {
    return html`<div class="field ${fileError ? "has-error" : ""}">
        <label for="org-new-file">${t("orgPrompts.file")}<span class="req" aria-hidden="true"> *</span></label>
        <input id="org-new-file" name="org-new-file" type="file" accept=${AUDIO_ACCEPT} aria-required="true"
          aria-invalid=${fileError ? "true" : "false"} aria-describedby=${fileError ? "org-new-file-hint org-new-file-error" : "org-new-file-hint"}
          @change=${(e: Event) => (this.file = (e.target as HTMLInputElement).files?.[0] ?? null)} />
        <div class="hint" id="org-new-file-hint">${t("orgPrompts.fileHint")}</div>
        <div class="field-error" id="org-new-file-error" aria-live="polite">${fileError ?? ""}</div>
      </div>
      <div class="actions"><button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("orgPrompts.create")}</button></div>`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError && !this.list) body = errorView(this.loadError, () => void this.load());
    else if (!this.list) body = loadingView();
    else
      body = html`<div class="columns">
        <div class="main-col">
          ${this.table(this.list)} ${this.editing ? this.editor(this.list, this.editing) : nothing}
        </div>
        ${this.newForm(this.list)}
      </div>`;
    return html`<section aria-labelledby="org-prompts-title" data-testid="org-prompts-section">
      <h2 id="org-prompts-title">${t("orgPrompts.title")}</h2>
      <p class="muted">${t("orgPrompts.intro")}</p>
      ${body}
    </section>`;
  }
}
