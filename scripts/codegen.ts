// Regenerates db/schema.ts from a freshly migrated scratch database on the PostgreSQL
// server named by DATABASE_URL (default: the local test server). `--verify` fails when
// the committed file is stale (CI runs it).
import { execFileSync } from "node:child_process";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { migrateToLatest } from "../db/migrate.ts";

const baseUrl = process.env.DATABASE_URL ?? "postgres://root@127.0.0.1:5432/postgres";
const verify = process.argv.includes("--verify");
const scratch = `codegen_${process.pid}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const admin = new Kysely<any>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: baseUrl, max: 1 }) }),
});
await sql.raw(`create database ${scratch}`).execute(admin);
const url = new URL(baseUrl);
url.pathname = `/${scratch}`;
try {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const target = new Kysely<any>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: url.toString(), max: 1 }),
    }),
  });
  await migrateToLatest(target);
  await target.destroy();
  execFileSync(
    "npx",
    ["kysely-codegen", "--url", url.toString(), ...(verify ? ["--verify"] : [])],
    {
      stdio: "inherit",
    },
  );
} finally {
  await sql.raw(`drop database if exists ${scratch}`).execute(admin);
  await admin.destroy();
}
