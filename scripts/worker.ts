// Runs the background jobs (large code batches, seat sweeps, statements; later webhooks, invoices)
// in a process of its own. Start web processes with RUN_JOBS=false when you use it.
import { migrateToLatest } from "../db/migrate.ts";
import { getDbHandle } from "../app/db.server.ts";
import { env } from "../app/env.server.ts";
import { startJobs, stopJobs } from "../app/jobs/boss.server.ts";
import { log } from "../app/lib/log.server.ts";

const handle = getDbHandle();
await migrateToLatest(handle.db);
const jobs = await startJobs(handle, { chunkSize: env.CODE_BATCH_CHUNK_SIZE });
log.info("worker: waiting for jobs");

async function shutdown(signal: string) {
  log.info(`${signal}: stopping the worker`);
  await stopJobs(jobs);
  await handle.close();
  process.exit(0);
}
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
