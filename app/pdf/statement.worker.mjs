// Worker thread entry for the statement PDF (started by render.server.ts). Plain ESM, so
// Node loads it the same way under Vite dev, the production build and vitest. A compiled
// server (build/node/) names its compiled documents in PDF_DOCUMENTS_DIR; otherwise tsx's
// scoped import compiles the TSX document here, inside the worker, never on the server's thread.
import { fileURLToPath, pathToFileURL } from "node:url";
import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";

// React reports a failing render on console.error before it throws; the error goes back
// to the caller as the rejection and is logged once there, not twice from here.
console.error = () => {};

// The input comes by message (render.server.ts starts this worker before the statement's
// lines are loaded): wait for it while the document compiles.
const input =
  workerData ?? new Promise((resolve) => parentPort.once("message", (message) => resolve(message)));

try {
  const { renderStatement, pdfPageCount } = await loadDocument();
  const pdf = await renderStatement(await input);
  // This worker's own heap when the render ends (the layout tree is still referenced then):
  // what the bench reports as the render's memory beside the process's RSS.
  const heapBytes = getHeapStatistics().used_heap_size;
  const pageCount = pdfPageCount(pdf);
  // Hand the bytes over without a copy when the Buffer owns its memory.
  const owned = pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength;
  const bytes = owned ? new Uint8Array(pdf.buffer) : new Uint8Array(pdf);
  parentPort.postMessage({ pdf: bytes, pageCount, heapBytes }, [bytes.buffer]);
} catch (error) {
  parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
}

async function loadDocument() {
  // This worker thread's own environment, set by render.server.ts (not the app's configuration).
  // eslint-disable-next-line no-restricted-properties
  const compiled = process.env.PDF_DOCUMENTS_DIR;
  if (compiled) return import(pathToFileURL(`${compiled}/statement.js`).href);
  const { tsImport } = await import("tsx/esm/api");
  // The project's tsconfig (JSX runtime) by path: tsx would otherwise look in the cwd.
  return tsImport("./statement.tsx", {
    parentURL: import.meta.url,
    tsconfig: fileURLToPath(new URL("../../tsconfig.json", import.meta.url)),
  });
}
