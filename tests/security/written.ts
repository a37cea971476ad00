// "Nothing written": the row count of every table of the portal, to compare before and
// after a request that must be refused. Rate-limit counters are left out (a refused guess
// is counted on purpose), and so are failed sign-ins in the audit log (recorded on purpose).
import { sql } from "kysely";
import { testDb } from "../db.ts";
import { first } from "../helpers/rows.ts";

const IGNORED = new Set(["rate_limit_counters", "kysely_migration", "kysely_migration_lock"]);

export async function tableCounts(): Promise<Record<string, number>> {
  const { db } = testDb();
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'
    order by table_name`.execute(db);
  const counts: Record<string, number> = {};
  for (const { table_name } of rows) {
    if (IGNORED.has(table_name)) continue;
    const where = table_name === "audit_log" ? sql`where action <> 'auth.sign_in_failed'` : sql``;
    const result = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.table(table_name)} ${where}`.execute(db);
    counts[table_name] = Number(first(result.rows, `count of ${table_name}`).n);
  }
  return counts;
}
