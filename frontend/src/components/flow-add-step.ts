/**
 * "Add step" on a node of the Call flows tree (AA-01): an inline form that wires a new step into an
 * IVR menu (on a key it does not use yet, or when no key is pressed) or after an announcement's
 * prompt. The step goes to a new IVR menu, a new announcement (its prompt chosen as on the
 * Switches & announcements page) or an existing number. Saving creates the new element first, then
 * changes the parent with its own API; when the parent refuses, the new element is deleted again so
 * nothing half-made stays, and the server's messages are shown next to the fields. Fires
 * "step-added" (detail: AddedStep) when done and "step-cancel" on Cancel.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { FLOWS, type FlowNode, type FlowStart } from "../call-flows";
import {
  AFTER_PROMPT,
  GOES,
  addStepErrors,
  announcementUpdateBody,
  announcementWhens,
  elementBody,
  emptyAddStepDraft,
  goText,
  menuUpdateBody,
  menuWhens,
  nextFreeNumber,
  parentStepError,
  stepTarget,
  whenText,
  type AddStepDraft,
  type AddedStep,
  type Go,
} from "../flow-add";
import { ANNOUNCEMENTS, type Announcement } from "../flow-elements";
import { focusFirstError, focusWhenRendered, formError, selectField, textField } from "../forms";
import { t } from "../i18n";
import { MENUS, type IvrMenu } from "../ivr";
import { schemaFieldView } from "../schema-form";
import { toast } from "../session";

/** Where the new element is created and deleted again. */
const CREATE_URL: Record<Exclude<Go, "number">, string> = { ivr: MENUS, announcement: ANNOUNCEMENTS };
/** The fields of the new element the form shows; the server's other messages go to the form's box. */
const ELEMENT_FIELDS = ["name", "number", "prompt", "next_number"];

@customElement("cb-flow-add-step")
export class CbFlowAddStep extends LightElement {
  /** The node the step is added after (an IVR menu or an announcement). */
  @property({ attribute: false }) node: FlowNode | null = null;
  @state() private whens: string[] | null = null;
  @state() private loadError = "";
  @state() private draft: AddStepDraft = emptyAddStepDraft();
  @state() private errors: Record<string, string> = {};
  @state() private error = "";
  @state() private busy = false;
  /** Where a step may go: a new menu or announcement only while its plugin answers. */
  @state() private goes: Go[] = [...GOES];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private get isMenu(): boolean {
    return this.node?.kind === "ivr";
  }

  private async load(): Promise<void> {
    const node = this.node;
    if (!node) return;
    this.loadError = "";
    this.whens = null;
    try {
      // The parent's list must load; the other plugin may be off (no new elements of its kind then).
      const [menus, announcements, starts] = await Promise.all([
        this.isMenu ? api.get<IvrMenu[]>(MENUS) : api.get<IvrMenu[]>(MENUS).catch(() => null),
        this.isMenu ? api.get<Announcement[]>(ANNOUNCEMENTS).catch(() => null) : api.get<Announcement[]>(ANNOUNCEMENTS),
        api.get<{ numbers: FlowStart[] }>(FLOWS).then((r) => r.numbers, () => []),
      ]);
      let whens: string[] = [];
      if (this.isMenu) {
        const menu = menus?.find((m) => m.number === node.number);
        if (!menu) throw new ApiError(404, "not_found", t("flowAdd.parentGone", { number: node.number }));
        whens = menuWhens(menu);
      } else {
        const announcement = announcements?.find((a) => a.number === node.number);
        if (!announcement) throw new ApiError(404, "not_found", t("flowAdd.parentGone", { number: node.number }));
        whens = announcementWhens(announcement);
      }
      const taken = [...(menus ?? []), ...(announcements ?? []), ...starts].map((e) => e.number);
      this.goes = GOES.filter((g) => (g === "ivr" ? menus : g === "announcement" ? announcements : true));
      this.draft = { ...emptyAddStepDraft(whens[0] ?? "", nextFreeNumber(taken) ?? ""), go: this.goes[0] ?? "number" };
      this.whens = whens;
      void focusWhenRendered(this, "#flow-add-when, #flow-add-go");
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private set<K extends keyof AddStepDraft>(key: K, value: AddStepDraft[K], field: string = key): void {
    this.draft = { ...this.draft, [key]: value };
    if (this.errors[field]) {
      const { [field]: _gone, ...rest } = this.errors;
      this.errors = rest;
    }
  }

  private cancel(): void {
    this.dispatchEvent(new CustomEvent("step-cancel"));
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const node = this.node;
    if (!node || !this.whens || this.busy) return;
    const draft = this.draft;
    const errors = addStepErrors(draft, this.whens);
    this.error = "";
    this.errors = errors;
    if (Object.keys(errors).length) {
      focusFirstError(this);
      return;
    }
    this.busy = true;
    try {
      await this.save(node, draft);
    } finally {
      this.busy = false;
    }
  }

  private async save(node: FlowNode, draft: AddStepDraft): Promise<void> {
    const body = elementBody(draft);
    let created: { url: string; id: number } | null = null;
    if (body && draft.go !== "number") {
      const url = CREATE_URL[draft.go];
      try {
        const element = await api.post<{ id: number }>(url, body);
        created = { url, id: element.id };
      } catch (err) {
        const fields = fieldErrors(err);
        this.errors = Object.fromEntries(Object.entries(fields).filter(([field]) => ELEMENT_FIELDS.includes(field)));
        this.error = errorText(err);
        focusFirstError(this);
        return;
      }
    }
    const target = stepTarget(draft);
    try {
      await this.changeParent(node, draft.when, target);
    } catch (err) {
      const stepError = parentStepError(fieldErrors(err));
      this.errors = stepError ? { [draft.go === "number" ? "target" : "go"]: stepError } : {};
      let message = t("flowAdd.refused", { parent: node.number, error: errorText(err) });
      if (created) {
        try {
          await api.delete(`${created.url}/${created.id}`);
          message = t("flowAdd.refusedUndone", { parent: node.number, number: target, error: errorText(err) });
        } catch (undo) {
          message = `${message} ${t("flowAdd.undoFailed", { number: target, error: errorText(undo) })}`;
        }
      }
      this.error = message;
      focusFirstError(this);
      return;
    }
    toast(t("flowAdd.added", { parent: node.number, when: whenText(draft.when), number: target }));
    this.dispatchEvent(new CustomEvent<AddedStep>("step-added", { detail: { when: draft.when, number: target } }));
  }

  /** The parent as it is now (GET), with the step: PUT. */
  private async changeParent(node: FlowNode, when: string, target: string): Promise<void> {
    const taken = (): ApiError => new ApiError(409, "conflict", t("flowAdd.stepTaken", { when: whenText(when) }));
    const gone = (): ApiError => new ApiError(404, "not_found", t("flowAdd.parentGone", { number: node.number }));
    if (this.isMenu) {
      const menu = (await api.get<IvrMenu[]>(MENUS)).find((m) => m.number === node.number);
      if (!menu) throw gone();
      const body = menuUpdateBody(menu, when, target);
      if (!body) throw taken();
      await api.put<IvrMenu>(`${MENUS}/${menu.id}`, body);
      return;
    }
    const announcement = (await api.get<Announcement[]>(ANNOUNCEMENTS)).find((a) => a.number === node.number);
    if (!announcement) throw gone();
    const body = announcementUpdateBody(announcement, target);
    if (!body) throw taken();
    await api.put<Announcement>(`${ANNOUNCEMENTS}/${announcement.id}`, body);
  }

  protected override render(): TemplateResult | typeof nothing {
    const node = this.node;
    if (!node) return nothing;
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.whens) body = loadingView();
    else if (!this.whens.length) {
      body = html`<p class="muted" data-testid="flow-add-full">${t(this.isMenu ? "flowAdd.menuFull" : "flowAdd.announcementFull")}</p>
        <div class="actions"><button type="button" class="secondary" @click=${() => this.cancel()}>${t("common.cancel")}</button></div>`;
    } else body = this.form(this.whens);
    return html`<div class="card flow-add-step" data-testid="flow-add-step" role="group"
        aria-labelledby="flow-add-title">
      <h3 id="flow-add-title">${t("flowAdd.title", { number: node.number })}</h3>
      ${body}
    </div>`;
  }

  private form(whens: string[]): TemplateResult {
    const d = this.draft;
    const afterPrompt = whens.length === 1 && whens[0] === AFTER_PROMPT;
    return html`<form novalidate data-testid="flow-add-form" @submit=${(e: Event) => void this.submit(e)}>
      <div class="grid two">
        ${afterPrompt
          ? nothing
          : selectField({
              id: "flow-add-when",
              label: t("flowAdd.when"),
              value: d.when,
              required: true,
              error: this.errors["when"],
              options: whens.map((w): [string, string] => [w, whenText(w)]),
              onInput: (v) => this.set("when", v),
            })}
        ${selectField({
          id: "flow-add-go",
          label: t(afterPrompt ? "flowAdd.goAfterPrompt" : "flowAdd.go"),
          value: d.go,
          required: true,
          error: this.errors["go"],
          options: this.goes.map((g): [string, string] => [g, goText(g)]),
          onInput: (v) => this.set("go", v as Go),
        })}
      </div>
      ${d.go === "number" ? this.numberFields(d) : this.elementFields(d)}
      ${formError(this.error, "flow-add-error")}
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("flowAdd.save")}</button>
        <button type="button" class="secondary" @click=${() => this.cancel()}>${t("common.cancel")}</button>
      </div>
    </form>`;
  }

  private numberFields(d: AddStepDraft): TemplateResult {
    return textField({ id: "flow-add-target", label: t("flowAdd.target"), value: d.target, required: true,
      error: this.errors["target"], hint: t("flowAdd.targetHint"), inputmode: "tel", autocomplete: "off",
      onInput: (v) => this.set("target", v) });
  }

  private elementFields(d: AddStepDraft): TemplateResult {
    return html`<div class="grid two">
        ${textField({ id: "flow-add-name", label: t("flowAdd.name"), value: d.name, required: true, error: this.errors["name"],
          autocomplete: "off", onInput: (v) => this.set("name", v) })}
        ${textField({ id: "flow-add-number", label: t("flowAdd.number"), value: d.number, required: true,
          error: this.errors["number"], hint: t("flowAdd.numberHint"), inputmode: "tel", autocomplete: "off",
          onInput: (v) => this.set("number", v) })}
      </div>
      ${d.go === "announcement"
        ? html`${schemaFieldView({
            id: "flow-add-prompt",
            field: { type: "string", format: "prompt" },
            label: t("flowAdd.prompt"),
            hint: t("flowAnnouncements.promptHint"),
            value: d.prompt,
            required: true,
            error: this.errors["prompt"],
            onChange: (v) => this.set("prompt", String(v ?? "")),
          })}
          ${textField({ id: "flow-add-next", label: t("flowAdd.nextNumber"), value: d.nextNumber,
            error: this.errors["next_number"], hint: t("flowAdd.nextNumberHint"), inputmode: "tel", autocomplete: "off",
            onInput: (v) => this.set("nextNumber", v, "next_number") })}`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "cb-flow-add-step": CbFlowAddStep;
  }
}
