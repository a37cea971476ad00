// WEB_CONCURRENCY on PostgreSQL (server/cluster.ts, ADR 028): the compiled server started as
// production starts it, with two processes on one port against a scratch database. Both
// answer; one killed with SIGKILL is replaced while the other keeps answering; the jobs run
// in exactly one; SIGTERM to the primary stops them all. PostgreSQL must be running (CI
// starts it); the scratch database is dropped at the end.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { at, first } from "../helpers/rows.ts";
import { findFreePort, repoRoot } from "./server";

const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? "postgres://root@127.0.0.1:5432/postgres";
const database = `e2e_processes_${process.pid}`;
const scratch = mkdtempSync(path.join(os.tmpdir(), "7stamp-processes-"));
let server: ChildProcess;
let baseUrl = "";
let output = "";

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Waits until the server's output matches `pattern` `count` times in all. */
async function waitForOutput(pattern: RegExp, count = 1, timeoutMs = 60_000) {
  const started = Date.now();
  for (;;) {
    const matches = [...output.matchAll(new RegExp(pattern, "g"))];
    if (matches.length >= count) return matches;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`no ${count}× ${pattern} in the server's output:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const READY = /ready in [\d.]+ s; process (\d) of 2, pid (\d+)(, with the jobs)?/;

beforeAll(async () => {
  await admin(`drop database if exists ${database}`);
  await admin(`create database ${database}`);
  const port = await findFreePort(4400);
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, ["build/node/server.js"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: "development",
      DATABASE_URL: ADMIN_URL.replace(/\/[^/]*$/, `/${database}`),
      WEB_CONCURRENCY: "2",
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      OUTBOX_DIR: path.join(scratch, "outbox"),
      DEMO_TOKEN_FILE: path.join(scratch, "demo-token"),
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await waitForOutput(READY, 2);
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) server.kill("SIGKILL");
  await new Promise((resolve) => setTimeout(resolve, 500));
  await admin(`drop database if exists ${database} with (force)`);
  rmSync(scratch, { recursive: true, force: true });
});

/** `count` parallel GETs, each on a connection of its own (0: no answer at all). */
async function answers(count: number): Promise<number[]> {
  const one = () =>
    new Promise<number>((resolve) => {
      const request = http.get(`${baseUrl}/login`, { agent: false }, (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      });
      request.on("error", () => resolve(0));
    });
  return Promise.all(Array.from({ length: count }, one));
}

describe("two processes on one port", () => {
  test("both start, the database prepared once, the jobs in exactly one", async () => {
    const ready = await waitForOutput(READY, 2);
    expect(new Set(ready.map((m) => m[1]))).toEqual(new Set(["1", "2"]));
    expect(ready.filter((m) => m[3]).map((m) => m[1])).toEqual(["1"]);
    expect(output.match(/migration\(s\) applied/g)).toHaveLength(1);
    expect(await answers(40)).toEqual(Array(40).fill(200));
  });

  test("a process killed with SIGKILL is replaced; the other keeps answering meanwhile", async () => {
    const second = first(
      (await waitForOutput(READY, 2)).filter((m) => m[1] === "2"),
      "ready line of process 2",
    );
    const pid = Number(at(second, 2, "pid"));
    process.kill(pid, "SIGKILL");
    await waitForOutput(/process 2 of 2 \(pid \d+\) exited \(SIGKILL\); starting a replacement/);
    // While the replacement starts (a second's pause, then its start-up), new connections
    // all reach the survivor.
    expect(await answers(20)).toEqual(Array(20).fill(200));
    expect(output.match(new RegExp(READY, "g"))).toHaveLength(2);
    const after = await waitForOutput(READY, 3);
    expect(Number(at(at(after, 2, "third ready line"), 2, "pid"))).not.toBe(pid);
    expect(await answers(20)).toEqual(Array(20).fill(200));
  });

  test("SIGTERM to the primary stops every process and exits 0", async () => {
    const pids = [...output.matchAll(new RegExp(READY, "g"))].map((m) => Number(m[2]));
    const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const pid of pids) {
      expect(() => process.kill(pid, 0)).toThrow();
    }
  });
});
