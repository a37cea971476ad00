// Shared pieces of the `npm run bench:*` scripts: the figures table, the scratch PostgreSQL
// database, the production server started from the build, signing in, timing and the
// server's memory. Each bench prints its figures beside a raw-SQL baseline measured in the
// same run; this module has no opinion about what is measured.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { buildIsStale, findFreePort, repoRoot } from "../../tests/e2e/server.ts";

// ---- Figures and the table ----------------------------------------------------------------

export type Verdict = "PASS" | "FAIL" | "info" | "n/a";

export interface Figure {
  section: string;
  name: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  verdict: Verdict;
}

/** A figure printed for information: no target, no ratio. */
export function infoFigure(section: string, name: string, value: string, baseline = "—"): Figure {
  return { section, name, value, baseline, ratio: "—", target: "none (info)", verdict: "info" };
}

/** The PostgreSQL settings that matter for the figures (shared_buffers, fsync, …). */
export function postgresSettingsFigure(settings: Record<string, string>): Figure {
  const value = Object.entries(settings)
    .map(([name, setting]) => `${name} ${setting}`)
    .join(", ");
  return infoFigure("Context", "PostgreSQL", value);
}

/** The figures of a run and the notes that explain them, printed as one table at the end. */
export class Report {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];

  print(): void {
    const figures = this.figures;
    const headers = ["measure", "figure", "raw-SQL baseline", "ratio", "target", "result"];
    const sections = [...new Set(figures.map((f) => f.section))];
    const cells = figures.map((f) => [f.name, f.value, f.baseline, f.ratio, f.target, f.verdict]);
    // Every row has the six cells of `headers`, so `row[i]` and `widths[i]` are in range.
    const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
    const line = (row: string[]) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd();
    const rule = "-".repeat(widths.reduce((a, b) => a + b + 2, -2));
    console.log(`\n${line(headers)}\n${rule}`);
    for (const section of sections) {
      console.log(`${section}`);
      for (const f of figures.filter((x) => x.section === section)) {
        console.log(line([`  ${f.name}`, f.value, f.baseline, f.ratio, f.target, f.verdict]));
      }
    }
    console.log(rule);
    const failed = figures.filter((f) => f.verdict === "FAIL").length;
    const passed = figures.filter((f) => f.verdict === "PASS").length;
    const skipped = figures.filter((f) => f.verdict === "n/a").length;
    console.log(
      `${passed} PASS, ${failed} FAIL${skipped > 0 ? `, ${skipped} n/a` : ""} ` +
        `(informational: the exit code does not depend on them)`,
    );
    if (this.notes.length > 0) {
      console.log(`\nNotes:\n${this.notes.map((n) => `- ${n}`).join("\n")}`);
    }
  }
}

export function say(message: string) {
  console.log(`bench: ${message}`);
}

export const ms = (value: number) =>
  value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
export const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
export const count = (value: number) => Math.round(value).toLocaleString("en-US");
export const ratio = (value: number, base: number) =>
  base > 0 ? `${(value / base).toFixed(2)}×` : "—";
export const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const value = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
  if (value === undefined) throw new Error(`percentile ${p} of no samples`);
  return value;
}

export const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

// ---- The scratch database -------------------------------------------------------------------

export interface ScratchDatabase {
  /** The admin URL (DATABASE_URL, default postgres://root@127.0.0.1:5432/postgres). */
  adminUrl: string;
  name: string;
  /** The admin URL pointed at the scratch database. */
  url: string;
}

/** `<prefix>_<pid>` on the server of DATABASE_URL; nothing is created yet. */
export function scratchDatabase(prefix: string): ScratchDatabase {
  const adminUrl = process.env.DATABASE_URL ?? "postgres://root@127.0.0.1:5432/postgres";
  const name = `${prefix}_${process.pid}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { adminUrl, name, url: url.toString() };
}

export async function createScratchDatabase(scratch: ScratchDatabase): Promise<void> {
  const admin = new pg.Client({ connectionString: scratch.adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${scratch.name}`);
  } finally {
    await admin.end();
  }
}

/** Drops the scratch database (its connections too); reports rather than throws. */
export async function dropScratchDatabase(scratch: ScratchDatabase): Promise<void> {
  const admin = new pg.Client({ connectionString: scratch.adminUrl });
  try {
    await admin.connect();
    await admin.query(`drop database if exists ${scratch.name} with (force)`);
    say(`dropped database ${scratch.name}`);
  } catch (error) {
    console.error(`bench: could not drop database ${scratch.name}:`, error);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** Runs `cleanup` on SIGINT/SIGTERM, then exits. */
export function cleanUpOnSignals(cleanup: () => Promise<void>): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      say(`${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
}

/** Each timed write starts without the previous run's dirty pages to flush. */
export async function checkpoint(client: pg.Client, notes: string[]): Promise<void> {
  await client
    .query("checkpoint")
    .catch(() => notes.push("CHECKPOINT refused (not a superuser): write timings are noisier"));
}

/** The header of a run: the machine, Node, PostgreSQL and the settings named. */
export async function printMachine(
  title: string,
  client: pg.Client,
  scratch: ScratchDatabase,
  settings: string[] = ["shared_buffers"],
): Promise<Record<string, string>> {
  const cpus = os.cpus();
  const show = async (name: string) => {
    const row = (await client.query<Record<string, string>>(`show ${name}`)).rows[0];
    const value = row === undefined ? undefined : Object.values(row)[0];
    if (value === undefined) throw new Error(`show ${name} returned no value`);
    return value;
  };
  const version = await show("server_version");
  const values: Record<string, string> = {};
  for (const name of settings) values[name] = await show(name);
  console.log(title);
  console.log(
    `  machine     ${cpus.length} cores (${cpus[0]?.model.trim() ?? "?"}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`,
  );
  console.log(`  node        ${process.version}`);
  const shown = settings.map((name) => `${name} ${values[name]}`).join(", ");
  console.log(
    `  postgresql  ${version} (${shown}) at ${new URL(scratch.adminUrl).host}, database ${scratch.name}`,
  );
  console.log(`  load avg    ${loadAverage()} (other work on the machine skews the figures)`);
  console.log("");
  return values;
}

// ---- The server -------------------------------------------------------------------------------

export interface Portal {
  baseUrl: string;
  pid: number;
  /** Holds the server log and the outbox directory; the caller removes it. */
  tempDir: string;
  logTail: () => string;
  stop: () => Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Builds the portal if the build is stale (`npm run build`) and starts the production
 * server on a free port from 3390 against `databaseUrl`, jobs included, as production runs
 * it: `node build/node/server.js` (ADR 022), one process unless `env.WEB_CONCURRENCY` says
 * more (then the child is the cluster's primary: CPU and RSS figures add up its tree).
 */
export async function startPortal({
  databaseUrl,
  name,
  env: extraEnv = {},
  nodeArgs = [],
  port: wantedPort,
}: {
  databaseUrl: string;
  /** This port exactly (a restart on the port the clients know); else a free one from 3390. */
  port?: number;
  /** bench name, for the temporary directory and the session secret. */
  name: string;
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}): Promise<Portal> {
  if (buildIsStale()) {
    say("building the portal (npm run build)…");
    const started = performance.now();
    const result = spawnSync("npm", ["run", "build"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
    });
    if (result.status !== 0) {
      throw new Error(
        `npm run build failed (exit ${result.status}):\n${result.stdout}${result.stderr}`,
      );
    }
    say(`built in ${seconds(performance.now() - started)}`);
  } else {
    say("build is up to date");
  }
  const port = wantedPort ?? (await findFreePort(3390));
  const baseUrl = `http://localhost:${port}`;
  const tempDir = mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
  const logFile = path.join(tempDir, "server.log");
  const log = createWriteStream(logFile);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    SESSION_SECRET: `bench-${name}-session-secret-0123456789`,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    OUTBOX_DIR: path.join(tempDir, "outbox"),
    RUN_JOBS: "true",
    LOG_LEVEL: "warn",
    // One process unless a bench asks for more (WEB_CONCURRENCY, ADR 028).
    WEB_CONCURRENCY: "1",
    ...extraEnv,
  };
  delete env.SMTP_URL;
  const child = spawn(process.execPath, [...nodeArgs, "build/node/server.js"], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    log.write(chunk);
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const logTail = () => lines.slice(-40).join("\n");
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 90_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited:\n${logTail()}`);
      if (Date.now() > deadline)
        throw new Error(`the server did not start within 90 s:\n${logTail()}`);
      try {
        const response = await fetch(`${baseUrl}/login`, { signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  say(`server on ${baseUrl} (pid ${child.pid}, NODE_ENV=production, log ${logFile})`);
  return { baseUrl, pid: child.pid!, tempDir, logTail, stop };
}

/** Signs in through the login form (with the Origin the cross-site check wants): the cookie. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: baseUrl, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, redirectTo: "" }),
  });
  await response.arrayBuffer();
  const session = response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0] ?? "")
    .find((cookie) => cookie.startsWith("7s_session=") && cookie.length > "7s_session=".length);
  if (response.status !== 302 || !session) {
    throw new Error(`POST /login answered ${response.status} without a session cookie`);
  }
  return session;
}

export async function timed(
  url: string,
  init: RequestInit = {},
): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  const response = await fetch(url, { redirect: "manual", ...init });
  const body = await response.text();
  return { ms: performance.now() - started, status: response.status, body };
}

// ---- Processes: memory and CPU ----------------------------------------------------------------

/** A process's resident memory now and at its peak, in kB. */
/** A process and its descendants (a cluster's primary and its server processes). */
export function processTree(pid: number | string): string[] {
  const pids = [String(pid)];
  for (let i = 0; i < pids.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pids[i]}/task`);
    } catch {
      continue; // gone meanwhile
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${pids[i]}/task/${task}/children`, "utf8");
        pids.push(...children.split(" ").filter(Boolean));
      } catch {
        // the task ended
      }
    }
  }
  return pids;
}

/** Resident memory (now and peak) of a process and its descendants, added up. */
export function rssKb(pid: number): { rss: number; hwm: number } {
  let rss = 0;
  let hwm = 0;
  for (const each of processTree(pid)) {
    let status = "";
    try {
      status = readFileSync(`/proc/${each}/status`, "utf8");
    } catch {
      continue;
    }
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    rss += field("VmRSS");
    hwm += field("VmHWM");
  }
  return { rss, hwm };
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time of a process in ms (user + system). */
function cpuOf(pid: number | string): number {
  const { userMs, systemMs } = cpuSplitOf(pid);
  return userMs + systemMs;
}

/** A process's CPU time in ms: in its own code (user) and in the kernel on its behalf (system). */
function cpuSplitOf(pid: number | string): { userMs: number; systemMs: number } {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return { userMs: 0, systemMs: 0 }; // gone meanwhile
  }
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat(5): 12 and 13 after the name.
  return { userMs: Number(fields[11]) * TICK_MS, systemMs: Number(fields[12]) * TICK_MS };
}

/**
 * CPU time in ms, by pid, of the local PostgreSQL processes that work for `database` (its
 * backends and autovacuum workers) and of the shared writers (WAL writer, checkpointer,
 * background writer); other databases' backends do not count. Null when PostgreSQL does not
 * run on this machine.
 */
export function postgresCpuMs(database: string): Map<string, number> | null {
  const cpu = new Map<string, number>();
  let found = false;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue;
      found = true;
      const title = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      const ours =
        title.split(/\s+/).includes(database) ||
        /: (walwriter|checkpointer|background writer)\s*$/.test(title);
      if (ours) cpu.set(entry, cpuOf(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return found ? cpu : null;
}

/**
 * CPU spent by the bench itself, the server and PostgreSQL from now until the returned
 * function is called. PostgreSQL's processes are read every 250 ms, so that a backend that
 * ends meanwhile (a pool closing an idle connection) still counts up to its last reading.
 */
/** CPU time in ms of a process and its descendants (every server process of a cluster). */
function treeCpu(pid: number): { userMs: number; systemMs: number } {
  let userMs = 0;
  let systemMs = 0;
  for (const each of processTree(pid)) {
    const split = cpuSplitOf(each);
    userMs += split.userMs;
    systemMs += split.systemMs;
  }
  return { userMs, systemMs };
}

export function cpuMeter(serverPid: number | null, database: string) {
  const benchNow = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  const first = postgresCpuMs(database);
  const last = new Map(first ?? []);
  const sample = () => {
    for (const [pid, ms] of postgresCpuMs(database) ?? []) last.set(pid, ms);
  };
  const timer = setInterval(sample, 250);
  const serverNow = () => (serverPid === null ? { userMs: 0, systemMs: 0 } : treeCpu(serverPid));
  const started = {
    bench: benchNow(),
    server: serverNow(),
    wall: performance.now(),
  };
  return () => {
    clearInterval(timer);
    sample();
    let postgres = 0;
    for (const [pid, ms] of last) postgres += ms - (first?.get(pid) ?? 0);
    const server = serverNow();
    const serverUserMs = server.userMs - started.server.userMs;
    const serverSystemMs = server.systemMs - started.server.systemMs;
    return {
      wallMs: performance.now() - started.wall,
      benchMs: benchNow() - started.bench,
      serverMs: serverUserMs + serverSystemMs,
      /** Of serverMs: in the server's own code (JavaScript, pg's parsing) and in the kernel (sockets). */
      serverUserMs,
      serverSystemMs,
      postgresMs: first === null ? null : postgres,
    };
  };
}
