// Housekeeping: every hour, rate-limit windows that ended more than a day ago are deleted,
// so rate_limit_counters holds only what a limit can still be decided by.
import type PgBoss from "pg-boss";
import type { Database } from "~db/index.ts";
import { pruneRateLimitCounters } from "~/domain/rate-limits.server";
import { log } from "~/lib/log.server";
import { clock } from "~/lib/clock.server";

export const maintenanceQueues = { pruneRateLimits: "rate-limits.prune" } as const;

export const PRUNE_RATE_LIMITS_SCHEDULE = "17 * * * *";

export async function registerMaintenanceJobs(boss: PgBoss, db: Database): Promise<void> {
  await boss.createQueue(maintenanceQueues.pruneRateLimits, {
    name: maintenanceQueues.pruneRateLimits,
    policy: "singleton",
  });
  await boss.work(maintenanceQueues.pruneRateLimits, async () => {
    await pruneOldRateLimitWindows(db);
  });
  await boss.schedule(
    maintenanceQueues.pruneRateLimits,
    PRUNE_RATE_LIMITS_SCHEDULE,
    {},
    {
      tz: "UTC",
    },
  );
}

export async function pruneOldRateLimitWindows(db: Database, now = clock()): Promise<number> {
  const deleted = await pruneRateLimitCounters(db, now);
  if (deleted > 0) log.info(`jobs: ${deleted} old rate-limit window(s) deleted`);
  return deleted;
}
