// `npm run openapi:lint` — writes the OpenAPI document the portal serves at
// /api/v1/openapi.json (generated from the contract, app/api/openapi.server.ts) to a temporary
// file and lints it with Redocly's recommended rules; any error fails (CI runs it).
// `--out FILE` keeps the document there instead.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openApiDocument } from "~/api/openapi.server";

const REDOCLY = "@redocly/cli@2.77.0";

const outIndex = process.argv.indexOf("--out");
const kept = outIndex > 0 ? process.argv[outIndex + 1] : null;
const dir = kept ? null : mkdtempSync(path.join(os.tmpdir(), "7stamp-openapi-"));
const file = kept ?? path.join(dir!, "openapi.json");

try {
  writeFileSync(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  const lint = spawnSync("npx", ["-y", REDOCLY, "lint", file], { stdio: "inherit" });
  process.exitCode = lint.status ?? 1;
} finally {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
