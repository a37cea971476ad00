// Monthly periods keep the anchor's day, clamped to short months; all in UTC.
import { describe, expect, test } from "vitest";
import { addMonthsClamped, nextBillingDate, periodContaining } from "./billing-periods";

const d = (iso: string) => new Date(iso);

describe("addMonthsClamped", () => {
  test.each([
    ["2026-01-31T10:00:00Z", 1, "2026-02-28T10:00:00Z"],
    ["2028-01-31T10:00:00Z", 1, "2028-02-29T10:00:00Z"],
    ["2026-01-31T10:00:00Z", 2, "2026-03-31T10:00:00Z"],
    ["2026-01-31T10:00:00Z", 3, "2026-04-30T10:00:00Z"],
    ["2026-03-31T00:00:00Z", -1, "2026-02-28T00:00:00Z"],
    ["2026-12-15T23:59:59.999Z", 1, "2027-01-15T23:59:59.999Z"],
    ["2026-11-30T08:00:00Z", 3, "2027-02-28T08:00:00Z"],
    ["2026-01-15T00:00:00Z", -1, "2025-12-15T00:00:00Z"],
    ["2026-01-15T00:00:00Z", -13, "2024-12-15T00:00:00Z"],
    ["2028-02-29T12:00:00Z", 12, "2029-02-28T12:00:00Z"],
    ["2028-02-29T12:00:00Z", 48, "2032-02-29T12:00:00Z"],
    ["2026-05-20T06:30:00Z", 0, "2026-05-20T06:30:00Z"],
  ])("%s + %i months → %s", (anchor, months, expected) => {
    expect(addMonthsClamped(d(anchor), months)).toEqual(d(expected));
  });

  test("counts from the anchor, so a clamped month does not shorten later ones", () => {
    const anchor = d("2026-01-31T00:00:00Z");
    const feb = addMonthsClamped(anchor, 1);
    expect(feb).toEqual(d("2026-02-28T00:00:00Z"));
    expect(addMonthsClamped(anchor, 2)).toEqual(d("2026-03-31T00:00:00Z"));
    // Chaining from the clamped date would give Mar 28 instead.
    expect(addMonthsClamped(feb, 1)).toEqual(d("2026-03-28T00:00:00Z"));
  });
});

describe("periodContaining (monthly)", () => {
  const anchor = d("2026-01-31T10:00:00Z");

  test("inside the first period", () => {
    expect(periodContaining(anchor, 1, d("2026-02-10T00:00:00Z"))).toEqual({
      start: anchor,
      end: d("2026-02-28T10:00:00Z"),
    });
  });

  test("the anchor itself starts the first period", () => {
    expect(periodContaining(anchor, 1, anchor).start).toEqual(anchor);
  });

  test("a boundary instant belongs to the new period; a millisecond before to the old", () => {
    expect(periodContaining(anchor, 1, d("2026-02-28T10:00:00Z"))).toEqual({
      start: d("2026-02-28T10:00:00Z"),
      end: d("2026-03-31T10:00:00Z"),
    });
    expect(periodContaining(anchor, 1, d("2026-02-28T09:59:59.999Z"))).toEqual({
      start: anchor,
      end: d("2026-02-28T10:00:00Z"),
    });
  });

  test("before the anchor: the first period", () => {
    expect(periodContaining(anchor, 1, d("2025-06-01T00:00:00Z"))).toEqual({
      start: anchor,
      end: d("2026-02-28T10:00:00Z"),
    });
  });

  test("years later, the end is back on the anchor's day", () => {
    expect(periodContaining(d("2020-01-31T00:00:00Z"), 1, d("2026-03-15T00:00:00Z"))).toEqual({
      start: d("2026-02-28T00:00:00Z"),
      end: d("2026-03-31T00:00:00Z"),
    });
  });

  test("year rollover", () => {
    expect(periodContaining(d("2026-03-31T00:00:00Z"), 1, d("2027-01-02T00:00:00Z"))).toEqual({
      start: d("2026-12-31T00:00:00Z"),
      end: d("2027-01-31T00:00:00Z"),
    });
  });

  test("the period always contains now, start inclusive and end exclusive", () => {
    const anchors = ["2026-01-31T10:00:00Z", "2024-02-29T00:00:00Z", "2025-08-30T23:59:59Z"];
    for (const a of anchors) {
      for (let day = 0; day < 800; day += 7) {
        const now = new Date(d("2026-01-01T00:00:00Z").getTime() + day * 86_400_000);
        const { start, end } = periodContaining(d(a), 1, now);
        if (now >= d(a)) {
          expect(start.getTime()).toBeLessThanOrEqual(now.getTime());
          expect(end.getTime()).toBeGreaterThan(now.getTime());
        }
      }
    }
  });
});

describe("yearly periods and the next billing date", () => {
  test("a Feb 29 anchor renews on Feb 28 in common years", () => {
    const anchor = d("2028-02-29T00:00:00Z");
    expect(periodContaining(anchor, 12, d("2029-03-01T00:00:00Z"))).toEqual({
      start: d("2029-02-28T00:00:00Z"),
      end: d("2030-02-28T00:00:00Z"),
    });
    expect(nextBillingDate(anchor, 12, d("2031-06-01T00:00:00Z"))).toEqual(
      d("2032-02-29T00:00:00Z"),
    );
  });

  test("nextBillingDate is the end of the current period", () => {
    const anchor = d("2026-01-31T10:00:00Z");
    expect(nextBillingDate(anchor, 1, d("2026-02-01T00:00:00Z"))).toEqual(
      d("2026-02-28T10:00:00Z"),
    );
    expect(nextBillingDate(anchor, 12, d("2026-02-01T00:00:00Z"))).toEqual(
      d("2027-01-31T10:00:00Z"),
    );
  });
});
