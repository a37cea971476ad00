// `npm run bench:statements` — the statement PDF and the clients page over HTTP against the
// production build, each beside a baseline measured in the same run:
//   1. a final statement of 10,000 lines: the first download of its PDF (rendered in a worker
//      thread of the server) while a client pings the server every 10 ms — wall time, pages,
//      the server's RSS, ping latency; the second download (from statement_pdfs); the same
//      document rendered in this process through the worker pool while an event-loop delay
//      histogram runs, and on a process's main thread with the default paginator (and with
//      the experimental one), the way a request thread would render it without a worker;
//   2. the clients page loader for a partner with 10,000 clients and 50,000 claimed codes:
//      first page, a deep page (by its cursor), sorted by usage, "nearly used up", a name
//      search — p50/p95 beside the raw-SQL aggregate of the first page.
// Runs on PostgreSQL only: DATABASE_URL is the admin URL (default postgres://root@127.0.0.1:5432/postgres);
// a scratch database bench_statements_<pid> is created, migrated and dropped at the end.
// BENCH_STATEMENTS_SCALE=0.1 makes a quick run (1,000 lines, 1,000 clients); the targets are
// for the full sizes. BENCH_STATEMENTS_ONLY=pdf or =clients runs one section. The figures are
// informational: the exit code is 0 unless something crashed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import pg from "pg";
import { createDb, type DbHandle } from "~db/index.ts";
import { migrateToLatest } from "~db/migrate.ts";
import { hashPassword } from "~/auth/password.server";
import { listClients } from "~/domain/clients/reads.server";
import { statementPdfInput } from "~/domain/statement-pdf.server";
import { finalizeStatements, lastEndedMonth } from "~/domain/statements/finalise.server";
import { getStatement, listStatementLines } from "~/domain/statements/reads.server";
import { generateCode } from "~/lib/activation-code";
import { bundleRetailCents, taxCents, wholesalePrice } from "~/lib/money";
import { statementPeriod } from "~/lib/statement-months";
import type { StatementDocumentInput } from "~/pdf/statement";
import { renderStatementPdf, statementDocumentInput } from "~/pdf/render.server";
import {
  cleanUpOnSignals,
  infoFigure,
  postgresSettingsFigure,
  count,
  createScratchDatabase,
  dropScratchDatabase,
  loadAverage,
  mb,
  ms,
  percentile,
  printMachine,
  ratio,
  Report,
  rssKb,
  say,
  scratchDatabase,
  seconds,
  signIn,
  startPortal,
  type Portal,
} from "./lib.ts";
import { at as rowAt, first as firstRow } from "../../tests/helpers/rows.ts";

const SCALE = Number(process.env.BENCH_STATEMENTS_SCALE) || 1;
const LINES = Math.round(10_000 * SCALE);
/** Credit lines among them (roll-backs in the month). */
const CREDITS = Math.max(1, Math.round(LINES / 500));
const STATEMENT_BUSINESSES = Math.max(10, Math.round(LINES / 4));
const CLIENTS = Math.round(10_000 * SCALE);
const CLIENT_CODES = CLIENTS * 5;
const ONLY = (process.env.BENCH_STATEMENTS_ONLY ?? "pdf,clients").split(",");
/** A main-thread render longer than this is stopped (its process killed) and reported so. */
const MAIN_THREAD_LIMIT_MS = Number(process.env.BENCH_STATEMENTS_MAIN_LIMIT_S) * 1000 || 120_000;
const PING_EVERY_MS = 10;
const CACHE_RUNS = 5;
const CLIENT_RUNS = 100;
const CLIENT_WARMUP = 10;
const PASSWORD = "bench-statements-password-2026";
const PDF_OWNER = "statements-owner@bench.7stamp.test";
const CLIENTS_OWNER = "clients-owner@bench.7stamp.test";
const CLIENTS_ROUTE = "routes/_app.partner.$slug.clients._index";
const ACTOR = { userId: null, label: "bench:statements" };

// ---- Child mode: one render on this process's main thread --------------------------------

interface ChildResult {
  ms: number;
  pages: number;
  bytes: number;
  /** Event-loop delay of this (main) thread while it rendered. */
  delayP99Ms: number;
  delayMaxMs: number;
  /** This process's peak RSS (VmHWM): a fresh process, so the render's peak. */
  hwmKb: number;
  rssBeforeKb: number;
}

if (process.env.BENCH_STATEMENTS_CHILD) {
  const { renderStatement, pdfPageCount } = await import("~/pdf/statement");
  const input = v8.deserialize(
    readFileSync(process.env.BENCH_STATEMENTS_CHILD),
  ) as StatementDocumentInput;
  const experimentalPagination = process.env.BENCH_STATEMENTS_PAGINATION === "experimental";
  const rssBeforeKb = rssKb(process.pid).rss;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  // Let the histogram take a first sample, as it would on a server that is already running.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  const pdf = await renderStatement(input, { experimentalPagination });
  const elapsed = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 20));
  delay.disable();
  const result: ChildResult = {
    ms: elapsed,
    pages: pdfPageCount(pdf),
    bytes: pdf.byteLength,
    delayP99Ms: delay.percentile(99) / 1e6,
    delayMaxMs: delay.max / 1e6,
    hwmKb: rssKb(process.pid).hwm,
    rssBeforeKb,
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

// ---- Database, server, cleanup ------------------------------------------------------------

const scratch = scratchDatabase("bench_statements");
const report = new Report();
const { figures, notes } = report;
const tempDir = mkdtempSync(path.join(os.tmpdir(), "bench-statements-"));

let handle: DbHandle | null = null;
let raw: pg.Client | null = null;
let portal: Portal | null = null;
let cleaned = false;

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  agent.destroy();
  await portal?.stop().catch(() => undefined);
  await raw?.end().catch(() => undefined);
  await handle?.close().catch(() => undefined);
  rmSync(tempDir, { recursive: true, force: true });
  if (process.env.BENCH_STATEMENTS_KEEP === "1") {
    say(`BENCH_STATEMENTS_KEEP=1: database ${scratch.name} kept (drop it yourself)`);
    return;
  }
  await dropScratchDatabase(scratch);
  if (portal) rmSync(portal.tempDir, { recursive: true, force: true });
}

cleanUpOnSignals(cleanup);

async function q<T extends pg.QueryResultRow = Record<string, unknown>>(
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  return (await raw!.query<T>(text, values)).rows;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  ms: number;
}

function send(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(url, { agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
          ms: performance.now() - started,
        }),
      );
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}

const size = (bytes: number) =>
  bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.round(bytes / 1_000)} kB`;

/** Pages of a PDF: the page tree's /Count. */
function pagesOf(pdf: Buffer): number {
  const match = /\/Type \/Pages[^>]{0,200}?\/Count (\d+)/.exec(pdf.toString("latin1"));
  return match ? Number(match[1]) : 0;
}

async function userWithPassword(email: string, name: string): Promise<string> {
  const user = firstRow(
    await q<{ id: string }>(
      "insert into users (email, name, password_hash) values ($1, $2, $3) returning id",
      [email, name, await hashPassword(PASSWORD)],
    ),
    "user",
  );
  return user.id;
}

// ---- Setup: a claimed month for the statement ------------------------------------------

const BUNDLES = [
  { name: "Café Starter", staffSeats: 1, cardOperations: 1_000, termMonths: 12 },
  { name: "Bakery Plus", staffSeats: 2, cardOperations: 2_500, termMonths: 12 },
  { name: "Salon Pro", staffSeats: 3, cardOperations: 5_000, termMonths: 24 },
  { name: "Restaurant Chain 5", staffSeats: 5, cardOperations: 20_000, termMonths: 12 },
  { name: "Trial month", staffSeats: 0, cardOperations: 300, termMonths: 1 },
];
const WORDS = [
  "Aurora",
  "Harbour",
  "Linden",
  "Corner",
  "Maple",
  "Riverside",
  "Sonnenschein",
  "Élan",
  "Lumière",
  "Old Town",
  "Market",
  "Station",
  "Garden",
  "Copper",
  "Saffron",
  "Willow",
];
const KINDS = ["Café", "Bakery", "Salon", "Bistro", "Roastery", "Barber", "Deli", "Pâtisserie"];
const businessName = (i: number) =>
  `${KINDS[i % KINDS.length]} ${WORDS[Math.floor(i / KINDS.length) % WORDS.length]} ${i + 1}`;

/** `n` businesses on the free plan, named like real ones; their ids in order. */
async function businesses(n: number, offset = 0): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => businessName(offset + i));
  const ids: string[] = [];
  for (let done = 0; done < n; done += 5_000) {
    const rows = await q<{ id: string }>(
      `insert into businesses (name, plan_id)
       select name, 'free' from unnest($1::text[]) with ordinality as t(name, ord) order by ord
       returning id`,
      [names.slice(done, done + 5_000)],
    );
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

interface ClaimPlan {
  businessId: string;
  bundle: number;
  claimedAt: Date;
}

/**
 * Bundles, one ready batch each, and claimed codes with their price snapshot and grant,
 * written by SQL in bulk (the claim path itself is bench:usage's subject). Prices come from
 * the same money functions as a claim.
 */
async function claimedCodes(
  partnerId: string,
  { claims, unclaimed, createdAt }: { claims: ClaimPlan[]; unclaimed: number; createdAt: Date },
): Promise<{ bundleIds: string[]; codeIds: number[] }> {
  const partner = firstRow(
    await q<{ discount_bps: number; tax_rate_bps: number }>(
      "select discount_bps, tax_rate_bps from partners where id = $1",
      [partnerId],
    ),
    "partner",
  );
  const prices = firstRow(
    await q<{ staff_seat_month_cents: number; card_operation_cents: number }>(
      "select staff_seat_month_cents, card_operation_cents from price_list order by effective_from desc limit 1",
    ),
    "prices",
  );
  const bundleIds: string[] = [];
  const batchIds: string[] = [];
  for (const bundle of BUNDLES) {
    const { id } = firstRow(
      await q<{ id: string }>(
        `insert into bundles (partner_id, name, staff_seats, card_operations, term_months, code_validity_days)
       values ($1, $2, $3, $4, $5, 365) returning id`,
        [partnerId, bundle.name, bundle.staffSeats, bundle.cardOperations, bundle.termMonths],
      ),
    );
    const perBundle = claims.filter((c) => BUNDLES[c.bundle] === bundle).length + unclaimed;
    const batch = firstRow(
      await q<{ id: string }>(
        `insert into code_batches (partner_id, bundle_id, code_count, generated_count, expires_at, label,
         status, completed_at, created_by_label, created_at)
       values ($1, $2, $3, $3, $4::timestamptz + interval '365 days', 'bench', 'ready', $4, 'bench', $4)
       returning id`,
        [partnerId, id, Math.max(1, perBundle), createdAt],
      ),
      "batch",
    );
    bundleIds.push(id);
    batchIds.push(batch.id);
  }
  const snapshot = BUNDLES.map((bundle) => {
    const price = wholesalePrice(
      bundleRetailCents(bundle, {
        staffSeatMonthCents: Number(prices.staff_seat_month_cents),
        cardOperationCents: Number(prices.card_operation_cents),
      }),
      partner.discount_bps,
    );
    return { ...price, taxCents: taxCents(price.wholesaleCents, partner.tax_rate_bps) };
  });
  const codes = new Set<string>();
  while (codes.size < claims.length + unclaimed * BUNDLES.length) codes.add(generateCode());
  const all = [...codes];
  const codeIds: number[] = [];
  const CHUNK = 5_000;
  for (let done = 0; done < claims.length; done += CHUNK) {
    const chunk = claims.slice(done, done + CHUNK);
    const rows = await q<{ id: string }>(
      `insert into activation_codes (code, partner_id, bundle_id, batch_id, status, expires_at, created_at,
         claimed_at, retail_cents, discount_bps, discount_cents, wholesale_cents, tax_rate_bps, tax_cents)
       select t.code, $1, t.bundle_id, t.batch_id, 'claimed', $2::timestamptz + interval '365 days', $2,
         t.claimed_at, t.retail, $3, t.discount, t.wholesale, $4, t.tax
       from unnest($5::text[], $6::uuid[], $7::uuid[], $8::timestamptz[], $9::int8[], $10::int8[],
         $11::int8[], $12::int8[]) with ordinality
         as t(code, bundle_id, batch_id, claimed_at, retail, discount, wholesale, tax, ord)
       order by ord
       returning id`,
      [
        partnerId,
        createdAt,
        partner.discount_bps,
        partner.tax_rate_bps,
        all.slice(done, done + chunk.length),
        chunk.map((c) => bundleIds[c.bundle]),
        chunk.map((c) => batchIds[c.bundle]),
        chunk.map((c) => c.claimedAt),
        chunk.map((c) => rowAt(snapshot, c.bundle, "bundle").retailCents),
        chunk.map((c) => rowAt(snapshot, c.bundle, "bundle").discountCents),
        chunk.map((c) => rowAt(snapshot, c.bundle, "bundle").wholesaleCents),
        chunk.map((c) => rowAt(snapshot, c.bundle, "bundle").taxCents),
      ],
    );
    const ids = rows.map((r) => Number(r.id));
    codeIds.push(...ids);
    await q(
      `insert into grants (business_id, source, activation_code_id, partner_id, staff_seats,
         card_operations, starts_at, ends_at, created_at)
       select t.business_id, 'code', t.code_id, $1, t.seats, t.operations, t.claimed_at,
         t.claimed_at + make_interval(months => t.term), t.claimed_at
       from unnest($2::uuid[], $3::int8[], $4::int[], $5::int[], $6::timestamptz[], $7::int[])
         as t(business_id, code_id, seats, operations, claimed_at, term)`,
      [
        partnerId,
        chunk.map((c) => c.businessId),
        ids,
        chunk.map((c) => rowAt(BUNDLES, c.bundle, "bundle").staffSeats),
        chunk.map((c) => rowAt(BUNDLES, c.bundle, "bundle").cardOperations),
        chunk.map((c) => c.claimedAt),
        chunk.map((c) => rowAt(BUNDLES, c.bundle, "bundle").termMonths),
      ],
    );
  }
  if (unclaimed > 0) {
    await q(
      `insert into activation_codes (code, partner_id, bundle_id, batch_id, expires_at, created_at)
       select t.code, $1, t.bundle_id, t.batch_id, $2::timestamptz + interval '365 days', $2
       from unnest($3::text[], $4::uuid[], $5::uuid[]) as t(code, bundle_id, batch_id)`,
      [
        partnerId,
        createdAt,
        all.slice(claims.length),
        all.slice(claims.length).map((_, i) => bundleIds[i % BUNDLES.length]),
        all.slice(claims.length).map((_, i) => batchIds[i % BUNDLES.length]),
      ],
    );
  }
  return { bundleIds, codeIds };
}

interface PdfSetup {
  slug: string;
  partnerId: string;
  statementId: string;
  number: string;
  lineCount: number;
}

async function setupStatement(db: DbHandle["db"]): Promise<PdfSetup> {
  const month = lastEndedMonth(new Date());
  const period = statementPeriod(month);
  say(`setup: a partner with ${count(LINES)} claims in ${month} (${count(CREDITS)} rolled back)…`);
  const partner = firstRow(
    await q<{ id: string; slug: string }>(
      `insert into partners (name, slug, type, statement_prefix, tax_rate_bps, locale, contact_name,
       contact_email, special_terms, created_at)
     values ('Brewline Agency (bench)', 'bench-statements', 'marketing_agency', 'BRW', 2300, 'en-IE',
       'Aoife Byrne', 'accounts@brewline.example', 'Payment within 30 days of the statement.', $1)
     returning id, slug`,
      [period.start],
    ),
    "partner",
  );
  const owner = await userWithPassword(PDF_OWNER, "Statements Owner");
  await q("insert into partner_members (partner_id, user_id, role) values ($1, $2, 'owner')", [
    partner.id,
    owner,
  ]);
  const businessIds = await businesses(STATEMENT_BUSINESSES);
  const span = period.end.getTime() - period.start.getTime() - 86_400_000;
  const claims: ClaimPlan[] = Array.from({ length: LINES - CREDITS }, (_, i) => ({
    businessId: rowAt(businessIds, i % businessIds.length, "business"),
    bundle: i % 7 === 0 ? 3 : i % 5,
    // Spread over the month, in order.
    claimedAt: new Date(period.start.getTime() + Math.floor((span * i) / LINES)),
  }));
  const { codeIds } = await claimedCodes(partner.id, {
    claims,
    unclaimed: 100,
    createdAt: period.start,
  });
  // Roll-backs late in the month: credit lines.
  await q(
    `insert into claim_rollbacks (activation_code_id, partner_id, business_id, grant_id, rolled_back_at, reason)
     select g.activation_code_id, $1, g.business_id, g.id,
       $2::timestamptz + (row_number() over (order by g.activation_code_id)) * interval '1 minute', 'bench'
     from grants g where g.activation_code_id = any($3::int8[])`,
    [partner.id, new Date(period.end.getTime() - 2 * 86_400_000), codeIds.slice(0, CREDITS)],
  );
  const started = performance.now();
  const final = firstRow(
    (
      await finalizeStatements(db, { partnerId: partner.id, month, actor: ACTOR, now: new Date() })
    ).filter((f) => f.month === month),
    "statement of the month",
  );
  say(
    `setup: ${final.number} finalised through the domain in ${seconds(performance.now() - started)}`,
  );
  const statement = await getStatement(db, {
    partnerId: partner.id,
    statementId: final.statementId,
  });
  return {
    slug: partner.slug,
    partnerId: partner.id,
    statementId: final.statementId,
    number: final.number,
    lineCount: statement.lineCount,
  };
}

// ---- Setup: 10,000 clients with 50,000 claims -------------------------------------------------

interface ClientsSetup {
  slug: string;
  partnerId: string;
}

async function setupClients(): Promise<ClientsSetup> {
  say(`setup: a partner with ${count(CLIENTS)} clients and ${count(CLIENT_CODES)} claimed codes…`);
  const now = Date.now();
  const partner = firstRow(
    await q<{ id: string; slug: string }>(
      `insert into partners (name, slug, type, statement_prefix, created_at)
     values ('Clients bench', 'bench-clients', 'pos_vendor', 'BCL', now() - interval '2 years')
     returning id, slug`,
    ),
    "partner",
  );
  const owner = await userWithPassword(CLIENTS_OWNER, "Clients Owner");
  await q("insert into partner_members (partner_id, user_id, role) values ($1, $2, 'owner')", [
    partner.id,
    owner,
  ]);
  const businessIds = await businesses(CLIENTS, 1_000);
  // Five claims per client over the past 14 months: some grants have ended, most are active.
  const claims: ClaimPlan[] = Array.from({ length: CLIENT_CODES }, (_, i) => ({
    businessId: rowAt(businessIds, i % CLIENTS, "business"),
    bundle: (i * 7) % BUNDLES.length,
    claimedAt: new Date(now - (((i * 7919) % 420) + 1) * 86_400_000),
  }));
  await claimedCodes(partner.id, {
    claims,
    unclaimed: 0,
    createdAt: new Date(now - 430 * 86_400_000),
  });
  // Usage on the grants, as the write path keeps it: all-time used, this month, last activity.
  await q(
    `update grants g set
       card_operations_used = least(g.card_operations, (g.card_operations * ((h % 100) + 1)) / 100),
       last_operation_at = now() - (h % 90) * interval '1 hour',
       usage_month = date_trunc('month', now() at time zone 'utc')::date,
       card_operations_used_in_month = least(g.card_operations, (g.card_operations * (h % 23)) / 100)
     from (select id, abs(hashtext(id::text)) as h from grants where partner_id = $1) s
     where s.id = g.id`,
    [partner.id],
  );
  return { slug: partner.slug, partnerId: partner.id };
}

// ---- 1. The statement PDF -----------------------------------------------------------------

/** Pings GET `url` every PING_EVERY_MS until stopped; latencies of the answers. */
function pinger(url: string) {
  const latencies: number[] = [];
  let failures = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const answer = await send(url);
        if (answer.status === 200) latencies.push(answer.ms);
        else failures += 1;
      } catch {
        failures += 1;
      }
      const wait = PING_EVERY_MS - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { latencies, failures };
    },
  };
}

/** The peak RSS of a process, sampled every 50 ms until stopped. */
function rssSampler(pid: number) {
  let peak = rssKb(pid).rss;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssKb(pid).rss);
    } catch {
      // the process ended
    }
  }, 50);
  return () => {
    clearInterval(timer);
    try {
      peak = Math.max(peak, rssKb(pid).rss);
    } catch {
      // the process ended
    }
    return peak;
  };
}

/** Renders in a fresh Node process, on its main thread; killed after MAIN_THREAD_LIMIT_MS. */
async function renderInChild(
  inputFile: string,
  pagination: "default" | "experimental",
): Promise<(ChildResult & { peakRssKb: number }) | { killedAfterMs: number; peakRssKb: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      // The bench's imports parse the environment, which production wants a secret in.
      SESSION_SECRET: "bench-statements-child-secret-0123456789",
      BENCH_STATEMENTS_CHILD: inputFile,
      BENCH_STATEMENTS_PAGINATION: pagination,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const sample = rssSampler(child.pid!);
  let killed = false;
  const started = performance.now();
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, MAIN_THREAD_LIMIT_MS);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  const peakRssKb = sample();
  if (killed) return { killedAfterMs: performance.now() - started, peakRssKb };
  const line = out.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
  if (code !== 0 || !line) {
    throw new Error(`main-thread render (${pagination}) exited ${code}:\n${err.slice(-2000)}`);
  }
  return { ...(JSON.parse(line.slice("BENCH_RESULT ".length)) as ChildResult), peakRssKb };
}

async function benchPdf(s: PdfSetup, db: DbHandle["db"], baseUrl: string, pid: number) {
  const section = `1. Statement PDF, ${count(s.lineCount)} lines (${s.number})`;
  const cookie = await signIn(baseUrl, PDF_OWNER, PASSWORD);
  const url = `${baseUrl}/partner/${s.slug}/statements/${s.statementId}.pdf`;
  const pingUrl = `${baseUrl}/favicon.svg`;

  // Warm the server (routes loaded, pool connected) and the ping path first.
  await send(`${baseUrl}/partner/${s.slug}`, { Cookie: cookie });
  for (let i = 0; i < 20; i++) await send(pingUrl);
  const idle = rssKb(pid).rss;

  say("pdf: first download (rendered in the server's worker) while pinging every 10 ms…");
  const ping = pinger(pingUrl);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const sample = rssSampler(pid);
  const first = await send(url, { Cookie: cookie });
  const peak = sample();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const pings = await ping.stop();
  if (first.status !== 200) {
    throw new Error(`GET ${url} answered ${first.status}: ${first.body.toString("utf8", 0, 300)}`);
  }
  const pages = pagesOf(first.body);
  say(`pdf: ${seconds(first.ms)}, ${count(pages)} pages, ${size(first.body.byteLength)}`);

  const cached: number[] = [];
  for (let i = 0; i < CACHE_RUNS; i++) {
    const again = await send(url, { Cookie: cookie });
    if (!again.body.equals(first.body))
      throw new Error("the second download differs from the first");
    cached.push(again.ms);
  }

  // The same document in this process: the domain's input, the pool's worker.
  say("pdf: the same render in this process through the worker pool, event-loop delay on…");
  const loadStarted = performance.now();
  const statement = await getStatement(db, { partnerId: s.partnerId, statementId: s.statementId });
  const { lines } = await listStatementLines(db, {
    partnerId: s.partnerId,
    statement,
    limit: null,
  });
  const loadMs = performance.now() - loadStarted;
  const input = statementPdfInput(statement, lines);
  const packStarted = performance.now();
  const documentInput = statementDocumentInput(input);
  const packMs = performance.now() - packStarted;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const benchIdle = rssKb(process.pid).rss;
  const benchSample = rssSampler(process.pid);
  delay.enable();
  const inProcessStarted = performance.now();
  const inProcess = await renderStatementPdf(input);
  const inProcessMs = performance.now() - inProcessStarted;
  delay.disable();
  const benchPeak = benchSample();
  if (!inProcess.pdf.equals(first.body)) {
    notes.push("The in-process render's bytes differ from the server's: determinism broken?");
  }

  const inputFile = path.join(tempDir, "statement-input.v8");
  writeFileSync(inputFile, v8.serialize(documentInput));
  say("pdf: main thread, experimental paginator (a fresh process)…");
  const mainExperimental = await renderInChild(inputFile, "experimental");
  say(
    `pdf: main thread, default paginator (a fresh process, stopped after ${seconds(MAIN_THREAD_LIMIT_MS)})…`,
  );
  const mainDefault = await renderInChild(inputFile, "default");

  const baselineText = (r: Awaited<ReturnType<typeof renderInChild>>) =>
    "killedAfterMs" in r
      ? `> ${seconds(r.killedAfterMs)} (stopped) · RSS ≥ ${mb(r.peakRssKb)}`
      : `${seconds(r.ms)} · ${count(r.pages)} pages · RSS peak ${mb(r.hwmKb)}`;
  const baselineMs = (r: Awaited<ReturnType<typeof renderInChild>>) =>
    "killedAfterMs" in r ? r.killedAfterMs : r.ms;
  const delayText = (r: Awaited<ReturnType<typeof renderInChild>>) =>
    "killedAfterMs" in r
      ? `loop blocked > ${seconds(r.killedAfterMs)}`
      : `loop delay p99 ${ms(r.delayP99Ms)} · max ${ms(r.delayMaxMs)}`;

  const p99 = percentile(pings.latencies, 99);
  figures.push(
    {
      section,
      name: "first download over HTTP (worker render), wall time",
      value: `${seconds(first.ms)} · ${count(pages)} pages · ${size(first.body.byteLength)}`,
      baseline: `main thread, default paginator: ${baselineText(mainDefault)}`,
      ratio: ratio(first.ms, baselineMs(mainDefault)),
      target: "< 5 s",
      verdict: first.ms < 5_000 ? "PASS" : "FAIL",
    },
    {
      section,
      name: "server RSS during that render (peak − before)",
      value: `+${mb(peak - idle)} (before ${mb(idle)}, peak ${mb(peak)})`,
      baseline: "—",
      ratio: "—",
      target: "< 500 MB",
      verdict: peak - idle < 500 * 1024 ? "PASS" : "FAIL",
    },
    {
      section,
      name: `pings GET /favicon.svg every ${PING_EVERY_MS} ms meanwhile`,
      value:
        `${count(pings.latencies.length)} answered · p50 ${ms(percentile(pings.latencies, 50))} · ` +
        `p99 ${ms(p99)} · max ${ms(Math.max(...pings.latencies))}` +
        (pings.failures > 0 ? ` · ${pings.failures} FAILED` : ""),
      baseline: `main thread, default: ${delayText(mainDefault)}`,
      ratio: "—",
      target: "p99 < 50 ms",
      verdict: p99 < 50 && pings.failures === 0 ? "PASS" : "FAIL",
    },
    infoFigure(
      section,
      "second download (statement_pdfs), p50 of 5",
      `${ms(percentile(cached, 50))} · max ${ms(Math.max(...cached))}`,
    ),
    {
      section,
      name: "in-process render via the worker pool",
      value:
        `${seconds(inProcessMs)} · loop delay p99 ${ms(delay.percentile(99) / 1e6)} · ` +
        `max ${ms(delay.max / 1e6)}`,
      baseline: `main thread, default: ${delayText(mainDefault)}`,
      ratio: ratio(inProcessMs, baselineMs(mainDefault)),
      target: "loop p99 < 50 ms",
      verdict: delay.percentile(99) / 1e6 < 50 ? "PASS" : "FAIL",
    },
    infoFigure(
      section,
      "  its memory: worker heap at the end · process RSS Δ",
      `${mb(inProcess.workerHeapBytes / 1024)} · +${mb(benchPeak - benchIdle)}`,
    ),
    infoFigure(
      section,
      "main thread, experimental paginator (no worker)",
      baselineText(mainExperimental),
      delayText(mainExperimental),
    ),
  );
  notes.push(
    `PDF: signed in as the partner owner; GET /partner/{slug}/statements/{id}.pdf. The first download ` +
      `loads the statement and its ${count(s.lineCount)} lines (${ms(loadMs)} from this process, while the ` +
      `worker starts), packs them (${ms(packMs)} on the calling thread) and renders them in a worker thread ` +
      `with <Page experimentalPagination>, then stores ` +
      `the PDF; later downloads read statement_pdfs (the bytes were compared: identical). Memory: the ` +
      `server's RSS (worker threads included) sampled from /proc every 50 ms, minus its RSS just before; ` +
      `the worker's own V8 heap is reported by the worker when the render ends. Pings: one client, a new ` +
      `request 10 ms after the previous one started (static file through Express: the event loop's ` +
      `answer time). Baselines: the same document input (v8-serialised) rendered by a fresh Node process on ` +
      `its main thread — as a request handler would without a worker — with the default paginator and ` +
      `with the experimental one; its loop delay is that thread's (monitorEventLoopDelay, 10 ms resolution; ` +
      `a render blocks it for its whole length) and its memory the process's VmHWM. Ratio = figure ÷ ` +
      `baseline (time).`,
  );
}

// ---- 2. The clients page loader ---------------------------------------------------------------

async function benchClients(s: ClientsSetup, db: DbHandle["db"], baseUrl: string) {
  const section = `2. Clients page loader, ${count(CLIENTS)} clients, ${count(CLIENT_CODES)} claimed codes`;
  const cookie = await signIn(baseUrl, CLIENTS_OWNER, PASSWORD);
  const page = `${baseUrl}/partner/${s.slug}/clients.data`;
  const withRoute = (query: string) =>
    `${page}?${query ? `${query}&` : ""}_routes=${encodeURIComponent(CLIENTS_ROUTE)}`;
  // A deep page: the cursor after 100 pages of 50 (or half the list on a small run).
  let deepCursor: string | null = null;
  const deepPages = Math.min(100, Math.floor(CLIENTS / 50 / 2));
  for (let i = 0; i < deepPages; i++) {
    const next: { nextCursor: string | null } = await listClients(db, {
      partnerId: s.partnerId,
      cursor: deepCursor,
      limit: 50,
      now: new Date(),
    });
    deepCursor = next.nextCursor;
  }
  const variants: [string, string][] = [
    ["first page, by name", ""],
    [`page ${deepPages + 1} by its cursor`, `cursor=${encodeURIComponent(deepCursor ?? "")}`],
    ["sorted by usage", "sort=usage"],
    ["filter: nearly used up", "filter=nearly_used_up"],
    ["search: a name", "search=roastery+harbour"],
  ];
  const sample = async (run: () => Promise<void>) => {
    for (let i = 0; i < CLIENT_WARMUP; i++) await run();
    const samples: number[] = [];
    for (let i = 0; i < CLIENT_RUNS; i++) {
      const started = performance.now();
      await run();
      samples.push(performance.now() - started);
    }
    return samples;
  };
  const baselineSql = `
    select c.*, b.name as business_name from (
      select g.business_id, count(*) as codes_claimed,
        count(*) filter (where g.starts_at <= now() and g.ends_at > now() and r.activation_code_id is null) as active_codes,
        sum(g.staff_seats) filter (where g.starts_at <= now() and g.ends_at > now()) as seats,
        sum(g.card_operations) as granted, sum(g.card_operations_used) as used,
        sum(g.card_operations_used_in_month) as used_this_month,
        max(g.last_operation_at) as last_activity_at, min(g.ends_at) as soonest_ends_at
      from grants g
      left join claim_rollbacks r on r.activation_code_id = g.activation_code_id and r.partner_id = $1
      where g.partner_id = $1
      group by g.business_id
    ) c join businesses b on b.id = c.business_id
    order by lower(b.name), c.business_id
    limit 51`;
  const base = await sample(async () => {
    await q(baselineSql, [s.partnerId]);
  });
  say(`clients: raw SQL p50 ${ms(percentile(base, 50))}`);
  for (const [name, query] of variants) {
    const url = withRoute(query);
    const samples = await sample(async () => {
      const answer = await send(url, { Cookie: cookie });
      if (answer.status !== 200 || !answer.body.includes("businessName")) {
        throw new Error(
          `GET ${url} answered ${answer.status}: ${answer.body.toString("utf8", 0, 300)}`,
        );
      }
    });
    const p95 = percentile(samples, 95);
    say(`clients: ${name} p50 ${ms(percentile(samples, 50))} p95 ${ms(p95)}`);
    figures.push({
      section,
      name,
      value: `p50 ${ms(percentile(samples, 50))} · p95 ${ms(p95)}`,
      baseline: `p50 ${ms(percentile(base, 50))} · p95 ${ms(percentile(base, 95))}`,
      ratio: ratio(percentile(samples, 50), percentile(base, 50)),
      target: "p95 < 100 ms",
      verdict: p95 < 100 ? "PASS" : "FAIL",
    });
  }
  notes.push(
    `Clients: signed in as the partner owner; GET /partner/{slug}/clients.data?…&_routes=${CLIENTS_ROUTE} ` +
      `(the loader alone: session, membership, listClients, first page of 50). ${CLIENT_RUNS} runs after ` +
      `${CLIENT_WARMUP} warm-ups each, sequential, keep-alive. Data: ${count(CLIENTS)} businesses with five claims ` +
      `each over the past 14 months (some grants ended), usage counters on every grant; no members, so ` +
      `occupied seats are 0. The deep page's cursor comes from walking ${deepPages} pages with listClients. ` +
      `Baseline: the aggregate over the partner's grants (grouped by business, joined to the names, ` +
      `first 51 by name) as one raw query; ratio = p50 / baseline p50.`,
  );
}

// ---- Main ---------------------------------------------------------------------------------------

async function main() {
  const startedAll = performance.now();
  await createScratchDatabase(scratch);
  handle = createDb({ url: scratch.url, maxConnections: 4 });
  raw = new pg.Client({ connectionString: scratch.url, options: "-c jit=off" });
  await raw.connect();
  await migrateToLatest(handle.db);
  const settings = await printMachine("7stamp bench:statements", raw, scratch, [
    "shared_buffers",
    "work_mem",
  ]);
  const setupStarted = performance.now();
  const pdf = ONLY.includes("pdf") ? await setupStatement(handle.db) : null;
  const clients = ONLY.includes("clients") ? await setupClients() : null;
  say("setup: VACUUM (ANALYZE)…");
  await q("vacuum (analyze)");
  say(`setup took ${seconds(performance.now() - setupStarted)}`);

  portal = await startPortal({ databaseUrl: scratch.url, name: "statements" });
  const { pid } = portal;
  const idle = rssKb(pid).rss;
  try {
    if (pdf) await benchPdf(pdf, handle.db, portal.baseUrl, pid);
    if (clients) await benchClients(clients, handle.db, portal.baseUrl);
  } catch (error) {
    console.error(`bench: server log tail:\n${portal.logTail()}`);
    throw error;
  } finally {
    const { rss, hwm } = rssKb(pid);
    figures.push(
      infoFigure(
        "Context",
        "server RSS",
        `idle ${mb(idle)} · at the end ${mb(rss)} · peak ${mb(hwm)}`,
      ),
    );
    figures.push(postgresSettingsFigure(settings));
  }
  notes.push(
    `Everything runs on this machine: the bench's clients, the server (one Node process; PDF renders in ` +
      `its worker threads) and PostgreSQL share ${os.cpus().length} cores. Scale ${SCALE}. Whole run: ` +
      `${seconds(performance.now() - startedAll)}; load average at the end ${loadAverage()}.`,
  );
  report.print();
}

try {
  await main();
} catch (error) {
  report.print();
  console.error("\nbench: crashed:", error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
