import { describe, expect, it } from "vitest";
import { ApiError } from "../src/api";
import { failedRequest, withEntry, withKey } from "../src/audio";

describe("withKey", () => {
  it("adds and removes in a new set, leaving the old one as it was", () => {
    const before = new Set(["a"]);
    const added = withKey(before, "b", true);
    expect([...added]).toEqual(["a", "b"]);
    expect(added).not.toBe(before);
    expect([...before]).toEqual(["a"]);
    expect([...withKey(added, "a", false)]).toEqual(["b"]);
    expect([...withKey(before, "z", false)]).toEqual(["a"]);
  });
});

describe("withEntry", () => {
  it("sets and removes (null) in a new map", () => {
    const before = new Map([["a", 1]]);
    const set = withEntry(before, "b", 2);
    expect([...set]).toEqual([["a", 1], ["b", 2]]);
    expect(set).not.toBe(before);
    expect([...withEntry(set, "a", null)]).toEqual([["b", 2]]);
    expect([...before]).toEqual([["a", 1]]);
  });
});

describe("failedRequest", () => {
  it("takes the API's code, message and field errors", () => {
    const error = failedRequest(400, "Bad Request", {
      error: { code: "invalid", message: "The file is not audio.", fields: { file: "Not a sound file." } },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid");
    expect(error.message).toBe("The file is not audio.");
    expect(error.fields).toEqual({ file: "Not a sound file." });
  });

  it("falls back to the status for an answer that is not the API's error shape", () => {
    const error = failedRequest(413, "Payload Too Large", null);
    expect(error.code).toBe("http_413");
    expect(error.message).toBe("Payload Too Large");
    expect(error.fields).toEqual({});
    expect(failedRequest(500, "Server Error", { error: { message: "" } }).message).toBe("Server Error");
  });
});
