// Code batches: turning a bundle into 1 to 1,000,000 activation codes. Small batches are
// made inside the request; larger ones by a job, chunk by chunk, resumable after a crash.
// A batch's codes are claimable only once it is `ready`, and `ready` requires every code.
import { sql, type Transaction } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import type { DB } from "~db/schema.ts";
import { formatCode, generateCode, PREFIX_PATTERN } from "~/lib/activation-code";
import { isUuid } from "~/lib/ids";
import { isCalendarDate } from "~/lib/forms";
import { recordAudit, systemActor, type AuditActor } from "./audit.server";
import { BundleArchived, BundleNotFound } from "./bundles.server";
import { DomainError } from "./errors.server";
import { batchLeaseFree, codeStandingSql } from "./predicates.server";
import {
  afterKey,
  fullPrecision,
  keyset,
  pageSize,
  timestampParam,
  type Page,
} from "./paging.server";

/** Up to this many codes are made in the request; more go to the background job. */
export const SYNC_BATCH_LIMIT = 10_000;
export const MAX_BATCH_SIZE = 1_000_000;
/** Codes per insert statement (and per progress step) in the background job. */
export const DEFAULT_CHUNK_SIZE = 10_000;
/** How long a worker owns a generating batch without showing progress. */
const LEASE_SECONDS = 30;
const MAX_EXPIRY_DAYS = 3650;

export type BatchStatus = "generating" | "ready" | "failed";

export interface Batch {
  id: string;
  partnerId: string;
  bundleId: string;
  bundleName: string;
  codeCount: number;
  generatedCount: number;
  prefix: string | null;
  expiresAt: Date;
  label: string | null;
  recipient: string | null;
  status: BatchStatus;
  failureReason: string | null;
  createdAt: Date;
  completedAt: Date | null;
  createdByLabel: string;
}

export interface BatchInput {
  count: number;
  prefix: string | null;
  expiresAt: Date | null;
  label: string | null;
  recipient: string | null;
}

export interface GeneratedCode {
  serial: number;
  code: string;
  display: string;
}

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((value) => (value === "" ? null : value))
    .nullish()
    .transform((value) => value ?? null);

const prefixSchema = z
  .string()
  .trim()
  .transform((value) => value.toUpperCase())
  .refine((value) => value === "" || PREFIX_PATTERN.test(value), { message: "batches:prefixRule" })
  .transform((value) => (value === "" ? null : value))
  .nullish()
  .transform((value) => value ?? null);

const countSchema = z.number().int().min(1).max(MAX_BATCH_SIZE);

/** The API's body: `{count, prefix?, expires_at?, label?, recipient?}` (JSON numbers, ISO dates). */
export const BatchInputSchema = z
  .object({
    count: countSchema,
    prefix: prefixSchema,
    expires_at: z
      .string()
      .datetime({ offset: true })
      .refine(isCalendarDate, { message: "validation.calendarDate" })
      .transform((value) => new Date(value))
      .nullish(),
    label: optionalText(120),
    recipient: optionalText(200),
  })
  .strict()
  .transform((body): BatchInput => ({
    count: body.count,
    prefix: body.prefix,
    expiresAt: body.expires_at ?? null,
    label: body.label,
    recipient: body.recipient,
  }));

/** The page's form: the same fields as text; expiry is a date (end of that day, UTC). */
export const BatchFormSchema = z
  .object({
    count: z
      .string()
      .trim()
      .min(1)
      .regex(/^\d+$/, { message: "validation.wholeNumber" })
      .transform(Number)
      .pipe(countSchema),
    prefix: prefixSchema,
    expiresOn: z
      .string()
      .trim()
      .refine((value) => value === "" || /^\d{4}-\d{2}-\d{2}$/.test(value), {
        message: "validation.date",
      })
      .refine((value) => value === "" || isCalendarDate(value), {
        message: "validation.calendarDate",
      })
      .optional(),
    label: optionalText(120),
    recipient: optionalText(200),
  })
  .transform((form): BatchInput => ({
    count: form.count,
    prefix: form.prefix,
    expiresAt: form.expiresOn ? new Date(`${form.expiresOn}T23:59:59.999Z`) : null,
    label: form.label,
    recipient: form.recipient,
  }));

export class BatchExpiryOutOfRange extends DomainError {
  constructor() {
    super(
      "invalid_request",
      `The expiry must be in the future and at most ${MAX_EXPIRY_DAYS} days away.`,
      400,
      "expires_at",
    );
  }
}

/** A suspended partner makes no new codes, in the portal or through its API (ADR 015). */
export class PartnerSuspendedFromGenerating extends DomainError {
  constructor() {
    super(
      "partner_suspended",
      "This partner is suspended: it cannot generate codes until 7stamp support reactivates it.",
      409,
    );
  }
}

export class BatchNotFound extends DomainError {
  constructor() {
    super("not_found", "No such batch.", 404, "batch");
  }
}

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
};

function toBatch(row: BatchRecord): Batch {
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
  };
}

function batchQuery(db: Database | Transaction<DB>, partnerId: string) {
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
      .select("status")
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
      after: { bundleId: bundle.id, count: input.count, prefix: input.prefix, label: input.label },
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
  return "completed";
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
