// What the billing and Manage subscription pages show of a subscription: the terms, the
// period, the next charge (a waiting change's terms when one waits) and the status.
import type { Database } from "~db/index.ts";
import { getBusinessPlan } from "../entitlements/plan.server";
import { periodAmountCents, type SubscriptionInterval } from "./quote";
import { runningSubscription } from "./subscriptions.server";

export interface SubscriptionSummary {
  planId: string;
  planName: string;
  interval: SubscriptionInterval;
  quantity: number;
  unitPriceCents: number;
  status: "active" | "past_due" | "cancel_at_period_end";
  periodStart: Date;
  periodEnd: Date;
  /** Null when the plan ends at the period's end (cancelled). */
  nextChargeCents: number | null;
  nextChargeAt: Date | null;
  pending: { planId: string; planName: string; quantity: number } | null;
}

/** The business's running subscription, or null on the free or a custom plan. */
export async function getSubscriptionSummary(
  db: Database,
  { businessId, now }: { businessId: string; now: Date },
): Promise<SubscriptionSummary | null> {
  const plan = await getBusinessPlan(db, { businessId, now });
  if (!plan) return null;
  const { current } = await runningSubscription(db, { plan, lock: false, now });
  if (!current) return null;
  const row = await db
    .selectFrom("subscriptions")
    .select("status")
    .where("business_id", "=", businessId)
    .executeTakeFirst();
  const status =
    row && row.status !== "ended" ? row.status : ("active" as SubscriptionSummary["status"]);
  let pending: SubscriptionSummary["pending"] = null;
  let nextChargeCents: number | null = periodAmountCents(current.terms);
  if (current.pending) {
    const pendingPlan = await db
      .selectFrom("plans")
      .select(["name", "price_cents"])
      .where("id", "=", current.pending.planId)
      .executeTakeFirstOrThrow();
    pending = {
      planId: current.pending.planId,
      planName: pendingPlan.name,
      quantity: current.pending.quantity,
    };
    nextChargeCents = pendingPlan.price_cents * current.pending.quantity;
  }
  if (current.cancelAtPeriodEnd) nextChargeCents = null;
  return {
    planId: current.terms.planId,
    planName: current.terms.planName,
    interval: current.terms.interval,
    quantity: current.terms.quantity,
    unitPriceCents: current.terms.unitPriceCents,
    status,
    periodStart: current.periodStart,
    periodEnd: current.periodEnd,
    nextChargeCents,
    nextChargeAt: nextChargeCents === null ? null : current.periodEnd,
    pending,
  };
}
