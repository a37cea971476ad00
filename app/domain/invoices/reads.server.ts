// What the invoice pages show: a business's invoices newest first (keyset paged by the one
// paginator, ADR 021) and one invoice with its lines, always scoped by the business.
import { sql } from "kysely";
import type { Database } from "~db/index.ts";
import {
  afterKey,
  fullPrecision,
  keyset,
  pageSize,
  timestampParam,
  type Page,
} from "../paging.server";

export interface InvoiceRow {
  id: string;
  number: string;
  issuedAt: Date;
  periodStart: Date | null;
  periodEnd: Date | null;
  totalCents: number;
  status: "open" | "paid" | "void";
}

/** The columns of an invoice row: every list of invoices (the owner's, support's) selects these. */
export const invoiceRowColumns = [
  "i.id",
  "i.number",
  "i.issued_at",
  "i.period_start",
  "i.period_end",
  "i.total_cents",
  "i.status",
] as const;

/** An invoice row as the lists return it, from `invoiceRowColumns`. */
export function toInvoiceRow(row: {
  id: string;
  number: string;
  issued_at: Date;
  period_start: Date | null;
  period_end: Date | null;
  total_cents: number;
  status: InvoiceRow["status"];
}): InvoiceRow {
  return {
    id: row.id,
    number: row.number,
    issuedAt: row.issued_at,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    totalCents: row.total_cents,
    status: row.status,
  };
}

const invoicesPaging = keyset("invoices", ["timestamp", "uuid"]);

export async function listInvoices(
  db: Database,
  {
    businessId,
    cursor,
    limit = 25,
  }: { businessId: string; cursor?: string | null; limit?: number },
): Promise<Page<InvoiceRow>> {
  const size = pageSize(limit, 25, 100);
  const after = invoicesPaging.after(cursor);
  let query = db
    .selectFrom("invoices as i")
    .select([...invoiceRowColumns, fullPrecision(sql.ref("i.issued_at")).as("issued_at_key")])
    .where("i.business_id", "=", businessId)
    .orderBy("i.issued_at", "desc")
    .orderBy("i.id", "desc")
    .limit(size + 1);
  if (after)
    query = query.where(
      afterKey(
        [sql.ref("i.issued_at"), sql.ref("i.id")],
        [timestampParam(after[0]), after[1]],
        "desc",
      ),
    );
  const rows = await query.execute();
  const page = invoicesPaging.page(rows, size, (row) => [row.issued_at_key, row.id]);
  return {
    rows: page.rows.map(toInvoiceRow),
    nextCursor: page.nextCursor,
  };
}

export interface InvoiceSnapshot {
  businessName: string;
  legalName: string;
  address: string;
  country: string | null;
  vatId: string | null;
}

export interface InvoiceDetail extends InvoiceRow {
  kind: "invoice" | "credit_note";
  snapshot: InvoiceSnapshot;
  netCents: number;
  vatRateBps: number;
  vatCents: number;
  reverseCharge: boolean;
  statusChangedAt: Date | null;
  statusReason: string | null;
  /** Why a credit note was issued (null on an invoice). */
  creditReason: string | null;
  /** The invoice a credit note credits. */
  creditsInvoice: { id: string; number: string } | null;
  /** The credit notes that credit this invoice. */
  creditNotes: { id: string; number: string; issuedAt: Date; totalCents: number }[];
  lines: {
    kind: "plan" | "proration" | "credit";
    planName: string;
    quantity: number;
    days: number | null;
    periodDays: number | null;
    amountCents: number;
    periodStart: Date;
    periodEnd: Date;
  }[];
}

/** The business an invoice belongs to, for support (who sees every business), or null. */
export async function findInvoiceBusiness(
  db: Database,
  { invoiceId }: { invoiceId: string },
): Promise<{ id: string; name: string } | null> {
  const row = await db
    .selectFrom("invoices as i")
    .innerJoin("businesses as b", "b.id", "i.business_id")
    .select(["b.id", "b.name"])
    .where("i.id", "=", invoiceId)
    .executeTakeFirst();
  return row ?? null;
}

/** One invoice of the business, or null (another business's id reads as not found). */
export async function getInvoice(
  db: Database,
  { businessId, invoiceId }: { businessId: string; invoiceId: string },
): Promise<InvoiceDetail | null> {
  const row = await db
    .selectFrom("invoices")
    .select([
      "id",
      "kind",
      "number",
      "issued_at",
      "period_start",
      "period_end",
      "billing_snapshot",
      "net_cents",
      "vat_rate_bps",
      "vat_cents",
      "total_cents",
      "reverse_charge",
      "status",
      "status_changed_at",
      "status_reason",
      "credits_invoice_id",
      "credit_reason",
    ])
    .where("business_id", "=", businessId)
    .where("id", "=", invoiceId)
    .executeTakeFirst();
  if (!row) return null;
  // Both sides of a credit note: the invoice it credits, the credit notes crediting this one.
  const related = await db
    .selectFrom("invoices")
    .select(["id", "number", "issued_at", "total_cents", "credits_invoice_id"])
    .where("business_id", "=", businessId)
    .where((eb) =>
      eb.or([
        eb("credits_invoice_id", "=", row.id),
        ...(row.credits_invoice_id ? [eb("id", "=", row.credits_invoice_id)] : []),
      ]),
    )
    .orderBy("issued_at")
    .orderBy("number")
    .execute();
  const credited = related.find((r) => r.id === row.credits_invoice_id);
  const lines = await db
    .selectFrom("invoice_lines")
    .select([
      "kind",
      "plan_name",
      "quantity",
      "days",
      "period_days",
      "amount_cents",
      "period_start",
      "period_end",
    ])
    .where("invoice_id", "=", row.id)
    .orderBy("position")
    .execute();
  return {
    id: row.id,
    kind: row.kind,
    number: row.number,
    issuedAt: row.issued_at,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    totalCents: row.total_cents,
    status: row.status,
    snapshot: row.billing_snapshot as unknown as InvoiceSnapshot,
    netCents: row.net_cents,
    vatRateBps: row.vat_rate_bps,
    vatCents: row.vat_cents,
    reverseCharge: row.reverse_charge,
    statusChangedAt: row.status_changed_at,
    statusReason: row.status_reason,
    creditReason: row.credit_reason,
    creditsInvoice: credited ? { id: credited.id, number: credited.number } : null,
    creditNotes: related
      .filter((r) => r.credits_invoice_id === row.id)
      .map((r) => ({
        id: r.id,
        number: r.number,
        issuedAt: r.issued_at,
        totalCents: r.total_cents,
      })),
    lines: lines.map((line) => ({
      kind: line.kind,
      planName: line.plan_name,
      quantity: line.quantity,
      days: line.days,
      periodDays: line.period_days,
      amountCents: line.amount_cents,
      periodStart: line.period_start,
      periodEnd: line.period_end,
    })),
  };
}
