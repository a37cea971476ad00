// The audit log pages newest first by (occurred_at, id) at full precision: occurred_at is the
// transaction's start, so ids alone do not follow time. Indexes for the whole log and for one
// organisation's trail, in that order.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index audit_log_occurred_idx on audit_log (occurred_at desc, id desc)`.execute(
    db,
  );
  await sql`create index audit_log_partner_occurred_idx on audit_log (partner_id, occurred_at desc, id desc)
    where partner_id is not null`.execute(db);
  await sql`create index audit_log_business_occurred_idx on audit_log (business_id, occurred_at desc, id desc)
    where business_id is not null`.execute(db);
  await sql`create index audit_log_action_occurred_idx on audit_log (action, occurred_at desc, id desc)`.execute(
    db,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index audit_log_action_occurred_idx`.execute(db);
  await sql`drop index audit_log_business_occurred_idx`.execute(db);
  await sql`drop index audit_log_partner_occurred_idx`.execute(db);
  await sql`drop index audit_log_occurred_idx`.execute(db);
}
