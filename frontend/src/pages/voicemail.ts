/**
 * "Voicemail" in the user portal (VM-15): the logged-in person's voice messages, newest first, with
 * how many are new and how full the mailbox is. A message is played in the page (the WAV straight
 * from the API, which answers range requests), which marks it heard; it can be downloaded, marked
 * new or heard again, and deleted after a confirmation. The list follows ``voicemail.changed``.
 * Below the list: the person's greetings (VM-10), and their own choices of the voicemail settings
 * (<cb-my-setting>): voicemail on or off (VM-11), whether callers may leave messages (VM-12) and
 * whether new messages are e-mailed to them (VM-07).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { api } from "../api";
import "../components/my-setting";
import "../components/voicemail-greetings";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { formatDateTime } from "../calls";
import { confirmDialog } from "../dialog";
import { t } from "../i18n";
import { session, toast } from "../session";
import {
  ACTIVE_SETTING,
  EMAIL_SETTING,
  TAKE_MESSAGES_SETTING,
  VOICEMAIL_CHANGED,
  audioUrl,
  callerText,
  concernsMailbox,
  downloadName,
  emailChoices,
  formatLength,
  isFull,
  onOffChoices,
  retentionText,
  summaryText,
  usagePercent,
  usageText,
  type Mailbox,
  type VoiceMessage,
} from "../voicemail";
import { live } from "../ws";

interface BusEvent {
  eventType: string;
  data: Record<string, unknown>;
}

@customElement("cb-voicemail")
export class CbVoicemail extends LightElement {
  @state() private mailbox: Mailbox | null = null;
  @state() private error = "";
  /** The message whose player is shown (one at a time). */
  @state() private playing: string | null = null;
  /** Messages with a request under way (their buttons wait). */
  @state() private busy = new Set<string>();
  private requestNo = 0;
  private refreshTimer: number | undefined;
  /** Messages already marked heard by starting their playback (once per showing of the player). */
  private markedOnPlay = new Set<string>();
  private readonly onEvent = (e: Event) => {
    const { eventType, data } = (e as CustomEvent<BusEvent>).detail;
    if (eventType === VOICEMAIL_CHANGED && concernsMailbox(data, this.mailbox?.user_id ?? null)) this.refreshSoon();
  };
  private readonly onResync = () => void this.load();

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("bus-event", this.onEvent);
    live.addEventListener("resync", this.onResync);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("bus-event", this.onEvent);
    live.removeEventListener("resync", this.onResync);
    window.clearTimeout(this.refreshTimer);
  }

  /** Several changes come together (marking heard, then the event): one reload for them. */
  private refreshSoon(): void {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => void this.load(), 150);
  }

  private async load(): Promise<void> {
    const no = ++this.requestNo;
    try {
      const mailbox = await api.get<Mailbox>("/api/voicemail/messages");
      if (no !== this.requestNo) return;
      this.mailbox = mailbox;
      this.error = "";
      if (this.playing && !mailbox.messages.some((m) => m.id === this.playing)) this.playing = null;
    } catch (err) {
      if (no === this.requestNo) this.error = errorText(err);
    }
  }

  private setBusy(id: string, on: boolean): void {
    const next = new Set(this.busy);
    if (on) next.add(id);
    else next.delete(id);
    this.busy = next;
  }

  /** Show the message's player and start it (the click lets the browser play sound). */
  private async play(message: VoiceMessage): Promise<void> {
    if (this.playing !== message.id) {
      this.markedOnPlay.delete(message.id);
      this.playing = message.id;
      await this.updateComplete;
    }
    const player = this.querySelector<HTMLAudioElement>(`audio[data-message="${CSS.escape(message.id)}"]`);
    if (!player) return;
    // A browser may still refuse to start sound; the player's own controls remain for that.
    await player.play().catch(() => undefined);
  }

  /** Playback started (the Play button or the player's controls): the message is heard. */
  private onPlaying(message: VoiceMessage): void {
    if (this.markedOnPlay.has(message.id)) return;
    this.markedOnPlay.add(message.id);
    const current = this.mailbox?.messages.find((m) => m.id === message.id);
    if (current && !current.heard) void this.setHeard(current, true, false);
  }

  private async setHeard(message: VoiceMessage, heard: boolean, announce = true): Promise<void> {
    if (this.busy.has(message.id)) return;
    this.setBusy(message.id, true);
    try {
      const changed = await api.patch<VoiceMessage>(`/api/voicemail/messages/${encodeURIComponent(message.id)}`, { heard });
      this.replace(changed);
      if (announce) toast(t(heard ? "voicemail.markedHeard" : "voicemail.markedNew", { caller: callerText(message) }));
      this.refreshSoon(); // the counts and the space used come with the list
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.setBusy(message.id, false);
    }
  }

  /** Show a message as the API now has it at once, counts included; the reload confirms them. */
  private replace(changed: VoiceMessage): void {
    const mailbox = this.mailbox;
    if (!mailbox) return;
    const messages = mailbox.messages.map((m) => (m.id === changed.id ? { ...m, ...changed } : m));
    const fresh = messages.filter((m) => !m.heard).length;
    this.mailbox = { ...mailbox, messages, new: fresh, old: messages.length - fresh };
  }

  private async deleteMessage(message: VoiceMessage): Promise<void> {
    if (this.busy.has(message.id)) return;
    const caller = callerText(message);
    const time = formatDateTime(message.received);
    if (!(await confirmDialog(t("voicemail.confirmDelete", { caller, time }), t("common.delete")))) return;
    this.setBusy(message.id, true);
    try {
      await api.delete(`/api/voicemail/messages/${encodeURIComponent(message.id)}`);
      if (this.playing === message.id) this.playing = null;
      const mailbox = this.mailbox;
      if (mailbox) {
        const messages = mailbox.messages.filter((m) => m.id !== message.id);
        const fresh = messages.filter((m) => !m.heard).length;
        this.mailbox = { ...mailbox, messages, new: fresh, old: messages.length - fresh };
      }
      toast(t("voicemail.deleted", { caller }));
      // The focus was on the button that is gone: the heading keeps the person on the page.
      this.querySelector<HTMLElement>("h1")?.focus();
      this.refreshSoon();
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.setBusy(message.id, false);
    }
  }

  private summary(mailbox: Mailbox): TemplateResult {
    const percent = usagePercent(mailbox.used_bytes, mailbox.max_bytes);
    return html`<div class="card vm-summary" data-testid="voicemail-summary">
      <p class="vm-counts" data-testid="voicemail-counts"><strong>${summaryText(mailbox.new, mailbox.old)}</strong></p>
      <p class="vm-usage">
        <meter id="vm-usage-meter" min="0" max="100" low="70" high="90" optimum="0" .value=${percent}
          aria-label=${t("voicemail.usageLabel")} aria-describedby="vm-usage-text"></meter>
        <span id="vm-usage-text" data-testid="voicemail-usage">${usageText(mailbox.used_bytes, mailbox.max_bytes)}</span>
      </p>
      ${isFull(mailbox) ? html`<p class="notice bad" role="alert" data-testid="voicemail-full">${t("voicemail.full")}</p>` : nothing}
      <p class="muted small" data-testid="voicemail-retention">${retentionText(mailbox.retention_days)}</p>
    </div>`;
  }

  private row(m: VoiceMessage): TemplateResult {
    const caller = callerText(m);
    const time = formatDateTime(m.received);
    const busy = this.busy.has(m.id);
    const url = audioUrl(m);
    const name = m.caller_name.trim();
    const showing = this.playing === m.id;
    return html`<tr data-testid="voicemail-message" data-message=${m.id} data-heard=${m.heard ? "true" : "false"}
        class=${showing ? "vm-has-player" : ""}>
        <td data-label=${t("voicemail.from")}>
          <div>
            <span class="party">${name && name !== m.caller
              ? html`<span data-testid="voicemail-caller-name">${name}</span> <span class="muted number">${m.caller}</span>`
              : html`<span class="number" data-testid="voicemail-caller-name">${caller}</span>`}</span>
            ${m.heard ? nothing : html` <span class="badge warn" data-testid="voicemail-new">${t("voicemail.new")}</span>`}
          </div>
        </td>
        <td data-label=${t("voicemail.received")}>${time}</td>
        <td data-label=${t("voicemail.length")} class="num" data-testid="voicemail-length">${formatLength(m.seconds)}</td>
        <td class="entry-actions">
          <div class="actions">
            <button type="button" class="small" aria-label=${t("voicemail.playLabel", { caller })}
              @click=${() => void this.play(m)}><span aria-hidden="true">▶</span> ${t("voicemail.play")}</button>
            <a class="button secondary small" href=${url} download=${downloadName(m)}
              aria-label=${t("voicemail.downloadLabel", { caller })}>${t("voicemail.download")}</a>
            <button type="button" class="secondary small" aria-disabled=${busy ? "true" : "false"}
              aria-label=${t(m.heard ? "voicemail.markNewLabel" : "voicemail.markHeardLabel", { caller })}
              @click=${() => void this.setHeard(m, !m.heard)}>${t(m.heard ? "voicemail.markNew" : "voicemail.markHeard")}</button>
            <button type="button" class="danger small" aria-disabled=${busy ? "true" : "false"} aria-label=${t("voicemail.deleteLabel", { caller })}
              @click=${() => void this.deleteMessage(m)}>${t("common.delete")}</button>
          </div>
        </td>
      </tr>
      ${showing
        ? html`<tr class="vm-player-row" data-testid="voicemail-player-row">
            <td colspan="4">
              <audio controls preload="auto" src=${url} data-message=${m.id} data-testid="voicemail-audio"
                aria-label=${t("voicemail.audioLabel", { caller, time })}
                @playing=${() => this.onPlaying(m)}></audio>
            </td>
          </tr>`
        : nothing}`;
  }

  private table(messages: VoiceMessage[]): TemplateResult {
    return html`<div class="table-wrap">
      <table class="data responsive vm-messages" data-testid="voicemail-messages">
        <caption class="sr-only">${t("voicemail.messages")}</caption>
        <thead>
          <tr>
            <th scope="col">${t("voicemail.from")}</th>
            <th scope="col">${t("voicemail.received")}</th>
            <th scope="col">${t("voicemail.length")}</th>
            <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
          </tr>
        </thead>
        <tbody>
          ${repeat(messages, (m) => m.id, (m) => this.row(m))}
        </tbody>
      </table>
    </div>`;
  }

  /** The voicemail settings the person chooses for themselves (or leaves to their group or organisation). */
  private settings(userId: number): TemplateResult {
    const noAddress = session.user?.id === userId && !session.user.email.trim();
    return html`<cb-my-setting .userId=${userId} setting=${ACTIVE_SETTING} name="voicemail-active"
        .heading=${t("voicemail.activeTitle")} .intro=${t("voicemail.activeIntro")} .label=${t("voicemail.activeLabel")}
        .choices=${onOffChoices(t("voicemail.activeOn"), t("voicemail.activeOff"))}></cb-my-setting>
      <cb-my-setting .userId=${userId} setting=${TAKE_MESSAGES_SETTING} name="voicemail-take-messages"
        .heading=${t("voicemail.takeMessagesTitle")} .intro=${t("voicemail.takeMessagesIntro")} .label=${t("voicemail.takeMessagesLabel")}
        .choices=${onOffChoices(t("voicemail.takeMessagesOn"), t("voicemail.takeMessagesOff"))}></cb-my-setting>
      <cb-my-setting .userId=${userId} setting=${EMAIL_SETTING} name="voicemail-email"
        .heading=${t("voicemail.emailTitle")} .intro=${t("voicemail.emailIntro")} .label=${t("voicemail.emailLabel")}
        .choices=${emailChoices()} .savedText=${() => t("voicemail.emailSaved")}
        .note=${noAddress ? html`<p class="notice warn" data-testid="voicemail-email-no-address">${t("voicemail.emailNoAddress")}</p>` : nothing}></cb-my-setting>`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    const mailbox = this.mailbox;
    if (this.error && !mailbox) body = errorView(this.error, () => void this.load());
    else if (!mailbox) body = loadingView();
    else {
      body = html`${this.error ? errorView(this.error, () => void this.load()) : nothing}
        ${this.summary(mailbox)}
        ${mailbox.messages.length
          ? this.table(mailbox.messages)
          : html`<p class="empty" data-testid="voicemail-empty">${t("voicemail.empty")}</p>`}
        <cb-voicemail-greetings></cb-voicemail-greetings>
        ${this.settings(mailbox.user_id)}`;
    }
    return html`<section class="page">
      ${pageHeading(t("voicemail.title"))}
      <p class="muted">${t("voicemail.intro")}</p>
      ${body}
    </section>`;
  }
}
