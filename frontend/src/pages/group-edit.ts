/** One user group: name, description and members (USR-09: the same membership as on the user page). */
import { html, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { checkboxField, focusFirstError, formError, sendForm, textField } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";
import type { Group, User } from "../types";
import { check } from "../validate";
import { fullName } from "./users";

@customElement("cb-group-edit")
export class CbGroupEdit extends LightElement {
  @property({ type: Number }) groupId = 0;
  @state() private group: Group | null = null;
  @state() private users: User[] = [];
  @state() private loadError = "";
  @state() private notFound = false;
  @state() private name = "";
  @state() private description = "";
  @state() private members = new Set<number>();
  @state() private filter = "";
  @state() errors: Record<string, string | null | undefined> = {};
  @state() error = "";
  @state() busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const [group, users] = await Promise.all([api.get<Group>(`/api/groups/${this.groupId}`), api.get<User[]>("/api/users")]);
      this.group = group;
      this.users = users.sort((a, b) => fullName(a).localeCompare(fullName(b)));
      this.name = group.name;
      this.description = group.description;
      this.members = new Set(group.members ?? []);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.notFound = true;
      else this.loadError = errorText(err);
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    this.errors = { name: check(this.name, true) };
    if (this.errors["name"]) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    await sendForm(this, async () => {
      await api.patch(`/api/groups/${this.groupId}`, { name: this.name.trim(), description: this.description.trim() });
      this.group = await api.put<Group>(`/api/groups/${this.groupId}/members`, { user_ids: [...this.members] });
      toast(t("common.saved"));
    });
  }

  protected override render(): TemplateResult {
    const back = html`<a class="button secondary" href="/groups">← ${t("nav.groups")}</a>`;
    const title = this.group ? t("groups.editTitle", { name: this.group.name }) : t("nav.groups");
    let body: TemplateResult;
    if (this.notFound) body = html`<p>${t("groups.notFound")}</p>`;
    else if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.group) body = loadingView();
    else {
      const words = this.filter.toLowerCase();
      const shown = this.users.filter((u) => !words || `${fullName(u)} ${u.username} ${u.extension ?? ""}`.toLowerCase().includes(words));
      body = html`<form class="card" novalidate @submit=${this.save}>
        ${formError(this.error)}
        <div class="grid two">
          ${textField({ id: "group-name", label: t("groups.name"), value: this.name, required: true, error: this.errors["name"], onInput: (v) => (this.name = v) })}
          ${textField({ id: "group-description", label: t("groups.description"), value: this.description, required: false, error: this.errors["description"], onInput: (v) => (this.description = v) })}
        </div>
        <fieldset class="checks members">
          <legend>${t("groups.members")} (${this.members.size})</legend>
          <p class="muted">${t("groups.membersHint")}</p>
          <div class="field">
            <label for="member-filter">${t("groups.filterMembers")}</label>
            <input id="member-filter" type="search" .value=${this.filter} @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} />
          </div>
          <div class="member-grid">
            ${shown.map((u) =>
              checkboxField({
                id: `member-${u.id}`,
                label: `${fullName(u)} (${u.username}${u.extension ? `, ${u.extension}` : ""})`,
                checked: this.members.has(u.id),
                onChange: (on) => {
                  const next = new Set(this.members);
                  if (on) next.add(u.id);
                  else next.delete(u.id);
                  this.members = next;
                },
              }),
            )}
          </div>
        </fieldset>
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button></div>
      </form>`;
    }
    return html`<section class="page">${pageHeading(title, back)}${body}</section>`;
  }
}
