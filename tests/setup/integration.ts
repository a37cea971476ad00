// Per integration test file: a fresh database copied from the run's migrated template
// (see global-db.ts), installed as the app's handle; msw refusing any outside request.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, afterEach, inject } from "vitest";
import { createDb, type DbHandle } from "~db/index.ts";
import { setDbHandle } from "~/db.server";
import { installTestDb } from "../db.ts";
import { isLocalRequest, server } from "../mocks/index.ts";
import {
  databaseUrl,
  dropDatabase,
  quoteIdent,
  withAdminClient,
  type TestDatabaseTemplate,
} from "./test-database.ts";

const template = inject("testDatabase");
if (!template) {
  throw new Error("No test database template: run integration tests through vitest.config.ts.");
}
const { handle, drop } = await openDatabase(template);
setDbHandle(handle);
installTestDb(handle);

server.listen({
  // Outside services must be mocked; a test's own local HTTP server is reached for real.
  // (msw 2.15's print.error() in a callback only prints, so throw to refuse the request.)
  onUnhandledRequest(request, print) {
    if (isLocalRequest(request.url)) return;
    print.error();
    throw new Error(`No msw handler for ${request.method} ${request.url} (see tests/mocks/)`);
  },
});

afterEach(() => {
  server.resetHandlers();
});

afterAll(async () => {
  server.close();
  installTestDb(undefined);
  await handle.close();
  await drop();
});

async function openDatabase(
  template: TestDatabaseTemplate,
): Promise<{ handle: DbHandle; drop: () => Promise<void> }> {
  if (template.backend === "pglite") {
    const tarball = await readFile(template.templatePath);
    const handle = createDb({ pgliteDir: "memory://", loadDataDir: new Blob([tarball]) });
    await handle.pglite!.waitReady;
    return { handle, drop: async () => {} };
  }

  const name = `${template.prefix}${randomBytes(5).toString("hex")}`;
  await withAdminClient(template.adminUrl, async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(
          `create database ${quoteIdent(name)} template ${quoteIdent(template.template)}`,
        );
        return;
      } catch (error) {
        // 55006: the template is briefly "being accessed by other users".
        if ((error as { code?: string }).code !== "55006" || attempt >= 8) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
  const handle = createDb({ url: databaseUrl(template.adminUrl, name), maxConnections: 5 });
  return {
    handle,
    drop: () => withAdminClient(template.adminUrl, (client) => dropDatabase(client, name)),
  };
}
