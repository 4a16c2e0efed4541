/**
 * Group inboxes and voicemail numbers (admin, GIB-01..07). A group inbox is a mailbox of user groups
 * with its own number: callers hear its greeting and leave a message; the users of the member groups
 * listen (in the web UI, or at a voicemail number after the inbox's code); the users of the SMS and
 * e-mail groups are told of new messages. The first section lists the inboxes with "New group inbox"
 * and "Edit" opening the form (name, number, code, PIN, anonymous callers after the PIN, exclude from
 * contact search, greeting prompt, the member, SMS and e-mail groups); the second the voicemail
 * numbers (number, type: the caller's own mailbox or a group inbox's), added or changed ("Edit")
 * in the form below them. The server's refusals are shown next to their fields; deleting asks
 * first. Administrators also choose the user groups that administer an inbox (ROLE-04, GIB-06):
 * their members find the page under "Group administration" with just those inboxes, and change
 * them, but create, delete and number nothing.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { errorText } from "../base";
import { CrudPage, checkList, toggled, type Column, type Errors } from "../crud-page";
import { confirmDialog } from "../dialog";
import { checkboxField, focusFirstError, focusWhenRendered, formError, selectField, textField } from "../forms";
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
import { session, toast } from "../session";
import type { Group } from "../types";

const INBOXES = "/api/voicemail/group-inboxes";
const NUMBERS = "/api/voicemail/numbers";

export interface NumberDraft {
  number: string;
  kind: NumberKind;
  inboxId: string;
}

/** A voicemail number as its form edits it (GIB-07). */
export function numberDraftOf(n: VoicemailNumber): NumberDraft {
  return { number: n.number, kind: n.kind, inboxId: n.inbox_id === null ? "" : String(n.inbox_id) };
}

/** The body of POST or PUT …/voicemail/numbers: the number without spaces; an inbox only for a group inbox. */
export function numberBody(d: NumberDraft): { number: string; kind: NumberKind; inbox_id: number | null } {
  return { number: d.number.replace(/\s+/g, ""), kind: d.kind, inbox_id: d.kind === "group_inbox" && d.inboxId ? Number(d.inboxId) : null };
}

@customElement("cb-group-inboxes")
export class CbGroupInboxes extends CrudPage<GroupInbox, Draft> {
  @state() private numbers: VoicemailNumber[] = [];
  @state() private userGroups: Group[] = [];
  @state() private numberDraft: NumberDraft = { number: "", kind: "user_inbox", inboxId: "" };
  @state() private numberErrors: Errors = {};
  @state() private numberBusy = false;
  @state() private numberError = "";
  /** The voicemail number the number form changes; null while it adds one. */
  @state() private editingNumber: VoicemailNumber | null = null;

  protected readonly crud = {
    url: INBOXES,
    ns: "groupInboxes",
    prefix: "gi",
    // A group administrator has no "New group inbox" to go back to: the focus returns to "Edit".
    editIds: !session.isAdmin,
    testIds: { page: "group-inboxes", row: "group-inbox", form: "group-inbox-form" },
    emptyDraft,
    draftErrors,
    bodyOf,
  } as const;

  protected async fetchEntries(): Promise<GroupInbox[]> {
    // ROLE-04: a group administrator gets only the inboxes they administer, and no voicemail numbers.
    const [inboxes, numbers, userGroups] = await Promise.all([
      api.get<GroupInbox[]>(INBOXES),
      session.isAdmin ? api.get<VoicemailNumber[]>(NUMBERS) : Promise.resolve([]),
      api.get<Group[]>("/api/groups"),
    ]);
    [this.numbers, this.userGroups] = [numbers, userGroups];
    return inboxes;
  }

  protected draftOf(inbox: GroupInbox): Draft {
    return draftOf(inbox, new Set(this.userGroups.map((g) => g.id)), session.isAdmin);
  }

  /** ROLE-04, GIB-06: a group administrator changes inboxes but neither creates nor deletes them. */
  protected override get mayAddAndDelete(): boolean {
    return session.isAdmin;
  }

  private set<K extends keyof Draft>(key: K, value: Draft[K]): void {
    this.change({ [key]: value } as Partial<Draft>, FIELD_OF[key]);
  }

  private async addNumber(e: Event): Promise<void> {
    e.preventDefault();
    if (this.numberBusy) return;
    const d = this.numberDraft;
    const editing = this.editingNumber;
    this.numberBusy = true;
    this.numberErrors = {};
    this.numberError = "";
    try {
      if (editing) {
        const saved = await api.put<VoicemailNumber>(`${NUMBERS}/${encodeURIComponent(editing.number)}`, numberBody(d));
        toast(t("adminEdits.numberSaved", { number: saved.number }));
        await this.load(false);
        this.stopEditingNumber(saved.number);
        return;
      }
      const saved = await api.post<VoicemailNumber>(NUMBERS, numberBody(d));
      toast(t("groupInboxes.numberCreated", { number: saved.number }));
      this.numberDraft = { number: "", kind: d.kind, inboxId: d.inboxId };
      await this.load(false);
    } catch (err) {
      if (err instanceof ApiError && err.fields && Object.keys(err.fields).length) {
        this.numberErrors = err.fields;
        focusFirstError(this.querySelector("[data-testid=voicemail-number-form]") ?? this);
      } else if (editing) {
        this.numberError = errorText(err);
        focusFirstError(this.querySelector("[data-testid=voicemail-number-form]") ?? this);
      } else toast(errorText(err), "error");
    } finally {
      this.numberBusy = false;
    }
  }

  /** GIB-07: Edit fills the number form with the voicemail number; the focus goes to its number. */
  private editNumber(n: VoicemailNumber): void {
    this.editingNumber = n;
    this.numberDraft = numberDraftOf(n);
    this.numberErrors = {};
    this.numberError = "";
    void focusWhenRendered(this, "#vn-number");
  }

  /** Back to adding; the focus returns to the number's Edit button (``number``: as saved). */
  private stopEditingNumber(number?: string): void {
    const was = this.editingNumber;
    this.editingNumber = null;
    this.numberDraft = { number: "", kind: "user_inbox", inboxId: "" };
    this.numberErrors = {};
    this.numberError = "";
    if (was) void focusWhenRendered(this, `#vn-edit-${CSS.escape(number ?? was.number)}`);
  }

  private async deleteNumber(number: VoicemailNumber): Promise<void> {
    if (!(await confirmDialog(t("groupInboxes.confirmDeleteNumber", { number: number.number }), t("common.delete")))) return;
    try {
      await api.delete(`${NUMBERS}/${number.number}`);
      if (this.editingNumber?.number === number.number) this.stopEditingNumber();
      toast(t("groupInboxes.numberDeleted", { number: number.number }));
      await this.load(false);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  protected override afterList(inboxes: GroupInbox[]): TemplateResult | typeof nothing {
    return session.isAdmin ? this.numbersSection(inboxes) : nothing;
  }

  private groupNames(ids: number[]): string {
    const names = ids.map((id) => this.userGroups.find((g) => g.id === id)?.name ?? `#${id}`);
    return names.length ? names.join(", ") : t("common.none");
  }

  protected columns(): Array<Column<GroupInbox>> {
    return [
      { label: t("groupInboxes.name"), cell: (i) => i.name },
      { label: t("groupInboxes.number"), num: true, cell: (i) => i.number },
      { label: t("groupInboxes.memberGroups"), cell: (i) => this.groupNames(i.member_groups) },
      { label: t("groupInboxes.messages"), cell: (i) => t("groupInboxes.counts", { new: i.new, old: i.old }) },
    ];
  }

  protected fields(d: Draft): TemplateResult {
    const editing = this.editing;
    const groups = (id: string, key: GroupListKey, legend: string, hint: string, required = false): TemplateResult =>
      checkList({
        id,
        legend,
        hint,
        items: this.userGroups.map((g) => [g.id, g.name]),
        chosen: d[key],
        toggle: (group, on) => this.set(key, toggled(d[key], group, on)),
        error: this.errors[FIELD_OF[key]],
        empty: t("groupInboxes.noUserGroups"),
        required,
      });
    return html`<div class="grid three">
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
    ${this.adminGroupsField(d.adminGroups)}`;
  }

  /** ROLE-04, GIB-06: only an administrator's form chooses who administers the inbox. */
  private adminGroupsField(chosen: Set<number> | null): TemplateResult | typeof nothing {
    if (!chosen) return nothing;
    return checkList({
      id: "gi-admin-groups",
      legend: t("groupInboxes.adminGroups"),
      hint: t("groupInboxes.adminGroupsHint"),
      items: this.userGroups.map((g) => [g.id, g.name]),
      chosen,
      toggle: (group, on) => this.set("adminGroups", toggled(chosen, group, on)),
      error: this.errors[FIELD_OF.adminGroups],
      empty: t("groupInboxes.noUserGroups"),
    });
  }

  private numbersSection(inboxes: GroupInbox[]): TemplateResult {
    const d = this.numberDraft;
    const editing = this.editingNumber;
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
              <button type="button" id="vn-edit-${n.number}" class="secondary small"
                aria-label=${t("adminEdits.editNumber", { number: n.number })} @click=${() => this.editNumber(n)}>${t("common.edit")}</button>
              <button type="button" class="danger small" aria-label=${t("groupInboxes.deleteNumberFor", { number: n.number })}
                @click=${() => void this.deleteNumber(n)}>${t("common.delete")}</button>
            </li>`,
          )}</ul>`
        : html`<p class="empty" data-testid="voicemail-numbers-empty">${t("groupInboxes.numbersEmpty")}</p>`}
      <form novalidate data-testid="voicemail-number-form" @submit=${(e: Event) => void this.addNumber(e)}
        aria-label=${editing ? t("adminEdits.editNumberTitle", { number: editing.number }) : t("groupInboxes.addNumber")}>
        ${editing ? html`<h3>${t("adminEdits.editNumberTitle", { number: editing.number })}</h3>` : nothing}
        ${formError(this.numberError, "vn-error")}
        <div class="grid three">
          ${textField({ id: "vn-number", label: t("groupInboxes.number"), value: d.number, required: true, error: this.numberErrors["number"], inputmode: "numeric", autocomplete: "off", onInput: (v) => setNumber({ number: v }, "number") })}
          ${selectField({ id: "vn-kind", label: t("groupInboxes.kind"), value: d.kind, options: NUMBER_KINDS.map((k): [string, string] => [k, t(k === "user_inbox" ? "groupInboxes.kindUser" : "groupInboxes.kindGroup")]), error: this.numberErrors["kind"], onInput: (v) => setNumber({ kind: v as NumberKind }, "kind") })}
          ${d.kind === "group_inbox"
            ? selectField({ id: "vn-inbox", label: t("groupInboxes.inbox"), value: d.inboxId, options: [["", "—"], ...inboxes.map((i): [string, string] => [String(i.id), `${i.name} (${i.number})`])], error: this.numberErrors["inbox_id"], onInput: (v) => setNumber({ inboxId: v }, "inbox_id") })
            : nothing}
        </div>
        <div class="actions">
          ${editing ? html`<button type="button" class="secondary" @click=${() => this.stopEditingNumber()}>${t("common.cancel")}</button>` : nothing}
          <button type="submit" ?disabled=${this.numberBusy}>${editing ? t("common.save") : t("groupInboxes.addNumber")}</button>
        </div>
      </form>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "cb-group-inboxes": CbGroupInboxes;
  }
}
