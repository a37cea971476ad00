// Making a batch's codes: in the request for a small batch, chunk by chunk in a job for a large
// one (leased, resumable after a crash), and giving up on one that cannot finish.
import { sql, type Transaction } from "kysely";
import type { Database } from "~db/index.ts";
import type { DB } from "~db/schema.ts";
import { formatCode, generateCode } from "~/lib/activation-code";
import { isUuid } from "~/lib/ids";
import { recordAudit, systemActor, type AuditActor } from "../audit.server";
import { BundleArchived, BundleNotFound } from "../bundles.server";
import { batchLeaseFree } from "../predicates.server";
import {
  SYNC_BATCH_LIMIT,
  DEFAULT_CHUNK_SIZE,
  LEASE_SECONDS,
  MAX_EXPIRY_DAYS,
  Batch,
  BatchInput,
  GeneratedCode,
  BatchExpiryOutOfRange,
  PartnerSuspendedFromGenerating,
  cardLocale,
} from "./model.server";
import { toBatch, batchQuery } from "./reads.server";

/**
 * Creates a batch for one of the partner's active bundles. Up to SYNC_BATCH_LIMIT codes are
 * made in the same transaction and returned; a larger batch is left `generating` for the
 * job (the caller enqueues it after this returns: a job must never wait on our transaction).
 */
export async function generateBatch(
  db: Database,
  {
    partnerId,
    bundleId,
    input,
    actor,
    ip,
    now,
  }: {
    partnerId: string;
    bundleId: string | undefined;
    input: BatchInput;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<{ batch: Batch; codes: GeneratedCode[] | null }> {
  if (!isUuid(bundleId)) throw new BundleNotFound();
  return db.transaction().execute(async (trx) => {
    // FOR SHARE: a suspension waits for a generation under way, and one made first is seen.
    const partner = await trx
      .selectFrom("partners")
      .select(["status", "locale"])
      .where("id", "=", partnerId)
      .forShare()
      .executeTakeFirst();
    if (!partner) throw new BundleNotFound();
    if (partner.status !== "active") throw new PartnerSuspendedFromGenerating();
    const bundle = await trx
      .selectFrom("bundles")
      .select(["id", "status", "code_validity_days"])
      .where("partner_id", "=", partnerId)
      .where("id", "=", bundleId)
      .executeTakeFirst();
    if (!bundle) throw new BundleNotFound();
    if (bundle.status !== "active") throw new BundleArchived();

    const at = now.getTime();
    const expiresAt = input.expiresAt ?? new Date(at + bundle.code_validity_days * 86_400_000);
    if (expiresAt.getTime() <= at || expiresAt.getTime() > at + MAX_EXPIRY_DAYS * 86_400_000) {
      throw new BatchExpiryOutOfRange();
    }

    const locale = cardLocale(partner.locale, input.cardLanguage ?? null);
    const { id: batchId } = await trx
      .insertInto("code_batches")
      .values({
        partner_id: partnerId,
        bundle_id: bundle.id,
        code_count: input.count,
        prefix: input.prefix,
        expires_at: expiresAt,
        label: input.label,
        recipient: input.recipient,
        locale,
        created_by: actor.userId,
        created_by_label: actor.label,
      })
      .returning("id")
      .executeTakeFirstOrThrow();

    let codes: GeneratedCode[] | null = null;
    if (input.count <= SYNC_BATCH_LIMIT) {
      const target = { batchId, partnerId, bundleId: bundle.id, expiresAt };
      const rows = await insertCodes(trx, target, input.count, { returning: true });
      codes = rows
        .sort((a, b) => a.id - b.id)
        .map((row) => ({
          serial: row.id,
          code: row.code,
          display: formatCode(row.code, input.prefix),
        }));
      await trx
        .updateTable("code_batches")
        .set({ generated_count: input.count, status: "ready", completed_at: now })
        .where("id", "=", batchId)
        .execute();
    }

    await recordAudit(trx, {
      actor,
      action: codes ? "batch.generated" : "batch.started",
      partnerId,
      subject: { type: "code_batch", id: batchId },
      after: {
        bundleId: bundle.id,
        count: input.count,
        prefix: input.prefix,
        label: input.label,
        locale,
      },
      ip,
    });
    const batch = await batchQuery(trx, partnerId)
      .where("code_batches.id", "=", batchId)
      .executeTakeFirstOrThrow();
    return { batch: toBatch(batch), codes };
  });
}

interface InsertTarget {
  batchId: string;
  partnerId: string;
  bundleId: string;
  expiresAt: Date;
}

/**
 * Inserts exactly `count` new codes, one statement per attempt. A collision with an
 * existing code (75 random bits make it very rare) is skipped by ON CONFLICT and made up
 * with fresh codes, so the caller never sees it.
 */
async function insertCodes(
  trx: Transaction<DB>,
  target: InsertTarget,
  count: number,
  options: { returning: true },
): Promise<{ id: number; code: string }[]>;
async function insertCodes(
  trx: Transaction<DB>,
  target: InsertTarget,
  count: number,
  options?: { returning?: false },
): Promise<number>;
async function insertCodes(
  trx: Transaction<DB>,
  target: InsertTarget,
  count: number,
  options: { returning?: boolean } = {},
): Promise<{ id: number; code: string }[] | number> {
  const returned: { id: number; code: string }[] = [];
  let inserted = 0;
  while (inserted < count) {
    const codes = Array.from({ length: count - inserted }, generateCode);
    const statement = sql`
      insert into activation_codes (code, partner_id, bundle_id, batch_id, expires_at)
      select code, ${target.partnerId}::uuid, ${target.bundleId}::uuid, ${target.batchId}::uuid,
        ${target.expiresAt}::timestamptz
      from unnest(${codes}::text[]) as code
      on conflict (code) do nothing`;
    if (options.returning) {
      const { rows } = await sql<{
        id: number;
        code: string;
      }>`${statement} returning id, code`.execute(trx);
      returned.push(...rows);
      inserted += rows.length;
    } else {
      const result = await statement.execute(trx);
      inserted += Number(result.numAffectedRows ?? 0n);
    }
  }
  return options.returning ? returned : inserted;
}

export type GenerationOutcome = "completed" | "busy" | "not_generating";

/**
 * The background part of a large batch: takes the batch's lease (one worker at a time),
 * then adds chunks of codes — each chunk and its progress in one transaction — until the
 * batch is complete, and marks it `ready`. Safe to run again after a crash: it resumes
 * from the committed progress. `afterChunk` lets tests interrupt it. The work outlives one
 * instant, so it reads `clock` (the job's) afresh for each lease renewal and for completion.
 */
export async function continueBatchGeneration(
  db: Database,
  {
    batchId,
    chunkSize = DEFAULT_CHUNK_SIZE,
    afterChunk,
    clock,
  }: {
    batchId: string;
    chunkSize?: number;
    afterChunk?: (generated: number) => void | Promise<void>;
    clock: () => Date;
  },
): Promise<GenerationOutcome> {
  const leaseUntil = (now: Date) => new Date(now.getTime() + LEASE_SECONDS * 1000);
  const leasedAt = clock();
  const leased = await db
    .updateTable("code_batches")
    .set({ lease_expires_at: leaseUntil(leasedAt) })
    .where("id", "=", batchId)
    .where("status", "=", "generating")
    .where(batchLeaseFree("code_batches", leasedAt))
    .returning([
      "partner_id",
      "bundle_id",
      "expires_at",
      "code_count",
      "generated_count",
      "created_by",
      "created_by_label",
    ])
    .executeTakeFirst();
  if (!leased) {
    const current = await db
      .selectFrom("code_batches")
      .select("status")
      .where("id", "=", batchId)
      .executeTakeFirst();
    return current?.status === "generating" ? "busy" : "not_generating";
  }

  const target: InsertTarget = {
    batchId,
    partnerId: leased.partner_id,
    bundleId: leased.bundle_id,
    expiresAt: new Date(leased.expires_at),
  };
  // Ready in the same transaction as the last codes: a batch never shows all its codes written
  // while it still says "generating" (and never 100% before it is usable).
  const markReady = async (trx: Transaction<DB>) => {
    const done = await trx
      .updateTable("code_batches")
      .set({ status: "ready", completed_at: clock(), lease_expires_at: null })
      .where("id", "=", batchId)
      .where("status", "=", "generating")
      .whereRef("generated_count", "=", "code_count")
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) return;
    await recordAudit(trx, {
      actor: { userId: leased.created_by, label: leased.created_by_label || "system" },
      action: "batch.generated",
      partnerId: leased.partner_id,
      subject: { type: "code_batch", id: batchId },
      after: { count: leased.code_count },
    });
  };
  let generated = leased.generated_count;
  while (generated < leased.code_count) {
    const size = Math.min(chunkSize, leased.code_count - generated);
    generated = await db.transaction().execute(async (trx) => {
      await insertCodes(trx, target, size);
      // The check constraint (generated_count <= code_count) refuses a chunk too many, should
      // a stalled worker and its successor ever both write: the chunk rolls back with it.
      const progress = await trx
        .updateTable("code_batches")
        .set((eb) => ({
          generated_count: eb("generated_count", "+", size),
          lease_expires_at: leaseUntil(clock()),
        }))
        .where("id", "=", batchId)
        .where("status", "=", "generating")
        .returning("generated_count")
        .executeTakeFirstOrThrow();
      if (progress.generated_count === leased.code_count) await markReady(trx);
      return progress.generated_count;
    });
    await afterChunk?.(generated);
    // PGlite works on this thread and its queries resolve without a turn of the event loop:
    // let waiting requests in between chunks, or the server would stall for the whole batch.
    await new Promise((resolve) => setImmediate(resolve));
  }

  // Normally the last chunk made the batch ready already; this covers a batch whose codes were
  // all written by a worker that stopped just before it could say so.
  await db.transaction().execute(markReady);
  if (generated > leased.generated_count) await refreshCodeStatistics(db);
  return "completed";
}

/**
 * A large batch changes activation_codes faster than autovacuum notices (a minute away at
 * best, and off on some servers): until the planner's statistics catch up, plans kept for
 * prepared statements (ADR 042) go on treating it as the small table it was. The soak saw a
 * claim's update by id scan all 100,000 new unclaimed codes through the expiry index, every
 * claim 13 → 45 ms, for as long as the statistics stayed stale (ADR 044). Refreshing them
 * invalidates those plans at once. ANALYZE samples a fixed number of rows, whatever the size.
 */
async function refreshCodeStatistics(db: Database): Promise<void> {
  await sql`analyze activation_codes`.execute(db);
}

/**
 * Gives up on a batch the job could not finish: its codes go (none was ever claimable)
 * and it shows as `failed` with the reason, never as a smaller complete batch.
 */
export async function failBatch(
  db: Database,
  { batchId, reason, now }: { batchId: string; reason: string; now: Date },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const failed = await trx
      .updateTable("code_batches")
      .set({
        status: "failed",
        failure_reason: reason.slice(0, 500),
        generated_count: 0,
        lease_expires_at: null,
        completed_at: now,
      })
      .where("id", "=", batchId)
      .where("status", "=", "generating")
      .returning(["partner_id", "created_by", "created_by_label"])
      .executeTakeFirst();
    if (!failed) return;
    await trx.deleteFrom("activation_codes").where("batch_id", "=", batchId).execute();
    await recordAudit(trx, {
      actor: systemActor,
      action: "batch.failed",
      partnerId: failed.partner_id,
      subject: { type: "code_batch", id: batchId },
      after: { reason },
    });
  });
}

/** Batches left `generating` with no live worker (lease lapsed or never taken). */
export async function interruptedBatchIds(db: Database, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom("code_batches")
    .select("id")
    .where("status", "=", "generating")
    .where(batchLeaseFree("code_batches", now))
    .orderBy("created_at")
    .limit(100)
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Forgets every generating batch's lease. Only for a process that knows no other worker
 * can be alive — the embedded database opens in one process at a time — so that a restart
 * after a crash resumes at once instead of waiting for the dead worker's lease to lapse.
 */
export async function releaseBatchLeases(db: Database): Promise<void> {
  await db
    .updateTable("code_batches")
    .set({ lease_expires_at: null })
    .where("status", "=", "generating")
    .execute();
}
