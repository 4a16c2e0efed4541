import { describe, expect, it } from "vitest";
import { EMPTY, draftBody, draftOf, splitList, trunkState, type Trunk } from "../src/trunks";
import type { EntityState } from "../src/types";

const TRUNK: Trunk = {
  id: 3,
  name: "provider",
  kind: "register",
  host: "sip.provider.test",
  port: 5060,
  transport: "udp",
  username: "4589000000",
  auth_username: "",
  expires: 600,
  addresses: [],
  outbound_proxy: "",
  from_domain: "",
  caller_ids: ["+4589000000", "+4589000010"],
  default_caller_id: "+4589000000",
  allow_anonymous: true,
  called_from: "to",
  default_destination: "",
  country_code: "45",
  national_prefix: "",
  priority: 10,
  enabled: true,
  state: "unregistered",
  last_error: "",
};

describe("trunks", () => {
  it("splits lists on commas and spaces", () => {
    expect(splitList("+4589000000, +4589000010  +4589000011")).toEqual(["+4589000000", "+4589000010", "+4589000011"]);
    expect(splitList("  ")).toEqual([]);
  });

  it("sends the password only when typed, numbers as numbers, lists as lists", () => {
    const draft = draftOf(TRUNK);
    expect(draft["caller_ids"]).toBe("+4589000000, +4589000010");
    const body = draftBody(draft, false);
    expect(body).not.toHaveProperty("password");
    expect(body).not.toHaveProperty("name");
    expect(body["port"]).toBe(5060);
    expect(body["caller_ids"]).toEqual(["+4589000000", "+4589000010"]);
    const created = draftBody({ ...EMPTY, name: " p2 ", password: "secret" }, true);
    expect(created["name"]).toBe("p2");
    expect(created["password"]).toBe("secret");
  });

  it("takes the live trunk.<name> state over the listed one", () => {
    const live: EntityState = {
      entity_id: "trunk.provider",
      state: "failed",
      attributes: { last_error: "401 Unauthorized" },
      last_changed: 0,
      last_updated: 0,
    } as unknown as EntityState;
    expect(trunkState(TRUNK, new Map())).toEqual({ state: "unregistered", error: "" });
    expect(trunkState(TRUNK, new Map([["trunk.provider", live]]))).toEqual({ state: "failed", error: "401 Unauthorized" });
  });
});
