// One web process of the portal: serves /api/v1 (its own router, ADR 023) and the Remix app
// (Vite middleware with --dev, the production build otherwise) and, when it holds them, the background jobs. The database is
// prepared (migrated, the demo seeded) by `prepareDatabase`, once, before any process serves.
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { migrateToLatest } from "~db/migrate.ts";
import { seedDemoIfEmpty, demoLogins, writeDemoPlatformToken } from "~db/seed.ts";
import type { DbHandle } from "~db/index.ts";
import { apiRouter } from "~/api/routes.server";
import { getDbHandle } from "~/db.server";
import { startJobQueueForSending, startJobs, stopJobs } from "~/jobs/boss.server";
import { env } from "~/env.server";
import { log } from "~/lib/log.server";
import { createRequestHandler } from "./remix-handler.ts";
import { createHttpApp } from "./http.ts";

/** Migrates, and seeds the demo on an empty non-production database. */
export async function prepareDatabase(handle: DbHandle): Promise<void> {
  const applied = await migrateToLatest(handle.db);
  log.info(
    `database: ${handle.backend}${handle.backend === "pglite" ? ` at ${env.PGLITE_DIR}` : ""}; ${applied.length} migration(s) applied`,
  );
  if (!env.isProduction) {
    const seeded = await seedDemoIfEmpty(handle.db);
    if (seeded) {
      log.info("empty database: demo data created");
      const file = await writeDemoPlatformToken(handle.db, env.DEMO_TOKEN_FILE);
      log.info(`demo platform token (for npm run simulate) written to ${file}`);
    }
  }
}

export interface ServeOptions {
  /** Vite middleware and on-demand compilation instead of the production build. */
  dev: boolean;
  /** The project folder (build/, public/). */
  root: string;
  /** This process migrates and seeds first (a single process; in a cluster the primary does). */
  prepare: boolean;
  /** This process runs the background jobs (RUN_JOBS, and in a cluster only one process). */
  runJobs: boolean;
  /** How this process names itself in the ready line, e.g. "process 2 of 4". */
  label?: string;
}

export async function serve({ dev, root, prepare, runJobs, label }: ServeOptions): Promise<void> {
  const startedAt = performance.now();
  const handle = getDbHandle();
  if (prepare) await prepareDatabase(handle);

  const jobs = runJobs
    ? await startJobs(handle, { chunkSize: env.CODE_BATCH_CHUNK_SIZE })
    : await startJobQueueForSending(handle);

  let app: express.Express;
  if (dev) {
    const vite = await import("vite");
    const viteServer = await vite.createServer({ server: { middlewareMode: true } });
    app = createHttpApp({
      publicUrl: env.PUBLIC_URL,
      isProduction: false,
      trustProxy: env.TRUST_PROXY,
      api: apiRouter,
      assets: [viteServer.middlewares],
      remixHandler: (getLoadContext) =>
        createRequestHandler({
          build: () =>
            viteServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>,
          getLoadContext,
        }),
    });
  } else {
    const buildPath = path.join(root, "build/server/index.js");
    const build = (await import(buildPath)) as ServerBuild;
    app = createHttpApp({
      publicUrl: env.PUBLIC_URL,
      isProduction: env.isProduction,
      trustProxy: env.TRUST_PROXY,
      api: apiRouter,
      assets: [staticAssets(root)],
      remixHandler: (getLoadContext) =>
        createRequestHandler({ build, getLoadContext, mode: env.NODE_ENV }),
    });
  }

  const server = app.listen(env.PORT, () => {
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    const who = label ? `; ${label}, pid ${process.pid}${runJobs ? ", with the jobs" : ""}` : "";
    log.info(`7stamp Partner Portal on ${env.PUBLIC_URL} (ready in ${seconds} s${who})`);
    if (!env.isProduction && prepare) {
      log.info(`demo logins (password ${demoLogins.password}): ${demoLogins.accounts.join(", ")}`);
    }
  });

  async function shutdown(signal: string) {
    log.info(`${signal}: shutting down${label ? ` ${label}` : ""}`);
    server.close();
    await stopJobs(jobs);
    await handle.close();
    process.exit(0);
  }
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

function staticAssets(root: string): express.Router {
  const router = express.Router();
  // Fingerprinted build assets are cached for good; everything else in public/ briefly.
  router.use(
    "/assets",
    express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }),
  );
  router.use(express.static(path.join(root, "build/client"), { maxAge: "1h", index: false }));
  return router;
}
