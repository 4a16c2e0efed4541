/**
 * The directory and contacts (DIR-01..09, DIR-15, CAPU-08/09, BAR-07): the API's shapes and the
 * pure helpers shared by the Contacts page, the admin's Directory page and their components: names,
 * ordering and filtering of entries, the contact form's draft and checks, and the CSV import's file
 * check and column names.
 */
import { t, type MessageKey } from "./i18n";
import type { Scope } from "./types";

export type ContactType = "favourite" | "contact" | "vip" | "blocked";
export type NumberType = "work" | "mobile" | "home" | "fax" | "other";
/** DIR-15: the address book a user looks at: the company's, their own or both. */
export type Book = "all" | "company" | "own";

export const CONTACT_TYPES: ContactType[] = ["favourite", "contact", "vip", "blocked"];
export const NUMBER_TYPES: NumberType[] = ["work", "mobile", "home", "fax", "other"];
export const BOOKS: Book[] = ["all", "company", "own"];
/** DIR-08's text fields, in the order the form shows them. */
export const TEXT_FIELDS = [
  "first_name",
  "last_name",
  "company",
  "department",
  "short_name",
  "street",
  "postcode",
  "city",
  "country",
  "email",
  "speed_dial",
] as const;
export type TextField = (typeof TEXT_FIELDS)[number];
/** The server keeps at most this many numbers per contact. */
export const MAX_NUMBERS = 10;
/** The files the import takes (DIR-09). */
export const IMPORT_EXTENSIONS = [".csv", ".txt"];

export interface ContactNumber {
  type: NumberType;
  number: string;
  short: string;
}

export interface Contact extends Record<TextField, string> {
  id: number;
  scope: Scope;
  scope_id: number | null;
  type: ContactType;
  mandatory: boolean;
  numbers: ContactNumber[];
  name: string;
  editable: boolean;
}

export interface UserEntry {
  kind: "user";
  id: number;
  name: string;
  extension: string | null;
  numbers: ContactNumber[];
  email: string;
  department: string;
  /** Null (and ``dnd`` false) when the requester may not see this colleague's status (PRS-11). */
  availability: "available" | "busy" | null;
  activity: string | null;
  dnd: boolean;
  /** Whether the requester may see, and plan, this colleague's future presence (PRS-07). */
  can_view_plans?: boolean;
  can_plan?: boolean;
}

/** A list the user may add contacts to (GET /api/directory/lists): their own first, then the
 * organisation's and groups' ones they may edit (DIR-02); ``name`` is a group's. */
export interface ContactList {
  scope: Scope;
  scope_id: number | null;
  name: string | null;
}

export type ContactEntry = Contact & { kind: "contact" };

/** NUM-11: a hunt group, IVR menu or group inbox found by a search (unless an administrator
 * excluded it from contact searches); ``id`` is its number. */
export interface FunctionEntry {
  kind: "function";
  id: string;
  name: string;
  extension: string;
  function: "hunt_group" | "ivr" | "group_inbox" | string;
  numbers: ContactNumber[];
  email: string;
  department: string;
}

export type Entry = UserEntry | ContactEntry | FunctionEntry;

/** What a function number is, in words ("Hunt group"). */
export function functionText(kind: string): string {
  if (kind === "hunt_group" || kind === "ivr" || kind === "group_inbox") return t(`dir.function.${kind}` as MessageKey);
  return t("dir.function.other");
}

export interface EntriesAnswer {
  entries: Entry[];
  total: number;
}

export interface ImportRow {
  line: number;
  /** The row's fields as the file has them (the server read the file: one CSV reader). */
  cells: string[];
  contact: Partial<Contact>;
  error: string | null;
}

export interface ImportPreview {
  columns: string[];
  has_header: boolean;
  header: string[] | null;
  fields: string[];
  rows: ImportRow[];
  created: number;
}

export type Errors = Record<string, string | null | undefined>;

// -- names and texts --------------------------------------------------------------------------------

/** How a contact is named, as the server does: "First Last", else the company, else the short name. */
export function contactName(c: Partial<Pick<Contact, "first_name" | "last_name" | "company" | "short_name">>): string {
  const person = `${c.first_name ?? ""} ${c.last_name ?? ""}`.trim();
  return person || (c.company ?? "").trim() || (c.short_name ?? "").trim();
}

/** The name an entry is listed under (the server's ``name``, else made from the fields). */
export function entryName(entry: Entry): string {
  return entry.name || (entry.kind === "contact" ? contactName(entry) : "");
}

/** The line under an entry's name: company and department ("Acme · Sales"). */
export function entrySubtitle(entry: Entry): string {
  const parts = entry.kind === "contact" ? [entry.company, entry.department] : [entry.department];
  // A company that already names the contact is not repeated under it.
  return parts
    .map((part) => (part ?? "").trim())
    .filter((part, i) => part && !(i === 0 && entry.kind === "contact" && part === entryName(entry)))
    .join(" · ");
}

/** A unique key of an entry in a list where users and contacts mix (their ids may be equal). */
export function entryKey(entry: Entry): string {
  return `${entry.kind}-${entry.id}`;
}

export function numberTypeText(type: string): string {
  return NUMBER_TYPES.includes(type as NumberType) ? t(`dir.numberType.${type}` as MessageKey) : type;
}

export function contactTypeText(type: ContactType): string {
  return t(`dir.type.${type}` as MessageKey);
}

/** A text with a count: the ``one`` text for 1, else the ``many`` text with {n}. */
export function counted(n: number, one: MessageKey, many: MessageKey): string {
  return n === 1 ? t(one, { n }) : t(many, { n });
}

export function bookText(book: Book): string {
  return t(`dir.book.${book}` as MessageKey);
}

/** A list as its select names it: "My contacts", "The organisation's directory", "Group Sales". */
export function listChoiceText(list: ContactList): string {
  if (list.scope === "user") return t("dir.book.own");
  if (list.scope === "org") return t("dir.listChoice.org");
  return t("dir.listChoice.group", { name: list.name ?? String(list.scope_id ?? "") });
}

/** A list's value in a select ("org:", "group:3"). */
export function listValue(list: Pick<ContactList, "scope" | "scope_id">): string {
  return `${list.scope}:${list.scope === "org" ? "" : (list.scope_id ?? "")}`;
}

/** What the API is told to add contacts to that list: ``scope`` and ``scope_id``. */
export function listTarget(list: Pick<ContactList, "scope" | "scope_id">): { scope: Scope; scope_id: number | null } {
  return { scope: list.scope, scope_id: list.scope === "org" ? null : list.scope_id };
}

/** The href of a number's link: ``tel:`` and the digits (a leading + kept), without spaces or dashes. */
export function telHref(number: string): string {
  const trimmed = number.trim();
  const digits = trimmed.replace(/[^0-9*#]/g, "");
  return `tel:${trimmed.startsWith("+") ? "+" : ""}${digits}`;
}

/** A colleague's availability as one badge: do-not-disturb wins over available or busy. */
export function availabilityOf(entry: UserEntry): { text: string; tone: "ok" | "warn" | "bad" } | null {
  if (entry.dnd) return { text: t("presence.dnd"), tone: "bad" };
  if (entry.availability === "available") return { text: t("presence.availability.available"), tone: "ok" };
  if (entry.availability === "busy") return { text: t("presence.availability.busy"), tone: "warn" };
  return null;
}

// -- ordering and filtering --------------------------------------------------------------------------

const TYPE_RANK: Record<ContactType, number> = { favourite: 0, vip: 1, contact: 1, blocked: 1 };

/** DIR-07: favourites first, then by name (as the language sorts), users before contacts of the
 * same name. The server sends this order already; the admin's lists are sorted here. */
export function orderEntries<T extends Entry>(entries: readonly T[]): T[] {
  const rank = (e: Entry) => (e.kind === "contact" ? TYPE_RANK[e.type] ?? 1 : 1);
  const kindRank = { user: 0, function: 1, contact: 2 } as const;
  const byId = (a: Entry, b: Entry) =>
    typeof a.id === "number" && typeof b.id === "number" ? a.id - b.id : String(a.id).localeCompare(String(b.id));
  return [...entries].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      entryName(a).localeCompare(entryName(b), undefined, { sensitivity: "base" }) ||
      (a.kind === b.kind ? byId(a, b) : kindRank[a.kind] - kindRank[b.kind]),
  );
}

/** The digits of a number as searches compare them: no spaces, dashes, dots or parentheses. */
function compact(text: string): string {
  return text.replace(/[\s().-]/g, "");
}

/** The words of a search, lower case. */
export function queryWords(query: string): string[] {
  return query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
}

/** DIR-03 on the client: every word of ``query`` occurs in one of the entry's fields (numbers also
 * without their spaces and dashes), case-insensitive. An empty query matches everything. */
export function matchesQuery(entry: Entry, query: string): boolean {
  const words = queryWords(query);
  if (!words.length) return true;
  const texts: string[] = [entry.name, entry.email, entry.department];
  if (entry.kind === "contact") texts.push(...TEXT_FIELDS.map((f) => entry[f]));
  else if (entry.extension) texts.push(entry.extension);
  for (const n of entry.numbers) texts.push(n.number, compact(n.number), n.short);
  const haystack = texts.filter(Boolean).join("\n").toLocaleLowerCase();
  return words.every((word) => haystack.includes(word) || haystack.includes(compact(word)));
}

export function filterEntries<T extends Entry>(entries: readonly T[], query: string): T[] {
  return entries.filter((e) => matchesQuery(e, query));
}

/** An admin's list holds contacts only; as entries they render with the same table. */
export function asEntries(contacts: readonly Contact[]): ContactEntry[] {
  return contacts.map((c) => ({ ...c, kind: "contact" as const }));
}

// -- the contact form ------------------------------------------------------------------------------

export interface Draft extends Record<TextField, string> {
  type: ContactType;
  mandatory: boolean;
  numbers: ContactNumber[];
}

export function emptyNumber(type: NumberType = "work"): ContactNumber {
  return { type, number: "", short: "" };
}

/** The form's values for a contact (a copy), or for a new one: type "contact" and one empty number. */
export function draftOf(contact: Contact | null): Draft {
  const draft = Object.fromEntries(TEXT_FIELDS.map((f) => [f, contact?.[f] ?? ""])) as Record<TextField, string>;
  return {
    ...draft,
    type: contact?.type ?? "contact",
    mandatory: contact?.mandatory ?? false,
    numbers: contact?.numbers.length ? contact.numbers.map((n) => ({ ...n })) : [emptyNumber()],
  };
}

/** The request body for a draft: every field trimmed; ``mandatory`` only where the list allows it. */
export function draftBody(draft: Draft, withMandatory: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = Object.fromEntries(TEXT_FIELDS.map((f) => [f, draft[f].trim()]));
  body["type"] = draft.type;
  body["numbers"] = draft.numbers.map((n) => ({ type: n.type, number: n.number.trim(), short: n.short.trim() }));
  if (withMandatory) body["mandatory"] = draft.mandatory;
  return body;
}

const NUMBER_RE = /^\+?[0-9][0-9 ()./-]{1,30}$/;
const SHORT_RE = /^[0-9*#]{1,8}$/;
const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** A phone number as the API takes it: digits with an optional leading +, and spaces, dashes,
 * dots or parentheses between them; at least two digits. */
export function isPhoneNumber(value: string): boolean {
  const text = value.trim();
  return NUMBER_RE.test(text) && text.replace(/[^0-9]/g, "").replace(/^0+/, "").length >= 2;
}

/** The server's checks, for feedback before sending; the keys are the API's field names. */
export function checkDraft(draft: Draft): Errors {
  const errors: Errors = {};
  if (!draft.first_name.trim() && !draft.last_name.trim() && !draft.company.trim()) {
    errors["last_name"] = t("dir.err.name");
  }
  const email = draft.email.trim();
  if (email && !EMAIL_RE.test(email)) errors["email"] = t("dir.err.email");
  const speed = draft.speed_dial.trim();
  if (speed && !SHORT_RE.test(speed)) errors["speed_dial"] = t("dir.err.short");
  if (!draft.numbers.length) errors["numbers"] = t("dir.err.numbers");
  if (draft.numbers.length > MAX_NUMBERS) errors["numbers"] = t("dir.err.tooMany", { max: MAX_NUMBERS });
  draft.numbers.forEach((n, i) => {
    if (!n.number.trim()) errors[`numbers.${i}.number`] = t("dir.err.numberMissing");
    else if (!isPhoneNumber(n.number)) errors[`numbers.${i}.number`] = t("dir.err.number");
    const short = n.short.trim();
    if (short && !SHORT_RE.test(short)) errors[`numbers.${i}.short`] = t("dir.err.short");
  });
  return errors;
}

export function hasErrors(errors: Errors): boolean {
  return Object.values(errors).some(Boolean);
}

// -- the CSV import --------------------------------------------------------------------------------

/** Whether a file's name has an extension the import takes (.csv or .txt, any case). */
export function isImportFile(name: string): boolean {
  const lower = name.trim().toLowerCase();
  return IMPORT_EXTENSIONS.some((ext) => lower.endsWith(ext) && lower.length > ext.length);
}

/** What a column choice means, for its select: "First name", "Number (mobile)", "Skip". */
export function columnText(field: string): string {
  if (!field) return t("dir.import.skip");
  if (field.startsWith("number:")) return t("dir.import.numberOf", { type: numberTypeText(field.slice(7)) });
  const key = `dir.field.${field}` as MessageKey;
  const text = t(key);
  return text === key ? field : text;
}

/** A preview row's contact in one line for the table: its name and numbers. */
export function importRowSummary(row: ImportRow): string {
  const name = row.contact.name || contactName(row.contact);
  const numbers = (row.contact.numbers ?? []).map((n) => n.number).filter(Boolean);
  return [name, ...numbers].filter(Boolean).join(" · ");
}

/** A preview row's error as the server words it ("numbers.0.number: a phone number…"), with the
 * numbers' field paths named as the form names them ("Number 1: a phone number…"). */
export function importErrorText(error: string): string {
  return error.replace(/\bnumbers[. ](\d+)[. ](number|short|type)\b/g, (_match, index: string, part: string) => {
    const n = Number(index) + 1;
    return part === "number" ? t("dir.numberN", { n }) : part === "short" ? t("dir.shortN", { n }) : t("dir.numberTypeN", { n });
  });
}
