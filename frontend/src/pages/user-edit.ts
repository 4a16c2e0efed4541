/** Create or edit one user (admin): profile, role, groups, lock, delete, password, PIN, phone setup
 * with the SIP password, and what the user could change themself: their phones and numbers
 * (<cb-terminal-plan>, as on My phones and numbers; CAPA-40) and their presence (<cb-user-presence>). */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView, pageHeading } from "../base";
import { confirmDialog } from "../dialog";
import { checkboxField, focusFirstError, formError, selectField, sendForm, textField } from "../forms";
import "../components/phone-setup";
import "../components/key-layout";
import "../components/presence-control";
import "../components/third-party-account";
import "../components/announcement-choice";
import "../components/terminal-plan";
import { LANGUAGES, t } from "../i18n";
import { navigate } from "../router";
import { session, toast } from "../session";
import type { Group, User } from "../types";
import { check, checks, timeZones } from "../validate";
import { fullName } from "./users";

type Errors = Record<string, string | null | undefined>;
const PROFILE = ["first_name", "last_name", "username", "email", "extension", "phone", "mobile", "language", "timezone", "role"] as const;

export function profileErrors(v: Record<string, string>, fields: readonly string[]): Errors {
  const errors: Errors = {};
  const has = (name: string) => fields.includes(name);
  if (has("first_name")) errors["first_name"] = check(v["first_name"] ?? "", true);
  if (has("last_name")) errors["last_name"] = check(v["last_name"] ?? "", true);
  if (has("username")) errors["username"] = check(v["username"] ?? "", true, checks.username);
  if (has("email")) errors["email"] = check(v["email"] ?? "", true, checks.email);
  if (has("extension")) errors["extension"] = check(v["extension"] ?? "", false, checks.extension);
  if (has("phone")) errors["phone"] = check(v["phone"] ?? "", false, checks.phone);
  if (has("mobile")) errors["mobile"] = check(v["mobile"] ?? "", false, checks.phone);
  if (has("timezone")) errors["timezone"] = check(v["timezone"] ?? "", false, checks.timezone);
  return errors;
}

export function profileValues(user: User | null): Record<string, string> {
  return {
    first_name: user?.first_name ?? "",
    last_name: user?.last_name ?? "",
    username: user?.username ?? "",
    email: user?.email ?? "",
    extension: user?.extension ?? "",
    phone: user?.phone ?? "",
    mobile: user?.mobile ?? "",
    language: user?.language ?? "en",
    timezone: user?.timezone ?? "",
    role: user?.role ?? "user",
  };
}

/** The profile fields as form inputs; ``only`` limits them (the user portal hides admin-only fields). */
export function profileFields(
  values: Record<string, string>,
  errors: Errors,
  set: (name: string, value: string) => void,
  only: readonly string[],
): TemplateResult {
  const text = (name: string, label: string, extra: Partial<Parameters<typeof textField>[0]> = {}) =>
    only.includes(name)
      ? textField({ id: `user-${name}`, label, value: values[name] ?? "", error: errors[name], onInput: (v) => set(name, v), ...extra })
      : nothing;
  const select = (name: string, label: string, required: boolean, options: Array<[string, string]>) =>
    only.includes(name)
      ? selectField({ id: `user-${name}`, label, value: values[name] ?? "", required, error: errors[name], options, onInput: (v) => set(name, v) })
      : nothing;
  // One flowing two-column grid, so that leaving out fields (user portal) leaves no holes.
  return html`<div class="grid two">
    ${text("first_name", t("user.firstName"), { required: true, autocomplete: "given-name" })}
    ${text("last_name", t("user.lastName"), { required: true, autocomplete: "family-name" })}
    ${text("username", t("user.username"), { required: true, hint: t("validation.username"), autocomplete: "off" })}
    ${text("email", t("user.email"), { required: true, type: "email", autocomplete: "email" })}
    ${text("extension", t("user.extension"), { inputmode: "numeric" })}
    ${text("phone", t("user.phone"), { type: "tel", autocomplete: "tel" })}
    ${text("mobile", t("user.mobile"), { type: "tel" })}
    ${select("language", t("user.language"), true, LANGUAGES.map((l): [string, string] => [l, t(`lang.${l}`)]))}
    ${select("timezone", t("user.timezone"), false, [["", t("user.timezoneOrg")], ...timeZones().map((z): [string, string] => [z, z.replace(/_/g, " ")])])}
    ${select("role", t("user.role"), true, [["user", t("user.role.user")], ["admin", t("user.role.admin")]])}
  </div>`;
}

/** The JSON body for the profile fields: empty optional fields become null. */
export function profileBody(v: Record<string, string>, fields: readonly string[], creating: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const name of fields) {
    const value = (v[name] ?? "").trim();
    if (["extension", "phone", "mobile", "timezone"].includes(name)) {
      if (value) body[name] = value;
      else if (!creating) body[name] = null;
    } else body[name] = value;
  }
  return body;
}

@customElement("cb-user-edit")
export class CbUserEdit extends LightElement {
  @property({ type: Number }) userId: number | null = null;
  @state() private user: User | null = null;
  @state() private groups: Group[] = [];
  @state() private loading = true;
  @state() private loadError = "";
  @state() private notFound = false;
  @state() private values: Record<string, string> = profileValues(null);
  @state() private memberOf = new Set<number>();
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;
  @state() private secrets: Record<string, string> = { password: "", pin: "" };
  @state() private secretErrors: Errors = {};

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private get creating(): boolean {
    return !this.userId;
  }

  private async load(): Promise<void> {
    this.loading = true;
    this.loadError = "";
    try {
      this.groups = await api.get<Group[]>("/api/groups");
      if (this.userId) {
        this.user = await api.get<User>(`/api/users/${this.userId}`);
        this.values = profileValues(this.user);
        this.memberOf = new Set(this.user.groups);
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.notFound = true;
      else this.loadError = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  private set(name: string, value: string): void {
    this.values = { ...this.values, [name]: value };
    if (this.errors[name]) this.errors = { ...this.errors, [name]: null };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const errors = profileErrors(this.values, PROFILE);
    if (this.creating) errors["password"] = check(this.secrets["password"] ?? "", false, checks.password);
    this.errors = errors;
    if (Object.values(errors).some(Boolean)) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    this.error = "";
    const groups = this.groups.filter((g) => this.memberOf.has(g.id)).map((g) => g.id);
    await sendForm(this, async () => {
      if (this.creating) {
        const body = profileBody(this.values, PROFILE, true);
        if (this.secrets["password"]) body["password"] = this.secrets["password"];
        body["groups"] = groups;
        const user = await api.post<User>("/api/users", body);
        toast(t("user.created", { name: fullName(user) }));
        navigate(`/users/${user.id}`, { replace: true });
        return;
      }
      let user = await api.patch<User>(`/api/users/${this.userId}`, profileBody(this.values, PROFILE, false));
      const before = [...(this.user?.groups ?? [])].sort().join(",");
      if ([...groups].sort().join(",") !== before) user = await api.put<User>(`/api/users/${this.userId}/groups`, groups);
      this.user = user;
      this.values = profileValues(user);
      if (session.user?.id === user.id) session.setUser(user);
      toast(t("user.saved"));
    });
  }

  private async setSecret(kind: "password" | "pin"): Promise<void> {
    const value = this.secrets[kind] ?? "";
    const rule = kind === "password" ? checks.password : checks.pin;
    const error = check(value, true, rule);
    this.secretErrors = { ...this.secretErrors, [kind]: error };
    if (error) {
      focusFirstError(this.querySelector(`#secret-${kind}-form`) ?? this);
      return;
    }
    const body = kind === "password" ? { password: value } : { pin: value };
    try {
      await api.put(`/api/users/${this.userId}/${kind}`, body);
      this.secrets = { ...this.secrets, [kind]: "" };
      this.user = await api.get<User>(`/api/users/${this.userId}`);
      toast(t(kind === "password" ? "user.passwordSet" : "user.pinSet"));
    } catch (err) {
      const fields = fieldErrors(err);
      this.secretErrors = { ...this.secretErrors, [kind]: fields[kind] ?? errorText(err) };
      focusFirstError(this.querySelector(`#secret-${kind}-form`) ?? this);
    }
  }

  private async toggleLock(): Promise<void> {
    if (!this.user) return;
    try {
      this.user = await api.post<User>(`/api/users/${this.user.id}/${this.user.locked ? "unlock" : "lock"}`);
      toast(t("user.saved"));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private async deleteUser(): Promise<void> {
    if (!this.user) return;
    const name = fullName(this.user);
    if (!(await confirmDialog(t("users.confirmDeleteOne", { name }), t("common.delete")))) return;
    try {
      await api.delete(`/api/users/${this.user.id}`);
      toast(t("user.deleted", { name }));
      navigate("/users");
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private secretForm(kind: "password" | "pin", label: string, action: string, status: string): TemplateResult {
    return html`<form id="secret-${kind}-form" class="secret" novalidate @submit=${(e: Event) => {
        e.preventDefault();
        void this.setSecret(kind);
      }}>
      <p class="muted">${status}</p>
      ${textField({
        id: `secret-${kind}`,
        label,
        value: this.secrets[kind] ?? "",
        type: kind === "pin" ? "text" : "password",
        inputmode: kind === "pin" ? "numeric" : "text",
        autocomplete: "new-password",
        required: true,
        error: this.secretErrors[kind],
        hint: kind === "password" ? t("validation.password") : t("validation.pin"),
        onInput: (v) => {
          this.secrets = { ...this.secrets, [kind]: v };
          this.secretErrors = { ...this.secretErrors, [kind]: null };
        },
      })}
      <button type="submit" class="secondary">${action}</button>
    </form>`;
  }

  protected override render(): TemplateResult {
    const title = this.creating ? t("user.newTitle") : this.user ? t("user.editTitle", { name: fullName(this.user) }) : t("nav.users");
    const back = html`<div class="head-actions">
      ${this.user && !this.creating ? html`<a class="button secondary" href="/calls?user=${this.user.id}">${t("user.calls")}</a>` : ""}
      <a class="button secondary" href="/users">← ${t("nav.users")}</a>
    </div>`;
    let body: TemplateResult;
    if (this.loading) body = loadingView();
    else if (this.notFound) body = html`<p>${t("user.notFound")}</p>`;
    else if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else body = this.form();
    return html`<section class="page">${pageHeading(title, back)}${body}</section>`;
  }

  private form(): TemplateResult {
    const user = this.user;
    return html`<div class="columns">
      <form class="card main-col" novalidate @submit=${this.save} aria-labelledby="user-profile-title">
        <h2 id="user-profile-title">${t("user.profile")}</h2>
        ${formError(this.error)}
        ${profileFields(this.values, this.errors, (n, v) => this.set(n, v), PROFILE)}
        ${this.creating
          ? textField({
              id: "user-password",
              label: t("user.initialPassword"),
              type: "password",
              autocomplete: "new-password",
              required: false,
              value: this.secrets["password"] ?? "",
              error: this.errors["password"],
              hint: t("validation.password"),
              onInput: (v) => (this.secrets = { ...this.secrets, password: v }),
            })
          : nothing}
        <fieldset class="checks">
          <legend>${t("user.groups")}</legend>
          ${this.groups.length
            ? this.groups.map((g) =>
                checkboxField({
                  id: `user-group-${g.id}`,
                  label: g.name,
                  checked: this.memberOf.has(g.id),
                  onChange: (on) => {
                    const next = new Set(this.memberOf);
                    if (on) next.add(g.id);
                    else next.delete(g.id);
                    this.memberOf = next;
                  },
                }),
              )
            : html`<p class="muted">${t("user.noGroups")}</p>`}
        </fieldset>
        <div class="actions">
          <a class="button secondary" href="/users">${t("common.cancel")}</a>
          <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : this.creating ? t("common.create") : t("common.save")}</button>
        </div>
      </form>
      ${user
        ? html`<div class="side-col">
            <section class="card" aria-labelledby="user-account-title">
              <h2 id="user-account-title">${t("user.account")}</h2>
              ${user.locked ? html`<p class="notice warn">${t("user.lockedNote")}</p>` : nothing}
              <div class="actions start">
                <button type="button" class="secondary" @click=${() => void this.toggleLock()}>${user.locked ? t("users.unlock") : t("users.lock")}</button>
                <button type="button" class="danger" @click=${() => void this.deleteUser()}>${t("common.delete")}</button>
              </div>
            </section>
            <section class="card" aria-labelledby="user-secrets-title">
              <h2 id="user-secrets-title">${t("user.secrets")}</h2>
              ${this.secretForm("password", t("user.password"), t("user.setPassword"), user.has_password ? t("user.hasPassword") : t("user.noPassword"))}
              ${this.secretForm("pin", t("user.pin"), t("user.setPin"), user.has_pin ? t("user.hasPin") : t("user.noPin"))}
            </section>
            <cb-announcement-choice .userId=${user.id} admin></cb-announcement-choice>
          </div>`
        : nothing}
    </div>
    ${user ? html`<cb-phone-setup .userId=${user.id} admin></cb-phone-setup>` : nothing}
    ${user ? html`<cb-user-key-template .userId=${user.id}></cb-user-key-template>` : nothing}
    ${user
      ? html`<section class="user-terminals" aria-labelledby="user-terminals-title" data-testid="user-terminals">
          <h2 id="user-terminals-title">${t("adminEdits.terminalsTitle")}</h2>
          <p class="muted">${t("adminEdits.terminalsIntro")}</p>
          <cb-terminal-plan base="/api/users/${user.id}/terminals" admin></cb-terminal-plan>
        </section>`
      : nothing}
    ${user ? html`<cb-user-presence .userId=${user.id}></cb-user-presence>` : nothing}
    ${user ? html`<cb-third-party-account .userId=${user.id}></cb-third-party-account>` : nothing}`;
  }
}
