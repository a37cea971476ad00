import { describe, expect, test } from "vitest";
import { batchProgressPercent } from "./batch-progress";

describe("batchProgressPercent", () => {
  test.each([
    ["generating", 0, 20_000, 0],
    ["generating", 1, 20_000, 0],
    ["generating", 10_000, 20_000, 50],
    ["generating", 19_999, 20_000, 99],
    // Every code written, the job not yet done: still 99, never a finished bar.
    ["generating", 20_000, 20_000, 99],
    ["ready", 20_000, 20_000, 100],
    ["failed", 6_000, 20_000, 30],
    ["generating", 5, 0, 0],
  ] as const)("%s, %i of %i: %i%%", (status, generatedCount, codeCount, expected) => {
    expect(batchProgressPercent({ status, generatedCount, codeCount })).toBe(expected);
  });
});
