// webhooks.deliver: every minute (and whenever something enqueues it), the outbox is fanned
// out to matching endpoints and due deliveries are sent, until none is due.
import type PgBoss from "pg-boss";
import type { Database } from "~db/index.ts";
import { deliverDue, fanOutOutbox } from "~/domain/webhooks/delivery.server";
import { clock } from "~/lib/clock.server";
import { log } from "~/lib/log.server";

export const webhookQueues = { deliver: "webhooks.deliver" } as const;

export async function registerWebhookJobs(boss: PgBoss, db: Database): Promise<void> {
  await boss.createQueue(webhookQueues.deliver, { name: webhookQueues.deliver });
  await boss.work(webhookQueues.deliver, async () => {
    await runWebhookDelivery(db);
  });
  await boss.schedule(webhookQueues.deliver, "* * * * *");
}

/** One pass: fan out every unpublished event, then send until nothing is due. */
export async function runWebhookDelivery(
  db: Database,
): Promise<{ events: number; attempts: number }> {
  let events = 0;
  for (
    let n = await fanOutOutbox(db, { now: clock() });
    n > 0;
    n = await fanOutOutbox(db, { now: clock() })
  ) {
    events += n;
  }
  let attempts = 0;
  for (
    let n = await deliverDue(db, { now: clock() });
    n > 0;
    n = await deliverDue(db, { now: clock() })
  ) {
    attempts += n;
  }
  if (attempts > 0)
    log.info(`jobs: webhooks: ${events} event(s) fanned out, ${attempts} attempt(s)`);
  return { events, attempts };
}
