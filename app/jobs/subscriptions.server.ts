// Subscription renewal: every hour (and once at start-up) each subscription whose period has
// ended moves on and is invoiced (app/domain/invoices/issue.server.ts). Renewal is idempotent
// per business (the period has moved on under its lock), so a repeated run issues nothing and
// a run after downtime issues one invoice per billing date missed.
import type PgBoss from "pg-boss";
import type { Database } from "~db/index.ts";
import { renewDueSubscriptions } from "~/domain/invoices/issue.server";
import { env } from "~/env.server";
import { clock } from "~/lib/clock.server";
import { log } from "~/lib/log.server";

export const subscriptionQueues = { renew: "subscriptions.renew" } as const;

/** Hourly, at minute 2: a billing date is an instant (the anchor's time of day), not a day. */
export const RENEW_SCHEDULE = "2 * * * *";

export async function registerSubscriptionJobs(boss: PgBoss, db: Database): Promise<void> {
  await boss.createQueue(subscriptionQueues.renew, {
    name: subscriptionQueues.renew,
    retryLimit: 5,
    retryDelay: 60,
    retryBackoff: true,
    policy: "singleton",
  });
  await boss.work(subscriptionQueues.renew, async () => {
    await renewSubscriptions(db);
  });
  await boss.schedule(subscriptionQueues.renew, RENEW_SCHEDULE, {}, { tz: "UTC" });
  // A process that was down on a billing date catches up now; a failure is logged and the
  // hourly run tries again, so it must not keep the process from starting.
  await renewSubscriptions(db).catch(() => undefined);
}

export async function renewSubscriptions(db: Database, now = clock()) {
  try {
    const issued = await renewDueSubscriptions(db, {
      now,
      daysPastDue: env.PAYMENT_DAYS_PAST_DUE,
    });
    if (issued.length > 0)
      log.info(
        `jobs: ${issued.length} invoice(s) issued on renewal: ${issued
          .slice(0, 20)
          .map((invoice) => invoice.number)
          .join(", ")}`,
      );
    return issued;
  } catch (error) {
    log.error(`jobs: renewal failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}
