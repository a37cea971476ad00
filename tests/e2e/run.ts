// `npm run test:e2e`: builds the portal when needed, starts the real server on a free port
// with a fresh temporary PGlite database (demo seeded) and email outbox, runs the browser
// suite (vitest, tests/e2e/vitest.config.ts) against it, stops the server and exits with
// the suite's code, failing it too when the server's output holds a secret (log-scan.ts).
// Extra arguments go to vitest (e.g. a file filter or `-t name`);
// `--build` forces a rebuild. On failure: screenshots in test-results/, server log tail here.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { findSecretsInLog, secretsFromOutbox } from "./log-scan";
import { ensureBuild, repoRoot, resultsDir, startServer, type RunningServer } from "./server";

const args = process.argv.slice(2);
const forceBuild = args.includes("--build");
const vitestArgs = args.filter((arg) => arg !== "--build");

function runSuite(server: RunningServer): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      "npx",
      ["vitest", "run", "--config", "tests/e2e/vitest.config.ts", ...vitestArgs],
      {
        cwd: repoRoot,
        stdio: "inherit",
        env: { ...process.env, BASE_URL: server.baseUrl, OUTBOX_DIR: server.outboxDir },
      },
    );
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Screenshots of an earlier run's failures would mislead; test-results/screens/ stays. */
function clearOldFailureScreenshots() {
  if (!existsSync(resultsDir)) return;
  for (const name of readdirSync(resultsDir)) {
    if (name.endsWith(".png")) rmSync(path.join(resultsDir, name));
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  clearOldFailureScreenshots();
  ensureBuild({ force: forceBuild });
  const server = await startServer();
  console.log(
    `e2e: server ready on ${server.baseUrl} (log: ${path.relative(repoRoot, server.logFile)})`,
  );

  let stopping = false;
  const interrupt = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(130);
  };
  process.once("SIGINT", () => void interrupt());
  process.once("SIGTERM", () => void interrupt());

  let code = 1;
  try {
    code = await runSuite(server);
    if (!scanServerLog(server)) code = 1;
  } finally {
    if (code !== 0) {
      console.error(`\ne2e: FAILED. Screenshots of failing tests are in test-results/.`);
      console.error(
        `e2e: last lines of the server log (${server.logFile}):\n${server.logTail(20)}`,
      );
    }
    stopping = true;
    await server.stop({ keepFiles: code !== 0 });
    if (code !== 0)
      console.error(
        `e2e: the server's database and outbox are kept in ${path.dirname(server.pgliteDir)}`,
      );
  }
  console.log(
    `e2e: ${code === 0 ? "passed" : "failed"} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return code;
}

/** Nothing secret may be in what the server printed during the run (DESIGN.md §8). */
function scanServerLog(server: RunningServer): boolean {
  const log = readFileSync(server.logFile, "utf8");
  const found = findSecretsInLog(log, secretsFromOutbox(server.outboxDir));
  if (found.length === 0) {
    console.log("e2e: log scan: no token, key or code in the server's output");
    return true;
  }
  console.error(`e2e: log scan FAILED: ${found.length} secret(s) in ${server.logFile}:`);
  for (const f of found.slice(0, 20)) console.error(`  line ${f.line}: ${f.kind} (${f.masked})`);
  return false;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
