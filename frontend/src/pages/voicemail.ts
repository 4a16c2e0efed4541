/**
 * "Voicemail" in the user portal (VM-15): the logged-in person's voice messages, newest first, with
 * how many are new and how full the mailbox is. A message is played in the page (the WAV straight
 * from the API, which answers range requests), which marks it heard; it can be downloaded, marked
 * new or heard again, and deleted after a confirmation (<cb-message-list>). The list follows
 * ``voicemail.changed``. Below it, one section per group inbox of the person's groups (GIB-03: GET
 * /api/voicemail/group-inboxes/mine) with its messages and the same actions; none without any. Then: the person's greetings (VM-10), and their own choices of the voicemail settings
 * (<cb-my-setting>): voicemail on or off (VM-11), whether callers may leave messages (VM-12), whether
 * they may press 2 to go on to the next call rule (VM-05), whether the greeting says the person's
 * activity and until when (VM-02, VM-03) and
 * whether new messages are e-mailed to them (VM-07) and sent to their mobile by SMS (VM-06).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { api } from "../api";
import "../components/message-list";
import type { MessagesChanged } from "../components/message-list";
import "../components/my-setting";
import "../components/voicemail-greetings";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { t } from "../i18n";
import { session } from "../session";
import {
  ACTIVE_SETTING,
  ACTIVITY_INFO_SETTING,
  ASSISTANCE_SETTING,
  BYPASS_SETTING,
  EMAIL_SETTING,
  MY_INBOXES,
  SMS_NOTICE_SETTING,
  TAKE_MESSAGES_SETTING,
  VOICEMAIL_CHANGED,
  concernsInbox,
  concernsMailbox,
  emailChoices,
  isFull,
  onOffChoices,
  retentionText,
  summaryText,
  usagePercent,
  usageText,
  withCounts,
  type Mailbox,
  type MyInbox,
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
  /** GIB-03: the group inboxes of the person's groups, with their messages. */
  @state() private inboxes: MyInbox[] = [];
  private requestNo = 0;
  private refreshTimer: number | undefined;
  private readonly onEvent = (e: Event) => {
    const { eventType, data } = (e as CustomEvent<BusEvent>).detail;
    if (eventType !== VOICEMAIL_CHANGED) return;
    const inboxIds = this.inboxes.map((i) => i.id);
    if (concernsMailbox(data, this.mailbox?.user_id ?? null) || concernsInbox(data, inboxIds)) this.refreshSoon();
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
      const [mailbox, inboxes] = await Promise.all([
        api.get<Mailbox>("/api/voicemail/messages"),
        api.get<MyInbox[]>(MY_INBOXES),
      ]);
      if (no !== this.requestNo) return;
      this.mailbox = mailbox;
      this.inboxes = inboxes;
      this.error = "";
    } catch (err) {
      if (no === this.requestNo) this.error = errorText(err);
    }
  }

  /** A message of the person's own was marked or deleted in the list: the counts follow at once, the
   * reload confirms them (and the space used). */
  private ownChanged(messages: VoiceMessage[]): void {
    if (this.mailbox) this.mailbox = { ...this.mailbox, ...withCounts(messages) };
    this.refreshSoon();
  }

  private inboxChanged(inboxId: number, messages: VoiceMessage[]): void {
    this.inboxes = this.inboxes.map((i) => (i.id === inboxId ? { ...i, ...withCounts(messages) } : i));
    this.refreshSoon();
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

  /** GIB-03: one section per group inbox of the person's groups; nothing when there is none. */
  private inboxesSection(inboxes: MyInbox[]): TemplateResult | typeof nothing {
    if (!inboxes.length) return nothing;
    return html`<section class="vm-inboxes" aria-labelledby="vm-inboxes-title" data-testid="voicemail-group-inboxes">
      <h2 id="vm-inboxes-title">${t("voicemail.inboxesTitle")}</h2>
      <p class="muted">${t("voicemail.inboxesIntro")}</p>
      ${repeat(
        inboxes,
        (i) => i.id,
        (i) => html`<section class="card vm-inbox" aria-labelledby="vm-inbox-${i.id}" data-testid="voicemail-group-inbox" data-inbox=${i.id}>
          <h3 id="vm-inbox-${i.id}">${i.name} <span class="muted number">${i.number}</span></h3>
          <p class="vm-counts" data-testid="voicemail-inbox-counts">${summaryText(i.new, i.old)}</p>
          ${i.messages.length
            ? html`<cb-message-list .messages=${i.messages} .caption=${t("voicemail.inboxMessages", { name: i.name })}
                @messages-changed=${(e: CustomEvent<MessagesChanged>) => this.inboxChanged(i.id, e.detail.messages)}></cb-message-list>`
            : html`<p class="empty" data-testid="voicemail-inbox-empty">${t("voicemail.inboxEmpty")}</p>`}
        </section>`,
      )}
    </section>`;
  }

  /** The voicemail settings the person chooses for themselves (or leaves to their group or organisation). */
  private settings(userId: number): TemplateResult {
    const noAddress = session.user?.id === userId && !session.user.email.trim();
    const noMobile = session.user?.id === userId && !session.user.mobile?.trim();
    return html`<cb-my-setting .userId=${userId} setting=${ACTIVE_SETTING} name="voicemail-active"
        .heading=${t("voicemail.activeTitle")} .intro=${t("voicemail.activeIntro")} .label=${t("voicemail.activeLabel")}
        .choices=${onOffChoices(t("voicemail.activeOn"), t("voicemail.activeOff"))}></cb-my-setting>
      <cb-my-setting .userId=${userId} setting=${TAKE_MESSAGES_SETTING} name="voicemail-take-messages"
        .heading=${t("voicemail.takeMessagesTitle")} .intro=${t("voicemail.takeMessagesIntro")} .label=${t("voicemail.takeMessagesLabel")}
        .choices=${onOffChoices(t("voicemail.takeMessagesOn"), t("voicemail.takeMessagesOff"))}></cb-my-setting>
      <cb-my-setting .userId=${userId} setting=${ASSISTANCE_SETTING} name="voicemail-assistance"
        .heading=${t("voicemail.assistanceTitle")} .intro=${t("voicemail.assistanceIntro")} .label=${t("voicemail.assistanceLabel")}
        .choices=${[]} .customLabel=${t("voicemail.assistanceNumber")} .customChoice=${t("voicemail.assistanceOwn")}
        .noneText=${t("voicemail.assistanceNone")}></cb-my-setting>
      <cb-my-setting .userId=${userId} setting=${BYPASS_SETTING} name="voicemail-bypass-key"
        .heading=${t("voicemail.bypassTitle")} .intro=${t("voicemail.bypassIntro")} .label=${t("voicemail.bypassLabel")}
        .choices=${onOffChoices(t("voicemail.bypassOn"), t("voicemail.bypassOff"))}></cb-my-setting>
      <cb-my-setting .userId=${userId} setting=${ACTIVITY_INFO_SETTING} name="voicemail-activity-info"
        .heading=${t("voicemail.activityInfoTitle")} .intro=${t("voicemail.activityInfoIntro")} .label=${t("voicemail.activityInfoLabel")}
        .choices=${onOffChoices(t("voicemail.activityInfoOn"), t("voicemail.activityInfoOff"))}></cb-my-setting>
      <cb-my-setting .userId=${userId} setting=${EMAIL_SETTING} name="voicemail-email"
        .heading=${t("voicemail.emailTitle")} .intro=${t("voicemail.emailIntro")} .label=${t("voicemail.emailLabel")}
        .choices=${emailChoices()} .savedText=${() => t("voicemail.emailSaved")}
        .note=${noAddress ? html`<p class="notice warn" data-testid="voicemail-email-no-address">${t("voicemail.emailNoAddress")}</p>` : nothing}></cb-my-setting>
      <cb-my-setting .userId=${userId} setting=${SMS_NOTICE_SETTING} name="voicemail-sms-notice"
        .heading=${t("voicemail.smsNoticeTitle")} .intro=${t("voicemail.smsNoticeIntro")} .label=${t("voicemail.smsNoticeLabel")}
        .choices=${onOffChoices(t("voicemail.smsNoticeOn"), t("voicemail.smsNoticeOff"))}
        .note=${noMobile ? html`<p class="notice warn" data-testid="voicemail-sms-no-mobile">${t("voicemail.smsNoticeNoMobile")}</p>` : nothing}></cb-my-setting>`;
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
          ? html`<cb-message-list .messages=${mailbox.messages} .caption=${t("voicemail.messages")}
              @messages-changed=${(e: CustomEvent<MessagesChanged>) => this.ownChanged(e.detail.messages)}></cb-message-list>`
          : html`<p class="empty" data-testid="voicemail-empty">${t("voicemail.empty")}</p>`}
        ${this.inboxesSection(this.inboxes)}
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
