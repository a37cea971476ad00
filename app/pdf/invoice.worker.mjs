// Worker thread entry for the invoice PDF (started by render.server.ts). Plain ESM, so Node
// loads it the same way under Vite dev, the production build and vitest. A compiled server
// (build/node/) names its compiled documents in PDF_DOCUMENTS_DIR; otherwise tsx's scoped
// import compiles the TSX document here, inside the worker, never on the server's thread.
import { fileURLToPath, pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

// React reports a failing render on console.error before it throws; the error goes back
// to the caller as the rejection and is logged once there, not twice from here.
console.error = () => {};

try {
  const { renderInvoice } = await loadDocument();
  const pdf = await renderInvoice(workerData);
  // Hand the bytes over without a copy when the Buffer owns its memory.
  const owned = pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength;
  const bytes = owned ? new Uint8Array(pdf.buffer) : new Uint8Array(pdf);
  parentPort.postMessage({ pdf: bytes }, [bytes.buffer]);
} catch (error) {
  parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
}

async function loadDocument() {
  // This worker thread's own environment, set by render.server.ts (not the app's configuration).
  // eslint-disable-next-line no-restricted-properties
  const compiled = process.env.PDF_DOCUMENTS_DIR;
  if (compiled) return import(pathToFileURL(`${compiled}/invoice.js`).href);
  const { tsImport } = await import("tsx/esm/api");
  // The project's tsconfig (JSX runtime) by path: tsx would otherwise look in the cwd.
  return tsImport("./invoice.tsx", {
    parentURL: import.meta.url,
    tsconfig: fileURLToPath(new URL("../../tsconfig.json", import.meta.url)),
  });
}
