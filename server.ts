// Boots the portal: migrates, seeds the demo on an empty non-production database, and
// serves the Remix app (Vite middleware with --dev, the production build otherwise).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequestHandler } from "./server/remix-handler.ts";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { migrateToLatest } from "~db/migrate.ts";
import { seedDemoIfEmpty, demoLogins, writeDemoPlatformToken } from "~db/seed.ts";
import { getDbHandle } from "~/db.server";
import { startJobQueueForSending, startJobs, stopJobs } from "~/jobs/boss.server";
import { env } from "~/env.server";
import { log } from "~/lib/log.server";
import { createHttpApp } from "./server/http.ts";

const startedAt = performance.now();
const dev = process.argv.includes("--dev");
// The project folder: this file's own under tsx, two up from build/node/server.js compiled.
const here = path.dirname(fileURLToPath(import.meta.url));
const root = here.endsWith(path.join("build", "node")) ? path.resolve(here, "../..") : here;

const handle = getDbHandle();
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

const jobs =
  env.RUN_JOBS === "true"
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
    assets: [viteServer.middlewares],
    remixHandler: (getLoadContext) =>
      createRequestHandler({
        build: () => viteServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>,
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
    assets: [staticAssets()],
    remixHandler: (getLoadContext) =>
      createRequestHandler({ build, getLoadContext, mode: env.NODE_ENV }),
  });
}

function staticAssets(): express.Router {
  const router = express.Router();
  // Fingerprinted build assets are cached for good; everything else in public/ briefly.
  router.use(
    "/assets",
    express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }),
  );
  router.use(express.static(path.join(root, "build/client"), { maxAge: "1h", index: false }));
  return router;
}

const server = app.listen(env.PORT, () => {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  log.info(`7stamp Partner Portal on ${env.PUBLIC_URL} (ready in ${seconds} s)`);
  if (!env.isProduction) {
    log.info(`demo logins (password ${demoLogins.password}): ${demoLogins.accounts.join(", ")}`);
  }
});

async function shutdown(signal: string) {
  log.info(`${signal}: shutting down`);
  server.close();
  await stopJobs(jobs);
  await handle.close();
  process.exit(0);
}
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
