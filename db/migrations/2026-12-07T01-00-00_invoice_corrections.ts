// Corrections of issued invoices (issue 14, ADR 037): a credit note says why it was issued,
// and an invoice has at most one (full) credit note — decided by the database, so two support
// agents crediting the same invoice at once cannot both succeed.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table invoices add column credit_reason text check (length(credit_reason) between 1 and 500)`.execute(
    db,
  );
  await sql`alter table invoices add constraint invoices_credit_reason_kind_check check ((kind = 'credit_note') = (credit_reason is not null))`.execute(
    db,
  );
  await sql`create unique index invoices_one_credit_note_idx on invoices (credits_invoice_id) where kind = 'credit_note'`.execute(
    db,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index invoices_one_credit_note_idx`.execute(db);
  await sql`alter table invoices drop constraint invoices_credit_reason_kind_check`.execute(db);
  await sql`alter table invoices drop column credit_reason`.execute(db);
}
