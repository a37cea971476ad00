// How far a batch's generation has come, the one rule behind the API's progress_percent, the
// batches list and the batch page's bar.

export interface BatchProgressInput {
  status: string;
  generatedCount: number;
  codeCount: number;
}

/**
 * Whole percent, rounded down. 100 only once the batch is ready: while it is generating it
 * stops at 99 even when every code is written, because the batch is not usable until the job
 * marks it ready. A failed batch shows how far it got.
 */
export function batchProgressPercent({
  status,
  generatedCount,
  codeCount,
}: BatchProgressInput): number {
  if (status === "ready") return 100;
  if (codeCount <= 0) return 0;
  return Math.min(99, Math.max(0, Math.floor((generatedCount * 100) / codeCount)));
}
