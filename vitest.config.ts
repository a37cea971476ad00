// Tests: `unit` (app/**, no database) and `integration` (tests/integration/** and the
// security suite tests/security/**, a fresh database per file — PGlite, or PostgreSQL when
// TEST_DATABASE_URL is set). Deliberately
// without the Remix plugin: tests import modules, they do not build the app.
import tsconfigPaths from "vite-tsconfig-paths";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    pool: "forks",
    env: { NODE_ENV: "test", WEBHOOK_ALLOW_LOOPBACK: "true" },
    setupFiles: ["tests/setup/fail-on-console-error.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["app/**/*.test.{ts,tsx}"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts", "tests/security/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/setup/global-db.ts"],
          setupFiles: ["tests/setup/integration.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
