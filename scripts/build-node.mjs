// Compiles what runs outside the Remix build — the HTTP server, the job worker, the admin
// command and the PDF documents the render workers load — to plain JavaScript in
// build/node/, so that production starts `node build/node/server.js` with no TypeScript
// compiler at run time (ADR 022). Packages stay external (node_modules is there at run time);
// the project's own modules (~/…, ~db/…) are bundled in.
import { build } from "esbuild";
import { rmSync } from "node:fs";

const outdir = "build/node";
rmSync(outdir, { recursive: true, force: true });

const started = performance.now();
await build({
  entryPoints: {
    server: "server.ts",
    worker: "scripts/worker.ts",
    admin: "scripts/admin.ts",
    // Loaded by app/pdf/*.worker.mjs inside the render worker threads.
    "pdf/statement": "app/pdf/statement.tsx",
    "pdf/code-cards": "app/pdf/code-cards.tsx",
    "pdf/invoice": "app/pdf/invoice.tsx",
  },
  outdir,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  jsx: "automatic",
  sourcemap: "linked",
  tsconfig: "tsconfig.json",
  // Bundled ESM has no require(); a few CommonJS-era packages still reach for it.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: "warning",
});
console.log(`built ${outdir}/ in ${Math.round(performance.now() - started)} ms`);
