// The instants a business predicate compares (a code's expiry, a grant's start and end, an
// invitation's expiry, a batch's lease) are stored to the millisecond: the precision of the
// app's clock and of the JavaScript Date a row is read into. Then a predicate's SQL clause and
// its TypeScript twin (app/domain/predicates.server.ts) cannot disagree about a value that sits
// within the same millisecond as `now` (ADR 025). Existing values round to the nearest ms.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

const columns = [
  ["activation_codes", "expires_at"],
  ["grants", "starts_at"],
  ["grants", "ends_at"],
  ["invitations", "expires_at"],
  ["code_batches", "lease_expires_at"],
] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  for (const [table, column] of columns) {
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type timestamptz(3)`.execute(
      db,
    );
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const [table, column] of columns) {
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type timestamptz`.execute(
      db,
    );
  }
}
