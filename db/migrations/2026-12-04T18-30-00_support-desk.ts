// The support desk: a statement prefix belongs to one partner at a time (enrolment and term
// changes refuse one in use; the index is the backstop under concurrency), and the audit log
// keeps the reason support gives for a correction beside its before and after.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create unique index partners_statement_prefix_key on partners (statement_prefix)`.execute(
    db,
  );
  await sql`alter table audit_log add column reason text check (length(reason) <= 500)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table audit_log drop column reason`.execute(db);
  await sql`drop index partners_statement_prefix_key`.execute(db);
}
