/**
 * The first-run wizard (BYD-19), opened by the setup link `/setup?token=…`: administrator,
 * organisation (name, country, time zone), numbering (extension length and range), an optional
 * first SIP trunk (its registration state shown live, so a wrong password is seen at once), first
 * users.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { focusFirstError, formError, selectField, textField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { navigate, query } from "../router";
import { browserTimeZone, countries, guessCountry } from "../regions";
import { session, toast } from "../session";
import { EMPTY as EMPTY_TRUNK, TRUNK_STATE_KEYS, draftBody, splitList, trunkState, type Trunk } from "../trunks";
import type { User } from "../types";
import { check, checks, timeZones } from "../validate";
import { live } from "../ws";

type Step = "admin" | "org" | "numbering" | "trunk" | "users" | "done";
const STEPS: Array<[Step, MessageKey]> = [
  ["admin", "setup.step.admin"],
  ["org", "setup.step.org"],
  ["numbering", "setup.step.numbering"],
  ["trunk", "setup.step.trunk"],
  ["users", "setup.step.users"],
  ["done", "setup.step.done"],
];

interface UserRow {
  key: number;
  username: string;
  first_name: string;
  last_name: string;
  email: string;
  extension: string;
  password: string;
  errors: Record<string, string | null>;
}

type Errors = Record<string, string | null | undefined>;

@customElement("cb-setup")
export class CbSetup extends LightElement {
  @state() private step: Step | "loading" | "no-token" | "already-done" | "failed" = "loading";
  @state() private values: Record<string, string> = {};
  @state() private errors: Errors = {};
  @state() private error = "";
  @state() private busy = false;
  @state() private rows: UserRow[] = [];
  @state() private loadError = "";
  /** The trunk made in the trunk step (or found there), and whether its form is open again. */
  @state() private trunk: Trunk | null = null;
  @state() private editingTrunk = false;
  private token = query("token") ?? "";
  private rowKey = 0;
  private rangeTouched = false;
  private readonly onStates = () => {
    if (this.step === "trunk") this.requestUpdate();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("states", this.onStates);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("states", this.onStates);
  }

  private async load(): Promise<void> {
    this.step = "loading";
    try {
      const { needs_setup: needsSetup } = await api.get<{ needs_setup: boolean }>("/api/setup", { handle401: true });
      if (needsSetup) {
        this.step = this.token ? "admin" : "no-token";
        this.values = { username: "", first_name: "", last_name: "", email: "", password: "", confirm: "" };
      } else if (session.user?.role === "admin") {
        await this.enter("org");
      } else if (session.user) {
        navigate("/profile", { replace: true });
      } else {
        this.step = "already-done";
      }
    } catch (err) {
      this.loadError = errorText(err);
      this.step = "failed";
    }
  }

  /** Go to a step, filling its form from the stored organisation settings. */
  private async enter(step: Step): Promise<void> {
    this.errors = {};
    this.error = "";
    if (step === "org" || step === "numbering") {
      const org = await api.get<Record<string, unknown>>("/api/settings/org");
      const str = (key: string, fallback: string) => (org[key] === undefined || org[key] === null ? fallback : String(org[key]));
      if (step === "org") {
        this.values = {
          name: str("core.organisation_name", ""),
          country: str("core.country", guessCountry()),
          timezone: str("core.timezone", browserTimeZone()),
        };
      } else {
        const length = str("core.extension_length", "4");
        this.rangeTouched = "core.extension_range_start" in org;
        this.values = {
          length,
          start: str("core.extension_range_start", defaultStart(Number(length))),
          end: str("core.extension_range_end", defaultEnd(Number(length))),
        };
      }
    }
    if (step === "trunk") {
      const trunks = await api.get<Trunk[]>("/api/trunks");
      this.trunk = trunks[0] ?? null;
      this.editingTrunk = false;
      this.values = trunkValues(this.trunk);
    }
    if (step === "users") {
      const org = await api.get<Record<string, unknown>>("/api/settings/org");
      this.values = { start: String(org["core.extension_range_start"] ?? "1000") };
      this.rows = [];
      this.addRow();
    }
    this.step = step;
    await this.updateComplete;
    this.querySelector<HTMLElement>("h2.step-title")?.focus();
  }

  private set(name: string, value: string): void {
    this.values = { ...this.values, [name]: value };
    if (this.errors[name]) this.errors = { ...this.errors, [name]: null };
  }

  private failed(errors: Errors): boolean {
    this.errors = errors;
    const bad = Object.values(errors).some(Boolean);
    this.error = bad ? t("common.formInvalid") : "";
    if (bad) focusFirstError(this);
    return bad;
  }

  private serverError(err: unknown, map: Record<string, string> = {}): void {
    const fields = fieldErrors(err);
    const errors: Errors = {};
    for (const [key, message] of Object.entries(fields)) errors[map[key] ?? key] = message;
    this.errors = errors;
    this.error = errorText(err);
    focusFirstError(this);
  }

  // -- step 1: administrator -------------------------------------------------------------------
  private async submitAdmin(e: Event): Promise<void> {
    e.preventDefault();
    const v = this.values;
    if (
      this.failed({
        username: check(v["username"] ?? "", true, checks.username),
        first_name: check(v["first_name"] ?? "", true),
        last_name: check(v["last_name"] ?? "", true),
        email: check(v["email"] ?? "", true, checks.email),
        password: check(v["password"] ?? "", true, checks.password),
        confirm: v["confirm"] !== v["password"] ? t("validation.passwordsDiffer") : null,
      })
    )
      return;
    this.busy = true;
    try {
      const body = await api.post<{ user: User }>(
        "/api/setup",
        {
          token: this.token,
          username: v["username"]!.trim(),
          password: v["password"],
          first_name: v["first_name"]!.trim(),
          last_name: v["last_name"]!.trim(),
          email: v["email"]!.trim(),
        },
        { handle401: true },
      );
      session.setUser(body.user);
      window.dispatchEvent(new Event("cb-logged-in"));
      history.replaceState(null, "", "/setup");
      await this.enter("org");
    } catch (err) {
      if (err instanceof ApiError && err.code === "conflict") {
        this.step = "already-done";
        return;
      }
      this.serverError(err);
    } finally {
      this.busy = false;
    }
  }

  // -- step 2: organisation --------------------------------------------------------------------
  private async submitOrg(e: Event): Promise<void> {
    e.preventDefault();
    const v = this.values;
    if (
      this.failed({
        name: check(v["name"] ?? "", true),
        country: check(v["country"] ?? "", true, checks.country),
        timezone: check(v["timezone"] ?? "", true, checks.timezone),
      })
    )
      return;
    this.busy = true;
    try {
      await api.put("/api/settings/org", {
        "core.organisation_name": v["name"]!.trim(),
        "core.country": v["country"]!.trim().toUpperCase(),
        "core.timezone": v["timezone"]!.trim(),
      });
      await session.loadOrgName();
      await this.enter("numbering");
    } catch (err) {
      this.serverError(err, { "core.organisation_name": "name", "core.country": "country", "core.timezone": "timezone" });
    } finally {
      this.busy = false;
    }
  }

  // -- step 3: numbering -----------------------------------------------------------------------
  private setLength(value: string): void {
    this.set("length", value);
    const n = Number(value);
    if (!this.rangeTouched && Number.isInteger(n) && n >= 2 && n <= 8) {
      this.values = { ...this.values, start: defaultStart(n), end: defaultEnd(n) };
    }
  }

  private numberingErrors(): Errors {
    const v = this.values;
    const n = Number(v["length"]);
    const lengthError =
      check(v["length"] ?? "", true) ??
      (!Number.isInteger(n) ? t("validation.integer") : n < 2 ? t("validation.min", { min: 2 }) : n > 8 ? t("validation.max", { max: 8 }) : null);
    const ext = (value: string) =>
      check(value, true, checks.extension) ?? (!lengthError && value.trim().length !== n ? t("validation.extensionLength", { length: n }) : null);
    const errors: Errors = { length: lengthError, start: ext(v["start"] ?? ""), end: ext(v["end"] ?? "") };
    if (!errors["start"] && !errors["end"] && Number(v["end"]) < Number(v["start"])) errors["end"] = t("validation.rangeOrder");
    return errors;
  }

  private async submitNumbering(e: Event): Promise<void> {
    e.preventDefault();
    if (this.failed(this.numberingErrors())) return;
    this.busy = true;
    try {
      await api.put("/api/settings/org", {
        "core.extension_length": Number(this.values["length"]),
        "core.extension_range_start": this.values["start"]!.trim(),
        "core.extension_range_end": this.values["end"]!.trim(),
      });
      await this.enter("trunk");
    } catch (err) {
      this.serverError(err, {
        "core.extension_length": "length",
        "core.extension_range_start": "start",
        "core.extension_range_end": "end",
      });
    } finally {
      this.busy = false;
    }
  }

  // -- step 4: first trunk (optional) ----------------------------------------------------------
  private async submitTrunk(e: Event): Promise<void> {
    e.preventDefault();
    const v = this.values;
    const port = Number(v["port"]);
    const portError =
      check(v["port"] ?? "", true) ??
      (!Number.isInteger(port) ? t("validation.integer") : port < 1 ? t("validation.min", { min: 1 }) : port > 65535 ? t("validation.max", { max: 65535 }) : null);
    if (
      this.failed({
        name: this.trunk ? null : check(v["name"] ?? "", true),
        host: check(v["host"] ?? "", true),
        port: portError,
        username: check(v["username"] ?? "", true),
        password: this.trunk ? null : check(v["password"] ?? "", true),
      })
    )
      return;
    this.busy = true;
    try {
      if (this.trunk) {
        // Only the wizard's fields: what was set on the trunks page stays as it is.
        const body: Record<string, unknown> = {
          host: v["host"]!.trim(),
          port,
          transport: v["transport"],
          username: v["username"]!.trim(),
          auth_username: v["auth_username"]!.trim(),
          caller_ids: splitList(v["caller_ids"] ?? ""),
        };
        if (v["password"]) body["password"] = v["password"];
        this.trunk = await api.patch<Trunk>(`/api/trunks/${this.trunk.id}`, body);
      } else {
        this.trunk = await api.post<Trunk>("/api/trunks", draftBody({ ...EMPTY_TRUNK, ...v }, true));
      }
      this.editingTrunk = false;
      this.values = trunkValues(this.trunk);
      toast(t("trunks.saved"));
      await this.updateComplete;
      this.querySelector<HTMLElement>("[data-testid=setup-trunk-state]")?.focus();
    } catch (err) {
      this.serverError(err);
    } finally {
      this.busy = false;
    }
  }

  // -- step 5: first users ---------------------------------------------------------------------
  private addRow(): void {
    const start = Number(this.values["start"] ?? "1000");
    const used = new Set(this.rows.map((r) => r.extension));
    let next = start;
    const width = String(this.values["start"] ?? "1000").length;
    while (used.has(String(next).padStart(width, "0"))) next += 1;
    this.rows = [
      ...this.rows,
      {
        key: ++this.rowKey,
        username: "",
        first_name: "",
        last_name: "",
        email: "",
        extension: String(next).padStart(width, "0"),
        password: "",
        errors: {},
      },
    ];
  }

  private setRow(row: UserRow, name: keyof UserRow, value: string): void {
    this.rows = this.rows.map((r) => (r.key === row.key ? { ...r, [name]: value, errors: { ...r.errors, [name]: null } } : r));
  }

  private isBlank(row: UserRow): boolean {
    return !row.username && !row.first_name && !row.last_name && !row.email && !row.password;
  }

  private async submitUsers(e: Event): Promise<void> {
    e.preventDefault();
    const rows = this.rows.filter((r) => !this.isBlank(r));
    let bad = false;
    this.rows = this.rows.map((r) => {
      if (this.isBlank(r)) return { ...r, errors: {} };
      const errors = {
        username: check(r.username, true, checks.username),
        first_name: check(r.first_name, true),
        last_name: check(r.last_name, true),
        email: check(r.email, true, checks.email),
        extension: check(r.extension, false, checks.extension),
        password: check(r.password, false, checks.password),
      };
      if (Object.values(errors).some(Boolean)) bad = true;
      return { ...r, errors };
    });
    this.error = bad ? t("common.formInvalid") : "";
    if (bad) {
      focusFirstError(this);
      return;
    }
    this.busy = true;
    let created = 0;
    const remaining: UserRow[] = [];
    for (const row of rows) {
      const body: Record<string, string> = {
        username: row.username.trim(),
        first_name: row.first_name.trim(),
        last_name: row.last_name.trim(),
        email: row.email.trim(),
      };
      if (row.extension.trim()) body["extension"] = row.extension.trim();
      if (row.password) body["password"] = row.password;
      try {
        await api.post("/api/users", body);
        created += 1;
      } catch (err) {
        const fields = fieldErrors(err);
        remaining.push({ ...row, errors: Object.keys(fields).length ? fields : { username: errorText(err) } });
      }
    }
    this.busy = false;
    if (created) toast(t("setup.usersCreated", { count: created }));
    if (remaining.length) {
      this.rows = remaining;
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    await this.enter("done");
  }

  // -- views -----------------------------------------------------------------------------------
  private stepper(): TemplateResult {
    const index = STEPS.findIndex(([s]) => s === this.step);
    return html`<nav aria-label=${t("setup.steps")}>
      <ol class="stepper">
        ${STEPS.map(
          ([, key], i) =>
            html`<li class=${i < index ? "done" : i === index ? "current" : ""} aria-current=${i === index ? "step" : nothing}>
              <span class="num" aria-hidden="true">${i < index ? "✓" : i + 1}</span><span class="label">${t(key)}</span>
            </li>`,
        )}
      </ol>
    </nav>`;
  }

  private field(name: string, label: string, extra: Partial<Parameters<typeof textField>[0]> = {}): TemplateResult {
    return textField({
      id: `setup-${name}`,
      label,
      value: this.values[name] ?? "",
      required: true,
      error: this.errors[name],
      onInput: (v) => this.set(name, v),
      ...extra,
    });
  }

  private adminStep(): TemplateResult {
    return html`<form novalidate @submit=${this.submitAdmin}>
      <p>${t("setup.adminIntro")}</p>
      ${formError(this.error)}
      <div class="grid two">
        ${this.field("first_name", t("user.firstName"), { autocomplete: "given-name" })}
        ${this.field("last_name", t("user.lastName"), { autocomplete: "family-name" })}
      </div>
      ${this.field("username", t("user.username"), { autocomplete: "username", hint: t("validation.username") })}
      ${this.field("email", t("user.email"), { type: "email", autocomplete: "email" })}
      <div class="grid two">
        ${this.field("password", t("login.password"), { type: "password", autocomplete: "new-password", hint: t("validation.password") })}
        ${this.field("confirm", t("setup.confirmPassword"), { type: "password", autocomplete: "new-password" })}
      </div>
      <div class="actions"><button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("setup.createAdmin")}</button></div>
    </form>`;
  }

  private orgStep(): TemplateResult {
    const zones = timeZones();
    return html`<form novalidate @submit=${this.submitOrg}>
      <p>${t("setup.orgIntro")}</p>
      ${formError(this.error)}
      ${this.field("name", t("setup.orgName"), { autocomplete: "organization" })}
      ${selectField({
        id: "setup-country",
        label: t("setup.country"),
        value: this.values["country"] ?? "",
        required: true,
        error: this.errors["country"],
        options: [["", "—"], ...countries().map(([code, name]): [string, string] => [code, `${name} (${code})`])],
        onInput: (v) => this.set("country", v),
      })}
      ${selectField({
        id: "setup-timezone",
        label: t("setup.timezone"),
        value: this.values["timezone"] ?? "",
        required: true,
        error: this.errors["timezone"],
        options: zones.map((z): [string, string] => [z, z.replace(/_/g, " ")]),
        onInput: (v) => this.set("timezone", v),
      })}
      <div class="actions"><button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.next")}</button></div>
    </form>`;
  }

  private numberingStep(): TemplateResult {
    return html`<form novalidate @submit=${this.submitNumbering}>
      <p>${t("setup.numberingIntro")}</p>
      ${formError(this.error)}
      ${this.field("length", t("setup.extensionLength"), {
        type: "number",
        inputmode: "numeric",
        min: 2,
        max: 8,
        step: "1",
        hint: "2 – 8",
        onInput: (v) => this.setLength(v),
      })}
      <div class="grid two">
        ${this.field("start", t("setup.rangeStart"), {
          inputmode: "numeric",
          onInput: (v) => {
            this.rangeTouched = true;
            this.set("start", v);
          },
        })}
        ${this.field("end", t("setup.rangeEnd"), {
          inputmode: "numeric",
          onInput: (v) => {
            this.rangeTouched = true;
            this.set("end", v);
          },
        })}
      </div>
      <div class="actions">
        <button type="button" class="secondary" @click=${() => void this.enter("org")}>${t("common.back")}</button>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.next")}</button>
      </div>
    </form>`;
  }

  private trunkStep(): TemplateResult {
    const trunk = this.trunk;
    if (trunk && !this.editingTrunk) {
      const { state: current, error } = trunkState(trunk, live.states);
      const key = TRUNK_STATE_KEYS[current];
      return html`<p>${t("setup.trunkSaved", { name: trunk.name, host: `${trunk.host}:${trunk.port}` })}</p>
        <p data-testid="setup-trunk-state" data-state=${current} role="status" tabindex="-1">
          <strong>${t("trunks.state")}:</strong> ${key ? t(key) : current}
          ${error ? html`<span class="muted" data-testid="setup-trunk-error"> (${error})</span>` : nothing}
        </p>
        <p class="muted small">
          ${current === "failed" ? t("setup.trunkFailed") : current === "unregistered" ? t("setup.trunkRegistering") : t("setup.trunkLater")}
        </p>
        <div class="actions">
          <button type="button" class="secondary" @click=${() => void this.enter("numbering")}>${t("common.back")}</button>
          <button type="button" class="secondary" @click=${() => ((this.editingTrunk = true), (this.errors = {}), (this.error = ""))}>
            ${t("setup.changeTrunk")}
          </button>
          <button type="button" @click=${() => void this.enter("users")}>${t("common.next")}</button>
        </div>`;
    }
    return html`<form novalidate @submit=${this.submitTrunk}>
      <p>${t("setup.trunkIntro")}</p>
      ${formError(this.error)}
      ${trunk ? nothing : this.field("name", t("setup.trunkName"), { hint: t("trunks.nameHint") })}
      <div class="grid two">
        ${this.field("host", t("trunks.host"), { hint: t("setup.trunkHostHint") })}
        ${this.field("port", t("trunks.port"), { type: "number", inputmode: "numeric", min: 1, max: 65535, step: "1" })}
      </div>
      ${selectField({
        id: "setup-transport",
        label: t("trunks.transport"),
        value: this.values["transport"] ?? "udp",
        options: [
          ["udp", "UDP"],
          ["tcp", "TCP"],
          ["tls", "TLS"],
        ],
        onInput: (v) => this.set("transport", v),
      })}
      <div class="grid two">
        ${this.field("username", t("trunks.username"), { autocomplete: "off" })}
        ${this.field("auth_username", t("trunks.authUsername"), { required: false, autocomplete: "off", hint: t("trunks.authUsernameHint") })}
      </div>
      ${this.field("password", t("trunks.password"), {
        type: "password",
        autocomplete: "new-password",
        required: !trunk,
        hint: trunk ? t("trunks.passwordHint") : undefined,
      })}
      ${this.field("caller_ids", t("setup.trunkNumbers"), { required: false, hint: t("setup.trunkNumbersHint") })}
      <div class="actions">
        ${trunk
          ? html`<button type="button" class="secondary" @click=${() => ((this.editingTrunk = false), (this.values = trunkValues(trunk)))}>${t("common.cancel")}</button>`
          : html`<button type="button" class="secondary" @click=${() => void this.enter("numbering")}>${t("common.back")}</button>
              <button type="button" class="secondary" @click=${() => void this.enter("users")}>${t("setup.skip")}</button>`}
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : trunk ? t("common.save") : t("setup.addTrunk")}</button>
      </div>
    </form>`;
  }

  private usersStep(): TemplateResult {
    const input = (row: UserRow, i: number, name: keyof UserRow & string, label: string, extra: Partial<Parameters<typeof textField>[0]> = {}) =>
      textField({
        id: `row${i}-${name}`,
        label,
        value: String(row[name] ?? ""),
        required: name !== "extension" && name !== "password",
        error: row.errors[name],
        onInput: (v) => this.setRow(row, name, v),
        ...extra,
      });
    return html`<form novalidate @submit=${this.submitUsers}>
      <p>${t("setup.usersIntro")}</p>
      ${formError(this.error)}
      ${this.rows.map(
        (row, i) => html`<fieldset class="user-row">
          <legend>${t("setup.userN", { n: i + 1 })}</legend>
          <div class="grid three">
            ${input(row, i, "first_name", t("user.firstName"))} ${input(row, i, "last_name", t("user.lastName"))}
            ${input(row, i, "username", t("user.username"))} ${input(row, i, "email", t("user.email"), { type: "email" })}
            ${input(row, i, "extension", t("user.extension"), { inputmode: "numeric" })}
            ${input(row, i, "password", t("login.password"), { type: "password", autocomplete: "new-password" })}
          </div>
          ${this.rows.length > 1
            ? html`<button type="button" class="link" @click=${() => (this.rows = this.rows.filter((r) => r.key !== row.key))}>
                ${t("setup.removeRow", { n: i + 1 })}
              </button>`
            : nothing}
        </fieldset>`,
      )}
      <button type="button" class="secondary" @click=${() => this.addRow()}>+ ${t("setup.addRow")}</button>
      <div class="actions">
        <button type="button" class="secondary" @click=${() => void this.enter("done")}>${t("setup.skip")}</button>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("setup.createUsers")}</button>
      </div>
    </form>`;
  }

  private doneStep(): TemplateResult {
    return html`<p>${t("setup.doneText")}</p>
      <div class="actions"><a class="button" href="/">${t("setup.toDashboard")}</a></div>`;
  }

  protected override render(): TemplateResult {
    const header = html`<p class="brand-large"><span class="logo" aria-hidden="true">◆</span> ${t("app.name")}</p>
      <h1 tabindex="-1" class="page-title">${t("setup.title")}</h1>`;
    const wrap = (body: TemplateResult) => html`<section class="card wizard">${header}${body}</section>`;
    switch (this.step) {
      case "loading":
        return wrap(loadingView());
      case "failed":
        return wrap(errorView(this.loadError, () => void this.load()));
      case "no-token":
        return wrap(html`<p class="notice">${t("setup.noToken")}</p>`);
      case "already-done":
        return wrap(html`<p class="notice">${t("setup.alreadyDone")}</p>
          <p><a class="button" href="/login">${t("login.submit")}</a></p>`);
      default: {
        const index = STEPS.findIndex(([s]) => s === this.step);
        const title = t(STEPS[index]![1]);
        const body =
          this.step === "admin"
            ? this.adminStep()
            : this.step === "org"
              ? this.orgStep()
              : this.step === "numbering"
                ? this.numberingStep()
                : this.step === "trunk"
                  ? this.trunkStep()
                  : this.step === "users"
                  ? this.usersStep()
                  : this.doneStep();
        return wrap(html`${this.stepper()}
          <h2 class="step-title" tabindex="-1">
            <span class="muted">${t("setup.stepOf", { n: index + 1, total: STEPS.length })}:</span> ${this.step === "done" ? t("setup.doneTitle") : title}
          </h2>
          ${body}`);
      }
    }
  }
}

/** The trunk step's form: a new trunk named "provider", or the fields of the one that exists. */
function trunkValues(trunk: Trunk | null): Record<string, string> {
  return {
    name: trunk?.name ?? "provider",
    host: trunk?.host ?? "",
    port: String(trunk?.port ?? 5060),
    transport: trunk?.transport ?? "udp",
    username: trunk?.username ?? "",
    auth_username: trunk?.auth_username ?? "",
    password: "",
    caller_ids: (trunk?.caller_ids ?? []).join(", "),
  };
}

function defaultStart(length: number): string {
  return "1" + "0".repeat(Math.max(1, length) - 1);
}

function defaultEnd(length: number): string {
  return "1" + "9".repeat(Math.max(1, length) - 1);
}
