import { describe, expect, it } from "vitest";
import { bodyOf, draftOf, emptyDraft, type IvrMenu } from "../src/ivr";

const MAIN: IvrMenu = {
  id: 1,
  name: "Main",
  number: "1600",
  language: null,
  welcome_prompt: "please_hold",
  options: { "1": { kind: "number", target: "+4930123456" } },
  direct_dial: false,
  timeout_s: 5,
  retries: 2,
  invalid_prompt: "invalid_option",
  timeout_destination: null,
  exclude_from_search: false,
  display_text: "",
  keep_derived_metadata: false,
  blocking_groups: [4, 2],
};

describe("IVR menus' blocking groups (BAR-04)", () => {
  it("a new menu is in none", () => {
    expect(emptyDraft().blockingGroups.size).toBe(0);
    expect(bodyOf(emptyDraft())["blocking_groups"]).toEqual([]);
  });

  it("round-trip sorted, leaving out the groups that are gone", () => {
    expect(bodyOf(draftOf(MAIN))["blocking_groups"]).toEqual([2, 4]);
    expect(bodyOf(draftOf(MAIN, new Set([4, 7])))["blocking_groups"]).toEqual([4]);
    const draft = { ...draftOf(MAIN), blockingGroups: new Set([7, 3]) };
    expect(bodyOf(draft)["blocking_groups"]).toEqual([3, 7]);
  });
});

describe("IVR menus' group administrators (ROLE-04, IVR-06)", () => {
  const menu = { ...MAIN, admin_groups: [8, 3] };

  it("an administrator chooses them, leaving out the user groups that are gone", () => {
    expect(bodyOf(emptyDraft())["admin_groups"]).toEqual([]);
    expect(bodyOf(draftOf(menu))["admin_groups"]).toEqual([3, 8]);
    expect(bodyOf(draftOf(menu, undefined, new Set([3])))["admin_groups"]).toEqual([3]);
  });

  it("a group administrator's body leaves them and the blocking groups out", () => {
    const draft = draftOf(menu, undefined, null);
    expect(draft.adminGroups).toBeNull();
    const body = bodyOf({ ...draft, name: "Reception" });
    expect(body["name"]).toBe("Reception");
    expect("admin_groups" in body || "blocking_groups" in body).toBe(false);
  });
});
