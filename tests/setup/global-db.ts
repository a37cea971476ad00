// Integration globalSetup: builds ONE migrated template per run; every test file then starts
// from a copy of it (tests/setup/integration.ts). PGlite by default; a PostgreSQL server
// when TEST_DATABASE_URL is set.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import type { TestProject } from "vitest/node";
import { createDb } from "../../db/index.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import {
  DATABASE_PREFIX,
  databaseUrl,
  dropDatabase,
  parseRunPrefix,
  quoteIdent,
  runPrefix,
  withAdminClient,
} from "./test-database.ts";
import { first } from "../helpers/rows.ts";

/** Databases of runs older than this are leftovers of a crash, whoever started them. */
const STALE_AFTER_MS = 3 * 60 * 60 * 1000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  return serverUrl ? setupPostgres(project, serverUrl) : setupPglite(project);
}

async function setupPglite(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const handle = createDb({ pgliteDir: "memory://" });
  try {
    await migrateToLatest(handle.db);
    const dump = await handle.pglite!.dumpDataDir("none");
    const dir = await mkdtemp(join(tmpdir(), "t7s-template-"));
    const templatePath = join(dir, "template.tar");
    await writeFile(templatePath, Buffer.from(await dump.arrayBuffer()));
    project.provide("testDatabase", { backend: "pglite", templatePath });
    console.log(
      `[integration] database backend: PGlite (in memory), template built in ${ms(started)}`,
    );
    return () => rm(dir, { recursive: true, force: true });
  } finally {
    await handle.close();
  }
}

async function setupPostgres(project: TestProject, adminUrl: string): Promise<() => Promise<void>> {
  const started = performance.now();
  const prefix = runPrefix(new Date(), process.pid);
  const template = `${prefix}tpl`;

  const version = await withAdminClient(adminUrl, async (client) => {
    await dropLeftovers(client, adminUrl);
    await client.query(`create database ${quoteIdent(template)}`);
    const { rows } = await client.query<{ server_version: string }>("show server_version");
    return first(rows, "server version").server_version;
  });
  const handle = createDb({ url: databaseUrl(adminUrl, template), maxConnections: 1 });
  try {
    await migrateToLatest(handle.db);
  } finally {
    // No connection may stay on a template, or CREATE DATABASE … TEMPLATE refuses it.
    await handle.close();
  }

  project.provide("testDatabase", { backend: "postgres", adminUrl, template, prefix });
  const server = new URL(adminUrl);
  console.log(
    `[integration] database backend: PostgreSQL ${version} at ${server.host}` +
      ` (template ${template} built in ${ms(started)})`,
  );

  return async () => {
    // Drops the template and any per-file database a crashed worker did not drop.
    await withAdminClient(adminUrl, async (client) => {
      for (const name of await databaseNames(client, prefix)) await dropDatabase(client, name);
    });
  };
}

/** Databases that crashed runs left behind: old ones, or ones whose run is gone. */
async function dropLeftovers(client: pg.Client, adminUrl: string): Promise<void> {
  const local = ["127.0.0.1", "localhost", "[::1]", ""].includes(new URL(adminUrl).hostname);
  for (const name of await databaseNames(client, DATABASE_PREFIX)) {
    const run = parseRunPrefix(name);
    const stale =
      !run ||
      Date.now() - run.startedAt.getTime() > STALE_AFTER_MS ||
      (local && run.pid !== process.pid && !isAlive(run.pid));
    if (!stale) continue;
    try {
      await dropDatabase(client, name);
      console.log(`[integration] dropped leftover test database ${name}`);
    } catch (error) {
      // Another run may be dropping it at the same moment; that is fine.
      console.warn(`[integration] could not drop leftover ${name}: ${String(error)}`);
    }
  }
}

async function databaseNames(client: pg.Client, prefix: string): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>(
    "select datname from pg_database where starts_with(datname, $1) order by datname",
    [prefix],
  );
  return rows.map((r) => r.datname);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function ms(since: number): string {
  return `${Math.round(performance.now() - since)} ms`;
}
