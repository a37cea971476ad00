// Corrections of issued invoices by support (issue 14, ADR 037). An invoice never changes:
// an OPEN invoice is voided (its status moves on, with a reason), a PAID one is corrected by
// a credit note CN-{YYYY}-{NNNNN} with lines mirroring it, negated. The database decides the
// races: the void is a conditional update (`status = 'open'`), and a unique index allows one
// credit note per invoice. Voiding a business's first paid-plan invoice claws back the
// referral rewards it earned by starting that plan, in the same transaction.
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { reasonField } from "~/lib/fields";
import { recordAudit, type AuditActor } from "../audit.server";
import { DomainError } from "../errors.server";
import { recordOutboxEvent } from "../outbox.server";
import { clawBackPaidPlanReferral } from "../referrals/qualification.server";
import { takeNumber } from "./issue.server";

export class InvoiceNotFound extends DomainError {
  constructor() {
    super("invoice_not_found", "No such invoice.");
  }
}

export class InvoiceNotOpen extends DomainError {
  constructor(number: string, status: string) {
    super(
      "invoice_not_open",
      `Invoice ${number} is ${status}: only an open invoice can be voided.`,
      "invoice",
    );
  }
}

export class InvoiceNotPaid extends DomainError {
  constructor(number: string, status: string) {
    super(
      "invoice_not_paid",
      `Invoice ${number} is ${status}: only a paid invoice is corrected by a credit note.`,
      "invoice",
    );
  }
}

export class InvoiceAlreadyCredited extends DomainError {
  constructor(number: string) {
    super("invoice_already_credited", `Invoice ${number} already has a credit note.`, "invoice");
  }
}

/** The form of both corrections: why (required, named in the error when empty). */
export const InvoiceCorrectionSchema = z.object({ reason: reasonField });

interface Correction {
  invoiceId: string;
  reason: string;
  actor: AuditActor;
  ip?: string | null;
  now: Date;
}

/** Unique violation: the one-credit-note index lost a race. */
function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23505";
}

/**
 * Voids an open invoice. Two voids at once: the row lock orders them, and the second finds
 * the status no longer open (InvoiceNotOpen). A paid invoice is refused the same way: it is
 * corrected by a credit note instead.
 */
export async function voidInvoice(
  db: Database,
  { invoiceId, reason, actor, ip = null, now }: Correction,
): Promise<{ number: string; businessId: string; referralClawedBack: boolean }> {
  return db.transaction().execute(async (trx) => {
    const voided = await trx
      .updateTable("invoices")
      .set({ status: "void", status_changed_at: now, status_reason: reason })
      .where("id", "=", invoiceId)
      .where("kind", "=", "invoice")
      .where("status", "=", "open")
      .returning(["id", "business_id", "number", "total_cents", "issued_at"])
      .executeTakeFirst();
    if (!voided) {
      const current = await trx
        .selectFrom("invoices")
        .select(["number", "status", "kind"])
        .where("id", "=", invoiceId)
        .executeTakeFirst();
      if (!current) throw new InvoiceNotFound();
      throw new InvoiceNotOpen(
        current.number,
        current.kind === "invoice" ? current.status : "a credit note",
      );
    }
    const businessId = voided.business_id;
    await recordAudit(trx, {
      actor,
      action: "invoice.voided",
      businessId,
      subject: { type: "business", id: businessId },
      before: { number: voided.number, status: "open" },
      after: { number: voided.number, status: "void", total_cents: voided.total_cents },
      reason,
      ip,
      occurredAt: now,
    });
    await recordOutboxEvent(trx, {
      topic: "invoice.voided",
      businessId,
      payload: {
        invoice_id: voided.id,
        number: voided.number,
        business_id: businessId,
        total_cents: voided.total_cents,
        reason,
        voided_at: now.toISOString(),
      },
    });
    // The first paid-plan invoice voided: the paid plan that qualified a referral was never
    // paid for, so its rewards go back (issue 15).
    const first = await trx
      .selectFrom("invoices")
      .select("id")
      .where("business_id", "=", businessId)
      .where("kind", "=", "invoice")
      .orderBy("issued_at")
      .orderBy("year")
      .orderBy("sequence")
      .limit(1)
      .executeTakeFirst();
    const referralClawedBack =
      first?.id === voided.id
        ? await clawBackPaidPlanReferral(trx, {
            businessId,
            reason: `Invoice ${voided.number} voided: ${reason}`,
            actor,
            ip,
            now,
          })
        : false;
    return { number: voided.number, businessId, referralClawedBack };
  });
}

/**
 * Issues the full credit note of a paid invoice: its own gapless number, the invoice's
 * snapshot and lines with every amount negated, referencing it. At most one per invoice (the
 * invoice row is locked while deciding; a unique index is the last word).
 */
export async function issueCreditNote(
  db: Database,
  { invoiceId, reason, actor, ip = null, now }: Correction,
): Promise<{ id: string; number: string; businessId: string; totalCents: number }> {
  try {
    return await db.transaction().execute(async (trx) => {
      const invoice = await trx
        .selectFrom("invoices")
        .select([
          "id",
          "business_id",
          "subscription_id",
          "kind",
          "number",
          "status",
          "period_start",
          "period_end",
          "billing_snapshot",
          "currency",
          "net_cents",
          "vat_rate_bps",
          "vat_cents",
          "total_cents",
          "reverse_charge",
        ])
        .where("id", "=", invoiceId)
        .forUpdate()
        .executeTakeFirst();
      if (!invoice || invoice.kind !== "invoice") throw new InvoiceNotFound();
      if (invoice.status !== "paid") throw new InvoiceNotPaid(invoice.number, invoice.status);
      const existing = await trx
        .selectFrom("invoices")
        .select("id")
        .where("credits_invoice_id", "=", invoice.id)
        .where("kind", "=", "credit_note")
        .executeTakeFirst();
      if (existing) throw new InvoiceAlreadyCredited(invoice.number);

      const year = now.getUTCFullYear();
      const { sequence, number } = await takeNumber(trx, "credit_note", year);
      const { id } = await trx
        .insertInto("invoices")
        .values({
          business_id: invoice.business_id,
          subscription_id: invoice.subscription_id,
          kind: "credit_note",
          year,
          sequence,
          number,
          credits_invoice_id: invoice.id,
          credit_reason: reason,
          issued_at: now,
          period_start: invoice.period_start,
          period_end: invoice.period_end,
          billing_snapshot: JSON.stringify(invoice.billing_snapshot),
          currency: invoice.currency,
          net_cents: 0 - invoice.net_cents,
          vat_rate_bps: invoice.vat_rate_bps,
          vat_cents: 0 - invoice.vat_cents,
          total_cents: 0 - invoice.total_cents,
          reverse_charge: invoice.reverse_charge,
          status: "open",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const lines = await trx
        .selectFrom("invoice_lines")
        .select([
          "position",
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
        .where("invoice_id", "=", invoice.id)
        .orderBy("position")
        .execute();
      if (lines.length > 0)
        await trx
          .insertInto("invoice_lines")
          .values(
            lines.map((line) => ({
              ...line,
              invoice_id: id,
              amount_cents: 0 - line.amount_cents,
            })),
          )
          .execute();
      await recordAudit(trx, {
        actor,
        action: "credit_note.issued",
        businessId: invoice.business_id,
        subject: { type: "business", id: invoice.business_id },
        after: { number, credits: invoice.number, total_cents: 0 - invoice.total_cents },
        reason,
        ip,
        occurredAt: now,
      });
      await recordOutboxEvent(trx, {
        topic: "credit_note.issued",
        businessId: invoice.business_id,
        payload: {
          credit_note_id: id,
          number,
          credits_invoice_id: invoice.id,
          credits_invoice_number: invoice.number,
          business_id: invoice.business_id,
          total_cents: 0 - invoice.total_cents,
          reason,
          issued_at: now.toISOString(),
        },
      });
      return { id, number, businessId: invoice.business_id, totalCents: 0 - invoice.total_cents };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      const invoice = await db
        .selectFrom("invoices")
        .select("number")
        .where("id", "=", invoiceId)
        .executeTakeFirst();
      throw new InvoiceAlreadyCredited(invoice?.number ?? "");
    }
    throw error;
  }
}
