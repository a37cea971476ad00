// Boots the portal. One process on the embedded database and in development; on PostgreSQL,
// WEB_CONCURRENCY processes (one per core by default) sharing the port, the database prepared
// once by the primary before they start (server/cluster.ts, ADR 028).
import cluster from "node:cluster";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getDbHandle } from "~/db.server";
import { env } from "~/env.server";
import { installJobSchema } from "~/jobs/boss.server";
import { log } from "~/lib/log.server";
import { planProcesses, runPrimary, workerRole } from "./server/cluster.ts";
import { prepareDatabase, serve } from "./server/serve.ts";

const dev = process.argv.includes("--dev");
// The project folder: this file's own under tsx, two up from build/node/server.js compiled.
const here = path.dirname(fileURLToPath(import.meta.url));
const root = here.endsWith(path.join("build", "node")) ? path.resolve(here, "../..") : here;
const runJobs = env.RUN_JOBS === "true";

if (cluster.isPrimary) {
  const plan = planProcesses({
    webConcurrency: env.WEB_CONCURRENCY,
    backend: env.DATABASE_URL ? "postgres" : "pglite",
    dev,
  });
  if (plan.processes === 1) {
    if (env.WEB_CONCURRENCY && env.WEB_CONCURRENCY > 1) log.warn(plan.reason);
    await serve({ dev, root, prepare: true, runJobs });
  } else {
    const handle = getDbHandle();
    await prepareDatabase(handle);
    await installJobSchema(handle);
    await handle.close();
    runPrimary({ processes: plan.processes, reason: plan.reason, runJobs });
  }
} else {
  const role = workerRole();
  await serve({
    dev: false,
    root,
    prepare: false,
    runJobs: role.runJobs,
    label: `process ${role.number} of ${role.of}`,
  });
}
