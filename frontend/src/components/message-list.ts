/**
 * <cb-message-list>: voice messages as a table (VM-15), newest first, each with Play (the player
 * opens under its row and marks it heard once it plays), Download, Mark as heard / new and Delete
 * (after a confirmation). The same routes serve a user's own messages and a group inbox's (GIB-03):
 * the Voicemail page shows one list for the person's own mailbox and one per group inbox.
 *
 * ``messages`` comes from the page; a change made here (heard, deleted) is shown at once and told
 * with ``messages-changed`` (detail: the new list), so that the page updates its counts and reloads.
 */
import { html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { api } from "../api";
import { LightElement, errorText } from "../base";
import { formatDateTime } from "../calls";
import { confirmDialog } from "../dialog";
import { t } from "../i18n";
import { toast } from "../session";
import { audioUrl, callerText, downloadName, formatLength, type VoiceMessage } from "../voicemail";

export interface MessagesChanged {
  messages: VoiceMessage[];
}

@customElement("cb-message-list")
export class CbMessageList extends LightElement {
  @property({ attribute: false }) messages: VoiceMessage[] = [];
  /** The table's caption (read by screen readers). */
  @property() caption = "";
  /** The message whose player is shown (one at a time). */
  @state() private playing: string | null = null;
  /** Messages with a request under way (their buttons wait). */
  @state() private busy = new Set<string>();
  /** Messages already marked heard by starting their playback (once per showing of the player). */
  private markedOnPlay = new Set<string>();

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("messages") && this.playing && !this.messages.some((m) => m.id === this.playing)) this.playing = null;
  }

  private changed(messages: VoiceMessage[]): void {
    this.messages = messages;
    this.dispatchEvent(new CustomEvent<MessagesChanged>("messages-changed", { detail: { messages } }));
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
    const current = this.messages.find((m) => m.id === message.id);
    if (current && !current.heard) void this.setHeard(current, true, false);
  }

  private async setHeard(message: VoiceMessage, heard: boolean, announce = true): Promise<void> {
    if (this.busy.has(message.id)) return;
    this.setBusy(message.id, true);
    try {
      const changed = await api.patch<VoiceMessage>(`/api/voicemail/messages/${encodeURIComponent(message.id)}`, { heard });
      this.changed(this.messages.map((m) => (m.id === changed.id ? { ...m, ...changed } : m)));
      if (announce) toast(t(heard ? "voicemail.markedHeard" : "voicemail.markedNew", { caller: callerText(message) }));
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.setBusy(message.id, false);
    }
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
      // The focus was on the button that is gone: the page's heading keeps the person on the page.
      const heading = this.closest(".page")?.querySelector<HTMLElement>("h1");
      this.changed(this.messages.filter((m) => m.id !== message.id));
      toast(t("voicemail.deleted", { caller }));
      heading?.focus();
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.setBusy(message.id, false);
    }
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

  protected override render(): TemplateResult {
    return html`<div class="table-wrap">
      <table class="data responsive vm-messages" data-testid="voicemail-messages">
        <caption class="sr-only">${this.caption}</caption>
        <thead>
          <tr>
            <th scope="col">${t("voicemail.from")}</th>
            <th scope="col">${t("voicemail.received")}</th>
            <th scope="col">${t("voicemail.length")}</th>
            <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
          </tr>
        </thead>
        <tbody>
          ${repeat(this.messages, (m) => m.id, (m) => this.row(m))}
        </tbody>
      </table>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "cb-message-list": CbMessageList;
  }
}
