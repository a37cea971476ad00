// The limit on failed claim attempts lives in the database, so it holds across app
// processes: two processes making attempts for one business at once get exactly 10
// refusals of the codes between them, then 429s.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { claimCode } from "~/domain/redemption.server";
import { DomainError } from "~/domain/errors.server";
import { generateCode } from "~/lib/activation-code";
import { testDb } from "../db.ts";
import { createBusinessWithOwner } from "../factories.ts";
import { first } from "../helpers/rows.ts";
import { databaseUrl } from "../setup/test-database.ts";

const run = promisify(execFile);
const ATTEMPTS_PER_PROCESS = 15;

function tally(outcomes: string[]) {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

async function attemptsInProcess(
  url: string,
  business: { id: string },
  owner: { id: string; email: string },
  ipPrefix: string,
): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "tests/processes/claim-attempts.ts",
      url,
      business.id,
      owner.id,
      owner.email,
      String(ATTEMPTS_PER_PROCESS),
      ipPrefix,
    ],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split("\n").pop()!) as string[];
}

describe("the failed-attempt limit", () => {
  const { backend } = testDb();
  // PGlite is one process's embedded database: there the second "process" is a second
  // caller in this process, racing the first through the same database.
  const title =
    backend === "postgres"
      ? "holds across two app processes on one PostgreSQL"
      : "holds across two concurrent callers on one PGlite (an embedded database cannot be shared between processes)";

  it(
    title,
    async () => {
      const { db } = testDb();
      const { business, owner } = await createBusinessWithOwner();
      let outcomes: string[];
      if (backend === "postgres") {
        const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(db);
        const url = databaseUrl(process.env.TEST_DATABASE_URL!, first(rows, "database name").name);
        const [one, two] = await Promise.all([
          attemptsInProcess(url, business, owner, "203.0.113"),
          attemptsInProcess(url, business, owner, "198.51.100"),
        ]);
        outcomes = [...one, ...two];
      } else {
        const caller = (prefix: string) =>
          Promise.all(
            Array.from({ length: ATTEMPTS_PER_PROCESS }, (_, i) =>
              claimCode(db, {
                businessId: business.id,
                code: generateCode(),
                actor: { userId: owner.id, label: owner.email, email: owner.email },
                ip: `${prefix}.${i}`,
                now: new Date(),
              }).then(
                () => "claimed",
                (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
              ),
            ),
          );
        outcomes = (await Promise.all([caller("203.0.113"), caller("198.51.100")])).flat();
      }
      expect(tally(outcomes)).toEqual({ code_not_found: 10, rate_limited: 20 });
    },
    120_000,
  );
});
