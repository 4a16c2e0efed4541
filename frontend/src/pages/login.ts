/** The log-in page; after log-in the person returns to the page they came from (?next=). */
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, fieldErrors } from "../base";
import { focusFirstError, formError, textField } from "../forms";
import { t } from "../i18n";
import { navigate, query, safeNext } from "../router";
import { session } from "../session";
import type { User } from "../types";
import { check } from "../validate";

@customElement("cb-login")
export class CbLogin extends LightElement {
  @state() private username = "";
  @state() private password = "";
  @state() private errors: Record<string, string | null> = {};
  @state() private error = "";
  @state() private busy = false;

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    this.errors = {
      username: check(this.username, true),
      password: check(this.password, true),
    };
    this.error = "";
    if (Object.values(this.errors).some(Boolean)) {
      focusFirstError(this);
      return;
    }
    this.busy = true;
    try {
      const body = await api.post<{ user: User }>(
        "/api/auth/login",
        { username: this.username.trim(), password: this.password },
        { handle401: true },
      );
      session.setUser(body.user);
      window.dispatchEvent(new Event("cb-logged-in"));
      const fallback = body.user.role === "admin" ? "/" : "/profile";
      navigate(safeNext(query("next")) ?? fallback, { replace: true });
    } catch (err) {
      const wrong = err instanceof ApiError && err.code === "forbidden" && /wrong username or password/i.test(err.message);
      this.errors = wrong ? {} : fieldErrors(err);
      this.error = wrong ? t("login.failed") : errorText(err);
      this.password = "";
      focusFirstError(this);
    } finally {
      this.busy = false;
    }
  }

  protected override render(): TemplateResult {
    const expired = query("expired") === "1";
    return html`<section class="card narrow auth">
      <p class="brand-large"><span class="logo" aria-hidden="true">◆</span> ${t("app.name")}</p>
      <h1 tabindex="-1" class="page-title">${t("login.title")}</h1>
      ${expired ? html`<p class="notice" role="status">${t("app.sessionExpired")}</p>` : html`<p>${t("login.intro")}</p>`}
      <form novalidate @submit=${this.submit}>
        ${formError(this.error)}
        ${textField({
          id: "username",
          label: t("login.username"),
          value: this.username,
          required: true,
          autocomplete: "username",
          error: this.errors["username"],
          onInput: (v) => (this.username = v),
        })}
        ${textField({
          id: "password",
          label: t("login.password"),
          value: this.password,
          type: "password",
          required: true,
          autocomplete: "current-password",
          error: this.errors["password"],
          onInput: (v) => (this.password = v),
        })}
        <button type="submit" class="wide" ?disabled=${this.busy}>${this.busy ? t("login.busy") : t("login.submit")}</button>
      </form>
    </section>`;
  }
}
