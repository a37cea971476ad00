// Statement finalisation: every day at 00:05 UTC (and once at start-up) last month's
// statements are made final for every partner. Finalisation is idempotent, so only the run
// on the 1st creates statements; the others catch up after downtime and otherwise do nothing.
import type PgBoss from "pg-boss";
import type { Database } from "~db/index.ts";
import { systemActor } from "~/domain/audit.server";
import {
  finalizeMonthForAllPartners,
  lastEndedMonth,
  StatementFinalisationFailed,
  type FinalisedStatement,
} from "~/domain/statements/finalise.server";
import { log } from "~/lib/log.server";
import { clock } from "~/lib/clock.server";

export const statementQueues = { finalize: "statements.finalize-last-month" } as const;

/** Daily, five minutes past midnight UTC: claims dated in the month before have committed. */
export const FINALIZE_SCHEDULE = "5 0 * * *";
/** Statements named one by one in the log line; the rest are counted. */
const LOGGED_NUMBERS = 20;

export async function registerStatementJobs(boss: PgBoss, db: Database): Promise<void> {
  await boss.createQueue(statementQueues.finalize, {
    name: statementQueues.finalize,
    retryLimit: 5,
    retryDelay: 60,
    retryBackoff: true,
    // Only one run at a time; a second one queued meanwhile would find nothing to do anyway.
    policy: "singleton",
  });
  await boss.work(statementQueues.finalize, async () => {
    await finalizeLastMonth(db);
  });
  await boss.schedule(statementQueues.finalize, FINALIZE_SCHEDULE, {}, { tz: "UTC" });
  // At start-up too, so a process that was down on the 1st catches up now, not tomorrow. A
  // failure (logged by finalizeLastMonth) must not keep the process from starting: the daily
  // run tries again.
  await finalizeLastMonth(db).catch(() => undefined);
}

/**
 * Finalises the month before `now`'s for every partner enrolled by then (and any earlier month
 * left open). Returns the statements it created; a repeated run returns none.
 */
export async function finalizeLastMonth(
  db: Database,
  now = clock(),
): Promise<(FinalisedStatement & { partnerSlug: string })[]> {
  const month = lastEndedMonth(now);
  let results: (FinalisedStatement & { partnerSlug: string })[];
  try {
    results = await finalizeMonthForAllPartners(db, { month, actor: systemActor, now });
  } catch (error) {
    // The other partners' statements are final; the run fails (pg-boss retries it) for these.
    if (error instanceof StatementFinalisationFailed) logCreated(month, error.finalised);
    log.error(`jobs: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  return logCreated(month, results);
}

function logCreated(
  month: string,
  results: (FinalisedStatement & { partnerSlug: string })[],
): (FinalisedStatement & { partnerSlug: string })[] {
  const created = results.filter((result) => result.created);
  if (created.length > 0) {
    const partners = new Set(created.map((result) => result.partnerSlug)).size;
    const shown = created
      .slice(0, LOGGED_NUMBERS)
      .map((result) => `${result.partnerSlug} ${result.month} ${result.number}`);
    if (created.length > LOGGED_NUMBERS) shown.push(`${created.length - LOGGED_NUMBERS} more`);
    log.info(
      `jobs: ${created.length} statement(s) of ${partners} partner(s) finalised through ${month}: ${shown.join(", ")}`,
    );
  } else {
    log.debug(`jobs: statements through ${month} were final already`);
  }
  return created;
}
