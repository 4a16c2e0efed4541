/**
 * Record a prompt by phone (PRM-04): the number to call (the admin's own extension to start with),
 * "Initialise call", and the call's progress as the API and the WebSocket report it: ringing, the
 * voice guide, recording, playing back, saved or failed with the reason.
 *
 * For an existing prompt set ``promptId`` and ``language``; for a new one ``details`` returns the
 * name, description and language from the surrounding form (or null when that form shows errors).
 * Errors of those fields come back as a "phone-errors" event; a saved recording as "phone-saved".
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, fieldErrors } from "../base";
import { focusFirstError, formError, textField } from "../forms";
import { formatNumber, t, type MessageKey } from "../i18n";
import { session, toast } from "../session";
import { live, type StateChange } from "../ws";

/** A record-by-phone job as GET /api/prompts/record-by-phone/{id} returns it. */
export interface PhoneJob {
  id: string;
  state: "ringing" | "recording" | "saved" | "failed";
  /** While recording: guide, recording or review. */
  step: string;
  reason: string;
  code: string;
  number: string;
  language: string;
  prompt_id: string | null;
  name: string;
  seconds: number | null;
  /** When the job last changed (seconds since the epoch). */
  updated: number;
}

const POLL_MS = 2000;
const FAILURES = ["busy", "not_answered", "no_phone", "hung_up", "discarded", "nothing_recorded", "disk_full", "cancelled"];

export function isActive(job: PhoneJob | null): boolean {
  return job?.state === "ringing" || job?.state === "recording";
}

/** What the job's state means, in the user's language (the API's reason for failures it has no words for). */
export function jobText(job: PhoneJob): string {
  const language = t(`lang.${job.language}` as MessageKey);
  if (job.state === "ringing") return t("phoneRecording.ringing", { number: job.number });
  if (job.state === "recording") {
    const step = ["guide", "recording", "review"].includes(job.step) ? job.step : "guide";
    return t(`phoneRecording.${step}` as MessageKey, { number: job.number });
  }
  if (job.state === "saved") {
    return t("phoneRecording.saved", { name: job.name, language, seconds: formatNumber(job.seconds ?? 0, 1) });
  }
  if (FAILURES.includes(job.code)) return t(`phoneRecording.failed.${job.code}` as MessageKey, { number: job.number });
  return t("phoneRecording.failed", { reason: job.reason });
}

@customElement("cb-record-by-phone")
export class CbRecordByPhone extends LightElement {
  /** Makes the field ids unique on the page. */
  @property() key = "phone";
  @property() promptId = "";
  @property() language = "";
  @property({ attribute: false }) details: (() => Record<string, string> | null) | null = null;
  @state() private number = session.user?.extension ?? "";
  @state() private numberError = "";
  @state() private error = "";
  @state() private starting = false;
  @state() private cancelling = false;
  @state() job: PhoneJob | null = null;
  private timer: number | undefined;

  private readonly onState = (e: Event): void => {
    const { entityId, newState } = (e as CustomEvent<StateChange>).detail;
    if (!this.job || entityId !== `prompt_recording.${this.job.id}` || !newState) return;
    this.follow(newState.attributes as unknown as PhoneJob);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("state-changed", this.onState);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("state-changed", this.onState);
    window.clearTimeout(this.timer);
  }

  private follow(job: PhoneJob): void {
    // The WebSocket, a poll and the answer to a cancel may arrive in any order: the newest wins.
    if (!this.job || job.id !== this.job.id || job.updated < this.job.updated) return;
    const wasActive = isActive(this.job);
    this.job = job;
    if (wasActive && !isActive(job)) {
      window.clearTimeout(this.timer);
      if (job.state === "saved") {
        toast(jobText(job));
        this.dispatchEvent(new CustomEvent<PhoneJob>("phone-saved", { detail: job, bubbles: true, composed: true }));
      }
    }
  }

  /** The WebSocket brings each change at once; polling covers a socket that is down. */
  private poll(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(async () => {
      const job = this.job;
      if (!job || !isActive(job)) return;
      try {
        this.follow(await api.get<PhoneJob>(`/api/prompts/record-by-phone/${encodeURIComponent(job.id)}`));
      } catch {
        // The next poll tries again; the WebSocket may still bring the news.
      }
      if (isActive(this.job)) this.poll();
    }, POLL_MS);
  }

  /** Check the fields and start the call (also what Enter in the surrounding form does). */
  async start(e?: Event): Promise<void> {
    e?.preventDefault();
    if (this.starting || isActive(this.job)) return;
    const number = this.number.trim();
    this.numberError = number ? "" : t("validation.required");
    const details = this.details ? this.details() : { prompt_id: this.promptId, language: this.language };
    if (!number || !details) {
      this.error = t("common.formInvalid");
      focusFirstError(this.details ? (this.closest("form") ?? this) : this);
      return;
    }
    this.starting = true;
    this.error = "";
    try {
      this.job = await api.post<PhoneJob>("/api/prompts/record-by-phone", { number, ...details });
      this.poll();
    } catch (err) {
      const fields = fieldErrors(err);
      this.numberError = fields["number"] ?? "";
      this.error = errorText(err);
      this.dispatchEvent(new CustomEvent<Record<string, string>>("phone-errors", { detail: fields, bubbles: true, composed: true }));
      focusFirstError(this.details ? (this.closest("form") ?? this) : this);
    } finally {
      this.starting = false;
    }
  }

  private async cancel(): Promise<void> {
    const job = this.job;
    if (!job || !isActive(job)) return;
    this.cancelling = true;
    try {
      this.follow(await api.delete<PhoneJob>(`/api/prompts/record-by-phone/${encodeURIComponent(job.id)}`));
    } catch (err) {
      // 409: it ended meanwhile; the WebSocket or the next poll shows how.
      if (!(err instanceof ApiError && err.status === 409)) this.error = errorText(err);
    } finally {
      this.cancelling = false;
    }
  }

  private status(job: PhoneJob): TemplateResult {
    const failed = job.state === "failed";
    return html`<div class="${failed ? "form-error" : "phone-recording-state"}" role=${failed ? "alert" : "status"} aria-live="polite"
      data-testid="phone-recording-state" data-state=${job.state} data-step=${job.step}>${jobText(job)}</div>`;
  }

  protected override render(): TemplateResult {
    const busy = this.starting || isActive(this.job);
    return html`<div class="record-by-phone" data-testid="record-by-phone">
      ${formError(this.error, `${this.key}-error`)}
      ${textField({
        id: `${this.key}-number`,
        label: t("phoneRecording.number"),
        value: this.number,
        required: true,
        autocomplete: "off",
        hint: t("phoneRecording.numberHint"),
        error: this.numberError,
        onInput: (v) => (this.number = v),
      })}
      <div class="actions">
        <button type="button" ?disabled=${busy} @click=${(e: Event) => void this.start(e)}>
          ${this.starting ? t("phoneRecording.starting") : t("phoneRecording.start")}
        </button>
        ${isActive(this.job)
          ? html`<button type="button" class="secondary" ?disabled=${this.cancelling} @click=${() => void this.cancel()}>${t("phoneRecording.cancel")}</button>`
          : nothing}
      </div>
      ${this.job ? this.status(this.job) : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "cb-record-by-phone": CbRecordByPhone;
  }
}
