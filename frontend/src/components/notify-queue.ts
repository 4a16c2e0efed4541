/**
 * <cb-notify-queue>: on the notify plugin's settings page, the delivery queue: the recent e-mails
 * (GET /api/notify/queue) and SMS (GET /api/notify/sms-queue), newest first, each with its status
 * (queued, sent, failed), attempts and the last error in the server's or the modem's words.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText } from "../base";
import { formatDateTime } from "../calls";
import { t } from "../i18n";

type DeliveryStatus = "queued" | "sent" | "failed";

interface QueuedMail {
  id: number;
  to: string[];
  subject: string;
  status: DeliveryStatus;
  attempts: number;
  created: number;
  next_attempt: number | null;
  error: string | null;
}

interface QueuedSms {
  id: number;
  to: string;
  text: string;
  status: DeliveryStatus;
  attempts: number;
  created: number;
  next_attempt: number | null;
  error: string | null;
  references: number[];
}

/** One row of the list, an e-mail or an SMS. */
export interface DeliveryRow {
  kind: "mail" | "sms";
  id: number;
  to: string;
  what: string;
  status: DeliveryStatus;
  attempts: number;
  created: number;
  nextAttempt: number | null;
  error: string | null;
}

/** Both queues in one list, newest first. */
export function deliveryRows(mails: QueuedMail[], sms: QueuedSms[]): DeliveryRow[] {
  const rows: DeliveryRow[] = [
    ...mails.map((m): DeliveryRow => ({
      kind: "mail",
      id: m.id,
      to: m.to.join(", "),
      what: m.subject,
      status: m.status,
      attempts: m.attempts,
      created: m.created,
      nextAttempt: m.next_attempt,
      error: m.error,
    })),
    ...sms.map((s): DeliveryRow => ({
      kind: "sms",
      id: s.id,
      to: s.to,
      what: s.text,
      status: s.status,
      attempts: s.attempts,
      created: s.created,
      nextAttempt: s.next_attempt,
      error: s.error,
    })),
  ];
  return rows.sort((a, b) => b.created - a.created || b.id - a.id);
}

const BADGE: Record<DeliveryStatus, string> = { queued: "warn", sent: "ok", failed: "bad" };

@customElement("cb-notify-queue")
export class CbNotifyQueue extends LightElement {
  @state() private rows: DeliveryRow[] | null = null;
  @state() private error = "";
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      const [mails, sms] = await Promise.all([
        api.get<QueuedMail[]>("/api/notify/queue"),
        api.get<QueuedSms[]>("/api/notify/sms-queue"),
      ]);
      this.rows = deliveryRows(mails, sms);
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  private table(rows: DeliveryRow[]): TemplateResult {
    if (!rows.length) return html`<p class="muted" data-testid="notify-queue-empty">${t("notifyQueue.empty")}</p>`;
    return html`<div class="table-wrap">
      <table class="data responsive" data-testid="notify-queue-rows">
        <caption class="sr-only">${t("notifyQueue.title")}</caption>
        <thead>
          <tr>
            <th scope="col">${t("notifyQueue.created")}</th>
            <th scope="col">${t("notifyQueue.kind")}</th>
            <th scope="col">${t("notifyQueue.to")}</th>
            <th scope="col">${t("notifyQueue.what")}</th>
            <th scope="col">${t("notifyQueue.status")}</th>
            <th scope="col">${t("notifyQueue.attempts")}</th>
            <th scope="col">${t("notifyQueue.error")}</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) => html`<tr data-testid="notify-queue-row" data-kind=${r.kind} data-id=${r.id}>
              <td data-label=${t("notifyQueue.created")}>${formatDateTime(r.created)}</td>
              <td data-label=${t("notifyQueue.kind")}>${r.kind === "sms" ? t("notifyQueue.sms") : t("notifyQueue.mail")}</td>
              <td data-label=${t("notifyQueue.to")}>${r.to}</td>
              <td data-label=${t("notifyQueue.what")}>${r.what}</td>
              <td data-label=${t("notifyQueue.status")}><span class="badge ${BADGE[r.status]}" data-testid="notify-queue-status"
                >${t(`notifyQueue.status.${r.status}`)}</span>${r.status === "queued" && r.nextAttempt
                ? html`<div class="muted small">${t("notifyQueue.next", { time: formatDateTime(r.nextAttempt) })}</div>`
                : nothing}</td>
              <td data-label=${t("notifyQueue.attempts")} class="num">${r.attempts}</td>
              <td data-label=${t("notifyQueue.error")} data-testid="notify-queue-error">${r.error ?? "—"}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  protected override render(): TemplateResult {
    return html`<section class="card" aria-labelledby="notify-queue-title" data-testid="notify-queue">
      <h2 id="notify-queue-title">${t("notifyQueue.title")}</h2>
      <p class="muted">${t("notifyQueue.intro")}</p>
      ${this.error ? html`<p class="notice bad" role="alert">${this.error}</p>` : nothing}
      ${this.rows ? this.table(this.rows) : nothing}
      <div class="actions start">
        <button type="button" class="secondary" ?disabled=${this.busy} @click=${() => void this.load()}>${t("notifyQueue.refresh")}</button>
      </div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "cb-notify-queue": CbNotifyQueue;
  }
}
