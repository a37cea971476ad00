// Payments (issue 14, ADR 038): the payment provider's events as they arrive (one row per
// event id, inserted in the same transaction as the change it makes, so a replayed or
// parallel duplicate delivery changes nothing), and when a subscription fell past due.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

const up_ = `
    create table payment_events (
      event_id text primary key check (length(event_id) between 1 and 200),
      type text not null check (length(type) between 1 and 100),
      invoice_id uuid references invoices(id) on delete restrict,
      outcome text not null check (outcome in ('paid', 'already_settled', 'past_due', 'ignored')),
      received_at timestamptz(3) not null
    );
    create index payment_events_invoice_idx on payment_events (invoice_id, type) where invoice_id is not null;
    alter table subscriptions add column past_due_since timestamptz(3);
    alter table subscriptions add constraint subscriptions_past_due_since
      check (status <> 'past_due' or past_due_since is not null);
    create index invoices_status_issued_idx on invoices (status, issued_at desc, id desc)
`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function runStatements(db: Kysely<any>, script: string): Promise<void> {
  for (const statement of script
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, up_);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `drop index invoices_status_issued_idx;
    alter table subscriptions drop constraint subscriptions_past_due_since;
    alter table subscriptions drop column past_due_since;
    drop table payment_events`,
  );
}
