/**
 * Directory (admin, DIR-02, DIR-05..09, CAPA-23): the contact lists of the organisation, a user
 * group or a user, picked with the level picker. Add, change and delete contacts, mark the
 * organisation's and groups' contacts mandatory (every user in the scope gets them and cannot
 * change them, DIR-06), and import a CSV file onto the chosen list.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import "../components/contact-form";
import "../components/contact-import";
import { deleteContact, entryTable, pluginOffView } from "../components/contact-list";
import { scopePicker } from "../components/scope-picker";
import { asEntries, counted, entryKey, filterEntries, orderEntries, type Contact, type ContactEntry } from "../directory";
import { focusWhenRendered, textField } from "../forms";
import { t } from "../i18n";
import type { Group, Scope, User } from "../types";
import { fullName } from "./users";

type Panel = { kind: "form"; contact: Contact | null; from: string } | { kind: "import" } | null;

@customElement("cb-directory")
export class CbDirectory extends LightElement {
  @state() private groups: Group[] = [];
  @state() private users: User[] = [];
  @state() private ready = false;
  @state() private startError = "";
  @state() private scope: Scope = "org";
  @state() private scopeId: number | null = null;
  @state() private contacts: Contact[] | null = null;
  @state() private loadError = "";
  @state() private off = false;
  @state() private filter = "";
  @state() private panel: Panel = null;
  private loadedFor = "";

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  private async start(): Promise<void> {
    this.startError = "";
    try {
      [this.groups, this.users] = await Promise.all([api.get<Group[]>("/api/groups"), api.get<User[]>("/api/users")]);
      this.ready = true;
    } catch (err) {
      this.startError = errorText(err);
      return;
    }
    await this.load(true);
  }

  private get chosen(): boolean {
    return this.scope === "org" || this.scopeId !== null;
  }

  private async load(spinner = false): Promise<void> {
    if (!this.chosen) return;
    if (spinner) this.contacts = null;
    this.loadError = "";
    const level = `${this.scope}:${this.scopeId ?? ""}`;
    this.loadedFor = level;
    const query = this.scope === "org" ? "scope=org" : `scope=${this.scope}&scope_id=${this.scopeId}`;
    try {
      const contacts = await api.get<Contact[]>(`/api/directory/contacts?${query}`);
      if (level !== this.loadedFor) return; // another list was picked meanwhile
      this.contacts = contacts;
      this.off = false;
    } catch (err) {
      if (level !== this.loadedFor) return;
      if (err instanceof ApiError && err.status === 404) this.off = true;
      else this.loadError = errorText(err);
    }
  }

  private pick(scope: Scope, id: number | null): void {
    this.scope = scope;
    this.scopeId = id;
    this.panel = null;
    this.filter = "";
    void this.load(true);
  }

  private close(): void {
    const from = this.panel?.kind === "form" ? this.panel.from : "#directory-import-button";
    this.panel = null;
    void focusWhenRendered(this, from);
  }

  private async changed(): Promise<void> {
    this.close();
    await this.load();
  }

  private async removeContact(entry: ContactEntry): Promise<void> {
    if (!(await deleteContact(entry))) return;
    if (this.panel?.kind === "form" && this.panel.contact?.id === entry.id) this.panel = null;
    await this.load();
    void focusWhenRendered(this, "#directory-add-button");
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.startError) body = errorView(this.startError, () => void this.start());
    else if (!this.ready) body = loadingView();
    else if (this.off) body = pluginOffView(true);
    else body = this.view();
    return html`<section class="page directory-page">
      ${pageHeading(t("dir.adminTitle"))}
      <p class="muted">${t("dir.adminIntro")}</p>
      ${body}
    </section>`;
  }

  private listTitle(): string {
    return this.scope === "org" ? t("dir.listTitleOrg") : t("dir.listTitle", { name: this.listName() });
  }

  private listName(): string {
    if (this.scope === "org") return t("dir.list.org");
    if (this.scope === "group") return this.groups.find((g) => g.id === this.scopeId)?.name ?? "";
    const user = this.users.find((u) => u.id === this.scopeId);
    return user ? fullName(user) || user.username : "";
  }

  private view(): TemplateResult {
    const chosen = this.chosen;
    return html`<div class="card">
        ${scopePicker({
          idPrefix: "directory",
          scope: this.scope,
          scopeId: this.scopeId,
          groups: this.groups,
          users: this.users,
          userLabel: (u) => `${fullName(u) || u.username} (${u.extension ?? u.username})`,
          onPick: (scope, id) => this.pick(scope, id),
        })}
        <p class="muted small">${t(this.scope === "user" ? "dir.scopeUserHint" : "dir.scopeHint")}</p>
      </div>
      ${chosen ? this.listView() : html`<p class="muted">${this.scope === "group" ? t("settings.pickGroup") : t("settings.pickUser")}</p>`}`;
  }

  private listView(): TemplateResult {
    const panel = this.panel;
    return html`<section class="card" aria-labelledby="directory-list-title" data-testid="directory-list">
      <div class="row-between wrap-row">
        <h2 id="directory-list-title">${this.listTitle()}</h2>
        <div class="head-actions">
          <button type="button" id="directory-add-button" class="small"
            @click=${() => (this.panel = { kind: "form", contact: null, from: "#directory-add-button" })}>${t("dir.addContact")}</button>
          <button type="button" id="directory-import-button" class="secondary small"
            @click=${() => (this.panel = { kind: "import" })}>${t("dir.import.open")}</button>
        </div>
      </div>
      ${panel?.kind === "form"
        ? html`<div class="directory-panel">
            <cb-contact-form idPrefix="directory-contact" .contact=${panel.contact} .scope=${this.scope} .scopeId=${this.scopeId}
              .allowMandatory=${this.scope !== "user"} @saved=${() => void this.changed()} @cancel=${() => this.close()}></cb-contact-form>
          </div>`
        : nothing}
      ${panel?.kind === "import"
        ? html`<div class="directory-panel">
            <cb-contact-import idPrefix="directory-import" .scope=${this.scope} .scopeId=${this.scopeId}
              @imported=${() => void this.changed()} @cancel=${() => this.close()}></cb-contact-import>
          </div>`
        : nothing}
      ${this.contactsView()}
    </section>`;
  }

  private contactsView(): TemplateResult {
    if (this.loadError) return errorView(this.loadError, () => void this.load(true));
    if (!this.contacts) return loadingView();
    if (!this.contacts.length) return html`<p class="empty" data-testid="directory-empty">${t("dir.emptyList")}</p>`;
    const all = orderEntries(asEntries(this.contacts));
    const shown = filterEntries(all, this.filter);
    const selected = this.panel?.kind === "form" && this.panel.contact ? `contact-${this.panel.contact.id}` : null;
    return html`<div class="filters" role="search">
        <div class="grow">
          ${textField({
            id: "directory-filter",
            label: t("dir.filter"),
            type: "search",
            value: this.filter,
            autocomplete: "off",
            onInput: (v) => (this.filter = v),
          })}
        </div>
      </div>
      <p class="muted table-head" role="status" data-testid="entry-count">
        ${shown.length === all.length ? counted(all.length, "dir.countOne", "dir.count") : t("dir.countOf", { n: shown.length, total: all.length })}
      </p>
      ${shown.length
        ? entryTable(shown, {
            caption: this.listTitle(),
            selected,
            onEdit: (entry) => (this.panel = { kind: "form", contact: entry, from: `tr[data-key="${entryKey(entry)}"] button` }),
            onDelete: (entry) => void this.removeContact(entry),
          })
        : html`<p class="empty">${t("dir.noMatch", { q: this.filter.trim() })}</p>`}`;
  }
}
