/**
 * Admin: the voice prompts callers hear (PRM-01..05): the organisation's own (cb-org-prompts), and the
 * system ones: listen, replace by a recording, restore the system one.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { AUDIO_ACCEPT, WavPlayer, pickedFile, withEntry, withKey, type Note } from "../audio";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { confirmDialog } from "../dialog";
import { selectField } from "../forms";
import { formatNumber, language, t, type MessageKey } from "../i18n";
import { toast } from "../session";
import { MAX_PROMPT_BYTES, putRecording } from "./org-prompts";

export { MAX_PROMPT_BYTES };

export interface PromptInfo {
  id: string;
  kind?: "system";
  name?: string;
  texts: Record<string, string>;
  /** Languages in which an admin's recording replaces the system prompt. */
  custom: string[];
}

export interface PromptList {
  languages: string[];
  prompts: PromptInfo[];
}

/** The prompts whose id or text (in ``lang``) holds every word of ``search``. */
export function matchingPrompts(prompts: PromptInfo[], lang: string, search: string): PromptInfo[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return prompts;
  return prompts.filter((p) => {
    const haystack = `${p.id} ${p.id.replace(/_/g, " ")} ${p.texts[lang] ?? ""}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

@customElement("cb-prompts")
export class CbPrompts extends LightElement {
  @state() private list: PromptList | null = null;
  @state() private loadError = "";
  @state() private promptLang = "";
  @state() private search = "";
  /** Per "language/id": the outcome of the last upload, play or restore of that row. */
  @state() private notes = new Map<string, Note>();
  @state() private busy = new Set<string>();
  private readonly player = new WavPlayer(this);

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const list = await api.get<PromptList>("/api/prompts?kind=system");
      if (!this.promptLang || !list.languages.includes(this.promptLang)) {
        this.promptLang = list.languages.includes(language()) ? language() : list.languages.includes("en") ? "en" : (list.languages[0] ?? "en");
      }
      this.list = list;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private key(p: PromptInfo, lang = this.promptLang): string {
    return `${lang}/${p.id}`;
  }

  private setNote(key: string, note: Note | null): void {
    this.notes = withEntry(this.notes, key, note);
  }

  private setBusy(key: string, on: boolean): void {
    this.busy = withKey(this.busy, key, on);
  }

  private setCustom(id: string, lang: string, custom: boolean): void {
    if (!this.list) return;
    this.list = {
      ...this.list,
      prompts: this.list.prompts.map((p) =>
        p.id !== id ? p : { ...p, custom: custom ? [...new Set([...p.custom, lang])] : p.custom.filter((l) => l !== lang) },
      ),
    };
  }

  private async play(p: PromptInfo): Promise<void> {
    const lang = this.promptLang;
    const key = this.key(p, lang);
    this.setBusy(key, true);
    this.setNote(key, null);
    try {
      await this.player.play(key, `/api/prompts/${lang}/${encodeURIComponent(p.id)}.wav`);
    } catch (err) {
      this.setNote(key, { kind: "bad", text: errorText(err) });
    } finally {
      this.setBusy(key, false);
    }
  }

  private chooseFile(p: PromptInfo): void {
    this.querySelector<HTMLInputElement>(`#prompt-file-${p.id}`)?.click();
  }

  private async upload(p: PromptInfo, input: HTMLInputElement): Promise<void> {
    const file = pickedFile(input);
    if (!file) return;
    const lang = this.promptLang;
    const key = this.key(p, lang);
    this.setBusy(key, true);
    this.setNote(key, null);
    try {
      const done = await putRecording(lang, p.id, file);
      this.player.drop((k) => k === key);
      this.setCustom(p.id, lang, true);
      const text = t("prompts.replaced", { seconds: formatNumber(done.seconds, 1) });
      this.setNote(key, { kind: "ok", text });
      toast(text);
    } catch (err) {
      this.setNote(key, { kind: "bad", text: errorText(err) });
    } finally {
      this.setBusy(key, false);
    }
  }

  private async restore(p: PromptInfo): Promise<void> {
    const lang = this.promptLang;
    const key = this.key(p, lang);
    const languageName = t(`lang.${lang}` as MessageKey);
    if (!(await confirmDialog(t("prompts.confirmRestore", { id: p.id, language: languageName }), t("prompts.restore")))) return;
    this.setBusy(key, true);
    this.setNote(key, null);
    try {
      await api.delete(`/api/prompts/${lang}/${encodeURIComponent(p.id)}`);
      this.player.drop((k) => k === key);
      this.setCustom(p.id, lang, false);
      toast(t("prompts.restored", { id: p.id }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.setCustom(p.id, lang, false);
      this.setNote(key, { kind: "bad", text: errorText(err) });
    } finally {
      this.setBusy(key, false);
    }
  }

  private row(p: PromptInfo): TemplateResult {
    const key = this.key(p);
    const custom = p.custom.includes(this.promptLang);
    const busy = this.busy.has(key);
    const note = this.notes.get(key);
    const text = p.texts[this.promptLang];
    return html`<tr data-testid="prompt" data-prompt=${p.id}>
      <td data-label=${t("prompts.id")}><code id="prompt-id-${p.id}">${p.id}</code></td>
      <td data-label=${t("prompts.text")} lang=${this.promptLang} data-testid="prompt-text">${text ?? html`<span class="muted">—</span>`}</td>
      <td data-label=${t("prompts.status")}>
        ${custom
          ? html`<span class="badge ok" data-testid="prompt-custom">${t("prompts.custom")}</span>`
          : html`<span class="badge">${t("prompts.system")}</span>`}
      </td>
      <td data-label=${t("common.actions")}>
        <div class="inline-group">
          <button type="button" class="secondary small" ?disabled=${busy} @click=${() => void this.play(p)}>
            <span aria-hidden="true">▶</span> ${t("prompts.play")}<span class="sr-only"> ${p.id}</span>
          </button>
          <button type="button" class="secondary small" ?disabled=${busy} @click=${() => this.chooseFile(p)}>
            ${t("prompts.replace")}<span class="sr-only"> ${p.id}</span>
          </button>
          <input id="prompt-file-${p.id}" class="sr-only" type="file" accept=${AUDIO_ACCEPT} tabindex="-1"
            aria-label=${t("prompts.file", { id: p.id })} data-testid="prompt-file"
            @change=${(e: Event) => void this.upload(p, e.target as HTMLInputElement)} />
          ${custom
            ? html`<button type="button" class="danger small" ?disabled=${busy} @click=${() => void this.restore(p)}>
                ${t("prompts.restore")}<span class="sr-only"> ${p.id}</span>
              </button>`
            : nothing}
        </div>
        ${busy ? html`<div class="muted small">${t("app.loading")}</div>` : nothing}
        ${this.player.current?.key === key
          ? html`<audio controls preload="auto" src=${this.player.current.url} data-key=${key} data-testid="prompt-audio"
              aria-label=${t("prompts.audioLabel", { id: p.id, language: t(`lang.${this.promptLang}` as MessageKey) })}></audio>`
          : nothing}
        ${note?.kind === "bad" ? html`<div class="field-error" role="alert" data-testid="prompt-error">${note.text}</div>` : nothing}
        ${note?.kind === "ok" ? html`<div class="small" data-testid="prompt-note">${note.text}</div>` : nothing}
      </td>
    </tr>`;
  }

  private body(list: PromptList): TemplateResult {
    const shown = matchingPrompts(list.prompts, this.promptLang, this.search);
    const languages = list.languages.map((l): [string, string] => [l, t(`lang.${l}` as MessageKey)]);
    return html`<div class="filters">
        ${selectField({ id: "prompt-language", label: t("prompts.language"), value: this.promptLang, options: languages, onInput: (v) => (this.promptLang = v) })}
        <div class="field grow">
          <label for="prompt-search">${t("prompts.search")}</label>
          <input id="prompt-search" type="search" .value=${this.search} aria-describedby="prompt-search-hint"
            @input=${(e: Event) => (this.search = (e.target as HTMLInputElement).value)} />
          <div class="hint" id="prompt-search-hint">${t("prompts.searchHint")}</div>
        </div>
      </div>
      <p class="muted" role="status" aria-live="polite" data-testid="prompt-count">${t("prompts.count", { shown: shown.length, total: list.prompts.length })}</p>
      ${shown.length
        ? html`<div class="table-wrap">
            <table class="data responsive" data-testid="prompts">
              <caption class="sr-only">${t("prompts.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">${t("prompts.id")}</th>
                  <th scope="col">${t("prompts.text")}</th>
                  <th scope="col">${t("prompts.status")}</th>
                  <th scope="col">${t("common.actions")}</th>
                </tr>
              </thead>
              <tbody>
                ${shown.map((p) => this.row(p))}
              </tbody>
            </table>
          </div>`
        : html`<p class="empty">${t("prompts.noMatch")}</p>`}`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError && !this.list) body = errorView(this.loadError, () => void this.load());
    else if (!this.list) body = loadingView();
    else body = this.body(this.list);
    return html`<section class="page">
      ${pageHeading(t("prompts.title"))}
      <cb-org-prompts></cb-org-prompts>
      <section aria-labelledby="system-prompts-title">
        <h2 id="system-prompts-title">${t("prompts.systemTitle")}</h2>
        <p class="muted">${t("prompts.intro")}</p>
        ${body}
      </section>
    </section>`;
  }
}
