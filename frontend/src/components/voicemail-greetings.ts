/**
 * <cb-voicemail-greetings>: on the Voicemail page, the user's personal greetings (VM-10). For "When
 * I don't answer" (unavailable) and "When I'm on the phone" (busy): whether callers hear the
 * standard greeting or the user's own (and how long it is), a player for their own, an upload of a
 * recording (any common audio format; the server's reason for a refused file shows at the field)
 * and "Use the standard greeting" (after a confirmation). How to record them by phone is told with
 * the user's voicemail code (*50*, then 0). When the organisation keeps personal greetings off, the
 * card says so and offers nothing.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { AUDIO_ACCEPT, pickedFile, rawRequest, withEntry, withKey } from "../audio";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { confirmDialog } from "../dialog";
import type { FeatureCodeList } from "../feature-codes";
import { t } from "../i18n";
import { toast } from "../session";
import {
  GREETING_KINDS,
  greetingAudioUrl,
  greetingByPhoneText,
  greetingText,
  greetingUrl,
  type GreetingKind,
  type Greetings,
} from "../voicemail";

/** The feature code whose digits start the voicemail menu on one's own phone. */
const LISTEN_CODE = "voicemail_listen";

@customElement("cb-voicemail-greetings")
export class CbVoicemailGreetings extends LightElement {
  @state() private greetings: Greetings | null = null;
  @state() private loadError = "";
  /** What one dials for one's own voicemail ("*50*"); null until known. */
  @state() private dial: string | null = null;
  /** Per kind: the reason the last upload was refused. */
  @state() private errors = new Map<GreetingKind, string>();
  /** Kinds with an upload or delete under way. */
  @state() private busy = new Set<GreetingKind>();
  /** Counts the changes, so that a player loads the new recording rather than the one it had. */
  @state() private version = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    void this.loadCode();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      this.greetings = await api.get<Greetings>("/api/voicemail/greetings");
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  /** The voicemail code for the by-phone hint; without it (an older server) the hint is left out. */
  private async loadCode(): Promise<void> {
    try {
      const { codes } = await api.get<FeatureCodeList>("/api/feature-codes");
      const code = codes.find((c) => c.key === LISTEN_CODE);
      this.dial = code ? (code.forms.on ?? `*${code.code}*`) : null;
    } catch {
      this.dial = null;
    }
  }

  private kindTitle(kind: GreetingKind): string {
    return t(kind === "busy" ? "voicemail.greetingBusy" : "voicemail.greetingUnavailable");
  }

  private async upload(kind: GreetingKind, input: HTMLInputElement): Promise<void> {
    const file = pickedFile(input);
    if (!file || this.busy.has(kind)) return;
    this.errors = withEntry(this.errors, kind, null);
    this.busy = withKey(this.busy, kind, true);
    try {
      const response = await rawRequest("PUT", greetingUrl(kind), file);
      this.greetings = (await response.json()) as Greetings;
      this.version += 1;
      toast(t("voicemail.greetingUploaded", { kind: this.kindTitle(kind) }));
    } catch (err) {
      this.errors = withEntry(this.errors, kind, fieldErrors(err)["file"] ?? errorText(err));
      this.querySelector<HTMLInputElement>(`#vm-greeting-file-${kind}`)?.focus();
    } finally {
      this.busy = withKey(this.busy, kind, false);
    }
  }

  private async useStandard(kind: GreetingKind): Promise<void> {
    if (this.busy.has(kind)) return;
    const title = this.kindTitle(kind);
    if (!(await confirmDialog(t("voicemail.greetingConfirmReset", { kind: title }), t("voicemail.greetingReset")))) return;
    this.errors = withEntry(this.errors, kind, null);
    this.busy = withKey(this.busy, kind, true);
    try {
      await api.delete(greetingUrl(kind));
      toast(t("voicemail.greetingResetDone", { kind: title }));
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.busy = withKey(this.busy, kind, false);
    }
    this.version += 1;
    await this.load();
    // The button is gone: the file input of the same greeting keeps the person in place.
    this.querySelector<HTMLElement>(`#vm-greeting-file-${kind}`)?.focus();
  }

  private kindBlock(greetings: Greetings, kind: GreetingKind): TemplateResult {
    const personal = greetings.greetings[kind].personal;
    const busy = this.busy.has(kind);
    const error = this.errors.get(kind) ?? "";
    const title = this.kindTitle(kind);
    const inputId = `vm-greeting-file-${kind}`;
    const describedBy = [`${inputId}-hint`, error ? `${inputId}-error` : ""].filter(Boolean).join(" ");
    return html`<section class="vm-greeting" data-testid="voicemail-greeting" data-kind=${kind} data-personal=${personal ? "true" : "false"}
      aria-labelledby="vm-greeting-${kind}-title" style="margin-bottom: 1.5rem">
      <h3 id="vm-greeting-${kind}-title" style="font-size: 1.05rem">${title}</h3>
      <p data-testid="voicemail-greeting-state">${greetingText(greetings, kind)}</p>
      ${personal
        ? html`<p><audio controls preload="metadata" src=${greetingAudioUrl(kind, this.version)} data-testid="voicemail-greeting-audio"
            aria-label=${t("voicemail.greetingAudioLabel", { kind: title })} style="max-width: 100%"></audio></p>`
        : nothing}
      <div class="field ${error ? "has-error" : ""}">
        <label for=${inputId}>${t(personal ? "voicemail.greetingReplace" : "voicemail.greetingUpload")}</label>
        <input type="file" id=${inputId} accept=${AUDIO_ACCEPT} ?disabled=${busy} data-testid="voicemail-greeting-file"
          aria-invalid=${error ? "true" : "false"} aria-describedby=${describedBy}
          @change=${(e: Event) => void this.upload(kind, e.target as HTMLInputElement)} />
        <div class="hint" id="${inputId}-hint">${t("voicemail.greetingFileHint")}</div>
        <div class="field-error" id="${inputId}-error" aria-live="polite" data-testid="voicemail-greeting-error">${error}</div>
      </div>
      ${busy ? html`<p class="muted small" role="status">${t("common.saving")}</p>` : nothing}
      ${personal
        ? html`<div class="actions start">
            <button type="button" class="secondary" aria-disabled=${busy ? "true" : "false"} @click=${() => void this.useStandard(kind)}>
              ${t("voicemail.greetingReset")}<span class="sr-only"> (${title})</span>
            </button>
          </div>`
        : nothing}
    </section>`;
  }

  private body(greetings: Greetings): TemplateResult {
    if (!greetings.allowed) {
      return html`<p class="notice" data-testid="voicemail-greetings-off">${t("voicemail.greetingsOff")}</p>`;
    }
    return html`${GREETING_KINDS.map((kind) => this.kindBlock(greetings, kind))}
      ${this.dial ? html`<p class="muted small" data-testid="voicemail-greetings-phone">${greetingByPhoneText(this.dial)}</p>` : nothing}`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.greetings) body = loadingView();
    else body = this.body(this.greetings);
    return html`<section class="card" data-testid="voicemail-greetings" aria-labelledby="vm-greetings-title">
      <h2 id="vm-greetings-title">${t("voicemail.greetingsTitle")}</h2>
      <p class="muted">${t("voicemail.greetingsIntro")}</p>
      ${body}
    </section>`;
  }
}
