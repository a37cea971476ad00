// How long a subscription may stay past due (ADR 038): the owner has this many days from the
// failed payment to pay; a subscription still past due by then falls back to the free plan at
// the end of the billing period that is running. Pure, so the env default, the renewal and the
// banner read the same numbers.

/** Days past due before the plan falls back to free (PAYMENT_DAYS_PAST_DUE). */
export const DEFAULT_DAYS_PAST_DUE = 14;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The date the owner must pay by: `days` whole days after the payment failed. */
export function payBy(pastDueSince: Date, days: number): Date {
  return new Date(pastDueSince.getTime() + days * DAY_MS);
}

/** At a period's end (`boundary`): has the subscription been past due for long enough to end? */
export function fallsBackToFree(pastDueSince: Date | null, days: number, boundary: Date): boolean {
  return pastDueSince !== null && payBy(pastDueSince, days).getTime() <= boundary.getTime();
}
