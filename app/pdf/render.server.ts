// Renders PDFs (code cards, statements, invoices) in worker threads, so that laying out hundreds of
// pages never stalls the server's event loop: one pool for every document, at most
// MAX_RENDERS at once, a short queue behind them, a time limit and a heap limit per render.
// Also turns loaded cards into translated input.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { CodeCardsData } from "~/domain/code-cards.server";
import { DomainError } from "~/domain/errors.server";
import { translatorFor } from "~/i18n";
import { formatDate, formatNumber } from "~/lib/format";
import type { ResolvedLocale } from "~/lib/locale";
import type { CodeCardsInput } from "./code-cards";
import type { InvoiceDocumentInput } from "./invoice";
import type { StatementDocumentInput, StatementLineColumns } from "./statement";

/** Renders running at once; each takes one CPU core while it lasts. */
export const MAX_RENDERS = 2;
/** Renders waiting for a slot; more than this are turned away (RendererBusy). */
export const MAX_QUEUED = 8;
const DEFAULT_TIMEOUT_MS = 120_000;
/**
 * A worker's V8 heap: a render of CARDS_PER_FILE (1,000) cards peaks near 400 MB; a
 * 10,000-line statement uses about 100 MB.
 */
const WORKER_HEAP_MB = 1024;

export class RendererBusy extends DomainError {
  constructor() {
    super("renderer_busy", "Too many PDFs are being rendered; try again shortly.");
  }
}

export class RenderFailed extends DomainError {
  constructor(reason: string) {
    super("render_failed", `The PDF could not be rendered: ${reason}`);
  }
}

/**
 * One worker entry per document, each compiling its own TSX. The statement's worker takes its
 * input by message, so it can start (and compile) while the lines are still being loaded.
 */
const WORKERS = {
  codeCards: { file: "app/pdf/code-cards.worker.mjs", inputByMessage: false },
  statement: { file: "app/pdf/statement.worker.mjs", inputByMessage: true },
  invoice: { file: "app/pdf/invoice.worker.mjs", inputByMessage: false },
} as const;

type DocumentKind = keyof typeof WORKERS;

/** What a worker posts back, once. */
type WorkerResult = { pdf: Uint8Array; pageCount?: number; heapBytes?: number } | { error: string };

type RenderedInWorker = { pdf: Buffer<ArrayBuffer>; pageCount: number; heapBytes: number };

/**
 * A worker is a file on disk, found by walking up from this module. import.meta.url is
 * app/pdf/render.server.ts under Vite dev and vitest, but build/server/index.js in the
 * production build, which bundles this module; both sit inside the project folder that
 * holds app/pdf/. Unlike process.cwd(), this does not depend on where the server started.
 */
function findWorkerFile(file: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, file);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`${file} not found above ${import.meta.url}`);
    dir = parent;
  }
}

/**
 * A server started compiled (`node build/node/server.js`, ADR 022) has its documents compiled
 * beside it in build/node/pdf; the workers load those instead of compiling the TSX.
 */
const compiledDocuments = (() => {
  const main = process.argv[1];
  if (!main) return null;
  const dir = path.dirname(path.resolve(main));
  const pdf = path.join(dir, "pdf");
  return dir.endsWith(path.join("build", "node")) && existsSync(path.join(pdf, "statement.js"))
    ? pdf
    : null;
})();

const workerFiles = new Map<DocumentKind, string>();

function workerFileOf(kind: DocumentKind): string {
  let file = workerFiles.get(kind);
  if (!file) {
    file = findWorkerFile(WORKERS[kind].file);
    workerFiles.set(kind, file);
  }
  return file;
}

/**
 * The pool's slots, on globalThis: the compiled server (which serves /api/v1) and the Remix
 * bundle each hold a copy of this module, and the limit is the process's, not each copy's.
 */
const pool = ((
  globalThis as typeof globalThis & {
    __7stampRenderPool?: { running: number; waiting: (() => void)[] };
  }
).__7stampRenderPool ??= { running: 0, waiting: [] });
const waiting = pool.waiting;

async function acquireSlot(signal?: AbortSignal): Promise<void> {
  if (pool.running < MAX_RENDERS) {
    pool.running++;
    return;
  }
  if (waiting.length >= MAX_QUEUED) throw new RendererBusy();
  await new Promise<void>((resolve, reject) => {
    const grant = () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = () => {
      const index = waiting.indexOf(grant);
      if (index >= 0) waiting.splice(index, 1);
      reject(abortReason(signal));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    waiting.push(grant);
  });
}

/** Hands the slot straight to the next waiting render, or frees it. */
/** Why the signal aborted (DOM types it `any`; it is whatever abort() was given). */
function abortReason(signal: AbortSignal | undefined): unknown {
  const reason: unknown = signal?.reason;
  return reason ?? new Error("aborted");
}

function releaseSlot(): void {
  const next = waiting.shift();
  if (next) next();
  else pool.running--;
}

/** What a worker renders, and the buffers in it that move rather than copy. */
interface WorkerInput {
  input: unknown;
  transferList?: ArrayBuffer[];
}

function startWorker(kind: DocumentKind, workerInput: WorkerInput | null): Worker {
  return new Worker(workerFileOf(kind), {
    workerData: workerInput?.input ?? null,
    // Typed arrays in the input move to the worker instead of being copied.
    transferList: workerInput?.transferList ?? [],
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    // The same start in every mode: no inherited loader flags (tsx's, vitest's), nothing from
    // the server's environment; the worker compiles its own TSX unless the server is compiled.
    // Production React is faster.
    execArgv: [],
    env: {
      NODE_ENV: "production",
      ...(compiledDocuments ? { PDF_DOCUMENTS_DIR: compiledDocuments } : {}),
    },
  });
}

async function renderInWorker(
  kind: DocumentKind,
  prepared: Promise<WorkerInput>,
  { timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal },
): Promise<RenderedInWorker> {
  // A worker taking its input by message starts now and compiles while the input is made.
  const worker = WORKERS[kind].inputByMessage
    ? startWorker(kind, null)
    : startWorker(kind, await prepared);
  return new Promise<RenderedInWorker>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      outcome();
      void worker.terminate();
    };
    const timer = setTimeout(
      () => finish(() => reject(new RenderFailed(`timed out after ${timeoutMs} ms`))),
      timeoutMs,
    );
    const onAbort = () => finish(() => reject(abortReason(signal)));
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.once("message", (message: WorkerResult) =>
      finish(() => {
        if ("error" in message) return reject(new RenderFailed(message.error));
        const { pdf, pageCount = 0, heapBytes = 0 } = message;
        resolve({
          pdf: Buffer.from(pdf.buffer as ArrayBuffer, pdf.byteOffset, pdf.byteLength),
          pageCount,
          heapBytes,
        });
      }),
    );
    worker.once("error", (error) => finish(() => reject(new RenderFailed(error.message))));
    worker.once("exit", (code) =>
      finish(() => reject(new RenderFailed(`the worker exited with code ${code}`))),
    );
    if (WORKERS[kind].inputByMessage) {
      prepared.then(
        ({ input, transferList = [] }) => {
          if (!settled) worker.postMessage(input, transferList);
        },
        // Loading the input failed (the database): the caller gets that error, as it is.
        (error: unknown) => finish(() => reject(error)),
      );
    }
  });
}

/**
 * The cards as a PDF, rendered in a worker thread. Rejects with RendererBusy when the
 * queue is full, RenderFailed on a worker error, time-out or exhausted heap, and with the
 * signal's reason when the signal aborts (the client went away).
 */
export async function renderCodeCardsPdf(
  input: CodeCardsInput,
  { timeoutMs = DEFAULT_TIMEOUT_MS, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Buffer<ArrayBuffer>> {
  return (await renderPooled("codeCards", () => Promise.resolve({ input }), { timeoutMs, signal }))
    .pdf;
}

/**
 * An invoice or credit note as a PDF, rendered in a worker thread of the same pool. Rejects
 * like renderCodeCardsPdf: RendererBusy, RenderFailed, the signal's reason.
 */
export async function renderInvoicePdf(
  input: InvoiceDocumentInput,
  { timeoutMs = DEFAULT_TIMEOUT_MS, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Buffer<ArrayBuffer>> {
  return (await renderPooled("invoice", () => Promise.resolve({ input }), { timeoutMs, signal }))
    .pdf;
}

/**
 * A render through the pool. `prepare` runs once a slot is granted, so that input built for
 * the worker (loaded lines, transferred buffers) is never made for a render turned away.
 */
async function renderPooled(
  kind: DocumentKind,
  prepare: () => Promise<WorkerInput>,
  { timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal },
): Promise<RenderedInWorker> {
  signal?.throwIfAborted();
  await acquireSlot(signal);
  try {
    return await renderInWorker(kind, prepare(), { timeoutMs, signal });
  } finally {
    releaseSlot();
  }
}

/** A statement line as the document prints it (a StatementLine has these and more). */
export interface StatementPdfLine {
  kind: "claim" | "credit";
  occurredAt: Date;
  serial: number;
  businessName: string;
  bundleName: string;
  staffSeats: number;
  cardOperations: number;
  retailCents: number;
  discountCents: number;
  wholesaleCents: number;
  taxCents: number;
}

/** The statement document's input with its lines as rows, as the domain reads them. */
export interface StatementPdfInput extends Omit<StatementDocumentInput, "lines"> {
  lines: readonly StatementPdfLine[];
}

/**
 * The lines as columns of typed arrays: one pass, no formatting (that is the worker's), and
 * the buffers are transferred rather than cloned. 10,000 lines take about a millisecond here.
 */
export function packStatementLines(lines: readonly StatementPdfLine[]): StatementLineColumns {
  const count = lines.length;
  const columns: StatementLineColumns = {
    count,
    credit: new Uint8Array(count),
    occurredAt: new Float64Array(count),
    serial: new Float64Array(count),
    businessNames: new Array<string>(count),
    bundle: new Int32Array(count),
    bundleNames: [],
    staffSeats: new Int32Array(count),
    cardOperations: new Int32Array(count),
    retailCents: new Float64Array(count),
    discountCents: new Float64Array(count),
    wholesaleCents: new Float64Array(count),
    taxCents: new Float64Array(count),
  };
  const bundles = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const line = lines[i]!; // i < count = lines.length
    let bundle = bundles.get(line.bundleName);
    if (bundle === undefined) {
      bundle = columns.bundleNames.length;
      columns.bundleNames.push(line.bundleName);
      bundles.set(line.bundleName, bundle);
    }
    columns.credit[i] = line.kind === "credit" ? 1 : 0;
    columns.occurredAt[i] = line.occurredAt.getTime();
    columns.serial[i] = line.serial;
    columns.businessNames[i] = line.businessName;
    columns.bundle[i] = bundle;
    columns.staffSeats[i] = line.staffSeats;
    columns.cardOperations[i] = line.cardOperations;
    columns.retailCents[i] = line.retailCents;
    columns.discountCents[i] = line.discountCents;
    columns.wholesaleCents[i] = line.wholesaleCents;
    columns.taxCents[i] = line.taxCents;
  }
  return columns;
}

/** The document's input for the worker: the lines packed (see packStatementLines). */
export function statementDocumentInput(input: StatementPdfInput): StatementDocumentInput {
  return { ...input, lines: packStatementLines(input.lines) };
}

function columnBuffers(lines: StatementLineColumns): ArrayBuffer[] {
  return [
    lines.credit,
    lines.occurredAt,
    lines.serial,
    lines.bundle,
    lines.staffSeats,
    lines.cardOperations,
    lines.retailCents,
    lines.discountCents,
    lines.wholesaleCents,
    lines.taxCents,
  ].map((column) => column.buffer as ArrayBuffer);
}

export interface RenderedStatementPdf {
  pdf: Buffer<ArrayBuffer>;
  pageCount: number;
  /** The worker's V8 heap in use when the render ended (for the bench). */
  workerHeapBytes: number;
}

/**
 * A statement as a PDF, rendered in a worker thread of the same pool as the code cards (a
 * slot each). `input` may be a function that loads it: it is called once a slot is granted,
 * while the worker starts, so that loading 10,000 lines and starting the worker overlap.
 * Rejects like renderCodeCardsPdf: RendererBusy, RenderFailed, the signal's reason, and with
 * the loader's own error.
 */
export async function renderStatementPdf(
  input: StatementPdfInput | (() => Promise<StatementPdfInput>),
  { timeoutMs = DEFAULT_TIMEOUT_MS, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<RenderedStatementPdf> {
  const rendered = await renderPooled(
    "statement",
    async () => {
      const documentInput = statementDocumentInput(
        typeof input === "function" ? await input() : input,
      );
      return { input: documentInput, transferList: columnBuffers(documentInput.lines) };
    },
    { timeoutMs, signal },
  );
  return { pdf: rendered.pdf, pageCount: rendered.pageCount, workerHeapBytes: rendered.heapBytes };
}

/** The document's input for loaded cards: every label translated, numbers and dates formatted. */
export function codeCardsInput(
  cards: CodeCardsData,
  { partnerName, locale }: { partnerName: string; locale: ResolvedLocale },
): CodeCardsInput {
  const t = translatorFor(locale.language);
  const number = (value: number) => formatNumber(value, locale.formattingLocale);
  const { bundle } = cards;
  const bundleContent = [
    bundle.staffSeats > 0
      ? t("cards:seats", { count: bundle.staffSeats, formatted: number(bundle.staffSeats) })
      : null,
    bundle.cardOperations > 0
      ? t("cards:operations", {
          count: bundle.cardOperations,
          formatted: number(bundle.cardOperations),
        })
      : null,
    t("cards:months", { count: bundle.termMonths, formatted: number(bundle.termMonths) }),
  ].filter((part): part is string => part !== null);
  // Codes of a batch share their expiry: format each distinct date once.
  const redeemBy = new Map<number, string>();
  return {
    title:
      cards.parts > 1
        ? t("cards:titlePart", { bundle: bundle.name, part: cards.part, parts: cards.parts })
        : t("cards:title", { bundle: bundle.name }),
    author: partnerName,
    creationDate: cards.batch.createdAt,
    partnerName,
    // Thai and Ukrainian labels need glyphs Helvetica lacks (ADR 035).
    unicodeFonts: locale.language !== "en",
    bundleName: bundle.name,
    bundleContent,
    redeemHint: t("cards:redeemHint"),
    cards: cards.codes.map((code) => {
      const day = code.expiresAt.getTime();
      let until = redeemBy.get(day);
      if (until === undefined) {
        until = t("cards:redeemBy", { date: formatDate(code.expiresAt, locale.formattingLocale) });
        redeemBy.set(day, until);
      }
      return {
        code: code.display,
        serialLabel: t("cards:codeNumber", { serial: code.serial }),
        redeemUrl: code.redeemUrl,
        redeemBy: until,
      };
    }),
  };
}
