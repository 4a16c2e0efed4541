/**
 * Blocking groups (BAR-04, BAR-06) on the Dial plan page: named limits on the outside numbers a
 * function number (an IVR menu, a hunt group, an attendant group, a rule-based number) may send
 * callers to — by number type, all international numbers, or prefixes. The card lists the groups
 * with what each blocks in words; "Add blocking group" and "Edit" open the form below the table,
 * whose field errors (the client's and the server's) are shown next to the fields. After a change
 * the element fires "changed" so the page reloads the dial plan.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ApiError, api } from "../api";
import { LightElement, errorText, fieldErrors } from "../base";
import { checkList, toggled } from "../crud-page";
import { listError, type DialPlan, type NumberType } from "../dialplan";
import { confirmDialog } from "../dialog";
import { checkboxField, focusFirstError, focusWhenRendered, formError, textField } from "../forms";
import { t } from "../i18n";
import { toast } from "../session";

export interface BlockingGroup {
  id: number;
  name: string;
  /** Names of the dial plan's number types. */
  number_types: string[];
  international: boolean;
  prefixes: string[];
}

/** GET /api/dialplan with the blocking groups (sorted by name). */
export type DialPlanWithGroups = DialPlan & { blocking_groups: BlockingGroup[] };

interface Draft {
  id: number | null;
  name: string;
  /** Ids of the ticked number types (names can hold spaces, ids make clean element ids). */
  types: ReadonlySet<number>;
  international: boolean;
  prefixes: string;
}

type Errors = Record<string, string | null | undefined>;

/** The prefixes field: "+4590 +4580" or "+4590, +4580". */
export function splitPrefixes(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter(Boolean))];
}

/** The test's refusal by a blocking group in the UI language; null for any other reason. */
export function blockedReasonText(reason: string): string | null {
  const match = /^Forbidden - Blocked By (.+)$/.exec(reason);
  return match ? t("dialplan.blocking.reason", { name: match[1] ?? "" }) : null;
}

/** What a group blocks, in words: one line per kind. */
export function blocksText(g: BlockingGroup): string[] {
  const lines: string[] = [];
  if (g.number_types.length) lines.push(t("dialplan.blocking.blocksTypes", { types: g.number_types.join(", ") }));
  if (g.international) lines.push(t("dialplan.blocking.blocksInternational"));
  if (g.prefixes.length) lines.push(t("dialplan.blocking.blocksPrefixes", { prefixes: g.prefixes.join(" ") }));
  return lines;
}

/** BAR-04 on a function number's form (administrators): the dial plan's blocking groups to tick,
 * or, without any, where to make them. ``prefix`` makes the ids (``${prefix}-blocking-groups``). */
export function blockingGroupsField(o: {
  prefix: string;
  groups: ReadonlyArray<{ id: number; name: string }>;
  chosen: ReadonlySet<number>;
  toggle: (id: number, on: boolean) => void;
  hint: string;
  error: string | undefined;
}): TemplateResult {
  const id = `${o.prefix}-blocking-groups`;
  if (!o.groups.length) {
    return html`<fieldset id=${id} data-testid=${id} class=${o.error ? "has-error" : ""}>
      <legend>${t("blocking.field")}</legend>
      <p class="muted" data-testid="${o.prefix}-no-blocking-groups">
        ${t("blocking.noneYet")} <a href="/dialplan">${t("blocking.toDialPlan")}</a>
      </p>
      <div class="field-error" aria-live="polite">${o.error ?? ""}</div>
    </fieldset>`;
  }
  return checkList({
    id,
    legend: t("blocking.field"),
    hint: o.hint,
    items: o.groups.map((g) => [g.id, g.name]),
    chosen: o.chosen as Set<number>,
    toggle: o.toggle,
    error: o.error,
  });
}

@customElement("cb-blocking-groups")
export class CbBlockingGroups extends LightElement {
  @property({ attribute: false }) groups: BlockingGroup[] = [];
  @property({ attribute: false }) types: NumberType[] = [];

  @state() private draft: Draft | null = null;
  @state() private errors: Errors = {};
  @state() private error = "";
  @state() private busy = false;
  /** The button that opened the form: it gets the focus back when the form closes. */
  private opener: HTMLElement | null = null;

  private open(draft: Draft): void {
    this.opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.draft = draft;
    this.errors = {};
    this.error = "";
    void focusWhenRendered(this, "#dp-bg-name");
  }

  private add(): void {
    this.open({ id: null, name: "", types: new Set(), international: false, prefixes: "" });
  }

  private edit(g: BlockingGroup): void {
    const wanted = new Set(g.number_types.map((n) => n.toLowerCase()));
    const types = new Set(this.types.filter((nt) => wanted.has(nt.name.toLowerCase())).map((nt) => nt.id));
    this.open({ id: g.id, name: g.name, types, international: g.international, prefixes: g.prefixes.join(" ") });
  }

  private close(): void {
    this.draft = null;
    this.errors = {};
    this.error = "";
    const back = this.opener?.isConnected ? this.opener : null;
    this.opener = null;
    if (back) void this.updateComplete.then(() => back.focus());
    else void focusWhenRendered(this, "#dp-bg-add");
  }

  private set(changes: Partial<Draft>, field: string): void {
    if (!this.draft) return;
    this.draft = { ...this.draft, ...changes };
    if (this.errors[field]) this.errors = { ...this.errors, [field]: null };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const d = this.draft;
    if (!d) return;
    const name = d.name.trim();
    if (!name) {
      this.errors = { name: t("dialplan.blocking.nameRequired") };
      this.error = t("common.formInvalid");
      focusFirstError(this.querySelector("#dp-bg-form") ?? this);
      return;
    }
    const numberTypes = this.types.filter((nt) => d.types.has(nt.id)).map((nt) => nt.name);
    const prefixes = splitPrefixes(d.prefixes);
    const body = { name, number_types: numberTypes, international: d.international, prefixes };
    this.busy = true;
    this.error = "";
    try {
      const saved = d.id === null
        ? await api.post<BlockingGroup>("/api/dialplan/blocking_groups", body)
        : await api.put<BlockingGroup>(`/api/dialplan/blocking_groups/${d.id}`, body);
      toast(t(d.id === null ? "dialplan.blocking.added" : "dialplan.blocking.saved", { name: saved.name }));
      this.opener = null;
      this.close();
      this.dispatchEvent(new CustomEvent("changed"));
    } catch (err) {
      const fields = fieldErrors(err);
      this.errors = {
        name: fields["name"] ?? (err instanceof ApiError && err.status === 409 ? errorText(err) : null),
        number_types: listError(fields, "number_types", numberTypes) || null,
        prefixes: listError(fields, "prefixes", prefixes) || null,
      };
      this.error = errorText(err);
      focusFirstError(this.querySelector("#dp-bg-form") ?? this);
    } finally {
      this.busy = false;
    }
  }

  private async deleteGroup(g: BlockingGroup): Promise<void> {
    if (!(await confirmDialog(t("dialplan.blocking.confirmDelete", { name: g.name }), t("common.delete")))) return;
    try {
      await api.delete(`/api/dialplan/blocking_groups/${g.id}`);
      toast(t("dialplan.blocking.deleted", { name: g.name }));
      if (this.draft?.id === g.id) {
        this.draft = null;
        this.errors = {};
        this.error = "";
      }
      // The row and its buttons go; the focus waits on the add button.
      void focusWhenRendered(this, "#dp-bg-add");
      this.dispatchEvent(new CustomEvent("changed"));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private table(): TemplateResult {
    if (!this.groups.length) return html`<p class="empty">${t("dialplan.blocking.none")}</p>`;
    return html`<div class="table-scroll"><table class="data" data-testid="blocking-groups" aria-labelledby="dp-bg-title">
      <thead><tr>
        <th scope="col">${t("dialplan.blocking.name")}</th><th scope="col">${t("dialplan.blocking.blocks")}</th>
        <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
      </tr></thead>
      <tbody>
        ${this.groups.map(
          (g) => html`<tr class=${this.draft?.id === g.id ? "selected" : ""} data-testid="blocking-${g.name}">
            <td><strong>${g.name}</strong></td>
            <td>${blocksText(g).map((line, i) => html`${i ? html`<br />` : nothing}${line}`)}</td>
            <td><div class="number-actions">
              <button type="button" class="secondary small" aria-label=${t("dialplan.blocking.edit", { name: g.name })}
                @click=${() => this.edit(g)}>${t("common.edit")}</button>
              <button type="button" class="danger small" aria-label=${t("dialplan.blocking.delete", { name: g.name })}
                @click=${() => void this.deleteGroup(g)}>${t("common.delete")}</button>
            </div></td>
          </tr>`,
        )}
      </tbody>
    </table></div>`;
  }

  private form(d: Draft): TemplateResult {
    const editing = d.id !== null;
    return html`<form id="dp-bg-form" class="dp-editor" novalidate @submit=${this.save} aria-labelledby="dp-bg-form-title">
      <h3 id="dp-bg-form-title">${editing ? t("dialplan.blocking.editTitle", { name: d.name }) : t("dialplan.blocking.newTitle")}</h3>
      ${formError(this.error, "dp-bg-error")}
      ${textField({ id: "dp-bg-name", label: t("dialplan.blocking.name"), value: d.name, required: true, error: this.errors["name"], onInput: (v) => this.set({ name: v }, "name") })}
      ${checkList({
        id: "dp-bg-types",
        legend: t("dialplan.blocking.types"),
        hint: t("dialplan.blocking.typesHint"),
        items: this.types.map((nt): [number, string] => [nt.id, nt.name]),
        chosen: d.types,
        toggle: (id, on) => this.set({ types: toggled(d.types, id, on) }, "number_types"),
        error: this.errors["number_types"],
        empty: t("dialplan.blocking.noTypes"),
      })}
      ${checkboxField({ id: "dp-bg-international", label: t("dialplan.blocking.international"), checked: d.international, onChange: (v) => this.set({ international: v }, "number_types") })}
      ${textField({ id: "dp-bg-prefixes", label: t("dialplan.blocking.prefixes"), value: d.prefixes, error: this.errors["prefixes"], hint: t("dialplan.blocking.prefixesHint"), inputmode: "tel", placeholder: "+4590 +4580", onInput: (v) => this.set({ prefixes: v }, "prefixes") })}
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${t("dialplan.blocking.save")}</button>
        <button type="button" class="secondary" @click=${() => this.close()}>${t("common.cancel")}</button>
      </div>
    </form>`;
  }

  protected override render(): TemplateResult {
    return html`<section class="card" aria-labelledby="dp-bg-title">
      <h2 id="dp-bg-title">${t("dialplan.blocking.title")}</h2>
      <p class="muted">${t("dialplan.blocking.intro")}</p>
      ${this.table()}
      ${this.draft
        ? this.form(this.draft)
        : html`<div class="actions"><button type="button" id="dp-bg-add" @click=${() => this.add()}>${t("dialplan.blocking.add")}</button></div>`}
    </section>`;
  }
}
