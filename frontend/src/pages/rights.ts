/**
 * Service rights (admin, ROLE-09): one card per gated service (seeing colleagues' status, seeing and
 * planning their future presence, editing the company directory, picking up their calls) with what
 * it allows, its grants as sentences ("Members of Reception may see the status of the users in
 * group Sales") each with a remove button, and a form to give it: who (every user or a group's
 * members) and over whom (the organisation, a group's members or one user; for the directory the
 * organisation's or a group's list). Each change saves the service's whole list at once
 * (PUT /api/rights/{service}).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { scopePicker } from "../components/scope-picker";
import { confirmDialog } from "../dialog";
import { focusWhenRendered, formError, selectField, sendForm } from "../forms";
import { t } from "../i18n";
import {
  grantError,
  grantSentence,
  isListService,
  scopesOf,
  serviceText,
  serviceTitle,
  withGrant,
  withoutGrant,
  type Grant,
  type Names,
  type ServiceRights,
} from "../rights";
import { toast } from "../session";
import type { Group, Scope, User } from "../types";
import { fullName } from "./users";

@customElement("cb-rights")
export class CbRights extends LightElement {
  @state() private rights: ServiceRights[] | null = null;
  @state() private groups: Group[] = [];
  @state() private users: User[] = [];
  @state() private loadError = "";

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const [rights, groups, users] = await Promise.all([
        api.get<ServiceRights[]>("/api/rights"),
        api.get<Group[]>("/api/groups"),
        api.get<User[]>("/api/users"),
      ]);
      this.groups = groups;
      this.users = users;
      this.rights = rights;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private changed(saved: ServiceRights): void {
    this.rights = (this.rights ?? []).map((r) => (r.service === saved.service ? { ...r, grants: saved.grants } : r));
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.rights) body = loadingView();
    else {
      body = html`${this.rights.map(
        (row) => html`<cb-service-right .row=${row} .groups=${this.groups} .users=${this.users}
          @rights-changed=${(e: CustomEvent<ServiceRights>) => this.changed(e.detail)}></cb-service-right>`,
      )}`;
    }
    return html`<section class="page rights-page">
      ${pageHeading(t("rights.title"))}
      <p class="muted">${t("rights.intro")}</p>
      <p class="notice" data-testid="rights-always">${t("rights.always")}</p>
      ${body}
    </section>`;
  }
}

/** One service's card: its grants and the form to add one. Fires "rights-changed" (detail: the
 * service's saved row) after a change. */
@customElement("cb-service-right")
export class CbServiceRight extends LightElement {
  @property({ attribute: false }) row: ServiceRights = { service: "", feature: "", grants: [] };
  @property({ attribute: false }) groups: Group[] = [];
  @property({ attribute: false }) users: User[] = [];

  /** The form: "" for every user, else a group's id. */
  @state() private who = "";
  @state() private scope: Scope = "org";
  @state() private scopeId: number | null = null;
  @state() errors: Record<string, string | null | undefined> = {};
  @state() error = "";
  @state() busy = false;

  private get names(): Names {
    return { groups: this.groups, users: this.users };
  }

  /** The service's name in ids ("see-status"). */
  private get key(): string {
    return this.row.service.replace(/_/g, "-");
  }

  private async put(grants: Grant[]): Promise<void> {
    const saved = await api.put<ServiceRights>(`/api/rights/${this.row.service}`, { grants });
    this.dispatchEvent(new CustomEvent<ServiceRights>("rights-changed", { detail: { ...this.row, grants: saved.grants }, bubbles: true }));
  }

  private async add(e: Event): Promise<void> {
    e.preventDefault();
    this.errors = {};
    const grant: Grant = { group_id: this.who ? Number(this.who) : null, scope: this.scope, scope_id: this.scope === "org" ? null : this.scopeId };
    if (this.scope !== "org" && grant.scope_id === null) {
      // No group (or user) exists to choose.
      this.error = t(this.scope === "group" ? "settings.pickGroup" : "settings.pickUser");
      void focusWhenRendered(this, `#rights-${this.key}-error`);
      return;
    }
    const grants = withGrant(this.row.grants, grant);
    if (!grants) {
      this.error = t("rights.duplicate");
      void focusWhenRendered(this, `#rights-${this.key}-error`);
      return;
    }
    const sentence = grantSentence(this.row.service, grant, this.names);
    const sent = await sendForm(this, async () => {
      await this.put(grants);
      this.errors = {};
      toast(t("rights.added", { sentence }));
    });
    if (sent) {
      this.who = "";
      this.scope = "org";
      this.scopeId = null;
    }
  }

  private async removeGrant(index: number): Promise<void> {
    const grant = this.row.grants[index];
    if (!grant) return;
    const sentence = grantSentence(this.row.service, grant, this.names);
    if (!(await confirmDialog(t("rights.confirmRemove", { sentence }), t("rights.remove")))) return;
    try {
      await this.put(withoutGrant(this.row.grants, index));
      this.errors = {};
      this.error = "";
      toast(t("rights.removed", { sentence }));
      void focusWhenRendered(this, `#rights-${this.key}-title`);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  protected override render(): TemplateResult {
    const row = this.row;
    const k = this.key;
    return html`<section class="card service-right" aria-labelledby="rights-${k}-title" data-testid="rights-${row.service}">
      <div class="service-right-head">
        <h2 id="rights-${k}-title" tabindex="-1">${serviceTitle(row.service)}</h2>
        <span class="muted small feature-id">${t("rights.feature", { id: row.feature })}</span>
      </div>
      <p class="muted">${serviceText(row.service)}</p>
      <h3 class="service-right-sub">${t("rights.granted")}</h3>
      ${row.grants.length
        ? html`<ul class="plain-list grant-list" data-testid="grants">
            ${row.grants.map((grant, i) => {
              const sentence = grantSentence(row.service, grant, this.names);
              const problem = grantError(this.errors, i);
              return html`<li class="row-between" data-testid="grant">
                <span>
                  <span class="grant-sentence">${sentence}</span>
                  ${problem ? html`<span class="field-error" role="alert">${problem}</span>` : nothing}
                </span>
                <button type="button" class="danger small" aria-label=${t("rights.removeNamed", { sentence })}
                  @click=${() => void this.removeGrant(i)}>${t("rights.remove")}</button>
              </li>`;
            })}
          </ul>`
        : html`<p class="grant-none" data-testid="grants-none">${t("rights.none")}</p>`}
      ${this.form()}
    </section>`;
  }

  private form(): TemplateResult {
    const k = this.key;
    const next = this.row.grants.length;
    const list = isListService(this.row.service);
    const scopeError = [this.errors[`grants.${next}.scope_id`], this.errors[`grants.${next}.scope`]].filter(Boolean).join(" ");
    return html`<form class="rights-add" id="rights-${k}-form" novalidate @submit=${this.add} aria-labelledby="rights-${k}-add-title">
      <h3 id="rights-${k}-add-title" class="service-right-sub">${t("rights.addTitle")}</h3>
      ${formError(this.error, `rights-${k}-error`)}
      <div class="rights-add-grid">
        ${selectField({
          id: `rights-${k}-who`,
          label: t("rights.who"),
          value: this.who,
          error: this.errors[`grants.${next}.group_id`],
          options: [["", t("rights.everyUser")], ...this.groups.map((g): [string, string] => [String(g.id), t("rights.memberOf", { group: g.name })])],
          onInput: (v) => {
            this.who = v;
            this.errors = { ...this.errors, [`grants.${next}.group_id`]: null };
          },
        })}
        ${scopePicker({
          idPrefix: `rights-${k}`,
          legend: list ? t("rights.whichList") : t("rights.overWhom"),
          labels: list
            ? { org: t("rights.listScope.org"), group: t("rights.listScope.group") }
            : { org: t("rights.scope.org"), group: t("rights.scope.group"), user: t("rights.scope.user") },
          scopes: scopesOf(this.row.service),
          scope: this.scope,
          scopeId: this.scopeId,
          groups: this.groups,
          users: this.users,
          userLabel: (u) => `${fullName(u) || u.username} (${u.username})`,
          error: scopeError || null,
          onPick: (scope, id) => {
            this.scope = scope;
            this.scopeId = id;
            this.errors = { ...this.errors, [`grants.${next}.scope_id`]: null, [`grants.${next}.scope`]: null };
          },
        })}
      </div>
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("rights.add")}</button>
      </div>
    </form>`;
  }
}
