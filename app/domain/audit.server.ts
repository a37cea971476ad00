// The audit log: every state change, who did it, for which organisation, before and after.
import type { Database } from "~db/index.ts";
import type { Json } from "~db/schema.ts";

export interface AuditActor {
  userId: string | null;
  /** What to show even if the user is deleted later: an email, "system", a key's name. */
  label: string;
}

export interface AuditEntry {
  actor: AuditActor | null;
  action: string;
  partnerId?: string | null;
  businessId?: string | null;
  subject?: { type: string; id: string };
  before?: Json;
  after?: Json;
  ip?: string | null;
}

export const systemActor: AuditActor = { userId: null, label: "system" };

export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      actor_user_id: entry.actor?.userId ?? null,
      actor_label: entry.actor?.label ?? "anonymous",
      partner_id: entry.partnerId ?? null,
      business_id: entry.businessId ?? null,
      action: entry.action,
      subject_type: entry.subject?.type ?? null,
      subject_id: entry.subject?.id ?? null,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
      ip: entry.ip ?? null,
    })
    .execute();
}

export interface AuditRow {
  id: number;
  occurredAt: Date;
  actorLabel: string;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  partnerId: string | null;
  businessId: string | null;
  ip: string | null;
}

/** Newest first, keyset paged by id. Scope: everything (support) or one organisation. */
export async function listAudit(
  db: Database,
  {
    partnerId,
    businessId,
    before,
    limit = 50,
  }: { partnerId?: string; businessId?: string; before?: number; limit?: number },
): Promise<{ rows: AuditRow[]; nextBefore: number | null }> {
  let query = db
    .selectFrom("audit_log")
    .select([
      "id",
      "occurred_at",
      "actor_label",
      "action",
      "subject_type",
      "subject_id",
      "partner_id",
      "business_id",
      "ip",
    ])
    .orderBy("id", "desc")
    .limit(limit + 1);
  if (partnerId) query = query.where("partner_id", "=", partnerId);
  if (businessId) query = query.where("business_id", "=", businessId);
  if (before) query = query.where("id", "<", before);
  const rows = await query.execute();
  const page = rows.slice(0, limit).map((r) => ({
    id: r.id,
    occurredAt: r.occurred_at,
    actorLabel: r.actor_label,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    partnerId: r.partner_id,
    businessId: r.business_id,
    ip: r.ip,
  }));
  return { rows: page, nextBefore: rows.length > limit ? page[page.length - 1].id : null };
}
