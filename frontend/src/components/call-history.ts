/**
 * <cb-call-history>: the call history table with filters, paging and CSV export (CDR-01, CDR-02,
 * CDR-08). ``own`` shows the logged-in person's own list (the API enforces it for users; an admin
 * asks for theirs with ``mine``), where each call has the person's note, edited in place, and can be
 * removed from the list (CDR-04; the central journal keeps it); otherwise every call, with a user
 * filter and everyone's notes. New calls appear as they end.
 * The filters and the page live in the address (?since=&until=&user=&result=&q=&page=), so a
 * filtered list can be bookmarked or linked to, for example from a user's page.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, fieldErrors, loadingView } from "../base";
import { RESULTS, formatClock, formatDateTime, party, resultBadge, type CallRow } from "../calls";
import { confirmDialog } from "../dialog";
import { selectField, textField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { session, toast } from "../session";
import type { User } from "../types";
import { live } from "../ws";

export const PAGE_SIZE = 25;
/** The longest note the API takes (core/calls/history.py NOTE_MAX). */
export const NOTE_MAX = 500;

/** A user's note on a call, as the administrator's journal lists them. */
export interface CallNote {
  user_id: number;
  username: string;
  note: string;
}

/** A row of GET /api/calls: the person's ``note`` in their own list, everyone's ``notes`` in the journal. */
export interface HistoryRow extends CallRow {
  note?: string;
  notes?: CallNote[];
}

interface Filters {
  since: string;
  until: string;
  user: string;
  result: string;
  search: string;
}

const EMPTY: Filters = { since: "", until: "", user: "", result: "", search: "" };
const URL_NAMES: Record<keyof Filters, string> = { since: "since", until: "until", user: "user", result: "result", search: "q" };

/** Local midnight of a yyyy-mm-dd date, in epoch seconds; ``days`` later when given. */
function dayStart(date: string, days = 0): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days).getTime() / 1000;
}

@customElement("cb-call-history")
export class CbCallHistory extends LightElement {
  @property({ type: Boolean }) own = false;
  @state() private rows: HistoryRow[] | null = null;
  /** The call whose note is being edited, the text in its field, and the outcome of saving it. */
  @state() private editing: string | null = null;
  @state() private draft = "";
  @state() private noteError = "";
  @state() private busy = false;
  @state() private more = false;
  @state() private page = 0;
  @state() private error = "";
  @state() private filters: Filters = { ...EMPTY };
  @state() private users: User[] = [];
  private requestNo = 0;
  private searchTimer: number | undefined;
  private readonly onEvent = (e: Event) => {
    // Sent once ended calls are committed (not at call.ended, when the row may not be written yet).
    if ((e as CustomEvent<{ eventType: string }>).detail.eventType === "call_history.saved") void this.load(false);
  };
  private readonly onResync = () => void this.load(false);

  override connectedCallback(): void {
    super.connectedCallback();
    this.readAddress();
    live.addEventListener("bus-event", this.onEvent);
    live.addEventListener("resync", this.onResync);
    void this.load(true);
    if (!this.own) void this.loadUsers();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("bus-event", this.onEvent);
    live.removeEventListener("resync", this.onResync);
    window.clearTimeout(this.searchTimer);
  }

  private readAddress(): void {
    const params = new URLSearchParams(location.search);
    const filters = { ...EMPTY };
    for (const [name, param] of Object.entries(URL_NAMES) as Array<[keyof Filters, string]>) {
      filters[name] = params.get(param) ?? "";
    }
    if (this.own) filters.user = "";
    this.filters = filters;
    const page = Number(params.get("page") ?? "1");
    this.page = Number.isInteger(page) && page > 1 ? page - 1 : 0;
  }

  /** Keep the address in step with the filters (replaceState: no new history entry per keystroke). */
  private writeAddress(): void {
    const params = new URLSearchParams();
    for (const [name, param] of Object.entries(URL_NAMES) as Array<[keyof Filters, string]>) {
      if (this.filters[name]) params.set(param, this.filters[name]);
    }
    if (this.page > 0) params.set("page", String(this.page + 1));
    const query = params.toString();
    const next = location.pathname + (query ? `?${query}` : "");
    if (next !== location.pathname + location.search) history.replaceState(history.state, "", next);
  }

  private async loadUsers(): Promise<void> {
    try {
      const users = await api.get<User[]>("/api/users");
      this.users = users.sort((a, b) => (a.extension ?? "~").localeCompare(b.extension ?? "~") || a.username.localeCompare(b.username));
    } catch {
      this.users = []; // the filter then offers "all users" only; the table still works
    }
  }

  private rangeError(): string {
    const since = dayStart(this.filters.since);
    const until = dayStart(this.filters.until);
    return since !== null && until !== null && until < since ? t("calls.rangeOrder") : "";
  }

  /** The query of the current filters (without paging), as both the table and the CSV use it. */
  private query(): URLSearchParams {
    const f = this.filters;
    const params = new URLSearchParams();
    if (this.own) params.set("mine", "1");
    else if (f.user) params.set("user_id", f.user);
    if (f.result) params.set("result", f.result);
    if (f.search.trim()) params.set("search", f.search.trim());
    const since = dayStart(f.since);
    const until = dayStart(f.until, 1);
    if (since !== null) params.set("since", String(since));
    if (until !== null) params.set("until", String(until));
    return params;
  }

  private async load(showLoading: boolean): Promise<void> {
    if (this.rangeError()) return;
    const no = ++this.requestNo;
    if (showLoading) this.rows = null;
    this.writeAddress();
    const params = this.query();
    params.set("limit", String(PAGE_SIZE + 1)); // one more than shown: is there a next page?
    params.set("offset", String(this.page * PAGE_SIZE));
    try {
      const rows = await api.get<HistoryRow[]>(`/api/calls?${params.toString()}`);
      if (no !== this.requestNo) return;
      if (!rows.length && this.page > 0) {
        this.page -= 1; // the page emptied (a filter or a deletion): show the last one with rows
        void this.load(showLoading);
        return;
      }
      this.more = rows.length > PAGE_SIZE;
      this.rows = rows.slice(0, PAGE_SIZE);
      this.error = "";
    } catch (err) {
      if (no === this.requestNo) this.error = errorText(err);
    }
  }

  private setFilter(name: keyof Filters, value: string): void {
    this.filters = { ...this.filters, [name]: value };
    this.page = 0;
    window.clearTimeout(this.searchTimer);
    if (name === "search") this.searchTimer = window.setTimeout(() => void this.load(true), 300);
    else void this.load(true);
  }

  private goTo(page: number): void {
    this.page = page;
    void this.load(true);
  }

  private csvHref(): string {
    const params = this.query();
    params.set("tz", Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
    return `/api/calls.csv?${params.toString()}`;
  }

  private filtersView(): TemplateResult {
    const f = this.filters;
    const rangeError = this.rangeError();
    const userOptions: Array<[string, string]> = [
      ["", t("calls.allUsers")],
      ...this.users.map((u): [string, string] => [String(u.id), `${u.extension ? `${u.extension} – ` : ""}${`${u.first_name} ${u.last_name}`.trim() || u.username}`]),
    ];
    const resultOptions: Array<[string, string]> = [["", t("calls.allResults")], ...RESULTS.map((r): [string, string] => [r, t(`calls.result.${r}` as MessageKey)])];
    const filtered = Object.values(f).some(Boolean);
    return html`<div class="filters">
      <div class="field grow">
        <label for="calls-search">${t("calls.search")}</label>
        <input id="calls-search" type="search" .value=${f.search} aria-describedby="calls-search-hint" maxlength="100"
          @input=${(e: Event) => this.setFilter("search", (e.target as HTMLInputElement).value)} />
        <div class="hint" id="calls-search-hint">${this.own ? t("calls.searchHintOwn") : t("calls.searchHint")}</div>
      </div>
      ${textField({ id: "calls-since", label: t("calls.since"), type: "date", value: f.since, onInput: (v) => this.setFilter("since", v) })}
      ${textField({ id: "calls-until", label: t("calls.until"), type: "date", value: f.until, error: rangeError, onInput: (v) => this.setFilter("until", v) })}
      ${this.own ? nothing : selectField({ id: "calls-user", label: t("calls.user"), value: f.user, options: userOptions, onInput: (v) => this.setFilter("user", v) })}
      ${selectField({ id: "calls-result", label: t("calls.result"), value: f.result, options: resultOptions, onInput: (v) => this.setFilter("result", v) })}
      ${filtered
        ? html`<div class="field"><button type="button" class="secondary small" @click=${() => {
            this.filters = { ...EMPTY };
            this.page = 0;
            void this.load(true);
          }}>${t("calls.clear")}</button></div>`
        : nothing}
    </div>`;
  }

  private direction(row: CallRow): TemplateResult {
    const me = session.user?.id;
    const out = row.caller_user_id === me;
    const into = row.callee_user_id === me;
    const key: MessageKey = out && into ? "calls.internal" : out ? "calls.outgoing" : "calls.incoming";
    return html`<span aria-hidden="true">${out && !into ? "↗" : "↙"}</span> ${t(key)}`;
  }

  private startEdit(row: HistoryRow): void {
    this.editing = row.id;
    this.draft = row.note ?? "";
    this.noteError = "";
    void this.updateComplete.then(() => this.querySelector<HTMLInputElement>(`#call-note-${CSS.escape(row.id)}`)?.focus());
  }

  private stopEdit(row: HistoryRow): void {
    this.editing = null;
    this.noteError = "";
    void this.updateComplete.then(() => this.querySelector<HTMLButtonElement>(`[data-note-edit="${CSS.escape(row.id)}"]`)?.focus());
  }

  private async saveNote(row: HistoryRow): Promise<void> {
    const note = this.draft.trim();
    if (note.length > NOTE_MAX) {
      this.noteError = t("calls.noteTooLong", { max: NOTE_MAX });
      return;
    }
    this.busy = true;
    try {
      const saved = await api.put<{ id: string; note: string }>(`/api/calls/${encodeURIComponent(row.id)}/note`, { note });
      this.rows = (this.rows ?? []).map((r) => (r.id === row.id ? { ...r, note: saved.note } : r));
      this.stopEdit(row);
      toast(saved.note ? t("calls.noteSaved") : t("calls.noteRemoved"));
    } catch (err) {
      this.noteError = fieldErrors(err)["note"] ?? errorText(err);
    } finally {
      this.busy = false;
    }
  }

  private async removeCall(row: HistoryRow): Promise<void> {
    const time = formatDateTime(row.started);
    if (!(await confirmDialog(t("calls.confirmRemove", { time }), t("calls.remove")))) return;
    try {
      await api.delete(`/api/calls/${encodeURIComponent(row.id)}/mine`);
      if (this.editing === row.id) this.editing = null;
      toast(t("calls.removed"));
      await this.load(false);
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  /** The person's note on a call: its text and an edit button, or the field being edited. */
  private noteCell(row: HistoryRow): TemplateResult {
    const time = formatDateTime(row.started);
    if (this.editing === row.id) {
      const id = `call-note-${row.id}`;
      return html`<form class="note-edit" data-testid="call-note-form" @submit=${(e: Event) => {
          e.preventDefault();
          void this.saveNote(row);
        }}>
        <input id=${id} type="text" maxlength=${NOTE_MAX} .value=${this.draft} data-testid="call-note-input"
          aria-label=${t("calls.noteLabel", { time })} aria-invalid=${this.noteError ? "true" : "false"}
          aria-describedby=${this.noteError ? `${id}-error` : nothing}
          @input=${(e: Event) => (this.draft = (e.target as HTMLInputElement).value)}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === "Escape") {
              e.preventDefault();
              this.stopEdit(row);
            }
          }} />
        <div class="actions start">
          <button type="submit" class="small" ?disabled=${this.busy}>${this.busy ? t("common.saving") : t("common.save")}</button>
          <button type="button" class="secondary small" @click=${() => this.stopEdit(row)}>${t("common.cancel")}</button>
        </div>
        ${this.noteError ? html`<div class="field-error" id="${id}-error" role="alert">${this.noteError}</div>` : nothing}
      </form>`;
    }
    return html`${row.note ? html`<span data-testid="call-note">${row.note}</span> ` : nothing}<button type="button" class="link small"
        data-note-edit=${row.id} aria-label=${row.note ? t("calls.editNoteLabel", { time }) : t("calls.addNoteLabel", { time })}
        @click=${() => this.startEdit(row)}>${row.note ? t("calls.editNote") : t("calls.addNote")}</button>`;
  }

  /** Everyone's notes on a call in the journal: "anna: call back". */
  private notesCell(row: HistoryRow): TemplateResult {
    const notes = row.notes ?? [];
    if (!notes.length) return html`—`;
    return html`<ul data-testid="call-notes" style="list-style: none; margin: 0; padding: 0">
      ${notes.map((n) => html`<li><span class="muted">${n.username || n.user_id}:</span> ${n.note}</li>`)}
    </ul>`;
  }

  private table(rows: HistoryRow[]): TemplateResult {
    const showNotes = !this.own && rows.some((r) => r.notes?.length);
    return html`<div class="table-wrap">
      <table class="data responsive" data-testid="call-history">
        <caption class="sr-only">${this.own ? t("calls.myTitle") : t("calls.title")}</caption>
        <thead>
          <tr>
            <th scope="col">${t("calls.started")}</th>
            ${this.own ? html`<th scope="col">${t("calls.direction")}</th>` : nothing}
            <th scope="col">${t("calls.from")}</th>
            <th scope="col">${t("calls.to")}</th>
            <th scope="col">${t("calls.duration")}</th>
            <th scope="col">${t("calls.result")}</th>
            ${this.own ? html`<th scope="col">${t("calls.note")}</th><th scope="col"><span class="sr-only">${t("calls.actions")}</span></th>` : nothing}
            ${showNotes ? html`<th scope="col">${t("calls.notes")}</th>` : nothing}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) => html`<tr data-testid="call-row" data-call=${r.id}>
              <td data-label=${t("calls.started")}>${formatDateTime(r.started)}</td>
              ${this.own ? html`<td data-label=${t("calls.direction")}>${this.direction(r)}</td>` : nothing}
              <td data-label=${t("calls.from")}>${party(r.caller, r.caller_name)}</td>
              <td data-label=${t("calls.to")}>${party(r.callee, r.callee_name)}</td>
              <td data-label=${t("calls.duration")} class="num">${r.answered === null ? "—" : formatClock(r.duration)}</td>
              <td data-label=${t("calls.result")} title=${r.reason || nothing}>${resultBadge(r.result)}${r.route
                ? html`<div class="muted small" data-testid="call-route">${r.route}</div>`
                : nothing}</td>
              ${this.own
                ? html`<td data-label=${t("calls.note")}>${this.noteCell(r)}</td>
                    <td><button type="button" class="danger small" data-testid="call-remove"
                      aria-label=${t("calls.removeLabel", { time: formatDateTime(r.started) })}
                      @click=${() => void this.removeCall(r)}>${t("calls.remove")}</button></td>`
                : nothing}
              ${showNotes ? html`<td data-label=${t("calls.notes")}>${this.notesCell(r)}</td>` : nothing}
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private pager(count: number): TemplateResult {
    if (this.page === 0 && !this.more) return html``;
    const first = this.page * PAGE_SIZE + 1;
    return html`<nav class="pager" aria-label=${t("calls.pages")}>
      <button type="button" class="secondary small" ?disabled=${this.page === 0} @click=${() => this.goTo(this.page - 1)}>← ${t("calls.previous")}</button>
      <span data-testid="call-page">${t("calls.page", { page: this.page + 1 })} · ${t("calls.range", { first, last: first + count - 1 })}</span>
      <button type="button" class="secondary small" ?disabled=${!this.more} @click=${() => this.goTo(this.page + 1)}>${t("calls.next")} →</button>
    </nav>`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.error) body = errorView(this.error, () => void this.load(true));
    else if (!this.rows) body = loadingView();
    else if (!this.rows.length) {
      const filtered = Object.values(this.filters).some(Boolean);
      body = html`<p class="empty" data-testid="call-history-empty">${filtered ? t("calls.noMatch") : t("calls.empty")}</p>`;
    } else body = html`${this.table(this.rows)}${this.pager(this.rows.length)}`;
    return html`${this.filtersView()}
      <div class="row-between table-head">
        <span></span>
        <a class="button secondary small" href=${this.csvHref()} download="cordboard-calls.csv" data-testid="calls-export">${t("calls.export")}</a>
      </div>
      ${body}
      ${this.own ? html`<p class="hint" data-testid="calls-remove-hint">${t("calls.removeHint")}</p>` : nothing}`;
  }
}
