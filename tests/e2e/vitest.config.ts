// The end-to-end browser suite (tests/e2e/**/*.test.ts). Run through `npm run test:e2e`
// (tests/e2e/run.ts), which builds and starts the real server and passes BASE_URL and
// OUTBOX_DIR. No Remix plugin: the tests drive a browser, they do not import the app.
// One file at a time against the one server; test files run in name order.
import path from "node:path";
import { fileURLToPath } from "node:url";
import tsconfigPaths from "vite-tsconfig-paths";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

class ByNameSequencer extends BaseSequencer {
  sort(files: TestSpecification[]) {
    return Promise.resolve([...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId)));
  }
}

export default defineConfig({
  root,
  plugins: [tsconfigPaths({ root })],
  test: {
    name: "e2e",
    include: ["tests/e2e/**/*.test.ts"],
    environment: "node",
    // Vite owns BASE_URL inside tests (import.meta.env.BASE_URL, "/"): hand the server's
    // address over under a name of our own.
    env: { E2E_BASE_URL: process.env.BASE_URL ?? "" },
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    sequence: { sequencer: ByNameSequencer },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
