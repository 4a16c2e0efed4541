/**
 * Presence settings (admin, PRS-02/03/04, PRS-10, CAPA-08): activities with their show-as and labels per
 * language, presence roles, the shortcuts every user sees, and who has do-not-disturb on (clear it).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import {
  EMPTY_SHORTCUT,
  shortcutBody,
  shortcutDraft,
  shortcutDraftErrors,
  shortcutFields,
} from "../components/presence-control";
import { confirmDialog } from "../dialog";
import { focusFirstError, focusWhenRendered, formError, selectField, sendForm, textField } from "../forms";
import { LANGUAGES, t, type MessageKey } from "../i18n";
import {
  AVAILABILITIES,
  availabilityText,
  shortcutSummary,
  type Activity,
  type Presence,
  type Role,
  type Shortcut,
} from "../presence";
import { toast } from "../session";
import { check } from "../validate";
import { live } from "../ws";

type Errors = Record<string, string | null | undefined>;
type Kind = "activity" | "role" | "shortcut";
const PATHS: Record<Kind, string> = {
  activity: "/api/presence/activities",
  role: "/api/presence/roles",
  shortcut: "/api/presence/shortcuts",
};
const EMPTY_LABELLED = { id: "", name: "", show_as: "busy", message: "", en: "", de: "", da: "" };

@customElement("cb-presence-settings")
export class CbPresenceSettings extends LightElement {
  @state() private activities: Activity[] | null = null;
  @state() private roles: Role[] = [];
  @state() private shortcuts: Shortcut[] = [];
  @state() private people: Presence[] = [];
  @state() private loadError = "";
  /** What is being edited: the kind and the item's id (0 for a new one), or null. */
  @state() private editing: { kind: Kind; id: number } | null = null;
  @state() private labelled = { ...EMPTY_LABELLED };
  @state() private shortcut = { ...EMPTY_SHORTCUT };
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;
  private readonly onEvent = (e: Event) => {
    if ((e as CustomEvent<{ eventType: string }>).detail.eventType === "presence.changed") void this.loadPeople();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("bus-event", this.onEvent);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("bus-event", this.onEvent);
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const [activities, roles, shortcuts] = await Promise.all([
        api.get<Activity[]>(PATHS.activity),
        api.get<Role[]>(PATHS.role),
        api.get<Shortcut[]>(PATHS.shortcut),
      ]);
      [this.roles, this.shortcuts] = [roles, shortcuts];
      this.activities = activities;
      await this.loadPeople();
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async loadPeople(): Promise<void> {
    try {
      this.people = await api.get<Presence[]>("/api/presence");
    } catch {
      // The lists above stay usable; the DND list is refreshed with the next change.
    }
  }

  private edit(kind: Kind, item: Activity | Role | Shortcut | null): void {
    this.editing = { kind, id: item?.id ?? 0 };
    this.errors = {};
    this.error = "";
    if (kind === "shortcut") {
      const s = item as Shortcut | null;
      this.shortcut = s ? shortcutDraft(s) : { ...EMPTY_SHORTCUT };
    } else {
      const a = item as (Activity & Role) | null;
      this.labelled = {
        id: a ? String(a.id) : "",
        name: a?.name ?? "",
        show_as: a?.show_as ?? "busy",
        message: a?.message ?? "",
        en: a?.labels["en"] ?? "",
        de: a?.labels["de"] ?? "",
        da: a?.labels["da"] ?? "",
      };
    }
    void focusWhenRendered(this, "#presence-edit-form input");
  }

  private body(kind: Kind): Record<string, unknown> | null {
    if (kind === "shortcut") {
      this.errors = shortcutDraftErrors(this.shortcut);
      return shortcutBody(this.shortcut);
    }
    const v = this.labelled;
    const id = Number(v.id);
    this.errors = {
      name: check(v.name, true),
      id: v.id && !(Number.isInteger(id) && id >= 1 && id <= 999) ? t("presence.idInvalid") : null,
    };
    const labels = Object.fromEntries(LANGUAGES.filter((l) => v[l].trim()).map((l) => [l, v[l].trim()]));
    const body: Record<string, unknown> = { name: v.name.trim(), labels };
    if (kind === "activity") {
      body["show_as"] = v.show_as;
      body["message"] = v.message.trim() || null;
    }
    if (!this.editing?.id && v.id) body["id"] = id;
    return body;
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const editing = this.editing;
    if (!editing) return;
    const body = this.body(editing.kind);
    const form = this.querySelector("#presence-edit-form") ?? this;
    if (!body || Object.values(this.errors).some(Boolean)) {
      this.error = t("common.formInvalid");
      focusFirstError(form);
      return;
    }
    await sendForm(
      this,
      async () => {
        const path = PATHS[editing.kind];
        if (editing.id) await api.put(`${path}/${editing.id}`, body);
        else await api.post(path, body);
        toast(t("common.saved"));
        this.editing = null;
        await this.load();
      },
      form,
    );
  }

  private async removeItem(kind: Kind, item: { id: number; name: string }): Promise<void> {
    if (!(await confirmDialog(t("presence.confirmDelete", { name: item.name }), t("common.delete")))) return;
    try {
      await api.delete(`${PATHS[kind]}/${item.id}`);
      toast(t("presence.deleted", { name: item.name }));
      if (this.editing?.kind === kind && this.editing.id === item.id) this.editing = null;
      await this.load();
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private async clearDnd(person: Presence): Promise<void> {
    try {
      await api.delete(`/api/users/${person.user_id}/presence/dnd`);
      toast(t("presence.dndClearedFor", { name: person.name ?? person.username ?? "" }));
      await this.loadPeople();
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.activities) body = loadingView();
    else body = this.sections(this.activities);
    return html`<section class="page">${pageHeading(t("presenceAdmin.title"))}<p class="muted">${t("presenceAdmin.intro")}</p>${body}</section>`;
  }

  private sections(activities: Activity[]): TemplateResult {
    const labels = (item: Activity | Role) => LANGUAGES.map((l) => item.labels[l]).filter(Boolean).join(" · ");
    return html`${this.dndList()}
      ${this.section("activity", "presenceAdmin.activities", "presenceAdmin.activitiesIntro", activities, [
        ["presenceAdmin.id", (a) => String(a.id)],
        ["presenceAdmin.name", (a) => a.name],
        ["presenceAdmin.showAs", (a) => availabilityText((a as Activity).show_as)],
        ["presenceAdmin.labels", (a) => labels(a as Activity)],
      ])}
      ${this.section("role", "presenceAdmin.roles", "presenceAdmin.rolesIntro", this.roles, [
        ["presenceAdmin.id", (r) => String(r.id)],
        ["presenceAdmin.name", (r) => r.name],
        ["presenceAdmin.labels", (r) => labels(r as Role)],
      ])}
      ${this.section("shortcut", "presenceAdmin.shortcuts", "presenceAdmin.shortcutsIntro", this.shortcuts, [
        ["presenceAdmin.name", (s) => `${(s as Shortcut).icon} ${s.name}`.trim()],
        ["presenceAdmin.does", (s) => shortcutSummary(s as Shortcut, activities)],
      ])}`;
  }

  private dndList(): TemplateResult {
    const dnd = this.people.filter((p) => p.dnd);
    return html`<section class="card" aria-labelledby="dnd-title" data-testid="dnd-list">
      <h2 id="dnd-title">${t("presenceAdmin.dndTitle")}</h2>
      ${dnd.length
        ? html`<ul class="plain-list">
            ${dnd.map(
              (p) => html`<li class="row-between">
                <span>${p.name} <span class="muted">${p.extension ?? ""}</span></span>
                <button type="button" class="secondary small" aria-label=${t("presenceAdmin.clearDndFor", { name: p.name ?? "" })}
                  @click=${() => void this.clearDnd(p)}>${t("presence.clearDnd")}</button>
              </li>`,
            )}
          </ul>`
        : html`<p class="muted">${t("presenceAdmin.noDnd")}</p>`}
    </section>`;
  }

  private section<T extends { id: number; name: string }>(
    kind: Kind,
    title: MessageKey,
    intro: MessageKey,
    items: T[],
    columns: Array<[MessageKey, (item: T) => string]>,
  ): TemplateResult {
    const editingHere = this.editing?.kind === kind;
    return html`<section class="card" aria-labelledby="presence-${kind}-title" data-testid="presence-${kind}s">
      <div class="row-between">
        <h2 id="presence-${kind}-title">${t(title)}</h2>
        <button type="button" class="secondary small" @click=${() => this.edit(kind, null)}>${t("presenceAdmin.add")}</button>
      </div>
      <p class="muted">${t(intro)}</p>
      ${items.length
        ? html`<div class="table-wrap"><table class="data">
            <thead><tr>${columns.map(([head]) => html`<th>${t(head)}</th>`)}<th>${t("common.actions")}</th></tr></thead>
            <tbody>
              ${items.map(
                (item) => html`<tr class=${editingHere && this.editing?.id === item.id ? "selected" : ""}>
                  ${columns.map(([, cell]) => html`<td>${cell(item)}</td>`)}
                  <td class="actions start">
                    <button type="button" class="secondary small" aria-label=${t("presenceAdmin.editNamed", { name: item.name })}
                      @click=${() => this.edit(kind, item as unknown as Activity)}>${t("common.edit")}</button>
                    <button type="button" class="danger small" aria-label=${t("presence.deleteNamed", { name: item.name })}
                      @click=${() => void this.removeItem(kind, item)}>${t("common.delete")}</button>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table></div>`
        : html`<p class="muted">${t("presenceAdmin.empty")}</p>`}
      ${editingHere ? this.editor(kind) : nothing}
    </section>`;
  }

  private editor(kind: Kind): TemplateResult {
    const v = this.labelled;
    const setLabelled = (name: keyof typeof EMPTY_LABELLED, value: string) => {
      this.labelled = { ...this.labelled, [name]: value };
      if (this.errors[name]) this.errors = { ...this.errors, [name]: null };
    };
    const fields =
      kind === "shortcut"
        ? shortcutFields("presence-shortcut", this.shortcut, this.errors, this.activities ?? [], (name, value) => {
            this.shortcut = { ...this.shortcut, [name]: value };
          })
        : html`<div class="grid two">
            ${this.editing?.id
              ? nothing
              : textField({ id: "presence-item-id", label: t("presenceAdmin.id"), type: "number", min: 1, max: 999, inputmode: "numeric",
                  value: v.id, error: this.errors["id"], hint: t("presenceAdmin.idHint"), onInput: (x) => setLabelled("id", x) })}
            ${textField({ id: "presence-item-name", label: t("presenceAdmin.name"), required: true, value: v.name, error: this.errors["name"], onInput: (x) => setLabelled("name", x) })}
            ${kind === "activity"
              ? html`${selectField({
                  id: "presence-item-show-as",
                  label: t("presenceAdmin.showAs"),
                  value: v.show_as,
                  error: this.errors["show_as"],
                  options: AVAILABILITIES.map((a): [string, string] => [a, availabilityText(a)]),
                  onInput: (x) => setLabelled("show_as", x),
                })}
                ${textField({ id: "presence-item-message", label: t("presenceAdmin.message"), value: v.message, error: this.errors["message"], hint: t("presenceAdmin.messageHint"), onInput: (x) => setLabelled("message", x) })}`
              : nothing}
            ${LANGUAGES.map((l) =>
              textField({ id: `presence-item-label-${l}`, label: t("presenceAdmin.labelIn", { language: t(`lang.${l}` as MessageKey) }),
                value: v[l], error: this.errors[`labels.${l}`], onInput: (x) => setLabelled(l, x) }),
            )}
          </div>`;
    return html`<form id="presence-edit-form" novalidate @submit=${this.save}>
      <h3>${this.editing?.id ? t("presenceAdmin.editTitle") : t("presenceAdmin.newTitle")}</h3>
      ${formError(this.error, "presence-edit-error")}
      ${fields}
      <div class="actions">
        <button type="button" class="secondary" @click=${() => (this.editing = null)}>${t("common.cancel")}</button>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button>
      </div>
    </form>`;
  }
}
