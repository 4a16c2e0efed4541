/**
 * The number plan (NUM-01..08): ranges of local numbers and public DIDs with what they are for
 * (added, or changed in the same form after "Edit", and deleted), "show available numbers" per
 * range with one-click assignment to a user (as their line or as an alias), and every number in
 * use with its one owner (users, aliases, plugins' numbers).
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { confirmDialog } from "../dialog";
import { checkboxField, focusFirstError, focusWhenRendered, formError, selectField, sendForm, textField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { toast } from "../session";
import type { User } from "../types";
import { check } from "../validate";

interface NumberRange {
  id: number;
  kind: "local" | "public";
  first: string;
  last: string;
  purpose: string;
  label: string;
  ivr_dialable: boolean;
  seeded: boolean;
  size: number;
  in_use: number;
}

interface OwnedNumber {
  number: string;
  kind: "user" | "alias" | "plugin";
  id: string;
  label: string;
  owner: string;
}

interface Conflict {
  number: string;
  plugin: string;
  owner: string;
}

const PURPOSES = ["users", "groups", "ivr", "rules", "any"] as const;
const NUMBER_RE = /^(\+[1-9][0-9]{6,14}|[0-9]{2,8})$/;

export interface RangeDraft {
  kind: string;
  first: string;
  last: string;
  purpose: string;
  label: string;
  ivr_dialable: boolean;
}

export const EMPTY_RANGE: RangeDraft = { kind: "local", first: "", last: "", purpose: "users", label: "", ivr_dialable: false };

/** A range as its form edits it. */
export function rangeDraft(r: Pick<NumberRange, keyof RangeDraft>): RangeDraft {
  return { kind: r.kind, first: r.first, last: r.last, purpose: r.purpose, label: r.label, ivr_dialable: r.ivr_dialable };
}

/** The body of POST (new) or PATCH (changed) range: the numbers and the label trimmed. */
export function rangeBody(d: RangeDraft): RangeDraft {
  return { ...d, first: d.first.trim(), last: d.last.trim(), label: d.label.trim() };
}

function purposeLabel(purpose: string): string {
  return t(`numbers.purpose.${purpose}` as MessageKey);
}

@customElement("cb-numbers")
export class CbNumbers extends LightElement {
  @state() private ranges: NumberRange[] | null = null;
  @state() private numbers: OwnedNumber[] = [];
  @state() private conflicts: Conflict[] = [];
  @state() private users: User[] = [];
  @state() private loadError = "";
  @state() private draft: RangeDraft = { ...EMPTY_RANGE };
  /** The range the form changes; null while it adds one. */
  @state() private editing: NumberRange | null = null;
  @state() errors: Record<string, string | null | undefined> = {};
  @state() error = "";
  @state() busy = false;
  @state() private openRange: number | null = null;
  @state() private available: string[] = [];
  @state() private picked: string | null = null;
  @state() private pickUser = "";
  @state() private filter = "";

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(true);
  }

  private async load(spinner: boolean): Promise<void> {
    if (spinner) this.ranges = null;
    this.loadError = "";
    try {
      const [ranges, owned, users] = await Promise.all([
        api.get<NumberRange[]>("/api/numbers/ranges"),
        api.get<{ numbers: OwnedNumber[]; conflicts: Conflict[] }>("/api/numbers"),
        api.get<User[]>("/api/users"),
      ]);
      this.ranges = ranges;
      this.numbers = owned.numbers;
      this.conflicts = owned.conflicts;
      this.users = users;
      if (this.openRange !== null) await this.showAvailable(this.openRange);
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  /** NUM-01: Edit opens the form on the range; the focus goes to its first number. */
  private editRange(r: NumberRange): void {
    this.editing = r;
    this.draft = rangeDraft(r);
    this.errors = {};
    this.error = "";
    void focusWhenRendered(this, "#range-first");
  }

  /** Back to adding a range; the focus returns to the range's Edit button. */
  private stopEditing(): void {
    const was = this.editing;
    this.editing = null;
    this.draft = { ...EMPTY_RANGE };
    this.errors = {};
    this.error = "";
    if (was) void focusWhenRendered(this, `#range-edit-${was.id}`);
  }

  private async saveRange(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    const d = this.draft;
    const numberCheck = (v: string) => (NUMBER_RE.test(v.trim()) ? null : t("numbers.badNumber"));
    this.errors = { first: check(d.first, true, numberCheck), last: check(d.last, true, numberCheck) };
    if (this.errors["first"] || this.errors["last"]) {
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    const editing = this.editing;
    await sendForm(this, async () => {
      if (editing) {
        const saved = await api.patch<NumberRange>(`/api/numbers/ranges/${editing.id}`, rangeBody(d));
        toast(t("adminEdits.rangeSaved", { first: saved.first, last: saved.last }));
        await this.load(false);
        this.stopEditing();
        return;
      }
      const created = await api.post<NumberRange>("/api/numbers/ranges", rangeBody(d));
      toast(t("numbers.rangeAdded", { first: created.first, last: created.last }));
      this.draft = { ...EMPTY_RANGE };
      this.errors = {};
      await this.load(false);
    });
  }

  private async deleteRange(r: NumberRange): Promise<void> {
    if (!(await confirmDialog(t("numbers.confirmDelete", { first: r.first, last: r.last }), t("common.delete")))) return;
    try {
      await api.delete(`/api/numbers/ranges/${r.id}`);
      toast(t("numbers.rangeDeleted", { first: r.first, last: r.last }));
      if (this.openRange === r.id) this.openRange = null;
      if (this.editing?.id === r.id) this.stopEditing();
      await this.load(false);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private async showAvailable(rangeId: number): Promise<void> {
    this.openRange = rangeId;
    this.picked = null;
    try {
      this.available = (await api.get<{ numbers: string[] }>(`/api/numbers/available?range_id=${rangeId}&limit=100`)).numbers;
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private async assign(as: "line" | "alias"): Promise<void> {
    const number = this.picked;
    const user = this.users.find((u) => String(u.id) === this.pickUser);
    if (!number || !user) {
      toast(t("numbers.pickUser"), "error");
      return;
    }
    this.busy = true;
    try {
      if (as === "line") await api.patch(`/api/users/${user.id}`, { extension: number });
      else await api.post("/api/numbers/aliases", { number, user_id: user.id });
      toast(t(as === "line" ? "numbers.assignedLine" : "numbers.assignedAlias", { number, name: `${user.first_name} ${user.last_name}` }));
      this.picked = null;
      await this.load(false);
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      this.busy = false;
    }
  }

  private async withdraw(n: OwnedNumber): Promise<void> {
    if (!(await confirmDialog(t("numbers.confirmWithdraw", { number: n.number, owner: n.owner }), t("numbers.withdraw")))) return;
    try {
      if (n.kind === "alias") await api.delete(`/api/numbers/aliases/${encodeURIComponent(n.number)}`);
      else await api.patch(`/api/users/${n.id}`, { extension: null });
      toast(t("numbers.withdrawn", { number: n.number }));
      await this.load(false);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private rangeTable(ranges: NumberRange[]): TemplateResult {
    return html`<div class="table-scroll"><table class="data" aria-label=${t("numbers.ranges")}>
      <thead><tr>
        <th scope="col">${t("numbers.range")}</th><th scope="col">${t("numbers.kind")}</th>
        <th scope="col">${t("numbers.purposeLabel")}</th><th scope="col">${t("numbers.inUse")}</th>
        <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
      </tr></thead>
      <tbody>
        ${ranges.map(
          (r) => html`<tr data-testid="range-${r.first}">
            <td><strong>${r.first}–${r.last}</strong>${r.label ? html`<div class="muted small">${r.label}</div>` : nothing}</td>
            <td>${t(r.kind === "public" ? "numbers.public" : "numbers.local")}</td>
            <td>${purposeLabel(r.purpose)}${r.ivr_dialable ? html` <span class="badge">${t("numbers.ivrDialable")}</span>` : nothing}</td>
            <td>${r.in_use} / ${r.size}</td>
            <td><div class="actions range-actions">
              <button type="button" class="secondary small" aria-expanded=${this.openRange === r.id ? "true" : "false"}
                @click=${() => void this.showAvailable(r.id)}>${t("numbers.showAvailable")}</button>
              <button type="button" id="range-edit-${r.id}" class="secondary small"
                aria-label=${t("adminEdits.editRange", { first: r.first, last: r.last })}
                @click=${() => this.editRange(r)}>${t("common.edit")}</button>
              <button type="button" class="danger small" aria-label=${t("numbers.deleteRange", { first: r.first, last: r.last })}
                @click=${() => void this.deleteRange(r)}>${t("common.delete")}</button>
            </div></td>
          </tr>`,
        )}
      </tbody>
    </table></div>`;
  }

  private availablePanel(): TemplateResult | typeof nothing {
    const range = this.ranges?.find((r) => r.id === this.openRange);
    if (!range) return nothing;
    const userOptions: Array<[string, string]> = [
      ["", t("numbers.chooseUser")],
      ...this.users.map((u): [string, string] => [String(u.id), `${u.first_name} ${u.last_name} (${u.extension ?? "–"})`]),
    ];
    return html`<section class="card" aria-labelledby="available-title" data-testid="available">
      <h2 id="available-title">${t("numbers.availableIn", { first: range.first, last: range.last })}</h2>
      ${this.available.length
        ? html`<ul class="number-chips" aria-label=${t("numbers.availableList")}>
            ${this.available.map(
              (n) => html`<li><button type="button" class="secondary small number-chip"
                aria-pressed=${this.picked === n ? "true" : "false"} @click=${() => (this.picked = n)}>${n}</button></li>`,
            )}
          </ul>`
        : html`<p class="empty">${t("numbers.noneAvailable")}</p>`}
      ${this.picked
        ? html`<div class="assign" data-testid="assign">
            <p>${t("numbers.assignPrompt", { number: this.picked })}</p>
            ${selectField({ id: "assign-user", label: t("numbers.user"), value: this.pickUser, options: userOptions, onInput: (v) => (this.pickUser = v) })}
            <div class="actions">
              <button type="button" ?disabled=${this.busy} @click=${() => void this.assign("line")}>${t("numbers.asLine")}</button>
              <button type="button" class="secondary" ?disabled=${this.busy} @click=${() => void this.assign("alias")}>${t("numbers.asAlias")}</button>
            </div>
          </div>`
        : nothing}
    </section>`;
  }

  private numbersTable(): TemplateResult {
    const words = this.filter.trim().toLowerCase();
    const shown = this.numbers.filter((n) => !words || `${n.number} ${n.owner}`.toLowerCase().includes(words));
    return html`<section class="card" aria-labelledby="in-use-title">
      <h2 id="in-use-title">${t("numbers.inUseTitle")}</h2>
      ${this.conflicts.map(
        (c) => html`<p class="notice warn" role="status">${t("numbers.conflict", { number: c.number, plugin: c.plugin, owner: c.owner })}</p>`,
      )}
      ${textField({ id: "number-filter", label: t("numbers.search"), value: this.filter, onInput: (v) => (this.filter = v), type: "search" })}
      <div class="table-scroll"><table class="data" aria-label=${t("numbers.inUseTitle")}>
        <thead><tr><th scope="col">${t("numbers.number")}</th><th scope="col">${t("numbers.owner")}</th>
          <th scope="col">${t("numbers.kind")}</th><th scope="col"><span class="sr-only">${t("common.actions")}</span></th></tr></thead>
        <tbody>
          ${shown.map(
            (n) => html`<tr data-testid="number-${n.number}">
              <td>${n.number}</td><td>${n.owner}</td><td>${t(`numbers.owner.${n.kind}` as MessageKey)}</td>
              <td class="number-actions">${n.kind === "plugin"
                ? nothing
                : html`<button type="button" class="secondary small" aria-label=${t("numbers.withdrawNumber", { number: n.number })}
                    @click=${() => void this.withdraw(n)}>${t("numbers.withdraw")}</button>`}</td>
            </tr>`,
          )}
        </tbody>
      </table></div>
    </section>`;
  }

  private rangeForm(): TemplateResult {
    const d = this.draft;
    const editing = this.editing;
    return html`<form class="side-col card" novalidate @submit=${this.saveRange} aria-labelledby="new-range-title" data-testid="range-form">
      <h2 id="new-range-title">${editing ? t("adminEdits.editRangeTitle", { first: editing.first, last: editing.last }) : t("numbers.newRange")}</h2>
      ${formError(this.error)}
      ${selectField({ id: "range-kind", label: t("numbers.kind"), value: d.kind, options: [["local", t("numbers.local")], ["public", t("numbers.public")]], error: this.errors["kind"], onInput: (v) => (this.draft = { ...d, kind: v }) })}
      ${textField({ id: "range-first", label: t("numbers.first"), value: d.first, required: true, error: this.errors["first"], hint: t("numbers.firstHint"), inputmode: "tel", onInput: (v) => (this.draft = { ...this.draft, first: v }) })}
      ${textField({ id: "range-last", label: t("numbers.last"), value: d.last, required: true, error: this.errors["last"], inputmode: "tel", onInput: (v) => (this.draft = { ...this.draft, last: v }) })}
      ${selectField({ id: "range-purpose", label: t("numbers.purposeLabel"), value: d.purpose, options: PURPOSES.map((p): [string, string] => [p, purposeLabel(p)]), error: this.errors["purpose"], onInput: (v) => (this.draft = { ...this.draft, purpose: v }) })}
      ${textField({ id: "range-label", label: t("numbers.label"), value: d.label, error: this.errors["label"], onInput: (v) => (this.draft = { ...this.draft, label: v }) })}
      ${checkboxField({ id: "range-ivr", label: t("numbers.ivrDialableLong"), checked: d.ivr_dialable, error: this.errors["ivr_dialable"], onChange: (v) => (this.draft = { ...this.draft, ivr_dialable: v }) })}
      <div class="actions">
        ${editing ? html`<button type="button" class="secondary" @click=${() => this.stopEditing()}>${t("common.cancel")}</button>` : nothing}
        <button type="submit" ?disabled=${this.busy}>${editing ? t("common.save") : t("numbers.addRange")}</button>
      </div>
    </form>`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load(true));
    else if (!this.ranges) body = loadingView();
    else body = this.rangeTable(this.ranges);
    return html`<section class="page">
      ${pageHeading(t("numbers.title"))}
      <p class="muted">${t("numbers.intro")}</p>
      <div class="columns">
        <div class="main-col">
          <div class="card">${body}</div>
          ${this.availablePanel()}
          ${this.ranges ? this.numbersTable() : nothing}
        </div>
        ${this.rangeForm()}
      </div>
    </section>`;
  }
}
