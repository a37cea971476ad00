// More processes on one port (node:cluster): the primary prepares the database once, then
// forks WEB_CONCURRENCY web processes that share the listening socket. Exactly one of them
// runs the background jobs (when RUN_JOBS is on); a process that dies is replaced, and the
// jobs move to its replacement. The embedded database (PGlite) lives inside one process, so
// without DATABASE_URL the portal always runs as a single process.
import cluster, { type Worker } from "node:cluster";
import os from "node:os";
import type { DbHandle } from "~db/index.ts";
import { env } from "~/env.server";
import { log } from "~/lib/log.server";

export interface ProcessPlan {
  processes: number;
  /** Why the count is what it is, for the start-up log line. */
  reason: string;
}

/**
 * How many web processes to run: WEB_CONCURRENCY, else one per core, on PostgreSQL; always
 * one on the embedded database and in development (Vite's middleware is per process).
 */
export function planProcesses({
  webConcurrency,
  backend,
  dev,
  cores = os.availableParallelism(),
}: {
  webConcurrency: number | undefined;
  backend: DbHandle["backend"];
  dev: boolean;
  cores?: number;
}): ProcessPlan {
  if (dev) return { processes: 1, reason: "development server" };
  if (backend === "pglite") {
    return {
      processes: 1,
      reason:
        webConcurrency && webConcurrency > 1
          ? `WEB_CONCURRENCY=${webConcurrency} ignored: the embedded database serves one process (set DATABASE_URL for more)`
          : "embedded database",
    };
  }
  if (webConcurrency) return { processes: webConcurrency, reason: "WEB_CONCURRENCY" };
  return { processes: Math.max(1, cores), reason: "one per core" };
}

/** Set by the primary in a forked process's environment (read back through env.server.ts). */
const PROCESS_NUMBER = "PORTAL_PROCESS_NUMBER";
const PROCESS_COUNT = "PORTAL_PROCESS_COUNT";
const RUNS_JOBS = "PORTAL_PROCESS_RUNS_JOBS";

/** In a forked process: which one it is, of how many, and whether it runs the jobs. */
export function workerRole(): { number: number; of: number; runJobs: boolean } {
  return {
    number: env.PORTAL_PROCESS_NUMBER ?? 1,
    of: env.PORTAL_PROCESS_COUNT ?? 1,
    runJobs: env.PORTAL_PROCESS_RUNS_JOBS === "true",
  };
}

/** A replaced process waits this long first; more than RESTART_LIMIT deaths a minute stop the portal. */
const RESTART_DELAY_MS = 1_000;
const RESTART_LIMIT = 10;

/**
 * Forks the web processes and keeps them running until SIGINT/SIGTERM, which it passes on,
 * then exits when they have (killing what is still up after `graceMs`).
 */
export function runPrimary({
  processes,
  reason,
  runJobs,
  graceMs = 15_000,
}: {
  processes: number;
  reason: string;
  runJobs: boolean;
  graceMs?: number;
}): void {
  const byNumber = new Map<number, Worker>();
  const deaths: number[] = [];
  let stopping = false;

  function fork(number: number) {
    const worker = cluster.fork({
      [PROCESS_NUMBER]: String(number),
      [PROCESS_COUNT]: String(processes),
      [RUNS_JOBS]: String(runJobs && number === 1),
    });
    byNumber.set(number, worker);
    worker.on("exit", (code, signal) => {
      if (byNumber.get(number) === worker) byNumber.delete(number);
      if (stopping) {
        if (byNumber.size === 0) process.exit(0);
        return;
      }
      const now = Date.now();
      deaths.push(now);
      while ((deaths[0] ?? Infinity) < now - 60_000) deaths.shift();
      log.error(
        `process ${number} of ${processes} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); starting a replacement`,
      );
      if (deaths.length > RESTART_LIMIT) {
        log.error(`${deaths.length} processes died within a minute: stopping the portal`);
        stop("crash loop", 1);
        return;
      }
      setTimeout(() => {
        if (!stopping) fork(number);
      }, RESTART_DELAY_MS).unref();
    });
  }

  function stop(why: string, exitCode: number): void {
    if (stopping) return;
    stopping = true;
    log.info(`${why}: stopping ${byNumber.size} process(es)`);
    for (const worker of byNumber.values()) worker.process.kill("SIGTERM");
    if (byNumber.size === 0) process.exit(exitCode);
    setTimeout(() => {
      for (const worker of byNumber.values()) worker.process.kill("SIGKILL");
      process.exit(exitCode || 1);
    }, graceMs).unref();
    if (exitCode !== 0) process.exitCode = exitCode;
  }

  log.info(
    `${reason}: starting ${processes} server processes on one port${runJobs ? " (the jobs run in process 1)" : " (jobs off: run npm run worker)"}`,
  );
  for (let number = 1; number <= processes; number++) fork(number);
  process.once("SIGINT", () => stop("SIGINT", 0));
  process.once("SIGTERM", () => stop("SIGTERM", 0));
}
