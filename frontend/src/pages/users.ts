/** The user list: one search box over every field, a group filter, selection with bulk actions, CSV. */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { confirmDialog } from "../dialog";
import { selectField } from "../forms";
import { LANGUAGES, t } from "../i18n";
import { session, toast } from "../session";
import type { Group, User } from "../types";
import { live } from "../ws";
import { timeZones } from "../validate";
import "../components/presence-control";

const REFRESH_ON = new Set(["user.created", "user.updated", "user.deleted", "group.updated", "storage.external_change"]);

export function fullName(user: User): string {
  return `${user.first_name} ${user.last_name}`.trim();
}

@customElement("cb-users")
export class CbUsers extends LightElement {
  @state() private users: User[] | null = null;
  @state() private groups: Group[] = [];
  @state() private error = "";
  @state() private search = "";
  @state() private groupFilter = "";
  @state() private selected = new Set<number>();
  @state() private busy = false;
  @state() private bulkOpen = false;
  @state() private bulk: Record<string, string> = {};
  @state() private bulkGroup = "";
  @state() private bulkResult = "";
  private readonly onEvent = (e: Event) => {
    if (REFRESH_ON.has((e as CustomEvent<{ eventType: string }>).detail.eventType) && !this.busy) void this.load(false);
  };
  private readonly onResync = () => void this.load(false);

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("bus-event", this.onEvent);
    live.addEventListener("resync", this.onResync);
    void this.load(true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("bus-event", this.onEvent);
    live.removeEventListener("resync", this.onResync);
  }

  private async load(showLoading: boolean): Promise<void> {
    if (showLoading) this.users = null;
    this.error = "";
    try {
      const [users, groups] = await Promise.all([api.get<User[]>("/api/users"), api.get<Group[]>("/api/groups")]);
      this.users = users.sort((a, b) => a.last_name.localeCompare(b.last_name) || a.first_name.localeCompare(b.first_name));
      this.groups = groups;
      const ids = new Set(users.map((u) => u.id));
      this.selected = new Set([...this.selected].filter((id) => ids.has(id)));
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private groupNames(user: User): string[] {
    const byId = new Map(this.groups.map((g) => [g.id, g.name]));
    return user.groups.map((id) => byId.get(id) ?? String(id));
  }

  private shown(): User[] {
    const words = this.search.toLowerCase().split(/\s+/).filter(Boolean);
    return (this.users ?? []).filter((user) => {
      if (this.groupFilter && !user.groups.includes(Number(this.groupFilter))) return false;
      if (!words.length) return true;
      const haystack = [
        user.username,
        user.first_name,
        user.last_name,
        user.email,
        user.phone,
        user.mobile,
        user.extension,
        user.language,
        user.timezone,
        user.role,
        t(user.role === "admin" ? "user.role.admin" : "user.role.user"),
        user.locked ? t("users.locked") : t("users.active"),
        ...this.groupNames(user),
      ]
        .filter(Boolean)
        .join(" ")
        .toLowerCase();
      return words.every((w) => haystack.includes(w));
    });
  }

  private toggle(id: number, on: boolean): void {
    const next = new Set(this.selected);
    if (on) next.add(id);
    else next.delete(id);
    this.selected = next;
  }

  private toggleAll(users: User[], on: boolean): void {
    const next = new Set(this.selected);
    for (const u of users) {
      if (on) next.add(u.id);
      else next.delete(u.id);
    }
    this.selected = next;
  }

  /** Run one request per selected user; report how many worked and why the others failed. */
  private async forSelected(action: (user: User) => Promise<unknown>): Promise<void> {
    const users = (this.users ?? []).filter((u) => this.selected.has(u.id));
    this.busy = true;
    this.bulkResult = "";
    const failures: string[] = [];
    let ok = 0;
    for (const user of users) {
      try {
        await action(user);
        ok += 1;
      } catch (err) {
        failures.push(`${user.username}: ${errorText(err)}`);
      }
    }
    this.busy = false;
    if (ok) toast(t("users.bulkDone", { ok }));
    this.bulkResult = failures.length ? t("users.bulkFailed", { failed: failures.length, details: failures.join("; ") }) : "";
    await this.load(false);
  }

  private async bulkDelete(): Promise<void> {
    const count = this.selected.size;
    if (!(await confirmDialog(t("users.confirmDelete", { count }), t("common.delete")))) return;
    await this.forSelected((u) => api.delete(`/api/users/${u.id}`));
  }

  private async bulkGroupChange(add: boolean): Promise<void> {
    const groupId = Number(this.bulkGroup);
    if (!groupId) return;
    await this.forSelected((u) => {
      const groups = add ? [...new Set([...u.groups, groupId])] : u.groups.filter((g) => g !== groupId);
      return api.put(`/api/users/${u.id}/groups`, groups);
    });
  }

  private async applyBulkEdit(e: Event): Promise<void> {
    e.preventDefault();
    const changes: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.bulk)) {
      if (value === "") continue;
      changes[key] = key === "locked" ? value === "true" : key === "timezone" && value === "-" ? null : value;
    }
    if (!Object.keys(changes).length) {
      this.bulkOpen = false;
      return;
    }
    await this.forSelected((u) => api.patch(`/api/users/${u.id}`, changes));
    this.bulkOpen = false;
    this.bulk = {};
  }

  private toolbar(): TemplateResult {
    const count = this.selected.size;
    if (!count) return html``;
    const groupOptions: Array<[string, string]> = [["", t("users.chooseGroup")], ...this.groups.map((g): [string, string] => [String(g.id), g.name])];
    return html`<div class="bulkbar" role="region" aria-label=${t("users.selected", { count })}>
      <strong>${t("users.selected", { count })}</strong>
      <button type="button" class="secondary small" ?disabled=${this.busy} @click=${() => (this.bulkOpen = !this.bulkOpen)} aria-expanded=${this.bulkOpen ? "true" : "false"}>
        ${t("users.bulkEdit")}
      </button>
      <button type="button" class="secondary small" ?disabled=${this.busy} @click=${() => void this.forSelected((u) => api.post(`/api/users/${u.id}/lock`))}>${t("users.lock")}</button>
      <button type="button" class="secondary small" ?disabled=${this.busy} @click=${() => void this.forSelected((u) => api.post(`/api/users/${u.id}/unlock`))}>${t("users.unlock")}</button>
      <span class="inline-group">
        <label class="sr-only" for="bulk-group">${t("users.chooseGroup")}</label>
        <select id="bulk-group" @change=${(e: Event) => (this.bulkGroup = (e.target as HTMLSelectElement).value)}>
          ${groupOptions.map(([v, l]) => html`<option value=${v} ?selected=${v === this.bulkGroup}>${l}</option>`)}
        </select>
        <button type="button" class="secondary small" ?disabled=${this.busy || !this.bulkGroup} @click=${() => void this.bulkGroupChange(true)}>${t("users.bulkAddGroup")}</button>
        <button type="button" class="secondary small" ?disabled=${this.busy || !this.bulkGroup} @click=${() => void this.bulkGroupChange(false)}>${t("users.bulkRemoveGroup")}</button>
      </span>
      <button type="button" class="danger small" ?disabled=${this.busy} @click=${() => void this.bulkDelete()}>${t("users.bulkDelete")}</button>
    </div>
    ${this.bulkOpen ? this.bulkForm(count) : nothing}`;
  }

  private bulkForm(count: number): TemplateResult {
    const keep: [string, string] = ["", t("users.bulkKeep")];
    const field = (id: string, label: string, options: Array<[string, string]>) =>
      selectField({
        id: `bulk-${id}`,
        label,
        value: this.bulk[id] ?? "",
        options: [keep, ...options],
        onInput: (v) => (this.bulk = { ...this.bulk, [id]: v }),
      });
    return html`<form class="card bulk-form" novalidate @submit=${this.applyBulkEdit} aria-labelledby="bulk-title">
      <h2 id="bulk-title">${t("users.bulkTitle", { count })}</h2>
      <p class="muted">${t("users.bulkIntro")}</p>
      <div class="grid four">
        ${field("language", t("user.language"), LANGUAGES.map((l): [string, string] => [l, t(`lang.${l}`)]))}
        ${field("timezone", t("user.timezone"), [["-", t("user.timezoneOrg")], ...timeZones().map((z): [string, string] => [z, z])])}
        ${field("role", t("user.role"), [["user", t("user.role.user")], ["admin", t("user.role.admin")]])}
        ${field("locked", t("users.status"), [["false", t("users.active")], ["true", t("users.locked")]])}
      </div>
      <div class="actions">
        <button type="button" class="secondary" @click=${() => (this.bulkOpen = false)}>${t("common.cancel")}</button>
        <button type="submit" ?disabled=${this.busy}>${t("users.bulkApply")}</button>
      </div>
    </form>`;
  }

  private table(users: User[]): TemplateResult {
    const all = users.length > 0 && users.every((u) => this.selected.has(u.id));
    return html`<div class="table-wrap">
      <table class="data responsive">
        <caption class="sr-only">${t("users.title")}</caption>
        <thead>
          <tr>
            <th scope="col" class="check">
              <input type="checkbox" aria-label=${t("users.selectAll")} .checked=${all} @change=${(e: Event) => this.toggleAll(users, (e.target as HTMLInputElement).checked)} />
            </th>
            <th scope="col">${t("users.name")}</th>
            <th scope="col">${t("users.username")}</th>
            <th scope="col">${t("users.extension")}</th>
            <th scope="col">${t("users.email")}</th>
            <th scope="col">${t("users.role")}</th>
            <th scope="col">${t("users.groups")}</th>
            <th scope="col">${t("users.status")}</th>
          </tr>
        </thead>
        <tbody>
          ${users.map(
            (u) => html`<tr class=${this.selected.has(u.id) ? "selected" : ""}>
              <td class="check">
                <input type="checkbox" aria-label=${t("users.select", { name: fullName(u) })} .checked=${this.selected.has(u.id)}
                  @change=${(e: Event) => this.toggle(u.id, (e.target as HTMLInputElement).checked)} />
              </td>
              <td data-label=${t("users.name")}><a href="/users/${u.id}">${fullName(u)}</a></td>
              <td data-label=${t("users.username")}>${u.username}</td>
              <td data-label=${t("users.extension")}>${u.extension ? html`${u.extension} <cb-presence-badge .extension=${u.extension}></cb-presence-badge>` : "—"}</td>
              <td data-label=${t("users.email")} class="wrap">${u.email}</td>
              <td data-label=${t("users.role")}>${t(u.role === "admin" ? "user.role.admin" : "user.role.user")}</td>
              <td data-label=${t("users.groups")}>${this.groupNames(u).join(", ") || "—"}</td>
              <td data-label=${t("users.status")}>
                ${u.locked ? html`<span class="badge bad">${t("users.locked")}</span>` : html`<span class="badge ok">${t("users.active")}</span>`}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  protected override render(): TemplateResult {
    const actions = html`<div class="head-actions">
      <a class="button" href="/users/new">+ ${t("users.new")}</a>
      <a class="button secondary" href="/users/import">${t("users.import")}</a>
      <a class="button secondary" href="/api/users/export.csv" download="cordboard-users.csv">${t("users.export")}</a>
    </div>`;
    let body: TemplateResult;
    if (this.error) body = errorView(this.error, () => void this.load(true));
    else if (!this.users) body = loadingView();
    else {
      const shown = this.shown();
      const groupOptions: Array<[string, string]> = [["", t("users.allGroups")], ...this.groups.map((g): [string, string] => [String(g.id), g.name])];
      body = html`<div class="filters">
          <div class="field grow">
            <label for="user-search">${t("users.search")}</label>
            <input id="user-search" type="search" .value=${this.search} aria-describedby="user-search-hint"
              @input=${(e: Event) => (this.search = (e.target as HTMLInputElement).value)} />
            <div class="hint" id="user-search-hint">${t("users.searchHint")}</div>
          </div>
          ${selectField({ id: "user-group-filter", label: t("users.groupFilter"), value: this.groupFilter, options: groupOptions, onInput: (v) => (this.groupFilter = v) })}
        </div>
        <p class="muted" role="status" aria-live="polite">${t("users.count", { shown: shown.length, total: this.users.length })}</p>
        ${this.toolbar()}
        ${this.bulkResult ? html`<div class="form-error" role="alert">${this.bulkResult}</div>` : nothing}
        ${shown.length ? this.table(shown) : html`<p class="empty">${this.users.length ? t("users.noMatch") : t("users.empty")}</p>`}`;
    }
    return html`<section class="page">${pageHeading(t("users.title"), actions)}${body}</section>`;
  }
}

export function isSelf(user: User): boolean {
  return session.user?.id === user.id;
}
