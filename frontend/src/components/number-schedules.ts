/**
 * <cb-number-schedules>: function-number schedules (SCH-07..09). A list, and an editor of the
 * ordered events (moved up and down: the first matching event decides), each with its repetition,
 * dates, time window, optional prompt and action (Open, Closed, Forward to a number), the default
 * event "Always", and a check of which event decides at a chosen time.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { confirmDialog } from "../dialog";
import { checkboxField, focusFirstError, focusWhenRendered, formError, selectField, sendForm, textField } from "../forms";
import { t } from "../i18n";
import {
  ACTIONS,
  DAYS,
  DAY_KEYS,
  actionLabel,
  checkAction,
  checkEvent,
  hasErrors,
  moved,
  newEvent,
  type Decision,
  type DefaultEvent,
  type Errors,
  type Schedule,
  type ScheduleAction,
  type ScheduleEvent,
} from "../schedules";
import { toast } from "../session";

const ACTION_KEYS = { open: "sched.action.open", closed: "sched.action.closed", forward: "sched.action.forward" } as const;

@customElement("cb-number-schedules")
export class CbNumberSchedules extends LightElement {
  @state() private schedules: Schedule[] | null = null;
  @state() private loadError = "";
  /** The schedule being edited: its id, 0 for a new one, null for none. */
  @state() private editing: number | null = null;
  @state() private name = "";
  @state() private owner = "";
  @state() private events: ScheduleEvent[] = [];
  @state() private fallback: DefaultEvent = { action: "open", target: null, prompt: null };
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;
  @state() private testAt = "";
  @state() private decision: Decision | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      this.schedules = await api.get<Schedule[]>("/api/schedules");
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private edit(schedule: Schedule | null): void {
    this.editing = schedule ? schedule.id : 0;
    this.name = schedule?.name ?? "";
    this.owner = schedule?.owner ?? "number:";
    this.events = structuredClone(schedule?.events ?? []);
    this.fallback = { ...(schedule?.default ?? { action: "open", target: null, prompt: null }) };
    this.errors = {};
    this.error = "";
    this.decision = null;
    void focusWhenRendered(this, "#schedule-name");
  }

  private setEvent(i: number, changes: Partial<ScheduleEvent>): void {
    this.events = this.events.map((e, k) => (k === i ? { ...e, ...changes } : e));
    const cleared: Errors = {};
    for (const key of Object.keys(changes)) cleared[`events.${i}.${key}`] = null;
    this.errors = { ...this.errors, ...cleared };
  }

  private move(i: number, by: -1 | 1): void {
    this.events = moved(this.events, i, by);
    this.errors = {};
    void focusWhenRendered(this, `#event-${i + by}-${by < 0 ? "up" : "down"}`);
  }

  private body(): Record<string, unknown> {
    const clean = (e: ScheduleEvent) => ({
      ...e,
      weekdays: e.repeat === "weekly" ? e.weekdays : [],
      start_date: e.start_date || null,
      end_date: e.end_date || null,
      prompt: e.prompt?.trim() || null,
      target: e.action === "forward" ? (e.target ?? "").trim() : null,
    });
    return {
      name: this.name.trim(),
      owner: this.owner.trim(),
      events: this.events.map(clean),
      default: {
        action: this.fallback.action,
        target: this.fallback.action === "forward" ? (this.fallback.target ?? "").trim() : null,
        prompt: this.fallback.prompt?.trim() || null,
      },
    };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    let errors: Errors = {};
    if (!this.name.trim()) errors["name"] = t("validation.required");
    if (!/^[a-z][a-z0-9_]*:[A-Za-z0-9_.\-+*#]{1,64}$/.test(this.owner.trim())) errors["owner"] = t("sched.err.owner");
    this.events.forEach((ev, i) => (errors = { ...errors, ...checkEvent(ev, `events.${i}`) }));
    errors = { ...errors, ...checkAction(this.fallback, "default") };
    this.errors = errors;
    if (hasErrors(errors)) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    await sendForm(this, async () => {
      if (this.editing) {
        await api.put<Schedule>(`/api/schedules/${this.editing}`, this.body());
        toast(t("common.saved"));
      } else {
        const saved = await api.post<Schedule>("/api/schedules", this.body());
        this.editing = saved.id;
        toast(t("sched.created", { name: saved.name }));
      }
      await this.load();
    });
  }

  private async removeSchedule(schedule: Schedule): Promise<void> {
    if (!(await confirmDialog(t("sched.confirmDelete", { name: schedule.name }), t("common.delete")))) return;
    try {
      await api.delete(`/api/schedules/${schedule.id}`);
      toast(t("sched.deleted", { name: schedule.name }));
      if (this.editing === schedule.id) this.editing = null;
      await this.load();
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private async test(): Promise<void> {
    if (!this.editing) return;
    const at = this.testAt ? `?at=${encodeURIComponent(this.testAt)}` : "";
    try {
      this.decision = await api.get<Decision>(`/api/schedules/${this.editing}/decision${at}`);
      this.errors = { ...this.errors, at: null };
    } catch (err) {
      this.decision = null;
      this.errors = { ...this.errors, at: fieldErrors(err)["at"] ?? errorText(err) };
    }
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.schedules) body = loadingView();
    else body = html`${this.list(this.schedules)}${this.editing === null ? nothing : this.editor()}`;
    return html`<div class="card" data-testid="number-schedules">
      <div class="page-head"><h2>${t("sched.numbersTitle")}</h2>
        <button type="button" @click=${() => this.edit(null)}>${t("sched.new")}</button></div>
      <p class="muted">${t("sched.numbersIntro")}</p>
      ${body}
    </div>`;
  }

  private list(schedules: Schedule[]): TemplateResult {
    if (!schedules.length) return html`<p class="muted" data-testid="schedules-empty">${t("sched.empty")}</p>`;
    return html`<div class="table-wrap">
      <table class="data" data-testid="schedules">
        <thead><tr><th>${t("sched.name")}</th><th>${t("sched.owner")}</th><th>${t("sched.eventCount")}</th><th>${t("common.actions")}</th></tr></thead>
        <tbody>
          ${schedules.map(
            (s) => html`<tr class=${this.editing === s.id ? "selected" : ""}>
              <td>${s.name}</td><td>${s.owner}</td><td>${s.events.length}</td>
              <td class="actions start">
                <button type="button" class="secondary small" @click=${() => this.edit(s)} aria-label=${t("sched.editNamed", { name: s.name })}>${t("common.edit")}</button>
                <button type="button" class="danger small" @click=${() => void this.removeSchedule(s)} aria-label=${t("sched.deleteNamed", { name: s.name })}>${t("common.delete")}</button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private actionFields(prefix: string, path: string, value: { action: ScheduleAction; target: string | null; prompt: string | null }, onChange: (changes: Partial<DefaultEvent>) => void): TemplateResult {
    return html`${selectField({
        id: `${prefix}-action`,
        label: t("sched.action"),
        value: value.action,
        options: ACTIONS.map((a): [string, string] => [a, t(ACTION_KEYS[a])]),
        error: this.errors[`${path}.action`],
        onInput: (v) => onChange({ action: v as ScheduleAction }),
      })}
      ${value.action === "forward"
        ? textField({
            id: `${prefix}-target`,
            label: t("sched.target"),
            value: value.target ?? "",
            required: true,
            inputmode: "tel",
            hint: t("sched.targetHint"),
            error: this.errors[`${path}.target`],
            onInput: (v) => onChange({ target: v }),
          })
        : nothing}
      ${textField({
        id: `${prefix}-prompt`,
        label: t("sched.prompt"),
        value: value.prompt ?? "",
        hint: t("sched.promptHint"),
        error: this.errors[`${path}.prompt`],
        onInput: (v) => onChange({ prompt: v }),
      })}`;
  }

  private eventView(ev: ScheduleEvent, i: number): TemplateResult {
    const p = `event-${i}`;
    const path = `events.${i}`;
    const last = this.events.length - 1;
    return html`<fieldset class="sched-event" data-testid="event-${i}">
      <legend>${t("sched.eventN", { n: i + 1 })}: ${ev.name || t("sched.unnamed")}</legend>
      <div class="grid three">
        ${textField({ id: `${p}-name`, label: t("sched.name"), value: ev.name, required: true, error: this.errors[`${path}.name`], onInput: (v) => this.setEvent(i, { name: v }) })}
        ${selectField({
          id: `${p}-repeat`,
          label: t("sched.repeat"),
          value: ev.repeat,
          options: [["weekly", t("sched.repeat.weekly")], ["once", t("sched.repeat.once")]],
          error: this.errors[`${path}.repeat`],
          onInput: (v) => this.setEvent(i, { repeat: v as ScheduleEvent["repeat"] }),
        })}
        ${textField({ id: `${p}-start-date`, label: ev.repeat === "once" ? t("sched.date") : t("sched.startDate"), type: "date", value: ev.start_date ?? "", required: ev.repeat === "once", error: this.errors[`${path}.start_date`], onInput: (v) => this.setEvent(i, { start_date: v || null }) })}
        ${textField({ id: `${p}-from`, label: t("sched.from"), value: ev.from, required: true, placeholder: "hh:mm", error: this.errors[`${path}.from`], onInput: (v) => this.setEvent(i, { from: v }) })}
        ${textField({ id: `${p}-to`, label: t("sched.to"), value: ev.to, required: true, placeholder: "hh:mm", error: this.errors[`${path}.to`], onInput: (v) => this.setEvent(i, { to: v }) })}
        ${textField({ id: `${p}-end-date`, label: ev.repeat === "once" ? t("sched.endDateOnce") : t("sched.endDate"), type: "date", value: ev.end_date ?? "", error: this.errors[`${path}.end_date`], onInput: (v) => this.setEvent(i, { end_date: v || null }) })}
      </div>
      ${ev.repeat === "weekly"
        ? html`<fieldset class="sched-days" aria-describedby="${p}-weekdays-error">
            <legend>${t("sched.weekdays")}</legend>
            ${DAYS.map((day) =>
              checkboxField({
                id: `${p}-day-${day}`,
                label: t(DAY_KEYS[day]),
                checked: ev.weekdays.includes(day),
                onChange: (on) => this.setEvent(i, { weekdays: on ? DAYS.filter((d) => d === day || ev.weekdays.includes(d)) : ev.weekdays.filter((d) => d !== day) }),
              }),
            )}
            <div class="field-error" id="${p}-weekdays-error" aria-live="polite">${this.errors[`${path}.weekdays`] ?? ""}</div>
          </fieldset>`
        : nothing}
      <div class="grid three">${this.actionFields(p, path, ev, (changes) => this.setEvent(i, changes))}</div>
      <div class="actions start">
        <button type="button" class="secondary small" id="${p}-up" ?disabled=${i === 0} @click=${() => this.move(i, -1)} aria-label=${t("sched.upNamed", { name: ev.name || String(i + 1) })}>${t("sched.up")}</button>
        <button type="button" class="secondary small" id="${p}-down" ?disabled=${i === last} @click=${() => this.move(i, 1)} aria-label=${t("sched.downNamed", { name: ev.name || String(i + 1) })}>${t("sched.down")}</button>
        <button type="button" class="danger small" @click=${() => (this.events = this.events.filter((_, k) => k !== i))} aria-label=${t("sched.removeNamed", { name: ev.name || String(i + 1) })}>${t("sched.remove")}</button>
      </div>
    </fieldset>`;
  }

  private editor(): TemplateResult {
    const title = this.editing ? t("sched.editTitle", { name: this.name }) : t("sched.new");
    return html`<form class="card" id="schedule-form" novalidate aria-labelledby="schedule-title" @submit=${this.save}>
      <h3 id="schedule-title">${title}</h3>
      ${formError(this.error, "schedule-form-error")}
      <div class="grid two">
        ${textField({ id: "schedule-name", label: t("sched.name"), value: this.name, required: true, error: this.errors["name"], onInput: (v) => (this.name = v) })}
        ${textField({ id: "schedule-owner", label: t("sched.owner"), value: this.owner, required: true, hint: t("sched.ownerHint"), error: this.errors["owner"], onInput: (v) => (this.owner = v) })}
      </div>
      <p class="muted">${t("sched.orderHint")}</p>
      <div data-testid="events">${this.events.map((ev, i) => this.eventView(ev, i))}</div>
      <button type="button" class="secondary" @click=${() => (this.events = [...this.events, newEvent()])}>${t("sched.addEvent")}</button>
      <fieldset class="sched-event" data-testid="event-default">
        <legend>${t("sched.always")}</legend>
        <p class="muted">${t("sched.alwaysHint")}</p>
        <div class="grid three">${this.actionFields("default", "default", this.fallback, (changes) => {
          this.fallback = { ...this.fallback, ...changes };
          this.errors = { ...this.errors, "default.target": null };
        })}</div>
      </fieldset>
      <div class="actions">
        <button type="button" class="secondary" @click=${() => (this.editing = null)}>${t("common.cancel")}</button>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : this.editing ? t("common.save") : t("common.create")}</button>
      </div>
      ${this.editing ? this.tester() : nothing}
    </form>`;
  }

  private tester(): TemplateResult {
    const d = this.decision;
    return html`<div class="sched-test" data-testid="decision-test">
      <h4>${t("sched.testTitle")}</h4>
      <div class="sched-add">
        ${textField({ id: "decision-at", label: t("sched.testAt"), type: "datetime-local", value: this.testAt, hint: t("sched.testHint"), error: this.errors["at"], onInput: (v) => (this.testAt = v) })}
        <button type="button" class="secondary" @click=${() => void this.test()}>${t("sched.testButton")}</button>
      </div>
      ${d
        ? html`<p role="status" data-testid="decision">${t("sched.decides", { event: d.index === null ? t("sched.always") : d.event.name, action: actionLabel(d.action, d.target) })}</p>`
        : nothing}
    </div>`;
  }
}
