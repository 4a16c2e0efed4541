/**
 * Group inboxes and voicemail numbers (admin, GIB-01..07). A group inbox is a mailbox of user groups
 * with its own number: callers hear its greeting and leave a message; the users of the member groups
 * listen (in the web UI, or at a voicemail number after the inbox's code); the users of the SMS and
 * e-mail groups are told of new messages. The first section lists the inboxes with "New group inbox"
 * and "Edit" opening the form (name, number, code, PIN, anonymous callers after the PIN, exclude from
 * contact search, greeting prompt, the member, SMS and e-mail groups); the second the voicemail
 * numbers (number, type: the caller's own mailbox or a group inbox's). The server's refusals are
 * shown next to their fields; deleting asks first.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { live } from "lit/directives/live.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { confirmDialog } from "../dialog";
import { checkboxField, focusFirstError, focusWhenRendered, formError, selectField, sendForm, textField } from "../forms";
import {
  FIELD_OF,
  NUMBER_KINDS,
  bodyOf,
  draftErrors,
  draftOf,
  emptyDraft,
  numberKindText,
  type Draft,
  type GroupInbox,
  type GroupListKey,
  type NumberKind,
  type VoicemailNumber,
} from "../group-inboxes";
import { t } from "../i18n";
import { schemaFieldView } from "../schema-form";
import { toast } from "../session";
import type { Group } from "../types";

const INBOXES = "/api/voicemail/group-inboxes";
const NUMBERS = "/api/voicemail/numbers";
type Errors = Record<string, string | null | undefined>;

interface NumberDraft {
  number: string;
  kind: NumberKind;
  inboxId: string;
}

@customElement("cb-group-inboxes")
export class CbGroupInboxes extends LightElement {
  @state() private inboxes: GroupInbox[] | null = null;
  @state() private numbers: VoicemailNumber[] = [];
  @state() private userGroups: Group[] = [];
  @state() private loadError = "";
  @state() private off = false;
  @state() private draft: Draft | null = null;
  @state() private editing: GroupInbox | null = null;
  @state() private numberDraft: NumberDraft = { number: "", kind: "user_inbox", inboxId: "" };
  @state() private numberErrors: Errors = {};
  @state() private numberBusy = false;
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(true);
  }

  private async load(spinner: boolean): Promise<void> {
    if (spinner) this.inboxes = null;
    this.loadError = "";
    try {
      const [inboxes, numbers, userGroups] = await Promise.all([
        api.get<GroupInbox[]>(INBOXES),
        api.get<VoicemailNumber[]>(NUMBERS),
        api.get<Group[]>("/api/groups"),
      ]);
      [this.numbers, this.userGroups] = [numbers, userGroups];
      this.inboxes = inboxes;
      this.off = false;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.off = true;
      else this.loadError = errorText(err);
    }
  }

  private open(inbox: GroupInbox | null): void {
    this.editing = inbox;
    this.draft = inbox ? draftOf(inbox, new Set(this.userGroups.map((g) => g.id))) : emptyDraft();
    this.errors = {};
    this.error = "";
    void focusWhenRendered(this, "#gi-name");
  }

  private close(): void {
    this.draft = null;
    this.editing = null;
    this.errors = {};
    this.error = "";
    void focusWhenRendered(this, "#gi-new");
  }

  private set<K extends keyof Draft>(key: K, value: Draft[K]): void {
    if (!this.draft) return;
    this.draft = { ...this.draft, [key]: value };
    const field = FIELD_OF[key];
    if (field in this.errors) this.errors = Object.fromEntries(Object.entries(this.errors).filter(([name]) => name !== field));
  }

  private toggle(key: GroupListKey, id: number, on: boolean): void {
    if (!this.draft) return;
    const next = new Set(this.draft[key]);
    if (on) next.add(id);
    else next.delete(id);
    this.set(key, next);
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const draft = this.draft;
    if (!draft || this.busy) return;
    const problems = draftErrors(draft);
    if (Object.keys(problems).length) {
      this.errors = problems;
      this.error = t("common.formInvalid");
      focusFirstError(this);
      return;
    }
    const editing = this.editing;
    const sent = await sendForm(this, async () => {
      const body = bodyOf(draft);
      const saved = editing
        ? await api.put<GroupInbox>(`${INBOXES}/${editing.id}`, body)
        : await api.post<GroupInbox>(INBOXES, body);
      toast(t(editing ? "groupInboxes.saved" : "groupInboxes.created", { name: saved.name, number: saved.number }));
    });
    if (!sent) return;
    await this.load(false);
    this.close();
  }

  private async deleteInbox(inbox: GroupInbox): Promise<void> {
    const question = t("groupInboxes.confirmDelete", { name: inbox.name, number: inbox.number });
    if (!(await confirmDialog(question, t("common.delete")))) return;
    try {
      await api.delete(`${INBOXES}/${inbox.id}`);
      toast(t("groupInboxes.deleted", { name: inbox.name, number: inbox.number }));
      if (this.editing?.id === inbox.id) this.close();
      await this.load(false);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private async addNumber(e: Event): Promise<void> {
    e.preventDefault();
    if (this.numberBusy) return;
    const d = this.numberDraft;
    this.numberBusy = true;
    this.numberErrors = {};
    try {
      const body = { number: d.number.replace(/\s+/g, ""), kind: d.kind, inbox_id: d.kind === "group_inbox" && d.inboxId ? Number(d.inboxId) : null };
      const saved = await api.post<VoicemailNumber>(NUMBERS, body);
      toast(t("groupInboxes.numberCreated", { number: saved.number }));
      this.numberDraft = { number: "", kind: d.kind, inboxId: d.inboxId };
      await this.load(false);
    } catch (err) {
      if (err instanceof ApiError && err.fields && Object.keys(err.fields).length) {
        this.numberErrors = err.fields;
        focusFirstError(this);
      } else toast(errorText(err), "error");
    } finally {
      this.numberBusy = false;
    }
  }

  private async deleteNumber(number: VoicemailNumber): Promise<void> {
    if (!(await confirmDialog(t("groupInboxes.confirmDeleteNumber", { number: number.number }), t("common.delete")))) return;
    try {
      await api.delete(`${NUMBERS}/${number.number}`);
      toast(t("groupInboxes.numberDeleted", { number: number.number }));
      await this.load(false);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  protected override render(): TemplateResult {
    const head = pageHeading(
      t("groupInboxes.title"),
      this.inboxes && !this.draft ? html`<button type="button" id="gi-new" @click=${() => this.open(null)}>${t("groupInboxes.new")}</button>` : undefined,
    );
    let body: TemplateResult;
    if (this.off) body = html`<div class="notice warn" role="status" data-testid="group-inboxes-off"><p><strong>${t("groupInboxes.off")}</strong></p></div>`;
    else if (this.loadError) body = errorView(this.loadError, () => void this.load(true));
    else if (!this.inboxes) body = loadingView();
    else body = html`${this.draft ? this.form(this.draft) : nothing}${this.table(this.inboxes)}${this.numbersSection(this.inboxes)}`;
    return html`<section class="page group-inboxes-page">
      ${head}
      <p class="muted">${t("groupInboxes.intro")}</p>
      ${body}
    </section>`;
  }

  private groupNames(ids: number[]): string {
    const names = ids.map((id) => this.userGroups.find((g) => g.id === id)?.name ?? `#${id}`);
    return names.length ? names.join(", ") : t("common.none");
  }

  private table(inboxes: GroupInbox[]): TemplateResult {
    if (!inboxes.length) return html`<p class="empty" data-testid="group-inboxes-empty">${t("groupInboxes.empty")}</p>`;
    const col = { name: t("groupInboxes.name"), number: t("groupInboxes.number"), members: t("groupInboxes.memberGroups"), messages: t("groupInboxes.messages") };
    return html`<div class="table-wrap">
      <table class="data responsive" data-testid="group-inboxes">
        <caption class="sr-only">${t("groupInboxes.title")}</caption>
        <thead><tr>
          <th scope="col">${col.name}</th><th scope="col">${col.number}</th><th scope="col">${col.members}</th>
          <th scope="col">${col.messages}</th><th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
        </tr></thead>
        <tbody>
          ${inboxes.map(
            (i) => html`<tr data-testid="group-inbox" data-number=${i.number} class=${this.editing?.id === i.id ? "selected" : ""}>
              <td data-label=${col.name}>${i.name}</td>
              <td data-label=${col.number} class="num">${i.number}</td>
              <td data-label=${col.members}>${this.groupNames(i.member_groups)}</td>
              <td data-label=${col.messages}>${t("groupInboxes.counts", { new: i.new, old: i.old })}</td>
              <td class="entry-actions"><div class="actions">
                <button type="button" class="secondary small" aria-label=${t("groupInboxes.editFor", { name: i.name })}
                  @click=${() => this.open(i)}>${t("common.edit")}</button>
                <button type="button" class="danger small" aria-label=${t("groupInboxes.deleteFor", { name: i.name })}
                  @click=${() => void this.deleteInbox(i)}>${t("common.delete")}</button>
              </div></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private form(d: Draft): TemplateResult {
    const editing = this.editing;
    const groups = (id: string, key: GroupListKey, legend: string, hint: string, required = false): TemplateResult => {
      const error = this.errors[FIELD_OF[key]] ?? undefined;
      return html`<fieldset class="checks ${error ? "has-error" : ""}" id=${id} data-testid=${id}>
        <legend>${legend}${required ? html`<span class="req" aria-hidden="true"> *</span>` : nothing}</legend>
        <p class="hint" id="${id}-hint">${hint}</p>
        ${this.userGroups.length
          ? html`<div class="checks-inline">${this.userGroups.map(
              (g, n) => html`<div class="field checkbox">
                <input type="checkbox" id="${id}-${g.id}" .checked=${live(d[key].has(g.id))} aria-invalid=${error && n === 0 ? "true" : "false"}
                  aria-describedby="${id}-hint ${id}-error" @change=${(e: Event) => this.toggle(key, g.id, (e.target as HTMLInputElement).checked)} />
                <label for="${id}-${g.id}">${g.name}</label>
              </div>`,
            )}</div>`
          : html`<p class="muted">${t("groupInboxes.noUserGroups")}</p>`}
        <div class="field-error" id="${id}-error" aria-live="polite">${error ?? ""}</div>
      </fieldset>`;
    };
    return html`<form class="card" novalidate data-testid="group-inbox-form" aria-labelledby="gi-form-title" @submit=${(e: Event) => void this.save(e)}>
      <h2 id="gi-form-title">${editing ? t("groupInboxes.editTitle", { name: editing.name }) : t("groupInboxes.new")}</h2>
      ${formError(this.error, "gi-form-error")}
      <div class="grid three">
        ${textField({ id: "gi-name", label: t("groupInboxes.name"), value: d.name, required: true, error: this.errors["name"], autocomplete: "off", onInput: (v) => this.set("name", v) })}
        ${textField({ id: "gi-number", label: t("groupInboxes.number"), value: d.number, required: true, error: this.errors["number"], hint: t("groupInboxes.numberHint"), inputmode: "tel", autocomplete: "off", onInput: (v) => this.set("number", v) })}
        ${textField({ id: "gi-code", label: t("groupInboxes.code"), value: d.code, required: true, error: this.errors["code"], hint: t("groupInboxes.codeHint"), inputmode: "numeric", autocomplete: "off", onInput: (v) => this.set("code", v) })}
      </div>
      <div class="grid three">
        ${textField({ id: "gi-pin", label: t("groupInboxes.pin"), value: d.pin, type: "password", error: this.errors["pin"], hint: editing?.has_pin ? t("groupInboxes.pinKeepHint") : t("groupInboxes.pinHint"), inputmode: "numeric", autocomplete: "new-password", onInput: (v) => this.set("pin", v) })}
        <div>
          ${editing?.has_pin ? checkboxField({ id: "gi-remove-pin", label: t("groupInboxes.removePin"), checked: d.removePin, onChange: (v) => this.set("removePin", v) }) : nothing}
          ${checkboxField({ id: "gi-anonymous", label: t("groupInboxes.allowAnonymous"), hint: t("groupInboxes.allowAnonymousHint"), checked: d.allowAnonymous, error: this.errors["allow_anonymous_after_pin"], onChange: (v) => this.set("allowAnonymous", v) })}
          ${checkboxField({ id: "gi-exclude", label: t("groupInboxes.excludeFromSearch"), checked: d.excludeFromSearch, onChange: (v) => this.set("excludeFromSearch", v) })}
        </div>
        ${schemaFieldView({ id: "gi-greeting", field: { type: "string", format: "prompt" }, label: t("groupInboxes.greeting"), hint: t("groupInboxes.greetingHint"), value: d.greetingPrompt, required: false, error: this.errors["greeting_prompt"], onChange: (v) => this.set("greetingPrompt", String(v ?? "")) })}
      </div>
      ${groups("gi-member-groups", "memberGroups", t("groupInboxes.memberGroups"), t("groupInboxes.memberGroupsHint"), true)}
      <div class="grid two">
        ${groups("gi-sms-groups", "smsGroups", t("groupInboxes.smsGroups"), t("groupInboxes.smsGroupsHint"))}
        ${groups("gi-email-groups", "emailGroups", t("groupInboxes.emailGroups"), t("groupInboxes.emailGroupsHint"))}
      </div>
      <div class="actions">
        <button type="button" class="secondary" @click=${() => this.close()}>${t("common.cancel")}</button>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button>
      </div>
    </form>`;
  }

  private numbersSection(inboxes: GroupInbox[]): TemplateResult {
    const d = this.numberDraft;
    const setNumber = (changes: Partial<NumberDraft>, field: string): void => {
      this.numberDraft = { ...d, ...changes };
      if (field in this.numberErrors) this.numberErrors = { ...this.numberErrors, [field]: undefined };
    };
    return html`<section class="card" aria-labelledby="vn-title" data-testid="voicemail-numbers">
      <h2 id="vn-title">${t("groupInboxes.numbersTitle")}</h2>
      <p class="muted">${t("groupInboxes.numbersIntro")}</p>
      ${this.numbers.length
        ? html`<ul class="plain" data-testid="voicemail-number-list">${this.numbers.map(
            (n) => html`<li data-testid="voicemail-number" data-number=${n.number}>
              <span class="num">${n.number}</span> — ${numberKindText(n, inboxes)}
              <button type="button" class="danger small" aria-label=${t("groupInboxes.deleteNumberFor", { number: n.number })}
                @click=${() => void this.deleteNumber(n)}>${t("common.delete")}</button>
            </li>`,
          )}</ul>`
        : html`<p class="empty" data-testid="voicemail-numbers-empty">${t("groupInboxes.numbersEmpty")}</p>`}
      <form novalidate data-testid="voicemail-number-form" @submit=${(e: Event) => void this.addNumber(e)}>
        <div class="grid three">
          ${textField({ id: "vn-number", label: t("groupInboxes.number"), value: d.number, required: true, error: this.numberErrors["number"], inputmode: "numeric", autocomplete: "off", onInput: (v) => setNumber({ number: v }, "number") })}
          ${selectField({ id: "vn-kind", label: t("groupInboxes.kind"), value: d.kind, options: NUMBER_KINDS.map((k): [string, string] => [k, t(k === "user_inbox" ? "groupInboxes.kindUser" : "groupInboxes.kindGroup")]), error: this.numberErrors["kind"], onInput: (v) => setNumber({ kind: v as NumberKind }, "kind") })}
          ${d.kind === "group_inbox"
            ? selectField({ id: "vn-inbox", label: t("groupInboxes.inbox"), value: d.inboxId, options: [["", "—"], ...inboxes.map((i): [string, string] => [String(i.id), `${i.name} (${i.number})`])], error: this.numberErrors["inbox_id"], onInput: (v) => setNumber({ inboxId: v }, "inbox_id") })
            : nothing}
        </div>
        <div class="actions"><button type="submit" ?disabled=${this.numberBusy}>${t("groupInboxes.addNumber")}</button></div>
      </form>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "cb-group-inboxes": CbGroupInboxes;
  }
}
