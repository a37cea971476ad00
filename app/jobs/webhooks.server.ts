// webhooks.deliver: every minute (and whenever something enqueues it), the outbox is fanned
// out to matching endpoints and due deliveries are sent, until none is due. Besides that
// sweep, a process that runs jobs LISTENs on `webhooks_outbox` — a trigger NOTIFYs it when
// outbox rows are inserted, and PostgreSQL delivers that only at commit — and runs a pass
// right away (ADR 033). The minute sweep stays as the catch-up for a missed notification.
import type PgBoss from "pg-boss";
import { copyPool, type Database, type DbHandle } from "~db/index.ts";
import { deliverDue, fanOutOutbox } from "~/domain/webhooks/delivery.server";
import { clock } from "~/lib/clock.server";
import { log } from "~/lib/log.server";

export const webhookQueues = { deliver: "webhooks.deliver" } as const;

/** The channel the outbox trigger notifies (migration 2026-12-06T11-00-00). */
export const OUTBOX_CHANNEL = "webhooks_outbox";

export async function registerWebhookJobs(boss: PgBoss, handle: DbHandle): Promise<void> {
  const { db } = handle;
  await boss.createQueue(webhookQueues.deliver, { name: webhookQueues.deliver });
  await boss.work(webhookQueues.deliver, async () => {
    await runWebhookDelivery(db);
  });
  await boss.schedule(webhookQueues.deliver, "* * * * *");
  const runner = deliveryRunner(db);
  try {
    const stop = await listenForOutbox(handle, runner.kick);
    boss.on("stopped", () => {
      void stop();
    });
  } catch (error) {
    // Without the listener, deliveries still go out with the minute sweep.
    log.warn(`jobs: webhooks: not listening for outbox events: ${(error as Error).message}`);
  }
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

/**
 * Runs delivery passes on request, one at a time in this process: a request during a pass
 * asks for one more pass after it (so nothing committed meanwhile waits for the sweep), and
 * any number of requests during a pass make one.
 */
export function deliveryRunner(db: Database, run = runWebhookDelivery) {
  let running: Promise<void> | null = null;
  let again = false;
  const loop = async () => {
    do {
      again = false;
      try {
        await run(db);
      } catch (error) {
        log.error(`jobs: webhooks: delivery pass failed: ${(error as Error).message}`);
      }
    } while (again);
    running = null;
  };
  return {
    kick: () => {
      if (running) {
        again = true;
        return;
      }
      running = loop();
    },
    /** Resolves when no pass is running (tests). */
    idle: async () => {
      while (running) await running;
    },
  };
}

/**
 * Calls `onEvent` after each commit that inserted outbox rows. On PostgreSQL it holds one
 * pool connection for LISTEN; on PGlite it listens on the one connection, taking it through
 * Kysely so the LISTEN cannot land inside a request's open transaction. Returns the stop.
 */
export async function listenForOutbox(
  handle: DbHandle,
  onEvent: () => void,
): Promise<() => Promise<void>> {
  if (handle.backend === "pglite") {
    const pglite = handle.pglite!;
    const unlisten = await handle.db
      .connection()
      .execute(() => pglite.listen(OUTBOX_CHANNEL, () => onEvent()));
    return () => handle.db.connection().execute(() => unlisten());
  }
  const pool = copyPool(handle.db);
  if (!pool) throw new Error("no PostgreSQL pool to listen on");
  const client = await pool.connect();
  client.on("notification", (message) => {
    if (message.channel === OUTBOX_CHANNEL) onEvent();
  });
  await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
  return async () => {
    try {
      await client.query(`UNLISTEN ${OUTBOX_CHANNEL}`);
    } finally {
      client.release();
    }
  };
}
