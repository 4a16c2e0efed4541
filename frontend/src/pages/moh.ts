/**
 * Admin: music on hold (MOH-01..03, CAPA-26): the classes with their files, listening in the browser,
 * uploads with progress and the reason of a refusal, creating and deleting classes, and the class the
 * organisation's held callers hear (groups and users may choose another; see Settings and My profile).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { AUDIO_ACCEPT, failedRequest, pickedFile, withEntry, withKey, type Note } from "../audio";
import { LightElement, errorText, errorView, fieldErrors, loadingView, pageHeading } from "../base";
import { confirmDialog } from "../dialog";
import { focusFirstError, formError, selectField, textField } from "../forms";
import { formatBytes, formatNumber, t } from "../i18n";
import { toast } from "../session";

export interface MusicFile {
  name: string;
  /** Length in seconds; null for a file placed in the folder by hand in a format not read here. */
  seconds: number | null;
  size: number;
}

export interface MusicClass {
  name: string;
  files: MusicFile[];
}

export interface MusicLibrary {
  classes: MusicClass[];
  org_class: string;
  max_bytes: number;
  max_seconds: number;
}

interface Added extends MusicFile {
  music_class: string;
}

/** The API's rule for class names (core/media/moh_library.py CLASS_NAME). */
export const CLASS_NAME = /^[a-z0-9_-]{1,32}$/;
export const DEFAULT_CLASS = "default";

/** "3:07" for 187 seconds; "1:02:05" past an hour. */
export function duration(seconds: number | null): string {
  if (seconds === null) return t("common.unknown");
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

function fileUrl(musicClass: string, file: string): string {
  return `/api/moh/classes/${encodeURIComponent(musicClass)}/files/${encodeURIComponent(file)}`;
}

/** POST the file as the request body with XMLHttpRequest: fetch() cannot report upload progress. */
function uploadFile(musicClass: string, file: File, onProgress: (fraction: number) => void): Promise<Added> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/moh/classes/${encodeURIComponent(musicClass)}/files?filename=${encodeURIComponent(file.name)}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener("load", () => {
      let data: unknown = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as Added);
      else reject(failedRequest(xhr.status, xhr.statusText, data));
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "network", "")));
    xhr.send(file);
  });
}

@customElement("cb-moh")
export class CbMoh extends LightElement {
  @state() private library: MusicLibrary | null = null;
  @state() private loadError = "";
  /** The organisation's class as picked in the select, before saving. */
  @state() private orgChoice = DEFAULT_CLASS;
  @state() private orgBusy = false;
  @state() private orgError = "";
  @state() private newName = "";
  @state() private newError: string | null = null;
  @state() private newFormError = "";
  /** Per class: the outcome of the last upload or delete in it. */
  @state() private notes = new Map<string, Note>();
  /** Per class: the upload in progress (file name and fraction sent). */
  @state() private uploads = new Map<string, { file: string; fraction: number }>();
  @state() private busy = new Set<string>();
  /** The file whose player is shown: one at a time, streamed from the API (range requests). */
  @state() private playing: { musicClass: string; file: string } | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const library = await api.get<MusicLibrary>("/api/moh");
      this.library = library;
      this.orgChoice = library.org_class;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private setNote(musicClass: string, note: Note | null): void {
    this.notes = withEntry(this.notes, musicClass, note);
  }

  private setBusy(key: string, on: boolean): void {
    this.busy = withKey(this.busy, key, on);
  }

  private setUpload(musicClass: string, upload: { file: string; fraction: number } | null): void {
    this.uploads = withEntry(this.uploads, musicClass, upload);
  }

  private async saveOrg(e: Event): Promise<void> {
    e.preventDefault();
    this.orgBusy = true;
    this.orgError = "";
    try {
      await api.put("/api/settings/org", { "core.music_on_hold": this.orgChoice });
      if (this.library) this.library = { ...this.library, org_class: this.orgChoice };
      toast(t("moh.orgSaved", { name: this.orgChoice }));
    } catch (err) {
      this.orgError = fieldErrors(err)["core.music_on_hold"] ?? errorText(err);
    } finally {
      this.orgBusy = false;
    }
  }

  private async create(e: Event): Promise<void> {
    e.preventDefault();
    const name = this.newName.trim();
    const form = this.querySelector("#moh-new-form") ?? this;
    this.newError = !name ? t("validation.required") : CLASS_NAME.test(name) ? null : t("moh.nameRule");
    this.newFormError = "";
    if (this.newError) {
      focusFirstError(form);
      return;
    }
    try {
      await api.post("/api/moh/classes", { name });
      this.newName = "";
      toast(t("moh.created", { name }));
      await this.load();
    } catch (err) {
      this.newError = fieldErrors(err)["name"] ?? null;
      this.newFormError = errorText(err);
      focusFirstError(form);
    }
  }

  private async deleteClass(c: MusicClass): Promise<void> {
    const message = t("moh.confirmDeleteClass", { name: c.name, count: c.files.length });
    if (!(await confirmDialog(message, t("moh.deleteClass")))) return;
    this.setBusy(c.name, true);
    try {
      await api.delete(`/api/moh/classes/${encodeURIComponent(c.name)}`);
      if (this.playing?.musicClass === c.name) this.playing = null;
      toast(t("moh.classDeleted", { name: c.name }));
      await this.load();
    } catch (err) {
      this.setNote(c.name, { kind: "bad", text: errorText(err) });
    } finally {
      this.setBusy(c.name, false);
    }
  }

  private async play(c: MusicClass, f: MusicFile): Promise<void> {
    this.playing = { musicClass: c.name, file: f.name };
    this.setNote(c.name, null);
    await this.updateComplete;
    const player = this.querySelector<HTMLAudioElement>('[data-testid="moh-audio"]');
    // Browsers may refuse to start sound on their own; the player's controls remain to press play.
    await player?.play().catch(() => undefined);
  }

  private playFailed(c: MusicClass): void {
    this.setNote(c.name, { kind: "bad", text: t("moh.playFailed") });
  }

  private async deleteFile(c: MusicClass, f: MusicFile): Promise<void> {
    if (!(await confirmDialog(t("moh.confirmDeleteFile", { file: f.name, name: c.name }), t("common.delete")))) return;
    const key = `${c.name}/${f.name}`;
    this.setBusy(key, true);
    this.setNote(c.name, null);
    try {
      await api.delete(fileUrl(c.name, f.name));
      if (this.playing?.musicClass === c.name && this.playing.file === f.name) this.playing = null;
      toast(t("moh.fileDeleted", { file: f.name }));
      await this.load();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) await this.load();
      this.setNote(c.name, { kind: "bad", text: errorText(err) });
    } finally {
      this.setBusy(key, false);
    }
  }

  private async upload(c: MusicClass, input: HTMLInputElement): Promise<void> {
    const file = pickedFile(input);
    if (!file || !this.library) return;
    if (file.size > this.library.max_bytes) {
      this.setNote(c.name, { kind: "bad", text: t("moh.tooLarge", { mb: Math.round(this.library.max_bytes / 1048576) }) });
      return;
    }
    this.setNote(c.name, null);
    this.setUpload(c.name, { file: file.name, fraction: 0 });
    try {
      const added = await uploadFile(c.name, file, (fraction) => this.setUpload(c.name, { file: file.name, fraction }));
      if (this.playing?.musicClass === c.name && this.playing.file === added.name) this.playing = null;
      await this.load();
      const text = t("moh.uploaded", { file: added.name, name: c.name, length: duration(added.seconds) });
      this.setNote(c.name, { kind: "ok", text });
      toast(text);
    } catch (err) {
      this.setNote(c.name, { kind: "bad", text: errorText(err) });
    } finally {
      this.setUpload(c.name, null);
    }
  }

  private fileRow(c: MusicClass, f: MusicFile): TemplateResult {
    const busy = this.busy.has(`${c.name}/${f.name}`);
    const playing = this.playing?.musicClass === c.name && this.playing.file === f.name;
    return html`<tr data-testid="moh-file" data-file=${f.name}>
      <td data-label=${t("moh.file")}><code>${f.name}</code></td>
      <td data-label=${t("moh.length")} class="num">${duration(f.seconds)}</td>
      <td data-label=${t("moh.size")} class="num">${formatBytes(f.size)}</td>
      <td data-label=${t("common.actions")}>
        <div class="inline-group">
          <button type="button" class="secondary small" ?disabled=${busy} @click=${() => void this.play(c, f)}>
            <span aria-hidden="true">▶</span> ${t("moh.play")}<span class="sr-only"> ${f.name}</span>
          </button>
          <button type="button" class="danger small" ?disabled=${busy} @click=${() => void this.deleteFile(c, f)}>
            ${t("common.delete")}<span class="sr-only"> ${f.name}</span>
          </button>
        </div>
        ${playing
          ? html`<div><audio controls preload="metadata" src=${fileUrl(c.name, f.name)} data-testid="moh-audio" style="max-width: 100%"
              aria-label=${t("moh.audioLabel", { file: f.name, name: c.name })} @error=${() => this.playFailed(c)}></audio></div>`
          : nothing}
      </td>
    </tr>`;
  }

  private classCard(c: MusicClass, library: MusicLibrary): TemplateResult {
    const note = this.notes.get(c.name);
    const upload = this.uploads.get(c.name);
    const titleId = `moh-class-${c.name}`;
    const total = c.files.reduce((sum, f) => sum + (f.seconds ?? 0), 0);
    return html`<section class="card" data-testid="moh-class" data-class=${c.name} aria-labelledby=${titleId}>
      <div class="row-between">
        <h2 id=${titleId}>${c.name}</h2>
        <div class="inline-group">
          ${c.name === library.org_class ? html`<span class="badge ok" data-testid="moh-org-badge">${t("moh.chosen")}</span>` : nothing}
          ${c.name === DEFAULT_CLASS ? html`<span class="badge">${t("moh.defaultClass")}</span>` : nothing}
        </div>
      </div>
      ${c.files.length
        ? html`<p class="muted small">
              ${c.files.length === 1 ? t("moh.summaryOne", { length: duration(total) }) : t("moh.summary", { count: c.files.length, length: duration(total) })}
            </p>
            <div class="table-wrap">
              <table class="data responsive" data-testid="moh-files">
                <caption class="sr-only">${t("moh.filesOf", { name: c.name })}</caption>
                <thead>
                  <tr>
                    <th scope="col">${t("moh.file")}</th>
                    <th scope="col" class="num">${t("moh.length")}</th>
                    <th scope="col" class="num">${t("moh.size")}</th>
                    <th scope="col">${t("common.actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  ${c.files.map((f) => this.fileRow(c, f))}
                </tbody>
              </table>
            </div>`
        : html`<p class="muted" data-testid="moh-empty">${t("moh.noFiles")}</p>`}
      ${upload
        ? html`<div class="field">
            <label for="moh-progress-${c.name}">${upload.fraction < 1 ? t("moh.uploading", { file: upload.file }) : t("moh.converting", { file: upload.file })}</label>
            <progress id="moh-progress-${c.name}" data-testid="moh-progress" max="1" .value=${upload.fraction} style="width: 100%">
              ${Math.round(upload.fraction * 100)} %
            </progress>
          </div>`
        : nothing}
      ${note?.kind === "bad" ? html`<div class="field-error" role="alert" data-testid="moh-error">${note.text}</div>` : nothing}
      ${note?.kind === "ok" ? html`<div class="small" role="status" data-testid="moh-note">${note.text}</div>` : nothing}
      <div class="actions start">
        <button type="button" class="secondary" ?disabled=${Boolean(upload)}
          @click=${() => this.querySelector<HTMLInputElement>(`#moh-file-${c.name}`)?.click()}>
          ${t("moh.upload")}<span class="sr-only"> ${c.name}</span>
        </button>
        <input id="moh-file-${c.name}" class="sr-only" type="file" accept=${AUDIO_ACCEPT} tabindex="-1"
          aria-label=${t("moh.fileInput", { name: c.name })} data-testid="moh-file-input"
          @change=${(e: Event) => void this.upload(c, e.target as HTMLInputElement)} />
        ${c.name !== DEFAULT_CLASS
          ? html`<button type="button" class="danger" ?disabled=${this.busy.has(c.name) || Boolean(upload)} @click=${() => void this.deleteClass(c)}>
              ${t("moh.deleteClass")}<span class="sr-only"> ${c.name}</span>
            </button>`
          : nothing}
      </div>
    </section>`;
  }

  private topCards(library: MusicLibrary): TemplateResult {
    const options = library.classes.map((c): [string, string] => [c.name, c.name]);
    return html`<div class="columns">
      <form id="moh-org-form" class="card" novalidate @submit=${this.saveOrg} aria-labelledby="moh-org-title">
        <h2 id="moh-org-title">${t("moh.orgTitle")}</h2>
        ${selectField({
          id: "moh-org-class",
          label: t("moh.orgClass"),
          value: this.orgChoice,
          options,
          hint: t("moh.orgHint"),
          error: this.orgError || null,
          onInput: (v) => {
            this.orgChoice = v;
            this.orgError = "";
          },
        })}
        <div class="actions start">
          <button type="submit" ?disabled=${this.orgBusy}>${this.orgBusy ? t("common.saving") : t("common.save")}</button>
        </div>
      </form>
      <form id="moh-new-form" class="card" novalidate @submit=${this.create} aria-labelledby="moh-new-title">
        <h2 id="moh-new-title">${t("moh.newTitle")}</h2>
        ${formError(this.newFormError, "moh-new-error")}
        ${textField({
          id: "moh-new-name",
          label: t("moh.newName"),
          value: this.newName,
          required: true,
          autocomplete: "off",
          hint: t("moh.nameRule"),
          error: this.newError,
          onInput: (v) => {
            this.newName = v;
            this.newError = null;
          },
        })}
        <div class="actions start"><button type="submit">${t("moh.create")}</button></div>
      </form>
    </div>`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    const library = this.library;
    if (this.loadError && !library) body = errorView(this.loadError, () => void this.load());
    else if (!library) body = loadingView();
    else body = html`${this.topCards(library)}${library.classes.map((c) => this.classCard(c, library))}`;
    const limits = library
      ? { mb: Math.round(library.max_bytes / 1048576), minutes: formatNumber(library.max_seconds / 60) }
      : { mb: 100, minutes: 30 };
    return html`<section class="page">
      ${pageHeading(t("moh.title"))}
      <p class="muted">${t("moh.intro", limits)}</p>
      ${body}
    </section>`;
  }
}
