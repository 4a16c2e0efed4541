/**
 * Contacts (portal, every user: DIR-01, DIR-03..09, DIR-15, CAPU-08/09, BAR-07): the address book
 * the user sees, the company's (colleagues with their availability, the organisation's and their
 * groups' contacts), their own, or both, searched as they type; their own contacts to add, change,
 * delete and import from a CSV file. Mandatory contacts (DIR-06) are shown but cannot be changed.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api, ApiError } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import "../components/contact-form";
import "../components/contact-import";
import { entryTable, pluginOffView } from "../components/contact-list";
import { confirmDialog } from "../dialog";
import {
  BOOKS,
  bookText,
  counted,
  entryKey,
  entryName,
  type Book,
  type Contact,
  type ContactEntry,
  type EntriesAnswer,
} from "../directory";
import { focusWhenRendered, textField } from "../forms";
import { t } from "../i18n";
import { session, toast } from "../session";
import { live } from "../ws";

/** How long typing must pause before the search is sent. */
export const SEARCH_DELAY_MS = 250;
const BOOK_KEY = "cordboard.directory.book";
const LIVE_EVENTS = new Set(["presence.changed", "directory.changed"]);

type Panel = { kind: "form"; contact: Contact | null; from: string } | { kind: "import" } | null;

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

  /** Open the form or the import; each moves the focus to its first field itself. */
  private open(panel: Panel): void {
    this.panel = panel;
  }

  private close(): void {
    const from = this.panel?.kind === "form" ? this.panel.from : "#contacts-import-button";
    this.panel = null;
    void focusWhenRendered(this, from);
  }

  private async saved(): Promise<void> {
    this.close();
    await this.load();
  }

  private async removeContact(entry: ContactEntry): Promise<void> {
    const name = entryName(entry);
    if (!(await confirmDialog(t("dir.confirmDelete", { name }), t("common.delete")))) return;
    try {
      await api.delete(`/api/directory/contacts/${entry.id}`);
      toast(t("dir.deleted", { name }));
      if (this.panel?.kind === "form" && this.panel.contact?.id === entry.id) this.panel = null;
      await this.load();
      void focusWhenRendered(this, "#directory-search");
    } catch (err) {
      toast(errorText(err), "error");
    }
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
        <cb-contact-import idPrefix="contacts-import" @imported=${() => void this.saved()} @cancel=${() => this.close()}></cb-contact-import>
      </div>`;
    }
    return html`<div class="card">
      <cb-contact-form idPrefix="contact" .contact=${panel.contact} @saved=${() => void this.saved()} @cancel=${() => this.close()}></cb-contact-form>
    </div>`;
  }

  private results(): TemplateResult {
    const answer = this.answer;
    if (this.loadError && !answer) return errorView(this.loadError, () => void this.load());
    if (!answer) return loadingView();
    const selected = this.panel?.kind === "form" && this.panel.contact ? `contact-${this.panel.contact.id}` : null;
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
