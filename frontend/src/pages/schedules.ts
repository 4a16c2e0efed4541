/**
 * Schedules (admin, SCH-01..03 and SCH-07..09): working hours per level (organisation, a user
 * group or a user) as a week view with one From/To pair per weekday drawn as bars, exception dates
 * and extra windows; below it the function-number schedules (<cb-number-schedules>).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import "../components/number-schedules";
import { scopePicker } from "../components/scope-picker";
import { checkboxField, focusFirstError, formError, sendForm, textField } from "../forms";
import { t, type MessageKey } from "../i18n";
import {
  DAYS,
  DAY_KEYS,
  checkExtra,
  checkWeek,
  dayBar,
  emptyWeek,
  hasErrors,
  isDate,
  weekView,
  type Day,
  type Errors,
  type ExtraWindow,
  type HoursLevel,
  type HoursStatus,
  type Week,
} from "../schedules";
import { toast } from "../session";
import type { Group, Scope, User } from "../types";

type Part = "week" | "exceptions" | "extra";

function levelPath(scope: Scope, id: number | null): string {
  return scope === "org" ? "/api/working_hours/org" : `/api/working_hours/${scope}/${id}`;
}

@customElement("cb-schedules")
export class CbSchedules extends LightElement {
  @state() private groups: Group[] = [];
  @state() private users: User[] = [];
  @state() private scope: Scope = "org";
  @state() private scopeId: number | null = null;
  @state() private loaded = false;
  @state() private loadError = "";
  @state() private here: Record<Part, boolean> = { week: true, exceptions: true, extra: true };
  @state() private week: Week = emptyWeek();
  @state() private exceptions: string[] = [];
  @state() private extra: ExtraWindow[] = [];
  @state() private newException = "";
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;
  /** The groups whose members may extend working hours (SCH-06), as saved and as ticked. */
  @state() private extendGroups: number[] = [];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  private async start(): Promise<void> {
    try {
      const [groups, users, extend] = await Promise.all([
        api.get<Group[]>("/api/groups"),
        api.get<User[]>("/api/users"),
        api.get<{ group_ids: number[] }>("/api/working_hours/extend_groups"),
      ]);
      this.groups = groups;
      this.users = users;
      this.extendGroups = extend.group_ids;
    } catch (err) {
      this.loadError = errorText(err);
      return;
    }
    await this.load();
  }

  private async load(): Promise<void> {
    this.loaded = false;
    this.loadError = "";
    this.errors = {};
    this.error = "";
    if (this.scope !== "org" && this.scopeId === null) return;
    try {
      // What applies when a part is not set here: for a user what their groups or the
      // organisation set (the effective hours), for a group the organisation's.
      const [level, above] = await Promise.all([
        api.get<HoursLevel>(levelPath(this.scope, this.scopeId)),
        this.scope === "org"
          ? Promise.resolve<HoursLevel>({ week: null, exceptions: null, extra: null })
          : this.scope === "user"
            ? api.get<HoursStatus>(`/api/working_hours/user/${this.scopeId}/status`).then((s) => s.effective)
            : api.get<HoursLevel>(levelPath("org", null)),
      ]);
      const org_ = this.scope === "org";
      this.here = {
        week: org_ || level.week !== null,
        exceptions: org_ || level.exceptions !== null,
        extra: org_ || level.extra !== null,
      };
      this.week = structuredClone(level.week ?? above.week ?? emptyWeek());
      this.exceptions = [...(level.exceptions ?? above.exceptions ?? [])];
      this.extra = structuredClone(level.extra ?? above.extra ?? []);
      this.loaded = true;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private setDay(day: Day, key: "from" | "to", value: string): void {
    const windows = [...this.week[day]];
    const first = { ...(windows[0] ?? { from: "", to: "" }), [key]: value };
    windows[0] = first;
    this.week = { ...this.week, [day]: windows };
    this.errors = { ...this.errors, [`week.${day}.0.${key}`]: null, [`week.${day}.0.to`]: null };
  }

  /** The week to send: a day with both times empty is a day off. */
  private weekBody(): Week {
    const week = emptyWeek();
    for (const day of DAYS) week[day] = this.week[day].filter((w) => w.from.trim() || w.to.trim());
    return week;
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const week = this.weekBody();
    const errors: Errors = {
      ...(this.here.week ? checkWeek(week) : {}),
      ...(this.here.extra ? checkExtra(this.extra) : {}),
    };
    this.errors = errors;
    if (hasErrors(errors)) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    await sendForm(this, async () => {
      await api.put(levelPath(this.scope, this.scopeId), {
        week: this.here.week ? week : null,
        exceptions: this.here.exceptions ? this.exceptions : null,
        extra: this.here.extra ? this.extra : null,
      });
      toast(t("sched.saved"));
      await this.load();
    });
  }

  private addException(): void {
    const value = this.newException.trim();
    if (!isDate(value)) {
      this.errors = { ...this.errors, "new-exception": t("sched.err.date") };
      focusFirstError(this);
      return;
    }
    if (!this.exceptions.includes(value)) this.exceptions = [...this.exceptions, value].sort();
    this.newException = "";
    this.errors = { ...this.errors, "new-exception": null };
  }

  protected override render(): TemplateResult {
    return html`<section class="page">
      ${pageHeading(t("sched.title"))}
      <p class="muted">${t("sched.intro")}</p>
      <div class="card" data-testid="working-hours">
        <h2>${t("sched.hoursTitle")}</h2>
        ${this.picker()} ${this.body()}
      </div>
      ${this.extendCard()}
      <cb-number-schedules></cb-number-schedules>
    </section>`;
  }

  private async saveExtendGroups(): Promise<void> {
    try {
      const saved = await api.put<{ group_ids: number[] }>("/api/working_hours/extend_groups", { group_ids: this.extendGroups });
      this.extendGroups = saved.group_ids;
      toast(t("sched.extendSaved"));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private extendCard(): TemplateResult {
    return html`<div class="card" data-testid="extend-groups">
      <h2>${t("sched.extendTitle")}</h2>
      <p class="muted">${t("sched.extendIntro")}</p>
      ${this.groups.length
        ? html`${this.groups.map((g) =>
              checkboxField({
                id: `extend-group-${g.id}`,
                label: g.name,
                checked: this.extendGroups.includes(g.id),
                onChange: (on) =>
                  (this.extendGroups = on ? [...this.extendGroups, g.id] : this.extendGroups.filter((id) => id !== g.id)),
              }),
            )}
            <div class="actions"><button type="button" @click=${() => void this.saveExtendGroups()}>${t("common.save")}</button></div>`
        : html`<p class="muted">${t("settings.noGroups")}</p>`}
    </div>`;
  }

  private picker(): TemplateResult {
    return scopePicker({
      idPrefix: "hours",
      scope: this.scope,
      scopeId: this.scopeId,
      groups: this.groups,
      users: this.users,
      onPick: (scope, id) => {
        this.scope = scope;
        this.scopeId = id;
        void this.load();
      },
    });
  }

  private hereBox(part: Part, label: MessageKey): TemplateResult | typeof nothing {
    if (this.scope === "org") return nothing;
    return checkboxField({
      id: `hours-here-${part}`,
      label: t(label),
      hint: this.here[part] ? undefined : t("sched.inherited"),
      checked: this.here[part],
      onChange: (on) => (this.here = { ...this.here, [part]: on }),
    });
  }

  private body(): TemplateResult {
    if (this.loadError) return errorView(this.loadError, () => void this.load());
    if (this.scope === "group" && this.scopeId === null) return html`<p class="muted">${t("settings.pickGroup")}</p>`;
    if (this.scope === "user" && this.scopeId === null) return html`<p class="muted">${t("settings.pickUser")}</p>`;
    if (!this.loaded) return loadingView();
    return html`<form id="hours-form" novalidate @submit=${this.save}>
      ${formError(this.error, "hours-form-error")}
      <h3>${t("sched.week")}</h3>
      ${this.hereBox("week", "sched.ownWeek")}
      ${this.here.week ? this.weekEditor() : weekView(this.week, "week-inherited")}
      <h3>${t("sched.exceptions")}</h3>
      <p class="muted">${t("sched.exceptionsHint")}</p>
      ${this.hereBox("exceptions", "sched.ownExceptions")} ${this.exceptionsEditor()}
      <h3>${t("sched.extra")}</h3>
      <p class="muted">${t("sched.extraHint")}</p>
      ${this.hereBox("extra", "sched.ownExtra")} ${this.extraEditor()}
      <div class="actions"><button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button></div>
    </form>`;
  }

  private weekEditor(): TemplateResult {
    return html`<div class="sched-week" data-testid="week-editor">
      ${DAYS.map((day) => {
        const first = this.week[day][0] ?? { from: "", to: "" };
        const more = this.week[day].length - 1;
        return html`<div class="sched-row editable">
          <span class="sched-day" id="wh-${day}-label">${t(DAY_KEYS[day])}</span>
          ${textField({
            id: `wh-${day}-from`,
            label: t("sched.from"),
            value: first.from,
            placeholder: "hh:mm",
            inputmode: "numeric",
            error: this.errors[`week.${day}.0.from`] ?? this.errors[`week.${day}.0`],
            onInput: (v) => this.setDay(day, "from", v),
          })}
          ${textField({
            id: `wh-${day}-to`,
            label: t("sched.to"),
            value: first.to,
            placeholder: "hh:mm",
            inputmode: "numeric",
            error: this.errors[`week.${day}.0.to`] ?? (more ? this.errors[`week.${day}.1`] : undefined),
            onInput: (v) => this.setDay(day, "to", v),
          })}
          ${dayBar(day, this.week[day].filter((w) => w.from && w.to))}
        </div>`;
      })}
      <p class="muted">${t("sched.weekHint")}</p>
    </div>`;
  }

  private exceptionsEditor(): TemplateResult {
    const editable = this.here.exceptions;
    return html`<ul class="sched-list" data-testid="exceptions">
        ${this.exceptions.length
          ? this.exceptions.map(
              (day, i) => html`<li>
                <span class=${this.errors[`exceptions.${i}`] ? "field-error" : ""}>${day}</span>
                ${editable
                  ? html`<button type="button" class="secondary small" aria-label=${t("sched.removeNamed", { name: day })}
                      @click=${() => (this.exceptions = this.exceptions.filter((d) => d !== day))}>${t("sched.remove")}</button>`
                  : nothing}
              </li>`,
            )
          : html`<li class="muted">${t("sched.noExceptions")}</li>`}
      </ul>
      ${editable
        ? html`<div class="sched-add">
            ${textField({
              id: "new-exception",
              label: t("sched.exceptionDate"),
              type: "date",
              value: this.newException,
              error: this.errors["new-exception"],
              onInput: (v) => (this.newException = v),
            })}
            <button type="button" class="secondary" @click=${() => this.addException()}>${t("sched.addException")}</button>
          </div>`
        : nothing}`;
  }

  private extraEditor(): TemplateResult {
    const editable = this.here.extra;
    const set = (i: number, key: keyof ExtraWindow, value: string) => {
      this.extra = this.extra.map((x, k) => (k === i ? { ...x, [key]: value } : x));
      this.errors = { ...this.errors, [`extra.${i}.${key}`]: null };
    };
    return html`<div data-testid="extra-windows">
      ${this.extra.length ? nothing : html`<p class="muted">${t("sched.noExtra")}</p>`}
      ${this.extra.map(
        (x, i) => html`<div class="grid four sched-extra">
          ${textField({ id: `extra-${i}-date`, label: t("sched.date"), type: "date", value: x.date, disabled: !editable, error: this.errors[`extra.${i}.date`] ?? this.errors[`extra.${i}`], onInput: (v) => set(i, "date", v) })}
          ${textField({ id: `extra-${i}-from`, label: t("sched.from"), value: x.from, placeholder: "hh:mm", disabled: !editable, error: this.errors[`extra.${i}.from`], onInput: (v) => set(i, "from", v) })}
          ${textField({ id: `extra-${i}-to`, label: t("sched.to"), value: x.to, placeholder: "hh:mm", disabled: !editable, error: this.errors[`extra.${i}.to`], onInput: (v) => set(i, "to", v) })}
          ${editable
            ? html`<div class="actions start"><button type="button" class="secondary small"
                @click=${() => (this.extra = this.extra.filter((_, k) => k !== i))}>${t("sched.remove")}</button></div>`
            : nothing}
        </div>`,
      )}
      ${editable
        ? html`<button type="button" class="secondary" @click=${() => (this.extra = [...this.extra, { date: "", from: "", to: "" }])}>${t("sched.addExtra")}</button>`
        : nothing}
    </div>`;
  }
}
