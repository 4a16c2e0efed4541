/**
 * The user's working hours (portal, SCH-01..05): the week that applies to them as bars, exception
 * dates and extra windows, whether night mode is on now, and the switch that turns night mode off
 * until they turn it back on (SCH-05).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { selectField } from "../forms";
import { t } from "../i18n";
import { weekView, type HoursStatus } from "../schedules";
import { toast } from "../session";
import { live } from "../ws";

@customElement("cb-my-hours")
export class CbMyHours extends LightElement {
  @state() private status: HoursStatus | null = null;
  @state() private loadError = "";
  @state() private busy = false;
  @state() private extendBy = "60";
  private readonly onEvent = (e: Event) => {
    const type = (e as CustomEvent<{ eventType: string }>).detail.eventType;
    if (type === "night_mode.changed" && !this.busy) void this.load();
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
      this.status = await api.get<HoursStatus>("/api/me/working_hours/status");
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async toggle(off: boolean): Promise<void> {
    this.busy = true;
    try {
      this.status = await api.put<HoursStatus>("/api/me/night_mode", { off });
      toast(off ? t("myHours.turnedOff") : t("myHours.turnedOn"));
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.busy = false;
    }
  }

  /** SCH-06: extend today's working time (members of a group with the right). */
  private async extend(): Promise<void> {
    this.busy = true;
    try {
      const result = await api.post<{ added: { from: string; to: string } }>("/api/working_hours/extend", {
        minutes: Number(this.extendBy),
      });
      toast(t("myHours.extended", { from: result.added.from, to: result.added.to }));
      await this.load();
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.busy = false;
    }
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.status) body = loadingView();
    else body = this.view(this.status);
    return html`<section class="page">${pageHeading(t("myHours.title"))}${body}</section>`;
  }

  private view(s: HoursStatus): TemplateResult {
    const next = s.next_change ? new Date(s.next_change).toLocaleString() : null;
    const effective = s.effective;
    return html`<div class="card" data-testid="night-mode">
        <h2>${t("myHours.now")}</h2>
        <p role="status" data-testid="night-mode-state">
          <span class="badge ${s.night_mode ? "warn" : "ok"}">${s.night_mode ? t("myHours.nightOn") : t("myHours.nightOff")}</span>
          ${s.in_working_hours ? t("myHours.inHours") : t("myHours.outOfHours")}
        </p>
        ${next ? html`<p class="muted">${t("myHours.nextChange", { time: next })}</p>` : nothing}
        <p class="muted">${s.night_mode_off ? t("myHours.overrideOn") : t("myHours.overrideHint")}</p>
        <div class="actions start">
          ${s.night_mode_off
            ? html`<button type="button" ?disabled=${this.busy} @click=${() => void this.toggle(false)}>${t("myHours.turnOn")}</button>`
            : html`<button type="button" ?disabled=${this.busy} @click=${() => void this.toggle(true)}>${t("myHours.turnOff")}</button>`}
        </div>
      </div>
      ${s.may_extend
        ? html`<div class="card" data-testid="extend-hours">
            <h2>${t("myHours.extendTitle")}</h2>
            <div class="sched-add">
              ${selectField({
                id: "extend-by",
                label: t("myHours.extendMinutes"),
                value: this.extendBy,
                options: ["30", "60", "120"].map((n): [string, string] => [n, t("myHours.minutes", { n })]),
                onInput: (v) => (this.extendBy = v),
              })}
              <button type="button" ?disabled=${this.busy} @click=${() => void this.extend()}>${t("myHours.extendButton")}</button>
            </div>
          </div>`
        : nothing}
      <div class="card" data-testid="my-week">
        <h2>${t("sched.week")}</h2>
        <p class="muted">${t("myHours.zone", { zone: s.zone })}</p>
        ${effective.week ? weekView(effective.week) : html`<p class="muted">${t("myHours.noHours")}</p>`}
        <h3>${t("sched.exceptions")}</h3>
        ${effective.exceptions?.length
          ? html`<ul class="sched-list">${effective.exceptions.map((d) => html`<li>${d}</li>`)}</ul>`
          : html`<p class="muted">${t("sched.noExceptions")}</p>`}
        <h3>${t("sched.extra")}</h3>
        ${effective.extra?.length
          ? html`<ul class="sched-list">${effective.extra.map((x) => html`<li>${x.date} ${x.from}–${x.to}</li>`)}</ul>`
          : html`<p class="muted">${t("sched.noExtra")}</p>`}
      </div>`;
  }
}
