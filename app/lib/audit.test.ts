import { describe, expect, test } from "vitest";
import { auditChanges } from "./audit";

describe("auditChanges", () => {
  test("fields of both sides, in order, changed ones marked", () => {
    expect(auditChanges({ a: 1, b: "x" }, { b: "y", a: 1, c: true })).toEqual([
      { field: "a", before: "1", after: "1", changed: false },
      { field: "b", before: '"x"', after: '"y"', changed: true },
      { field: "c", before: null, after: "true", changed: true },
    ]);
  });
  test("one side missing: every field changed", () => {
    expect(auditChanges(null, { status: "active" })).toEqual([
      { field: "status", before: null, after: '"active"', changed: true },
    ]);
  });
  test("values that are not objects compare as a whole", () => {
    expect(auditChanges(3, 4)).toEqual([{ field: "", before: "3", after: "4", changed: true }]);
    expect(auditChanges(null, null)).toEqual([]);
  });
});
