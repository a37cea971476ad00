// Finding a partner's codes: filters, search, keyset pages, one code and its history (read models
// for the pages and the API).
import { sql, type Transaction } from "kysely";
import type { Database } from "~db/index.ts";
import type { DB } from "~db/schema.ts";
import { env } from "~/env.server";
import { formatCode, parseCode, parseSerial } from "~/lib/activation-code";
import { codeStatusFilters } from "~/lib/code-filter";
import { isUuid } from "~/lib/ids";
import { type AuditSubject } from "../audit.server";
import { keyset, pageSize, type Page } from "../paging.server";
import { codeDisplayStatusSql, codeExpired, codeOutstanding } from "../predicates.server";
import { escapeLike } from "~/lib/csv";
import { storable } from "~/lib/storable-text";
import {
  CodeStatusFilter,
  CodeFilter,
  CodeRow,
  HistoryEntry,
  CodeMistyped,
  InvalidCodeSearch,
} from "./model.server";

// ---- Reading ------------------------------------------------------------------------------

type Db = Database | Transaction<DB>;

/** The filter made ready for SQL; `none` when it cannot match anything (a foreign id shape). */
export interface ResolvedFilter {
  none: boolean;
  status?: CodeStatusFilter;
  bundleId?: string;
  batchId?: string;
  recipientPattern?: string;
  handedOut?: boolean;
  code?: string;
  serial?: number;
}

/** Throws CodeMistyped (field "search") or InvalidCodeSearch for a search it cannot read. */
export function resolveFilter(filter: CodeFilter): ResolvedFilter {
  const resolved: ResolvedFilter = {
    none: false,
    status: filter.status,
    handedOut: filter.handedOut,
  };
  if (filter.status && !(codeStatusFilters as readonly string[]).includes(filter.status))
    resolved.none = true;
  if (filter.bundleId) {
    if (isUuid(filter.bundleId)) resolved.bundleId = filter.bundleId;
    else resolved.none = true;
  }
  if (filter.batchId) {
    if (isUuid(filter.batchId)) resolved.batchId = filter.batchId;
    else resolved.none = true;
  }
  const recipient = filter.recipient?.trim();
  if (recipient) {
    if (storable(recipient)) resolved.recipientPattern = `%${escapeLike(recipient.toLowerCase())}%`;
    else resolved.none = true;
  }
  const search = filter.search?.trim();
  if (search) {
    const parsed = parseCode(search);
    if (parsed.kind === "code") resolved.code = parsed.code;
    else if (parsed.kind === "mistyped") throw new CodeMistyped("search");
    else {
      const serial = parseSerial(search);
      if (serial === null) throw new InvalidCodeSearch();
      resolved.serial = serial;
    }
  }
  return resolved;
}

/**
 * The serials a filter's codes can lie between, when the filter confines them to some of the
 * partner's batches: one batch or a bundle's batches. Two index probes per batch on
 * (batch_id, id). Null when the filter does not confine; "none" when no code can match.
 * (Expiry is per code — support may extend or shorten one — so it never narrows by batch;
 * the expired filter reads the partial index on unclaimed codes' expiry instead.)
 */
export async function serialRange(
  db: Db,
  partnerId: string,
  filter: ResolvedFilter,
  beforeSerial: number | null,
): Promise<{ lowest: number; highest: number } | null | "none"> {
  if (!filter.batchId && !filter.bundleId) return null;
  const below = beforeSerial === null ? sql`` : sql`and a.id < ${beforeSerial}`;
  let batches = db
    .selectFrom("code_batches as cb")
    .select([
      sql<
        number | null
      >`min((select min(a.id) from activation_codes a where a.batch_id = cb.id))`.as("lowest"),
      sql<
        number | null
      >`max((select max(a.id) from activation_codes a where a.batch_id = cb.id ${below}))`.as(
        "highest",
      ),
    ])
    .where("cb.partner_id", "=", partnerId);
  if (filter.batchId) batches = batches.where("cb.id", "=", filter.batchId);
  if (filter.bundleId) batches = batches.where("cb.bundle_id", "=", filter.bundleId);
  const range = await batches.executeTakeFirst();
  if (range?.lowest == null || range.highest == null) return "none";
  return { lowest: Number(range.lowest), highest: Number(range.highest) };
}

/**
 * One keyset page of the partner's codes, newest first. The page's serials come first, from
 * activation_codes alone, so that the partner-leading indexes answer (often index-only); the
 * rows are then joined to their bundle and batch (small tables). Codes are made in batches,
 * so matches cluster, which PostgreSQL's estimates do not know: a filter confined to some
 * batches gets their serial range as literal bounds, and the scan starts at the first
 * candidate and stops after the last instead of walking every newer code.
 */
export async function selectCodes(
  db: Db,
  partnerId: string,
  filter: ResolvedFilter,
  {
    beforeSerial,
    limit,
    readyBatchesOnly = false,
    now,
  }: { beforeSerial: number | null; limit: number; readyBatchesOnly?: boolean; now: Date },
): Promise<CodeRow[]> {
  const range = await serialRange(db, partnerId, filter, beforeSerial);
  if (range === "none") return [];
  const rows = await codesQuery(db, partnerId, filter, range, {
    beforeSerial,
    limit,
    readyBatchesOnly,
    now,
  }).execute();
  return rows.map(codeRowOf);
}

/**
 * The query behind selectCodes, for a serial range already read: the rows newest first,
 * `limit` of them (all when null). The CSV on PostgreSQL wraps it in COPY, so that the
 * list, the page and both CSV paths filter in this one place.
 */
export function codesQuery(
  db: Db,
  partnerId: string,
  filter: ResolvedFilter,
  range: { lowest: number; highest: number } | null,
  {
    beforeSerial,
    limit,
    readyBatchesOnly = false,
    now,
  }: { beforeSerial: number | null; limit: number | null; readyBatchesOnly?: boolean; now: Date },
) {
  let page = db
    .selectFrom("activation_codes as c")
    .select("c.id")
    .where("c.partner_id", "=", partnerId);
  // Lists and exports show a batch's codes once the whole batch is ready (ADR 017): codes of
  // a batch still generating cannot be claimed, and a partner must not hand them out.
  if (readyBatchesOnly) {
    page = page.where((eb) =>
      eb.exists(
        eb
          .selectFrom("code_batches as ready")
          .select("ready.id")
          .whereRef("ready.id", "=", "c.batch_id")
          .where("ready.status", "=", "ready"),
      ),
    );
  }
  if (beforeSerial !== null) page = page.where("c.id", "<", beforeSerial);
  if (range) page = page.where("c.id", ">=", range.lowest).where("c.id", "<=", range.highest);
  switch (filter.status) {
    case "claimed":
    case "revoked":
      page = page.where("c.status", "=", filter.status);
      break;
    case "issued":
      page = page.where("c.status", "=", "issued");
      break;
    case "expired":
      page = page.where(codeExpired("c", now));
      break;
    case "outstanding":
      page = page.where(codeOutstanding("c", now));
      break;
  }
  if (filter.bundleId) page = page.where("c.bundle_id", "=", filter.bundleId);
  if (filter.batchId) page = page.where("c.batch_id", "=", filter.batchId);
  if (filter.handedOut === true) page = page.where("c.handed_out_at", "is not", null);
  if (filter.handedOut === false) page = page.where("c.handed_out_at", "is", null);
  if (filter.recipientPattern) {
    const pattern = filter.recipientPattern;
    // `handed_out_at is not null` lets the planner use the partial hand-out index.
    page = page
      .where("c.handed_out_at", "is not", null)
      .where((eb) =>
        eb.or([
          eb(eb.fn("lower", ["c.recipient_name"]), "like", pattern),
          eb(eb.fn("lower", ["c.recipient_email"]), "like", pattern),
        ]),
      );
  }
  if (filter.code) page = page.where("c.code", "=", filter.code);
  if (filter.serial !== undefined) page = page.where("c.id", "=", filter.serial);

  // Expired codes are found through the partial index on unclaimed codes' expiry, then the
  // newest taken: `offset 0` keeps PostgreSQL from walking every code backwards by serial
  // looking for expired ones (measured: 1 s at a million codes, 3 ms fenced).
  const newest = page.orderBy("c.id", "desc");
  const expired = db.selectFrom(page.offset(0).as("e")).select("e.id").orderBy("e.id", "desc");
  const serials =
    filter.status === "expired"
      ? limit === null
        ? expired
        : expired.limit(limit)
      : limit === null
        ? newest
        : newest.limit(limit);

  return (
    db
      .selectFrom(serials.as("p"))
      .innerJoin("activation_codes as c", "c.id", "p.id")
      .innerJoin("bundles as b", "b.id", "c.bundle_id")
      .innerJoin("code_batches as cb", "cb.id", "c.batch_id")
      // The claim's grant names the business; a rolled-back claim keeps it (the claim happened).
      .leftJoin("grants as g", "g.activation_code_id", "c.id")
      .leftJoin("businesses as cl", "cl.id", "g.business_id")
      .select([
        "c.id",
        "c.code",
        codeDisplayStatusSql("c", now).as("status"),
        "c.bundle_id",
        "b.name as bundle_name",
        "b.staff_seats",
        "b.card_operations",
        "b.term_months",
        "c.batch_id",
        "cb.label as batch_label",
        "cb.prefix",
        "cb.status as batch_status",
        "c.expires_at",
        "c.created_at",
        "c.recipient_name",
        "c.recipient_email",
        "c.recipient_note",
        "c.handed_out_at",
        "c.locked_to_email",
        "c.emailed_at",
        "c.revoked_at",
        "c.revoke_reason",
        "c.claimed_at",
        "g.business_id as claimed_by_id",
        "cl.name as claimed_by_name",
      ])
      .where("c.partner_id", "=", partnerId)
      .orderBy("c.id", "desc")
  );
}

type CodesQueryRow = Awaited<ReturnType<ReturnType<typeof codesQuery>["execute"]>>[number];

function codeRowOf(row: CodesQueryRow): CodeRow {
  return {
    serial: row.id,
    code: row.code,
    display: formatCode(row.code, row.prefix),
    prefix: row.prefix,
    status: row.status,
    bundleId: row.bundle_id,
    bundleName: row.bundle_name,
    bundleContent: {
      staffSeats: row.staff_seats,
      cardOperations: row.card_operations,
      termMonths: row.term_months,
    },
    batchId: row.batch_id,
    batchLabel: row.batch_label,
    batchStatus: row.batch_status,
    expiresAt: new Date(row.expires_at),
    createdAt: new Date(row.created_at),
    recipientName: row.recipient_name,
    recipientEmail: row.recipient_email,
    recipientNote: row.recipient_note,
    handedOutAt: row.handed_out_at ? new Date(row.handed_out_at) : null,
    lockedToEmail: row.locked_to_email,
    emailedAt: row.emailed_at ? new Date(row.emailed_at) : null,
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
    revokeReason: row.revoke_reason,
    claimedAt: row.claimed_at ? new Date(row.claimed_at) : null,
    claimedBy:
      row.claimed_by_id && row.claimed_by_name
        ? { businessId: row.claimed_by_id, name: row.claimed_by_name }
        : null,
  };
}

// A code's serial is unique and only grows: it is the whole key.
export const codesPaging = keyset("codes", ["serial"]);

export function validSerial(serial: unknown): serial is number {
  return typeof serial === "number" && Number.isSafeInteger(serial) && serial > 0;
}

/** The partner's codes, newest first, keyset paged on the serial. */
export async function listCodes(
  db: Database,
  {
    partnerId,
    filter = {},
    cursor,
    limit = 50,
    now,
  }: {
    partnerId: string;
    filter?: CodeFilter;
    cursor?: string | null;
    limit?: number;
    now: Date;
  },
): Promise<Page<CodeRow>> {
  const resolved = resolveFilter(filter);
  const size = pageSize(limit, 50, 500);
  const after = codesPaging.after(cursor);
  if (resolved.none) return { rows: [], nextCursor: null };
  const rows = await selectCodes(db, partnerId, resolved, {
    beforeSerial: after ? after[0] : null,
    limit: size + 1,
    readyBatchesOnly: true,
    now,
  });
  return codesPaging.page(rows, size, (row) => [row.serial]);
}

export async function getCode(
  db: Db,
  { partnerId, serial, now }: { partnerId: string; serial: number; now: Date },
): Promise<CodeRow | null> {
  if (!validSerial(serial)) return null;
  const [row] = await selectCodes(
    db,
    partnerId,
    { none: false, serial },
    { beforeSerial: null, limit: 1, now },
  );
  return row ?? null;
}

/**
 * A code typed in any formatting, or a serial ("#12", "12"). Null when it is not the
 * partner's or is neither; CodeMistyped when it looks like a code with a wrong check symbol.
 */
export async function findCode(
  db: Database,
  { partnerId, input, now }: { partnerId: string; input: string; now: Date },
): Promise<CodeRow | null> {
  const parsed = parseCode(input);
  if (parsed.kind === "mistyped") throw new CodeMistyped();
  if (parsed.kind === "code") {
    const [row] = await selectCodes(
      db,
      partnerId,
      { none: false, code: parsed.code },
      { beforeSerial: null, limit: 1, now },
    );
    return row ?? null;
  }
  const serial = parseSerial(input);
  return serial === null ? null : getCode(db, { partnerId, serial, now });
}

/** Created (from its batch), then every audited change, oldest first. */
export async function codeHistory(
  db: Database,
  { partnerId, serial }: { partnerId: string; serial: number },
): Promise<HistoryEntry[]> {
  if (!validSerial(serial)) return [];
  const code = await db
    .selectFrom("activation_codes as c")
    .innerJoin("code_batches as cb", "cb.id", "c.batch_id")
    .select([
      "c.created_at",
      "c.batch_id",
      "c.status",
      "cb.label",
      "cb.code_count",
      "cb.created_by_label",
    ])
    .where("c.id", "=", serial)
    .where("c.partner_id", "=", partnerId)
    .executeTakeFirst();
  if (!code) return [];
  const entries: HistoryEntry[] = [
    {
      action: "code.created",
      at: new Date(code.created_at),
      actorLabel: code.created_by_label,
      details: { batchLabel: code.label, batchSize: code.code_count },
    },
  ];
  const subject: AuditSubject = { type: "activation_code", id: String(serial) };
  const batch: AuditSubject = { type: "code_batch", id: code.batch_id };
  const ownEntries = db
    .selectFrom("audit_log")
    .leftJoin("businesses", "businesses.id", "audit_log.business_id")
    .select([
      "audit_log.id",
      "audit_log.action",
      "audit_log.occurred_at",
      "audit_log.actor_label",
      "audit_log.after",
      "businesses.name as business_name",
    ])
    .where("audit_log.subject_type", "=", subject.type)
    .where("audit_log.subject_id", "=", subject.id)
    .where("audit_log.partner_id", "=", partnerId);
  // A batch-wide revocation is audited once, on the batch; it revoked this code when it ran in
  // the same request that set this code's revoked_at (both are that request's `now`).
  const batchRevocation = db
    .selectFrom("audit_log")
    .select([
      "id",
      "action",
      "occurred_at",
      "actor_label",
      "after",
      sql<string | null>`null`.as("business_name"),
    ])
    .where("subject_type", "=", batch.type)
    .where("subject_id", "=", batch.id)
    .where("partner_id", "=", partnerId)
    .where("action", "=", "batch.codes_revoked")
    .where(
      "occurred_at",
      "=",
      db
        .selectFrom("activation_codes")
        .select("revoked_at")
        .where("id", "=", serial)
        .where("partner_id", "=", partnerId),
    );
  const audited = await (
    code.status === "revoked" ? ownEntries.unionAll(batchRevocation) : ownEntries
  )
    .orderBy("id")
    .execute();
  for (const row of audited) {
    const after =
      row.after && typeof row.after === "object" && !Array.isArray(row.after) ? row.after : {};
    // The business the entry was about (the claimant of a claim or a roll-back).
    const details: HistoryEntry["details"] = row.business_name
      ? { business: row.business_name }
      : {};
    for (const [key, value] of Object.entries(after)) {
      if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
        details[key] = value as string | number | boolean | null;
      }
    }
    entries.push({
      action: row.action,
      at: new Date(row.occurred_at),
      actorLabel: row.actor_label,
      details,
    });
  }
  return entries;
}

/** The link a recipient follows to claim the code: `${PUBLIC_URL}/redeem/PREFIX-XXXX-…`. */
export function redeemUrl(code: string, prefix?: string | null): string {
  return `${env.PUBLIC_URL}/redeem/${formatCode(code, prefix)}`;
}
