// pg-boss runs its SQL through the app's connection (ADR 008). A script of its that fails
// inside its own BEGIN … COMMIT (two processes creating the schema at once did) must not
// leave the connection in an aborted transaction for the next request to inherit.
import { sql } from "kysely";
import { expect, test } from "vitest";
import { jobDatabase } from "~/jobs/boss.server";
import { testDb } from "../db.ts";

test("a failed multi-statement script leaves no aborted transaction behind", async () => {
  const { db, backend, pglite } = testDb();
  const jobs = jobDatabase({ db, backend, pglite, close: () => Promise.resolve() });
  await expect(
    jobs.executeSql("begin; create temp table t_fail (x int); select 1 / 0; commit;", []),
  ).rejects.toThrow(/division by zero/);
  // PostgreSQL's pool hands out the connection it got back last first, and PGlite has one:
  // each query here would fail with "current transaction is aborted" had the script's
  // transaction been left open.
  for (let i = 0; i < 5; i++) {
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(rows[0]?.one).toBe(1);
  }
});
