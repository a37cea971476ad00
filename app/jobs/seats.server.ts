// The seat sweep: every minute, businesses whose stored seat attribution may be stale (a
// grant holding seats has ended, or members wait for a seat) are re-attributed, so the
// attribution catches up even when nobody opens the business.
import type PgBoss from "pg-boss";
import type { Database } from "~db/index.ts";
import { businessesWithStaleSeats, reattributeSeats } from "~/domain/entitlements/seats.server";
import { log } from "~/lib/log.server";
import { clock } from "~/lib/clock.server";

export const seatQueues = { sweep: "staff-seats.reattribute" } as const;

export async function registerSeatJobs(boss: PgBoss, db: Database): Promise<void> {
  await boss.createQueue(seatQueues.sweep, { name: seatQueues.sweep });
  await boss.work(seatQueues.sweep, async () => {
    await sweepStaleSeats(db);
  });
  await boss.schedule(seatQueues.sweep, "* * * * *");
}

/**
 * Re-attributes each stale business in its own short transaction (one business's lock at a
 * time). Returns how many members changed.
 */
export async function sweepStaleSeats(db: Database, now = clock()): Promise<number> {
  const businessIds = await businessesWithStaleSeats(db, now);
  let changed = 0;
  for (const businessId of businessIds) {
    changed += await db.transaction().execute((trx) => reattributeSeats(trx, { businessId, now }));
  }
  if (changed > 0) log.info(`jobs: seats re-attributed for ${changed} member(s)`);
  return changed;
}
