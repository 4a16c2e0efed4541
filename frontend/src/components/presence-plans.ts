/**
 * <cb-presence-plans>: a user's planned activities (PRS-06, PRS-07): the list (activity, from, to)
 * and, when ``editable``, the form to plan one more and a delete button per plan. The user's own
 * (``userId`` null, on My presence) or a colleague's (with the right to see, and to plan, their
 * future presence; the Contacts page). Loads the activities itself unless given them, follows the
 * user's presence changes (a plan that starts or ends) and fires "plans-changed" after a change.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView } from "../base";
import { focusFirstError, focusWhenRendered, formError, selectField, sendForm, textField } from "../forms";
import { t } from "../i18n";
import { formatUntil, labelOf, localToIso, type Activity, type Plan } from "../presence";
import { session, toast } from "../session";
import { live } from "../ws";

type Errors = Record<string, string | null | undefined>;

/** Calls ``reload`` whenever presence.changed arrives for ``userId()``, and after a reconnect. */
export function followPresence(userId: () => number | null, reload: () => void): () => void {
  const onEvent = (e: Event) => {
    const { eventType, data } = (e as CustomEvent<{ eventType: string; data: Record<string, unknown> }>).detail;
    if (eventType === "presence.changed" && data["user_id"] === userId()) reload();
  };
  live.addEventListener("bus-event", onEvent);
  live.addEventListener("resync", reload);
  return () => {
    live.removeEventListener("bus-event", onEvent);
    live.removeEventListener("resync", reload);
  };
}

const EMPTY_PLAN = { activity: "", start: "", end: "" };

@customElement("cb-presence-plans")
export class CbPresencePlans extends LightElement {
  /** Whose plans: null for the logged-in user's own. */
  @property({ attribute: false }) userId: number | null = null;
  /** The activities to choose from; null: loaded here. */
  @property({ attribute: false }) activities: Activity[] | null = null;
  /** Offer the form and the delete buttons. */
  @property({ type: Boolean }) editable = true;
  /** Prefix of the ids: `<prefix>-form`, `<prefix>-activity`, `<prefix>-start`, `<prefix>-end`. */
  @property() idPrefix = "plan";

  @state() private plans: Plan[] | null = null;
  @state() private loaded: Activity[] = [];
  @state() private loadError = "";
  @state() private plan = { ...EMPTY_PLAN };
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;
  private stopFollowing: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopFollowing = followPresence(
      () => this.userId ?? session.user?.id ?? null,
      () => void this.load(),
    );
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopFollowing?.();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // Another colleague's plans in the same element: start again.
    if (changed.has("userId") && changed.get("userId") !== undefined && this.hasUpdated) {
      this.plans = null;
      this.plan = { ...EMPTY_PLAN };
      this.errors = {};
      this.error = "";
      void this.load();
    }
  }

  private get base(): string {
    return this.userId === null ? "/api/me/presence/plans" : `/api/users/${this.userId}/presence/plans`;
  }

  private get choices(): Activity[] {
    return this.activities ?? this.loaded;
  }

  private async start(): Promise<void> {
    if (this.activities === null) {
      try {
        this.loaded = await api.get<Activity[]>("/api/presence/activities");
      } catch (err) {
        this.loadError = errorText(err);
        return;
      }
    }
    await this.load();
  }

  private async load(): Promise<void> {
    const asked = this.userId;
    try {
      const plans = await api.get<Plan[]>(this.base);
      if (asked !== this.userId) return;
      this.plans = plans;
      this.loadError = "";
    } catch (err) {
      if (asked === this.userId) this.loadError = errorText(err);
    }
  }

  private changed(): void {
    this.dispatchEvent(new CustomEvent("plans-changed", { bubbles: true }));
  }

  private set(name: keyof typeof EMPTY_PLAN, value: string): void {
    this.plan = { ...this.plan, [name]: value };
    const field = name === "activity" ? "activity_id" : name;
    if (this.errors[field]) this.errors = { ...this.errors, [field]: null };
  }

  private async add(e: Event): Promise<void> {
    e.preventDefault();
    const start = localToIso(this.plan.start);
    const end = localToIso(this.plan.end);
    this.errors = {
      activity_id: this.plan.activity ? null : t("validation.required"),
      start: start ? null : t("validation.required"),
      end: !end ? t("validation.required") : start && end <= start ? t("presence.endBeforeStart") : null,
    };
    if (Object.values(this.errors).some(Boolean)) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    await sendForm(this, async () => {
      await api.post<Plan>(this.base, { activity_id: Number(this.plan.activity), start, end });
      this.plan = { ...EMPTY_PLAN };
      this.errors = {};
      toast(t("presence.planned"));
      await this.load();
      this.changed();
    });
  }

  private async deletePlan(plan: Plan, name: string): Promise<void> {
    try {
      await api.delete(`${this.base}/${plan.id}`);
      this.plans = (this.plans ?? []).filter((p) => p.id !== plan.id);
      toast(t("presence.deleted", { name }));
      // The focus was on the button that is gone: the next plan's, else the form's first field.
      void focusWhenRendered(this, `[data-testid="presence-plans"] button, #${this.idPrefix}-activity`);
      this.changed();
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  protected override render(): TemplateResult {
    if (this.loadError) return errorView(this.loadError, () => void this.start());
    if (this.plans === null) return loadingView();
    const p = this.idPrefix;
    return html`${this.listView(this.plans)}
      ${this.editable
        ? html`<form id="${p}-form" class="plan-form" novalidate @submit=${this.add} aria-label=${t("presence.plan")}>
            ${formError(this.error, `${p}-error`)}
            <div class="grid three">
              ${selectField({
                id: `${p}-activity`,
                label: t("presence.activity"),
                required: true,
                value: this.plan.activity,
                error: this.errors["activity_id"],
                options: [["", t("presence.chooseActivity")], ...this.choices.map((a): [string, string] => [String(a.id), labelOf(a)])],
                onInput: (v) => this.set("activity", v),
              })}
              ${textField({ id: `${p}-start`, label: t("presence.planStart"), type: "datetime-local", required: true, value: this.plan.start, error: this.errors["start"], onInput: (v) => this.set("start", v) })}
              ${textField({ id: `${p}-end`, label: t("presence.planEnd"), type: "datetime-local", required: true, value: this.plan.end, error: this.errors["end"], onInput: (v) => this.set("end", v) })}
            </div>
            <div class="actions"><button type="submit" class="secondary" ?disabled=${this.busy}>${t("presence.plan")}</button></div>
          </form>`
        : nothing}`;
  }

  private listView(plans: Plan[]): TemplateResult {
    if (!plans.length) return html`<p class="muted" data-testid="presence-plans-empty">${t("presence.noPlans")}</p>`;
    return html`<ul class="plain-list" data-testid="presence-plans">
      ${plans.map((plan) => {
        const activity = this.choices.find((a) => a.id === plan.activity_id);
        const name = labelOf(activity) || String(plan.activity_id);
        return html`<li class="row-between">
          <span><strong>${name}</strong> <span class="muted">${formatUntil(plan.start)} – ${formatUntil(plan.end)}</span></span>
          ${this.editable
            ? html`<button type="button" class="danger small" aria-label=${t("presence.deleteNamed", { name })}
                @click=${() => void this.deletePlan(plan, name)}>${t("common.delete")}</button>`
            : nothing}
        </li>`;
      })}
    </ul>`;
  }
}
