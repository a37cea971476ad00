// webhooks.deliver: every minute (and whenever something enqueues it), the outbox is fanned
// out to matching endpoints and due deliveries are sent, until none is due. Besides that
// sweep, a process that runs jobs LISTENs on `webhooks_outbox` — a trigger NOTIFYs it when
// outbox rows are inserted, and PostgreSQL delivers that only at commit — and runs a pass
// right away (ADR 033). The minute sweep stays as the catch-up for a missed notification.
import type PgBoss from "pg-boss";
import { copyPool, type Database, type DbHandle } from "~db/index.ts";
import { deliverDue, FAN_OUT_LIMIT, fanOutOutbox } from "~/domain/webhooks/delivery.server";
import { clock, stopwatch } from "~/lib/clock.server";
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
  // A fan-out that took fewer than its limit took every event committed before it; one
  // committed after it notifies and asks for the next pass.
  let events = 0;
  for (let full = true; full;) {
    const n = await fanOutOutbox(db, { now: clock(), limit: FAN_OUT_LIMIT });
    events += n;
    full = n === FAN_OUT_LIMIT;
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
 * Under a steady stream of events (every claim writes one), passes start at most this often:
 * each then takes the events of the interval together instead of a pass per event, which
 * cost the server more CPU than the claims themselves (ADR 043). A first event after a quiet
 * spell still starts its pass at once.
 */
export const PASS_INTERVAL_MS = 100;

/**
 * Runs delivery passes on request, one at a time in this process: a request during a pass
 * asks for one more pass after it (so nothing committed meanwhile waits for the sweep), and
 * any number of requests during a pass make one, started no sooner than `intervalMs` after
 * the previous one started.
 */
export function deliveryRunner(
  db: Database,
  run = runWebhookDelivery,
  intervalMs = PASS_INTERVAL_MS,
) {
  let running: Promise<void> | null = null;
  let again = false;
  const loop = async () => {
    do {
      again = false;
      const started = stopwatch();
      try {
        await run(db);
      } catch (error) {
        log.error(`jobs: webhooks: delivery pass failed: ${(error as Error).message}`);
      }
      const wait = intervalMs - started();
      if (again && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
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
