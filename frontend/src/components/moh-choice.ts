/**
 * <cb-moh-choice>: a user chooses the music their held callers hear (MOH-03, CAPU-20): one of the
 * music-on-hold classes, or what their group or the organisation chose (the user-level value cleared).
 */
import { html, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { formError, selectField } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";

const KEY = "core.music_on_hold";
/** The select's value for "no choice of my own". */
const INHERIT = "";

interface Effective {
  value: unknown;
  source: string;
}

@customElement("cb-moh-choice")
export class CbMohChoice extends LightElement {
  @property({ type: Number }) userId = 0;

  @state() private classes: string[] | null = null;
  /** The user's own stored choice, or INHERIT. */
  @state() private own = INHERIT;
  /** What the user hears without a choice of their own (null while their own choice hides it). */
  @state() private inherited: string | null = null;
  @state() private choice = INHERIT;
  @state() private loadError = "";
  @state() private error: string | null = null;
  @state() private formErrorText = "";
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const [names, stored, effective] = await Promise.all([
        api.get<{ classes: string[] }>("/api/moh/classes"),
        api.get<Record<string, unknown>>(`/api/settings/user/${this.userId}`),
        api.get<Record<string, Effective>>(`/api/settings/effective/${this.userId}`),
      ]);
      const own = typeof stored[KEY] === "string" ? (stored[KEY] as string) : INHERIT;
      const resolved = effective[KEY];
      this.classes = names.classes;
      this.own = own;
      this.choice = own;
      this.inherited = own === INHERIT && resolved && typeof resolved.value === "string" ? resolved.value : null;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    this.busy = true;
    this.error = null;
    this.formErrorText = "";
    try {
      await api.put(`/api/settings/user/${this.userId}`, { [KEY]: this.choice === INHERIT ? null : this.choice });
      toast(this.choice === INHERIT ? t("moh.myInherited") : t("moh.mySaved", { name: this.choice }));
      await this.load();
    } catch (err) {
      this.error = fieldErrors(err)[KEY] ?? null;
      this.formErrorText = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.classes) body = loadingView();
    else {
      const inherit = this.inherited === null ? t("moh.inheritPlain") : t("moh.inherit", { name: this.inherited });
      const options: Array<[string, string]> = [[INHERIT, inherit], ...this.classes.map((c): [string, string] => [c, c])];
      body = html`${formError(this.formErrorText, "moh-choice-error")}
        ${selectField({
          id: "moh-choice",
          label: t("moh.myClass"),
          value: this.choice,
          options,
          error: this.error,
          onInput: (v) => {
            this.choice = v;
            this.error = null;
          },
        })}
        <div class="actions start">
          <button type="submit" class="secondary" ?disabled=${this.busy || this.choice === this.own}>
            ${this.busy ? t("common.saving") : t("common.save")}
          </button>
        </div>`;
    }
    return html`<form class="card" id="moh-choice-form" novalidate @submit=${this.save} aria-labelledby="moh-choice-title"
      data-testid="moh-choice">
      <h2 id="moh-choice-title">${t("moh.myTitle")}</h2>
      <p class="muted">${t("moh.myIntro")}</p>
      ${body}
    </form>`;
  }
}
