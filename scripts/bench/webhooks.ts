// `npm run bench:webhooks` — webhook delivery throughput and delay (issue 16, ADR 033), to one
// endpoint on a local receiver, in the same run:
//   1. live: 10,000 outbox events committed 100 per transaction (over 100 businesses, so the
//      per-business order applies), delivered by the jobs process's path — the outbox
//      trigger's NOTIFY wakes the delivery runner at commit; p50/p99 delay commit → receipt;
//   2. backlog: 10,000 more events written first, then drained by one wake-up: events/s;
//   3. raw baseline: the same number of plain HTTP POSTs of the same bodies from a loop with
//      the same concurrency (8) and a fresh connection per POST, like the delivery.
// Runs on PostgreSQL only: DATABASE_URL is the admin URL (default
// postgres://root@127.0.0.1:5432/postgres); a scratch database bench_webhooks_<pid> is
// created, migrated and dropped at the end, even on failure. Informational: exit 0 unless it
// crashed. BENCH_WEBHOOKS_EVENTS changes the count.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createDb, type DbHandle } from "~db/index.ts";
import { migrateToLatest } from "~db/migrate.ts";
import { createWebhookEndpoint } from "~/domain/webhooks/endpoints.server";
import { deliveryRunner, listenForOutbox } from "~/jobs/webhooks.server";
import {
  cleanUpOnSignals,
  count,
  createScratchDatabase,
  dropScratchDatabase,
  loadAverage,
  ms,
  percentile,
  say,
  scratchDatabase,
  seconds,
} from "./lib.ts";
import { businessesWithOwners } from "./fixtures.ts";
import { first as firstRow } from "../../tests/helpers/rows.ts";

const EVENTS = Number(process.env.BENCH_WEBHOOKS_EVENTS ?? 10_000);
const PER_TRANSACTION = 100;
const BUSINESSES = 100;
const CONCURRENCY = 8;

const scratch = scratchDatabase("bench_webhooks");
let handle: DbHandle | undefined;
let receiver: http.Server | undefined;

async function cleanup() {
  receiver?.closeAllConnections();
  receiver?.close();
  await handle?.close().catch(() => undefined);
  await dropScratchDatabase(scratch);
}
cleanUpOnSignals(cleanup);

/** A receiver that answers 200 at once and notes when each event (by data.n) arrived. */
async function startReceiver(onEvent: (n: number, at: number) => void) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const at = performance.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { data: { n: number } };
        onEvent(body.data.n, at);
      } catch {
        // the raw baseline's bodies are the same shape; anything else is not counted
      }
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

function post(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      agent: false,
    });
    request.on("response", (response) => {
      response.resume();
      response.on("end", resolve);
    });
    request.on("error", reject);
    request.end(body);
  });
}

async function main() {
  say(`webhooks bench: ${count(EVENTS)} events, load ${loadAverage()}`);
  await createScratchDatabase(scratch);
  handle = createDb({ url: scratch.url });
  await migrateToLatest(handle.db);
  const admin = new pg.Client({ connectionString: scratch.url });
  await admin.connect();
  const q = async <T extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
    (await admin.query<T>(text, values)).rows;
  const businesses = await businessesWithOwners(q, "Webhook bench", BUSINESSES, "free");
  const partner = firstRow(
    await q<{ id: string }>(
      `insert into partners (name, slug, type, status, discount_bps, tax_rate_bps, statement_prefix, special_terms, contact_name, contact_email)
     values ('Bench Partner', 'bench-partner', 'pos_vendor', 'active', 3000, 0, 'BENCH', '', '', '') returning id`,
    ),
    "partner",
  );
  await admin.end();

  const committedAt = new Map<number, number>();
  const receivedAt = new Map<number, number>();
  let received = 0;
  let allReceived: () => void = () => {};
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  const started = await startReceiver((n, at) => {
    if (!receivedAt.has(n)) receivedAt.set(n, at);
    received += 1;
    if (receivedAt.size === EVENTS) allReceived();
  });
  receiver = started.server;
  await createWebhookEndpoint(handle.db, {
    partnerId: partner.id,
    url: started.url,
    events: ["entitlements.changed"],
  });

  const writeEvents = async (offset: number, afterCommit?: (n: number, at: number) => void) => {
    for (let first = offset; first < offset + EVENTS; first += PER_TRANSACTION) {
      const last = Math.min(first + PER_TRANSACTION, offset + EVENTS);
      await handle!.db.transaction().execute(async (trx) => {
        // One statement per transaction: the bench measures delivery, not the writer.
        await trx
          .insertInto("outbox_events")
          .values(
            Array.from({ length: last - first }, (_, i) => {
              const n = first + i;
              const businessId = businesses[n % BUSINESSES];
              return {
                topic: "entitlements.changed",
                partner_id: partner.id,
                business_id: businessId,
                payload: JSON.stringify({ n, business_id: businessId, operations_left: 1000 - n }),
              };
            }),
          )
          .execute();
      });
      const at = performance.now();
      for (let n = first; n < last; n++) afterCommit?.(n, at);
    }
  };

  // 1. Live, through the portal's path: commit → NOTIFY → runner → fan-out → claim → POST → log.
  const runner = deliveryRunner(handle.db);
  const stop = await listenForOutbox(handle, runner.kick);
  const t0 = performance.now();
  await writeEvents(0, (n, at) => committedAt.set(n, at));
  const writtenMs = performance.now() - t0;
  await done;
  const liveMs = performance.now() - t0;
  await runner.idle();
  await stop();
  const delays = [...receivedAt].map(([n, at]) => at - committedAt.get(n)!);
  const liveRequests = received;

  // 2. A backlog: the same number of events written first, then drained by one wake-up.
  receivedAt.clear();
  received = 0;
  const drained = new Promise<void>((resolve) => (allReceived = resolve));
  await writeEvents(EVENTS);
  const d0 = performance.now();
  runner.kick();
  await drained;
  const drainMs = performance.now() - d0;
  await runner.idle();

  // 2. The raw baseline: the same bodies, POSTed from a loop, CONCURRENCY at a time.
  const bodies = Array.from({ length: EVENTS }, (_, n) =>
    JSON.stringify({
      id: String(n),
      type: "entitlements.changed",
      created_at: new Date().toISOString(),
      data: { n, business_id: businesses[n % BUSINESSES], operations_left: 1000 - n },
    }),
  );
  receivedAt.clear();
  const r0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < EVENTS) {
        const body = bodies[next++]!; // next < EVENTS, the length of bodies
        await post(started.url, body);
      }
    }),
  );
  const rawMs = performance.now() - r0;

  const rate = (n: number, msTaken: number) => `${count((n / msTaken) * 1000)} events/s`;
  say("");
  say(`live: ${count(EVENTS)} events written (100 per transaction) in ${seconds(writtenMs)}`);
  say(
    `live: delivered through the portal in ${seconds(liveMs)} from the first commit = ${rate(EVENTS, liveMs)} (${count(liveRequests)} requests)`,
  );
  say(
    `delay commit → receipt: p50 ${ms(percentile(delays, 50))}, p99 ${ms(percentile(delays, 99))}, max ${ms(Math.max(...delays))}`,
  );
  say(
    `backlog: ${count(EVENTS)} waiting events drained in ${seconds(drainMs)} = ${rate(EVENTS, drainMs)}`,
  );
  say(
    `raw baseline, ${CONCURRENCY} concurrent plain POSTs: ${count(EVENTS)} in ${seconds(rawMs)} = ${rate(EVENTS, rawMs)}`,
  );
  say(`backlog / raw: ${((rawMs / drainMs) * 100).toFixed(0)} % of the raw rate`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
