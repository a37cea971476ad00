// Creates the one Kysely instance the app talks through: a pg pool for PostgreSQL
// (DATABASE_URL), else PGlite — PostgreSQL in WebAssembly — in a local directory.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import type { DB } from "./schema.ts";

export type Database = Kysely<DB>;

const INT8 = 20;
const DATE = 1082;

export interface CreateDbOptions {
  /** postgres://… — when set, a pg pool is used. */
  url?: string;
  /** PGlite data directory (or memory://) when no url is given. */
  pgliteDir?: string;
  /** A dump of a PGlite data directory to start from (tests clone a migrated template). */
  loadDataDir?: Blob;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
}

export interface DbHandle {
  db: Database;
  /** Set on the embedded backend; pg-boss and dumps use it directly. */
  pglite?: PGlite;
  backend: "postgres" | "pglite";
  close(): Promise<void>;
}

/**
 * The pg pool rides on the Kysely instance itself, under a process-wide symbol: the app reads
 * the database through a Proxy (app/db.server.ts), and the compiled server and the Remix build
 * each bundle their own copy of this module, so a module-level map keyed by the instance
 * found nothing in production and every CSV took the slow path (ADR 036).
 */
const COPY_POOL = Symbol.for("7stamp.copyPool");

/**
 * The pg pool behind `db`, for what Kysely cannot do (COPY … TO STDOUT): null on PGlite and
 * inside a transaction (a COPY on another connection would not see its writes).
 */
export function copyPool(db: Database): pg.Pool | null {
  if (db.isTransaction) return null;
  return (Reflect.get(db, COPY_POOL) as pg.Pool | undefined) ?? null;
}

/** Prepared statements kept per connection: past this, a new text runs unnamed as before. */
const PREPARED_PER_CONNECTION = 200;
/**
 * An ON CONFLICT naming a partial index's predicate: PostgreSQL infers the arbiter index in the
 * planner, and a generic plan (tried after five runs of a prepared statement) cannot match a
 * predicate given as a parameter ("no unique or exclusion constraint matching"). Such texts
 * stay unnamed; write the predicate's values as literals anyway (grants.server.ts).
 */
const ARBITER_PREDICATE = /\bon conflict\b[^;]*?\)\s*where\b/i;
/** Texts seen once, remembered to tell a repeated statement from a one-off. */
const SEEN_PER_CONNECTION = 1_000;

/**
 * Keeps a statement the app sends again and again (the key check, a claim's read and write, a
 * card operation's lock) as a named prepared statement on its connection (ADR 042): PostgreSQL
 * parses and plans it once per connection instead of on every request, and pg sends Bind and
 * Execute without Parse. A text is prepared the second time the connection sees it, so
 * one-off statements (an IN list of a new length) do not fill the cache, and at most
 * PREPARED_PER_CONNECTION are kept. Statements without parameters (BEGIN, COMMIT, DDL) stay
 * on the simple protocol. Prepared statements outlive a rolled-back transaction, and pg
 * forgets a name whose Parse failed, so an error never leaves a half-made entry behind.
 */
function prepareRepeatedStatements(client: pg.PoolClient): void {
  const send = client.query.bind(client) as (...args: unknown[]) => unknown;
  const names = new Map<string, string>();
  const seen = new Set<string>();
  const query = (text: unknown, ...rest: unknown[]): unknown => {
    const values = rest[0];
    if (typeof text !== "string" || rest.length !== 1 || !Array.isArray(values) || !values.length) {
      return send(text, ...rest);
    }
    let name = names.get(text);
    if (
      name === undefined &&
      names.size < PREPARED_PER_CONNECTION &&
      !ARBITER_PREDICATE.test(text)
    ) {
      if (seen.has(text)) {
        name = `p${names.size}`;
        names.set(text, name);
        seen.delete(text);
      } else {
        if (seen.size >= SEEN_PER_CONNECTION) seen.clear();
        seen.add(text);
      }
    }
    return name === undefined ? send(text, values) : send({ name, text, values });
  };
  Object.defineProperty(client, "query", { value: query, configurable: true, writable: true });
}

/**
 * Both backends return the same JS types: int8 as number (counts, serials stay far below
 * 2^53), date as 'YYYY-MM-DD' text, timestamptz as Date, numeric as string.
 */
export function createDb(options: CreateDbOptions): DbHandle {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      // Short OLTP queries over big tables cross the JIT cost threshold and then spend more
      // time compiling than running (measured: 15–30 ms per codes-page load).
      options: "-c jit=off",
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") => {
          if (oid === INT8) return (v: string) => Number(v);
          if (oid === DATE) return (v: string) => v;
          return pg.types.getTypeParser(oid, format) as (v: string) => unknown;
        }) as typeof pg.types.getTypeParser,
      },
    });
    // A connection the server ends (a restart, a failover, a dropped test database) must not
    // take the process down: pg emits "error" on the pool for idle clients and on a client
    // that is still closing, and an unheard "error" event is an uncaught exception.
    const onConnectionError = (error: Error) =>
      console.warn(`database connection closed by the server: ${error.message}`);
    pool.on("error", onConnectionError);
    pool.on("connect", (client) => {
      client.on("error", onConnectionError);
      prepareRepeatedStatements(client);
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    Object.defineProperty(db, COPY_POOL, { value: pool });
    return { db, backend: "postgres", close: () => db.destroy() };
  }
  const dataDir = options.pgliteDir ?? "memory://";
  // PGlite creates the data directory itself but not its parents (./data).
  if (!dataDir.includes("://")) mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  const pglite = new PGlite(dataDir, {
    loadDataDir: options.loadDataDir,
    parsers: { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return { db, pglite, backend: "pglite", close: () => db.destroy() };
}
