// The outbox: events for the outside world (webhooks to the 7stamp platform and partners),
// written in the same transaction as the change they announce, so an event exists exactly
// when its change committed. Delivery reads it after commit.
import { sql, type RawBuilder } from "kysely";
import type { Database } from "~db/index.ts";
import type { Json } from "~db/schema.ts";

export type OutboxTopic =
  | "code.claimed"
  | "entitlements.changed"
  | "limit.reached"
  | "statement.finalized"
  | "referral.qualified"
  | "referral.rewarded"
  | "invoice.issued"
  | "invoice.paid"
  | "invoice.payment_failed"
  | "referral.clawed_back"
  | "invoice.voided"
  | "credit_note.issued";

interface OutboxEvent {
  topic: OutboxTopic;
  businessId?: string | null;
  partnerId?: string | null;
  payload: Json;
}

export async function recordOutboxEvent(trx: Database, event: OutboxEvent): Promise<void> {
  await trx.insertInto("outbox_events").values(outboxValues(event)).execute();
}

/** The one place an event becomes an outbox_events row. */
function outboxValues({ topic, businessId = null, partnerId = null, payload }: OutboxEvent) {
  return {
    topic,
    business_id: businessId,
    partner_id: partnerId,
    payload: JSON.stringify(payload),
  };
}

/**
 * recordOutboxEvent as a part of the caller's statement (ADR 041): a data-modifying CTE body
 * that records the event once for each row of the CTE `cte` names, so it exists exactly when
 * the write that CTE made matched.
 */
export function recordOutboxEventForEachSql(event: OutboxEvent, cte: string): RawBuilder<unknown> {
  const v = outboxValues(event);
  return sql`insert into outbox_events (topic, business_id, partner_id, payload)
    select ${v.topic}::text, ${v.business_id}::uuid, ${v.partner_id}::uuid, ${v.payload}::jsonb
    from ${sql.table(cte)}`;
}
