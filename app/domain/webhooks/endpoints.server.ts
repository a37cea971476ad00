// Webhook endpoints: a partner's (events about its own codes, clients and statements) or the
// platform's (partner null: every event). The signing secret is stored as is — a delivery
// must sign with it — and handed out once, in the answer that creates or rolls it.
import type { Database } from "~db/index.ts";
import { env } from "~/env.server";
import { DomainError } from "~/domain/errors.server";
import type { OutboxTopic } from "~/domain/outbox.server";
import { newWebhookSecret } from "./signing.server";
import { checkWebhookUrl } from "./ssrf.server";

export const WEBHOOK_EVENTS: readonly OutboxTopic[] = [
  "code.claimed",
  "entitlements.changed",
  "limit.reached",
  "statement.finalized",
];

/** How long a rolled-over secret keeps signing beside the new one. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

export interface CreatedEndpoint {
  id: string;
  url: string;
  events: string[];
  /** Shown once: never readable again. */
  secret: string;
}

export async function createWebhookEndpoint(
  db: Database,
  { partnerId, url, events }: { partnerId: string | null; url: string; events: readonly string[] },
): Promise<CreatedEndpoint> {
  const checked = checkWebhookUrl(url, {
    production: env.isProduction,
    allowLoopback: env.WEBHOOK_ALLOW_LOOPBACK,
  });
  const unknown = events.filter((e) => !WEBHOOK_EVENTS.includes(e as OutboxTopic));
  if (events.length === 0 || unknown.length > 0) {
    throw new DomainError(
      "invalid_request",
      unknown.length
        ? `events: unknown event ${unknown.join(", ")}; choose from ${WEBHOOK_EVENTS.join(", ")}.`
        : "events: choose at least one event.",
      "events",
    );
  }
  const secret = newWebhookSecret();
  const row = await db
    .insertInto("webhook_endpoints")
    .values({
      partner_id: partnerId,
      url: checked.toString(),
      events: [...new Set(events)],
      secret,
    })
    .returning(["id", "url", "events"])
    .executeTakeFirstOrThrow();
  return { ...row, secret };
}

/**
 * A new secret for the endpoint; the current one keeps signing beside it until
 * `now + 24 h`. Returns the new secret (shown once).
 */
export async function rollWebhookSecret(
  db: Database,
  { endpointId, partnerId, now }: { endpointId: string; partnerId: string | null; now: Date },
): Promise<string> {
  const secret = newWebhookSecret();
  const updated = await db
    .updateTable("webhook_endpoints")
    .set((eb) => ({
      previous_secret: eb.ref("secret"),
      previous_secret_expires_at: new Date(now.getTime() + SECRET_OVERLAP_MS),
      secret,
    }))
    .where("id", "=", endpointId)
    .where((eb) =>
      partnerId === null ? eb("partner_id", "is", null) : eb("partner_id", "=", partnerId),
    )
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    throw new DomainError("not_found", "No such webhook endpoint.");
  }
  return secret;
}
