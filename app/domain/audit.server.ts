// The audit log: every state change, who did it, for which organisation, before and after.
import type { Database } from "~db/index.ts";
import type { Json } from "~db/schema.ts";
import { sql, type RawBuilder } from "kysely";
import type { AuditFilter } from "~/lib/audit-filter";
import { csvLine, csvStream, escapeLike } from "~/lib/csv";
import { isUuid } from "~/lib/ids";
import { afterKey, fullPrecision, keyset, pageSize, timestampParam } from "./paging.server";
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
  /**
   * When the change took effect, where another row records the same instant (a batch-wide
   * revocation's codes' revoked_at). Left out, the column's default: the transaction's start.
   */
  occurredAt?: Date;
}

/**
 * Everything the portal does by itself (jobs, the demo seed, sweeps) acts as this one actor,
 * so the log names the system one way; pages show it as "7stamp (automatic)".
 */
export const systemActor: AuditActor = { userId: null, label: SYSTEM_ACTOR_LABEL };

export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  await db.insertInto("audit_log").values(auditValues(entry)).execute();
}

/** The one place an entry becomes an audit_log row. */
function auditValues(entry: AuditEntry) {
  return {
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
    ...(entry.occurredAt ? { occurred_at: entry.occurredAt } : {}),
  };
}

/**
 * recordAudit as a part of the caller's statement (ADR 041): a data-modifying CTE body that
 * records the entry once for each row of the CTE `cte` names — so a write whose condition
 * matched nothing records nothing, without a round trip of its own.
 */
export function recordAuditForEachSql(entry: AuditEntry, cte: string): RawBuilder<unknown> {
  const v = auditValues(entry);
  // Without occurredAt the column's default applies, as in recordAudit.
  const at = v.occurred_at
    ? { column: sql`, occurred_at`, value: sql`, ${v.occurred_at}::timestamptz` }
    : { column: sql``, value: sql`` };
  return sql`insert into audit_log (actor_user_id, actor_label, partner_id, business_id, action,
      subject_type, subject_id, before, after, reason, ip${at.column})
    select ${v.actor_user_id}::uuid, ${v.actor_label}::text, ${v.partner_id}::uuid,
      ${v.business_id}::uuid, ${v.action}::text, ${v.subject_type}::text, ${v.subject_id}::text,
      ${v.before}::jsonb, ${v.after}::jsonb, ${v.reason}::text, ${v.ip}::text${at.value}
    from ${sql.table(cte)}`;
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
  /** The organisation the entry belongs to, named, for a link to its support page. */
  partner: { slug: string; name: string } | null;
  business: { id: string; name: string } | null;
  ip: string | null;
}

// Newest first by (occurred_at, id): occurred_at is the transaction's start, so ids alone do
// not follow time, and entries of one transaction tie on it to the microsecond.
const auditKeyset = keyset("audit", ["timestamp", "serial"] as const);

/** The filtered log, newest first by (occurred_at, id); one query for the page and the CSV. */
function selectAudit(db: Database, filter: AuditFilter, after: readonly [string, number] | null) {
  let query = db
    .selectFrom("audit_log as a")
    .leftJoin("partners as p", "p.id", "a.partner_id")
    .leftJoin("businesses as b", "b.id", "a.business_id")
    .leftJoin("users as su", (join) =>
      join
        .on("a.subject_type", "=", "user")
        .on(sql<string>`su.id::text`, "=", sql.ref<string>("a.subject_id")),
    )
    .leftJoin("statements as st", (join) =>
      join
        .on("a.subject_type", "=", "statement")
        .on(sql<string>`st.id::text`, "=", sql.ref<string>("a.subject_id")),
    )
    .select([
      sql<string | null>`to_char(st.period_start at time zone 'UTC', 'YYYY-MM')`.as(
        "statement_month",
      ),
      "a.id",
      "a.occurred_at",
      fullPrecision(sql.ref("a.occurred_at")).as("occurred_at_key"),
      "a.actor_user_id",
      "a.actor_label",
      "a.action",
      "a.subject_type",
      "a.subject_id",
      "a.partner_id",
      "a.business_id",
      "a.reason",
      "a.ip",
      "p.slug as partner_slug",
      "p.name as partner_name",
      "b.name as business_name",
      "su.email as subject_email",
    ])
    .orderBy("a.occurred_at", "desc")
    .orderBy("a.id", "desc");
  if (filter.partnerId) query = query.where("a.partner_id", "=", filter.partnerId);
  if (filter.businessId) query = query.where("a.business_id", "=", filter.businessId);
  if (filter.action) query = query.where("a.action", "=", filter.action);
  if (filter.subjectType) query = query.where("a.subject_type", "=", filter.subjectType);
  if (filter.subjectId) query = query.where("a.subject_id", "=", filter.subjectId);
  if (filter.from) query = query.where("a.occurred_at", ">=", filter.from);
  if (filter.to) query = query.where("a.occurred_at", "<", filter.to);
  if (filter.actor) {
    const pattern = `%${escapeLike(filter.actor.toLowerCase())}%`;
    query = query.where(sql<string>`lower(a.actor_label)`, "like", pattern);
  }
  if (filter.organisation) {
    const text = filter.organisation;
    const pattern = `%${escapeLike(text.toLowerCase())}%`;
    query = query.where((eb) =>
      eb.or([
        eb("p.slug", "=", text),
        eb(eb.fn("lower", ["p.name"]), "like", pattern),
        ...(isUuid(text) ? [eb("a.business_id", "=", text)] : []),
        eb(eb.fn("lower", ["b.name"]), "like", pattern),
      ]),
    );
  }
  if (after) {
    query = query.where(
      afterKey(
        [sql.ref("a.occurred_at"), sql.ref("a.id")],
        [timestampParam(after[0]), after[1]],
        "desc",
      ),
    );
  }
  return query;
}

type SelectedAudit = Awaited<ReturnType<ReturnType<typeof selectAudit>["execute"]>>[number];

function toAuditRow(r: SelectedAudit): AuditRow {
  const partner =
    r.partner_slug && r.partner_name ? { slug: r.partner_slug, name: r.partner_name } : null;
  const business =
    r.business_id && r.business_name ? { id: r.business_id, name: r.business_name } : null;
  return {
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
            partner,
            business,
            userEmail: r.subject_email,
            statementMonth: r.statement_month,
          }
        : null,
    partnerId: r.partner_id,
    businessId: r.business_id,
    partner,
    business,
    ip: r.ip,
  };
}

/**
 * The audit log, filtered, newest first, keyset paged over (occurred_at at full precision,
 * id); a cursor we did not make throws InvalidCursor. Scope: everything (support's log) or one organisation's trail (filter.partnerId /
 * filter.businessId).
 */
export async function listAudit(
  db: Database,
  filter: AuditFilter = {},
  { cursor, limit = 50 }: { cursor?: string | null; limit?: number } = {},
): Promise<{ rows: AuditRow[]; nextCursor: string | null }> {
  const size = pageSize(limit, 50, 200);
  const rows = await selectAudit(db, filter, auditKeyset.after(cursor))
    .limit(size + 1)
    .execute();
  const page = auditKeyset.page(rows, size, (row) => [row.occurred_at_key, row.id]);
  return { rows: page.rows.map(toAuditRow), nextCursor: page.nextCursor };
}

export interface AuditEntryView extends AuditRow {
  reason: string | null;
  before: Json | null;
  after: Json | null;
  /** The acting user's organisations today (an actor's partner or business), for links. */
  actorPartners: { slug: string; name: string }[];
  actorBusinesses: { id: string; name: string }[];
}

/** One entry of the log with its before and after, for support's entry page; null: none. */
export async function getAuditEntry(
  db: Database,
  { id }: { id: number },
): Promise<AuditEntryView | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const row = await selectAudit(db, {}, null)
    .select(["a.before", "a.after"])
    .where("a.id", "=", id)
    .executeTakeFirst();
  if (!row) return null;
  const [actorPartners, actorBusinesses] = row.actor_user_id
    ? await Promise.all([
        db
          .selectFrom("partner_members as m")
          .innerJoin("partners as p", "p.id", "m.partner_id")
          .select(["p.slug", "p.name"])
          .where("m.user_id", "=", row.actor_user_id)
          .orderBy("p.name")
          .limit(10)
          .execute(),
        db
          .selectFrom("business_members as m")
          .innerJoin("businesses as b", "b.id", "m.business_id")
          .select(["b.id", "b.name"])
          .where("m.user_id", "=", row.actor_user_id)
          .orderBy("b.name")
          .limit(10)
          .execute(),
      ])
    : [[], []];
  return {
    ...toAuditRow(row),
    reason: row.reason,
    before: row.before,
    after: row.after,
    actorPartners,
    actorBusinesses,
  };
}

const CSV_HEADER = [
  "id",
  "occurred_at",
  "actor",
  "action",
  "partner_slug",
  "business_id",
  "business_name",
  "subject_type",
  "subject_id",
  "reason",
  "ip",
  "before",
  "after",
];

/**
 * The filtered log as CSV, newest first, read in keyset chunks as the consumer pulls (the
 * codes and clients downloads' csvStream): one chunk in memory at a time, however many
 * entries match. Before and after are JSON.
 */
export function auditCsv(
  db: Database,
  {
    filter = {},
    chunkSize = 2000,
    bom = false,
  }: { filter?: AuditFilter; chunkSize?: number; bom?: boolean },
): ReadableStream<Uint8Array> {
  return csvStream({
    header: CSV_HEADER,
    bom,
    chunkSize,
    readChunk: (after: readonly [string, number] | null, limit) =>
      selectAudit(db, filter, after).select(["a.before", "a.after"]).limit(limit).execute(),
    lineOf: (r) =>
      csvLine([
        r.id,
        r.occurred_at.toISOString(),
        r.actor_label,
        r.action,
        r.partner_slug,
        r.business_id,
        r.business_name,
        r.subject_type,
        r.subject_id,
        r.reason,
        r.ip,
        r.before === null ? null : JSON.stringify(r.before),
        r.after === null ? null : JSON.stringify(r.after),
      ]),
    keyOf: (r) => [r.occurred_at_key, r.id] as const,
  });
}
