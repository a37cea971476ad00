// Jobs that finish large code batches: one job per batch, and a sweep every minute (and at
// start-up) that re-enqueues batches whose worker died mid-way, so a restart resumes them.
import type PgBoss from "pg-boss";
import type { Database } from "~db/index.ts";
import {
  continueBatchGeneration,
  failBatch,
  interruptedBatchIds,
} from "~/domain/batches/generation.server";
import { log } from "~/lib/log.server";
import { enqueueBatchGeneration, queues } from "./queue.server";
import { clock } from "~/lib/clock.server";

const RETRY_LIMIT = 3;

export async function registerCodeBatchJobs(
  boss: PgBoss,
  db: Database,
  options: { pollingIntervalSeconds?: number; chunkSize?: number } = {},
): Promise<void> {
  await boss.createQueue(queues.generateCodeBatch, {
    name: queues.generateCodeBatch,
    retryLimit: RETRY_LIMIT,
    retryDelay: 5,
    retryBackoff: true,
    // A million codes on the embedded database can take minutes; a dead worker is noticed
    // by the batch's lease and the sweep long before this.
    expireInSeconds: 60 * 60,
  });
  await boss.createQueue(queues.resumeCodeBatches, { name: queues.resumeCodeBatches });

  await boss.work<{ batchId: string }>(
    queues.generateCodeBatch,
    { includeMetadata: true, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 },
    async ([job]) => {
      if (!job) return;
      const { batchId } = job.data;
      try {
        const outcome = await continueBatchGeneration(db, {
          batchId,
          chunkSize: options.chunkSize,
          clock,
        });
        log.info(`jobs: batch ${batchId} ${outcome}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (job.retryCount >= RETRY_LIMIT) {
          await failBatch(db, { batchId, reason, now: clock() });
          log.error(`jobs: batch ${batchId} failed for good: ${reason}`);
          return;
        }
        throw error;
      }
    },
  );

  await boss.work(queues.resumeCodeBatches, async () => {
    await resumeInterruptedBatches(db);
  });
  await boss.schedule(queues.resumeCodeBatches, "* * * * *");
  await resumeInterruptedBatches(db);
}

export async function resumeInterruptedBatches(db: Database): Promise<number> {
  const ids = await interruptedBatchIds(db, clock());
  for (const batchId of ids) await enqueueBatchGeneration(batchId);
  if (ids.length > 0) log.info(`jobs: resuming ${ids.length} interrupted batch(es)`);
  return ids.length;
}
