// Worker thread entry for the code-card PDF (started by render.server.ts). Plain ESM, so
// Node loads it the same way under Vite dev, the production build and vitest; tsx's scoped
// import compiles the TSX document here, inside the worker, never on the server's thread.
import { fileURLToPath } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import { tsImport } from "tsx/esm/api";

// React reports a failing render on console.error before it throws; the error goes back
// to the caller as the rejection and is logged once there, not twice from here.
console.error = () => {};

try {
  // The project's tsconfig (JSX runtime) by path: tsx would otherwise look in the cwd.
  const { renderCodeCards } = await tsImport("./code-cards.tsx", {
    parentURL: import.meta.url,
    tsconfig: fileURLToPath(new URL("../../tsconfig.json", import.meta.url)),
  });
  const pdf = await renderCodeCards(workerData);
  // Hand the bytes over without a copy when the Buffer owns its memory.
  const owned = pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength;
  const bytes = owned ? new Uint8Array(pdf.buffer) : new Uint8Array(pdf);
  parentPort.postMessage({ pdf: bytes }, [bytes.buffer]);
} catch (error) {
  parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
