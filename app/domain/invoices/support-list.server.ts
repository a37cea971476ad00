// Support's list of every invoice and credit note across businesses (issue 14): newest
// first, filtered by status, kind, year of issue and a search by number or business name,
// keyset paged by the one paginator (ADR 021). The filters are part of the query string the
// cursor continues; the cursor names this list.
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { escapeLike } from "~/lib/csv";
import { storable } from "~/lib/storable-text";
import {
  afterKey,
  fullPrecision,
  keyset,
  pageSize,
  timestampParam,
  type Page,
} from "../paging.server";
import { invoiceRowColumns, toInvoiceRow, type InvoiceRow } from "./reads.server";

export const InvoiceListFilterSchema = z.object({
  status: z.enum(["open", "paid", "void"]).nullable().catch(null),
  kind: z.enum(["invoice", "credit_note"]).nullable().catch(null),
  year: z.coerce.number().int().min(2000).max(9999).nullable().catch(null),
  q: z
    .string()
    .trim()
    .max(200)
    .refine(storable)
    .catch("")
    .transform((q) => (q === "" ? null : q)),
});

export type InvoiceListFilter = z.infer<typeof InvoiceListFilterSchema>;

export interface SupportInvoiceRow extends InvoiceRow {
  kind: "invoice" | "credit_note";
  businessId: string;
  businessName: string;
  statusReason: string | null;
}

const supportInvoicesPaging = keyset("support-invoices", ["timestamp", "uuid"]);

export async function listAllInvoices(
  db: Database,
  {
    filter,
    cursor,
    limit = 25,
  }: { filter: InvoiceListFilter; cursor?: string | null; limit?: number },
): Promise<Page<SupportInvoiceRow>> {
  const size = pageSize(limit, 25, 100);
  const after = supportInvoicesPaging.after(cursor);
  let query = db
    .selectFrom("invoices as i")
    .innerJoin("businesses as b", "b.id", "i.business_id")
    .select([
      ...invoiceRowColumns,
      "i.kind",
      "i.business_id",
      "b.name as business_name",
      "i.status_reason",
      fullPrecision(sql.ref("i.issued_at")).as("issued_at_key"),
    ])
    .orderBy("i.issued_at", "desc")
    .orderBy("i.id", "desc")
    .limit(size + 1);
  if (filter.status) query = query.where("i.status", "=", filter.status);
  if (filter.kind) query = query.where("i.kind", "=", filter.kind);
  if (filter.year) query = query.where("i.year", "=", filter.year);
  if (filter.q) {
    const pattern = `%${escapeLike(filter.q)}%`;
    query = query.where((eb) =>
      eb.or([eb("i.number", "ilike", pattern), eb("b.name", "ilike", pattern)]),
    );
  }
  if (after)
    query = query.where(
      afterKey(
        [sql.ref("i.issued_at"), sql.ref("i.id")],
        [timestampParam(after[0]), after[1]],
        "desc",
      ),
    );
  const rows = await query.execute();
  const page = supportInvoicesPaging.page(rows, size, (row) => [row.issued_at_key, row.id]);
  return {
    rows: page.rows.map((row) => ({
      ...toInvoiceRow(row),
      kind: row.kind,
      businessId: row.business_id,
      businessName: row.business_name,
      statusReason: row.status_reason,
    })),
    nextCursor: page.nextCursor,
  };
}
