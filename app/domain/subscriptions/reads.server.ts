// What the billing and Manage subscription pages show of a subscription: the terms, the
// period, the next charge (a waiting change's terms when one waits) and the status.
import type { Database } from "~db/index.ts";
import { getBusinessPlan } from "../entitlements/plan.server";
import { DEFAULT_DAYS_PAST_DUE, payBy } from "../invoices/past-due";
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
  /**
   * While past due (a payment failed): since when, the date to pay by, and the open invoices
   * whose payment failed. Paid by then, the plan stays; else it falls back to free at the end
   * of the period running then.
   */
  pastDue: { since: Date; payBy: Date; invoiceNumbers: string[] } | null;
}

/** The business's running subscription, or null on the free or a custom plan. */
export async function getSubscriptionSummary(
  db: Database,
  {
    businessId,
    now,
    daysPastDue = DEFAULT_DAYS_PAST_DUE,
  }: { businessId: string; now: Date; daysPastDue?: number },
): Promise<SubscriptionSummary | null> {
  const plan = await getBusinessPlan(db, { businessId, now });
  if (!plan) return null;
  const { current } = await runningSubscription(db, { plan, lock: false, now });
  if (!current) return null;
  const row = await db
    .selectFrom("subscriptions")
    .select(["status", "past_due_since"])
    .where("business_id", "=", businessId)
    .executeTakeFirst();
  let pastDue: SubscriptionSummary["pastDue"] = null;
  if (row?.status === "past_due" && row.past_due_since) {
    const failed = await db
      .selectFrom("invoices as i")
      .select("i.number")
      .where("i.business_id", "=", businessId)
      .where("i.status", "=", "open")
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("payment_events as pe")
            .select("pe.event_id")
            .whereRef("pe.invoice_id", "=", "i.id")
            .where("pe.type", "=", "invoice.payment_failed"),
        ),
      )
      .orderBy("i.issued_at")
      .execute();
    pastDue = {
      since: row.past_due_since,
      payBy: payBy(row.past_due_since, daysPastDue),
      invoiceNumbers: failed.map((invoice) => invoice.number),
    };
  }
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
    pastDue,
  };
}
