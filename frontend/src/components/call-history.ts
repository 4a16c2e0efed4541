/**
 * <cb-call-history>: the call history table with filters, paging and CSV export (CDR-01, CDR-02,
 * CDR-08). ``own`` shows only the logged-in person's calls (the API enforces it for users; an admin
 * asks for their own id); otherwise every call, with a user filter. New calls appear as they end.
 * The filters and the page live in the address (?since=&until=&user=&result=&q=&page=), so a
 * filtered list can be bookmarked or linked to, for example from a user's page.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView } from "../base";
import { RESULTS, formatClock, formatDateTime, party, resultBadge, type CallRow } from "../calls";
import { selectField, textField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { session } from "../session";
import type { User } from "../types";
import { live, type StateChange } from "../ws";

export const PAGE_SIZE = 25;

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
  @state() private rows: CallRow[] | null = null;
  @state() private more = false;
  @state() private page = 0;
  @state() private error = "";
  @state() private filters: Filters = { ...EMPTY };
  @state() private users: User[] = [];
  private requestNo = 0;
  private searchTimer: number | undefined;
  private refreshTimer: number | undefined;
  private readonly onEvent = (e: Event) => {
    if ((e as CustomEvent<{ eventType: string }>).detail.eventType === "call.ended") this.refreshSoon();
  };
  private readonly onStateChange = (e: Event) => {
    const { entityId, newState } = (e as CustomEvent<StateChange>).detail;
    if (entityId.startsWith("call.") && newState === null) this.refreshSoon();
  };
  private readonly onResync = () => void this.load(false);

  override connectedCallback(): void {
    super.connectedCallback();
    this.readAddress();
    live.addEventListener("bus-event", this.onEvent);
    live.addEventListener("state-changed", this.onStateChange);
    live.addEventListener("resync", this.onResync);
    void this.load(true);
    if (!this.own) void this.loadUsers();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("bus-event", this.onEvent);
    live.removeEventListener("state-changed", this.onStateChange);
    live.removeEventListener("resync", this.onResync);
    window.clearTimeout(this.searchTimer);
    window.clearTimeout(this.refreshTimer);
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

  /** A call just ended: its history row is being written; fetch the page again a moment later. */
  private refreshSoon(): void {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => void this.load(false), 400);
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
    const userId = this.own ? String(session.user?.id ?? "") : f.user;
    if (userId) params.set("user_id", userId);
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
      const rows = await api.get<CallRow[]>(`/api/calls?${params.toString()}`);
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
        <div class="hint" id="calls-search-hint">${t("calls.searchHint")}</div>
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

  private table(rows: CallRow[]): TemplateResult {
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
              <td data-label=${t("calls.result")} title=${r.reason || nothing}>${resultBadge(r.result)}</td>
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
      ${body}`;
  }
}
