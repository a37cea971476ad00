// Reading batches: one batch, the keyset-paged list, how a batch's codes stand.
import { sql, type Transaction } from "kysely";
import type { Database } from "~db/index.ts";
import type { DB } from "~db/schema.ts";
import { isUuid } from "~/lib/ids";
import { codeStandingSql } from "../predicates.server";
import {
  afterKey,
  fullPrecision,
  keyset,
  pageSize,
  timestampParam,
  type Page,
} from "../paging.server";
import { BatchStatus, Batch } from "./model.server";

const batchColumns = [
  "code_batches.id",
  "code_batches.partner_id",
  "code_batches.bundle_id",
  "bundles.name as bundle_name",
  "code_batches.code_count",
  "code_batches.generated_count",
  "code_batches.prefix",
  "code_batches.expires_at",
  "code_batches.label",
  "code_batches.recipient",
  "code_batches.status",
  "code_batches.failure_reason",
  "code_batches.created_at",
  "code_batches.completed_at",
  "code_batches.created_by_label",
  "code_batches.locale",
] as const;

type BatchRecord = {
  id: string;
  partner_id: string;
  bundle_id: string;
  bundle_name: string;
  code_count: number;
  generated_count: number;
  prefix: string | null;
  expires_at: Date;
  label: string | null;
  recipient: string | null;
  status: BatchStatus;
  failure_reason: string | null;
  created_at: Date;
  completed_at: Date | null;
  created_by_label: string;
  locale: string;
};

export function toBatch(row: BatchRecord): Batch {
  return {
    id: row.id,
    partnerId: row.partner_id,
    bundleId: row.bundle_id,
    bundleName: row.bundle_name,
    codeCount: row.code_count,
    generatedCount: row.generated_count,
    prefix: row.prefix,
    expiresAt: new Date(row.expires_at),
    label: row.label,
    recipient: row.recipient,
    status: row.status,
    failureReason: row.failure_reason,
    createdAt: new Date(row.created_at),
    completedAt: row.completed_at ? new Date(row.completed_at) : null,
    createdByLabel: row.created_by_label,
    locale: row.locale,
  };
}

export function batchQuery(db: Database | Transaction<DB>, partnerId: string) {
  return db
    .selectFrom("code_batches")
    .innerJoin("bundles", "bundles.id", "code_batches.bundle_id")
    .select(batchColumns)
    .where("code_batches.partner_id", "=", partnerId);
}

export async function getBatch(
  db: Database,
  { partnerId, batchId }: { partnerId: string; batchId: string | undefined },
): Promise<Batch | null> {
  if (!isUuid(batchId)) return null;
  const row = await batchQuery(db, partnerId)
    .where("code_batches.id", "=", batchId)
    .executeTakeFirst();
  return row ? toBatch(row) : null;
}

const batchesPaging = keyset("batches", ["timestamp", "uuid"]);

/** Newest first, keyset paged on (created_at at full precision, id). */
export async function listBatches(
  db: Database,
  {
    partnerId,
    bundleId,
    cursor,
    limit = 25,
  }: { partnerId: string; bundleId?: string; cursor?: string | null; limit?: number },
): Promise<Page<Batch>> {
  const size = pageSize(limit, 25, 100);
  const after = batchesPaging.after(cursor);
  let query = batchQuery(db, partnerId)
    .select(fullPrecision(sql.ref("code_batches.created_at")).as("created_at_key"))
    .orderBy("code_batches.created_at", "desc")
    .orderBy("code_batches.id", "desc")
    .limit(size + 1);
  if (bundleId && isUuid(bundleId)) query = query.where("code_batches.bundle_id", "=", bundleId);
  if (after) {
    query = query.where(
      afterKey(
        [sql.ref("code_batches.created_at"), sql.ref("code_batches.id")],
        [timestampParam(after[0]), after[1]],
        "desc",
      ),
    );
  }
  const page = batchesPaging.page(await query.execute(), size, (row) => [
    row.created_at_key,
    row.id,
  ]);
  return { rows: page.rows.map(toBatch), nextCursor: page.nextCursor };
}

export interface BatchCodeCounts {
  outstanding: number;
  expired: number;
  claimed: number;
  revoked: number;
}

/** How the batch's codes stand now (expired = unclaimed past its expiry). */
export async function batchCodeCounts(
  db: Database,
  { partnerId, batchId, now }: { partnerId: string; batchId: string; now: Date },
): Promise<BatchCodeCounts> {
  const rows = await db
    .selectFrom("activation_codes")
    .select((eb) => [
      codeStandingSql("activation_codes", now).as("state"),
      eb.fn.countAll<number>().as("n"),
    ])
    .where("partner_id", "=", partnerId)
    .where("batch_id", "=", batchId)
    .groupBy("state")
    .execute();
  const counts: BatchCodeCounts = { outstanding: 0, expired: 0, claimed: 0, revoked: 0 };
  for (const row of rows) counts[row.state] = Number(row.n);
  return counts;
}
