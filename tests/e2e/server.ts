// Starting the real portal for browser tests: builds it when the build is missing or older
// than its sources, then runs the compiled server (`node build/node/server.js`, as production
// does) on a free port against a fresh, temporary
// PGlite database (so the demo is seeded on start) and a temporary email outbox.
// Used by run.ts (the suite) and screens.ts (screenshots for review).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const resultsDir = path.join(repoRoot, "test-results");

const BUILD_ENTRY = path.join(repoRoot, "build/server/index.js");
const SERVER_ENTRY = path.join(repoRoot, "build/node/server.js");
const BUILD_INPUTS = [
  "app",
  "db",
  "server",
  "server.ts",
  "scripts/build-node.mjs",
  "public",
  "vite.config.ts",
  "package.json",
  "package-lock.json",
];

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) {
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/** Is there no build, or is a source file newer than it? */
export function buildIsStale(): boolean {
  if (!existsSync(BUILD_ENTRY) || !existsSync(SERVER_ENTRY)) return true;
  const built = Math.min(statSync(BUILD_ENTRY).mtimeMs, statSync(SERVER_ENTRY).mtimeMs);
  return BUILD_INPUTS.some((input) => newestMtime(path.join(repoRoot, input)) > built);
}

/** Runs `npm run build` when needed (or always, with force). Throws when it fails. */
export function ensureBuild({ force = false }: { force?: boolean } = {}): void {
  if (!force && !buildIsStale()) {
    console.log("e2e: build is up to date");
    return;
  }
  console.log("e2e: building the portal (npm run build)…");
  const started = Date.now();
  const result = spawnSync("npm", ["run", "build"], { cwd: repoRoot, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status})`);
  console.log(`e2e: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port, host: "0.0.0.0", exclusive: true }, () =>
      probe.close(() => resolve(true)),
    );
  });
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen({ port: 0, host: "0.0.0.0", exclusive: true }, () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** E2E_PORT when set; otherwise the first free port from 3310, or any free one. */
export async function findFreePort(preferred = Number(process.env.E2E_PORT) || 3310) {
  for (let port = preferred; port < preferred + 20; port++) {
    if (await portIsFree(port)) return port;
  }
  return ephemeralPort();
}

export interface RunningServer {
  baseUrl: string;
  port: number;
  /** The temporary directory holding pglite/ and outbox/ (give it to a restart). */
  dataDir: string;
  outboxDir: string;
  pgliteDir: string;
  logFile: string;
  /** The process group's leader (npx), for a test that kills the server itself. */
  pid: number;
  /** The last lines the server printed. */
  logTail(lines?: number): string;
  /** Stops the whole process group; removes the temporary directories unless keepFiles. */
  stop(options?: { keepFiles?: boolean }): Promise<void>;
  /** Kills the whole process group at once (SIGKILL: no shutdown); the files stay. */
  kill(): Promise<void>;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function groupIsAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until no process of the group is left: `graceMs` for them to end by themselves,
 * then SIGKILL. Another server must not open the same database while one still runs.
 */
async function waitForGroupExit(pid: number | undefined, graceMs: number): Promise<void> {
  if (pid === undefined) return;
  const killAfter = Date.now() + graceMs;
  const giveUp = killAfter + 10_000;
  while (groupIsAlive(pid)) {
    if (Date.now() > giveUp) throw new Error(`process group ${pid} is still alive`);
    if (Date.now() >= killAfter) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startServer({
  readyTimeoutMs = 90_000,
  dataDir,
  logName = "e2e-server.log",
  env: extraEnv = {},
}: {
  readyTimeoutMs?: number;
  /** A stopped or killed server's dataDir: start again on its database and outbox. */
  dataDir?: string;
  /** The log's file name in test-results/ (a second server must not overwrite the first's). */
  logName?: string;
  /** More environment for the server, e.g. { RUN_JOBS: "false" }. */
  env?: Record<string, string>;
} = {}): Promise<RunningServer> {
  const port = await findFreePort();
  const baseUrl = `http://localhost:${port}`;
  const tempRoot = dataDir ?? mkdtempSync(path.join(os.tmpdir(), "7stamp-e2e-"));
  const pgliteDir = path.join(tempRoot, "pglite");
  const outboxDir = path.join(tempRoot, "outbox");
  mkdirSync(outboxDir, { recursive: true });
  mkdirSync(resultsDir, { recursive: true });
  const logFile = path.join(resultsDir, logName);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    PGLITE_DIR: pgliteDir,
    OUTBOX_DIR: outboxDir,
    DEMO_TOKEN_FILE: path.join(tempRoot, "demo-platform-token"),
    LOG_LEVEL: "info",
    // The webhooks spec posts to a receiver on 127.0.0.1 (development only; refused in production).
    WEBHOOK_ALLOW_LOOPBACK: "true",
    ...extraEnv,
  };
  // Development mode (the demo is seeded), the embedded database, email to the outbox.
  // (Through a plain record: Remix's global types declare NODE_ENV as always set.)
  const unset: Record<string, unknown> = env;
  for (const name of ["NODE_ENV", "DATABASE_URL", "SMTP_URL"]) delete unset[name];

  const lines: string[] = [];
  // A restart on the same files appends to its predecessor's log.
  const logStream = createWriteStream(logFile, { flags: dataDir ? "a" : "w" });
  let partial = "";
  const collect = (chunk: Buffer) => {
    logStream.write(chunk);
    const text = partial + chunk.toString("utf8");
    const parts = text.split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    if (lines.length > 500) lines.splice(0, lines.length - 500);
  };

  // detached: its own process group, so stopping it also stops anything it started.
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stopOnExit = () => killGroup(child, "SIGKILL");
  process.once("exit", stopOnExit);

  const logTail = (count = 40) => [...lines, partial].filter(Boolean).slice(-count).join("\n");

  const stop = async ({ keepFiles = false }: { keepFiles?: boolean } = {}) => {
    process.removeListener("exit", stopOnExit);
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
    // npx may exit before its children: let them finish shutting down, then make sure
    // nothing of the group is left.
    await waitForGroupExit(child.pid, 5_000);
    logStream.end();
    if (!keepFiles) rmSync(tempRoot, { recursive: true, force: true });
  };

  const kill = async () => {
    process.removeListener("exit", stopOnExit);
    killGroup(child, "SIGKILL");
    await exited;
    // Every process of the group must be gone before another opens the same database.
    await waitForGroupExit(child.pid, 0);
    logStream.end();
  };

  const deadline = Date.now() + readyTimeoutMs;
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop({ keepFiles: true });
      throw new Error(`The server exited before it was ready. Its output:\n${logTail(60)}`);
    }
    if (Date.now() > deadline) {
      await stop({ keepFiles: true });
      throw new Error(`The server did not answer within ${readyTimeoutMs} ms:\n${logTail(60)}`);
    }
    try {
      const response = await fetch(`${baseUrl}/login`, { signal: AbortSignal.timeout(5_000) });
      ready = response.ok;
    } catch {
      // not listening yet
    }
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 250));
  }

  return {
    baseUrl,
    port,
    dataDir: tempRoot,
    outboxDir,
    pgliteDir,
    logFile,
    pid: child.pid ?? 0,
    logTail,
    stop,
    kill,
  };
}
