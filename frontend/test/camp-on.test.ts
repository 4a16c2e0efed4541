import { afterEach, describe, expect, it } from "vitest";
import { campedWaitingFor, campedWaitingText, type CampedWaiting } from "../src/camp-on";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

const camped: CampedWaiting = {
  user_ids: [3, 4],
  caller: "1001",
  caller_name: "Ann Tester",
  number: "1002",
  name: "Bo Berg",
  waited_s: 30,
  to: "reception",
};

describe("camp-on notifications (PQ-07)", () => {
  it("are for the receptionists they name only", () => {
    expect(campedWaitingFor(camped, 3)).toBe(true);
    expect(campedWaitingFor(camped, 1)).toBe(false);
    expect(campedWaitingFor({ ...camped, user_ids: undefined as unknown as number[] }, 3)).toBe(false);
  });

  it("say who waits for whom and how long, in the user's language", () => {
    expect(campedWaitingText(camped)).toBe(
      "Ann Tester (1001) has waited 30 s for Bo Berg (1002), who is still on the phone.",
    );
    expect(campedWaitingText({ ...camped, caller_name: "" })).toMatch(/^1001 has waited 30 s/);
    useLanguage("de");
    expect(campedWaitingText(camped)).toBe("Ann Tester (1001) wartet seit 30 s auf Bo Berg (1002), der noch telefoniert.");
    useLanguage("da");
    expect(campedWaitingText(camped)).toContain("har ventet 30 s på Bo Berg (1002)");
  });
});
