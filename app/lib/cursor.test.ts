// Keyset cursors round-trip; anything a user made up decodes to null (the first page).
import { describe, expect, test } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor";

describe("encodeCursor / decodeCursor", () => {
  test.each([
    [["Brewline", "3f1c2d4e-0000-4000-8000-000000000001"]],
    [["Café ☕ «Ünïcödé»", "id"]],
    [[42, null]],
    [["a/b+c=d?&", ""]],
  ])("round trip %j", (key) => {
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, key.length)).toEqual(key);
  });

  test.each([
    ["null", null],
    ["undefined", undefined],
    ["empty", ""],
    ["not base64", "!!!not a cursor!!!"],
    ["base64 of non-JSON", btoa("hello").replace(/=+$/, "")],
    ["JSON object", btoa('{"a":1}').replace(/=+$/, "")],
    ["JSON string", btoa('"abc"').replace(/=+$/, "")],
    ["too long", "A".repeat(501)],
    ["truncated", encodeCursor(["Brewline", "x"]).slice(0, -3)],
  ])("%s → null", (_label, cursor) => {
    expect(decodeCursor(cursor, 2)).toBeNull();
  });

  test("a cursor of the wrong arity is null", () => {
    expect(decodeCursor(encodeCursor(["a", "b", "c"]), 2)).toBeNull();
    expect(decodeCursor(encodeCursor(["a"]), 2)).toBeNull();
  });

  test("a tampered character never throws", () => {
    const cursor = encodeCursor(["Brewline", "3f1c2d4e-0000-4000-8000-000000000001"]);
    for (let i = 0; i < cursor.length; i++) {
      const tampered = `${cursor.slice(0, i)}${cursor[i] === "A" ? "B" : "A"}${cursor.slice(i + 1)}`;
      expect(() => decodeCursor(tampered, 2)).not.toThrow();
    }
  });
});
