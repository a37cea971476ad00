// `npm run bench:codes` — the activation-code figures of issue 3, each next to a raw-SQL
// baseline measured in the same run on the same database:
//   1. a 1,000,000-code batch through the real domain path (generateBatch + the job's
//      continueBatchGeneration) at two chunk sizes, vs chunked INSERT … SELECT generate_series;
//   2. the 10,000-code synchronous path end to end over HTTP (the form and the API);
//   3. the codes page loader and the API list at a million codes: p50/p95;
//   4. the streamed CSV export: time and the server process's memory.
// `npm run bench:codes -- --csv [--codes N] [--runs N] [--profile]` measures only the codes CSV download
// (1,110,000 codes by default) against psql \copy of the very query the server's COPY runs.
// Runs on PostgreSQL only: DATABASE_URL is the admin URL (default postgres://root@127.0.0.1:5432/postgres);
// a scratch database bench_codes_<pid> is created, migrated and dropped at the end, even on failure.
// The figures are informational: the exit code is 0 unless something crashed.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createDb, type DbHandle } from "~db/index.ts";
import { migrateToLatest } from "~db/migrate.ts";
import { hashPassword } from "~/auth/password.server";
import { createApiKey } from "~/domain/api-keys.server";
import { continueBatchGeneration, generateBatch } from "~/domain/batches/generation.server";
import { formatCode } from "~/lib/activation-code";
import { codesPaging } from "~/domain/codes/reads.server";
import { codesCsvSelectSql } from "~/domain/codes/csv.server";
import {
  checkpoint as checkpointOn,
  cleanUpOnSignals,
  count,
  cpuMeter,
  infoFigure,
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
  signIn as signInAs,
  startPortal as startPortalOn,
  timed,
  type Portal,
} from "./lib.ts";
import { at as rowAt, first as firstRow } from "../../tests/helpers/rows.ts";

/** BENCH_CODES_COUNT=100000 makes a quick smoke run (the targets are for the full million). */
const MILLION = Number(process.env.BENCH_CODES_COUNT) || 1_000_000;
const SYNC_COUNT = 10_000;
const CSV_SMALL = MILLION / 10;
const CHUNK_SIZES = [10_000, 50_000];
const READ_RUNS = 50;
const READ_WARMUP = 3;
const SYNC_RUNS = 5;
const PASSWORD = "bench-codes-password-2026";
const OWNER_EMAIL = "owner@bench.7stamp.test";

const scratch = scratchDatabase("bench_codes");
const dbName = scratch.name;
const benchUrl = scratch.url;

// ---- Figures and the table ----------------------------------------------------------------

const report = new Report();
const { figures, notes } = report;

// ---- Database, server, cleanup -------------------------------------------------------------

let handle: DbHandle | null = null;
let raw: pg.Client | null = null;
let portal: Portal | null = null;
let cleaned = false;

async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await portal?.stop().catch(() => undefined);
  await raw?.end().catch(() => undefined);
  await handle?.close().catch(() => undefined);
  if (process.env.BENCH_CODES_KEEP === "1") {
    say(`BENCH_CODES_KEEP=1: database ${dbName} kept (drop it yourself)`);
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

async function checkpoint() {
  await checkpointOn(raw!, notes);
}

// ---- Setup: machine, schema, partners -------------------------------------------------------

interface Partner {
  id: string;
  slug: string;
  bundleId: string;
}

async function setup(): Promise<{
  owner: { id: string; email: string };
  a: Partner;
  a2: string;
  b: Partner;
  c: Partner;
}> {
  const owner = firstRow(
    await q<{ id: string; email: string }>(
      "insert into users (email, name, password_hash) values ($1, 'Bench Owner', $2) returning id, email",
      [OWNER_EMAIL, await hashPassword(PASSWORD)],
    ),
    "owner",
  );
  const partner = async (
    slug: string,
    name: string,
    prefix: string,
    bundle: string,
  ): Promise<Partner> => {
    const row = firstRow(
      await q<{ id: string }>(
        `insert into partners (name, slug, type, statement_prefix) values ($1, $2, 'pos_vendor', $3) returning id`,
        [name, slug, prefix],
      ),
      "row",
    );
    await q("insert into partner_members (partner_id, user_id, role) values ($1, $2, 'owner')", [
      row.id,
      owner.id,
    ]);
    return { id: row.id, slug, bundleId: await newBundle(row.id, bundle) };
  };
  const a = await partner("bench-a", "Bench A (the million)", "BENCHA", "Café Starter");
  // Partner A's oldest codes: 1% of the million in a batch that has expired (codes expire with it).
  const expiredBatch = await baselineBatch(a, MILLION / 100, "expired", -1);
  await baselineInsert(a, expiredBatch, MILLION / 100, MILLION / 100);
  const a2 = await newBundle(a.id, "POS Pro");
  const b = await partner("bench-baseline", "Bench B (baselines, 50k chunks)", "BENCHB", "Filler");
  const c = await partner("bench-sync", "Bench C (10k sync path)", "BENCHC", "Sync");
  return { owner, a, a2, b, c };
}

async function newBundle(partnerId: string, name: string): Promise<string> {
  const row = firstRow(
    await q<{ id: string }>(
      `insert into bundles (partner_id, name, staff_seats, card_operations, term_months, code_validity_days)
     values ($1, $2, 2, 1000, 12, 365) returning id`,
      [partnerId, name],
    ),
    "row",
  );
  return row.id;
}

// ---- 1. Generating a million codes ----------------------------------------------------------

/** 16 symbols of the code alphabet (upper-case hex is a subset of it), made by the server. */
const SQL_CODE = `translate(upper(left(gen_random_uuid()::text, 18)), '-', '')`;

async function baselineBatch(
  partner: { id: string; bundleId: string },
  total: number,
  label: string,
  expiryDays = 365,
): Promise<string> {
  const batch = firstRow(
    await q<{ id: string }>(
      `insert into code_batches (partner_id, bundle_id, code_count, generated_count, expires_at, label,
       status, completed_at, created_by_label)
     values ($1, $2, $3, $3, now() + make_interval(days => $5), $4, 'ready', now(), 'bench baseline')
     returning id`,
      [partner.id, partner.bundleId, total, label, expiryDays],
    ),
    "batch",
  );
  return batch.id;
}

/** INSERT … SELECT from generate_series, `chunk` rows per statement (autocommit each). */
async function baselineInsert(
  partner: { id: string; bundleId: string },
  batchId: string,
  rows: number,
  chunk: number,
): Promise<number> {
  const started = performance.now();
  for (let done = 0; done < rows; done += chunk) {
    await q(
      `insert into activation_codes (code, partner_id, bundle_id, batch_id, expires_at)
       select ${SQL_CODE}, $1, $2, $3, cb.expires_at from generate_series(1, $4), code_batches cb
       where cb.id = $3`,
      [partner.id, partner.bundleId, batchId, Math.min(chunk, rows - done)],
    );
  }
  return performance.now() - started;
}

async function domainMillion(
  db: DbHandle["db"],
  partner: Partner,
  owner: { id: string; email: string },
  chunkSize: number,
): Promise<{ ms: number; batchId: string }> {
  const started = performance.now();
  const { batch } = await generateBatch(db, {
    partnerId: partner.id,
    bundleId: partner.bundleId,
    input: {
      count: MILLION,
      prefix: null,
      expiresAt: null,
      label: `domain ${chunkSize}`,
      recipient: null,
    },
    actor: { userId: owner.id, label: owner.email },
    now: new Date(),
  });
  const outcome = await continueBatchGeneration(db, {
    batchId: batch.id,
    chunkSize,
    clock: () => new Date(),
  });
  const elapsed = performance.now() - started;
  const check = firstRow(
    await q<{ status: string; generated_count: number; n: string }>(
      `select status, generated_count, (select count(*) from activation_codes where batch_id = $1) as n
     from code_batches where id = $1`,
      [batch.id],
    ),
    "check",
  );
  if (outcome !== "completed" || check.status !== "ready" || Number(check.n) !== MILLION) {
    throw new Error(`domain batch did not complete: ${outcome}, ${JSON.stringify(check)}`);
  }
  return { ms: elapsed, batchId: batch.id };
}

async function benchGeneration(
  db: DbHandle["db"],
  owner: { id: string; email: string },
  a: Partner,
  b: Partner,
): Promise<string> {
  const section = `1. Generate a ${count(MILLION)}-code batch (PostgreSQL)`;
  let millionBatchId = "";
  // In each pair the baseline runs first: the domain run then inserts into a table (and a
  // unique index on random codes) one batch larger, which only counts against it.
  for (const chunk of CHUNK_SIZES) {
    await checkpoint();
    const baseBatch = await baselineBatch(b, MILLION, `baseline ${chunk}`);
    say(`baseline: ${count(MILLION)} rows in ${count(chunk)}-row INSERT … SELECT statements…`);
    const baseMs = await baselineInsert(b, baseBatch, MILLION, chunk);
    say(`baseline: ${seconds(baseMs)}`);
    await checkpoint();
    // The 10k run — the job's default chunk size — is partner A's million, read in part 3.
    const target = chunk === CHUNK_SIZES[0] ? a : b;
    say(`domain: generateBatch + continueBatchGeneration, chunkSize ${count(chunk)}…`);
    const domain = await domainMillion(db, target, owner, chunk);
    say(`domain: ${seconds(domain.ms)}`);
    if (target === a) millionBatchId = domain.batchId;
    const within = domain.ms < 15_000 && domain.ms <= 1.5 * baseMs;
    figures.push({
      section,
      name: `domain path, chunkSize ${count(chunk)}`,
      value: `${seconds(domain.ms)} · ${count(MILLION / (domain.ms / 1000))} codes/s`,
      baseline: `${seconds(baseMs)} · ${count(MILLION / (baseMs / 1000))} rows/s`,
      ratio: ratio(domain.ms, baseMs),
      target: "< 15 s and ≤ 1.50×",
      verdict: within ? "PASS" : "FAIL",
    });
  }
  const { n } = firstRow(await q<{ n: string }>("select count(*) as n from activation_codes"));
  notes.push(
    `Generation: baseline = ${count(MILLION)} rows of the same shape (16-symbol code, partner, bundle, batch, expiry) ` +
      `inserted by INSERT … SELECT generate_series in chunks of the same size, codes made by the server ` +
      `(no network transfer, no ON CONFLICT), into the same table with all its indexes. In each pair the ` +
      `baseline ran first, so the domain run always inserted into a table one batch larger. ` +
      `CHECKPOINT before every run. activation_codes held ${count(Number(n))} rows afterwards.`,
  );
  return millionBatchId;
}

// ---- The server -------------------------------------------------------------------------------

async function startPortal(): Promise<Portal> {
  portal = await startPortalOn({ databaseUrl: benchUrl, name: "codes" });
  return portal;
}

const signIn = (baseUrl: string) => signInAs(baseUrl, OWNER_EMAIL, PASSWORD);

// ---- 2. The synchronous 10,000-code path ----------------------------------------------------

async function benchSync(baseUrl: string, cookie: string, token: string, c: Partner) {
  const section = "2. 10,000 codes in the request (HTTP, end to end)";
  const formUrl = `${baseUrl}/partner/${c.slug}/bundles/${c.bundleId}/generate`;
  const form = () =>
    timed(formUrl, {
      method: "POST",
      headers: {
        Cookie: cookie,
        Origin: baseUrl,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        count: String(SYNC_COUNT),
        prefix: "",
        expiresOn: "",
        label: "bench",
        recipient: "",
      }),
    });
  const api = () =>
    timed(`${baseUrl}/api/v1/bundles/${c.bundleId}/codes`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ count: SYNC_COUNT }),
    });
  const baseBatch = await baselineBatch(c, SYNC_COUNT * (SYNC_RUNS + 1), "baseline sync");
  const baseline = async () => {
    const started = performance.now();
    const rows = await q(
      `insert into activation_codes (code, partner_id, bundle_id, batch_id, expires_at)
       select ${SQL_CODE}, $1, $2, $3, now() + interval '365 days' from generate_series(1, $4)
       returning id, code`,
      [c.id, c.bundleId, baseBatch, SYNC_COUNT],
    );
    if (rows.length !== SYNC_COUNT) throw new Error("baseline sync insert short");
    return performance.now() - started;
  };

  const runs = async (
    label: string,
    run: () => Promise<{ ms: number; status: number; body: string }>,
    ok: number,
  ) => {
    const samples: number[] = [];
    for (let i = 0; i <= SYNC_RUNS; i++) {
      const result = await run();
      if (result.status !== ok) {
        throw new Error(
          `${label} answered ${result.status} (expected ${ok}): ${result.body.slice(0, 300)}`,
        );
      }
      if (i > 0) samples.push(result.ms); // the first run warms the route up
    }
    return samples;
  };
  say(`sync: ${SYNC_RUNS} + 1 warm-up runs each of the form, the API and the raw insert…`);
  const formMs = await runs("the generate form", form, 302);
  const apiMs = await runs("POST /api/v1/bundles/{id}/codes", api, 201);
  const baseMs: number[] = [];
  for (let i = 0; i <= SYNC_RUNS; i++) {
    const elapsed = await baseline();
    if (i > 0) baseMs.push(elapsed);
  }
  const { n } = firstRow(
    await q<{ n: string }>(
      "select count(*) as n from activation_codes where partner_id = $1 and batch_id <> $2",
      [c.id, baseBatch],
    ),
  );
  if (Number(n) !== SYNC_COUNT * (SYNC_RUNS + 1) * 2) throw new Error(`sync path made ${n} codes`);
  const base50 = percentile(baseMs, 50);
  const describe = (samples: number[]) =>
    `p50 ${ms(percentile(samples, 50))} (min ${ms(Math.min(...samples))}, max ${ms(Math.max(...samples))})`;
  figures.push({
    section,
    name: "form POST …/generate → 302",
    value: describe(formMs),
    baseline: `p50 ${ms(base50)}`,
    ratio: ratio(percentile(formMs, 50), base50),
    target: "none set",
    verdict: "info",
  });
  figures.push({
    section,
    name: "API POST …/codes → 201 + codes JSON",
    value: describe(apiMs),
    baseline: `p50 ${ms(base50)}`,
    ratio: ratio(percentile(apiMs, 50), base50),
    target: "none set",
    verdict: "info",
  });
  notes.push(
    `Sync path: ${SYNC_RUNS} timed runs after one warm-up, sequential, keep-alive; the form's time is until ` +
      `the 302 answers (a generateBatch transaction: batch row, 10,000 codes RETURNING id, code, audit). ` +
      `Baseline: one INSERT … SELECT generate_series(1, 10000) RETURNING id, code through a plain pg client.`,
  );
}

// ---- 3. Reading at a million codes ----------------------------------------------------------

interface ReadCase {
  name: string;
  loader: string | null;
  api: string | null;
  sql: { text: string; values: unknown[] };
}

async function sample(run: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < READ_WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < READ_RUNS; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples;
}

/**
 * A page written by hand: the 51 serials from activation_codes alone (so that its
 * partner-leading indexes answer), then the rows joined to their bundle and batch.
 */
const pageSql = (
  where: string,
) => `select c.id, c.code, c.status, c.bundle_id, b.name as bundle_name,
    b.staff_seats, b.card_operations, b.term_months, c.batch_id, cb.label, cb.prefix,
    cb.status as batch_status, c.expires_at, c.created_at, c.recipient_name, c.recipient_email,
    c.recipient_note, c.handed_out_at, c.locked_to_email, c.emailed_at, c.revoked_at, c.revoke_reason
  from (select id from activation_codes where partner_id = $1 ${where} order by id desc limit 51) p
  join activation_codes c on c.id = p.id
  join bundles b on b.id = c.bundle_id
  join code_batches cb on cb.id = c.batch_id
  order by c.id desc`;

async function benchReads(
  baseUrl: string,
  cookie: string,
  token: string,
  a: Partner,
  millionBatchId: string,
  partnerCodes: number,
) {
  const section = `3. Codes page loader and API list at ${count(partnerCodes)} codes of one partner`;
  const { lo, hi } = firstRow(
    await q<{ lo: number; hi: number }>(
      "select min(id)::int as lo, max(id)::int as hi from activation_codes where batch_id = $1",
      [millionBatchId],
    ),
  );
  const middle = Math.floor((lo + hi) / 2);
  // An issued code near the middle (serials ending in 00 are revoked).
  const { code, serial } = firstRow(
    await q<{ code: string; serial: number }>(
      `select code, id::int as serial from activation_codes
     where partner_id = $1 and id <= $2 and status = 'issued' and expires_at > now()
     order by id desc limit 1`,
      [a.id, middle - 7],
    ),
  );
  const typed = formatCode(code).toLowerCase().replace(/-/g, " ");
  const cursor = codesPaging.cursorAfter([middle]);
  const page = pageSql("");
  const cases: ReadCase[] = [
    {
      name: "first page",
      loader: "",
      api: "",
      sql: { text: page, values: [a.id] },
    },
    {
      name: `deep page (cursor at #${count(middle)}, mid-table)`,
      loader: `cursor=${cursor}`,
      api: `cursor=${cursor}`,
      sql: {
        text: pageSql("and id < $2"),
        values: [a.id, middle],
      },
    },
    {
      name: "filter status=revoked (1%)",
      loader: "status=revoked",
      api: "status=revoked",
      sql: {
        text: pageSql("and status = 'revoked'"),
        values: [a.id],
      },
    },
    {
      name: "filter status=expired (1%: the oldest batch)",
      loader: "status=expired",
      api: "status=expired",
      sql: {
        text: pageSql("and status = 'issued' and expires_at <= now()"),
        values: [a.id],
      },
    },
    {
      name: `filter bundle (the older ${count(MILLION)})`,
      loader: `bundle=${a.bundleId}`,
      api: `bundle_id=${a.bundleId}`,
      sql: {
        text: pageSql("and bundle_id = $2"),
        values: [a.id, a.bundleId],
      },
    },
    {
      name: `exact code search "${typed}"`,
      loader: `search=${encodeURIComponent(typed)}`,
      api: null, // the API's exact lookup is GET /api/v1/codes/{code}, below
      sql: { text: pageSql("and code = $2"), values: [a.id, code] },
    },
  ];

  const session = { headers: { Cookie: cookie } };
  const bearer = { headers: { Authorization: `Bearer ${token}` } };
  const get = async (
    url: string,
    init: RequestInit,
    expect: (status: number, body: string) => boolean,
  ) => {
    const result = await timed(url, init);
    if (!expect(result.status, result.body)) {
      throw new Error(`GET ${url} answered ${result.status}: ${result.body.slice(0, 300)}`);
    }
  };
  // A page with rows: the API's JSON and the loader's turbo-stream both carry the serials.
  const okPage = (status: number, body: string) => status === 200 && body.includes("serial");
  const row = (name: string, samples: number[], base: number[], target = true) => {
    const p95 = percentile(samples, 95);
    figures.push({
      section,
      name,
      value: `p50 ${ms(percentile(samples, 50))} · p95 ${ms(p95)}`,
      baseline: `p50 ${ms(percentile(base, 50))} · p95 ${ms(percentile(base, 95))}`,
      ratio: ratio(percentile(samples, 50), percentile(base, 50)),
      target: target ? "p95 < 50 ms" : "none (info)",
      verdict: target ? (p95 < 50 ? "PASS" : "FAIL") : "info",
    });
  };

  say(`reads: ${READ_RUNS} runs (+${READ_WARMUP} warm-up) per figure, sequential…`);
  for (const c of cases) {
    const base = await sample(async () => {
      await q(c.sql.text, c.sql.values);
    });
    if (c.loader !== null) {
      const isSearch = c.loader.startsWith("search=");
      const url = `${baseUrl}/partner/${a.slug}/codes.data${c.loader ? `?${c.loader}` : ""}`;
      // The single-fetch data request of the page (every matched loader, as a navigation
      // loads them); a search that names one code answers with the redirect to its page.
      const expect = isSearch
        ? (status: number, body: string) => status < 400 && body.includes("/codes/")
        : okPage;
      row(`loader  ${c.name}`, await sample(() => get(url, session, expect)), base);
    }
    if (c.api !== null) {
      const url = `${baseUrl}/api/v1/codes${c.api ? `?${c.api}` : ""}`;
      row(`API     ${c.name}`, await sample(() => get(url, bearer, okPage)), base);
    }
  }
  const lookup = `${baseUrl}/api/v1/codes/${encodeURIComponent(typed)}`;
  const searchCase = rowAt(cases, -1, "case");
  const searchBase = await sample(async () => {
    await q(searchCase.sql.text, searchCase.sql.values);
  });
  row(
    "API     GET /codes/{code} (same typed code)",
    await sample(() =>
      get(lookup, bearer, (status, body) => status === 200 && body.includes(`"serial":${serial}`)),
    ),
    searchBase,
  );
  const documentBase = await sample(async () => {
    await q(page, [a.id]);
  });
  row(
    "page    first page, full HTML document",
    await sample(() => get(`${baseUrl}/partner/${a.slug}/codes`, session, okPage)),
    documentBase,
    false,
  );
  notes.push(
    `Reads: loader = GET /partner/${a.slug}/codes.data?… (Remix single fetch: root, layout and codes loaders, ` +
      `session check included), API = GET /api/v1/codes?… with a bearer key; both over keep-alive HTTP on ` +
      `the same machine. Baseline = the page's query written by hand (51 rows, joined to bundles and batches) ` +
      `through a plain pg client. ${READ_RUNS} runs after ${READ_WARMUP} warm-ups; ratio = p50 / baseline p50. ` +
      `Partner A's codes: 1% revoked (every serial ending in 00), 1% expired (its oldest batch, ` +
      `expiry in the past, codes with it), after VACUUM (ANALYZE).`,
  );
}

// ---- 4. The CSV export ------------------------------------------------------------------------

async function exportCsv(url: string, cookie: string, pid: number) {
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the server settle
  const before = rssKb(pid).rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssKb(pid).rss);
  }, 100);
  const started = performance.now();
  let firstByte = 0;
  let lines = 0;
  let bytes = 0;
  try {
    const response = await fetch(url, { headers: { Cookie: cookie } });
    if (response.status !== 200 || !response.body)
      throw new Error(`GET ${url} answered ${response.status}`);
    const reader = response.body.getReader();
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) break;
      if (!firstByte) firstByte = performance.now() - started;
      bytes += chunk.byteLength;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    }
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, rssKb(pid).rss);
  return { ms: performance.now() - started, firstByte, lines, bytes, before, peak };
}

/**
 * psql's \copy of `query` to /dev/null, `format` as \copy takes it, with the session
 * `settings` given (PGOPTIONS); the wall time. \copy reads one line: the query's line breaks
 * become spaces (the bench's queries hold none in their literals).
 */
async function psqlCopy(
  query: string,
  format = "csv header",
  settings: Record<string, string> = {},
): Promise<number> {
  const started = performance.now();
  const options = Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(" ");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      "psql",
      [
        benchUrl,
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        `\\copy (${query.replace(/\s*\n\s*/g, " ")}) to '/dev/null' ${format}`,
      ],
      {
        stdio: ["ignore", "ignore", "pipe"],
        env: options ? { ...process.env, PGOPTIONS: options } : process.env,
      },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`psql \\copy failed: ${stderr}`)),
    );
  });
  return performance.now() - started;
}

async function benchCsv(
  baseUrl: string,
  cookie: string,
  pid: number,
  a: Partner,
  smallBatchId: string,
  partnerCodes: number,
) {
  const section = "4. CSV export, streamed (GET /partner/…/codes.csv)";
  const csvSql = (where: string) =>
    `select c.id, c.code, case when c.status = 'issued' and c.expires_at <= now() then 'expired' else c.status end,
       b.name, cb.label, c.expires_at, c.recipient_name, c.recipient_email, c.handed_out_at, c.revoked_at,
       c.revoke_reason, 'https://portal/redeem/' || c.code
     from activation_codes c join bundles b on b.id = c.bundle_id join code_batches cb on cb.id = c.batch_id
     where c.partner_id = '${a.id}' ${where} order by c.id desc`;
  const runs = [
    {
      name: `${count(CSV_SMALL)} codes (?batch=…)`,
      query: `?batch=${smallBatchId}`,
      rows: CSV_SMALL,
      where: `and c.batch_id = '${smallBatchId}'`,
    },
    { name: `${count(partnerCodes)} codes (no filter)`, query: "", rows: partnerCodes, where: "" },
  ];
  // RSS only shrinks when V8 and the allocator give memory back, so each export's peak is
  // compared with the RSS before the first one, and the big export's peak with the small one's.
  let preExport = 0;
  let smallPeak = 0;
  for (const [index, run] of runs.entries()) {
    say(`csv: ${run.name}…`);
    const result = await exportCsv(
      `${baseUrl}/partner/${a.slug}/codes.csv${run.query}`,
      cookie,
      pid,
    );
    if (result.lines !== run.rows + 1)
      throw new Error(`CSV had ${result.lines} lines, expected ${run.rows + 1}`);
    const baseMs = await psqlCopy(csvSql(run.where));
    if (index === 0) {
      preExport = result.before;
      smallPeak = result.peak;
    }
    figures.push({
      section,
      name: `${run.name}: time`,
      value: `${seconds(result.ms)} · ${count(run.rows / (result.ms / 1000))} rows/s · first byte ${ms(result.firstByte)} · ${(result.bytes / 2 ** 20).toFixed(0)} MiB`,
      baseline: `${seconds(baseMs)} (psql \\copy)`,
      ratio: ratio(result.ms, baseMs),
      target: "none set",
      verdict: "info",
    });
    const growth = result.peak - smallPeak;
    figures.push({
      section,
      name: `${run.name}: server RSS`,
      value:
        `${mb(result.before)} before → ${mb(result.peak)} peak ` +
        `(+${mb(result.peak - preExport)} over the ${mb(preExport)} before any export` +
        `${index === 0 ? "" : `; ${growth >= 0 ? "+" : "−"}${mb(Math.abs(growth))} vs the ${count(CSV_SMALL)} export`})`,
      baseline: "—",
      ratio: "—",
      target:
        index === 0 ? "none (the reference)" : `peak ≤ ${count(CSV_SMALL)}-export peak + 50 MB`,
      verdict: index === 0 ? "info" : growth < 50 * 1024 ? "PASS" : "FAIL",
    });
  }
  notes.push(
    "CSV: the body is consumed as it arrives (lines counted, nothing kept); the server's RSS is read from " +
      "/proc/<pid>/status every 100 ms. fetch asks for gzip as browsers do, so the server also compresses. " +
      "Baseline: psql \\copy of the same columns and joins, newest first, to /dev/null.",
  );
}

// ---- --csv: the codes CSV at database speed ---------------------------------------------------

/** `--name N` on the command line: a positive whole number, or null when absent. */
function flagNumber(name: string): number | null {
  const at = process.argv.indexOf(name);
  if (at < 0) return null;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} takes a positive whole number`);
  return value;
}

const CSV_MODE = process.argv.includes("--csv");

interface Download {
  ms: number;
  firstByte: number;
  /** Bytes on the wire (compressed when the server compressed). */
  bytes: number;
  /** Line ends counted in an uncompressed body; null when compressed. */
  lines: number | null;
  encoding: string;
  before: number;
  /** The server's RSS every 100 ms while the body was read, kB. */
  rss: number[];
  serverCpuMs: number;
  postgresCpuMs: number | null;
}

/**
 * One download through node:http (not fetch: nothing decompressed or buffered on this side,
 * so the bench costs the shared cores as little as it can), body consumed as it arrives.
 */
async function download(
  url: string,
  headers: Record<string, string>,
  pid: number,
): Promise<Download> {
  const before = rssKb(pid).rss;
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(rssKb(pid).rss), 100);
  const meter = cpuMeter(pid, dbName);
  const started = performance.now();
  try {
    return await new Promise<Download>((resolve, reject) => {
      const request = http.get(url, { headers, agent: false }, (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`GET ${url} answered ${response.statusCode}`));
          response.resume();
          return;
        }
        const encoding = String(response.headers["content-encoding"] ?? "identity");
        let firstByte = 0;
        let bytes = 0;
        let lines = 0;
        response.on("data", (chunk: Buffer) => {
          if (!firstByte) firstByte = performance.now() - started;
          bytes += chunk.length;
          if (encoding === "identity") {
            for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
          }
        });
        response.once("error", reject);
        response.once("end", () => {
          const elapsed = performance.now() - started;
          const cpu = meter();
          resolve({
            ms: elapsed,
            firstByte,
            bytes,
            lines: encoding === "identity" ? lines : null,
            encoding,
            before,
            rss,
            serverCpuMs: cpu.serverMs,
            postgresCpuMs: cpu.postgresMs,
          });
        });
      });
      request.once("error", reject);
    });
  } finally {
    clearInterval(sampler);
  }
}

const median = (values: number[]) => percentile(values, 50);

/**
 * The session settings of the server's pool (db/index.ts): the same query under psql's
 * defaults crosses the JIT threshold at a few hundred thousand rows and spends seconds
 * compiling the CSV expression.
 */
const SERVER_SETTINGS = { jit: "off" };

async function csvMain() {
  const codes = flagNumber("--codes") ?? (Number(process.env.BENCH_CODES_COUNT) || 1_110_000);
  const runs = flagNumber("--runs") ?? 3;
  const startedAll = performance.now();
  await createScratchDatabase(scratch);
  handle = createDb({ url: benchUrl, maxConnections: 2 });
  raw = new pg.Client({ connectionString: benchUrl });
  await raw.connect();
  await migrateToLatest(handle.db);
  await printMachine(
    `7stamp bench:codes --csv (${count(codes)} codes, ${runs} runs)`,
    raw,
    scratch,
  );

  const owner = firstRow(
    await q<{ id: string }>(
      "insert into users (email, name, password_hash) values ($1, 'Bench Owner', $2) returning id",
      [OWNER_EMAIL, await hashPassword(PASSWORD)],
    ),
    "owner",
  );
  const partnerRow = firstRow(
    await q<{ id: string }>(
      `insert into partners (name, slug, type, statement_prefix)
     values ('Bench CSV', 'bench-csv', 'pos_vendor', 'BCSV') returning id`,
    ),
    "partnerRow",
  );
  await q("insert into partner_members (partner_id, user_id, role) values ($1, $2, 'owner')", [
    partnerRow.id,
    owner.id,
  ]);
  const a: Partner = {
    id: partnerRow.id,
    slug: "bench-csv",
    bundleId: await newBundle(partnerRow.id, "Café Starter"),
  };
  // 1% in an expired batch, the rest in batches of a million; 10% handed out to a named recipient, 1% revoked.
  say(`csv: inserting ${count(codes)} codes…`);
  const expiredCount = Math.max(1, Math.floor(codes / 100));
  const expiredBatch = await baselineBatch(a, expiredCount, "expired", -1);
  await baselineInsert(a, expiredBatch, expiredCount, 100_000);
  // A batch holds at most 1,000,000 codes.
  let insertMs = 0;
  for (let left = codes - expiredCount; left > 0; left -= 1_000_000) {
    const size = Math.min(left, 1_000_000);
    const batch = await baselineBatch(a, size, `csv ${count(size)}`);
    insertMs += await baselineInsert(a, batch, size, 100_000);
  }
  await q(
    `update activation_codes set recipient_name = 'Recipient, "No." ' || id,
       recipient_email = 'r' || id || '@example.test', handed_out_at = now()
     where partner_id = $1 and id % 10 = 3`,
    [a.id],
  );
  await q(
    `update activation_codes set status = 'revoked', revoked_at = now(), revoke_reason = 'bench'
     where partner_id = $1 and id % 100 = 0`,
    [a.id],
  );
  await q("vacuum (analyze) activation_codes");
  say(`csv: inserted in ${seconds(insertMs)}, handed out 10%, revoked 1%, vacuumed`);

  // --profile: the server writes a V8 CPU profile when it stops (Chrome DevTools, speedscope).
  const profileDir = path.join(os.tmpdir(), `bench-codes-profile-${process.pid}`);
  const profile = process.argv.includes("--profile");
  portal = await startPortalOn({
    databaseUrl: benchUrl,
    name: "codes",
    nodeArgs: profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
  });
  if (profile) notes.push(`CPU profile of the server: ${profileDir} (written when it stopped).`);
  try {
    const cookie = await signIn(portal.baseUrl);
    const url = `${portal.baseUrl}/partner/${a.slug}/codes.csv`;
    const selectSql = await codesCsvSelectSql(handle.db, {
      partnerId: a.id,
      now: new Date(),
      publicUrl: portal.baseUrl,
    });
    if (selectSql === null) throw new Error("the CSV query matched nothing");
    const plainSql = `select c.id, c.code, case when c.status = 'issued' and c.expires_at <= now() then 'expired' else c.status end,
       b.name, cb.label, c.expires_at, c.recipient_name, c.recipient_email, c.handed_out_at, c.revoked_at,
       c.revoke_reason, 'https://portal/redeem/' || c.code
     from activation_codes c join bundles b on b.id = c.bundle_id join code_batches cb on cb.id = c.batch_id
     where c.partner_id = '${a.id}' order by c.id desc`;
    // A browser asks for gzip; a script (curl, the API's clients) usually does not.
    const browser = { Cookie: cookie, "Accept-Encoding": "gzip, deflate, br" };
    const plain = { Cookie: cookie, "Accept-Encoding": "identity" };

    say("csv: warm-up (one download, one psql \\copy)…");
    const warm = await download(url, plain, portal.pid);
    if (warm.lines !== codes + 1)
      throw new Error(`the CSV had ${warm.lines} lines, expected ${codes + 1}`);
    await psqlCopy(selectSql, "(format binary)", SERVER_SETTINGS);

    const times = {
      identity: [] as number[],
      gzip: [] as number[],
      same: [] as number[],
      plain: [] as number[],
    };
    const sameCpu: number[] = [];
    const downloads: Download[] = [];
    const gzipDownloads: Download[] = [];
    for (let run = 1; run <= runs; run++) {
      say(
        `csv: run ${run} of ${runs}: server (identity), psql \\copy (same query), server (gzip), psql \\copy (plain columns)…`,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const identity = await download(url, plain, portal.pid);
      if (identity.lines !== codes + 1) throw new Error(`the CSV had ${identity.lines} lines`);
      downloads.push(identity);
      times.identity.push(identity.ms);
      const meter = cpuMeter(null, dbName);
      times.same.push(await psqlCopy(selectSql, "(format binary)", SERVER_SETTINGS));
      sameCpu.push(meter().postgresMs ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const gzip = await download(url, browser, portal.pid);
      gzipDownloads.push(gzip);
      times.gzip.push(gzip.ms);
      times.plain.push(await psqlCopy(plainSql));
    }

    const section = `CSV: GET /partner/…/codes.csv, ${count(codes)} codes (median of ${runs})`;
    const sameMs = median(times.same);
    const sameLabel = `${seconds(sameMs)} psql \\copy (same query; PostgreSQL CPU ${count(median(sameCpu))} ms)`;
    const identityMs = median(times.identity);
    const gzipMs = median(times.gzip);
    const last = rowAt(downloads, -1, "download");
    const describe = (d: Download[], timesMs: number[]) => {
      const at = timesMs.indexOf(median(timesMs));
      const one = rowAt(d, at, "download");
      return (
        `${seconds(median(timesMs))} · ${count(codes / (median(timesMs) / 1000))} rows/s · ` +
        `first byte ${ms(one.firstByte)} · ${(one.bytes / 2 ** 20).toFixed(0)} MiB ${one.encoding} · ` +
        `CPU server ${count(one.serverCpuMs)} ms, PostgreSQL ${one.postgresCpuMs === null ? "?" : `${count(one.postgresCpuMs)} ms`}`
      );
    };
    figures.push({
      section,
      name: "download, no compression (curl, scripts)",
      value: describe(downloads, times.identity),
      baseline: sameLabel,
      ratio: ratio(identityMs, sameMs),
      target: "≤ 2.00×",
      verdict: identityMs <= 2 * sameMs ? "PASS" : "FAIL",
    });
    figures.push({
      section,
      name: "download, gzip (a browser)",
      value: describe(gzipDownloads, times.gzip),
      baseline: sameLabel,
      ratio: ratio(gzipMs, sameMs),
      target: "≤ 2.00×",
      verdict: gzipMs <= 2 * sameMs ? "PASS" : "FAIL",
    });
    figures.push(
      infoFigure(
        section,
        "the same runs against the issue's baseline",
        `identity ${ratio(identityMs, median(times.plain))}, gzip ${ratio(gzipMs, median(times.plain))}`,
        `${seconds(median(times.plain))} psql \\copy (plain columns, csv)`,
      ),
    );
    figures.push(
      infoFigure(
        section,
        "every run (identity / same-query psql / gzip / plain psql)",
        // Each run pushes one time to each of the four lists, so `i` is in range for all of them.
        times.identity
          .map((t, i) =>
            [t, times.same[i]!, times.gzip[i]!, times.plain[i]!]
              .map((t) => (t / 1000).toFixed(2))
              .join("/"),
          )
          .join("  "),
      ),
    );
    // Flat: after the first second the RSS of the whole download stays within 50 MB of what
    // it was before the download started.
    for (const [name, list] of [
      ["identity", downloads],
      ["gzip", gzipDownloads],
    ] as const) {
      const samples = list.flatMap((d) => d.rss);
      const before = firstRow(list, "download").before;
      const peak = Math.max(...samples);
      const warm = list.flatMap((d) => d.rss.slice(10));
      const spread = warm.length > 0 ? Math.max(...warm) - Math.min(...warm) : 0;
      figures.push({
        section,
        name: `server RSS during the ${name} downloads`,
        value:
          `${mb(before)} before the first → p50 ${mb(median(samples))}, peak ${mb(peak)} ` +
          `(${samples.length} samples; after each first second within ${mb(spread)})`,
        baseline: "—",
        ratio: "—",
        target: "flat: peak ≤ before + 50 MB",
        verdict: peak - before <= 50 * 1024 ? "PASS" : "FAIL",
      });
    }
    notes.push(
      `CSV: ${count(codes)} codes of one partner (1% in an expired batch, 10% handed out to a recipient ` +
        `whose name needs quoting, 1% revoked), after VACUUM (ANALYZE). Each run downloads the whole file ` +
        `without a filter as the signed-in owner through node:http (the body counted, nothing kept), once ` +
        `with Accept-Encoding: identity and once as a browser asks (gzip), each followed by a psql \\copy ` +
        `to /dev/null: first of the very SELECT the server's COPY runs (codesCsvSelectSql, FORMAT binary, ` +
        `as the server reads it, with the server pool's jit=off), then of the plain columns the issue's 6.7× was measured against. CPU: ` +
        `the server process and this database's PostgreSQL backends over the download. One warm-up ` +
        `download and \\copy first. The last identity download: ${(last.bytes / 2 ** 20).toFixed(1)} MiB.`,
    );
  } catch (error) {
    console.error(`bench: server log tail:\n${portal.logTail()}`);
    throw error;
  }
  await portal.stop();
  notes.push(
    `Whole run: ${seconds(performance.now() - startedAll)}; load average at the end ` +
      `${loadAverage()} on ${os.cpus().length} cores.`,
  );
  report.print();
}

// ---- Main ---------------------------------------------------------------------------------------

async function main() {
  const startedAll = performance.now();
  await createScratchDatabase(scratch);
  handle = createDb({ url: benchUrl, maxConnections: 4 });
  raw = new pg.Client({ connectionString: benchUrl });
  await raw.connect();
  await migrateToLatest(handle.db);
  await printMachine("7stamp bench:codes", raw, scratch);
  const { owner, a, a2, b, c } = await setup();

  const millionBatchId = await benchGeneration(handle.db, owner, a, b);

  // Partner A: the domain-made million (bundle "Café Starter") plus a newer batch of 100,000
  // (bundle "POS Pro", bulk-inserted) for the filtered CSV export; its oldest codes are an
  // expired batch (made in setup). 1% revoked.
  say(`preparing reads: a ${count(CSV_SMALL)}-code batch, 1% revoked, VACUUM ANALYZE…`);
  const small = { id: a.id, bundleId: a2 };
  const smallBatchId = await baselineBatch(small, CSV_SMALL, "csv 100k");
  await baselineInsert(small, smallBatchId, CSV_SMALL, 50_000);
  await q(
    `update activation_codes set status = 'revoked', revoked_at = now(), revoke_reason = 'bench'
     where partner_id = $1 and id % 100 = 0`,
    [a.id],
  );
  const vacuumStarted = performance.now();
  await q("vacuum (analyze) activation_codes");
  notes.push(
    `VACUUM (ANALYZE) activation_codes before the reads took ${seconds(performance.now() - vacuumStarted)}.`,
  );
  const {
    n: partnerCount,
    revoked,
    expired,
  } = firstRow(
    await q<{
      n: string;
      revoked: string;
      expired: string;
    }>(
      `select count(*) as n, count(*) filter (where status = 'revoked') as revoked,
       count(*) filter (where status = 'issued' and expires_at <= now()) as expired
     from activation_codes where partner_id = $1`,
      [a.id],
    ),
  );
  say(
    `partner A: ${count(Number(partnerCount))} codes, ${count(Number(revoked))} revoked, ${count(Number(expired))} expired`,
  );
  if (Number(revoked) === 0 || Number(expired) === 0)
    throw new Error("the revoked/expired set-up matched nothing");

  const { token } = await createApiKey(handle.db, {
    partnerId: c.id,
    name: "bench",
    actor: { userId: owner.id, label: owner.email },
  });
  const { token: tokenA } = await createApiKey(handle.db, {
    partnerId: a.id,
    name: "bench",
    actor: { userId: owner.id, label: owner.email },
  });

  const portal = await startPortal();
  try {
    const cookie = await signIn(portal.baseUrl);
    await benchSync(portal.baseUrl, cookie, token, c);
    await benchReads(portal.baseUrl, cookie, tokenA, a, millionBatchId, Number(partnerCount));
    await benchCsv(portal.baseUrl, cookie, portal.pid, a, smallBatchId, Number(partnerCount));
  } catch (error) {
    console.error(`bench: server log tail:\n${portal.logTail()}`);
    throw error;
  }
  notes.push(
    `Whole run: ${seconds(performance.now() - startedAll)}; load average at the end ` +
      `${loadAverage()} on ${os.cpus().length} cores.`,
  );
  report.print();
}

try {
  await (CSV_MODE ? csvMain() : main());
} catch (error) {
  report.print();
  console.error("\nbench: crashed:", error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
