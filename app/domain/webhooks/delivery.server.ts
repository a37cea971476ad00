// The webhook delivery engine. Two steps, each decided by the database:
//  1. fan-out: unpublished outbox events (locked, skip-locked) become one delivery per
//     matching enabled endpoint, and the events are marked published — one transaction;
//  2. delivery: due deliveries are claimed with a lease (skip-locked), POSTed, and each
//     attempt is logged; a 2xx ends the delivery, anything else is retried with exponential
//     backoff and jitter until MAX_ATTEMPTS, and an endpoint failing for DISABLE_AFTER_MS is
//     disabled and its partner's owners emailed.
// A process killed mid-delivery leaves its claimed deliveries pending; the lease runs out
// and they are sent again: at-least-once, receivers de-duplicate by event id.
import { sql } from "kysely";
import { compiledOnce } from "~db/compiled-once.ts";
import type { Database } from "~db/index.ts";
import { sendMail } from "~/email/mailer.server";
import { webhookDisabledEmail } from "~/email/messages.server";
import { env } from "~/env.server";
import { defaultLanguage } from "~/lib/locale";
import { log } from "~/lib/log.server";
import { postWebhook, type SendOutcome } from "./send.server";
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signing.server";

export const MAX_ATTEMPTS = 8;
/** Waits after attempt 1..7: about 23 h from the first attempt to the eighth. */
export const RETRY_DELAYS_MS = [60, 300, 900, 3_600, 7_200, 21_600, 50_400].map((s) => s * 1000);
export const DELIVERY_TIMEOUT_MS = 10_000;
/** An endpoint failing without a success for this long is disabled. */
export const DISABLE_AFTER_MS = 3 * 24 * 60 * 60 * 1000;

/** The wait after a failed attempt number `attempt` (1-based), ±10 % jitter. */
export function retryDelayMs(attempt: number, random = Math.random()): number {
  const base = RETRY_DELAYS_MS[Math.min(Math.max(attempt, 1), RETRY_DELAYS_MS.length) - 1]!;
  return Math.round(base * (0.9 + 0.2 * random));
}

/** The advisory lock key of the fan-out (any constant the app uses nowhere else). */
const FAN_OUT_LOCK = 7_160_016;

// The fan-out's and the claim's statements, compiled once (ADR 043): a pass runs after every
// burst of events, each claim writing one. The event ids go as one array parameter.
const unpublishedEvents = compiledOnce((db, { limit }: { limit: number }) =>
  db
    .selectFrom("outbox_events")
    .select("id")
    .where("published_at", "is", null)
    .orderBy("id")
    .limit(limit)
    .forUpdate(),
);

const deliveriesOf = compiledOnce((db, { ids, now }: { ids: number[]; now: Date }) =>
  db
    .insertInto("webhook_deliveries")
    .columns(["endpoint_id", "event_id", "business_id", "next_attempt_at"])
    .expression((eb) =>
      eb
        .selectFrom("outbox_events as ev")
        .innerJoin("webhook_endpoints as ep", (join) =>
          join
            .on("ep.enabled", "=", true)
            .on((e) =>
              e.or([
                e("ep.partner_id", "is", null),
                e("ep.partner_id", "=", e.ref("ev.partner_id")),
              ]),
            )
            .on(sql<boolean>`ev.topic = any(ep.events)`)
            // An endpoint receives what happened after it was added, not the backlog before.
            .on("ev.created_at", ">=", (eb) => eb.ref("ep.created_at")),
        )
        .select([
          "ep.id",
          "ev.id",
          "ev.business_id",
          sql<Date>`${now}::timestamptz`.as("next_attempt_at"),
        ])
        .where(sql<boolean>`ev.id = any(${ids}::bigint[])`),
    )
    .onConflict((oc) => oc.columns(["endpoint_id", "event_id"]).doNothing()),
);

const published = compiledOnce((db, { ids, now }: { ids: number[]; now: Date }) =>
  db
    .updateTable("outbox_events")
    .set({ published_at: now })
    .where(sql<boolean>`id = any(${ids}::bigint[])`),
);

/** Events one fan-out takes at most. */
export const FAN_OUT_LIMIT = 500;

/** Turns unpublished outbox events into deliveries. Returns how many events it took. */
export async function fanOutOutbox(
  db: Database,
  { now, limit = FAN_OUT_LIMIT }: { now: Date; limit?: number },
) {
  return db.transaction().execute(async (trx) => {
    // One fan-out at a time: two running side by side (skip-locked) could create a later
    // event's deliveries before an earlier one's, and a claim would then send the later first.
    // The lock is the transaction's; the select below runs after it and sees what committed.
    await sql`select pg_advisory_xact_lock(${FAN_OUT_LOCK})`.execute(trx);
    const events = await unpublishedEvents(trx, { limit });
    if (events.length === 0) return 0;
    const ids = events.map((e) => e.id);
    await deliveriesOf(trx, { ids, now });
    await published(trx, { ids, now });
    return ids.length;
  });
}

export interface DeliverOptions {
  now: Date;
  limit?: number;
  timeoutMs?: number;
  allowLoopback?: boolean;
  concurrency?: number;
}

/** The body a receiver gets for an outbox event. */
export function webhookBody(event: {
  id: string;
  topic: string;
  created_at: Date;
  payload: unknown;
}): string {
  return JSON.stringify({
    id: String(event.id),
    type: event.topic,
    created_at: new Date(event.created_at).toISOString(),
    data: event.payload,
  });
}

const dueDeliveries = compiledOnce(
  (db, { now, leaseUntil, limit }: { now: Date; leaseUntil: Date; limit: number }) =>
    db
      .updateTable("webhook_deliveries")
      .set({ next_attempt_at: leaseUntil })
      .where("id", "in", (eb) =>
        eb
          .selectFrom("webhook_deliveries as d")
          .innerJoin("webhook_endpoints as ep", "ep.id", "d.endpoint_id")
          .select("d.id")
          .where("d.status", "=", "pending")
          .where("d.next_attempt_at", "<=", now)
          .where("ep.enabled", "=", true)
          .where(
            sql<boolean>`(d.business_id is null or not exists (
              select 1 from webhook_deliveries earlier
              where earlier.endpoint_id = d.endpoint_id
                and earlier.business_id = d.business_id
                and earlier.status = 'pending'
                and earlier.event_id < d.event_id))`,
          )
          .orderBy("d.event_id")
          .orderBy("d.id")
          .limit(limit)
          .forUpdate("d")
          .skipLocked(),
      )
      .returning(["id", "endpoint_id", "event_id", "attempts"]),
);

/**
 * Claims due deliveries for one pass: each gets a lease (its next attempt moves past the
 * send's timeout), so another process skips it until the lease runs out — and a process that
 * dies holding it leaves it to be sent again then (at-least-once). A delivery whose business
 * has an earlier event still pending for the same endpoint is not due: events about one
 * business reach an endpoint in order, each after the one before was delivered or failed.
 */
export async function claimDue(
  db: Database,
  {
    now,
    limit = 100,
    timeoutMs = DELIVERY_TIMEOUT_MS,
  }: Pick<DeliverOptions, "now" | "limit" | "timeoutMs">,
) {
  const leaseUntil = new Date(now.getTime() + timeoutMs + 60_000);
  return dueDeliveries(db, { now, leaseUntil, limit });
}

/** Sends due deliveries once each. Returns the number of attempts made. */
export async function deliverDue(db: Database, options: DeliverOptions): Promise<number> {
  const { now, limit = 100, timeoutMs = DELIVERY_TIMEOUT_MS, concurrency = 8 } = options;
  const allowLoopback = options.allowLoopback ?? env.WEBHOOK_ALLOW_LOOPBACK;
  const claimed = await claimDue(db, { now, limit, timeoutMs });
  if (claimed.length === 0) return 0;
  const endpoints = new Map(
    (
      await db
        .selectFrom("webhook_endpoints")
        .selectAll()
        .where("id", "in", [...new Set(claimed.map((c) => c.endpoint_id))])
        .execute()
    ).map((e) => [e.id, e]),
  );
  const events = new Map(
    (
      await db
        .selectFrom("outbox_events")
        .select(["id", "topic", "created_at", "payload"])
        .where("id", "in", [...new Set(claimed.map((c) => Number(c.event_id)))])
        .execute()
    ).map((e) => [String(e.id), e]),
  );
  const queue = [...claimed];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const endpoint = endpoints.get(next.endpoint_id)!;
      const event = events.get(String(next.event_id))!;
      const body = webhookBody({ ...event, id: String(event.id) });
      const secrets = [endpoint.secret];
      if (
        endpoint.previous_secret &&
        endpoint.previous_secret_expires_at &&
        new Date(endpoint.previous_secret_expires_at) > now
      ) {
        secrets.push(endpoint.previous_secret);
      }
      const timestamp = Math.floor(now.getTime() / 1000);
      const outcome = await postWebhook(
        endpoint.url,
        body,
        {
          [SIGNATURE_HEADER]: signatureHeader(secrets, timestamp, body),
          [EVENT_ID_HEADER]: String(event.id),
        },
        { timeoutMs, allowLoopback },
      );
      await recordAttempt(db, {
        deliveryId: next.id,
        attempts: next.attempts + 1,
        endpoint,
        outcome,
        now,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, worker));
  return claimed.length;
}

async function recordAttempt(
  db: Database,
  {
    deliveryId,
    attempts,
    endpoint,
    outcome,
    now,
  }: {
    deliveryId: string;
    attempts: number;
    endpoint: { id: string; url: string; partner_id: string | null };
    outcome: SendOutcome;
    now: Date;
  },
): Promise<void> {
  const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
  const nextAttemptAt =
    ok || attempts >= MAX_ATTEMPTS ? null : new Date(now.getTime() + retryDelayMs(attempts));
  const disabled = await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("webhook_attempts")
      .values({
        delivery_id: deliveryId,
        attempted_at: now,
        status_code: outcome.statusCode,
        duration_ms: outcome.durationMs,
        response_excerpt: outcome.excerpt,
        error: outcome.error,
        next_attempt_at: nextAttemptAt,
      })
      .execute();
    await trx
      .updateTable("webhook_deliveries")
      .set({
        attempts,
        status: ok ? "delivered" : nextAttemptAt ? "pending" : "failed",
        next_attempt_at: nextAttemptAt,
      })
      .where("id", "=", deliveryId)
      .execute();
    if (ok) {
      // Only a failing endpoint is written: every success rewriting the same row would make
      // the concurrent sends to one endpoint queue on its row lock (ADR 033's figures).
      await trx
        .updateTable("webhook_endpoints")
        .set({ consecutive_failures: 0, failing_since: null })
        .where("id", "=", endpoint.id)
        .where((eb) =>
          eb.or([eb("consecutive_failures", ">", 0), eb("failing_since", "is not", null)]),
        )
        .execute();
      return null;
    }
    const reason =
      outcome.statusCode !== null ? `HTTP ${outcome.statusCode}` : (outcome.error ?? "no answer");
    const row = await trx
      .updateTable("webhook_endpoints")
      .set((eb) => ({
        consecutive_failures: eb("consecutive_failures", "+", 1),
        failing_since: eb.fn.coalesce("failing_since", sql.val(now)),
      }))
      .where("id", "=", endpoint.id)
      .returning(["failing_since", "enabled"])
      .executeTakeFirstOrThrow();
    const since = row.failing_since ? new Date(row.failing_since) : now;
    if (!row.enabled || now.getTime() - since.getTime() < DISABLE_AFTER_MS) return null;
    await trx
      .updateTable("webhook_endpoints")
      .set({
        enabled: false,
        disabled_at: now,
        disabled_reason: `failing since ${since.toISOString()}: ${reason}`,
      })
      .where("id", "=", endpoint.id)
      .execute();
    return { since, reason };
  });
  if (disabled) await announceDisabled(db, endpoint, disabled);
}

async function announceDisabled(
  db: Database,
  endpoint: { id: string; url: string; partner_id: string | null },
  { since, reason }: { since: Date; reason: string },
): Promise<void> {
  log.warn(`webhooks: endpoint ${endpoint.id} disabled after failing since ${since.toISOString()}`);
  if (!endpoint.partner_id) return;
  const owners = await db
    .selectFrom("partner_members")
    .innerJoin("users", "users.id", "partner_members.user_id")
    .select("users.email")
    .where("partner_members.partner_id", "=", endpoint.partner_id)
    .where("partner_members.role", "=", "owner")
    .execute();
  for (const { email } of owners) {
    await sendMail(
      webhookDisabledEmail({
        to: email,
        url: endpoint.url,
        since: since.toISOString(),
        reason,
        language: defaultLanguage,
      }),
    );
  }
}
