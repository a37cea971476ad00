// `npm run bench:usage` — the usage figures over HTTP against the production build, each next
// to a raw-SQL baseline doing the same row changes in the same run on the same database:
//   1. claims: 32 concurrent clients, one fresh code and one business per claim
//      (POST /api/v1/businesses/{id}/redemptions), vs one transaction per claim from 32
//      pg connections;
//   2. single card operations: 32 concurrent clients over 1,000 businesses
//      (POST /api/v1/businesses/{id}/operations), vs one transaction per operation;
//   3. batches of 1,000 events (POST /api/v1/operations/batch), 4 concurrent clients, vs the
//      same rows in bulk statements;
//   4. the billing page loader for a business with 50 claimed codes: p50/p95, vs the queries
//      of getEntitlements.
// Runs on PostgreSQL only: DATABASE_URL is the admin URL (default postgres://root@127.0.0.1:5432/postgres);
// a scratch database bench_usage_<pid> is created, migrated and dropped at the end, even on failure.
// The figures are informational: the exit code is 0 unless something crashed.
import { rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createDb, type DbHandle } from "~db/index.ts";
import { migrateToLatest } from "~db/migrate.ts";
import { hashPassword } from "~/auth/password.server";
import { createPlatformToken } from "~/domain/api-keys.server";
import { getCurrentPrices } from "~/domain/bundles.server";
import { lockBusinessPlans } from "~/domain/entitlements/plan.server";
import { openPlanPeriods } from "~/domain/entitlements/grants.server";
import { claimCode } from "~/domain/redemption.server";
import { operationFingerprint } from "~/domain/usage.server";
import { formatCode, generateCode } from "~/lib/activation-code";
import { addMonthsClamped } from "~/lib/billing-periods";
import { bundleRetailCents, taxCents, wholesalePrice } from "~/lib/money";
import {
  checkpoint as checkpointOn,
  cleanUpOnSignals,
  infoFigure,
  postgresSettingsFigure,
  count,
  cpuMeter,
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
  type Verdict,
} from "./lib.ts";
import { businessesWithOwners as sharedBusinessesWithOwners, readyCodes } from "./fixtures.ts";
import { at as rowAt, first as firstRow } from "../../tests/helpers/rows.ts";

/** BENCH_USAGE_SCALE=0.1 makes a quick smoke run (the targets are for the full sizes). */
const SCALE = Number(process.env.BENCH_USAGE_SCALE) || 1;
const CLIENTS = 32;
const CLAIMS = Math.round(20_000 * SCALE);
const CLAIM_WARMUP = Math.round(1_000 * SCALE);
const OPS_BUSINESSES = 1_000;
const OPS = Math.round(20_000 * SCALE);
const BATCH_CLIENTS = 4;
const BATCH_EVENTS = 1_000;
const BATCHES = Math.max(BATCH_CLIENTS, Math.round(40 * SCALE));
const BATCH_WARMUP = BATCH_CLIENTS;
/** Businesses per batch in the main batch figure (10 events each); see the notes. */
const BATCH_WINDOW = 100;
const WIDE_BATCHES = Math.max(BATCH_CLIENTS, Math.round(12 * SCALE));
const BILLING_CLAIMS = 50;
/**
 * Server processes of the second pass (WEB_CONCURRENCY, ADR 028): claims and operations again
 * against a server of this many processes. Default one per core; 1 skips the pass.
 */
const PROCESSES = Number(process.env.BENCH_USAGE_PROCESSES) || os.availableParallelism();
/** BENCH_USAGE_ONLY=operations,billing runs only those sections. */
const ONLY = (process.env.BENCH_USAGE_ONLY ?? "claims,operations,batches,billing").split(",");
/** The server's pg pool (createDb's default): a baseline from as few connections, for comparison. */
const SERVER_POOL = 10;
const POOL_CLAIMS = Math.round(5_000 * SCALE);
/** Each timed run stops taking new work after this (a slow build must not take an hour). */
const MEASURE_MS = Number(process.env.BENCH_USAGE_SECONDS) * 1000 || 20_000;
const WARMUP_MS = 5_000;
const BILLING_RUNS = 300;
const BILLING_WARMUP = 20;
const PASSWORD = "bench-usage-password-2026";
const OWNER_EMAIL = "billing-owner@bench.7stamp.test";
const BILLING_ROUTE = "routes/_app.business.$businessId.billing";

const scratch = scratchDatabase("bench_usage");
const report = new Report();
const { figures, notes } = report;

// ---- Database, server, cleanup -------------------------------------------------------------

let handle: DbHandle | null = null;
let raw: pg.Client | null = null;
let portal: Portal | null = null;
const pools: pg.Pool[] = [];
let cleaned = false;

async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  agent.destroy();
  await portal?.stop().catch(() => undefined);
  for (const pool of pools) await pool.end().catch(() => undefined);
  await raw?.end().catch(() => undefined);
  await handle?.close().catch(() => undefined);
  if (process.env.BENCH_USAGE_KEEP === "1") {
    say(`BENCH_USAGE_KEEP=1: database ${scratch.name} kept (drop it yourself)`);
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

/** A pool for a baseline: as many connections as the clients, JIT off as in the app. */
async function baselinePool(size: number): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: scratch.url, max: size, options: "-c jit=off" });
  pools.push(pool);
  // Connect them all before anything is timed.
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  for (const client of clients) client.release();
  return pool;
}

async function transaction(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<void>) {
  const client = await pool.connect();
  try {
    await client.query("begin");
    await body(client);
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

// ---- HTTP: a keep-alive client lighter than fetch (the bench shares the 2 cores) ----------

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS + 8 });

interface Answer {
  status: number;
  body: string;
  ms: number;
}

function send(
  url: string,
  {
    method = "GET",
    body,
    headers = {},
  }: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method,
        agent,
        headers:
          body === undefined ? headers : { ...headers, "Content-Length": Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
          }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

interface Run {
  wallMs: number;
  /** Asked for, and done: a run stops taking new work after its time limit. */
  total: number;
  done: number;
  latencies: number[];
  failures: number;
  firstFailure: string | null;
  /** Failures by their first word (the HTTP status): how many, and the first answer. */
  failuresBy: Map<string, { n: number; first: string }>;
  cpu: ReturnType<ReturnType<typeof cpuMeter>>;
  /** Transactions committed or rolled back in the database meanwhile (each autocommit
   *  statement is one), from pg_stat_database. */
  xacts: number;
}

/** Every backend flushes its statistics within a second of going idle: wait for that. */
async function transactionsSoFar(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const { n } = firstRow(
    await q<{ n: string }>(
      `select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()`,
    ),
  );
  return Number(n);
}

/**
 * `total` calls of `one(i)` from `clients` concurrent workers; `one` answers its latency and
 * whether it succeeded (with what came back, for the first failure's message).
 */
async function concurrently(
  clients: number,
  total: number,
  one: (i: number) => Promise<{ ms: number; ok: boolean; detail?: string }>,
  serverPid: number | null,
  maxMs = MEASURE_MS,
): Promise<Run> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  const failuresBy = new Map<string, { n: number; first: string }>();
  let next = 0;
  const xactsBefore = await transactionsSoFar();
  const meter = cpuMeter(serverPid, scratch.name);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(clients, total) }, async () => {
      for (let i = next++; i < total && performance.now() - started < maxMs; i = next++) {
        const result = await one(i);
        if (result.ok) latencies.push(result.ms);
        else {
          failures += 1;
          const detail = result.detail ?? "failed";
          firstFailure ??= detail;
          const kind = detail.split(" ")[0] ?? detail;
          const seen = failuresBy.get(kind) ?? { n: 0, first: detail };
          seen.n += 1;
          failuresBy.set(kind, seen);
        }
      }
    }),
  );
  const wallMs = performance.now() - started;
  const done = latencies.length + failures;
  const cpu = meter();
  const xacts = (await transactionsSoFar()) - xactsBefore;
  return { wallMs, total, done, latencies, failures, firstFailure, failuresBy, cpu, xacts };
}

const attempted = (run: Run) => run.done;
const rate = (run: Run, units = 1) => ((run.latencies.length * units) / run.wallMs) * 1000;

/** Where the time went: CPU per 1,000 units of work, and transactions per request. */
function describeCpu(run: Run, what: string, units = 1): string {
  const k = Math.max(1, run.done * units) / 1000;
  const pgCpu = run.cpu.postgresMs === null ? "?" : ms(run.cpu.postgresMs / k);
  const server =
    run.cpu.serverMs > 0
      ? `server ${ms(run.cpu.serverMs / k)} (user ${ms(run.cpu.serverUserMs / k)} + system ${ms(run.cpu.serverSystemMs / k)}), `
      : "";
  const busy =
    ((run.cpu.serverMs + (run.cpu.postgresMs ?? 0) + run.cpu.benchMs) /
      (run.cpu.wallMs * os.cpus().length)) *
    100;
  const xacts = (run.xacts / Math.max(1, run.done)).toFixed(1);
  return (
    `CPU per 1,000 ${what}: ${server}PostgreSQL ${pgCpu}, bench client ${ms(run.cpu.benchMs / k)} ` +
    `(our processes kept the machine ${busy.toFixed(0)}% busy); ${xacts} database transactions per request`
  );
}

function unavailable(run: Run): boolean {
  return run.latencies.length === 0 && run.failures > 0;
}

// ---- Setup ------------------------------------------------------------------------------------

interface Setup {
  partnerId: string;
  bundle: { id: string; staffSeats: number; cardOperations: number; termMonths: number };
  price: {
    retailCents: number;
    discountCents: number;
    wholesaleCents: number;
    discountBps: number;
  };
  taxRateBps: number;
  httpClaims: { businessId: string; code: string }[];
  /** Fresh codes and businesses for the N-process pass's claims. */
  clusterClaims: { businessId: string; code: string }[];
  baseClaims: { businessId: string; codeId: number; code: string }[];
  opsBusinesses: string[];
  planGrants: Map<string, string>;
  billing: { businessId: string; ownerId: string };
}

function businessesWithOwners(label: string, n: number, plan: "free" | "custom") {
  return sharedBusinessesWithOwners(q, label, n, plan);
}

async function setup(db: DbHandle["db"]): Promise<Setup> {
  say("setup: partner, bundle, a ready batch of codes, businesses with owners…");
  const partner = firstRow(
    await q<{ id: string; discount_bps: number; tax_rate_bps: number }>(
      `insert into partners (name, slug, type, statement_prefix) values ('Bench usage', 'bench-usage', 'pos_vendor', 'BENCHU')
     returning id, discount_bps, tax_rate_bps`,
    ),
    "partner",
  );
  const bundle = { staffSeats: 1, cardOperations: 1_000, termMonths: 12 };
  const { id: bundleId } = firstRow(
    await q<{ id: string }>(
      `insert into bundles (partner_id, name, staff_seats, card_operations, term_months, code_validity_days)
     values ($1, 'Café Starter', $2, $3, $4, 365) returning id`,
      [partner.id, bundle.staffSeats, bundle.cardOperations, bundle.termMonths],
    ),
  );
  const clusterClaimers = PROCESSES > 1 ? CLAIMS + CLAIM_WARMUP : 0;
  const totalCodes = 2 * (CLAIMS + CLAIM_WARMUP) + POOL_CLAIMS + BILLING_CLAIMS + clusterClaimers;
  const inserted = await readyCodes(q, {
    partnerId: partner.id,
    bundleId,
    count: totalCodes,
    label: "bench usage",
    generate: generateCode,
  });

  const claimers = CLAIMS + CLAIM_WARMUP;
  const httpBusinesses = await businessesWithOwners("HTTP claimer", claimers, "free");
  const baseBusinesses = await businessesWithOwners("SQL claimer", claimers + POOL_CLAIMS, "free");
  const opsBusinesses = await businessesWithOwners("Ops", OPS_BUSINESSES, "custom");
  const clusterBusinesses = await businessesWithOwners("Cluster claimer", clusterClaimers, "free");
  const httpClaims = httpBusinesses.map((businessId, i) => ({
    businessId,
    code: rowAt(inserted, i, "code").code,
  }));
  const baseClaims = baseBusinesses.map((businessId, i) => ({
    businessId,
    codeId: rowAt(inserted, claimers + i, "code").id,
    code: rowAt(inserted, claimers + i, "code").code,
  }));

  // The plan allowance of this period, as the first operation of the period opens it.
  const now = new Date();
  await db.transaction().execute(async (trx) => {
    const plans = await lockBusinessPlans(trx, { businessIds: opsBusinesses, now });
    await openPlanPeriods(trx, { plans: [...plans.values()], now });
  });
  const planGrants = new Map(
    (
      await q<{ business_id: string; id: string }>(
        `select business_id, id from grants where source = 'plan' and business_id = any($1::uuid[])`,
        [opsBusinesses],
      )
    ).map((r) => [r.business_id, r.id]),
  );
  if (planGrants.size !== OPS_BUSINESSES) throw new Error("plan periods were not opened");

  // The billing business: its owner signs in; 50 codes claimed through the domain.
  const owner = firstRow(
    await q<{ id: string }>(
      "insert into users (email, name, password_hash) values ($1, 'Billing Owner', $2) returning id",
      [OWNER_EMAIL, await hashPassword(PASSWORD)],
    ),
    "owner",
  );
  const business = firstRow(
    await q<{ id: string }>(
      "insert into businesses (name, plan_id) values ('Bench billing café', 'free') returning id",
    ),
    "business",
  );
  await q("insert into business_members (business_id, user_id, role) values ($1, $2, 'owner')", [
    business.id,
    owner.id,
  ]);
  const clusterClaims = clusterBusinesses.map((businessId, i) => ({
    businessId,
    code: rowAt(inserted, 2 * claimers + POOL_CLAIMS + i, "code").code,
  }));
  for (const { code } of inserted.slice(2 * claimers + POOL_CLAIMS + clusterClaimers)) {
    await claimCode(db, {
      businessId: business.id,
      code,
      actor: { userId: owner.id, label: OWNER_EMAIL, email: OWNER_EMAIL },
      ip: "127.0.0.1",
      now: new Date(),
    });
  }

  const prices = await getCurrentPrices(db, new Date());
  const price = wholesalePrice(bundleRetailCents(bundle, prices), partner.discount_bps);
  say("setup: VACUUM (ANALYZE)…");
  await q("vacuum (analyze)");
  return {
    partnerId: partner.id,
    bundle: { id: bundleId, ...bundle },
    price: { ...price, discountBps: partner.discount_bps },
    taxRateBps: partner.tax_rate_bps,
    httpClaims,
    clusterClaims,
    baseClaims,
    opsBusinesses,
    planGrants,
    billing: { businessId: business.id, ownerId: owner.id },
  };
}

// ---- Figures ---------------------------------------------------------------------------------

function throughputFigure({
  section,
  name,
  unit,
  units = 1,
  http,
  base,
  minRate,
  maxP99,
  endpoint,
}: {
  section: string;
  name: string;
  unit: string;
  units?: number;
  http: Run;
  base: Run;
  minRate: number | null;
  maxP99: number | null;
  endpoint: string;
}) {
  const baseRate = rate(base, units);
  const baseline = `${count(baseRate)} ${unit}/s · p50 ${ms(percentile(base.latencies, 50))} · p99 ${ms(percentile(base.latencies, 99))}`;
  const target = [
    minRate === null ? null : `≥ ${count(minRate)}/s`,
    maxP99 === null ? null : `p99 < ${maxP99} ms`,
  ]
    .filter(Boolean)
    .join(", ");
  if (unavailable(http)) {
    figures.push({
      section,
      name,
      value: `n/a: ${endpoint} answered ${http.firstFailure?.slice(0, 60)}`,
      baseline,
      ratio: "—",
      target: target || "none (info)",
      verdict: "n/a",
    });
    return;
  }
  const value = rate(http, units);
  const p99 = percentile(http.latencies, 99);
  const met =
    (minRate === null || value >= minRate) &&
    (maxP99 === null || p99 < maxP99) &&
    http.failures === 0;
  const verdict: Verdict = !target ? "info" : met ? "PASS" : "FAIL";
  figures.push({
    section,
    name,
    value:
      `${count(value)} ${unit}/s · p50 ${ms(percentile(http.latencies, 50))} · p99 ${ms(p99)}` +
      (http.failures > 0 ? ` · ${count(http.failures)} FAILED` : ""),
    baseline,
    ratio: ratio(baseRate, value),
    target: target || "none (info)",
    verdict,
  });
  for (const [label, run] of [
    ["HTTP", http],
    ["baseline", base],
  ] as const) {
    if (run.done < run.total) {
      notes.push(
        `${name}: the ${label} run stopped taking new work after ${seconds(MEASURE_MS)}: ` +
          `${count(run.done)} of ${count(run.total)} done.`,
      );
    }
  }
  if (http.failures > 0) {
    const kinds = [...http.failuresBy.entries()]
      .map(([kind, { n, first }]) => `${count(n)} × ${kind} (first: ${first.slice(0, 160)})`)
      .join("; ");
    notes.push(`${name}: ${count(http.failures)} of ${count(attempted(http))} failed: ${kinds}`);
  }
}

/** The same baseline from only as many connections as the server's pool has (information). */
function smallPoolFigure(section: string, unit: string, run: Run) {
  figures.push(
    infoFigure(
      section,
      `raw SQL alone from ${SERVER_POOL} connections (the server's pool size)`,
      `${count(rate(run))} ${unit}/s · p50 ${ms(percentile(run.latencies, 50))} · p99 ${ms(percentile(run.latencies, 99))}`,
    ),
  );
}

function expectStatus(answer: Answer, status: number) {
  return {
    ms: answer.ms,
    ok: answer.status === status,
    detail: `${answer.status} ${answer.body.slice(0, 200)}`,
  };
}

/** The raw-SQL runs of sections 1 and 2, which the N-process pass is compared with too. */
const baselines: { claims?: Run; operations?: Run } = {};

// ---- 1. Claims ------------------------------------------------------------------------------

async function benchClaims(s: Setup, baseUrl: string, token: string, pid: number) {
  const section = `1. Claims: ${CLIENTS} concurrent clients, ${count(CLAIMS)} fresh codes, one business each`;
  const pool = await baselinePool(CLIENTS);
  const claimSql = async (i: number) => {
    const { businessId, codeId } = rowAt(s.baseClaims, i, "claim");
    const started = performance.now();
    await transaction(pool, async (client) => {
      const updated = await client.query<{ claimed_at: Date }>(
        `update activation_codes set status = 'claimed', claimed_at = now(), retail_cents = $2,
           discount_bps = $3, discount_cents = $4, wholesale_cents = $5, tax_rate_bps = $6,
           tax_cents = $7
         where id = $1 and status = 'issued' returning claimed_at`,
        [
          codeId,
          s.price.retailCents,
          s.price.discountBps,
          s.price.discountCents,
          s.price.wholesaleCents,
          s.taxRateBps,
          taxCents(s.price.wholesaleCents, s.taxRateBps),
        ],
      );
      const claimedAt = updated.rows[0]?.claimed_at;
      if (!claimedAt) throw new Error(`baseline: code #${codeId} was not issued`);
      const endsAt = addMonthsClamped(claimedAt, s.bundle.termMonths);
      const grant = await client.query<{ id: string }>(
        `insert into grants (business_id, source, activation_code_id, partner_id, claimed_by,
           staff_seats, card_operations, starts_at, ends_at)
         values ($1, 'code', $2, $3, null, $4, $5, $6, $7) returning id`,
        [
          businessId,
          codeId,
          s.partnerId,
          s.bundle.staffSeats,
          s.bundle.cardOperations,
          claimedAt,
          endsAt,
        ],
      );
      await client.query("select id from businesses where id = $1 for no key update", [businessId]);
      const after = {
        serial: codeId,
        bundle: "Café Starter",
        staff_seats: s.bundle.staffSeats,
        card_operations: s.bundle.cardOperations,
        ends_at: endsAt.toISOString(),
        retail_cents: s.price.retailCents,
        discount_cents: s.price.discountCents,
        wholesale_cents: s.price.wholesaleCents,
      };
      await client.query(
        `insert into audit_log (actor_user_id, actor_label, partner_id, business_id, action,
           subject_type, subject_id, after, ip)
         values (null, 'bench', $1, $2, 'code.claimed', 'code', $3, $4, '127.0.0.1')`,
        [s.partnerId, businessId, String(codeId), JSON.stringify(after)],
      );
      await client.query(
        `insert into outbox_events (topic, business_id, partner_id, payload)
         values ('code.claimed', $1, $2, $3)`,
        [
          businessId,
          s.partnerId,
          JSON.stringify({
            business_id: businessId,
            partner_id: s.partnerId,
            grant_id: firstRow(grant.rows, "grant").id,
            ...after,
          }),
        ],
      );
    });
    return { ms: performance.now() - started, ok: true };
  };
  const claimHttp = async (i: number) => {
    const { businessId, code } = rowAt(s.httpClaims, i, "claim");
    const answer = await send(`${baseUrl}/api/v1/businesses/${businessId}/redemptions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ code: formatCode(code) }),
    });
    return expectStatus(answer, 201);
  };

  // The baseline first: the HTTP run then writes into tables one run larger.
  say(
    `claims: raw SQL, ${count(CLAIM_WARMUP)} warm-up + ${count(CLAIMS)} from ${CLIENTS} connections…`,
  );
  const baseWarm = await concurrently(CLIENTS, CLAIM_WARMUP, (i) => claimSql(i), null, WARMUP_MS);
  await checkpoint();
  const base = await concurrently(CLIENTS, CLAIMS, (i) => claimSql(CLAIM_WARMUP + i), null);
  baselines.claims = base;
  say(`claims: raw SQL ${count(rate(base))}/s`);
  const base10 = await concurrently(
    SERVER_POOL,
    POOL_CLAIMS,
    (i) => claimSql(CLAIM_WARMUP + CLAIMS + i),
    null,
    MEASURE_MS / 2,
  );
  say(`claims: HTTP, ${count(CLAIM_WARMUP)} warm-up + ${count(CLAIMS)} from ${CLIENTS} clients…`);
  const warm = await concurrently(CLIENTS, CLAIM_WARMUP, (i) => claimHttp(i), pid, WARMUP_MS);
  let measured = warm;
  if (!unavailable(warm)) {
    await checkpoint();
    measured = await concurrently(CLIENTS, CLAIMS, (i) => claimHttp(CLAIM_WARMUP + i), pid);
    say(`claims: HTTP ${count(rate(measured))}/s`);
  } else {
    say(`claims: HTTP unavailable (${warm.firstFailure?.slice(0, 120)})`);
  }
  throughputFigure({
    section,
    name: "POST /businesses/{id}/redemptions → 201",
    unit: "claims",
    http: measured,
    base,
    minRate: 1_000,
    maxP99: 100,
    endpoint: "the redemptions route",
  });
  smallPoolFigure(section, "claims", base10);
  const { claimed } = firstRow(
    await q<{ claimed: string }>(
      "select count(*) as claimed from activation_codes where status = 'claimed'",
    ),
  );
  const expected =
    BILLING_CLAIMS +
    baseWarm.latencies.length +
    base.latencies.length +
    base10.latencies.length +
    warm.latencies.length +
    (measured === warm ? 0 : measured.latencies.length);
  if (Number(claimed) !== expected)
    notes.push(`Claims: ${claimed} codes claimed in the end, expected ${expected}.`);
  notes.push(
    `Claims: each HTTP claim is a different business (plan free, one owner) claiming a fresh code of one ` +
      `ready batch (bundle 1 seat, 1,000 operations, 12 months) with the platform token; all from 127.0.0.1 ` +
      `(one address for the per-IP attempt limit). Baseline per claim, 32 pg connections, one transaction: the ` +
      `conditional UPDATE of activation_codes by id (price snapshot), INSERT grants, SELECT the business ` +
      `FOR NO KEY UPDATE, INSERT audit_log, INSERT outbox_events — the rows the claim writes, without the ` +
      `code lookup by its text, the price list, the token check and the seat re-attribution the app also does. ` +
      `HTTP: ${describeCpu(measured, "requests")}. ` +
      `Baseline: ${describeCpu(base, "claims")}.`,
  );
  await pool.end();
}

// ---- 2. Single operations ----------------------------------------------------------------------

async function benchOperations(s: Setup, baseUrl: string, token: string, pid: number) {
  const section = `2. Card operations: ${CLIENTS} concurrent clients over ${count(OPS_BUSINESSES)} businesses`;
  const pool = await baselinePool(CLIENTS);
  const remaining = new Map(s.opsBusinesses.map((id) => [id, 1_000_000]));
  const opSql = async (i: number) => {
    const businessId = rowAt(s.opsBusinesses, i % OPS_BUSINESSES, "business");
    const key = `sql-${i}`;
    const fingerprint = operationFingerprint({
      businessId,
      idempotencyKey: key,
      kind: "stamp",
      quantity: 1,
      occurredAt: null,
    });
    const left = remaining.get(businessId)! - 1;
    remaining.set(businessId, left);
    const started = performance.now();
    await transaction(pool, async (client) => {
      await client.query(
        `select b.id, b.plan_id, b.billing_anchor_at, b.custom_card_operations_per_month, p.billing_interval
         from businesses b join plans p on p.id = b.plan_id where b.id = $1 for no key update of b`,
        [businessId],
      );
      const op = await client.query<{ id: string }>(
        `insert into card_operations (business_id, idempotency_key, request_fingerprint, kind,
           quantity, occurred_at, recorded_at, remaining_after)
         values ($1, $2, $3, 'stamp', 1, now(), now(), $4) returning id`,
        [businessId, key, fingerprint, left],
      );
      const grantId = s.planGrants.get(businessId)!;
      await client.query(
        "update grants set card_operations_used = card_operations_used + 1 where id = $1",
        [grantId],
      );
      await client.query(
        "insert into card_operation_draws (card_operation_id, grant_id, quantity) values ($1, $2, 1)",
        [firstRow(op.rows, "card operation").id, grantId],
      );
    });
    return { ms: performance.now() - started, ok: true };
  };
  const opHttp = async (i: number) => {
    const businessId = rowAt(s.opsBusinesses, i % OPS_BUSINESSES, "business");
    const answer = await send(`${baseUrl}/api/v1/businesses/${businessId}/operations`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ idempotency_key: `http-${i}`, kind: "stamp", quantity: 1 }),
    });
    return expectStatus(answer, 201);
  };
  const warmup = OPS_BUSINESSES; // one per business
  say(`operations: raw SQL, ${count(warmup)} warm-up + ${count(OPS)} from ${CLIENTS} connections…`);
  await concurrently(CLIENTS, warmup, (i) => opSql(i), null, WARMUP_MS);
  await checkpoint();
  const base = await concurrently(CLIENTS, OPS, (i) => opSql(warmup + i), null);
  baselines.operations = base;
  say(`operations: raw SQL ${count(rate(base))}/s`);
  const base10 = await concurrently(
    SERVER_POOL,
    OPS,
    (i) => opSql(warmup + OPS + i),
    null,
    MEASURE_MS / 2,
  );
  say(`operations: HTTP, ${count(warmup)} warm-up + ${count(OPS)} from ${CLIENTS} clients…`);
  const warm = await concurrently(CLIENTS, warmup, (i) => opHttp(i), pid, WARMUP_MS);
  let measured = warm;
  if (!unavailable(warm)) {
    await checkpoint();
    measured = await concurrently(CLIENTS, OPS, (i) => opHttp(warmup + i), pid);
    say(`operations: HTTP ${count(rate(measured))}/s`);
  } else {
    say(`operations: HTTP unavailable (${warm.firstFailure?.slice(0, 120)})`);
  }
  throughputFigure({
    section,
    name: "POST /businesses/{id}/operations → 201",
    unit: "ops",
    http: measured,
    base,
    minRate: 2_000,
    maxP99: null,
    endpoint: "the operations route",
  });
  smallPoolFigure(section, "ops", base10);
  notes.push(
    `Operations: business i mod 1,000 (custom plan: 1,000,000 operations a month, 1 seat; the period's ` +
      `plan grant opened in setup through openPlanPeriods), a unique idempotency key each, kind stamp, quantity 1; ` +
      `the warm-up touches every business once. Baseline per operation, one transaction: the business ` +
      `joined to its plan FOR NO KEY UPDATE, INSERT card_operations, UPDATE the plan grant, INSERT ` +
      `card_operation_draws (not: the idempotency lookup, the grants read, the token check). ` +
      `HTTP: ${describeCpu(measured, "requests")}. ` +
      `Baseline: ${describeCpu(base, "operations")}.`,
  );
  await pool.end();
}

// ---- 3. Batches ---------------------------------------------------------------------------------

/** The businesses of event j of batch k: a window of BATCH_WINDOW, or all of them. */
function batchEvents(s: Setup, k: number, wide: boolean, prefix: string) {
  const window = wide ? OPS_BUSINESSES : BATCH_WINDOW;
  const first = wide ? 0 : (k * BATCH_WINDOW) % OPS_BUSINESSES;
  return Array.from({ length: BATCH_EVENTS }, (_, j) => ({
    business_id: rowAt(s.opsBusinesses, first + (j % window), "business"),
    idempotency_key: `${prefix}-${k}-${j}`,
    kind: "stamp" as const,
    quantity: 1,
  }));
}

async function benchBatches(s: Setup, baseUrl: string, token: string, pid: number) {
  const section = `3. Batches of ${count(BATCH_EVENTS)} events, ${BATCH_CLIENTS} concurrent clients`;
  const pool = await baselinePool(BATCH_CLIENTS);
  const batchSql = (wide: boolean) => async (k: number) => {
    const events = batchEvents(s, k, wide, wide ? "sqlw" : "sql");
    const ids = [...new Set(events.map((e) => e.business_id))].sort();
    const fingerprints = events.map((e) =>
      operationFingerprint({
        businessId: e.business_id,
        idempotencyKey: e.idempotency_key,
        kind: e.kind,
        quantity: e.quantity,
        occurredAt: null,
      }),
    );
    const started = performance.now();
    await transaction(pool, async (client) => {
      await client.query(
        `select b.id, b.plan_id, b.billing_anchor_at, b.custom_card_operations_per_month, p.billing_interval
         from businesses b join plans p on p.id = b.plan_id where b.id = any($1::uuid[])
         order by b.id for no key update of b`,
        [ids],
      );
      const inserted = await client.query<{ id: string }>(
        `insert into card_operations (business_id, idempotency_key, request_fingerprint, kind,
           quantity, occurred_at, recorded_at, remaining_after)
         select business_id, idempotency_key, request_fingerprint, kind, quantity, now(), now(), 0
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[]) with ordinality
           as t(business_id, idempotency_key, request_fingerprint, kind, quantity, ord)
         order by ord
         returning id`,
        [
          events.map((e) => e.business_id),
          events.map((e) => e.idempotency_key),
          fingerprints,
          events.map((e) => e.kind),
          events.map((e) => e.quantity),
        ],
      );
      const grants = events.map((e) => s.planGrants.get(e.business_id)!);
      await client.query(
        `insert into card_operation_draws (card_operation_id, grant_id, quantity)
         select * from unnest($1::bigint[], $2::uuid[], $3::int[])`,
        [inserted.rows.map((r) => r.id), grants, events.map((e) => e.quantity)],
      );
      const totals = new Map<string, number>();
      for (const grant of grants) totals.set(grant, (totals.get(grant) ?? 0) + 1);
      await client.query(
        `update grants set card_operations_used = grants.card_operations_used + t.quantity
         from unnest($1::uuid[], $2::int[]) as t(grant_id, quantity) where grants.id = t.grant_id`,
        [[...totals.keys()], [...totals.values()]],
      );
    });
    return { ms: performance.now() - started, ok: true };
  };
  const batchHttp = (wide: boolean) => async (k: number) => {
    const events = batchEvents(s, k, wide, wide ? "httpw" : "http");
    const answer = await send(`${baseUrl}/api/v1/operations/batch`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ events }),
    });
    const result = expectStatus(answer, 200);
    if (result.ok) {
      const body = JSON.parse(answer.body) as { results?: unknown[] };
      const wrong = /limit_reached|business_not_found|idempotency_conflict/.exec(answer.body);
      if (body.results?.length !== BATCH_EVENTS || wrong) {
        return {
          ms: answer.ms,
          ok: false,
          detail: `200 with ${body.results?.length} results${wrong ? ` (${wrong[0]})` : ""}`,
        };
      }
    }
    return result;
  };

  const runs: { name: string; wide: boolean; batches: number; target: boolean }[] = [
    {
      name: `each batch over ${BATCH_WINDOW} businesses`,
      wide: false,
      batches: BATCHES,
      target: true,
    },
    {
      name: `each batch over all ${count(OPS_BUSINESSES)} (locks overlap)`,
      wide: true,
      batches: WIDE_BATCHES,
      target: false,
    },
  ];
  for (const run of runs) {
    say(`batches (${run.name}): raw SQL, ${BATCH_WARMUP} warm-up + ${run.batches}…`);
    await concurrently(BATCH_CLIENTS, BATCH_WARMUP, batchSql(run.wide), null, WARMUP_MS);
    await checkpoint();
    const base = await concurrently(
      BATCH_CLIENTS,
      run.batches,
      (k) => batchSql(run.wide)(BATCH_WARMUP + k),
      null,
    );
    say(`batches: raw SQL ${count(rate(base, BATCH_EVENTS))} events/s`);
    say(`batches (${run.name}): HTTP, ${BATCH_WARMUP} warm-up + ${run.batches}…`);
    const warm = await concurrently(
      BATCH_CLIENTS,
      BATCH_WARMUP,
      batchHttp(run.wide),
      pid,
      WARMUP_MS,
    );
    let measured = warm;
    if (!unavailable(warm)) {
      await checkpoint();
      measured = await concurrently(
        BATCH_CLIENTS,
        run.batches,
        (k) => batchHttp(run.wide)(BATCH_WARMUP + k),
        pid,
      );
      say(`batches: HTTP ${count(rate(measured, BATCH_EVENTS))} events/s`);
    } else {
      say(`batches: HTTP unavailable (${warm.firstFailure?.slice(0, 120)})`);
    }
    throughputFigure({
      section,
      name: `POST /operations/batch → 200, ${run.name}`,
      unit: "events",
      units: BATCH_EVENTS,
      http: measured,
      base,
      minRate: run.target ? 20_000 : null,
      maxP99: null,
      endpoint: "the batch route",
    });
    notes.push(
      `Batches ${run.name}: ${run.batches} batches of ${count(BATCH_EVENTS)} after ${BATCH_WARMUP} warm-up, ` +
        `p50/p99 are per batch. HTTP: ${describeCpu(measured, "events", BATCH_EVENTS)}. ` +
        `Baseline: ${describeCpu(base, "events", BATCH_EVENTS)}.`,
    );
  }
  notes.push(
    `Batches: ${BATCH_EVENTS} stamps of quantity 1; in the target figure batch k covers businesses ` +
      `[100·(k mod 10), +100) with 10 events each, so concurrent batches mostly lock different businesses ` +
      `(a platform sending per shard); in the second every batch covers all 1,000, so batches wait for ` +
      `each other's business locks (taken in id order: no deadlock). Baseline per batch, one transaction of ` +
      `bulk statements: the businesses FOR NO KEY UPDATE in id order, INSERT card_operations from unnest, ` +
      `INSERT card_operation_draws from unnest, UPDATE grants from unnest (not: the idempotency lookup, the grants read).`,
  );
  await pool.end();
}

// ---- 5. The same API with WEB_CONCURRENCY processes ---------------------------------------

/**
 * Claims and single operations again (fresh codes and idempotency keys), against a server of
 * PROCESSES processes sharing the port (ADR 028), beside the 1-process figures and the same
 * raw-SQL baselines.
 */
async function benchProcesses(s: Setup, baseUrl: string, token: string, pid: number) {
  const section = `5. ${PROCESSES} server processes (WEB_CONCURRENCY=${PROCESSES}), ${CLIENTS} concurrent clients`;
  const claim = async (i: number) => {
    const { businessId, code } = rowAt(s.clusterClaims, i, "claim");
    const answer = await send(`${baseUrl}/api/v1/businesses/${businessId}/redemptions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ code: formatCode(code) }),
    });
    return expectStatus(answer, 201);
  };
  const operation = async (i: number) => {
    const businessId = rowAt(s.opsBusinesses, i % OPS_BUSINESSES, "business");
    const answer = await send(`${baseUrl}/api/v1/businesses/${businessId}/operations`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ idempotency_key: `cluster-${i}`, kind: "stamp", quantity: 1 }),
    });
    return expectStatus(answer, 201);
  };
  if (ONLY.includes("claims") && baselines.claims) {
    say(`claims: HTTP on ${PROCESSES} processes…`);
    await concurrently(CLIENTS, CLAIM_WARMUP, claim, pid, WARMUP_MS);
    await checkpoint();
    const run = await concurrently(CLIENTS, CLAIMS, (i) => claim(CLAIM_WARMUP + i), pid);
    say(`claims: HTTP on ${PROCESSES} processes ${count(rate(run))}/s`);
    throughputFigure({
      section,
      name: "POST /businesses/{id}/redemptions → 201",
      unit: "claims",
      http: run,
      base: baselines.claims,
      minRate: null,
      maxP99: 100,
      endpoint: "the redemptions route",
    });
    notes.push(`Claims on ${PROCESSES} processes: ${describeCpu(run, "requests")}.`);
  }
  if (ONLY.includes("operations") && baselines.operations) {
    say(`operations: HTTP on ${PROCESSES} processes…`);
    await concurrently(CLIENTS, OPS_BUSINESSES, operation, pid, WARMUP_MS);
    await checkpoint();
    const run = await concurrently(CLIENTS, OPS, (i) => operation(OPS_BUSINESSES + i), pid);
    say(`operations: HTTP on ${PROCESSES} processes ${count(rate(run))}/s`);
    throughputFigure({
      section,
      name: "POST /businesses/{id}/operations → 201",
      unit: "ops",
      http: run,
      base: baselines.operations,
      minRate: null,
      maxP99: null,
      endpoint: "the operations route",
    });
    notes.push(`Operations on ${PROCESSES} processes: ${describeCpu(run, "requests")}.`);
  }
}

// ---- 4. The billing page loader ------------------------------------------------------------------

async function benchBilling(s: Setup, baseUrl: string) {
  const section = `4. Billing page loader, a business with ${BILLING_CLAIMS} claimed codes`;
  const cookie = await signIn(baseUrl, OWNER_EMAIL, PASSWORD);
  const page = `${baseUrl}/business/${s.billing.businessId}/billing.data`;
  const loaderOnly = `${page}?_routes=${encodeURIComponent(BILLING_ROUTE)}`;
  const sample = async (run: () => Promise<void>) => {
    for (let i = 0; i < BILLING_WARMUP; i++) await run();
    const samples: number[] = [];
    for (let i = 0; i < BILLING_RUNS; i++) {
      const started = performance.now();
      await run();
      samples.push(performance.now() - started);
    }
    return samples;
  };
  const bytes = new Map<string, number>();
  const get = (url: string) => async () => {
    const answer = await send(url, { headers: { Cookie: cookie } });
    // The turbo-stream carries the loader's keys as strings.
    if (answer.status !== 200 || !answer.body.includes("cardOperationsAvailable")) {
      throw new Error(`GET ${url} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    }
    bytes.set(url, answer.body.length);
  };
  const { businessId } = s.billing;
  const baseline = async () => {
    await q(
      `select b.id, b.name, b.created_at, b.locations, b.billing_anchor_at, b.plan_started_at,
         b.custom_card_operations_per_month, b.custom_staff_seats, p.id as plan_id, p.name as plan_name,
         p.price_cents, p.billing_interval, p.per_location, p.card_operations_per_month, p.staff_seats
       from businesses b join plans p on p.id = b.plan_id where b.id = $1`,
      [businessId],
    );
    await q(
      `select g.id, g.business_id, g.source, g.staff_seats, g.card_operations, g.card_operations_used,
         g.starts_at, g.ends_at, g.created_at, ac.id as serial, pa.id as partner_id,
         pa.name as partner_name, bu.name as bundle_name
       from grants g
       left join activation_codes ac on ac.id = g.activation_code_id
       left join partners pa on pa.id = g.partner_id
       left join bundles bu on bu.id = ac.bundle_id
       where g.business_id = $1 and (g.source <> 'plan' or (g.starts_at <= now() and g.ends_at > now()))`,
      [businessId],
    );
    await q(
      `select user_id, role, created_at, seat_grant_id, over_seat_limit_since
       from business_members where business_id = $1`,
      [businessId],
    );
  };
  say(`billing: ${BILLING_RUNS} runs (+${BILLING_WARMUP} warm-up) each, sequential…`);
  const base = await sample(baseline);
  const row = (name: string, samples: number[], target: boolean) => {
    const p95 = percentile(samples, 95);
    figures.push({
      section,
      name,
      value: `p50 ${ms(percentile(samples, 50))} · p95 ${ms(p95)}`,
      baseline: `p50 ${ms(percentile(base, 50))} · p95 ${ms(percentile(base, 95))}`,
      ratio: ratio(percentile(samples, 50), percentile(base, 50)),
      target: target ? "p95 < 30 ms" : "none (info)",
      verdict: target ? (p95 < 30 ? "PASS" : "FAIL") : "info",
    });
  };
  row("billing loader alone (.data?_routes=…billing)", await sample(get(loaderOnly)), true);
  row("navigation: root + _app + billing loaders (.data)", await sample(get(page)), false);
  notes.push(
    `Billing: signed in as the owner through POST /login; GET /business/{id}/billing.data is Remix's ` +
      `single-fetch data request (v3_singleFetch: there is no ?_data=), ?_routes=${BILLING_ROUTE} runs only ` +
      `that loader (session check, requireBusinessMember, getEntitlements, listPlans); without it the root ` +
      `and layout loaders run too, as on a client navigation. ${BILLING_RUNS} runs after ${BILLING_WARMUP} ` +
      `warm-ups, sequential, keep-alive; answers of ${count(bytes.get(loaderOnly) ?? 0)} and ` +
      `${count(bytes.get(page) ?? 0)} characters. Baseline: getEntitlements' three queries (plan, grants with codes, ` +
      `partners and bundles, members) one after another on one pg connection; ratio = p50 / baseline p50.`,
  );
}

// ---- Main ---------------------------------------------------------------------------------------

async function checkpoint() {
  await checkpointOn(raw!, notes);
}

async function main() {
  const startedAll = performance.now();
  await createScratchDatabase(scratch);
  handle = createDb({ url: scratch.url, maxConnections: 4 });
  raw = new pg.Client({ connectionString: scratch.url });
  await raw.connect();
  await migrateToLatest(handle.db);
  const settings = await printMachine("7stamp bench:usage", raw, scratch, [
    "shared_buffers",
    "synchronous_commit",
    "fsync",
    "max_connections",
  ]);
  const setupStarted = performance.now();
  const s = await setup(handle.db);
  const { token } = await createPlatformToken(handle.db, {
    name: "bench",
    actor: { userId: null, label: "bench:usage" },
  });
  say(`setup took ${seconds(performance.now() - setupStarted)}`);

  // BENCH_USAGE_PROFILE=1: the server writes a V8 CPU profile when it stops (open it in
  // Chrome DevTools or speedscope) — to see where the server's time goes.
  const profileDir = path.join(os.tmpdir(), `bench-usage-profile-${process.pid}`);
  const profile = process.env.BENCH_USAGE_PROFILE === "1";
  portal = await startPortal({
    databaseUrl: scratch.url,
    name: "usage",
    nodeArgs: profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
  });
  if (profile) notes.push(`CPU profile of the server: ${profileDir} (written when it stopped).`);
  const { pid } = portal;
  const memory: { when: string; rss: number }[] = [{ when: "idle", rss: rssKb(pid).rss }];
  /** The 1-process server's peak, read before the N-process pass replaces it. */
  let onePeakKb = 0;
  try {
    const base = portal.baseUrl;
    const sections: [string, () => Promise<void>][] = [
      ["claims", () => benchClaims(s, base, token, pid)],
      ["operations", () => benchOperations(s, base, token, pid)],
      ["batches", () => benchBatches(s, base, token, pid)],
      ["billing", () => benchBilling(s, base)],
    ];
    for (const [name, run] of sections) {
      if (!ONLY.includes(name)) continue;
      await run();
      memory.push({ when: `after ${name}`, rss: rssKb(pid).rss });
    }
    if (PROCESSES > 1 && (baselines.claims || baselines.operations)) {
      onePeakKb = rssKb(pid).hwm;
      await portal.stop();
      portal = await startPortal({
        databaseUrl: scratch.url,
        name: "usage",
        env: { WEB_CONCURRENCY: String(PROCESSES) },
      });
      await benchProcesses(s, portal.baseUrl, token, portal.pid);
      memory.push({
        when: `${PROCESSES} processes, after claims and operations`,
        rss: rssKb(portal.pid).rss,
      });
    }
  } catch (error) {
    console.error(`bench: server log tail:\n${portal.logTail()}`);
    throw error;
  } finally {
    const hwm = Math.max(onePeakKb, rssKb(pid).hwm);
    figures.push(
      infoFigure(
        "Context",
        "server RSS",
        `${memory.map((m) => `${m.when} ${mb(m.rss)}`).join(" · ")} · peak ${mb(hwm)}`,
      ),
    );
    figures.push(postgresSettingsFigure(settings));
  }
  notes.push(
    `Everything runs on this machine: the bench's clients, the server (one Node process, pg pool of 10) ` +
      `and PostgreSQL share ${os.cpus().length} cores; CPU figures come from /proc. Warm-up before every ` +
      `measurement, CHECKPOINT before every timed run, baseline before HTTP in each pair. ` +
      `Whole run: ${seconds(performance.now() - startedAll)}; load average at the end ${loadAverage()}.`,
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
