// An owner's paid plan as a subscription (ADR 032): the preview of a change and the change
// itself, which run the same rule (quote.ts) — the change under the business row lock and
// the subscription row lock, so two changes at once are decided by the database, one after
// the other, the second seeing the first. First use creates the subscription of a business
// already on a paid plan from its plan and billing anchor.
import { sql } from "kysely";
import type { Database } from "~db/index.ts";
import type { AuditActor } from "../audit.server";
import { recordAudit } from "../audit.server";
import { getBusinessPlan, lockBusinessPlans, type BusinessPlan } from "../entitlements/plan.server";
import { DomainError } from "../errors.server";
import { issueInvoice, type IssuedInvoice } from "../invoices/issue.server";
import { qualifyReferral } from "../referrals/qualification.server";
import {
  BusinessNotFound,
  LocationsOutOfRange,
  LocationsRequired,
  PLAN_LOCATIONS,
  PlanByRequest,
  PlanNotAvailable,
  PlanUnchanged,
  recordPlanChanged,
  setBusinessPlan,
} from "../plans.server";
import { periodContaining } from "~/lib/billing-periods";
import {
  intervalMonths,
  quoteChange,
  type ChangeTarget,
  type CurrentSubscription,
  type Quote,
  type QuoteLine,
} from "./quote";
import {
  isPaidInterval,
  planTermsAt,
  selectSubscription,
  toSubscriptionTerms,
} from "./sync.server";

export class QuoteChanged extends DomainError {
  constructor() {
    super(
      "quote_changed",
      "The subscription changed since the preview; check the new amounts and confirm again.",
      "planId",
    );
  }
}

/** The plan an owner asked for, checked: a paid plan's terms in force now, or the free plan. */
export async function resolveChangeTarget(
  db: Database,
  { planId, locations, now }: { planId: string; locations: number | null; now: Date },
): Promise<{ target: ChangeTarget; planName: string }> {
  const terms = await planTermsAt(db, { planId, at: now });
  if (!terms || !terms.active) throw new PlanNotAvailable();
  if (terms.billingInterval === "custom") throw new PlanByRequest();
  if (!isPaidInterval(terms.billingInterval))
    return { target: { kind: "free" }, planName: terms.planName };
  let quantity = 1;
  if (terms.perLocation) {
    if (locations === null) throw new LocationsRequired();
    if (
      !Number.isInteger(locations) ||
      locations < PLAN_LOCATIONS.min ||
      locations > PLAN_LOCATIONS.max
    )
      throw new LocationsOutOfRange();
    quantity = locations;
  }
  return {
    target: { kind: "paid", terms: toSubscriptionTerms(terms, quantity) },
    planName: terms.planName,
  };
}

/**
 * The business's running subscription as the rule sees it. A business on a paid plan with
 * no subscription row yet (it chose the plan before subscriptions existed, or support set
 * it) gets one on first use: its plan, locations and the unit price of its plan's terms,
 * anchored where its plan is, for the period that contains `now` — already paid for by
 * arrangement, so nothing is charged for it. With `create` the row is written (the caller
 * holds the business lock); without, it is only computed (a preview writes nothing).
 */
export async function runningSubscription(
  db: Database,
  { plan, lock, now }: { plan: BusinessPlan; lock: boolean; now: Date },
): Promise<{ id: string | null; current: CurrentSubscription | null }> {
  const row = await selectSubscription(db, plan.businessId, lock);
  if (row && row.status !== "ended") {
    const names = await db
      .selectFrom("plans")
      .select(["id", "name"])
      .where("id", "=", row.plan_id)
      .executeTakeFirstOrThrow();
    return {
      id: row.id,
      current: {
        terms: {
          planId: row.plan_id,
          planName: names.name,
          interval: row.billing_interval,
          unitPriceCents: row.unit_price_cents,
          quantity: row.quantity,
        },
        periodStart: row.current_period_start,
        periodEnd: row.current_period_end,
        cancelAtPeriodEnd: row.status === "cancel_at_period_end",
        pending:
          row.pending_plan_id !== null && row.pending_quantity !== null
            ? { planId: row.pending_plan_id, quantity: row.pending_quantity }
            : null,
      },
    };
  }
  if (!isPaidInterval(plan.billingInterval)) return { id: row?.id ?? null, current: null };

  const interval = plan.billingInterval;
  const period = periodContaining(plan.anchorAt, intervalMonths[interval], now);
  const quantity = plan.perLocation ? plan.locations : 1;
  const terms = {
    planId: plan.id,
    planName: plan.name,
    interval,
    unitPriceCents: plan.priceCents / quantity,
    quantity,
  };
  const current: CurrentSubscription = {
    terms,
    periodStart: period.start,
    periodEnd: period.end,
    cancelAtPeriodEnd: false,
    pending: null,
  };
  if (!lock) return { id: null, current };
  const version = await planTermsAt(db, { planId: plan.id, at: period.start });
  const values = {
    plan_id: plan.id,
    plan_version_id: version?.versionId ?? null,
    billing_interval: interval,
    quantity,
    unit_price_cents: terms.unitPriceCents,
    billing_anchor_at: plan.anchorAt,
    current_period_start: period.start,
    current_period_end: period.end,
    status: "active" as const,
    pending_plan_id: null,
    pending_quantity: null,
    ended_at: null,
    updated_at: now,
  };
  const created = await db
    .insertInto("subscriptions")
    .values({ business_id: plan.businessId, created_at: now, ...values })
    .onConflict((oc) => oc.column("business_id").doUpdateSet(values))
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: created.id, current };
}

export interface ChangePreview {
  quote: Quote;
  /** The plan the owner chose, by name. */
  planName: string;
  current: CurrentSubscription | null;
}

/** What a change would do, now: the same rule as the change, reading only. */
export async function previewSubscriptionChange(
  db: Database,
  {
    businessId,
    planId,
    locations,
    now,
  }: { businessId: string; planId: string; locations: number | null; now: Date },
): Promise<ChangePreview> {
  const { target, planName } = await resolveChangeTarget(db, { planId, locations, now });
  const plan = await getBusinessPlan(db, { businessId, now });
  if (!plan) throw new BusinessNotFound();
  if (plan.billingInterval === "custom") throw new PlanByRequest();
  const { current } = await runningSubscription(db, { plan, lock: false, now });
  const quote = quoteChange({ current, target, now });
  if (quote.outcome === "unchanged") throw new PlanUnchanged();
  return { quote, planName, current };
}

function itemValues(businessId: string, subscriptionId: string, lines: QuoteLine[], now: Date) {
  return lines.map((l) => ({
    business_id: businessId,
    subscription_id: subscriptionId,
    kind: l.kind,
    plan_id: l.planId,
    plan_name: l.planName,
    billing_interval: l.interval,
    quantity: l.quantity,
    unit_price_cents: l.unitPriceCents,
    days: l.days,
    period_days: l.periodDays,
    amount_cents: l.amountCents,
    period_start: l.periodStart,
    period_end: l.periodEnd,
    created_at: now,
  }));
}

export interface SubscriptionChange {
  quote: Quote;
  planName: string;
  /** The invoice for what was charged today, if anything was. */
  invoice: IssuedInvoice | null;
}

/**
 * A plan change does not settle a failed payment: a past-due subscription stays past due
 * (its open invoice is still owed) until the invoice is paid (ADR 038). Decided in the
 * update, from the row as it is then.
 */
function stillPastDue(otherwise: "active") {
  return sql<
    "active" | "past_due"
  >`case when status = 'past_due' then 'past_due' else ${otherwise} end`;
}

/**
 * The owner's change, made: re-quoted under the locks (so what is charged is decided from
 * the committed state, not from the page), refused when the owner confirmed another amount
 * (`expectedDueTodayCents`, from the preview they saw). Changes that apply now set the plan
 * and write today's charge and credit lines as invoice items; the others are kept on the
 * subscription for the next billing date.
 */
export async function changeSubscription(
  db: Database,
  {
    businessId,
    planId,
    locations,
    expectedDueTodayCents = null,
    actor,
    ip,
    now,
  }: {
    businessId: string;
    planId: string;
    locations: number | null;
    expectedDueTodayCents?: number | null;
    actor: AuditActor;
    ip: string | null;
    now: Date;
  },
): Promise<SubscriptionChange> {
  const { target, planName } = await resolveChangeTarget(db, { planId, locations, now });
  return db.transaction().execute(async (trx) => {
    const plan = (await lockBusinessPlans(trx, { businessIds: [businessId], now })).get(businessId);
    if (!plan) throw new BusinessNotFound();
    if (plan.billingInterval === "custom") throw new PlanByRequest();
    const running = await runningSubscription(trx, { plan, lock: true, now });
    const quote = quoteChange({ current: running.current, target, now });
    if (quote.outcome === "unchanged") throw new PlanUnchanged();
    if (expectedDueTodayCents !== null && expectedDueTodayCents !== quote.dueTodayCents)
      throw new QuoteChanged();

    const scheduled = {
      plan: running.current?.terms.planId ?? plan.id,
      locations: running.current?.terms.quantity ?? plan.locations,
    };
    if (quote.outcome === "downgrade" || quote.outcome === "cancel" || quote.outcome === "resume") {
      const pending = quote.outcome === "downgrade" && target.kind === "paid" ? target.terms : null;
      await trx
        .updateTable("subscriptions")
        .set({
          status: quote.outcome === "cancel" ? "cancel_at_period_end" : stillPastDue("active"),
          pending_plan_id: pending?.planId ?? null,
          pending_quantity: pending?.quantity ?? null,
          updated_at: now,
        })
        .where("id", "=", running.id!)
        .execute();
      await recordAudit(trx, {
        actor,
        action: "subscription.change_scheduled",
        businessId,
        subject: { type: "business", id: businessId },
        before: scheduled,
        after: {
          outcome: quote.outcome,
          plan: pending?.planId ?? (quote.outcome === "cancel" ? "free" : scheduled.plan),
          locations: pending?.quantity ?? (quote.outcome === "cancel" ? 1 : scheduled.locations),
          effective_at: quote.effectiveAt.toISOString(),
        },
        ip,
      });
      return { quote, planName, invoice: null };
    }

    // start or upgrade: applies now.
    if (target.kind !== "paid") throw new Error("a change that applies now is to a paid plan");
    const terms = target.terms;
    const version = await planTermsAt(trx, { planId: terms.planId, at: now });
    const newPeriod = quote.periodStart.getTime() === now.getTime();
    const termValues = {
      plan_id: terms.planId,
      plan_version_id: version?.versionId ?? null,
      billing_interval: terms.interval,
      quantity: terms.quantity,
      unit_price_cents: terms.unitPriceCents,
      status: "active" as const,
      pending_plan_id: null,
      pending_quantity: null,
      ended_at: null,
      updated_at: now,
      ...(newPeriod
        ? {
            billing_anchor_at: now,
            current_period_start: quote.periodStart,
            current_period_end: quote.periodEnd,
          }
        : {}),
    };
    let subscriptionId = running.id;
    if (subscriptionId && running.current) {
      await trx
        .updateTable("subscriptions")
        .set({ ...termValues, status: stillPastDue("active") })
        .where("id", "=", subscriptionId)
        .execute();
    } else {
      const values = {
        ...termValues,
        billing_anchor_at: now,
        current_period_start: quote.periodStart,
        current_period_end: quote.periodEnd,
      };
      subscriptionId = (
        await trx
          .insertInto("subscriptions")
          .values({ business_id: businessId, created_at: now, ...values })
          .onConflict((oc) => oc.column("business_id").doUpdateSet(values))
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id;
    }
    await setBusinessPlan(trx, {
      businessId,
      planId: terms.planId,
      locations: terms.quantity,
      custom: null,
      restartPeriod: newPeriod,
      now,
    });
    // Starting a paid plan qualifies a referred business's referral, once (ADR 034): the
    // owner's path here, support's through changePlan.
    if (quote.outcome === "start") {
      await qualifyReferral(trx, { businessId, event: { kind: "paid_plan" }, now });
    }
    let invoice: IssuedInvoice | null = null;
    if (quote.lines.length > 0) {
      await trx
        .insertInto("invoice_items")
        .values(itemValues(businessId, subscriptionId, quote.lines, now))
        .execute();
      // What is charged today is invoiced today.
      invoice = await issueInvoice(trx, {
        businessId,
        subscriptionId,
        period: null,
        actor,
        now,
      });
    }

    const updated = (await lockBusinessPlans(trx, { businessIds: [businessId], now })).get(
      businessId,
    )!;
    await recordPlanChanged(trx, {
      businessId,
      before: plan,
      after: updated,
      afterDetails: {
        outcome: quote.outcome,
        due_today_cents: quote.dueTodayCents,
        invoice: invoice?.number ?? null,
      },
      actor,
      ip,
      now,
    });
    return { quote, planName, invoice };
  });
}
