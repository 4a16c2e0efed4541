/**
 * <cb-notification-settings>: on the profile page, the user's e-mail notifications (NTF-01, NTF-02).
 * The address they go to (``notify.email_address``; empty: the user's own e-mail address, shown as
 * the placeholder) and a checkbox per event (``notify.on_*``), checked as the value in force (their
 * own, their group's or the organisation's). Saving sends the address (null when empty) and each
 * event the user changed with PUT /api/settings/user/{id}; the server's field errors show at the
 * field. New voice messages are the Voicemail page's setting (``voicemail.email``): named here with
 * a link, not repeated. Without the notify plugin nothing is shown.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { checkboxField, focusFirstError, formError, textField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { toast } from "../session";
import { saveOwnSettings, userSettings } from "../user-settings";

const ADDRESS = "notify.email_address";
const EVENTS = ["on_missed_call", "on_call_data", "on_account_change", "on_mailbox_full"] as const;
type EventName = (typeof EVENTS)[number];
const VOICEMAIL_EMAIL = "voicemail.email";

const key = (event: EventName): string => `notify.${event}`;

@customElement("cb-notification-settings")
export class CbNotificationSettings extends LightElement {
  @property({ type: Number }) userId = 0;
  /** The user's own e-mail address: where the e-mails go while the address field is empty. */
  @property() ownEmail = "";

  @state() private loaded = false;
  @state() private absent = false;
  @state() private loadError = "";
  @state() private address = "";
  /** The event switches as loaded (the values in force) and as the user set them now. */
  @state() private loadedOn: Record<string, boolean> = {};
  @state() private on: Record<string, boolean> = {};
  @state() private voicemail: unknown = undefined;
  @state() private errors: Record<string, string | null> = {};
  @state() private error = "";
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const { own: stored, effective } = await userSettings(this.userId);
      this.absent = !effective[key("on_account_change")];
      const own = stored[ADDRESS];
      this.address = typeof own === "string" ? own : "";
      const on: Record<string, boolean> = {};
      for (const event of EVENTS) on[event] = effective[key(event)]?.value === true;
      this.loadedOn = on;
      this.on = { ...on };
      this.voicemail = effective[VOICEMAIL_EMAIL]?.value;
      this.loaded = true;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    this.busy = true;
    this.error = "";
    this.errors = {};
    const address = this.address.trim();
    const body: Record<string, unknown> = { [ADDRESS]: address === "" ? null : address };
    for (const event of EVENTS) {
      if (this.on[event] !== this.loadedOn[event]) body[key(event)] = this.on[event];
    }
    try {
      await saveOwnSettings(this.userId, body);
      toast(t("notifications.saved"));
      await this.load();
    } catch (err) {
      const fields = fieldErrors(err);
      this.errors = {
        address: fields[ADDRESS] ?? null,
        ...Object.fromEntries(EVENTS.map((event) => [event, fields[key(event)] ?? null])),
      };
      this.error = errorText(err);
      focusFirstError(this.querySelector("#notification-form") ?? this);
    } finally {
      this.busy = false;
    }
  }

  private voicemailLine(): TemplateResult | typeof nothing {
    const value = this.voicemail;
    if (value !== "no" && value !== "yes" && value !== "attach") return nothing;
    return html`<p class="muted" data-testid="notifications-voicemail">
      ${t("notifications.voicemail", { choice: t(`notifications.voicemail.${value}` as MessageKey) })}
      <a href="/voicemail">${t("notifications.voicemailLink")}</a>
    </p>`;
  }

  protected override render(): TemplateResult | typeof nothing {
    if (this.absent) return nothing;
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.loaded) body = loadingView();
    else {
      const own = this.ownEmail.trim();
      body = html`${formError(this.error, "notification-error")}
        ${textField({
          id: "ntf-address",
          label: t("notifications.address"),
          type: "email",
          autocomplete: "email",
          value: this.address,
          placeholder: own || undefined,
          hint: own ? t("notifications.addressHint", { email: own }) : t("notifications.addressHintNone"),
          error: this.errors["address"],
          onInput: (v) => {
            this.address = v;
            if (this.errors["address"]) this.errors = { ...this.errors, address: null };
          },
        })}
        <fieldset class="notification-events">
          <legend>${t("notifications.events")}</legend>
          ${EVENTS.map((event) =>
            checkboxField({
              id: `ntf-${event}`,
              label: t(`notifications.${event}` as MessageKey),
              checked: this.on[event] ?? false,
              error: this.errors[event],
              onChange: (checked) => (this.on = { ...this.on, [event]: checked }),
            }),
          )}
        </fieldset>
        ${this.voicemailLine()}
        <div class="actions start">
          <button type="submit" class="secondary" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button>
        </div>`;
    }
    return html`<form class="card" id="notification-form" novalidate @submit=${this.save}
      aria-labelledby="notification-title" data-testid="notification-settings">
      <h2 id="notification-title">${t("notifications.title")}</h2>
      <p class="muted">${t("notifications.intro")}</p>
      ${body}
    </form>`;
  }
}
