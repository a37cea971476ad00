// What a subscription change costs and when it applies (ADR 032): one pure function, so the
// preview the owner confirms and the change the transaction makes are the same arithmetic.
// Integer cents; a prorated amount is rounded half-even once per line.
import { addMonthsClamped } from "~/lib/billing-periods";
import { divideHalfEven } from "~/lib/money";

export type SubscriptionInterval = "month" | "year";

export const intervalMonths: Record<SubscriptionInterval, number> = { month: 1, year: 12 };

const DAY_MS = 86_400_000;

/** What a paid plan sells: a plan at a unit price per location per interval, for N locations. */
export interface SubscriptionTerms {
  planId: string;
  planName: string;
  interval: SubscriptionInterval;
  unitPriceCents: number;
  quantity: number;
}

export interface CurrentSubscription {
  terms: SubscriptionTerms;
  periodStart: Date;
  periodEnd: Date;
  cancelAtPeriodEnd: boolean;
  /** A downgrade waiting for the next billing date. */
  pending: Pick<SubscriptionTerms, "planId" | "quantity"> | null;
}

/** Where the owner wants to go: a paid plan's terms, or the free plan (cancel at period end). */
export type ChangeTarget = { kind: "paid"; terms: SubscriptionTerms } | { kind: "free" };

export interface QuoteLine {
  kind: "plan" | "proration" | "credit";
  planId: string;
  planName: string;
  interval: SubscriptionInterval;
  quantity: number;
  unitPriceCents: number;
  /** Days charged or credited of the period, for proration and credit lines. */
  days: number | null;
  periodDays: number | null;
  amountCents: number;
  periodStart: Date;
  periodEnd: Date;
}

export type QuoteOutcome = "start" | "upgrade" | "downgrade" | "cancel" | "resume" | "unchanged";

export interface Quote {
  outcome: QuoteOutcome;
  /** When the change takes effect: now, or the end of the current period. */
  effectiveAt: Date;
  /** The subscription's period once the change is made. */
  periodStart: Date;
  periodEnd: Date;
  /** Charged today (empty for changes at the next billing date). */
  lines: QuoteLine[];
  dueTodayCents: number;
  /** The recurring charge after the change, or null when the plan ends (cancel). */
  next: { amountCents: number; interval: SubscriptionInterval; from: Date } | null;
}

/** The charge for one period of these terms, all locations together. */
export function periodAmountCents(terms: Pick<SubscriptionTerms, "unitPriceCents" | "quantity">) {
  return terms.unitPriceCents * terms.quantity;
}

/** The period of `interval` that starts at `start`. */
export function periodFrom(start: Date, interval: SubscriptionInterval) {
  return { start, end: addMonthsClamped(start, intervalMonths[interval]) };
}

/**
 * Whole days of a period, and the days left at `now` counting the day of the change (a day
 * begun is a day of the new terms): an upgrade on day 10 of a 30-day period leaves 21 days.
 */
export function daysLeft(periodStart: Date, periodEnd: Date, now: Date) {
  const periodDays = Math.round((periodEnd.getTime() - periodStart.getTime()) / DAY_MS);
  const left = Math.ceil((periodEnd.getTime() - now.getTime()) / DAY_MS);
  return { periodDays, days: Math.min(periodDays, Math.max(0, left)) };
}

function prorated(terms: SubscriptionTerms, days: number, periodDays: number): number {
  return Number(
    divideHalfEven(BigInt(periodAmountCents(terms)) * BigInt(days), BigInt(periodDays)),
  );
}

function line(
  kind: QuoteLine["kind"],
  terms: SubscriptionTerms,
  amountCents: number,
  period: { start: Date; end: Date },
  days: { days: number; periodDays: number } | null,
): QuoteLine {
  return {
    kind,
    planId: terms.planId,
    planName: terms.planName,
    interval: terms.interval,
    quantity: terms.quantity,
    unitPriceCents: terms.unitPriceCents,
    days: days?.days ?? null,
    periodDays: days?.periodDays ?? null,
    amountCents,
    periodStart: period.start,
    periodEnd: period.end,
  };
}

function sameTerms(a: Pick<SubscriptionTerms, "planId" | "quantity">, b: SubscriptionTerms) {
  return a.planId === b.planId && a.quantity === b.quantity;
}

/**
 * The rule (ADR 032):
 * - free → paid starts now: the whole first period is charged today.
 * - Same interval, a higher charge per period (more locations, a dearer plan) applies now in
 *   the running period: the new terms for the days left are charged, the old terms for the
 *   same days are credited.
 * - Monthly → yearly applies now when the year costs at least the month it replaces: a new
 *   yearly period starts today, charged whole, with the unused days of the month credited.
 * - Anything else (fewer locations, a cheaper plan, yearly → monthly, a year cheaper than the
 *   month) applies at the next billing date; cancelling keeps the plan to the period's end and
 *   then moves to the free plan. Choosing the current terms again undoes a waiting change.
 */
export function quoteChange({
  current,
  target,
  now,
}: {
  current: CurrentSubscription | null;
  target: ChangeTarget;
  now: Date;
}): Quote {
  if (!current) {
    if (target.kind === "free")
      return {
        outcome: "unchanged",
        effectiveAt: now,
        periodStart: now,
        periodEnd: now,
        lines: [],
        dueTodayCents: 0,
        next: null,
      };
    const period = periodFrom(now, target.terms.interval);
    const amount = periodAmountCents(target.terms);
    return {
      outcome: "start",
      effectiveAt: now,
      periodStart: period.start,
      periodEnd: period.end,
      lines: [line("plan", target.terms, amount, period, null)],
      dueTodayCents: amount,
      next: { amountCents: amount, interval: target.terms.interval, from: period.end },
    };
  }

  const old = current.terms;
  const atPeriodEnd = (outcome: QuoteOutcome, next: Quote["next"]): Quote => ({
    outcome,
    effectiveAt: current.periodEnd,
    periodStart: current.periodStart,
    periodEnd: current.periodEnd,
    lines: [],
    dueTodayCents: 0,
    next,
  });

  if (target.kind === "free") {
    return current.cancelAtPeriodEnd ? atPeriodEnd("unchanged", null) : atPeriodEnd("cancel", null);
  }
  const terms = target.terms;
  const nextOf = (t: SubscriptionTerms, from: Date) => ({
    amountCents: periodAmountCents(t),
    interval: t.interval,
    from,
  });

  if (sameTerms(old, terms)) {
    const waiting = current.cancelAtPeriodEnd || current.pending !== null;
    return atPeriodEnd(waiting ? "resume" : "unchanged", nextOf(old, current.periodEnd));
  }
  if (current.pending && sameTerms(current.pending, terms))
    return atPeriodEnd("unchanged", nextOf(terms, current.periodEnd));

  const oldAmount = periodAmountCents(old);
  const newAmount = periodAmountCents(terms);
  const left = daysLeft(current.periodStart, current.periodEnd, now);
  const rest = { start: now, end: current.periodEnd };

  if (old.interval === terms.interval && newAmount > oldAmount) {
    const charge = prorated(terms, left.days, left.periodDays);
    const credit = prorated(old, left.days, left.periodDays);
    const lines = [
      line("proration", terms, charge, rest, left),
      line("credit", old, -credit, rest, left),
    ];
    return {
      outcome: "upgrade",
      effectiveAt: now,
      periodStart: current.periodStart,
      periodEnd: current.periodEnd,
      lines,
      dueTodayCents: charge - credit,
      next: nextOf(terms, current.periodEnd),
    };
  }

  if (old.interval === "month" && terms.interval === "year" && newAmount >= oldAmount) {
    const period = periodFrom(now, "year");
    const credit = prorated(old, left.days, left.periodDays);
    const lines = [
      line("plan", terms, newAmount, period, null),
      line("credit", old, -credit, rest, left),
    ];
    return {
      outcome: "upgrade",
      effectiveAt: now,
      periodStart: period.start,
      periodEnd: period.end,
      lines,
      dueTodayCents: newAmount - credit,
      next: nextOf(terms, period.end),
    };
  }

  return atPeriodEnd("downgrade", nextOf(terms, current.periodEnd));
}
