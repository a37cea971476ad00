// `npm run simulate -- --business ID --rate N --seconds S [--url U] [--token sk_platform_…]`:
// drives stamp traffic at a running portal over HTTP, as the 7stamp platform would, and
// prints what came back once a second. The traffic itself is in ./simulate/traffic.ts.
import { existsSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  chooseToken,
  classifyResponse,
  DEMO_TOKEN_FILE,
  exponentialGapMs,
  MAX_IN_FLIGHT,
  parseSimulateArgs,
  SimulationStats,
  TrafficGenerator,
  usage,
  type Outcome,
  type PlannedOperation,
} from "./simulate/traffic.ts";

const REQUEST_TIMEOUT_MS = 15_000;

const parsed = parseSimulateArgs(process.argv.slice(2), {
  PUBLIC_URL: process.env.PUBLIC_URL,
  PORT: process.env.PORT,
});
if (!parsed.ok) {
  console.error(`${parsed.error}\n\n${usage}`);
  process.exit(1);
}
if (parsed.help) {
  console.log(usage);
  process.exit(0);
}
const options = parsed.options;

const tokenFile =
  process.env.DEMO_TOKEN_FILE ?? fileURLToPath(new URL(`../${DEMO_TOKEN_FILE}`, import.meta.url));
const chosen = chooseToken({
  flag: options.token,
  env: process.env.PLATFORM_TOKEN,
  file: existsSync(tokenFile) ? readFileSync(tokenFile, "utf8") : null,
});
if (!chosen.ok) {
  console.error(chosen.error);
  process.exit(1);
}
const token = chosen.token;

type Answer = { outcome: Outcome; status: number | null; detail: string | null };

async function send(operation: PlannedOperation): Promise<Answer> {
  const endpoint = `${options.url}/api/v1/businesses/${operation.businessId}/operations`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        Accept: "application/json",
      },
      body: JSON.stringify(operation.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    return { outcome: { kind: "error", label: `network ${reason}` }, status: null, detail: reason };
  }
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page, the wrong --url): classified by its status alone.
  }
  const detail =
    typeof body === "object" && body !== null && "detail" in body ? String(body.detail) : null;
  return { outcome: classifyResponse(response.status, body), status: response.status, detail };
}

const runId = randomBytes(4).toString("hex");
const traffic = new TrafficGenerator({ runId, businesses: options.businesses });
const stats = new SimulationStats(options.businesses);
const inFlight = new Set<Promise<void>>();

function dispatch(operation: PlannedOperation): void {
  stats.sent += 1;
  const request = send(operation).then(({ outcome }) => {
    stats.record(operation.businessId, outcome);
    if (outcome.kind === "accepted") traffic.accepted(operation);
  });
  inFlight.add(request);
  void request.finally(() => inFlight.delete(request));
}

console.log(
  `Simulating ~${options.rate}/s for ${options.seconds}s against ${options.url} ` +
    `(${options.businesses.length} business${options.businesses.length === 1 ? "" : "es"}, ` +
    `token from ${chosen.source}, run ${runId}, at most ${MAX_IN_FLIGHT} in flight)`,
);

const started = performance.now();
const elapsedSeconds = () => (performance.now() - started) / 1000;

// The first request alone: an unreachable portal or a refused token ends the run at once.
const first = traffic.next(new Date());
stats.sent += 1;
const firstAnswer = await send(first);
if (firstAnswer.status === null) {
  console.error(
    `Cannot reach the portal at ${options.url} (${firstAnswer.detail}). Is it running? Start it with: npm start (or give its address with --url)`,
  );
  process.exit(1);
}
if (firstAnswer.status === 401 || firstAnswer.status === 403) {
  console.error(
    `The portal answered ${firstAnswer.status} to the token from ${chosen.source}: ${firstAnswer.detail ?? "no detail"}\n` +
      "Create a platform token with: npm run admin -- token create --platform --name simulator",
  );
  process.exit(1);
}
stats.record(first.businessId, firstAnswer.outcome);
if (firstAnswer.outcome.kind === "accepted") traffic.accepted(first);

const ticker = setInterval(() => {
  console.log(stats.statusLine(elapsedSeconds(), inFlight.size));
}, 1000);

// Ctrl-C stops sending; what is in flight is still awaited and the summary printed.
const stop = new AbortController();
process.once("SIGINT", () => stop.abort());

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop.signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    stop.signal.addEventListener("abort", done, { once: true });
  });

const deadline = started + options.seconds * 1000;
let nextAt = performance.now();
for (;;) {
  nextAt += exponentialGapMs(options.rate, Math.random);
  if (nextAt >= deadline) break;
  await sleep(nextAt - performance.now());
  if (stop.signal.aborted) break;
  while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
  // Arrivals held back by a slow portal are not made up in a burst afterwards.
  nextAt = Math.max(nextAt, performance.now());
  if (nextAt >= deadline || stop.signal.aborted) break;
  dispatch(traffic.next(new Date()));
}
if (!stop.signal.aborted) await sleep(deadline - performance.now());
await Promise.all(inFlight);
clearInterval(ticker);

console.log(stats.statusLine(elapsedSeconds(), 0));
for (const line of stats.summary(elapsedSeconds())) console.log(line);
process.exit(0);
