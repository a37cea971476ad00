// The database of the current integration test file (a fresh copy of the migrated
// template, installed by tests/setup/integration.ts). App code reaches the same handle
// through `db` from ~/db.server.
import type { PGlite } from "@electric-sql/pglite";
import type { Database, DbHandle } from "~db/index.ts";

const key = Symbol.for("7stamp.test.db");
const holder = globalThis as typeof globalThis & { [key]?: DbHandle };

export interface TestDb {
  db: Database;
  backend: DbHandle["backend"];
  /** Set on the PGlite backend. */
  pglite?: PGlite;
}

/** @internal Called by the integration setup file. */
export function installTestDb(handle: DbHandle | undefined): void {
  holder[key] = handle;
}

export function testDb(): TestDb {
  const handle = holder[key];
  if (!handle) {
    throw new Error(
      "testDb() has no database: it works in integration tests (tests/integration/**), not unit tests.",
    );
  }
  return { db: handle.db, backend: handle.backend, pglite: handle.pglite };
}
