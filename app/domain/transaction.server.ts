// One place that decides whether a piece of domain work opens a transaction: inside an open
// one (an /api/v1 write route runs its key check and its write in one, ADR 029) it joins it;
// otherwise it opens its own. Kysely cannot nest `transaction()` calls.
import type { Database } from "~db/index.ts";

/** Runs `fn` in the transaction `db` already is, or in a new one. */
export async function inTransaction<T>(
  db: Database,
  fn: (trx: Database) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}
