import { afterEach, describe, expect, it } from "vitest";
import { listChoiceText, listTarget, listValue, type ContactList } from "../src/directory";
import { da } from "../src/i18n/da";
import { de } from "../src/i18n/de";
import { en } from "../src/i18n/en";
import {
  KNOWN_SERVICES,
  grantError,
  grantSentence,
  isListService,
  normalGrant,
  sameGrant,
  scopesOf,
  serviceText,
  serviceTitle,
  whomText,
  withGrant,
  withoutGrant,
  type Grant,
  type Names,
} from "../src/rights";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

const names: Names = {
  groups: [
    { id: 3, name: "Reception" },
    { id: 4, name: "Sales" },
  ],
  users: [
    { id: 7, username: "boss", first_name: "Berta", last_name: "Boss" },
    { id: 8, username: "nobody", first_name: "", last_name: "" },
  ],
};
const everyone: Grant = { group_id: null, scope: "org", scope_id: null };
const receptionOverSales: Grant = { group_id: 3, scope: "group", scope_id: 4 };

describe("service rights (ROLE-09)", () => {
  it("has a title, a text and both sentences of every known service in every language", () => {
    const keys = [
      ...KNOWN_SERVICES.flatMap((s) => [`rights.service.${s}.title`, `rights.service.${s}.text`]),
      ...[...KNOWN_SERVICES, "other"].flatMap((s) => [`rights.sentence.${s}.all`, `rights.sentence.${s}.group`]),
      ...["whom", "list"].flatMap((x) => [`rights.${x}.org`, `rights.${x}.group`]),
    ];
    for (const table of [en, de, da] as Array<Record<string, string>>) expect(keys.filter((k) => !(k in table))).toEqual([]);
  });

  it("words a grant as a sentence", () => {
    expect(grantSentence("see_status", everyone, names)).toBe("Every user may see the status of everyone");
    expect(grantSentence("see_status", receptionOverSales, names)).toBe(
      "Members of Reception may see the status of the users in group Sales",
    );
    expect(grantSentence("view_future_presence", { group_id: 3, scope: "user", scope_id: 7 }, names)).toBe(
      "Members of Reception may see the planned presence of Berta Boss",
    );
    expect(grantSentence("edit_future_presence", { group_id: null, scope: "user", scope_id: 8 }, names)).toBe(
      "Every user may plan the presence of nobody",
    );
    expect(grantSentence("pickup", receptionOverSales, names)).toBe(
      "Members of Reception may pick up calls ringing for the users in group Sales",
    );
    expect(serviceTitle("pickup")).toBe("Pick up colleagues' calls");
  });

  it("names the directory's lists, not users", () => {
    expect(grantSentence("edit_directory", { group_id: 4, scope: "org", scope_id: null }, names)).toBe(
      "Members of Sales may edit the organisation's contacts",
    );
    expect(grantSentence("edit_directory", { group_id: null, scope: "group", scope_id: 4 }, names)).toBe(
      "Every user may edit the contacts of group Sales",
    );
    expect(isListService("edit_directory")).toBe(true);
    expect(scopesOf("edit_directory")).toEqual(["org", "group"]);
    expect(scopesOf("see_status")).toEqual(["org", "group", "user"]);
  });

  it("still says something for groups and users that are gone, and for services it does not know", () => {
    expect(whomText("see_status", { group_id: null, scope: "group", scope_id: 99 }, names)).toBe("the users in group group #99");
    expect(grantSentence("send_sms", { group_id: 42, scope: "user", scope_id: 5 }, names)).toBe(
      "Members of group #42 may use “send_sms” for user #5",
    );
    expect(serviceTitle("send_sms")).toBe("send_sms");
    expect(serviceText("send_sms")).toBe("A service of a plugin or of a newer version.");
  });

  it("speaks German and Danish", () => {
    useLanguage("de");
    expect(grantSentence("see_status", receptionOverSales, names)).toBe(
      "Mitglieder von Reception dürfen den Status von den Benutzern der Gruppe Sales sehen",
    );
    expect(serviceTitle("edit_directory")).toBe("Firmenverzeichnis bearbeiten");
    useLanguage("da");
    expect(grantSentence("see_status", everyone, names)).toBe("Alle brugere må se status for alle");
  });

  it("adds a grant once, removes one, and keeps no group or user for the organisation", () => {
    expect(normalGrant({ group_id: 3, scope: "org", scope_id: 4 })).toEqual({ group_id: 3, scope: "org", scope_id: null });
    expect(sameGrant({ group_id: 3, scope: "org", scope_id: 4 }, { group_id: 3, scope: "org", scope_id: null })).toBe(true);
    expect(sameGrant(receptionOverSales, { ...receptionOverSales, scope_id: 3 })).toBe(false);
    expect(withGrant([everyone], receptionOverSales)).toEqual([everyone, receptionOverSales]);
    expect(withGrant([everyone, receptionOverSales], { group_id: 3, scope: "group", scope_id: 4 })).toBeNull();
    expect(withoutGrant([everyone, receptionOverSales], 0)).toEqual([receptionOverSales]);
  });

  it("finds the server's errors of one grant", () => {
    const fields = { "grants.1.group_id": "no group 9", "grants.1.scope_id": "no user 5", "grants.10.scope": "x" };
    expect(grantError(fields, 1)).toBe("no group 9 no user 5");
    expect(grantError(fields, 0)).toBe("");
  });
});

describe("the lists a user adds contacts to (DIR-02)", () => {
  const own: ContactList = { scope: "user", scope_id: 12, name: null };
  const org: ContactList = { scope: "org", scope_id: null, name: null };
  const sales: ContactList = { scope: "group", scope_id: 4, name: "Sales" };

  it("names each list and tells the API which it is", () => {
    expect([own, org, sales].map(listChoiceText)).toEqual(["My contacts", "The organisation's directory", "Group Sales"]);
    expect([own, org, sales].map(listValue)).toEqual(["user:12", "org:", "group:4"]);
    expect(listTarget(sales)).toEqual({ scope: "group", scope_id: 4 });
    expect(listTarget({ scope: "org", scope_id: 5 })).toEqual({ scope: "org", scope_id: null });
  });
});
