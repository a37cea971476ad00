// The delivery log's two buttons: "Resend" puts one delivery back in the queue (a fresh run of
// attempts, its earlier attempts kept in the log), and "Send test event" queues a
// `webhook.test` event for one endpoint alone. Both are picked up by the next delivery pass.
import type { Database } from "~db/index.ts";
import { isUuid } from "~/lib/ids";
import {
  ownedBy,
  TEST_EVENT_TOPIC,
  WebhookEndpointNotFound,
  type EndpointScope,
} from "./endpoints.server";

export class WebhookDeliveryNotFound extends WebhookEndpointNotFound {}

/** Queues an endpoint's delivery again, whatever its outcome was. */
export async function resendDelivery(
  db: Database,
  {
    endpointId,
    deliveryId,
    partnerId,
    now,
  }: { endpointId: string; deliveryId: number; partnerId: EndpointScope; now: Date },
): Promise<{ eventId: number }> {
  if (!isUuid(endpointId) || !Number.isSafeInteger(deliveryId) || deliveryId < 1) {
    throw new WebhookDeliveryNotFound();
  }
  const row = await db
    .updateTable("webhook_deliveries")
    .set({ status: "pending", attempts: 0, next_attempt_at: now })
    .where("id", "=", String(deliveryId))
    .where("endpoint_id", "=", endpointId)
    .where("endpoint_id", "in", (eb) =>
      eb.selectFrom("webhook_endpoints").select("id").where(ownedBy(partnerId)),
    )
    .returning("event_id")
    .executeTakeFirst();
  if (!row) throw new WebhookDeliveryNotFound();
  return { eventId: Number(row.event_id) };
}

/**
 * A test event for this endpoint only: an outbox event already marked published (so the
 * fan-out never sends it elsewhere) and its one delivery, due now.
 */
export async function sendTestEvent(
  db: Database,
  { endpointId, partnerId, now }: { endpointId: string; partnerId: EndpointScope; now: Date },
): Promise<{ eventId: number }> {
  if (!isUuid(endpointId)) throw new WebhookEndpointNotFound();
  return db.transaction().execute(async (trx) => {
    const endpoint = await trx
      .selectFrom("webhook_endpoints")
      .select(["id", "partner_id"])
      .where("id", "=", endpointId)
      .where(ownedBy(partnerId))
      .executeTakeFirst();
    if (!endpoint) throw new WebhookEndpointNotFound();
    const event = await trx
      .insertInto("outbox_events")
      .values({
        topic: TEST_EVENT_TOPIC,
        partner_id: endpoint.partner_id,
        payload: JSON.stringify({ endpoint_id: endpoint.id, message: "A test event from 7stamp." }),
        published_at: now,
        created_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("webhook_deliveries")
      .values({ endpoint_id: endpoint.id, event_id: event.id, next_attempt_at: now })
      .execute();
    return { eventId: Number(event.id) };
  });
}
