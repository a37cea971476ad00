// Issuing business invoices (ADR 032): the charges and credits waiting for a business
// (invoice_items) become one invoice, numbered INV-{YYYY}-{NNNNN} from a counter row locked
// in the same transaction (gapless per year across all businesses: a number is taken only
// by a transaction that commits the invoice), with the billing details and VAT as they are
// at issue time. And the renewal: each subscription whose period has ended moves on, period
// by period (catching up after downtime), applying a waiting change, and is invoiced.
import { sql } from "kysely";
import type { Database } from "~db/index.ts";
import { periodContaining } from "~/lib/billing-periods";
import { taxCents } from "~/lib/money";
import { recordAudit, systemActor, type AuditActor } from "../audit.server";
import { lockBusinessPlans } from "../entitlements/plan.server";
import { recordOutboxEvent } from "../outbox.server";
import { setBusinessPlan } from "../plans.server";
import { intervalMonths, periodAmountCents } from "../subscriptions/quote";
import { planTermsAt, isPaidInterval } from "../subscriptions/sync.server";
import { getBillingDetails } from "./billing-details.server";
import { DEFAULT_DAYS_PAST_DUE, fallsBackToFree } from "./past-due";
import { vatTreatment } from "./vat";

export type InvoiceKind = "invoice" | "credit_note";

const prefixes: Record<InvoiceKind, string> = { invoice: "INV", credit_note: "CN" };

/** INV-2026-00042: the kind's prefix, the year and a five-digit sequence. */
export function invoiceNumber(kind: InvoiceKind, year: number, sequence: number): string {
  return `${prefixes[kind]}-${year}-${String(sequence).padStart(5, "0")}`;
}

/** The next number of the kind and year; the row stays locked until the caller commits. */
export async function takeNumber(trx: Database, kind: InvoiceKind, year: number) {
  const { last_number: sequence } = await trx
    .insertInto("invoice_counters")
    .values({ kind, year, last_number: 1 })
    .onConflict((oc) =>
      oc.columns(["kind", "year"]).doUpdateSet({
        last_number: sql<number>`invoice_counters.last_number + 1`,
      }),
    )
    .returning("last_number")
    .executeTakeFirstOrThrow();
  return { sequence, number: invoiceNumber(kind, year, sequence) };
}

/** What the invoice.* webhook events carry (issued, paid, payment_failed). */
export function invoiceEventPayload(
  invoice: { id: string; number: string; businessId: string; totalCents: number; status: string },
  at: Date,
) {
  return {
    invoice_id: invoice.id,
    number: invoice.number,
    business_id: invoice.businessId,
    total_cents: invoice.totalCents,
    currency: "EUR",
    status: invoice.status,
    occurred_at: at.toISOString(),
  };
}

export interface IssuedInvoice {
  id: string;
  number: string;
  totalCents: number;
}

/**
 * Issues the business's waiting items as one invoice, at `now`; null when none waits. The
 * caller holds the business lock (changeSubscription, the renewal), so items cannot be
 * invoiced twice.
 */
export async function issueInvoice(
  trx: Database,
  {
    businessId,
    subscriptionId,
    period,
    actor,
    now,
  }: {
    businessId: string;
    subscriptionId: string | null;
    period: { start: Date; end: Date } | null;
    actor: AuditActor;
    now: Date;
  },
): Promise<IssuedInvoice | null> {
  const items = await trx
    .selectFrom("invoice_items")
    .select([
      "id",
      "kind",
      "plan_name",
      "billing_interval",
      "quantity",
      "unit_price_cents",
      "days",
      "period_days",
      "amount_cents",
      "period_start",
      "period_end",
    ])
    .where("business_id", "=", businessId)
    .where("invoice_id", "is", null)
    .orderBy("id")
    .forUpdate()
    .execute();
  if (items.length === 0) return null;

  const business = await trx
    .selectFrom("businesses")
    .select(["name"])
    .where("id", "=", businessId)
    .executeTakeFirstOrThrow();
  const details = await getBillingDetails(trx, { businessId });
  const vat = vatTreatment({ country: details?.country ?? null, vatId: details?.vatId ?? null });
  const netCents = items.reduce((sum, item) => sum + item.amount_cents, 0);
  const vatCents = taxCents(netCents, vat.rateBps);
  const year = now.getUTCFullYear();
  const { sequence, number } = await takeNumber(trx, "invoice", year);
  const snapshot = {
    businessName: business.name,
    legalName: details?.legalName ?? business.name,
    address: details?.address ?? "",
    country: details?.country ?? null,
    vatId: details?.vatId ?? null,
  };
  const starts = items.map((i) => i.period_start.getTime());
  const ends = items.map((i) => i.period_end.getTime());
  const { id } = await trx
    .insertInto("invoices")
    .values({
      business_id: businessId,
      subscription_id: subscriptionId,
      kind: "invoice",
      year,
      sequence,
      number,
      issued_at: now,
      period_start: period?.start ?? new Date(Math.min(...starts)),
      period_end: period?.end ?? new Date(Math.max(...ends)),
      billing_snapshot: JSON.stringify(snapshot),
      net_cents: netCents,
      vat_rate_bps: vat.rateBps,
      vat_cents: vatCents,
      total_cents: netCents + vatCents,
      reverse_charge: vat.reverseCharge,
      status: "open",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await trx
    .insertInto("invoice_lines")
    .values(
      items.map((item, index) => ({
        invoice_id: id,
        position: index + 1,
        kind: item.kind,
        plan_name: item.plan_name,
        billing_interval: item.billing_interval,
        quantity: item.quantity,
        unit_price_cents: item.unit_price_cents,
        days: item.days,
        period_days: item.period_days,
        amount_cents: item.amount_cents,
        period_start: item.period_start,
        period_end: item.period_end,
      })),
    )
    .execute();
  await trx
    .updateTable("invoice_items")
    .set({ invoice_id: id })
    .where(
      "id",
      "in",
      items.map((item) => item.id),
    )
    .execute();
  await recordAudit(trx, {
    actor,
    action: "invoice.issued",
    businessId,
    subject: { type: "business", id: businessId },
    after: { number, net_cents: netCents, vat_cents: vatCents, total_cents: netCents + vatCents },
    occurredAt: now,
  });
  await recordOutboxEvent(trx, {
    topic: "invoice.issued",
    businessId,
    payload: invoiceEventPayload(
      { id, number, businessId, totalCents: netCents + vatCents, status: "open" },
      now,
    ),
  });
  return { id, number, totalCents: netCents + vatCents };
}

/**
 * Moves one business's subscription through every period that has ended by `now`: a waiting
 * change or a cancellation takes effect at the period's end, and each new period is charged
 * (at the plan's terms in force at the period's start, ADR 019) and invoiced. A subscription
 * past due for `daysPastDue` days or more at a period's end moves to the free plan there, as
 * a cancelled one does (ADR 038). Under the business and subscription locks, and idempotent:
 * a second run finds the period current.
 */
export async function renewSubscription(
  db: Database,
  {
    businessId,
    now,
    daysPastDue = DEFAULT_DAYS_PAST_DUE,
  }: { businessId: string; now: Date; daysPastDue?: number },
): Promise<IssuedInvoice[]> {
  return db.transaction().execute(async (trx) => {
    await lockBusinessPlans(trx, { businessIds: [businessId], now });
    const issued: IssuedInvoice[] = [];
    for (;;) {
      const sub = await trx
        .selectFrom("subscriptions")
        .select([
          "id",
          "plan_id",
          "billing_interval",
          "quantity",
          "billing_anchor_at",
          "current_period_end",
          "status",
          "pending_plan_id",
          "pending_quantity",
          "past_due_since",
        ])
        .where("business_id", "=", businessId)
        .where("status", "<>", "ended")
        .forUpdate()
        .executeTakeFirst();
      if (!sub || sub.current_period_end.getTime() > now.getTime()) return issued;
      const boundary = sub.current_period_end;

      const unpaid =
        sub.status === "past_due" && fallsBackToFree(sub.past_due_since, daysPastDue, boundary);
      if (sub.status === "cancel_at_period_end" || unpaid) {
        await trx
          .updateTable("subscriptions")
          .set({ status: "ended", ended_at: boundary, past_due_since: null, updated_at: now })
          .where("id", "=", sub.id)
          .execute();
        await moveBusinessPlan(trx, {
          businessId,
          planId: "free",
          locations: 1,
          at: boundary,
          now,
        });
        await recordRenewal(trx, businessId, {
          outcome: unpaid ? "ended_past_due" : "ended",
          at: boundary,
        });
        return issued;
      }

      const planId = sub.pending_plan_id ?? sub.plan_id;
      const quantity = sub.pending_quantity ?? sub.quantity;
      const terms = await planTermsAt(trx, { planId, at: boundary });
      if (!terms || !isPaidInterval(terms.billingInterval))
        throw new Error(`subscription ${sub.id}: plan ${planId} is not a paid plan`);
      const interval = terms.billingInterval;
      // A change of interval (yearly → monthly) keeps the anchor: the new periods count from it.
      const period = periodContaining(sub.billing_anchor_at, intervalMonths[interval], boundary);
      await trx
        .updateTable("subscriptions")
        .set({
          plan_id: planId,
          plan_version_id: terms.versionId,
          billing_interval: interval,
          quantity,
          unit_price_cents: terms.unitPriceCents,
          current_period_start: period.start,
          current_period_end: period.end,
          pending_plan_id: null,
          pending_quantity: null,
          updated_at: now,
        })
        .where("id", "=", sub.id)
        .execute();
      if (sub.pending_plan_id)
        await moveBusinessPlan(trx, { businessId, planId, locations: quantity, at: boundary, now });
      await trx
        .insertInto("invoice_items")
        .values({
          business_id: businessId,
          subscription_id: sub.id,
          kind: "plan",
          plan_id: planId,
          plan_name: terms.planName,
          billing_interval: interval,
          quantity,
          unit_price_cents: terms.unitPriceCents,
          amount_cents: periodAmountCents({ unitPriceCents: terms.unitPriceCents, quantity }),
          period_start: period.start,
          period_end: period.end,
          created_at: now,
        })
        .execute();
      const invoice = await issueInvoice(trx, {
        businessId,
        subscriptionId: sub.id,
        period,
        actor: systemActor,
        now,
      });
      if (invoice) issued.push(invoice);
      await recordRenewal(trx, businessId, {
        outcome: "renewed",
        at: period.start,
        invoice: invoice?.number ?? null,
      });
    }
  });
}

/**
 * A change that waited for the billing date, made: the plan and locations from `at`, the
 * anchor kept. A plan grant of the new period opened before the renewal ran (a card
 * operation came first) gets the new plan's numbers, never less than it has used.
 */
async function moveBusinessPlan(
  trx: Database,
  {
    businessId,
    planId,
    locations,
    at,
    now,
  }: { businessId: string; planId: string; locations: number; at: Date; now: Date },
) {
  await setBusinessPlan(trx, {
    businessId,
    planId,
    locations,
    custom: null,
    restartPeriod: false,
    raiseRunningGrant: false,
    now,
  });
  const plan = (await lockBusinessPlans(trx, { businessIds: [businessId], now })).get(businessId)!;
  await trx
    .updateTable("grants")
    .set({
      card_operations: sql<number>`greatest(card_operations_used, ${plan.cardOperationsPerPeriod})`,
      staff_seats: plan.staffSeats,
    })
    .where("business_id", "=", businessId)
    .where("source", "=", "plan")
    .where("starts_at", ">=", at)
    .execute();
}

async function recordRenewal(
  trx: Database,
  businessId: string,
  after: { outcome: string; at: Date; invoice?: string | null },
) {
  await recordAudit(trx, {
    actor: systemActor,
    action: "subscription.renewed",
    businessId,
    subject: { type: "business", id: businessId },
    after: { ...after, at: after.at.toISOString() },
  });
}

/** The businesses whose subscription period has ended by `now`. */
export async function dueSubscriptions(db: Database, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom("subscriptions")
    .select("business_id")
    .where("status", "<>", "ended")
    .where("current_period_end", "<=", now)
    .orderBy("current_period_end")
    .execute();
  return rows.map((row) => row.business_id);
}

/** Every due subscription renewed, one transaction per business; the invoices issued. */
export async function renewDueSubscriptions(
  db: Database,
  { now, daysPastDue }: { now: Date; daysPastDue?: number },
): Promise<IssuedInvoice[]> {
  const issued: IssuedInvoice[] = [];
  for (const businessId of await dueSubscriptions(db, now))
    issued.push(...(await renewSubscription(db, { businessId, now, daysPastDue })));
  return issued;
}
