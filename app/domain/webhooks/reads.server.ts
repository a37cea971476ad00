// What the webhooks pages and the API show: an owner's endpoints with their health (last
// success, last failure, failing since), and one endpoint's delivery log — each event sent to
// it, newest first, with every attempt — paged by the one paginator (ADR 021).
import { sql } from "kysely";
import type { Database } from "~db/index.ts";
import { keyset, pageSize, type Page } from "~/domain/paging.server";
import { isUuid } from "~/lib/ids";
import { ownedBy, WebhookEndpointNotFound, type EndpointScope } from "./endpoints.server";

export interface WebhookEndpointSummary {
  id: string;
  partnerId: string | null;
  url: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  failingSince: Date | null;
  consecutiveFailures: number;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  /** Deliveries still to be sent (first try or a retry). */
  pending: number;
  createdAt: Date;
}

function endpointQuery(db: Database) {
  const lastAttempt = (ok: boolean) =>
    sql<Date | null>`(select max(a.attempted_at) from webhook_attempts a
      join webhook_deliveries d on d.id = a.delivery_id
      where d.endpoint_id = ep.id and ${
        ok
          ? sql`a.status_code between 200 and 299`
          : sql`(a.status_code is null or a.status_code not between 200 and 299)`
      })`;
  return db.selectFrom("webhook_endpoints as ep").select([
    "ep.id",
    "ep.partner_id",
    "ep.url",
    "ep.events",
    "ep.enabled",
    "ep.disabled_reason",
    "ep.failing_since",
    "ep.consecutive_failures",
    "ep.created_at",
    lastAttempt(true).as("last_success_at"),
    lastAttempt(false).as("last_failure_at"),
    sql<string>`(select count(*) from webhook_deliveries d
        where d.endpoint_id = ep.id and d.status = 'pending')`.as("pending"),
  ]);
}

type EndpointRow = Awaited<ReturnType<ReturnType<typeof endpointQuery>["executeTakeFirstOrThrow"]>>;

const date = (value: Date | string | null) => (value === null ? null : new Date(value));

function toSummary(row: EndpointRow): WebhookEndpointSummary {
  return {
    id: row.id,
    partnerId: row.partner_id,
    url: row.url,
    events: row.events,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    failingSince: date(row.failing_since),
    consecutiveFailures: row.consecutive_failures,
    lastSuccessAt: date(row.last_success_at),
    lastFailureAt: date(row.last_failure_at),
    pending: Number(row.pending),
    createdAt: new Date(row.created_at),
  };
}

/** An owner's endpoints, oldest first (the order they were added). */
export async function listWebhookEndpoints(
  db: Database,
  { partnerId }: { partnerId: EndpointScope },
): Promise<WebhookEndpointSummary[]> {
  const rows = await endpointQuery(db)
    .where(ownedBy(partnerId, "ep"))
    .orderBy("ep.created_at")
    .orderBy("ep.id")
    .execute();
  return rows.map(toSummary);
}

/** One of the owner's endpoints; another owner's (or none) is not found. */
export async function getWebhookEndpoint(
  db: Database,
  { endpointId, partnerId }: { endpointId: string; partnerId: EndpointScope },
): Promise<WebhookEndpointSummary> {
  if (!isUuid(endpointId)) throw new WebhookEndpointNotFound();
  const row = await endpointQuery(db)
    .where("ep.id", "=", endpointId)
    .where(ownedBy(partnerId, "ep"))
    .executeTakeFirst();
  if (!row) throw new WebhookEndpointNotFound();
  return toSummary(row);
}

export interface WebhookHealthRow extends WebhookEndpointSummary {
  partnerName: string | null;
  partnerSlug: string | null;
}

const healthPaging = keyset("webhook-health", ["number", "uuid"]);

/**
 * Every endpoint (support's view), the ones that need attention first: disabled, then
 * failing, then healthy (by id within each); paged on (rank, id).
 */
export async function listEndpointHealth(
  db: Database,
  { cursor, limit = 25 }: { cursor?: string | null; limit?: number },
): Promise<Page<WebhookHealthRow>> {
  const size = pageSize(limit, 25, 100);
  const after = healthPaging.after(cursor);
  // Rank: 0 disabled, 1 failing, 2 healthy — a number the cursor can carry.
  const rank = sql<number>`(case when not ep.enabled then 0 when ep.failing_since is not null then 1 else 2 end)`;
  let query = endpointQuery(db)
    .leftJoin("partners as p", "p.id", "ep.partner_id")
    .select(["p.name as partner_name", "p.slug as partner_slug", rank.as("rank")])
    .orderBy(rank)
    .orderBy("ep.id")
    .limit(size + 1);
  if (after) {
    query = query.where(sql<boolean>`(${rank}, ep.id) > (${after[0]}, ${after[1]})`);
  }
  const rows = await query.execute();
  const page = healthPaging.page(rows, size, (row) => [Number(row.rank), row.id]);
  return {
    rows: page.rows.map((row) => ({
      ...toSummary(row),
      partnerName: row.partner_name,
      partnerSlug: row.partner_slug,
    })),
    nextCursor: page.nextCursor,
  };
}

export type DeliveryOutcome = "pending" | "delivered" | "failed";

export interface DeliveryAttempt {
  attemptedAt: Date;
  statusCode: number | null;
  durationMs: number;
  responseExcerpt: string;
  error: string | null;
  nextAttemptAt: Date | null;
}

export interface DeliveryLogRow {
  id: number;
  eventId: number;
  type: string;
  eventCreatedAt: Date;
  status: DeliveryOutcome;
  attempts: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  log: DeliveryAttempt[];
}

const deliveriesPaging = keyset("webhook-deliveries", ["serial"]);

/**
 * An endpoint's deliveries, newest first, each with its attempts; filtered by event type and
 * outcome. The endpoint must be the owner's.
 */
export async function listDeliveries(
  db: Database,
  {
    endpointId,
    partnerId,
    type = null,
    outcome = null,
    cursor,
    limit = 25,
  }: {
    endpointId: string;
    partnerId: EndpointScope;
    type?: string | null;
    outcome?: DeliveryOutcome | null;
    cursor?: string | null;
    limit?: number;
  },
): Promise<Page<DeliveryLogRow>> {
  if (!isUuid(endpointId)) throw new WebhookEndpointNotFound();
  const size = pageSize(limit, 25, 100);
  const after = deliveriesPaging.after(cursor);
  let query = db
    .selectFrom("webhook_deliveries as d")
    .innerJoin("webhook_endpoints as ep", "ep.id", "d.endpoint_id")
    .innerJoin("outbox_events as ev", "ev.id", "d.event_id")
    .select([
      "d.id",
      "d.event_id",
      "ev.topic",
      "ev.created_at as event_created_at",
      "d.status",
      "d.attempts",
      "d.next_attempt_at",
      "d.created_at",
    ])
    .where("d.endpoint_id", "=", endpointId)
    .orderBy("d.id", "desc")
    .limit(size + 1);
  query = query.where(ownedBy(partnerId, "ep"));
  if (type) query = query.where("ev.topic", "=", type);
  if (outcome) query = query.where("d.status", "=", outcome);
  if (after) query = query.where("d.id", "<", String(after[0]));
  const rows = await query.execute();
  const page = deliveriesPaging.page(rows, size, (row) => [Number(row.id)]);
  const ids = page.rows.map((row) => row.id);
  const attempts = ids.length
    ? await db
        .selectFrom("webhook_attempts")
        .select([
          "delivery_id",
          "attempted_at",
          "status_code",
          "duration_ms",
          "response_excerpt",
          "error",
          "next_attempt_at",
        ])
        .where("delivery_id", "in", ids)
        .orderBy("id")
        .execute()
    : [];
  return {
    rows: page.rows.map((row) => ({
      id: Number(row.id),
      eventId: Number(row.event_id),
      type: row.topic,
      eventCreatedAt: new Date(row.event_created_at),
      status: row.status as DeliveryOutcome,
      attempts: row.attempts,
      nextAttemptAt: date(row.next_attempt_at),
      createdAt: new Date(row.created_at),
      log: attempts
        .filter((a) => String(a.delivery_id) === String(row.id))
        .map((a) => ({
          attemptedAt: new Date(a.attempted_at),
          statusCode: a.status_code,
          durationMs: a.duration_ms,
          responseExcerpt: a.response_excerpt,
          error: a.error,
          nextAttemptAt: date(a.next_attempt_at),
        })),
    })),
    nextCursor: page.nextCursor,
  };
}
