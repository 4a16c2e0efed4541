/**
 * <cb-voicemail-email>: on the Voicemail page, whether a user is e-mailed about new messages
 * (VM-07): no, yes, or yes with the recording attached, or what their group or the organisation
 * set (the user-level value cleared). ``voicemail.email`` is a user-editable scoped setting, chosen
 * the way <cb-moh-choice> chooses the music on hold.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { selectField } from "../forms";
import { t } from "../i18n";
import { session, toast } from "../session";
import { EMAIL_CHOICES, EMAIL_SETTING, emailChoiceText, emailNowText, isEmailChoice } from "../voicemail";

/** The select's value for "no choice of my own". */
const INHERIT = "";

interface Effective {
  value: unknown;
  source: string;
}

@customElement("cb-voicemail-email")
export class CbVoicemailEmail extends LightElement {
  @property({ type: Number }) userId = 0;

  @state() private loaded = false;
  /** The voicemail plugin has no such setting (not loaded): nothing to show. */
  @state() private absent = false;
  /** The user's own stored choice, or INHERIT. */
  @state() private own = INHERIT;
  /** The value in force and where it comes from. */
  @state() private effective: Effective | null = null;
  @state() private choice = INHERIT;
  @state() private loadError = "";
  @state() private error: string | null = null;
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const [stored, effective] = await Promise.all([
        api.get<Record<string, unknown>>(`/api/settings/user/${this.userId}`),
        api.get<Record<string, Effective>>(`/api/settings/effective/${this.userId}`),
      ]);
      const resolved = effective[EMAIL_SETTING];
      this.absent = !resolved;
      const own = isEmailChoice(stored[EMAIL_SETTING]) ? stored[EMAIL_SETTING] : INHERIT;
      this.own = own;
      this.choice = own;
      this.effective = resolved ?? null;
      this.loaded = true;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      await api.put(`/api/settings/user/${this.userId}`, { [EMAIL_SETTING]: this.choice === INHERIT ? null : this.choice });
      toast(t("voicemail.emailSaved"));
      await this.load();
    } catch (err) {
      this.error = fieldErrors(err)[EMAIL_SETTING] ?? null;
      toast(errorText(err), "error");
    } finally {
      this.busy = false;
    }
  }

  protected override render(): TemplateResult | typeof nothing {
    if (this.absent) return nothing;
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.loaded) body = loadingView();
    else {
      const effective = this.effective;
      // Without a choice of their own, the value in force is what their group or the organisation set.
      const inherit =
        this.own === INHERIT && effective ? t("voicemail.emailInherit", { choice: emailChoiceText(effective.value) }) : t("voicemail.emailInheritPlain");
      const options: Array<[string, string]> = [[INHERIT, inherit], ...EMAIL_CHOICES.map((c): [string, string] => [c, emailChoiceText(c)])];
      const noAddress = session.user?.id === this.userId && !session.user.email.trim();
      body = html`${selectField({
          id: "voicemail-email",
          label: t("voicemail.emailLabel"),
          value: this.choice,
          options,
          error: this.error,
          hint: effective ? emailNowText(effective.value, effective.source) : undefined,
          onInput: (v) => {
            this.choice = v;
            this.error = null;
          },
        })}
        ${noAddress ? html`<p class="notice warn" data-testid="voicemail-email-no-address">${t("voicemail.emailNoAddress")}</p>` : nothing}
        <div class="actions start">
          <button type="submit" class="secondary" ?disabled=${this.busy || this.choice === this.own}>
            ${this.busy ? t("common.saving") : t("common.save")}
          </button>
        </div>`;
    }
    return html`<form class="card" id="voicemail-email-form" novalidate @submit=${this.save}
      aria-labelledby="voicemail-email-title" data-testid="voicemail-email">
      <h2 id="voicemail-email-title">${t("voicemail.emailTitle")}</h2>
      <p class="muted">${t("voicemail.emailIntro")}</p>
      ${body}
    </form>`;
  }
}
