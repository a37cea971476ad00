// The real job queue (pg-boss) over the test database — PGlite through the app's one
// connection, or PostgreSQL: a large batch is finished by the job, and a batch left
// generating by a dead worker is resumed when jobs start.
import { sql } from "kysely";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateBatch } from "~/domain/batches/generation.server";
import { getBatch } from "~/domain/batches/reads.server";
import { startJobs, stopJobs } from "~/jobs/boss.server";
import { enqueueBatchGeneration } from "~/jobs/queue.server";
import { testDb } from "../db.ts";
import { createBundle, createPartnerWithOwner } from "../factories.ts";

let boss: PgBoss | null = null;

async function waitForStatus(partnerId: string, batchId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await getBatch(testDb().db, { partnerId, batchId });
    if (batch && batch.status !== "generating") return batch;
    if (Date.now() > deadline) throw new Error(`batch still generating: ${JSON.stringify(batch)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("code batch jobs on pg-boss", () => {
  let interrupted: { partnerId: string; batchId: string };

  beforeAll(async () => {
    // A batch some earlier process started and died on: 5,000 of 10,500 made, lease lapsed.
    const { partner, owner } = await createPartnerWithOwner();
    const bundle = await createBundle(partner.id);
    const actor = { userId: owner.id, label: owner.email };
    const { batch } = await generateBatch(testDb().db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      input: { count: 10_500, prefix: null, expiresAt: null, label: null, recipient: null },
      actor,
      now: new Date(),
    });
    await testDb()
      .db.updateTable("code_batches")
      .set({ lease_expires_at: sql`now() - interval '1 minute'` })
      .where("id", "=", batch.id)
      .execute();
    interrupted = { partnerId: partner.id, batchId: batch.id };

    const { db, backend, pglite } = testDb();
    boss = await startJobs(
      { db, backend, pglite, close: async () => {} },
      { pollingIntervalSeconds: 0.5 },
    );
  }, 60_000);

  afterAll(async () => {
    if (boss) await stopJobs(boss);
  });

  it("resumes a batch a dead worker left generating", async () => {
    const batch = await waitForStatus(interrupted.partnerId, interrupted.batchId);
    expect(batch).toMatchObject({ status: "ready", generatedCount: 10_500 });
  }, 90_000);

  it("finishes a batch larger than the request limit", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const bundle = await createBundle(partner.id);
    const { batch } = await generateBatch(testDb().db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      input: { count: 25_000, prefix: "JOB", expiresAt: null, label: null, recipient: null },
      actor: { userId: owner.id, label: owner.email },
      now: new Date(),
    });
    expect(batch.status).toBe("generating");
    await enqueueBatchGeneration(batch.id);
    const done = await waitForStatus(partner.id, batch.id);
    expect(done).toMatchObject({ status: "ready", generatedCount: 25_000 });
    const { n } = await testDb()
      .db.selectFrom("activation_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("batch_id", "=", batch.id)
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(25_000);
  }, 90_000);
});
