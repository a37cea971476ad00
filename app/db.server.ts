// The process-wide database handle. Kept on globalThis so that the server entry, the
// Remix bundle and the job worker in one process share one connection (PGlite has one).
import { createDb, type Database, type DbHandle } from "~db/index.ts";
import { env } from "./env.server";

const holder = globalThis as typeof globalThis & { __7stampDb?: DbHandle };

export function getDbHandle(): DbHandle {
  holder.__7stampDb ??= createDb({ url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR });
  return holder.__7stampDb;
}

/** Installs an already created handle (tests, the server entry). */
export function setDbHandle(handle: DbHandle): void {
  holder.__7stampDb = handle;
}

export const db: Database = new Proxy({} as Database, {
  get(_target, property): unknown {
    const real = getDbHandle().db;
    const value: unknown = Reflect.get(real, property, real);
    return typeof value === "function" ? value.bind(real) : value;
  },
});
