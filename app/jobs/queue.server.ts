// The process's job queue (pg-boss), kept on globalThis like the database handle so the
// server entry, the Remix bundle and the worker share one. Tests and CLIs run without it:
// work they would enqueue is then left for the recovery sweep of whichever process runs jobs.
import type PgBoss from "pg-boss";

const holder = globalThis as typeof globalThis & { __7stampJobs?: PgBoss | null };

export function setJobQueue(boss: PgBoss | null): void {
  holder.__7stampJobs = boss;
}

export function getJobQueue(): PgBoss | null {
  return holder.__7stampJobs ?? null;
}

export const queues = {
  generateCodeBatch: "code-batch.generate",
  resumeCodeBatches: "code-batch.resume-interrupted",
  sendPasswordReset: "auth.send-password-reset",
} as const;

/** Asks a worker to generate (or resume) a batch. Call it after the creating transaction committed. */
export async function enqueueBatchGeneration(batchId: string): Promise<void> {
  const boss = getJobQueue();
  if (!boss) return;
  await boss.send(queues.generateCodeBatch, { batchId }, { singletonKey: batchId });
}

/**
 * Hands a password-reset request to the job that looks the account up and emails the link.
 * False when this process has no queue: the caller does the work itself.
 */
export async function enqueuePasswordReset(request: {
  email: string;
  ip: string | null;
  language: string;
}): Promise<boolean> {
  const boss = getJobQueue();
  if (!boss) return false;
  await boss.send(queues.sendPasswordReset, request, { retryLimit: 3, retryDelay: 30 });
  return true;
}

/**
 * Asks for a delivery pass now rather than at the next minute's sweep (a test event, a
 * resend). Call it after the queuing transaction committed; without a queue the sweep sends it.
 */
export async function enqueueWebhookDelivery(): Promise<void> {
  const boss = getJobQueue();
  if (!boss) return;
  await boss.send("webhooks.deliver", {});
}
