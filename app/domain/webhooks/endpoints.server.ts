// Webhook endpoints: a partner's (events about its own codes, clients and statements) or the
// platform's (partner null: every event). The signing secret is stored as is — a delivery
// must sign with it — and handed out once, in the answer that creates or rolls it. Every
// change is audited; every query names its owner (a partner id, or "the platform's").
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { env } from "~/env.server";
import { recordAudit, type AuditActor } from "~/domain/audit.server";
import { DomainError } from "~/domain/errors.server";
import type { OutboxTopic } from "~/domain/outbox.server";
import { isUuid } from "~/lib/ids";
import { newWebhookSecret } from "./signing.server";
import { checkWebhookUrl, MAX_WEBHOOK_URL_LENGTH } from "./ssrf.server";

export const WEBHOOK_EVENTS: readonly OutboxTopic[] = [
  "code.claimed",
  "entitlements.changed",
  "limit.reached",
  "statement.finalized",
  "invoice.issued",
  "invoice.paid",
  "invoice.payment_failed",
  "referral.qualified",
  "referral.rewarded",
  "referral.clawed_back",
  "invoice.voided",
  "credit_note.issued",
];

/**
 * Events about a business's invoices are between 7stamp and the business: they carry no
 * partner, so only the platform's endpoints receive them, and only they may choose them.
 */
export const PLATFORM_ONLY_EVENTS: readonly OutboxTopic[] = [
  "invoice.issued",
  "invoice.paid",
  "invoice.payment_failed",
  "invoice.voided",
  "credit_note.issued",
];

/** What a partner's endpoint may receive: events about its codes, clients, statements, referrals. */
export const PARTNER_WEBHOOK_EVENTS: readonly OutboxTopic[] = WEBHOOK_EVENTS.filter(
  (topic) => !PLATFORM_ONLY_EVENTS.includes(topic),
);

/** The events an owner's endpoint may choose from: a partner's, or the platform's (null). */
export function eventsFor(owner: EndpointOwner): readonly OutboxTopic[] {
  return owner === null ? WEBHOOK_EVENTS : PARTNER_WEBHOOK_EVENTS;
}

/** An endpoint as the partner API's POST takes it (the page's form parses into the same fields). */
export const WebhookEndpointInputSchema = z.object({
  url: z.string().trim().min(1).max(MAX_WEBHOOK_URL_LENGTH),
  events: z
    .array(z.enum(PARTNER_WEBHOOK_EVENTS as [OutboxTopic, ...OutboxTopic[]]))
    .min(1)
    .max(WEBHOOK_EVENTS.length * 2),
});

/** The topic of a "send test event" delivery: never in the outbox's fan-out. */
export const TEST_EVENT_TOPIC = "webhook.test";

/** How long a rolled-over secret keeps signing beside the new one. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** The most endpoints one partner (or the platform) may have. */
export const MAX_ENDPOINTS = 20;

/** Whose endpoints: a partner's, or the platform's (null). */
export type EndpointOwner = string | null;

export class WebhookEventsRefused extends DomainError {
  constructor(
    readonly problem: "none" | "unknown" | "platformOnly",
    message: string,
  ) {
    super("invalid_request", `events: ${message}`, "events");
  }
}

export class WebhookEndpointNotFound extends DomainError {
  constructor() {
    super("not_found", "No such webhook endpoint.", "endpoint");
  }
}

export class TooManyWebhookEndpoints extends DomainError {
  constructor() {
    super("invalid_request", `url: at most ${MAX_ENDPOINTS} endpoints; delete one first.`, "url");
  }
}

export interface CreatedEndpoint {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  createdAt: Date;
  /** Shown once: never readable again. */
  secret: string;
}

/** Whose endpoints a reader may see: one owner's, or (support) every endpoint. */
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- "any" names support's scope for the reader; a partner id is a uuid, never "any"
export type EndpointScope = EndpointOwner | "any";

/** Rows of this owner only: a partner's endpoints, or the platform's ("any": support). */
export function ownedBy(owner: EndpointScope, table = "webhook_endpoints") {
  const column = sql.ref(`${table}.partner_id`);
  if (owner === "any") return sql<boolean>`true`;
  return owner === null ? sql<boolean>`${column} is null` : sql<boolean>`${column} = ${owner}`;
}

/** The events as chosen: known ones the owner may receive, each once, at least one. */
export function checkWebhookEvents(
  events: readonly string[],
  owner: EndpointOwner = null,
): OutboxTopic[] {
  const allowed = eventsFor(owner);
  const unknown = events.filter((e) => !WEBHOOK_EVENTS.includes(e as OutboxTopic));
  if (unknown.length > 0) {
    throw new WebhookEventsRefused(
      "unknown",
      `unknown event ${unknown.slice(0, 5).join(", ")}; choose from ${allowed.join(", ")}.`,
    );
  }
  const platformOnly = events.filter((e) => !allowed.includes(e as OutboxTopic));
  if (platformOnly.length > 0) {
    throw new WebhookEventsRefused(
      "platformOnly",
      `${platformOnly.slice(0, 5).join(", ")} go to the platform's endpoints only; choose from ${allowed.join(", ")}.`,
    );
  }
  if (events.length === 0) throw new WebhookEventsRefused("none", "choose at least one event.");
  return WEBHOOK_EVENTS.filter((e) => events.includes(e));
}

export async function createWebhookEndpoint(
  db: Database,
  {
    partnerId,
    url,
    events,
    actor = null,
    ip = null,
  }: {
    partnerId: EndpointOwner;
    url: string;
    events: readonly string[];
    actor?: AuditActor | null;
    ip?: string | null;
  },
): Promise<CreatedEndpoint> {
  const checked = checkWebhookUrl(url, {
    production: env.isProduction,
    allowLoopback: env.WEBHOOK_ALLOW_LOOPBACK,
  });
  const chosen = checkWebhookEvents(events, partnerId);
  const secret = newWebhookSecret();
  return db.transaction().execute(async (trx) => {
    // The owner's row is locked first, so two creates cannot both pass the count.
    if (partnerId !== null) {
      await trx
        .selectFrom("partners")
        .select("id")
        .where("id", "=", partnerId)
        .forUpdate()
        .execute();
    }
    const { count } = await trx
      .selectFrom("webhook_endpoints")
      .select((eb) => eb.fn.countAll<string>().as("count"))
      .where(ownedBy(partnerId))
      .executeTakeFirstOrThrow();
    if (Number(count) >= MAX_ENDPOINTS) throw new TooManyWebhookEndpoints();
    const row = await trx
      .insertInto("webhook_endpoints")
      .values({ partner_id: partnerId, url: checked.toString(), events: chosen, secret })
      .returning(["id", "url", "events", "enabled", "created_at"])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: "webhook_endpoint.created",
      partnerId,
      subject: { type: "webhook_endpoint", id: row.id },
      after: { url: row.url, events: row.events },
      ip,
    });
    return {
      id: row.id,
      url: row.url,
      events: row.events,
      enabled: row.enabled,
      createdAt: new Date(row.created_at),
      secret,
    };
  });
}

/**
 * A new secret for the endpoint; the current one keeps signing beside it until
 * `now + 24 h`. Returns the new secret (shown once).
 */
export async function rollWebhookSecret(
  db: Database,
  {
    endpointId,
    partnerId,
    now,
    actor = null,
    ip = null,
  }: {
    endpointId: string;
    partnerId: EndpointOwner;
    now: Date;
    actor?: AuditActor | null;
    ip?: string | null;
  },
): Promise<string> {
  if (!isUuid(endpointId)) throw new WebhookEndpointNotFound();
  const secret = newWebhookSecret();
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("webhook_endpoints")
      .set((eb) => ({
        previous_secret: eb.ref("secret"),
        previous_secret_expires_at: new Date(now.getTime() + SECRET_OVERLAP_MS),
        secret,
      }))
      .where("id", "=", endpointId)
      .where(ownedBy(partnerId))
      .returning(["id", "url"])
      .executeTakeFirst();
    if (!updated) throw new WebhookEndpointNotFound();
    await recordAudit(trx, {
      actor,
      action: "webhook_endpoint.secret_rolled",
      partnerId,
      subject: { type: "webhook_endpoint", id: updated.id },
      after: {
        url: updated.url,
        previousSecretExpiresAt: new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString(),
      },
      ip,
    });
    return secret;
  });
}

/**
 * Turns an endpoint on or off. Turning it on clears the failure streak, so the three-day
 * auto-disable clock starts again from the next failure.
 */
export async function setWebhookEndpointEnabled(
  db: Database,
  {
    endpointId,
    partnerId,
    enabled,
    now,
    actor,
    ip = null,
  }: {
    endpointId: string;
    partnerId: EndpointOwner;
    enabled: boolean;
    now: Date;
    actor: AuditActor;
    ip?: string | null;
  },
): Promise<{ url: string }> {
  if (!isUuid(endpointId)) throw new WebhookEndpointNotFound();
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("webhook_endpoints")
      .set(
        enabled
          ? {
              enabled: true,
              disabled_at: null,
              disabled_reason: null,
              consecutive_failures: 0,
              failing_since: null,
            }
          : { enabled: false, disabled_at: now, disabled_reason: `turned off by ${actor.label}` },
      )
      .where("id", "=", endpointId)
      .where(ownedBy(partnerId))
      .returning(["id", "url"])
      .executeTakeFirst();
    if (!updated) throw new WebhookEndpointNotFound();
    await recordAudit(trx, {
      actor,
      action: enabled ? "webhook_endpoint.enabled" : "webhook_endpoint.disabled",
      partnerId,
      subject: { type: "webhook_endpoint", id: updated.id },
      after: { url: updated.url },
      ip,
    });
    return { url: updated.url };
  });
}

/** Deletes an endpoint with its deliveries and their log. */
export async function deleteWebhookEndpoint(
  db: Database,
  {
    endpointId,
    partnerId,
    actor,
    ip = null,
  }: { endpointId: string; partnerId: EndpointOwner; actor: AuditActor; ip?: string | null },
): Promise<{ url: string }> {
  if (!isUuid(endpointId)) throw new WebhookEndpointNotFound();
  return db.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom("webhook_endpoints")
      .where("id", "=", endpointId)
      .where(ownedBy(partnerId))
      .returning(["id", "url", "events"])
      .executeTakeFirst();
    if (!deleted) throw new WebhookEndpointNotFound();
    await recordAudit(trx, {
      actor,
      action: "webhook_endpoint.deleted",
      partnerId,
      subject: { type: "webhook_endpoint", id: deleted.id },
      before: { url: deleted.url, events: deleted.events },
      ip,
    });
    return { url: deleted.url };
  });
}
