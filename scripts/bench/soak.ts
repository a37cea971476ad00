// `npm run soak -- --minutes 10 [--kill]` — does the portal hold under a steady mixed load?
//
// A production build (`node build/node/server.js`, WEB_CONCURRENCY processes) on a scratch
// PostgreSQL database, on 127.0.0.1 only. After a short calibration (the mix below, closed
// loop, 32 clients) it sends the same mix open-loop at half the measured capacity for the
// given time: card operations from 1,000 businesses, claims, batches of operations, and the
// billing and codes pages loaded by signed-in users; in the middle, a 100,000-code batch
// and a statement PDF. It reports requests by outcome, p50/p99 per kind per interval (a
// minute; 15 s for runs under five minutes), the server's RSS per interval, and then checks
// the invariants: no operation recorded twice, every acknowledged operation and claim is
// there, per-grant draws add up, every claimed code has exactly one grant, the big batch
// holds exactly its codes.
//
// --kill: the server is killed (SIGKILL, every process) once in the middle and restarted on
// the same port; the clients retry what failed with the same idempotency keys and bodies.
// Nothing acknowledged may be lost.
//
// Exits non-zero when anything fails: a 5xx or an unrecovered error, a broken invariant, or
// (runs of five minutes or more) latency or memory drifting upward.
import http from "node:http";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { createDb, type DbHandle } from "~db/index.ts";
import { migrateToLatest } from "~db/migrate.ts";
import { hashPassword } from "~/auth/password.server";
import { createApiKey, createPlatformToken } from "~/domain/api-keys.server";
import { lockBusinessPlans } from "~/domain/entitlements/plan.server";
import { openPlanPeriods } from "~/domain/entitlements/grants.server";
import { claimCode } from "~/domain/redemption.server";
import { finalizeStatements, lastEndedMonth } from "~/domain/statements/finalise.server";
import { formatCode, generateCode } from "~/lib/activation-code";
import { businessesWithOwners, readyCodes, type Query } from "./fixtures.ts";
import {
  cleanUpOnSignals,
  count,
  createScratchDatabase,
  dropScratchDatabase,
  mb,
  ms,
  percentile,
  processTree,
  rssKb,
  say,
  scratchDatabase,
  seconds,
  signIn,
  startPortal,
  type Portal,
} from "./lib.ts";
import { at as rowAt, first as firstRow } from "../../tests/helpers/rows.ts";

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string" },
    seconds: { type: "string" },
    kill: { type: "boolean", default: false },
    processes: { type: "string" },
  },
});
const RUN_MS =
  (args.seconds ? Number(args.seconds) : Number(args.minutes ?? 10) * 60) * 1000 || 600_000;
const KILL = args.kill ?? false;
const PROCESSES = Number(args.processes) || os.availableParallelism();
const LONG_RUN = RUN_MS >= 5 * 60_000;
const BUCKET_MS = LONG_RUN ? 60_000 : 15_000;
const CALIBRATION_MS = 10_000;
const CLIENTS = 32;
const OPS_BUSINESSES = 1_000;
const PAGE_USERS = 10;
const BIG_BATCH = 100_000;
const BATCH_EVENTS = 50;
/** A request that failed for want of a server is retried until this long after its first try. */
const RETRY_FOR_MS = 120_000;
/** Open-loop requests in flight at most; beyond, the generator sheds load (and says so). */
const MAX_IN_FLIGHT = 512;
const PASSWORD = "soak-password-2026";

/** The mix, by share of requests. */
const MIX = {
  operation: 0.7,
  claim: 0.08,
  batch: 0.02,
  billing: 0.1,
  codes: 0.1,
} as const;
type Kind = keyof typeof MIX | "pdf" | "big batch";

const scratch = scratchDatabase("soak");
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
  await dropScratchDatabase(scratch);
}
cleanUpOnSignals(cleanup);

const q: Query = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
  (await raw!.query<T>(text, values)).rows;

// ---- HTTP -----------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let baseUrl = "";

interface Answer {
  status: number;
  body: string;
  ms: number;
  /** Seconds from a Retry-After header (a busy renderer, a rate limit), else 0. */
  retryAfter: number;
  error?: string;
}

function send(
  path: string,
  {
    method = "GET",
    body,
    headers = {},
  }: { method?: string; body?: string; headers?: Record<string, string> },
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const request = http.request(
      `${baseUrl}${path}`,
      {
        method,
        agent,
        headers: body ? { ...headers, "Content-Length": Buffer.byteLength(body) } : headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
            retryAfter: Number(response.headers["retry-after"]) || 0,
          }),
        );
        response.on("error", (error) =>
          resolve({
            status: 0,
            body: "",
            ms: performance.now() - started,
            retryAfter: 0,
            error: error.message,
          }),
        );
      },
    );
    request.setTimeout(30_000, () => request.destroy(new Error("timed out after 30 s")));
    request.on("error", (error) =>
      resolve({
        status: 0,
        body: "",
        ms: performance.now() - started,
        retryAfter: 0,
        error: error.message,
      }),
    );
    request.end(body);
  });
}

/** No answer, or the server saying "not now": worth the same request again. */
const retryable = (answer: Answer) =>
  answer.status === 0 || [502, 503, 504].includes(answer.status);

interface Outcome {
  kind: Kind;
  ok: boolean;
  status: number;
  /** From the first try to the answer that counted, retries included. */
  ms: number;
  retries: number;
  at: number;
  detail: string;
}

const outcomes: Outcome[] = [];
const startedAt = performance.now();

/**
 * Sends until an answer that is not retryable, or RETRY_FOR_MS passed; `accept` decides
 * whether that answer is a success (it may look at whether this was a retry).
 */
async function call(
  kind: Kind,
  request: () => Promise<Answer>,
  accept: (answer: Answer, retried: boolean) => boolean,
): Promise<Outcome> {
  const first = performance.now();
  let retries = 0;
  let answer = await request();
  while (retryable(answer) && performance.now() - first < RETRY_FOR_MS) {
    retries += 1;
    await sleep(
      Math.min(5_000, Math.max(250 * 2 ** Math.min(retries, 3), answer.retryAfter * 1000)),
    );
    answer = await request();
  }
  const outcome: Outcome = {
    kind,
    ok: accept(answer, retries > 0),
    status: answer.status,
    ms: performance.now() - first,
    retries,
    at: first - startedAt,
    detail: answer.error ?? `${answer.status} ${answer.body.slice(0, 160)}`,
  };
  outcomes.push(outcome);
  return outcome;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- Set-up ---------------------------------------------------------------------------------

interface Setup {
  partnerSlug: string;
  partnerId: string;
  bundleId: string;
  platformToken: string;
  partnerKey: string;
  opsBusinesses: string[];
  pageBusinesses: string[];
  statementId: string;
  partnerCookie: string;
  ownerCookies: string[];
}

async function setup(db: DbHandle["db"]): Promise<Omit<Setup, "partnerCookie" | "ownerCookies">> {
  say("setup: partner (enrolled three months ago), bundle, businesses, keys…");
  const partner = firstRow(
    await q<{ id: string }>(
      `insert into partners (name, slug, type, statement_prefix, created_at)
     values ('Soak partner', 'soak', 'pos_vendor', 'SOAK', now() - interval '3 months') returning id`,
    ),
    "partner",
  );
  const partnerId = partner.id;
  const bundle = firstRow(
    await q<{ id: string }>(
      `insert into bundles (partner_id, name, staff_seats, card_operations, term_months, code_validity_days)
     values ($1, 'Café Starter', 1, 1000, 12, 365) returning id`,
      [partnerId],
    ),
    "bundle",
  );
  const bundleId = bundle.id;
  const passwordHash = await hashPassword(PASSWORD);
  const partnerUser = firstRow(
    await q<{ id: string }>(
      "insert into users (email, name, password_hash) values ('partner@soak.7stamp.test', 'Soak partner', $1) returning id",
      [passwordHash],
    ),
    "partnerUser",
  );
  await q("insert into partner_members (partner_id, user_id, role) values ($1, $2, 'owner')", [
    partnerId,
    partnerUser.id,
  ]);
  const opsBusinesses = await businessesWithOwners(q, "Soak ops", OPS_BUSINESSES, "custom");
  const now = new Date();
  await db.transaction().execute(async (trx) => {
    const plans = await lockBusinessPlans(trx, { businessIds: opsBusinesses, now });
    await openPlanPeriods(trx, { plans: [...plans.values()], now });
  });

  // Businesses whose owners load the billing page, each with three claimed codes, claimed
  // "last month" so that last month's statement has lines.
  const pageBusinesses = await businessesWithOwners(q, "Soak page", PAGE_USERS, "free");
  await q(
    `update users set password_hash = $1 where id in
       (select user_id from business_members where business_id = any($2::uuid[]))`,
    [passwordHash, pageBusinesses],
  );
  const pageCodes = await readyCodes(q, {
    partnerId,
    bundleId,
    count: 3 * PAGE_USERS,
    label: "soak pages",
    generate: generateCode,
  });
  for (const [i, { code }] of pageCodes.entries()) {
    await claimCode(db, {
      businessId: rowAt(pageBusinesses, i % PAGE_USERS, "business"),
      code,
      actor: { userId: null, label: "soak", email: "soak@7stamp.test" },
      ip: "127.0.0.1",
      limitByIp: false,
      now: new Date(),
    });
  }
  await q(
    "update activation_codes set claimed_at = claimed_at - interval '1 month' where id = any($1::bigint[])",
    [pageCodes.map((c) => c.id)],
  );
  const statement = firstRow(
    await finalizeStatements(db, {
      partnerId,
      month: lastEndedMonth(now),
      actor: { userId: null, label: "soak" },
      now,
    }).then((all) => all.slice(-1)),
    "statement",
  );
  const { token: platformToken } = await createPlatformToken(db, {
    name: "soak",
    actor: { userId: null, label: "soak" },
  });
  const { token: partnerKey } = await createApiKey(db, {
    partnerId,
    name: "soak",
    actor: { userId: null, label: "soak" },
  });
  await q("vacuum (analyze)");
  return {
    partnerSlug: "soak",
    partnerId,
    bundleId,
    platformToken,
    partnerKey,
    opsBusinesses,
    pageBusinesses,
    statementId: statement.statementId,
  };
}

// ---- The load -------------------------------------------------------------------------------

/** Codes waiting for a claim, each with a business of its own; topped up as the run needs. */
const claimQueue: { businessId: string; code: string }[] = [];

async function addClaimers(s: Pick<Setup, "partnerId" | "bundleId">, n: number) {
  const businesses = await businessesWithOwners(q, `Soak claimer ${claimQueue.length}`, n, "free");
  const codes = await readyCodes(q, {
    partnerId: s.partnerId,
    bundleId: s.bundleId,
    count: n,
    label: "soak claims",
    generate: generateCode,
  });
  businesses.forEach((businessId, i) =>
    claimQueue.push({ businessId, code: rowAt(codes, i, "code").code }),
  );
}

const acknowledged = {
  operations: [] as { businessId: string; key: string; quantity: number }[],
  claims: [] as { businessId: string; code: string }[],
};
let sequence = 0;

function makeRequests(s: Setup) {
  const bearer = (token: string) => ({
    Authorization: `Bearer ${token}`,
    "Content-Type": "application/json",
  });
  const problemCode = (answer: Answer) => /"code":\s*"([a-z_]+)"/.exec(answer.body)?.[1];
  return {
    operation: async () => {
      const i = sequence++;
      const businessId = rowAt(s.opsBusinesses, i % OPS_BUSINESSES, "business");
      const key = `soak-${i}`;
      const quantity = 1 + (i % 3);
      const body = JSON.stringify({ idempotency_key: key, kind: "stamp", quantity });
      const outcome = await call(
        "operation",
        () =>
          send(`/api/v1/businesses/${businessId}/operations`, {
            method: "POST",
            body,
            headers: bearer(s.platformToken),
          }),
        // A retry of an operation recorded before the crash is a replay: 200.
        (answer, retried) => answer.status === 201 || (retried && answer.status === 200),
      );
      if (outcome.ok) acknowledged.operations.push({ businessId, key, quantity });
    },
    claim: async () => {
      const next = claimQueue.shift();
      if (!next) throw new Error("soak: no codes left to claim (the top-up fell behind)");
      const body = JSON.stringify({ code: formatCode(next.code) });
      const outcome = await call(
        "claim",
        () =>
          send(`/api/v1/businesses/${next.businessId}/redemptions`, {
            method: "POST",
            body,
            headers: bearer(s.platformToken),
          }),
        // A retry of a claim committed before the crash: "already claimed by you".
        (answer, retried) =>
          answer.status === 201 ||
          (retried &&
            answer.status === 409 &&
            problemCode(answer) === "code_already_claimed_by_you"),
      );
      if (outcome.ok) acknowledged.claims.push(next);
    },
    batch: async () => {
      const i = sequence++;
      const events = Array.from({ length: BATCH_EVENTS }, (_, j) => ({
        business_id: rowAt(s.opsBusinesses, (i * 7 + j) % OPS_BUSINESSES, "business"),
        idempotency_key: `soak-batch-${i}-${j}`,
        kind: "stamp",
        quantity: 1,
      }));
      const body = JSON.stringify({ events });
      let results: { status: number }[] = [];
      const outcome = await call(
        "batch",
        () =>
          send("/api/v1/operations/batch", {
            method: "POST",
            body,
            headers: bearer(s.platformToken),
          }),
        (answer) => {
          if (answer.status !== 200) return false;
          results = (JSON.parse(answer.body) as { results: { status: number }[] }).results;
          return results.every((r) => r.status === 201 || r.status === 200);
        },
      );
      if (outcome.ok) {
        for (const event of events) {
          acknowledged.operations.push({
            businessId: event.business_id,
            key: event.idempotency_key,
            quantity: 1,
          });
        }
      }
    },
    billing: async () => {
      const i = sequence++;
      const n = i % PAGE_USERS;
      await call(
        "billing",
        () =>
          send(`/business/${rowAt(s.pageBusinesses, n, "business")}/billing`, {
            headers: { Cookie: rowAt(s.ownerCookies, n, "owner cookie") },
          }),
        (answer) => answer.status === 200,
      );
    },
    codes: async () => {
      await call(
        "codes",
        () => send(`/partner/${s.partnerSlug}/codes`, { headers: { Cookie: s.partnerCookie } }),
        (answer) => answer.status === 200,
      );
    },
  };
}

type Requests = ReturnType<typeof makeRequests>;

/** The mix, closed loop from CLIENTS clients for `forMs`: requests per second it sustained. */
async function calibrate(requests: Requests): Promise<number> {
  const kinds = Object.keys(MIX) as (keyof typeof MIX)[];
  let done = 0;
  let n = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() - started < CALIBRATION_MS) {
        await requests[pick(kinds, n++)]();
        done += 1;
      }
    }),
  );
  return (done / (performance.now() - started)) * 1000;
}

/** Deterministic weighted choice: request n of the mix. */
function pick(kinds: (keyof typeof MIX)[], n: number): keyof typeof MIX {
  const x = (((n * 0.6180339887) % 1) + 1) % 1;
  let sum = 0;
  for (const kind of kinds) {
    sum += MIX[kind];
    if (x < sum) return kind;
  }
  return rowAt(kinds, 0, "request kind");
}

// ---- The specials in the middle ---------------------------------------------------------------

let bigBatchId: string | null = null;

async function startBigBatch(s: Setup) {
  const outcome = await call(
    "big batch",
    () =>
      send(`/api/v1/bundles/${s.bundleId}/codes`, {
        method: "POST",
        body: JSON.stringify({ count: BIG_BATCH, label: "soak 100k" }),
        headers: { Authorization: `Bearer ${s.partnerKey}`, "Content-Type": "application/json" },
      }),
    (answer) => {
      if (answer.status !== 202) return false;
      bigBatchId = (JSON.parse(answer.body) as { batch: { id: string } }).batch.id;
      return true;
    },
  );
  say(`100,000-code batch: ${outcome.ok ? `accepted (${ms(outcome.ms)})` : outcome.detail}`);
}

async function downloadStatementPdf(s: Setup) {
  const outcome = await call(
    "pdf",
    () =>
      send(`/api/v1/statements/${s.statementId}.pdf`, {
        headers: { Authorization: `Bearer ${s.partnerKey}` },
      }),
    (answer) => answer.status === 200 && answer.body.startsWith("%PDF-"),
  );
  say(`statement PDF: ${outcome.ok ? `downloaded in ${ms(outcome.ms)}` : outcome.detail}`);
}

async function waitForBigBatch(s: Setup): Promise<string> {
  if (!bigBatchId) return "not started";
  const deadline = performance.now() + 300_000;
  for (;;) {
    const answer = await send(`/api/v1/batches/${bigBatchId}`, {
      headers: { Authorization: `Bearer ${s.partnerKey}` },
    });
    if (answer.status === 200) {
      const batch = JSON.parse(answer.body) as { status: string };
      if (batch.status !== "generating") return batch.status;
    }
    if (performance.now() > deadline) return "still generating after 5 minutes";
    await sleep(1_000);
  }
}

// ---- Killing and restarting -------------------------------------------------------------------

async function killAndRestart(port: number) {
  const pids = processTree(portal!.pid);
  say(`--kill: SIGKILL to the server's ${pids.length} process(es)`);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // gone already
    }
  }
  await sleep(1_000);
  const started = performance.now();
  portal = await startPortal({
    databaseUrl: scratch.url,
    name: "soak",
    port,
    env: { WEB_CONCURRENCY: String(PROCESSES) },
  });
  say(`--kill: restarted in ${seconds(performance.now() - started)}`);
}

// ---- Report ---------------------------------------------------------------------------------

const failures: string[] = [];

function bucketOf(at: number) {
  return Math.floor(at / BUCKET_MS);
}

function report(memory: { at: number; rss: number }[], runFrom: number) {
  const kinds: Kind[] = ["operation", "claim", "batch", "billing", "codes", "pdf", "big batch"];
  const measured = outcomes.filter((o) => o.at >= runFrom);
  console.log(`\nRequests by outcome (${count(measured.length)} in the timed run):`);
  for (const kind of kinds) {
    const mine = measured.filter((o) => o.kind === kind);
    if (mine.length === 0) continue;
    const ok = mine.filter((o) => o.ok).length;
    const retried = mine.filter((o) => o.retries > 0).length;
    const by = new Map<string, number>();
    for (const o of mine.filter((o) => !o.ok)) {
      const key = o.status === 0 ? "no answer" : String(o.status);
      by.set(key, (by.get(key) ?? 0) + 1);
    }
    console.log(
      `  ${kind.padEnd(10)} ${count(mine.length).padStart(8)}  ok ${count(ok)}` +
        (retried ? `, ${count(retried)} after a retry` : "") +
        (by.size ? `, FAILED: ${[...by].map(([k, n]) => `${n}× ${k}`).join(", ")}` : ""),
    );
  }
  const failed = outcomes.filter((o) => !o.ok);
  const fivexx = outcomes.filter((o) => o.status >= 500);
  const firstFailed = failed[0];
  if (firstFailed) {
    failures.push(
      `${failed.length} request(s) failed; first: ${firstFailed.kind} ${firstFailed.detail}`,
    );
  }
  if (fivexx.length) failures.push(`${fivexx.length} answer(s) with a 5xx status`);

  const interval = BUCKET_MS === 60_000 ? "minute" : `${BUCKET_MS / 1000} s`;
  const since = (at: number) => bucketOf(at - runFrom);
  const buckets = [...new Set(measured.map((o) => since(o.at)))].sort((a, b) => a - b);
  console.log(`\nLatency per ${interval} (p50 / p99, ms; retried requests included):`);
  const header = ["interval", ...kinds.slice(0, 5), "server RSS"];
  console.log(`  ${header.map((h) => h.padEnd(16)).join("")}`);
  const p99s = new Map<Kind, number[]>();
  const rssByBucket: number[] = [];
  for (const b of buckets) {
    const cells = [`${(b * BUCKET_MS) / 1000}–${((b + 1) * BUCKET_MS) / 1000} s`];
    for (const kind of kinds.slice(0, 5)) {
      const lat = measured
        .filter((o) => o.kind === kind && since(o.at) === b && o.ok)
        .map((o) => o.ms);
      if (lat.length === 0) {
        cells.push("—");
        continue;
      }
      const p99 = percentile(lat, 99);
      p99s.set(kind, [...(p99s.get(kind) ?? []), p99]);
      cells.push(`${percentile(lat, 50).toFixed(0)} / ${p99.toFixed(0)}`);
    }
    const rss = Math.max(0, ...memory.filter((m) => since(m.at) === b).map((m) => m.rss));
    rssByBucket.push(rss);
    cells.push(mb(rss));
    console.log(`  ${cells.map((c) => c.padEnd(16)).join("")}`);
  }

  // Drift: the last full interval against the first after warm-up (the second).
  if (!KILL && rssByBucket.length >= 3) {
    // At least three buckets: the second and the next to last are there.
    const reference = rssByBucket[1]!;
    const last = rssByBucket[rssByBucket.length - 2]!;
    const growth = (last - reference) / reference;
    const line = `server RSS ${mb(reference)} → ${mb(last)} (${(growth * 100).toFixed(1)}%)`;
    console.log(`\nMemory after warm-up: ${line}`);
    if (LONG_RUN && growth > 0.1) failures.push(`memory grew more than 10%: ${line}`);
    for (const [kind, series] of p99s) {
      if (series.length < 3) continue;
      const first = series[1]!;
      const lastP99 = series[series.length - 2]!;
      if (LONG_RUN && lastP99 > 2 * first + 20) {
        failures.push(`${kind} p99 drifted upward: ${ms(first)} → ${ms(lastP99)}`);
      }
    }
    if (!LONG_RUN) console.log("(drift is judged only on runs of five minutes or more)");
  }
}

async function checkInvariants(s: Setup) {
  console.log("\nInvariants:");
  const check = (name: string, problems: number, detail = "") => {
    console.log(`  ${problems === 0 ? "ok  " : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
    if (problems !== 0) failures.push(`${name}: ${problems}${detail ? ` (${detail})` : ""}`);
  };
  const dupes = firstRow(
    await q<{ n: string }>(
      `select count(*) as n from (select business_id, idempotency_key from card_operations
       group by 1, 2 having count(*) > 1) d`,
    ),
    "dupes",
  );
  check("no operation recorded twice", Number(dupes.n));

  const acked = acknowledged.operations;
  const missing = firstRow(
    await q<{ n: string }>(
      `select count(*) as n from unnest($1::uuid[], $2::text[], $3::int[]) as a(business_id, key, quantity)
     left join card_operations o on o.business_id = a.business_id and o.idempotency_key = a.key
     where o.id is null or o.quantity <> a.quantity`,
      [acked.map((a) => a.businessId), acked.map((a) => a.key), acked.map((a) => a.quantity)],
    ),
    "missing",
  );
  check(
    "every acknowledged operation is recorded, with its quantity",
    Number(missing.n),
    `${count(acked.length)} acknowledged`,
  );

  const undrawn = firstRow(
    await q<{ n: string }>(
      `select count(*) as n from card_operations o
     left join (select card_operation_id, sum(quantity) as q from card_operation_draws group by 1) d
       on d.card_operation_id = o.id
     where o.quantity <> coalesce(d.q, 0)`,
    ),
    "undrawn",
  );
  check("each operation's draws add up to its quantity", Number(undrawn.n));

  const grants = firstRow(
    await q<{ n: string }>(
      `select count(*) as n from grants g
     left join (select grant_id, sum(quantity) as q from card_operation_draws group by 1) d
       on d.grant_id = g.id
     where g.card_operations_used <> coalesce(d.q, 0)`,
    ),
    "grants",
  );
  check("per-grant draws add up to the grant's used operations", Number(grants.n));

  const claims = firstRow(
    await q<{ n: string }>(
      `select count(*) as n from activation_codes c
     left join grants g on g.activation_code_id = c.id
     where c.status = 'claimed' group by c.id having count(g.id) <> 1`,
    ).then((rows) => [{ n: String(rows.length) }]),
    "claims",
  );
  check("every claimed code has exactly one grant", Number(claims.n));

  const ackedClaims = acknowledged.claims;
  const lostClaims = firstRow(
    await q<{ n: string }>(
      `select count(*) as n from unnest($1::uuid[], $2::text[]) as a(business_id, code)
     left join activation_codes c on c.code = a.code and c.status = 'claimed'
     left join grants g on g.activation_code_id = c.id and g.business_id = a.business_id
     where g.id is null`,
      [ackedClaims.map((c) => c.businessId), ackedClaims.map((c) => c.code)],
    ),
    "lostClaims",
  );
  check(
    "every acknowledged claim is there, for its business",
    Number(lostClaims.n),
    `${count(ackedClaims.length)} acknowledged`,
  );

  const status = await waitForBigBatch(s);
  if (bigBatchId) {
    const big = firstRow(
      await q<{ n: string; generated: number }>(
        `select (select count(*) from activation_codes where batch_id = $1) as n,
         generated_count as generated from code_batches where id = $1`,
        [bigBatchId],
      ),
      "big",
    );
    const n = Number(big.n);
    check(
      "the 100,000-code batch is ready with exactly its codes",
      status === "ready" && n === BIG_BATCH && big.generated === BIG_BATCH ? 0 : 1,
      `${status}, ${count(n)} codes`,
    );
  } else {
    check("the 100,000-code batch was accepted", 1);
  }
}

// ---- Main -----------------------------------------------------------------------------------

async function main() {
  await createScratchDatabase(scratch);
  raw = new pg.Client({ connectionString: scratch.url });
  await raw.connect();
  handle = createDb({ url: scratch.url });
  await migrateToLatest(handle.db);
  const base = await setup(handle.db);

  portal = await startPortal({
    databaseUrl: scratch.url,
    name: "soak",
    env: { WEB_CONCURRENCY: String(PROCESSES) },
  });
  baseUrl = portal.baseUrl.replace("localhost", "127.0.0.1");
  const port = Number(new URL(baseUrl).port);
  const s: Setup = {
    ...base,
    partnerCookie: await signIn(portal.baseUrl, "partner@soak.7stamp.test", PASSWORD),
    ownerCookies: [],
  };
  const owners = await q<{ email: string }>(
    `select u.email from business_members m join users u on u.id = m.user_id
     where m.business_id = any($1::uuid[]) order by array_position($1::uuid[], m.business_id)`,
    [s.pageBusinesses],
  );
  for (const { email } of owners)
    s.ownerCookies.push(await signIn(portal.baseUrl, email, PASSWORD));

  const requests = makeRequests(s);
  // Calibration needs claims too: enough for the mix at a generous rate.
  await addClaimers(s, 5_000);
  say(`calibrating: the mix, closed loop, ${CLIENTS} clients, ${seconds(CALIBRATION_MS)}…`);
  const capacity = await calibrate(requests);
  const rate = capacity / 2;
  say(
    `capacity ${count(capacity)} requests/s; the soak sends ${count(rate)}/s for ${seconds(RUN_MS)}`,
  );
  const claimsNeeded = Math.ceil(rate * MIX.claim * (RUN_MS / 1000) * 1.3) + 100;
  if (claimQueue.length < claimsNeeded) await addClaimers(s, claimsNeeded - claimQueue.length);

  // The timed run: open loop at `rate`, the specials in the middle.
  const runFrom = performance.now() - startedAt;
  const memory: { at: number; rss: number }[] = [];
  const sampler = setInterval(() => {
    if (portal) memory.push({ at: performance.now() - startedAt, rss: rssKb(portal.pid).rss });
  }, 2_000);
  const kinds = Object.keys(MIX) as (keyof typeof MIX)[];
  const inFlight = new Set<Promise<void>>();
  let shed = 0;
  let sent = 0;
  let n = 0;
  const runStart = performance.now();
  const specials: Promise<void>[] = [];
  let middleDone = false;
  while (performance.now() - runStart < RUN_MS) {
    const elapsed = performance.now() - runStart;
    const due = Math.floor((elapsed / 1000) * rate) - sent;
    for (let i = 0; i < due; i++) {
      sent += 1;
      if (inFlight.size >= MAX_IN_FLIGHT) {
        shed += 1;
        continue;
      }
      const promise = requests[pick(kinds, n++)]().catch((error: unknown) => {
        failures.push(`load generator: ${(error as Error).message}`);
      });
      inFlight.add(promise);
      void promise.finally(() => inFlight.delete(promise));
    }
    if (!middleDone && elapsed >= RUN_MS / 2) {
      middleDone = true;
      specials.push(startBigBatch(s), downloadStatementPdf(s));
      if (KILL) {
        // Let the batch job start, then kill everything mid-flight; the load goes on meanwhile
        // (requests sent while the server is down are retried by their clients).
        specials.push(sleep(1_500).then(() => killAndRestart(port)));
      }
    }
    await sleep(20);
  }
  say(`sent ${count(sent)} requests; waiting for ${inFlight.size} in flight…`);
  await Promise.all([...inFlight, ...specials]);
  clearInterval(sampler);
  if (shed > 0)
    failures.push(
      `the load generator shed ${count(shed)} requests (more than ${MAX_IN_FLIGHT} in flight: the server fell behind)`,
    );

  console.log(
    `\nsoak: ${seconds(RUN_MS)} at ${count(rate)} requests/s (half the calibrated ${count(capacity)}/s), ` +
      `${PROCESSES} server process(es), ${KILL ? "killed and restarted once in the middle" : "no kill"}; ` +
      `machine: ${os.availableParallelism()} cores, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
  );
  report(memory, runFrom);
  await checkInvariants(s);
  console.log(
    failures.length === 0 ? "\nsoak: PASSED" : `\nsoak: FAILED\n  ${failures.join("\n  ")}`,
  );
  if (failures.length) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  console.error("\nsoak: crashed:", error);
  const running = portal as Portal | null;
  if (running) console.error(`soak: server log tail:\n${running.logTail()}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  agent.destroy();
}
