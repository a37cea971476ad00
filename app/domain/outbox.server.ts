// The outbox: events for the outside world (webhooks to the 7stamp platform and partners),
// written in the same transaction as the change they announce, so an event exists exactly
// when its change committed. Delivery reads it after commit.
import type { Database } from "~db/index.ts";
import type { Json } from "~db/schema.ts";

export type OutboxTopic =
  | "code.claimed"
  | "entitlements.changed"
  | "limit.reached"
  | "statement.finalized"
  | "referral.qualified"
  | "referral.rewarded"
  | "invoice.voided"
  | "credit_note.issued";

export async function recordOutboxEvent(
  trx: Database,
  {
    topic,
    businessId = null,
    partnerId = null,
    payload,
  }: { topic: OutboxTopic; businessId?: string | null; partnerId?: string | null; payload: Json },
): Promise<void> {
  await trx
    .insertInto("outbox_events")
    .values({
      topic,
      business_id: businessId,
      partner_id: partnerId,
      payload: JSON.stringify(payload),
    })
    .execute();
}
