import { afterEach, describe, expect, it } from "vitest";
import {
  bodyOf,
  distributionText,
  draftErrors,
  draftOf,
  emptyDraft,
  memberCountText,
  membersText,
  phoneTypesText,
  type HuntGroup,
} from "../src/hunt-groups";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

const SALES: HuntGroup = {
  id: 3,
  name: "Sales",
  number: "1500",
  identifier: "1500",
  user_groups: [1, 9],
  distribution: "sequential",
  ring_s: 15,
  fallback: "1001",
  excluded_activities: [4, 8],
  excluded_roles: [2],
  schedule_id: 7,
  phone_types: ["desk", "softphone"],
  exclude_from_search: true,
  display_text: "Sales line",
  keep_derived_metadata: true,
  blocking_groups: [5],
  members: [
    { user_id: 10, name: "Ann Tester", number: "1001" },
    { user_id: 11, name: "Bo Tester", number: "1002" },
  ],
};
const KNOWN = {
  userGroups: new Set([1, 2]),
  activities: new Set([4]),
  roles: new Set([2]),
  schedules: new Set<number>(),
};

describe("hunt groups (HG-01..05, HG-08)", () => {
  it("turns a group into a draft and back, leaving out what was deleted since", () => {
    const draft = draftOf(SALES, KNOWN);
    expect(draft.identifier).toBe(""); // the number's own identifier is not repeated in the field
    expect([...draft.userGroups]).toEqual([1]);
    expect([...draft.excludedActivities]).toEqual([4]);
    expect(draft.scheduleId).toBe("");
    expect(bodyOf({ ...draft, number: " 15 01 ", fallback: "+45 20 30 40 50", ringS: "20" })).toEqual({
      name: "Sales",
      number: "1501",
      identifier: null,
      user_groups: [1],
      distribution: "sequential",
      ring_s: 20,
      fallback: "+4520304050",
      excluded_activities: [4],
      excluded_roles: [2],
      schedule_id: null,
      phone_types: ["desk", "softphone"],
      exclude_from_search: true, // NUM-11
      display_text: "Sales line",
      keep_derived_metadata: true,
      blocking_groups: [5],
      admin_groups: [],
    });
    const own = draftOf({ ...SALES, identifier: "51", schedule_id: 7 }, { ...KNOWN, schedules: new Set([7]) });
    expect([own.identifier, own.scheduleId]).toEqual(["51", "7"]);
    expect(bodyOf({ ...emptyDraft(), fallback: "" })["fallback"]).toBeNull();
  });

  it("hg_06: turns the phone types into a draft and back, in the fixed order", () => {
    expect([...emptyDraft().phoneTypes]).toEqual(["desk", "softphone"]); // phones ring, mobiles only when asked
    expect(bodyOf(emptyDraft())["phone_types"]).toEqual(["desk", "softphone"]);
    const draft = draftOf({ ...SALES, phone_types: ["mobile", "softphone"] }, KNOWN);
    expect([...draft.phoneTypes].sort()).toEqual(["mobile", "softphone"]);
    expect(bodyOf(draft)["phone_types"]).toEqual(["softphone", "mobile"]);
    // Ticked in any order, sent in the order desk, softphone, mobile.
    const ticked = { ...draft, phoneTypes: new Set(["mobile", "desk"] as const) };
    expect(bodyOf(ticked)["phone_types"]).toEqual(["desk", "mobile"]);
    expect(bodyOf(draftOf({ ...SALES, phone_types: ["mobile"] }, KNOWN))["phone_types"]).toEqual(["mobile"]);
    // The group's own list is not changed by editing the draft.
    draft.phoneTypes.add("desk");
    expect(SALES.phone_types).toEqual(["desk", "softphone"]);
  });

  it("bar_04: the blocking groups round-trip sorted, leaving out those that are gone", () => {
    expect(bodyOf(emptyDraft())["blocking_groups"]).toEqual([]);
    const draft = draftOf({ ...SALES, blocking_groups: [6, 2, 5] }, { ...KNOWN, blockingGroups: new Set([2, 6]) });
    expect(bodyOf(draft)["blocking_groups"]).toEqual([2, 6]);
    expect(bodyOf({ ...draft, blockingGroups: new Set([9, 1]) })["blocking_groups"]).toEqual([1, 9]);
  });

  it("role_04: an administrator chooses who administers a group; a group administrator's body leaves it and the blocking groups out", () => {
    const group = { ...SALES, admin_groups: [2, 9], blocking_groups: [5], schedule_id: 7 };
    expect(bodyOf(draftOf(group, KNOWN))["admin_groups"]).toEqual([2]);
    const theirs = draftOf(group, { ...KNOWN, groupAdmin: true });
    expect(theirs.adminGroups).toBeNull();
    expect(theirs.scheduleId).toBe("7"); // they may not list the schedules: it stays as it is
    const body = bodyOf(theirs);
    expect("admin_groups" in body || "blocking_groups" in body).toBe(false);
    expect(body["schedule_id"]).toBe(7);
  });

  it("num_11: excluding a group from contact searches is off unless set", () => {
    expect(emptyDraft().excludeFromSearch).toBe(false);
    expect(bodyOf(emptyDraft())["exclude_from_search"]).toBe(false);
    expect(draftOf({ ...SALES, exclude_from_search: false }, KNOWN).excludeFromSearch).toBe(false);
    expect(bodyOf(draftOf(SALES, KNOWN))["exclude_from_search"]).toBe(true);
  });

  it("ivr_05: the display text and keeping an earlier one round-trip; a long text is refused", () => {
    expect([emptyDraft().displayText, emptyDraft().keepDerivedMetadata]).toEqual(["", false]);
    const body = bodyOf({ ...draftOf(SALES, KNOWN), displayText: "  Sales line  " });
    expect([body["display_text"], body["keep_derived_metadata"]]).toEqual(["Sales line", true]);
    const good = draftOf(SALES, KNOWN);
    expect(draftErrors({ ...good, displayText: "x".repeat(60) })).toEqual({});
    expect(draftErrors({ ...good, displayText: "x".repeat(61) })).toEqual({ display_text: "At most 60 characters." });
  });

  it("hg_06: wants at least one phone type to ring", () => {
    const good = draftOf(SALES, KNOWN);
    expect(draftErrors(good)).toEqual({});
    expect(draftErrors({ ...good, phoneTypes: new Set() })).toEqual({
      phone_types: "Choose at least one kind of phone to ring.",
    });
    expect(draftErrors({ ...good, phoneTypes: new Set(["mobile"] as const) })).toEqual({});
    useLanguage("de");
    expect(draftErrors({ ...good, phoneTypes: new Set() })["phone_types"]).toBe(
      "Wählen Sie mindestens eine Telefonart, die klingelt.",
    );
  });

  it("checks the fields as the server does", () => {
    expect(Object.keys(draftErrors(emptyDraft())).sort()).toEqual(["name", "number", "user_groups"]);
    const good = { ...draftOf(SALES, KNOWN) };
    expect(draftErrors(good)).toEqual({});
    expect(draftErrors({ ...good, number: "15a0" })["number"]).toContain("2 to 8 digits");
    expect(draftErrors({ ...good, number: "+4589401500" })["identifier"]).toContain("short identifier");
    expect(draftErrors({ ...good, number: "+4589401500", identifier: "1500" })).toEqual({});
    expect(draftErrors({ ...good, identifier: "15-1" })["identifier"]).toContain("1 to 8 digits");
    for (const ring of ["0", "301", "2.5", ""]) {
      expect(draftErrors({ ...good, ringS: ring })["ring_s"]).toBe("Enter whole seconds from 1 to 300.");
    }
    expect(draftErrors({ ...good, fallback: "12 34" })).toEqual({});
    expect(draftErrors({ ...good, fallback: "ext 12" })["fallback"]).toContain("digits");
    expect(draftErrors({ ...good, fallback: "1500" })["fallback"]).toContain("its own number");
  });

  it("words the list in the UI's language", () => {
    expect(distributionText("parallel")).toBe("All at once (parallel)");
    expect([0, 1, 2].map(memberCountText)).toEqual(["No members", "1 member", "2 members"]);
    expect(membersText(SALES.members)).toBe("Ann Tester (1001), Bo Tester (1002)");
    expect(phoneTypesText(["desk", "softphone"])).toBe("Desk phones, softphones");
    expect(phoneTypesText(["mobile", "desk"])).toBe("Desk phones, mobiles");
    expect(phoneTypesText(["softphone", "mobile"])).toBe("Softphones, mobiles");
    useLanguage("da");
    expect(distributionText("sequential")).toBe("Én ad gangen (sekventiel)");
    expect(memberCountText(3)).toBe("3 medlemmer");
    expect(phoneTypesText(["desk", "mobile"])).toBe("Bordtelefoner, mobiltelefoner");
    useLanguage("de");
    expect(phoneTypesText(["softphone", "mobile"])).toBe("Softphones, Mobiltelefone");
  });
});
