// Payments of business invoices (issue 14, ADR 038): an invoice moves from open to paid (the
// payment provider's webhook, or support by hand with a reason), a failed payment makes the
// subscription past due, and the provider's events are recorded once each — the event row is
// inserted in the same transaction as the change it makes, so a replayed or a parallel
// duplicate delivery changes nothing.
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { storable } from "~/lib/storable-text";
import { recordAudit, type AuditActor } from "../audit.server";
import { DomainError } from "../errors.server";
import { recordOutboxEvent } from "../outbox.server";
import { invoiceEventPayload } from "./issue.server";

export class InvoiceNotFound extends DomainError {
  constructor(field = "invoice") {
    super("invoice_not_found", "No such invoice.", field);
  }
}

export class InvoiceNotOpen extends DomainError {
  constructor(status: string) {
    super(
      "invoice_not_open",
      `The invoice is ${status}, not open: nothing was changed.`,
      "invoice",
    );
  }
}

interface InvoiceRef {
  id: string;
  number: string;
  businessId: string;
  subscriptionId: string | null;
  totalCents: number;
  status: "open" | "paid" | "void";
}

const invoiceRefColumns = [
  "id",
  "number",
  "business_id",
  "subscription_id",
  "total_cents",
  "status",
] as const;

function toRef(row: {
  id: string;
  number: string;
  business_id: string;
  subscription_id: string | null;
  total_cents: number;
  status: "open" | "paid" | "void";
}): InvoiceRef {
  return {
    id: row.id,
    number: row.number,
    businessId: row.business_id,
    subscriptionId: row.subscription_id,
    totalCents: row.total_cents,
    status: row.status,
  };
}

async function findInvoice(trx: Database, invoiceId: string): Promise<InvoiceRef> {
  const row = await trx
    .selectFrom("invoices")
    .select(invoiceRefColumns)
    .where("id", "=", invoiceId)
    .where("kind", "=", "invoice")
    .executeTakeFirst();
  if (!row) throw new InvoiceNotFound();
  return toRef(row);
}

/**
 * The invoice, paid at `now`: a conditional update from open, so of two payments at once one
 * pays it and the other finds it settled (`changed: false`). Paying the last invoice whose
 * payment failed makes a past-due subscription active again.
 */
export async function markInvoicePaid(
  trx: Database,
  {
    invoiceId,
    now,
    actor,
    reason = null,
    ip = null,
  }: {
    invoiceId: string;
    now: Date;
    actor: AuditActor;
    reason?: string | null;
    ip?: string | null;
  },
): Promise<{ invoice: InvoiceRef; changed: boolean; reactivated: boolean }> {
  const row = await trx
    .updateTable("invoices")
    .set({ status: "paid", status_changed_at: now, status_reason: reason })
    .where("id", "=", invoiceId)
    .where("kind", "=", "invoice")
    .where("status", "=", "open")
    .returning(invoiceRefColumns)
    .executeTakeFirst();
  if (!row)
    return { invoice: await findInvoice(trx, invoiceId), changed: false, reactivated: false };
  const invoice = toRef(row);

  // Active again once no open invoice of the business has a failed payment left.
  const reactivated = await trx
    .updateTable("subscriptions")
    .set({ status: "active", past_due_since: null, updated_at: now })
    .where("business_id", "=", invoice.businessId)
    .where("status", "=", "past_due")
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("invoices as i")
            .innerJoin("payment_events as pe", "pe.invoice_id", "i.id")
            .select(sql.lit(1).as("one"))
            .where("i.business_id", "=", invoice.businessId)
            .where("i.status", "=", "open")
            .where("pe.type", "=", "invoice.payment_failed"),
        ),
      ),
    )
    .returning("id")
    .executeTakeFirst();

  await recordAudit(trx, {
    actor,
    action: "invoice.paid",
    businessId: invoice.businessId,
    subject: { type: "business", id: invoice.businessId },
    before: { number: invoice.number, status: "open" },
    after: {
      number: invoice.number,
      status: "paid",
      total_cents: invoice.totalCents,
      ...(reactivated ? { subscription: "active" } : {}),
    },
    reason,
    ip,
    occurredAt: now,
  });
  await recordOutboxEvent(trx, {
    topic: "invoice.paid",
    businessId: invoice.businessId,
    payload: invoiceEventPayload(invoice, now),
  });
  return { invoice, changed: true, reactivated: reactivated !== undefined };
}

/**
 * The provider could not collect the invoice: its subscription is past due from `now` (the
 * first failure counts: a second one keeps the date). A failure reported for an invoice that
 * is no longer open changes nothing.
 */
export async function recordPaymentFailed(
  trx: Database,
  { invoiceId, now, actor }: { invoiceId: string; now: Date; actor: AuditActor },
): Promise<{ invoice: InvoiceRef; changed: boolean }> {
  const invoice = await trx
    .selectFrom("invoices")
    .select(invoiceRefColumns)
    .where("id", "=", invoiceId)
    .where("kind", "=", "invoice")
    .forUpdate()
    .executeTakeFirst();
  if (!invoice) throw new InvoiceNotFound();
  const ref = toRef(invoice);
  if (ref.status !== "open") return { invoice: ref, changed: false };

  const subscription = await trx
    .updateTable("subscriptions")
    .set({
      status: "past_due",
      past_due_since: sql<Date>`coalesce(past_due_since, ${now})`,
      updated_at: now,
    })
    .where("business_id", "=", ref.businessId)
    .where("status", "in", ["active", "past_due"])
    .returning(["past_due_since"])
    .executeTakeFirst();
  await recordAudit(trx, {
    actor,
    action: "invoice.payment_failed",
    businessId: ref.businessId,
    subject: { type: "business", id: ref.businessId },
    after: {
      number: ref.number,
      total_cents: ref.totalCents,
      subscription: subscription ? "past_due" : null,
      past_due_since: subscription?.past_due_since?.toISOString() ?? null,
    },
    occurredAt: now,
  });
  await recordOutboxEvent(trx, {
    topic: "invoice.payment_failed",
    businessId: ref.businessId,
    payload: invoiceEventPayload(ref, now),
  });
  return { invoice: ref, changed: true };
}

/** Support's "Mark paid" form: which invoice, and why (required, kept on the invoice). */
export const MarkInvoicePaidSchema = z.object({
  invoiceId: z.string().trim().uuid(),
  reason: z.string().trim().min(1).max(500).refine(storable, "validation.invalid"),
});

/**
 * Support marks an open invoice paid by hand (money received outside the provider), with a
 * reason. An invoice that is no longer open is refused (InvoiceNotOpen) and nothing changes.
 */
export async function markInvoicePaidBySupport(
  db: Database,
  {
    invoiceId,
    reason,
    actor,
    ip,
    now,
  }: { invoiceId: string; reason: string; actor: AuditActor; ip: string | null; now: Date },
): Promise<InvoiceRef> {
  return db.transaction().execute(async (trx) => {
    const paid = await markInvoicePaid(trx, { invoiceId, now, actor, reason, ip });
    if (!paid.changed) throw new InvoiceNotOpen(paid.invoice.status);
    return paid.invoice;
  });
}

export const PAYMENT_EVENT_TYPES = ["invoice.paid", "invoice.payment_failed"] as const;

export interface PaymentEvent {
  id: string;
  type: string;
  data: { invoice: string };
}

export type PaymentOutcome = "paid" | "already_settled" | "past_due" | "ignored";

/** The provider as an actor in the audit log. */
export const paymentProviderActor: AuditActor = { userId: null, label: "payment provider" };

/**
 * One event from the payment provider (its signature already checked), applied once: the
 * event row is inserted first, so a parallel duplicate waits on its id and then finds it
 * (`replayed`, the first outcome, nothing changed). An event for an invoice number that does
 * not exist is refused (404) and not recorded; a type we do not handle is recorded as ignored.
 */
export async function receivePaymentEvent(
  db: Database,
  { event, now }: { event: PaymentEvent; now: Date },
): Promise<{ outcome: PaymentOutcome; replayed: boolean; invoiceNumber: string }> {
  return db.transaction().execute(async (trx) => {
    const invoice = await trx
      .selectFrom("invoices")
      .select(["id", "number"])
      .where("number", "=", event.data.invoice)
      .where("kind", "=", "invoice")
      .executeTakeFirst();
    if (!invoice) throw new InvoiceNotFound("data.invoice");
    const inserted = await trx
      .insertInto("payment_events")
      .values({
        event_id: event.id,
        type: event.type,
        invoice_id: invoice.id,
        outcome: "ignored",
        received_at: now,
      })
      .onConflict((oc) => oc.column("event_id").doNothing())
      .returning("event_id")
      .executeTakeFirst();
    if (!inserted) {
      const first = await trx
        .selectFrom("payment_events")
        .select("outcome")
        .where("event_id", "=", event.id)
        .executeTakeFirstOrThrow();
      return { outcome: first.outcome, replayed: true, invoiceNumber: invoice.number };
    }
    let outcome: PaymentOutcome = "ignored";
    if (event.type === "invoice.paid") {
      const paid = await markInvoicePaid(trx, {
        invoiceId: invoice.id,
        now,
        actor: paymentProviderActor,
        reason: `payment event ${event.id}`.slice(0, 500),
      });
      outcome = paid.changed ? "paid" : "already_settled";
    } else if (event.type === "invoice.payment_failed") {
      const failed = await recordPaymentFailed(trx, {
        invoiceId: invoice.id,
        now,
        actor: paymentProviderActor,
      });
      outcome = failed.changed ? "past_due" : "already_settled";
    }
    if (outcome !== "ignored")
      await trx
        .updateTable("payment_events")
        .set({ outcome })
        .where("event_id", "=", event.id)
        .execute();
    return { outcome, replayed: false, invoiceNumber: invoice.number };
  });
}
