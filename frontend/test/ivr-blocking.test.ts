import { describe, expect, it } from "vitest";
import { bodyOf, draftOf, emptyDraft } from "../src/ivr";
import { ivrMenu } from "./ivr-menu";

const MAIN = ivrMenu({ options: { "1": { kind: "number", target: "+4930123456" } }, blocking_groups: [4, 2] });

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

  it("a group administrator's body leaves them, the blocking groups and the schedule out", () => {
    const draft = draftOf({ ...menu, schedule_id: 7 }, undefined, null, new Set());
    expect(draft.adminGroups).toBeNull();
    expect(draft.scheduleId).toBe("7"); // they may not list the schedules: it stays as it is
    const body = bodyOf({ ...draft, name: "Reception" });
    expect(body["name"]).toBe("Reception");
    expect("admin_groups" in body || "blocking_groups" in body || "schedule_id" in body).toBe(false);
  });
});

describe("IVR menus' opening hours (SCH-07)", () => {
  it("a new menu is always open", () => {
    expect(emptyDraft().scheduleId).toBe("");
    expect(bodyOf(emptyDraft())["schedule_id"]).toBeNull();
  });

  it("round-trip the schedule's id, leaving out a schedule that is gone", () => {
    const menu = { ...MAIN, schedule_id: 7 };
    expect(draftOf(MAIN, undefined, undefined, new Set([7])).scheduleId).toBe("");
    expect(draftOf(menu).scheduleId).toBe("7");
    expect(bodyOf(draftOf(menu, undefined, new Set(), new Set([3, 7])))["schedule_id"]).toBe(7);
    const gone = draftOf(menu, undefined, new Set(), new Set([3]));
    expect(gone.scheduleId).toBe("");
    expect(bodyOf(gone)["schedule_id"]).toBeNull();
    expect(bodyOf({ ...gone, scheduleId: "3" })["schedule_id"]).toBe(3);
    expect(bodyOf({ ...draftOf(menu), scheduleId: "" })["schedule_id"]).toBeNull();
  });
});
