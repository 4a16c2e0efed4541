/**
 * Contacts (portal, every user: DIR-01, DIR-03..09, DIR-15, CAPU-08/09, BAR-07): the address book
 * the user sees, the company's (colleagues with their availability, the organisation's and their
 * groups' contacts), their own, or both, searched as they type; their own contacts to add, change,
 * delete and import from a CSV file. Mandatory contacts (DIR-06) are shown but cannot be changed.
 * With the right to edit the company directory (DIR-02) the add form and the import ask which list
 * (their own, the organisation's, a group's) and those lists' contacts can be changed too; with the
 * right to see a colleague's future presence (PRS-07) their row opens it, and with the right to plan
 * it, activities can be planned and deleted there.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import "../components/contact-form";
import "../components/contact-import";
import { deleteContact, entryTable, pluginOffView } from "../components/contact-list";
import "../components/presence-plans";
import {
  BOOKS,
  bookText,
  counted,
  entryKey,
  entryName,
  type Book,
  type Contact,
  type ContactEntry,
  type ContactList,
  type EntriesAnswer,
  type UserEntry,
} from "../directory";
import { focusWhenRendered, textField } from "../forms";
import { t } from "../i18n";
import { session } from "../session";
import { live } from "../ws";

/** How long typing must pause before the search is sent. */
export const SEARCH_DELAY_MS = 250;
const BOOK_KEY = "cordboard.directory.book";
/** A colleague's status changed (``presence.status_changed`` reaches those who may see it, PRS-11)
 * or a list did: the page asks again. */
const LIVE_EVENTS = new Set(["presence.changed", "presence.status_changed", "directory.changed"]);

type Panel =
  | { kind: "form"; contact: Contact | null; from: string }
  | { kind: "import" }
  | { kind: "plans"; entry: UserEntry; from: string }
  | null;

function savedBook(): Book {
  try {
    const value = localStorage.getItem(BOOK_KEY);
    return BOOKS.includes(value as Book) ? (value as Book) : "all";
  } catch {
    return "all";
  }
}

@customElement("cb-contacts")
export class CbContacts extends LightElement {
  @state() private query = "";
  @state() private book: Book = savedBook();
  @state() private answer: EntriesAnswer | null = null;
  /** The search the answer is for (the empty-state text names it). */
  @state() private answered = "";
  @state() private searching = false;
  @state() private loadError = "";
  @state() private off = false;
  @state() private panel: Panel = null;
  /** The lists the user may add contacts to: their own, and those of the company directory that
   * they may edit (DIR-02). */
  @state() private lists: ContactList[] = [];
  private timer: number | undefined;
  private pending: AbortController | null = null;
  private readonly onEvent = (e: Event) => {
    // A colleague's availability or a list changed: the page shows it without being reloaded.
    if (LIVE_EVENTS.has((e as CustomEvent<{ eventType: string }>).detail.eventType) && !this.pending) this.later(1000);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("bus-event", this.onEvent);
    void this.load();
    void this.loadLists();
  }

  private async loadLists(): Promise<void> {
    try {
      this.lists = await api.get<ContactList[]>("/api/directory/lists");
    } catch {
      // Without the answer the user adds to their own list (the server's default); a plugin that
      // is off is told by the entries' answer.
      this.lists = [];
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("bus-event", this.onEvent);
    window.clearTimeout(this.timer);
    this.pending?.abort();
  }

  /** Search again after ``delay`` ms, unless asked again before. */
  private later(delay = SEARCH_DELAY_MS): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.load(), delay);
  }

  private async load(): Promise<void> {
    window.clearTimeout(this.timer);
    this.pending?.abort();
    const pending = new AbortController();
    this.pending = pending;
    const query = this.query.trim();
    const params = new URLSearchParams({ book: this.book });
    if (query) params.set("q", query);
    this.searching = true;
    try {
      const answer = await api.get<EntriesAnswer>(`/api/directory/entries?${params}`, { signal: pending.signal });
      this.answer = answer;
      this.answered = query;
      this.loadError = "";
      this.off = false;
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") return;
      if (err instanceof ApiError && err.status === 404) this.off = true;
      else this.loadError = errorText(err);
    } finally {
      if (this.pending === pending) {
        this.searching = false;
        this.pending = null;
      }
    }
  }

  private setBook(book: Book): void {
    this.book = book;
    try {
      localStorage.setItem(BOOK_KEY, book);
    } catch {
      // A browser that keeps nothing shows "All" next time.
    }
    void this.load();
  }

  /** Open the form or the import (each moves the focus to its first field itself), or a colleague's
   * planned presence (its heading takes the focus). */
  private open(panel: Panel): void {
    this.panel = panel;
    if (panel?.kind === "plans") void focusWhenRendered(this, "#colleague-plans-title");
  }

  private close(): void {
    const from = this.panel?.kind === "import" ? "#contacts-import-button" : (this.panel?.from ?? "#contacts-add-button");
    this.panel = null;
    void focusWhenRendered(this, from);
  }

  private async saved(): Promise<void> {
    this.close();
    await this.load();
  }

  private async removeContact(entry: ContactEntry): Promise<void> {
    if (!(await deleteContact(entry))) return;
    if (this.panel?.kind === "form" && this.panel.contact?.id === entry.id) this.panel = null;
    await this.load();
    void focusWhenRendered(this, "#directory-search");
  }

  protected override render(): TemplateResult {
    const actions = this.off
      ? undefined
      : html`<div class="head-actions">
          <button type="button" id="contacts-add-button" @click=${() => this.open({ kind: "form", contact: null, from: "#contacts-add-button" })}>
            ${t("dir.addContact")}
          </button>
          <button type="button" class="secondary" id="contacts-import-button" @click=${() => this.open({ kind: "import" })}>
            ${t("dir.import.open")}
          </button>
        </div>`;
    return html`<section class="page directory-page">
      ${pageHeading(t("dir.contactsTitle"), actions)}
      <p class="muted">${t("dir.contactsIntro")}</p>
      ${this.off ? pluginOffView(session.isAdmin) : this.body()}
    </section>`;
  }

  private body(): TemplateResult {
    return html`${this.panelView()}
      <form class="card directory-search" role="search" aria-label=${t("dir.searchLabel")}
        @submit=${(e: Event) => {
          e.preventDefault();
          void this.load();
        }}>
        <div class="filters">
          <div class="grow">
            ${textField({
              id: "directory-search",
              label: t("common.search"),
              type: "search",
              value: this.query,
              autocomplete: "off",
              hint: t("dir.searchHint"),
              onInput: (v) => {
                this.query = v;
                this.later();
              },
            })}
          </div>
          <fieldset class="book-picker">
            <legend>${t("dir.book")}</legend>
            <div class="segmented">
              ${BOOKS.map(
                (book) => html`<label class=${this.book === book ? "on" : ""}>
                  <input type="radio" name="directory-book" value=${book} .checked=${this.book === book} @change=${() => this.setBook(book)} />
                  ${bookText(book)}
                </label>`,
              )}
            </div>
          </fieldset>
        </div>
      </form>
      ${this.results()}`;
  }

  private panelView(): TemplateResult | typeof nothing {
    const panel = this.panel;
    if (!panel) return nothing;
    if (panel.kind === "import") {
      return html`<div class="card">
        <cb-contact-import idPrefix="contacts-import" .lists=${this.lists} @imported=${() => void this.saved()} @cancel=${() => this.close()}></cb-contact-import>
      </div>`;
    }
    if (panel.kind === "plans") return this.plansView(panel.entry);
    // A contact of a shared list keeps its "mandatory" mark when changed by someone who may edit it.
    const shared = panel.contact !== null && panel.contact.scope !== "user";
    return html`<div class="card">
      <cb-contact-form idPrefix="contact" .contact=${panel.contact} .lists=${this.lists} .allowMandatory=${shared}
        @saved=${() => void this.saved()} @cancel=${() => this.close()}></cb-contact-form>
    </div>`;
  }

  /** A colleague's planned presence (PRS-07): Escape or Close closes it. */
  private plansView(entry: UserEntry): TemplateResult {
    const name = entryName(entry);
    const editable = entry.can_plan === true;
    return html`<section class="card colleague-plans" aria-labelledby="colleague-plans-title" data-testid="colleague-plans"
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === "Escape") this.close();
      }}>
      <div class="row-between wrap-row">
        <h2 id="colleague-plans-title" tabindex="-1">${t("dir.plansNamed", { name })}</h2>
        <button type="button" class="secondary small" @click=${() => this.close()}>${t("common.close")}</button>
      </div>
      <p class="muted">${t("dir.plansIntro", { name })}${editable ? "" : ` ${t("dir.plansReadOnly")}`}</p>
      <cb-presence-plans idPrefix="colleague-plan" .userId=${entry.id} .editable=${editable}></cb-presence-plans>
    </section>`;
  }

  private results(): TemplateResult {
    const answer = this.answer;
    if (this.loadError && !answer) return errorView(this.loadError, () => void this.load());
    if (!answer) return loadingView();
    const panel = this.panel;
    const selected =
      panel?.kind === "form" && panel.contact ? `contact-${panel.contact.id}` : panel?.kind === "plans" ? entryKey(panel.entry) : null;
    const count =
      answer.total > answer.entries.length
        ? t("dir.countOf", { n: answer.entries.length, total: answer.total })
        : counted(answer.total, "dir.countOne", "dir.count");
    return html`<div class="directory-results" aria-busy=${this.searching ? "true" : "false"}>
      ${this.loadError ? errorView(this.loadError, () => void this.load()) : nothing}
      <p class="muted table-head" role="status" data-testid="entry-count">${answer.entries.length ? count : ""}</p>
      ${answer.entries.length
        ? entryTable(answer.entries, {
            caption: t("dir.contactsTitle"),
            selected,
            showList: true,
            onEdit: (entry) => this.open({ kind: "form", contact: entry, from: `tr[data-key="${entryKey(entry)}"] button` }),
            onDelete: (entry) => void this.removeContact(entry),
            selfId: session.user?.id ?? null,
            onPlans: (entry) => this.open({ kind: "plans", entry, from: `tr[data-key="${entryKey(entry)}"] .plans-button` }),
          })
        : html`<p class="empty" role="status" data-testid="directory-empty">
            ${this.answered
              ? t("dir.noMatch", { q: this.answered })
              : this.book === "own"
                ? t("dir.emptyOwn")
                : t("dir.empty")}
          </p>`}
    </div>`;
  }
}
