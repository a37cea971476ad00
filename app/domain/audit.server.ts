// The audit log: every state change, who did it, for which organisation, before and after.
import type { Database } from "~db/index.ts";
import type { Json } from "~db/schema.ts";
import { sql } from "kysely";
import {
  isAuditSubjectType,
  SYSTEM_ACTOR_LABEL,
  type AuditAction,
  type AuditSubject,
  type AuditSubjectView,
} from "~/lib/audit";

export type { AuditAction, AuditSubject };

export interface AuditActor {
  userId: string | null;
  /** What to show even if the user is deleted later: an email, "system", a key's name. */
  label: string;
}

export interface AuditEntry {
  actor: AuditActor | null;
  action: AuditAction;
  partnerId?: string | null;
  businessId?: string | null;
  subject?: AuditSubject;
  before?: Json;
  after?: Json;
  /** Why support made a correction (suspension, grant, roll-back …), where one is asked for. */
  reason?: string | null;
  ip?: string | null;
}

/**
 * Everything the portal does by itself (jobs, the demo seed, sweeps) acts as this one actor,
 * so the log names the system one way; pages show it as "7stamp (automatic)".
 */
export const systemActor: AuditActor = { userId: null, label: SYSTEM_ACTOR_LABEL };

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
      reason: entry.reason ?? null,
      ip: entry.ip ?? null,
    })
    .execute();
}

export interface AuditRow {
  id: number;
  occurredAt: Date;
  actorLabel: string;
  /** Done by the portal itself (a job, the seed): shown under one name. */
  actorIsSystem: boolean;
  action: string;
  subject: AuditSubjectView | null;
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
    .selectFrom("audit_log as a")
    .leftJoin("partners as p", "p.id", "a.partner_id")
    .leftJoin("businesses as b", "b.id", "a.business_id")
    .leftJoin("users as su", (join) =>
      join
        .on("a.subject_type", "=", "user")
        .on(sql<string>`su.id::text`, "=", sql.ref<string>("a.subject_id")),
    )
    .select([
      "a.id",
      "a.occurred_at",
      "a.actor_user_id",
      "a.actor_label",
      "a.action",
      "a.subject_type",
      "a.subject_id",
      "a.partner_id",
      "a.business_id",
      "a.ip",
      "p.slug as partner_slug",
      "p.name as partner_name",
      "b.name as business_name",
      "su.email as subject_email",
    ])
    .orderBy("a.id", "desc")
    .limit(limit + 1);
  if (partnerId) query = query.where("a.partner_id", "=", partnerId);
  if (businessId) query = query.where("a.business_id", "=", businessId);
  if (before) query = query.where("a.id", "<", before);
  const rows = await query.execute();
  const page = rows.slice(0, limit).map((r): AuditRow => ({
    id: r.id,
    occurredAt: r.occurred_at,
    actorLabel: r.actor_label,
    actorIsSystem: r.actor_user_id === null && r.actor_label === SYSTEM_ACTOR_LABEL,
    action: r.action,
    subject:
      isAuditSubjectType(r.subject_type) && r.subject_id !== null
        ? {
            type: r.subject_type,
            id: r.subject_id,
            partner:
              r.partner_slug && r.partner_name
                ? { slug: r.partner_slug, name: r.partner_name }
                : null,
            business:
              r.business_id && r.business_name
                ? { id: r.business_id, name: r.business_name }
                : null,
            userEmail: r.subject_email,
          }
        : null,
    partnerId: r.partner_id,
    businessId: r.business_id,
    ip: r.ip,
  }));
  return { rows: page, nextBefore: rows.length > limit ? page[page.length - 1].id : null };
}
