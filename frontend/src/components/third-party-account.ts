/**
 * A user's third-party SIP account (TERM-05) on the admin's user page: for a device Cordboard cannot
 * provision (an analogue adapter, another brand's phone, a softphone), a SIP user name and a strong
 * password of its own; it rings with the user's phones and is shown as an analogue or desk phone.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText } from "../base";
import { confirmDialog } from "../dialog";
import { formError, selectField, sendForm, textField } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";

interface ThirdParty {
  username: string;
  kind: "analogue" | "desk";
}

@customElement("cb-third-party-account")
export class CbThirdPartyAccount extends LightElement {
  @property({ type: Number }) userId = 0;
  @state() private account: ThirdParty | null = null;
  @state() private draft = { username: "", password: "", kind: "desk" };
  @state() errors: Record<string, string> = {};
  @state() error = "";
  @state() busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.account = await api.get<ThirdParty | null>(`/api/users/${this.userId}/third_party`);
      if (this.account) this.draft = { username: this.account.username, password: "", kind: this.account.kind };
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    await sendForm(this, async () => {
      this.account = await api.put<ThirdParty>(`/api/users/${this.userId}/third_party`, {
        username: this.draft.username.trim(),
        password: this.draft.password,
        kind: this.draft.kind,
      });
      this.draft = { ...this.draft, password: "" };
      this.errors = {};
      toast(t("thirdParty.saved"));
    });
  }

  private async removeAccount(): Promise<void> {
    if (!this.account || !(await confirmDialog(t("thirdParty.confirmRemove", { name: this.account.username }), t("common.delete")))) return;
    try {
      await api.delete(`/api/users/${this.userId}/third_party`);
      this.account = null;
      this.draft = { username: "", password: "", kind: "desk" };
      toast(t("thirdParty.removed"));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  protected override render(): TemplateResult {
    const d = this.draft;
    return html`<section class="card" aria-labelledby="third-party-title" data-testid="third-party">
      <h2 id="third-party-title">${t("thirdParty.title")}</h2>
      <p class="muted">${this.account ? t("thirdParty.current", { name: this.account.username }) : t("thirdParty.none")}</p>
      <form novalidate @submit=${this.save}>
        ${formError(this.error, "third-party-error")}
        ${textField({ id: "third-party-username", label: t("thirdParty.username"), value: d.username, required: true, autocomplete: "off",
          error: this.errors["username"], onInput: (v) => (this.draft = { ...this.draft, username: v }) })}
        ${textField({ id: "third-party-password", label: t("thirdParty.password"), type: "password", value: d.password, required: true,
          autocomplete: "new-password", hint: t("thirdParty.passwordHint"), error: this.errors["password"],
          onInput: (v) => (this.draft = { ...this.draft, password: v }) })}
        ${selectField({ id: "third-party-kind", label: t("thirdParty.kind"), value: d.kind,
          options: [["desk", t("thirdParty.kind.desk")], ["analogue", t("thirdParty.kind.analogue")]], error: this.errors["kind"],
          onInput: (v) => (this.draft = { ...this.draft, kind: v }) })}
        <div class="actions">
          ${this.account ? html`<button type="button" class="danger" @click=${() => void this.removeAccount()}>${t("common.delete")}</button>` : nothing}
          <button type="submit" ?disabled=${this.busy}>${t("common.save")}</button>
        </div>
      </form>
    </section>`;
  }
}
