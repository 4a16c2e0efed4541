import { describe, expect, it } from "vitest";
import { matchRoute, safeNext, type RouteDef } from "../src/router";

const ROUTES: RouteDef[] = [
  { name: "dashboard", pattern: "/" },
  { name: "users", pattern: "/users" },
  { name: "user-import", pattern: "/users/import" },
  { name: "user", pattern: "/users/:id" },
  { name: "plugin", pattern: "/plugins/:domain/settings" },
];

describe("matchRoute", () => {
  it("matches fixed paths, with or without a trailing slash", () => {
    expect(matchRoute(ROUTES, "/")).toEqual({ name: "dashboard", params: {} });
    expect(matchRoute(ROUTES, "/users")).toEqual({ name: "users", params: {} });
    expect(matchRoute(ROUTES, "/users/")).toEqual({ name: "users", params: {} });
    expect(matchRoute(ROUTES, "//users//")).toEqual({ name: "users", params: {} });
  });

  it("takes the first route that matches", () => {
    expect(matchRoute(ROUTES, "/users/import")).toEqual({ name: "user-import", params: {} });
  });

  it("fills in parameters, decoded", () => {
    expect(matchRoute(ROUTES, "/users/42")).toEqual({ name: "user", params: { id: "42" } });
    expect(matchRoute(ROUTES, "/plugins/system%20info/settings")).toEqual({
      name: "plugin",
      params: { domain: "system info" },
    });
  });

  it("matches nothing for other paths", () => {
    expect(matchRoute(ROUTES, "/nope")).toBeNull();
    expect(matchRoute(ROUTES, "/users/42/edit")).toBeNull();
    expect(matchRoute(ROUTES, "/plugins/acme/other")).toBeNull();
    expect(matchRoute([], "/")).toBeNull();
  });
});

describe("safeNext", () => {
  it("keeps paths on this site", () => {
    expect(safeNext("/users/3?tab=phones")).toBe("/users/3?tab=phones");
    expect(safeNext("/")).toBe("/");
  });

  it("drops other origins, relative paths and nothing", () => {
    for (const value of [null, "", "https://evil.example/", "//evil.example/", "/\\evil.example", "users"]) {
      expect(safeNext(value), String(value)).toBeNull();
    }
  });

  it("never returns to the log-in or setup page", () => {
    expect(safeNext("/login?next=/users")).toBeNull();
    expect(safeNext("/setup?token=abc")).toBeNull();
  });
});
