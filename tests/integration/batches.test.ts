// Batch generation: in the request up to 10,000 codes, by the job beyond; exact counts,
// resumable after a crash, never a half batch that looks complete; bad input writes nothing.
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { BatchFormSchema, BatchInputSchema, type BatchInput } from "~/domain/batches/model.server";
import {
  continueBatchGeneration,
  failBatch,
  generateBatch,
  interruptedBatchIds,
} from "~/domain/batches/generation.server";
import { getBatch, listBatches } from "~/domain/batches/reads.server";
import { hasValidCheckSymbol } from "~/lib/activation-code";
import { parseObject } from "~/lib/forms";
import { testDb } from "../db.ts";
import { createBundle, createPartnerWithOwner } from "../factories.ts";
import { auditRows, countRows } from "../helpers/auth.ts";

const input = (overrides: Partial<BatchInput> = {}): BatchInput => ({
  count: 25,
  prefix: null,
  expiresAt: null,
  label: null,
  recipient: null,
  ...overrides,
});

async function setUp() {
  const { partner, owner } = await createPartnerWithOwner();
  const bundle = await createBundle(partner.id, { codeValidityDays: 90 });
  const actor = { userId: owner.id, label: owner.email };
  return { partner, owner, bundle, actor };
}

async function codesOf(batchId: string) {
  return testDb()
    .db.selectFrom("activation_codes")
    .select(["id", "code", "status", "partner_id", "bundle_id", "expires_at"])
    .where("batch_id", "=", batchId)
    .orderBy("id")
    .execute();
}

async function auditOf(action: string, batchId: string) {
  return (await auditRows(action)).filter((row) => row.subject_id === batchId);
}

async function expireLease(batchId: string) {
  await testDb()
    .db.updateTable("code_batches")
    .set({ lease_expires_at: sql`now() - interval '1 second'` })
    .where("id", "=", batchId)
    .execute();
}

describe("a batch made in the request", () => {
  it("makes exactly the codes asked for, ready at once, and audits it", async () => {
    const { partner, bundle, actor } = await setUp();
    const { batch, codes } = await generateBatch(testDb().db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      input: input({ count: 25, prefix: "CAFE", label: "Spring fair", recipient: "Fair visitors" }),
      actor,
      ip: "203.0.113.9",
      now: new Date(),
    });
    expect(batch).toMatchObject({
      status: "ready",
      codeCount: 25,
      generatedCount: 25,
      prefix: "CAFE",
      label: "Spring fair",
      recipient: "Fair visitors",
      bundleName: bundle.name,
    });
    expect(codes).toHaveLength(25);
    const stored = await codesOf(batch.id);
    expect(stored.map((c) => c.code).sort()).toEqual(codes!.map((c) => c.code).sort());
    for (const code of stored) {
      expect(hasValidCheckSymbol(code.code)).toBe(true);
      expect(code).toMatchObject({
        status: "issued",
        partner_id: partner.id,
        bundle_id: bundle.id,
      });
    }
    expect(codes![0]?.display).toMatch(/^CAFE-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(codes!.map((c) => c.serial)).toEqual(
      [...codes!.map((c) => c.serial)].sort((a, b) => a - b),
    );
    const audit = await auditOf("batch.generated", batch.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_user_id: actor.userId,
      partner_id: partner.id,
      subject_type: "code_batch",
      subject_id: batch.id,
      ip: "203.0.113.9",
    });
  });

  it("expires codes after the bundle's code validity unless told otherwise", async () => {
    const { partner, bundle, actor } = await setUp();
    const before = Date.now();
    const { batch } = await generateBatch(testDb().db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      input: input({ count: 1 }),
      actor,
      now: new Date(),
    });
    const days = (batch.expiresAt.getTime() - before) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(90);
    expect(days).toBeLessThan(90.01);

    const chosen = new Date(Date.now() + 10 * 86_400_000);
    const { batch: second } = await generateBatch(testDb().db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      input: input({ count: 2, expiresAt: chosen }),
      actor,
      now: new Date(),
    });
    expect(second.expiresAt.toISOString()).toBe(chosen.toISOString());
    const stored = await codesOf(second.id);
    expect(stored.every((c) => new Date(c.expires_at).getTime() === chosen.getTime())).toBe(true);
  });

  it("makes 10,000 codes in the request", async () => {
    const { partner, bundle, actor } = await setUp();
    const { batch, codes } = await generateBatch(testDb().db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      input: input({ count: 10_000 }),
      actor,
      now: new Date(),
    });
    expect(batch.status).toBe("ready");
    expect(new Set(codes!.map((c) => c.code)).size).toBe(10_000);
  });
});

describe("a batch made by the job", () => {
  it("leaves more than 10,000 codes to the job, which completes it exactly", async () => {
    const { partner, bundle, actor } = await setUp();
    const { batch, codes } = await generateBatch(testDb().db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      input: input({ count: 10_001 }),
      actor,
      now: new Date(),
    });
    expect(codes).toBeNull();
    expect(batch).toMatchObject({ status: "generating", generatedCount: 0, codeCount: 10_001 });
    expect(await codesOf(batch.id)).toHaveLength(0);
    expect(await auditOf("batch.started", batch.id)).toHaveLength(1);

    const progress: number[] = [];
    const outcome = await continueBatchGeneration(testDb().db, {
      batchId: batch.id,
      chunkSize: 3_000,
      afterChunk: (generated) => void progress.push(generated),
      clock: () => new Date(),
    });
    expect(outcome).toBe("completed");
    expect(progress).toEqual([3_000, 6_000, 9_000, 10_001]);
    const done = await getBatch(testDb().db, { partnerId: partner.id, batchId: batch.id });
    expect(done).toMatchObject({ status: "ready", generatedCount: 10_001 });
    expect(done!.completedAt).not.toBeNull();
    const stored = await codesOf(batch.id);
    expect(stored).toHaveLength(10_001);
    expect(new Set(stored.map((c) => c.code)).size).toBe(10_001);
    expect(await auditOf("batch.generated", batch.id)).toHaveLength(1);
  });

  it("refreshes the planner's statistics of the codes when it completes a batch", async () => {
    const { partner, bundle, actor } = await setUp();
    const { db } = testDb();
    const estimate = async () =>
      Number(
        (
          await sql<{ reltuples: number }>`select reltuples from pg_class
            where oid = 'activation_codes'::regclass`.execute(db)
        ).rows[0]?.reltuples,
      );
    await sql`analyze activation_codes`.execute(db);
    const before = Number(
      (
        await db
          .selectFrom("activation_codes")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(await estimate()).toBe(before);
    const { batch } = await generateBatch(db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      input: input({ count: 10_001 }),
      actor,
      now: new Date(),
    });
    expect(await continueBatchGeneration(db, { batchId: batch.id, clock: () => new Date() })).toBe(
      "completed",
    );
    // Without the refresh the estimate stays at `before` (no autovacuum runs meanwhile).
    expect(await estimate()).toBe(before + 10_001);
  });

  it("a worker killed mid-way leaves a generating batch that a restart completes exactly", async () => {
    const { partner, bundle, actor } = await setUp();
    const { batch } = await generateBatch(testDb().db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      input: input({ count: 12_345 }),
      actor,
      now: new Date(),
    });

    await expect(
      continueBatchGeneration(testDb().db, {
        batchId: batch.id,
        chunkSize: 5_000,
        afterChunk: (generated) => {
          if (generated >= 5_000) throw new Error("killed");
        },
        clock: () => new Date(),
      }),
    ).rejects.toThrow("killed");

    const half = await getBatch(testDb().db, { partnerId: partner.id, batchId: batch.id });
    expect(half).toMatchObject({ status: "generating", generatedCount: 5_000, codeCount: 12_345 });
    expect(await codesOf(batch.id)).toHaveLength(5_000);
    // The dead worker's lease still holds: nobody else picks the batch up yet…
    expect(await interruptedBatchIds(testDb().db, new Date())).not.toContain(batch.id);
    expect(
      await continueBatchGeneration(testDb().db, { batchId: batch.id, clock: () => new Date() }),
    ).toBe("busy");
    // …until it lapses; then the sweep finds it and a new worker resumes from 5,000.
    await expireLease(batch.id);
    expect(await interruptedBatchIds(testDb().db, new Date())).toContain(batch.id);
    expect(
      await continueBatchGeneration(testDb().db, {
        batchId: batch.id,
        chunkSize: 5_000,
        clock: () => new Date(),
      }),
    ).toBe("completed");
    const stored = await codesOf(batch.id);
    expect(stored).toHaveLength(12_345);
    expect(new Set(stored.map((c) => c.code)).size).toBe(12_345);
    expect(await getBatch(testDb().db, { partnerId: partner.id, batchId: batch.id })).toMatchObject(
      {
        status: "ready",
        generatedCount: 12_345,
      },
    );
    expect(await interruptedBatchIds(testDb().db, new Date())).not.toContain(batch.id);
  });

  it("a batch cannot be ready with fewer codes than it promised", async () => {
    const { partner, bundle, actor } = await setUp();
    const { batch } = await generateBatch(testDb().db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      input: input({ count: 20_000 }),
      actor,
      now: new Date(),
    });
    await expect(
      testDb()
        .db.updateTable("code_batches")
        .set({ status: "ready" })
        .where("id", "=", batch.id)
        .execute(),
    ).rejects.toThrow(/check constraint/);
  });

  it("two workers on one batch: one works, the other steps aside", async () => {
    const { partner, bundle, actor } = await setUp();
    const { batch } = await generateBatch(testDb().db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      input: input({ count: 15_000 }),
      actor,
      now: new Date(),
    });
    const outcomes = await Promise.all([
      continueBatchGeneration(testDb().db, {
        batchId: batch.id,
        chunkSize: 5_000,
        clock: () => new Date(),
      }),
      continueBatchGeneration(testDb().db, {
        batchId: batch.id,
        chunkSize: 5_000,
        clock: () => new Date(),
      }),
    ]);
    expect(outcomes.sort()).toEqual(["busy", "completed"]);
    expect(await codesOf(batch.id)).toHaveLength(15_000);
  });

  it("a batch the job gives up on is failed and keeps no codes", async () => {
    const { partner, bundle, actor } = await setUp();
    const { batch } = await generateBatch(testDb().db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      input: input({ count: 11_000 }),
      actor,
      now: new Date(),
    });
    await expect(
      continueBatchGeneration(testDb().db, {
        batchId: batch.id,
        chunkSize: 4_000,
        afterChunk: () => {
          throw new Error("disk full");
        },
        clock: () => new Date(),
      }),
    ).rejects.toThrow();
    await failBatch(testDb().db, { batchId: batch.id, reason: "disk full", now: new Date() });
    expect(await getBatch(testDb().db, { partnerId: partner.id, batchId: batch.id })).toMatchObject(
      {
        status: "failed",
        failureReason: "disk full",
        generatedCount: 0,
      },
    );
    expect(await codesOf(batch.id)).toHaveLength(0);
    expect(
      await continueBatchGeneration(testDb().db, { batchId: batch.id, clock: () => new Date() }),
    ).toBe("not_generating");
  });
});

describe("bad input writes nothing", () => {
  const tables = ["code_batches", "activation_codes", "audit_log"] as const;

  it("refuses an archived bundle, another partner's bundle, a malformed id and a past expiry", async () => {
    const { partner, actor } = await setUp();
    const archived = await createBundle(partner.id, { status: "archived" });
    const other = await createPartnerWithOwner();
    const theirs = await createBundle(other.partner.id);
    const before = await countRows([...tables]);
    const attempt = (bundleId: string, overrides: Partial<BatchInput> = {}) =>
      generateBatch(testDb().db, {
        partnerId: partner.id,
        bundleId,
        input: input(overrides),
        actor,
        now: new Date(),
      });

    await expect(attempt(archived.id)).rejects.toMatchObject({
      code: "bundle_archived",
      status: 400,
    });
    await expect(attempt(theirs.id)).rejects.toMatchObject({ code: "not_found", status: 404 });
    await expect(attempt("not-a-uuid")).rejects.toMatchObject({ code: "not_found", status: 404 });
    const mine = await createBundle(partner.id);
    const afterBundle = await countRows([...tables]);
    await expect(
      attempt(mine.id, { expiresAt: new Date(Date.now() - 1000) }),
    ).rejects.toMatchObject({
      field: "expires_at",
    });
    await expect(
      attempt(mine.id, { expiresAt: new Date(Date.now() + 4000 * 86_400_000) }),
    ).rejects.toMatchObject({ field: "expires_at" });
    expect(await countRows([...tables])).toEqual(afterBundle);
    expect(afterBundle).toEqual(before);
  });

  it.each([
    [{ count: 0 }, "count"],
    [{ count: 1_000_001 }, "count"],
    [{ count: -5 }, "count"],
    [{ count: 2.5 }, "count"],
    [{ count: "10" }, "count"],
    [{}, "count"],
    [{ count: 5, prefix: "bad-prefix" }, "prefix"],
    [{ count: 5, prefix: "WAYTOOLONG" }, "prefix"],
    [{ count: 5, expires_at: "tomorrow" }, "expires_at"],
    [{ count: 5, label: "x".repeat(121) }, "label"],
    [{ count: 5, colour: "red" }, "form"],
  ])("the API schema refuses %j on %s", (body, field) => {
    const parsed = parseObject(BatchInputSchema, body);
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join(".") || "form");
      expect(fields).toContain(field);
    }
  });

  it("the API schema upper-cases a prefix and fills defaults", () => {
    const parsed = parseObject(BatchInputSchema, { count: 3, prefix: "cafe" });
    expect(parsed.success && parsed.data).toEqual({
      count: 3,
      prefix: "CAFE",
      expiresAt: null,
      label: null,
      recipient: null,
      // No card language chosen: the partner's, decided when the batch is made.
      cardLanguage: null,
    });
  });

  it.each([
    [{ count: "" }, "count"],
    [{ count: "0" }, "count"],
    [{ count: "abc" }, "count"],
    [{ count: "1e3" }, "count"],
    [{ count: "2000000" }, "count"],
    [{ count: "5", expiresOn: "31/12/2027" }, "expiresOn"],
  ])("the page form refuses %j on %s", (form, field) => {
    const parsed = parseObject(BatchFormSchema, form);
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(parsed.error.issues[0]?.path.join(".")).toBe(field);
  });
});

describe("listing", () => {
  it("pages through a partner's batches, newest first, and never shows another partner's", async () => {
    const { partner, bundle, actor } = await setUp();
    const other = await setUp();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { batch } = await generateBatch(testDb().db, {
        partnerId: partner.id,
        bundleId: bundle.id,
        input: input({ count: 1, label: `batch ${i}` }),
        actor,
        now: new Date(),
      });
      made.push(batch.id);
    }
    await generateBatch(testDb().db, {
      partnerId: other.partner.id,
      bundleId: other.bundle.id,
      input: input({ count: 1 }),
      actor: other.actor,
      now: new Date(),
    });
    const first = await listBatches(testDb().db, { partnerId: partner.id, limit: 2 });
    const second = await listBatches(testDb().db, {
      partnerId: partner.id,
      limit: 2,
      cursor: first.nextCursor,
    });
    const third = await listBatches(testDb().db, {
      partnerId: partner.id,
      limit: 2,
      cursor: second.nextCursor,
    });
    expect(third.nextCursor).toBeNull();
    const seen = [...first.rows, ...second.rows, ...third.rows].map((b) => b.id);
    expect(seen).toEqual([...made].reverse());
    expect(
      await getBatch(testDb().db, { partnerId: partner.id, batchId: other.bundle.id }),
    ).toBeNull();
  });
});
