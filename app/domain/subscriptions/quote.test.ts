// The change rule of ADR 032 as a table of worked examples: each row is one owner's change,
// what is charged today line by line, and what is charged from when on.
import { describe, expect, it } from "vitest";
import {
  daysLeft,
  quoteChange,
  type ChangeTarget,
  type CurrentSubscription,
  type SubscriptionTerms,
} from "./quote";

const at = (iso: string) => new Date(iso);

function monthly(quantity: number, unitPriceCents = 2900): SubscriptionTerms {
  return { planId: "monthly", planName: "Monthly", interval: "month", unitPriceCents, quantity };
}
function yearly(quantity: number, unitPriceCents = 29000): SubscriptionTerms {
  return { planId: "yearly", planName: "Yearly", interval: "year", unitPriceCents, quantity };
}
function on(
  terms: SubscriptionTerms,
  periodStart: string,
  periodEnd: string,
  extra: Partial<CurrentSubscription> = {},
): CurrentSubscription {
  return {
    terms,
    periodStart: at(periodStart),
    periodEnd: at(periodEnd),
    cancelAtPeriodEnd: false,
    pending: null,
    ...extra,
  };
}
const paid = (terms: SubscriptionTerms): ChangeTarget => ({ kind: "paid", terms });
const free: ChangeTarget = { kind: "free" };

interface Case {
  name: string;
  current: CurrentSubscription | null;
  target: ChangeTarget;
  now: string;
  outcome: string;
  /** [kind, amount cents, days, period days] per line charged today. */
  lines: [string, number, number | null, number | null][];
  dueToday: number;
  /** The recurring charge afterwards: [cents, from] — or null when the plan ends. */
  next: [number, string] | null;
  effectiveAt: string;
}

const cases: Case[] = [
  {
    name: "free → Monthly, 1 location: the first month is charged whole today",
    current: null,
    target: paid(monthly(1)),
    now: "2026-11-10T09:00:00.000Z",
    outcome: "start",
    lines: [["plan", 2900, null, null]],
    dueToday: 2900,
    next: [2900, "2026-12-10T09:00:00.000Z"],
    effectiveAt: "2026-11-10T09:00:00.000Z",
  },
  {
    name: "free → Yearly, 3 locations: the first year is charged whole today",
    current: null,
    target: paid(yearly(3)),
    now: "2026-11-10T09:00:00.000Z",
    outcome: "start",
    lines: [["plan", 87000, null, null]],
    dueToday: 87000,
    next: [87000, "2027-11-10T09:00:00.000Z"],
    effectiveAt: "2026-11-10T09:00:00.000Z",
  },
  {
    // Day 10 of a 30-day month: 9 days used, 21 left (the day of the change counts as left).
    // Charge 5,800 × 21/30 = 4,060; credit 2,900 × 21/30 = 2,030; due 2,030.
    name: "Monthly 1 → 2 locations on day 10 of a 30-day month",
    current: on(monthly(1), "2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"),
    target: paid(monthly(2)),
    now: "2026-11-10T12:00:00.000Z",
    outcome: "upgrade",
    lines: [
      ["proration", 4060, 21, 30],
      ["credit", -2030, 21, 30],
    ],
    dueToday: 2030,
    next: [5800, "2026-12-01T00:00:00.000Z"],
    effectiveAt: "2026-11-10T12:00:00.000Z",
  },
  {
    // 31-day month, 22 days left: 8,700 × 22/31 = 6,174.19 → 6,174; 2,900 × 22/31 = 2,058.06 → 2,058.
    name: "Monthly 1 → 3 locations on day 10 of a 31-day month",
    current: on(monthly(1), "2026-12-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"),
    target: paid(monthly(3)),
    now: "2026-12-10T12:00:00.000Z",
    outcome: "upgrade",
    lines: [
      ["proration", 6174, 22, 31],
      ["credit", -2058, 22, 31],
    ],
    dueToday: 4116,
    next: [8700, "2027-01-01T00:00:00.000Z"],
    effectiveAt: "2026-12-10T12:00:00.000Z",
  },
  {
    // February 2027 has 28 days; at midnight of the 15th exactly 14 are left.
    name: "Monthly 1 → 2 locations in February, half-way",
    current: on(monthly(1), "2027-02-01T00:00:00.000Z", "2027-03-01T00:00:00.000Z"),
    target: paid(monthly(2)),
    now: "2027-02-15T00:00:00.000Z",
    outcome: "upgrade",
    lines: [
      ["proration", 2900, 14, 28],
      ["credit", -1450, 14, 28],
    ],
    dueToday: 1450,
    next: [5800, "2027-03-01T00:00:00.000Z"],
    effectiveAt: "2027-02-15T00:00:00.000Z",
  },
  {
    // Anchor on the 31st: the period 31 Jan → 28 Feb is 28 days; 8 left on the 20th.
    // 14,500 × 8/28 = 4,142.86 → 4,143; 5,800 × 8/28 = 1,657.14 → 1,657.
    name: "Monthly 2 → 5 locations across a month end (anchor on the 31st)",
    current: on(monthly(2), "2027-01-31T00:00:00.000Z", "2027-02-28T00:00:00.000Z"),
    target: paid(monthly(5)),
    now: "2027-02-20T00:00:00.000Z",
    outcome: "upgrade",
    lines: [
      ["proration", 4143, 8, 28],
      ["credit", -1657, 8, 28],
    ],
    dueToday: 2486,
    next: [14500, "2027-02-28T00:00:00.000Z"],
    effectiveAt: "2027-02-20T00:00:00.000Z",
  },
  {
    // A price version of €10.01: the credit 1,001 × 14/28 = 500.5 rounds half-even to 500.
    name: "half-even rounding once per line",
    current: on(monthly(1, 1001), "2027-02-01T00:00:00.000Z", "2027-03-01T00:00:00.000Z"),
    target: paid(monthly(2, 1001)),
    now: "2027-02-15T00:00:00.000Z",
    outcome: "upgrade",
    lines: [
      ["proration", 1001, 14, 28],
      ["credit", -500, 14, 28],
    ],
    dueToday: 501,
    next: [2002, "2027-03-01T00:00:00.000Z"],
    effectiveAt: "2027-02-15T00:00:00.000Z",
  },
  {
    // A yearly period over 29 Feb 2028 has 366 days; 184 are left on 30 Nov 2027.
    // 58,000 × 184/366 = 29,158.47 → 29,158; 29,000 × 184/366 = 14,579.23 → 14,579.
    name: "Yearly 1 → 2 locations half-way through a leap year",
    current: on(yearly(1), "2027-06-01T00:00:00.000Z", "2028-06-01T00:00:00.000Z"),
    target: paid(yearly(2)),
    now: "2027-11-30T00:00:00.000Z",
    outcome: "upgrade",
    lines: [
      ["proration", 29158, 184, 366],
      ["credit", -14579, 184, 366],
    ],
    dueToday: 14579,
    next: [58000, "2028-06-01T00:00:00.000Z"],
    effectiveAt: "2027-11-30T00:00:00.000Z",
  },
  {
    // A new yearly period starts today, charged whole; the month's 21 unused days are credited.
    name: "Monthly → Yearly, 2 locations, on day 10 of a 30-day month",
    current: on(monthly(2), "2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"),
    target: paid(yearly(2)),
    now: "2026-11-10T12:00:00.000Z",
    outcome: "upgrade",
    lines: [
      ["plan", 58000, null, null],
      ["credit", -4060, 21, 30],
    ],
    dueToday: 53940,
    next: [58000, "2027-11-10T12:00:00.000Z"],
    effectiveAt: "2026-11-10T12:00:00.000Z",
  },
  {
    name: "Monthly 3 → 2 locations waits for the next billing date",
    current: on(monthly(3), "2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"),
    target: paid(monthly(2)),
    now: "2026-11-10T12:00:00.000Z",
    outcome: "downgrade",
    lines: [],
    dueToday: 0,
    next: [5800, "2026-12-01T00:00:00.000Z"],
    effectiveAt: "2026-12-01T00:00:00.000Z",
  },
  {
    name: "Yearly → Monthly waits for the end of the paid year",
    current: on(yearly(1), "2026-06-01T00:00:00.000Z", "2027-06-01T00:00:00.000Z"),
    target: paid(monthly(1)),
    now: "2026-11-10T12:00:00.000Z",
    outcome: "downgrade",
    lines: [],
    dueToday: 0,
    next: [2900, "2027-06-01T00:00:00.000Z"],
    effectiveAt: "2027-06-01T00:00:00.000Z",
  },
  {
    // A year for 1 location (€290) costs less than the month for 20 (€580): not an upgrade.
    name: "Monthly 20 → Yearly 1 is cheaper per period, so at the next billing date",
    current: on(monthly(20), "2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"),
    target: paid(yearly(1)),
    now: "2026-11-10T12:00:00.000Z",
    outcome: "downgrade",
    lines: [],
    dueToday: 0,
    next: [29000, "2026-12-01T00:00:00.000Z"],
    effectiveAt: "2026-12-01T00:00:00.000Z",
  },
  {
    name: "cancel: the plan runs to the period's end, then the free plan",
    current: on(monthly(2), "2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"),
    target: free,
    now: "2026-11-10T12:00:00.000Z",
    outcome: "cancel",
    lines: [],
    dueToday: 0,
    next: null,
    effectiveAt: "2026-12-01T00:00:00.000Z",
  },
  {
    name: "choosing the current terms after cancelling resumes, free of charge",
    current: on(monthly(2), "2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z", {
      cancelAtPeriodEnd: true,
    }),
    target: paid(monthly(2)),
    now: "2026-11-10T12:00:00.000Z",
    outcome: "resume",
    lines: [],
    dueToday: 0,
    next: [5800, "2026-12-01T00:00:00.000Z"],
    effectiveAt: "2026-12-01T00:00:00.000Z",
  },
  {
    name: "an upgrade replaces a waiting downgrade",
    current: on(monthly(3), "2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z", {
      pending: { planId: "monthly", quantity: 1 },
    }),
    target: paid(monthly(4)),
    now: "2026-11-16T00:00:00.000Z",
    outcome: "upgrade",
    lines: [
      ["proration", 5800, 15, 30],
      ["credit", -4350, 15, 30],
    ],
    dueToday: 1450,
    next: [11600, "2026-12-01T00:00:00.000Z"],
    effectiveAt: "2026-11-16T00:00:00.000Z",
  },
  {
    name: "the same terms again change nothing",
    current: on(monthly(2), "2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"),
    target: paid(monthly(2)),
    now: "2026-11-10T12:00:00.000Z",
    outcome: "unchanged",
    lines: [],
    dueToday: 0,
    next: [5800, "2026-12-01T00:00:00.000Z"],
    effectiveAt: "2026-12-01T00:00:00.000Z",
  },
];

describe("quoteChange", () => {
  it.each(cases)("$name", (c) => {
    const quote = quoteChange({ current: c.current, target: c.target, now: at(c.now) });
    expect(quote.outcome).toBe(c.outcome);
    expect(quote.lines.map((l) => [l.kind, l.amountCents, l.days, l.periodDays])).toEqual(c.lines);
    expect(quote.dueTodayCents).toBe(c.dueToday);
    // What is due today is exactly the sum of its lines.
    expect(quote.lines.reduce((sum, l) => sum + l.amountCents, 0)).toBe(quote.dueTodayCents);
    expect(quote.next && [quote.next.amountCents, quote.next.from.toISOString()]).toEqual(c.next);
    expect(quote.effectiveAt.toISOString()).toBe(c.effectiveAt);
  });
});

describe("daysLeft", () => {
  it("counts the day of the change as left and never goes below zero", () => {
    const start = at("2026-11-01T00:00:00.000Z");
    const end = at("2026-12-01T00:00:00.000Z");
    expect(daysLeft(start, end, start)).toEqual({ periodDays: 30, days: 30 });
    expect(daysLeft(start, end, at("2026-11-01T00:00:00.001Z"))).toEqual({
      periodDays: 30,
      days: 30,
    });
    expect(daysLeft(start, end, at("2026-11-30T23:59:59.999Z"))).toEqual({
      periodDays: 30,
      days: 1,
    });
    expect(daysLeft(start, end, end)).toEqual({ periodDays: 30, days: 0 });
  });
});
