// Starts pg-boss over the app's own database handle: on PostgreSQL through the app's pool,
// on PGlite through the one serialised Kysely connection, so a job's query can never land
// inside a request's open transaction.
import { CompiledQuery } from "kysely";
import PgBoss from "pg-boss";
import type { DbHandle } from "~db/index.ts";
import { releaseBatchLeases } from "~/domain/batches/generation.server";
import { log } from "~/lib/log.server";
import { registerAccountJobs } from "./accounts.server";
import { registerCodeBatchJobs } from "./code-batches.server";
import { setJobQueue } from "./queue.server";
import { registerMaintenanceJobs } from "./maintenance.server";
import { registerSeatJobs } from "./seats.server";
import { registerStatementJobs } from "./statements.server";
import { registerSubscriptionJobs } from "./subscriptions.server";
import { registerWebhookJobs } from "./webhooks.server";

export interface StartJobsOptions {
  /** Seconds between polls for new jobs (pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** Codes per chunk of a background batch (CODE_BATCH_CHUNK_SIZE). */
  chunkSize?: number;
}

function postgresExecutor(handle: DbHandle): PgBoss.Db {
  return {
    // Without parameters pg uses the simple protocol, which runs multi-statement scripts.
    // pg-boss's scripts open their own transaction (BEGIN … COMMIT): one that fails midway
    // leaves the connection inside an aborted transaction, and the pool would hand it to the
    // next request ("current transaction is aborted"). Roll back before giving it back.
    executeSql: (text: string, values?: unknown[]) =>
      handle.db.connection().execute(async (connection) => {
        try {
          const result = await connection.executeQuery(CompiledQuery.raw(text, values ?? []));
          return { rows: result.rows };
        } catch (error) {
          await connection.executeQuery(CompiledQuery.raw("rollback")).catch(() => undefined);
          throw error;
        }
      }),
  };
}

/** The database pg-boss talks through: the app's own connection, on either backend. */
export function jobDatabase(handle: DbHandle): PgBoss.Db {
  return handle.backend === "pglite" ? pgliteExecutor(handle) : postgresExecutor(handle);
}

function pgliteExecutor(handle: DbHandle): PgBoss.Db {
  const pglite = handle.pglite!;
  return {
    executeSql: (text: string, values?: unknown[]) =>
      // Holding a Kysely connection is holding PGlite's lock for the whole call.
      handle.db.connection().execute(async () => {
        if (values && values.length > 0) {
          const result = await pglite.query(text, values);
          return { rows: result.rows };
        }
        // Parameterless text may be several statements (pg-boss's schema scripts); one that
        // fails inside its own BEGIN must not leave the one connection in an aborted transaction.
        try {
          const results = await pglite.exec(text);
          return { rows: results[results.length - 1]?.rows ?? [] };
        } catch (error) {
          await pglite.exec("rollback").catch(() => undefined);
          throw error;
        }
      }),
  };
}

export async function startJobs(handle: DbHandle, options: StartJobsOptions = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    db: jobDatabase(handle),
    schema: "pgboss",
    // Archiving/monitoring chatter is not needed at this size; keep the single PGlite
    // connection free for requests.
    monitorStateIntervalSeconds: 60,
    maintenanceIntervalSeconds: 120,
  });
  boss.on("error", (error: Error) => log.error(`jobs: ${error.message}`));
  await boss.start();
  setJobQueue(boss);
  // PGlite is opened by one process at a time: no other worker can be alive.
  if (handle.backend === "pglite") await releaseBatchLeases(handle.db);
  await registerCodeBatchJobs(boss, handle.db, {
    ...options,
    // Each chunk holds PGlite's one connection: smaller chunks keep pages answering.
    chunkSize: options.chunkSize ?? (handle.backend === "pglite" ? 2_000 : undefined),
  });
  await registerSeatJobs(boss, handle.db);
  await registerStatementJobs(boss, handle.db);
  await registerSubscriptionJobs(boss, handle.db);
  await registerAccountJobs(boss, handle.db);
  await registerMaintenanceJobs(boss, handle.db);
  await registerWebhookJobs(boss, handle);
  log.info(`jobs: pg-boss started on ${handle.backend}`);
  return boss;
}

/**
 * A web process whose jobs run elsewhere (RUN_JOBS=false) still hands work to the queue:
 * pg-boss without its supervisor, scheduler or workers.
 */
export async function startJobQueueForSending(handle: DbHandle): Promise<PgBoss> {
  const boss = new PgBoss({
    db: jobDatabase(handle),
    schema: "pgboss",
    supervise: false,
    schedule: false,
  });
  boss.on("error", (error: Error) => log.error(`jobs: ${error.message}`));
  await boss.start();
  setJobQueue(boss);
  return boss;
}

/**
 * Creates (or migrates) pg-boss's schema and stops: the cluster's primary runs it before it
 * forks (server.ts), so that its processes do not race to create the same types and tables.
 */
export async function installJobSchema(handle: DbHandle): Promise<void> {
  const boss = await startJobQueueForSending(handle);
  setJobQueue(null);
  await boss.stop({ graceful: false, wait: true, timeout: 10_000 });
}

export async function stopJobs(boss: PgBoss): Promise<void> {
  setJobQueue(null);
  await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
}
