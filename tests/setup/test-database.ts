// Shared by the integration globalSetup (once per run) and setup file (once per test file):
// where the migrated template lives and how databases on a PostgreSQL test server are named.
import pg from "pg";

export type TestDatabaseTemplate =
  | {
      backend: "pglite";
      /** A PGlite data-dir tarball of the migrated schema. */ templatePath: string;
    }
  | {
      backend: "postgres";
      /** The server to create databases on (TEST_DATABASE_URL). */
      adminUrl: string;
      template: string;
      /** Every database of this run starts with it; teardown drops them all. */
      prefix: string;
    };

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: TestDatabaseTemplate;
  }
}

/** Test databases are named t7s_<run start, base 36>_<pid>_<suffix>. */
export const DATABASE_PREFIX = "t7s_";

export function runPrefix(startedAt: Date, pid: number): string {
  return `${DATABASE_PREFIX}${Math.floor(startedAt.getTime() / 1000).toString(36)}_${pid}_`;
}

export function parseRunPrefix(name: string): { startedAt: Date; pid: number } | null {
  const [, stamp, pid] = /^t7s_([0-9a-z]+)_(\d+)_/.exec(name) ?? [];
  if (stamp === undefined || pid === undefined) return null;
  return { startedAt: new Date(parseInt(stamp, 36) * 1000), pid: Number(pid) };
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export function quoteIdent(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`Unexpected database name: ${name}`);
  return `"${name}"`;
}

/** Runs a few statements on the server over one short-lived connection. */
export async function withAdminClient<T>(
  adminUrl: string,
  run: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  // A closed pool's sockets may still be saying goodbye: give them a moment (55006 "being
  // accessed by other users") before WITH (FORCE) ends whatever a crashed run left open.
  for (let attempt = 1; attempt <= 10; attempt++) {
    try {
      await client.query(`drop database if exists ${quoteIdent(name)}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== "55006") throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
  await client.query(`drop database if exists ${quoteIdent(name)} with (force)`);
}
