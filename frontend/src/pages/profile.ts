/** The user portal (CAPU-14, CAPU-16): one's own profile, web password and PIN, music on hold, the
 * announcement before connect (PRM-06), and how to set up a phone. */
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView, pageHeading } from "../base";
import { focusFirstError, formError, sendForm, textField } from "../forms";
import { t } from "../i18n";
import "../components/phone-setup";
import "../components/moh-choice";
import "../components/announcement-choice";
import "../components/notification-settings";
import "../components/key-layout";
import "./free-seat";
import { session, toast } from "../session";
import type { User } from "../types";
import { check, checks } from "../validate";
import { profileBody, profileErrors, profileFields, profileValues } from "./user-edit";

const OWN_FIELDS = ["first_name", "last_name", "email", "phone", "mobile", "language", "timezone"] as const;
type Errors = Record<string, string | null | undefined>;

@customElement("cb-profile")
export class CbProfile extends LightElement {
  @state() private user: User | null = null;
  @state() private loadError = "";
  @state() private values: Record<string, string> = {};
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;
  @state() private pw = { current: "", next: "", repeat: "" };
  @state() private pwErrors: Errors = {};
  @state() private pwError = "";
  @state() private pin = "";
  @state() private pinError: string | null = null;
  @state() private pinFormError = "";

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      this.user = await api.get<User>("/api/auth/me");
      this.values = profileValues(this.user);
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async saveProfile(e: Event): Promise<void> {
    e.preventDefault();
    this.errors = profileErrors(this.values, OWN_FIELDS);
    if (Object.values(this.errors).some(Boolean)) {
      this.error = t("common.formInvalid");
      focusFirstError(this.querySelector("#profile-form") ?? this);
      return;
    }
    await sendForm(
      this,
      async () => {
        const user = await api.patch<User>(`/api/users/${this.user!.id}`, profileBody(this.values, OWN_FIELDS, false));
        this.user = user;
        this.values = profileValues(user);
        session.setUser(user);
        toast(t("user.saved"));
      },
      this.querySelector("#profile-form") ?? this,
    );
  }

  private async savePassword(e: Event): Promise<void> {
    e.preventDefault();
    this.pwErrors = {
      current: check(this.pw.current, true),
      password: check(this.pw.next, true, checks.password),
      repeat: this.pw.repeat !== this.pw.next ? t("validation.passwordsDiffer") : null,
    };
    const form = this.querySelector("#password-form") ?? this;
    if (Object.values(this.pwErrors).some(Boolean)) {
      this.pwError = t("common.formInvalid");
      focusFirstError(form);
      return;
    }
    this.pwError = "";
    try {
      await api.put(`/api/users/${this.user!.id}/password`, { password: this.pw.next, current_password: this.pw.current });
      this.pw = { current: "", next: "", repeat: "" };
      toast(t("user.passwordSet"));
    } catch (err) {
      this.pwErrors = fieldErrors(err);
      this.pwError = errorText(err);
      focusFirstError(form);
    }
  }

  private async savePin(e: Event): Promise<void> {
    e.preventDefault();
    this.pinError = check(this.pin, true, checks.pin);
    const form = this.querySelector("#pin-form") ?? this;
    if (this.pinError) {
      focusFirstError(form);
      return;
    }
    this.pinFormError = "";
    try {
      await api.put(`/api/users/${this.user!.id}/pin`, { pin: this.pin.trim() });
      this.pin = "";
      toast(t("user.pinSet"));
    } catch (err) {
      this.pinError = fieldErrors(err)["pin"] ?? null;
      this.pinFormError = errorText(err);
      focusFirstError(form);
    }
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.user) body = loadingView();
    else body = this.forms(this.user);
    return html`<section class="page">${pageHeading(t("profile.title"))}${body}</section>`;
  }

  private forms(user: User): TemplateResult {
    return html`<p class="muted">
        ${t("profile.account", { username: user.username, extension: user.extension ?? t("profile.noExtension") })}
      </p>
      <div class="columns">
        <form id="profile-form" class="card main-col" novalidate @submit=${this.saveProfile} aria-labelledby="profile-title">
          <h2 id="profile-title">${t("user.profile")}</h2>
          ${formError(this.error, "profile-error")}
          ${profileFields(this.values, this.errors, (n, v) => {
            this.values = { ...this.values, [n]: v };
            if (this.errors[n]) this.errors = { ...this.errors, [n]: null };
          }, OWN_FIELDS)}
          <div class="actions"><button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button></div>
        </form>
        <div class="side-col">
          <form id="password-form" class="card" novalidate @submit=${this.savePassword} aria-labelledby="password-title">
            <h2 id="password-title">${t("profile.changePassword")}</h2>
            ${formError(this.pwError, "password-error")}
            ${textField({ id: "pw-current", label: t("profile.currentPassword"), type: "password", autocomplete: "current-password", required: true, value: this.pw.current, error: this.pwErrors["current"] ?? this.pwErrors["current_password"], onInput: (v) => (this.pw = { ...this.pw, current: v }) })}
            ${textField({ id: "pw-new", label: t("profile.newPassword"), type: "password", autocomplete: "new-password", required: true, value: this.pw.next, error: this.pwErrors["password"], hint: t("validation.password"), onInput: (v) => (this.pw = { ...this.pw, next: v }) })}
            ${textField({ id: "pw-repeat", label: t("profile.repeatPassword"), type: "password", autocomplete: "new-password", required: true, value: this.pw.repeat, error: this.pwErrors["repeat"], onInput: (v) => (this.pw = { ...this.pw, repeat: v }) })}
            <div class="actions"><button type="submit" class="secondary">${t("profile.changePassword")}</button></div>
          </form>
          <form id="pin-form" class="card" novalidate @submit=${this.savePin} aria-labelledby="pin-title">
            <h2 id="pin-title">${t("profile.changePin")}</h2>
            <p class="muted">${user.has_pin ? t("user.hasPin") : t("user.noPin")}</p>
            ${formError(this.pinFormError, "pin-error")}
            ${textField({ id: "pin-new", label: t("profile.newPin"), inputmode: "numeric", autocomplete: "off", required: true, value: this.pin, error: this.pinError, hint: t("validation.pin"), onInput: (v) => (this.pin = v) })}
            <div class="actions"><button type="submit" class="secondary">${t("profile.changePin")}</button></div>
          </form>
          <cb-moh-choice .userId=${user.id}></cb-moh-choice>
          <cb-announcement-choice .userId=${user.id}></cb-announcement-choice>
        </div>
      </div>
      <cb-notification-settings .userId=${user.id} .ownEmail=${user.email}></cb-notification-settings>
      <cb-my-seat></cb-my-seat>
      <cb-phone-setup ?admin=${session.isAdmin}></cb-phone-setup>
      <cb-my-keys></cb-my-keys>`;
  }
}
