import { afterEach, describe, expect, it } from "vitest";
import {
  BOOKS,
  CONTACT_TYPES,
  NUMBER_TYPES,
  TEXT_FIELDS,
  availabilityOf,
  checkDraft,
  columnText,
  contactName,
  counted,
  draftBody,
  draftOf,
  entryKey,
  entrySubtitle,
  filterEntries,
  hasErrors,
  importErrorText,
  importRowSummary,
  isImportFile,
  isPhoneNumber,
  orderEntries,
  telHref,
  type Contact,
  type ContactEntry,
  type Entry,
  type FunctionEntry,
  type UserEntry,
  functionText,
} from "../src/directory";
import { da } from "../src/i18n/da";
import { de } from "../src/i18n/de";
import { en } from "../src/i18n/en";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

function contact(fields: Partial<Contact>): ContactEntry {
  const base = Object.fromEntries(TEXT_FIELDS.map((f) => [f, ""])) as Record<(typeof TEXT_FIELDS)[number], string>;
  const c = { ...base, id: 1, scope: "user", scope_id: 7, type: "contact", mandatory: false, numbers: [], name: "", editable: true, ...fields } as Contact;
  return { ...c, name: c.name || contactName(c), kind: "contact" };
}

const pia: UserEntry = {
  kind: "user",
  id: 1,
  name: "Pia Prinz",
  extension: "2300",
  numbers: [{ type: "work", number: "2300", short: "" }],
  email: "pia@example.com",
  department: "Sales",
  availability: "available",
  activity: null,
  dnd: false,
};

describe("directory texts (DIR-07, DIR-08, DIR-15)", () => {
  it("has the texts looked up by a computed key in every language", () => {
    const keys = [
      ...CONTACT_TYPES.map((x) => `dir.type.${x}`),
      ...NUMBER_TYPES.map((x) => `dir.numberType.${x}`),
      ...BOOKS.map((x) => `dir.book.${x}`),
      ...[...TEXT_FIELDS, "full_name", "type"].map((x) => `dir.field.${x}`),
    ];
    for (const table of [en, de, da] as Array<Record<string, string>>) expect(keys.filter((k) => !(k in table))).toEqual([]);
  });

  it("names a contact as the server does: person, else company, else short name", () => {
    expect(contactName({ first_name: "Anna", last_name: "Berg", company: "Acme" })).toBe("Anna Berg");
    expect(contactName({ first_name: "", last_name: "Berg" })).toBe("Berg");
    expect(contactName({ company: "Acme A/S", short_name: "ACME" })).toBe("Acme A/S");
    expect(contactName({ short_name: "Taxi" })).toBe("Taxi");
  });

  it("shows company and department under the name, not the company twice", () => {
    expect(entrySubtitle(contact({ first_name: "Anna", company: "Acme", department: "Sales" }))).toBe("Acme · Sales");
    expect(entrySubtitle(contact({ company: "Acme" }))).toBe("");
    expect(entrySubtitle(pia)).toBe("Sales");
  });

  it("labels an import column's choice", () => {
    expect(columnText("")).toBe("Skip");
    expect(columnText("first_name")).toBe("First name");
    expect(columnText("number:mobile")).toBe("Number (Mobile)");
    expect(columnText("unknown_field")).toBe("unknown_field");
    useLanguage("da");
    expect(columnText("number:work")).toBe("Nummer (Arbejde)");
  });

  it("counts in the singular and the plural", () => {
    expect(counted(1, "dir.countOne", "dir.count")).toBe("1 entry");
    expect(counted(3, "dir.countOne", "dir.count")).toBe("3 entries");
    useLanguage("de");
    expect(counted(2, "dir.import.applyOne", "dir.import.apply")).toBe("2 Kontakte importieren");
  });
});

describe("entries (DIR-01, DIR-03, DIR-07)", () => {
  it("makes tel: links without spaces and dashes", () => {
    expect(telHref("+45 33 12-34 56")).toBe("tel:+4533123456");
    expect(telHref("(030) 123.456")).toBe("tel:030123456");
    expect(telHref("2300")).toBe("tel:2300");
  });

  it("shows a colleague's availability, do-not-disturb first", () => {
    expect(availabilityOf(pia)).toEqual({ text: "Available", tone: "ok" });
    expect(availabilityOf({ ...pia, availability: "busy" })).toEqual({ text: "Busy", tone: "warn" });
    expect(availabilityOf({ ...pia, dnd: true })).toEqual({ text: "Do not disturb", tone: "bad" });
    expect(availabilityOf({ ...pia, availability: null })).toBeNull();
  });

  it("orders favourites first, then by name; users and contacts with the same id stay apart", () => {
    const entries: Entry[] = [
      contact({ id: 3, first_name: "Zoe", last_name: "Zeta" }),
      pia,
      contact({ id: 1, company: "acme", type: "vip" }),
      contact({ id: 2, first_name: "Yara", type: "favourite" }),
      contact({ id: 4, first_name: "Bo", type: "blocked" }),
    ];
    expect(orderEntries(entries).map((e) => e.name)).toEqual(["Yara", "acme", "Bo", "Pia Prinz", "Zoe Zeta"]);
    expect(new Set(entries.map(entryKey)).size).toBe(entries.length);
    expect(entries).toHaveLength(5); // the input is not sorted in place
    expect(entries[0]!.name).toBe("Zoe Zeta");
  });

  it("num_11: lists function numbers by name among colleagues and contacts, found by name and number", () => {
    const sales: FunctionEntry = {
      kind: "function",
      id: "1500",
      name: "Pia Prinz",
      extension: "1500",
      function: "hunt_group",
      numbers: [{ type: "work", number: "1500", short: "" }],
      email: "",
      department: "",
    };
    const entries: Entry[] = [contact({ id: 1, first_name: "Pia", last_name: "Prinz" }), sales, pia];
    expect(orderEntries(entries).map((e) => e.kind)).toEqual(["user", "function", "contact"]);
    expect(entryKey(sales)).toBe("function-1500");
    expect(filterEntries([sales, pia], "1500")).toEqual([sales]);
    expect(functionText("hunt_group")).toBe("Hunt group");
    useLanguage("de");
    expect(functionText("ivr")).toBe("IVR-Menü");
  });

  it("filters on every field, numbers without their spaces, all words matching", () => {
    const anna = contact({
      id: 5,
      first_name: "Anna",
      last_name: "Berg",
      company: "Acme A/S",
      city: "Aarhus",
      numbers: [{ type: "mobile", number: "+45 20 30 40 50", short: "15" }],
    });
    const entries: Entry[] = [anna, pia];
    expect(filterEntries(entries, "")).toHaveLength(2);
    expect(filterEntries(entries, "acme").map((e) => e.id)).toEqual([5]);
    expect(filterEntries(entries, "AARHUS anna")).toEqual([anna]);
    expect(filterEntries(entries, "anna sales")).toEqual([]);
    expect(filterEntries(entries, "20304050")).toEqual([anna]);
    expect(filterEntries(entries, "20 30-40")).toEqual([anna]);
    expect(filterEntries(entries, "2300")).toEqual([pia]);
    expect(filterEntries(entries, "pia@example")).toEqual([pia]);
    expect(filterEntries(entries, "nothing-like-this")).toEqual([]);
  });
});

describe("the contact form (DIR-06, DIR-08)", () => {
  it("starts a new contact with one empty work number", () => {
    const draft = draftOf(null);
    expect(draft.type).toBe("contact");
    expect(draft.numbers).toEqual([{ type: "work", number: "", short: "" }]);
  });

  it("copies a contact's numbers, so that editing does not change the list", () => {
    const c = contact({ first_name: "Anna", numbers: [{ type: "mobile", number: "123", short: "" }] });
    const draft = draftOf(c);
    draft.numbers[0]!.number = "999";
    expect(c.numbers[0]!.number).toBe("123");
  });

  it("checks like the server: a name or company, numbers, e-mail, short numbers", () => {
    const draft = draftOf(null);
    expect(checkDraft(draft)).toEqual({ last_name: "Give a name or a company.", "numbers.0.number": "Enter the number, or remove this row." });
    draft.company = "Acme";
    draft.numbers = [
      { type: "work", number: "+45 33 12 34 56", short: "12" },
      { type: "mobile", number: "12ab", short: "123456789" },
    ];
    draft.email = "no-at-sign";
    const errors = checkDraft(draft);
    expect(Object.keys(errors).sort()).toEqual(["email", "numbers.1.number", "numbers.1.short"]);
    draft.numbers = [];
    draft.email = "anna@example.com";
    expect(checkDraft(draft)).toEqual({ numbers: "Give at least one phone number." });
    draft.numbers = [{ type: "work", number: "030 123-456", short: "" }];
    expect(hasErrors(checkDraft(draft))).toBe(false);
    // As the server: a number starts with a digit or +.
    draft.numbers = [{ type: "work", number: "(030) 123-456", short: "" }];
    expect(Object.keys(checkDraft(draft))).toEqual(["numbers.0.number"]);
  });

  it("knows a phone number when it sees one", () => {
    expect(isPhoneNumber("+45 33 12 34 56")).toBe(true);
    expect(isPhoneNumber("030.123.456")).toBe(true);
    expect(isPhoneNumber("5")).toBe(false);
    expect(isPhoneNumber("00")).toBe(false);
    expect(isPhoneNumber("+45 abc")).toBe(false);
  });

  it("sends trimmed fields, and mandatory only where the list has it", () => {
    const draft = draftOf(null);
    draft.first_name = "  Anna ";
    draft.mandatory = true;
    draft.numbers = [{ type: "mobile", number: " 123 45 ", short: " 7 " }];
    const body = draftBody(draft, false);
    expect(body["first_name"]).toBe("Anna");
    expect(body["numbers"]).toEqual([{ type: "mobile", number: "123 45", short: "7" }]);
    expect("mandatory" in body).toBe(false);
    expect(Object.keys(body).sort()).toEqual([...TEXT_FIELDS, "numbers", "type"].sort());
    expect(draftBody(draft, true)["mandatory"]).toBe(true);
  });
});

describe("the CSV import (DIR-09)", () => {
  it("takes .csv and .txt files only", () => {
    expect(isImportFile("contacts.csv")).toBe(true);
    expect(isImportFile("EXPORT.TXT")).toBe(true);
    expect(isImportFile("report.pdf")).toBe(false);
    expect(isImportFile("contacts.csv.pdf")).toBe(false);
    expect(isImportFile(".csv")).toBe(false);
    expect(isImportFile("csv")).toBe(false);
  });

  it("names the numbers in a row's error as the form does", () => {
    expect(importErrorText("numbers.0.number: a phone number; email: an e-mail address")).toBe(
      "Number 1: a phone number; email: an e-mail address",
    );
    expect(importErrorText("numbers.1.short: up to 8 digits")).toBe("Abbreviated number 2: up to 8 digits");
    expect(importErrorText("last name: Give a name or a company.")).toBe("last name: Give a name or a company.");
  });

  it("sums up a preview row", () => {
    expect(
      importRowSummary({
        line: 2,
        cells: ["Anna Berg", "+45 20 30 40 50"],
        contact: { first_name: "Anna", last_name: "Berg", numbers: [{ type: "mobile", number: "+45 20 30 40 50", short: "" }] },
        error: null,
      }),
    ).toBe("Anna Berg · +45 20 30 40 50");
  });
});
