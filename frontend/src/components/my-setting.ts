/**
 * <cb-my-setting>: one user-editable scoped setting that a user chooses for themselves, or leaves to
 * what their group or the organisation set (their own value cleared, PUT … {key: null}). A card with
 * a select: "As set for me: <the value in force>" and the choices, a hint saying what is in force and
 * where it comes from, a Save button, the server's field error at the select and a toast.
 *
 * The choices are given as value → label pairs (``choices``), or fetched when the card loads
 * (``loadChoices``, e.g. the music-on-hold classes). The values may be any JSON value: a string is
 * the option's value as it is, anything else its JSON text ("true"). With ``customLabel`` the person
 * may also type a value of their own (a number), in a field under the select. Used for the e-mail
 * about new voice messages (VM-07), voicemail on/off (VM-11), taking messages (VM-12), the personal
 * assistance number (VM-04) and the music on hold (MOH-03, CAPU-20). A setting the server does not
 * know (its plugin not loaded) shows nothing.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { focusWhenRendered, selectField, textField } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";
import { saveOwnSettings, userSettings, type EffectiveValue } from "../user-settings";

/** One choice: the value stored and what the user reads. */
export type Choice = readonly [value: unknown, label: string];

/** The select's value for "no choice of my own". */
const INHERIT = "";
/** The select's value for "a value I type" (``customLabel``): JSON never starts so. */
const CUSTOM = "\u0000custom";

/** The option value a setting's value is shown under (a string as it is, anything else as JSON). */
export function optionValue(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
}

/** Where an effective value comes from, as GET /api/settings/effective gives it ("user",
 * "group:3", "org", "default"): "your own choice", "set for your group", … */
export function sourceText(source: string): string {
  if (source === "user") return t("mySetting.from.user");
  if (source.startsWith("group:")) return t("mySetting.from.group");
  if (source === "org") return t("mySetting.from.org");
  return t("mySetting.from.default");
}

/** A value's label among the choices (an unknown value as it is). */
export function choiceLabel(choices: readonly Choice[], value: unknown): string {
  const found = choices.find(([v]) => optionValue(v) === optionValue(value));
  if (found) return found[1];
  return value === null || value === undefined ? "" : String(value);
}

/** Fired (bubbling) after a save: ``{setting, value}``, value null for "as set for me". */
export const MY_SETTING_SAVED = "my-setting-saved";

@customElement("cb-my-setting")
export class CbMySetting extends LightElement {
  @property({ type: Number }) userId = 0;
  /** The setting's key ("voicemail.email"). */
  @property() setting = "";
  /** Makes the ids unique on the page and is the card's data-testid ("voicemail-email"): the
   * select is #name, its hint #name-hint. */
  @property() name = "";
  @property() heading = "";
  @property() intro = "";
  @property() label = "";
  @property({ attribute: false }) choices: readonly Choice[] = [];
  /** Fetches the choices when the card loads, instead of ``choices``. */
  @property({ attribute: false }) loadChoices: (() => Promise<readonly Choice[]>) | null = null;
  /** The toast after a save (value null: back to what is set for the user); a plain one without. */
  @property({ attribute: false }) savedText: ((value: unknown, label: string) => string) | null = null;
  /** The label of the field for a value the person types (a select choice "Another …" opens it);
   * empty: only the choices. */
  @property() customLabel = "";
  /** The select's text for that choice. */
  @property() customChoice = "";
  /** How "no value" reads (a setting without a default, such as no assistance number). */
  @property() noneText = "";
  /** Shown below the select (a warning such as "no e-mail address"). */
  @property({ attribute: false }) note: TemplateResult | typeof nothing = nothing;

  @state() private loaded = false;
  /** The server has no such setting (its plugin is not loaded): nothing to show. */
  @state() private absent = false;
  @state() private loadedChoices: readonly Choice[] | null = null;
  /** The user's own stored value, or null. */
  @state() private own: unknown = null;
  /** The value in force and where it comes from. */
  @state() private effective: EffectiveValue | null = null;
  @state() private choice = INHERIT;
  /** The value typed in the custom field. */
  @state() private typed = "";
  @state() private loadError = "";
  @state() private error: string | null = null;
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private get allChoices(): readonly Choice[] {
    return this.loadChoices ? (this.loadedChoices ?? []) : this.choices;
  }

  private get ownOption(): string {
    if (this.own === null || this.own === undefined) return INHERIT;
    const option = optionValue(this.own);
    if (this.customLabel && !this.allChoices.some(([v]) => optionValue(v) === option)) return CUSTOM;
    return option;
  }

  /** Whether the select and the field still show the stored value (nothing to save). */
  private get unchanged(): boolean {
    if (this.choice !== this.ownOption) return false;
    return this.choice !== CUSTOM || this.typed.trim() === String(this.own);
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const [{ own: stored, effective }, choices] = await Promise.all([
        userSettings(this.userId),
        this.loadChoices ? this.loadChoices() : Promise.resolve(null),
      ]);
      const resolved = effective[this.setting];
      this.absent = !resolved;
      this.loadedChoices = choices;
      this.own = stored[this.setting] ?? null;
      this.choice = this.ownOption;
      this.typed = this.choice === CUSTOM ? String(this.own) : "";
      this.effective = resolved ?? null;
      this.loaded = true;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  /** The value the select stands for (null: as set for me). */
  private chosenValue(): unknown {
    if (this.choice === INHERIT) return null;
    if (this.choice === CUSTOM) return this.typed.trim();
    const found = this.allChoices.find(([v]) => optionValue(v) === this.choice);
    return found ? found[0] : this.own;
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    const value = this.chosenValue();
    try {
      await saveOwnSettings(this.userId, { [this.setting]: value });
      const label = value === null ? "" : choiceLabel(this.allChoices, value);
      toast(this.savedText ? this.savedText(value, label) : t("mySetting.saved"));
      this.dispatchEvent(new CustomEvent(MY_SETTING_SAVED, { bubbles: true, detail: { setting: this.setting, value } }));
      await this.load();
    } catch (err) {
      this.error = fieldErrors(err)[this.setting] ?? null;
      toast(errorText(err), "error");
    } finally {
      this.busy = false;
    }
  }

  private valueText(value: unknown): string {
    const none = value === null || value === undefined || value === "";
    return none && this.noneText ? this.noneText : choiceLabel(this.allChoices, value);
  }

  private body(): TemplateResult {
    const choices = this.allChoices;
    const effective = this.effective;
    // Without a value of their own, the value in force is what their group or the organisation set.
    const inherit =
      this.own === null && effective
        ? t("mySetting.inherit", { choice: this.valueText(effective.value) })
        : t("mySetting.inheritPlain");
    const options: Array<[string, string]> = [[INHERIT, inherit], ...choices.map(([v, l]): [string, string] => [optionValue(v), l])];
    if (this.customLabel) options.push([CUSTOM, this.customChoice || this.customLabel]);
    // A stored value that is no longer among the choices (a deleted music class) still shows.
    else if (this.ownOption !== INHERIT && !options.some(([v]) => v === this.ownOption)) {
      options.push([this.ownOption, choiceLabel(choices, this.own)]);
    }
    const custom = this.choice === CUSTOM;
    return html`${selectField({
        id: this.name,
        label: this.label,
        value: this.choice,
        options,
        hint: effective ? t("mySetting.now", { choice: this.valueText(effective.value), from: sourceText(effective.source) }) : undefined,
        error: custom ? null : this.error,
        onInput: (v) => {
          this.choice = v;
          this.error = null;
          if (v === CUSTOM) void focusWhenRendered(this, `#${this.name}-value`);
        },
      })}
      ${custom
        ? textField({
            id: `${this.name}-value`,
            label: this.customLabel,
            value: this.typed,
            required: true,
            error: this.error,
            onInput: (v) => {
              this.typed = v;
              this.error = null;
            },
          })
        : nothing}
      ${this.note}
      <div class="actions start">
        <button type="submit" class="secondary" ?disabled=${this.busy || this.unchanged}>
          ${this.busy ? t("common.saving") : t("common.save")}
        </button>
      </div>`;
  }

  protected override render(): TemplateResult | typeof nothing {
    if (this.absent) return nothing;
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.loaded) body = loadingView();
    else body = this.body();
    return html`<form class="card" id="${this.name}-form" novalidate @submit=${this.save}
      aria-labelledby="${this.name}-title" data-testid=${this.name}>
      <h2 id="${this.name}-title">${this.heading}</h2>
      ${this.intro ? html`<p class="muted">${this.intro}</p>` : nothing}
      ${body}
    </form>`;
  }
}
