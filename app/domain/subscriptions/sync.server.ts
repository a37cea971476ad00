// The subscriptions table as the rest of the domain reads and writes it: a plan's terms in
// force at an instant, a business's subscription row (locked for a change), and keeping the
// row in step when support sets a plan by hand (no charge: support's corrections are free).
import type { Database } from "~db/index.ts";
import { periodFrom, type SubscriptionInterval, type SubscriptionTerms } from "./quote";

export const subscriptionColumns = [
  "id",
  "business_id",
  "plan_id",
  "plan_version_id",
  "billing_interval",
  "quantity",
  "unit_price_cents",
  "billing_anchor_at",
  "current_period_start",
  "current_period_end",
  "status",
  "pending_plan_id",
  "pending_quantity",
  "ended_at",
  "created_at",
] as const;

export interface PlanTerms {
  planId: string;
  planName: string;
  /** The plans row's interval: none (free), month, year, custom. */
  billingInterval: "none" | "month" | "year" | "custom";
  perLocation: boolean;
  active: boolean;
  unitPriceCents: number;
  versionId: number | null;
}

/**
 * A plan with the terms of its newest version in force at `at` (ADR 019): what a period
 * starting at `at` is sold at. Null for an unknown plan.
 */
export async function planTermsAt(
  db: Database,
  { planId, at }: { planId: string; at: Date },
): Promise<PlanTerms | null> {
  const plan = await db
    .selectFrom("plans")
    .select(["id", "name", "billing_interval", "per_location", "active", "price_cents"])
    .where("id", "=", planId)
    .executeTakeFirst();
  if (!plan) return null;
  const version = await db
    .selectFrom("plan_versions")
    .select(["id", "price_cents", "billing_interval"])
    .where("plan_id", "=", planId)
    .where("effective_from", "<=", at)
    .orderBy("effective_from", "desc")
    .limit(1)
    .executeTakeFirst();
  return {
    planId: plan.id,
    planName: plan.name,
    billingInterval: version?.billing_interval ?? plan.billing_interval,
    perLocation: plan.per_location,
    active: plan.active,
    unitPriceCents: version?.price_cents ?? plan.price_cents,
    versionId: version?.id ?? null,
  };
}

export function isPaidInterval(interval: string): interval is SubscriptionInterval {
  return interval === "month" || interval === "year";
}

export function toSubscriptionTerms(terms: PlanTerms, quantity: number): SubscriptionTerms {
  if (!isPaidInterval(terms.billingInterval)) throw new Error("not a paid plan");
  return {
    planId: terms.planId,
    planName: terms.planName,
    interval: terms.billingInterval,
    unitPriceCents: terms.unitPriceCents,
    quantity,
  };
}

/** The business's subscription row, locked FOR UPDATE when `lock` (changes and renewals). */
export function selectSubscription(db: Database, businessId: string, lock: boolean) {
  const query = db
    .selectFrom("subscriptions")
    .select(subscriptionColumns)
    .where("business_id", "=", businessId);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

/**
 * Support set the business's plan by hand, now (plans.server.ts `changePlan`): a paid plan
 * becomes the subscription from now, with a new period and nothing charged; the free or a
 * custom plan ends the subscription. The caller holds the business lock.
 */
export async function syncSubscriptionToSupportChange(
  trx: Database,
  {
    businessId,
    planId,
    locations,
    now,
  }: { businessId: string; planId: string; locations: number; now: Date },
): Promise<void> {
  const terms = await planTermsAt(trx, { planId, at: now });
  if (terms && isPaidInterval(terms.billingInterval)) {
    const period = periodFrom(now, terms.billingInterval);
    const values = {
      plan_id: terms.planId,
      plan_version_id: terms.versionId,
      billing_interval: terms.billingInterval,
      quantity: locations,
      unit_price_cents: terms.unitPriceCents,
      billing_anchor_at: now,
      current_period_start: period.start,
      current_period_end: period.end,
      status: "active" as const,
      pending_plan_id: null,
      pending_quantity: null,
      ended_at: null,
      updated_at: now,
    };
    await trx
      .insertInto("subscriptions")
      .values({ business_id: businessId, created_at: now, ...values })
      .onConflict((oc) => oc.column("business_id").doUpdateSet(values))
      .execute();
    return;
  }
  await trx
    .updateTable("subscriptions")
    .set({
      status: "ended",
      ended_at: now,
      pending_plan_id: null,
      pending_quantity: null,
      updated_at: now,
    })
    .where("business_id", "=", businessId)
    .where("status", "<>", "ended")
    .execute();
}
