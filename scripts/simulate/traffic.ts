// The pure parts of `npm run simulate`: its arguments, the token it uses, the stamp traffic
// it sends (from an injectable random source, so tests can replay it) and the tallies it
// prints. scripts/simulate.ts adds the clock, fetch and the console.
import { parseArgs } from "node:util";
import { isUuid } from "../../app/lib/ids.ts";
import { portalUrl } from "../../app/lib/public-url.ts";
import { DEMO_PLATFORM_TOKEN_FILE } from "../../db/seed.ts";

/** Without --url: the portal as the server itself would be addressed (PUBLIC_URL, else PORT). */
export const DEFAULT_URL = portalUrl({});
/** Requests waiting for an answer at most; arrivals wait for a free slot beyond that. */
export const MAX_IN_FLIGHT = 16;
/** Where the demo seed leaves a platform token, relative to the project directory. */
export const DEMO_TOKEN_FILE = DEMO_PLATFORM_TOKEN_FILE;
const MAX_RATE = 1000;
const MAX_SECONDS = 24 * 60 * 60;

export const TRAFFIC_MIX = {
  /** Of all operations, the rest being stamps. */
  voucherShare: 0.15,
  /** Of stamp operations: a customer buying two or three coffees at once. */
  multiStampShare: 0.1,
  /** Of requests once something was accepted: a till re-sending an earlier request. */
  replayShare: 0.02,
} as const;

export const usage = `Usage:
  npm run simulate -- --business ID [--business ID | --business ID,ID] --rate N --seconds S
                      [--url URL] [--token sk_platform_…]

Sends stamp and voucher operations to POST {url}/api/v1/businesses/{id}/operations at about
N requests a second (Poisson arrivals) for S seconds, at most ${MAX_IN_FLIGHT} at a time.
Without --url the portal is found like the server finds itself: PUBLIC_URL, else
http://localhost:$PORT (${DEFAULT_URL} when neither is set).
The token comes from --token, else PLATFORM_TOKEN, else ${DEMO_TOKEN_FILE}.`;

export interface SimulateOptions {
  businesses: string[];
  /** Mean requests per second. */
  rate: number;
  seconds: number;
  /** Without a trailing slash. */
  url: string;
  token: string | null;
}

export type ParsedArgs =
  | { ok: true; help: true }
  | { ok: true; help: false; options: SimulateOptions }
  | { ok: false; error: string };

function positiveNumber(
  flag: string,
  raw: string | undefined,
  max: number,
  example: string,
): number | string {
  if (raw === undefined) return `${flag}: required, e.g. ${flag} ${example}`;
  const value = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0 || value > max) {
    return `${flag}: give a number above 0 and at most ${max}, e.g. ${flag} ${example} (got "${raw}")`;
  }
  return value;
}

export function parseSimulateArgs(
  argv: string[],
  environment: { PUBLIC_URL?: string; PORT?: string } = {},
): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        business: { type: "string", multiple: true },
        rate: { type: "string" },
        seconds: { type: "string" },
        url: { type: "string" },
        token: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const { values } = parsed;
  if (values.help) return { ok: true, help: true };

  const businesses = [
    ...new Set(
      (values.business ?? [])
        .flatMap((list) => list.split(","))
        .map((id) => id.trim().toLowerCase())
        .filter((id) => id !== ""),
    ),
  ];
  if (businesses.length === 0) {
    return {
      ok: false,
      error:
        "--business: give at least one business id, e.g. --business 0b6f…; several: repeat it or separate them with commas",
    };
  }
  // `: boolean`: not a type predicate, which would narrow what is found to `never`.
  const notAnId = businesses.find((id): boolean => !isUuid(id));
  if (notAnId !== undefined) {
    return { ok: false, error: `--business: "${notAnId}" is not a business id (a UUID)` };
  }

  const rate = positiveNumber("--rate", values.rate, MAX_RATE, "5");
  if (typeof rate === "string") return { ok: false, error: rate };
  const seconds = positiveNumber("--seconds", values.seconds, MAX_SECONDS, "60");
  if (typeof seconds === "string") return { ok: false, error: seconds };

  const rawUrl = values.url ?? portalUrl(environment);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { ok: false, error: `--url: "${rawUrl}" is not a URL, e.g. --url ${DEFAULT_URL}` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, error: `--url: use an http:// or https:// address (got "${rawUrl}")` };
  }
  if (url.search || url.hash) {
    return {
      ok: false,
      error: `--url: give the portal's address without ? or # (got "${rawUrl}")`,
    };
  }

  return {
    ok: true,
    help: false,
    options: {
      businesses,
      rate,
      seconds,
      url: `${url.origin}${url.pathname}`.replace(/\/+$/, ""),
      token: values.token ?? null,
    },
  };
}

/**
 * The platform token to send: --token, else the PLATFORM_TOKEN environment variable, else
 * the demo seed's file (its contents, or null when there is none).
 */
export function chooseToken(sources: {
  flag: string | null;
  env: string | undefined;
  file: string | null;
}): { ok: true; token: string; source: string } | { ok: false; error: string } {
  const candidates: [string | null | undefined, string][] = [
    [sources.flag, "--token"],
    [sources.env, "PLATFORM_TOKEN"],
    [sources.file, DEMO_TOKEN_FILE],
  ];
  for (const [value, source] of candidates) {
    const token = value?.trim();
    if (!token) continue;
    if (!token.startsWith("sk_platform_")) {
      const what = token.startsWith("sk_partner_") ? "a partner key" : "not a platform token";
      return {
        ok: false,
        error: `The token from ${source} is ${what}; the operations endpoint needs a platform token (sk_platform_…). Create one with: npm run admin -- token create --platform --name simulator`,
      };
    }
    return { ok: true, token, source };
  }
  return {
    ok: false,
    error: `No platform token. Create one with:
  npm run admin -- token create --platform --name simulator
and pass it as --token sk_platform_… or in PLATFORM_TOKEN (the demo seed also leaves one in ${DEMO_TOKEN_FILE}).`,
  };
}

export type Random = () => number;
export type CardOperationKind = "stamp" | "voucher";

/** The JSON body of POST /api/v1/businesses/{id}/operations. */
export interface CardOperationBody {
  idempotency_key: string;
  kind: CardOperationKind;
  quantity: number;
  /** When it happened at the till (part of what makes a replay the same request). */
  occurred_at: string;
}

export interface PlannedOperation {
  businessId: string;
  body: CardOperationBody;
  /** An earlier accepted request sent again, key and body unchanged. */
  replay: boolean;
}

/** Milliseconds until the next arrival of a Poisson process with `ratePerSecond`. */
export function exponentialGapMs(ratePerSecond: number, random: Random): number {
  // 1 - u is in (0, 1]: the logarithm stays finite.
  return (-Math.log(1 - random()) / ratePerSecond) * 1000;
}

function pick<T>(items: readonly T[], random: Random): T {
  const item = items[Math.min(items.length - 1, Math.floor(random() * items.length))];
  if (item === undefined) throw new Error("pick: nothing to choose from");
  return item;
}

/** Stamp traffic of several businesses, chosen uniformly; see TRAFFIC_MIX. */
export class TrafficGenerator {
  private readonly runId: string;
  private readonly businesses: readonly string[];
  private readonly random: Random;
  private readonly replayPoolSize: number;
  private sequence = 0;
  /** Recently accepted requests, the ones a till might send again. */
  private readonly replayPool: PlannedOperation[] = [];

  constructor({
    runId,
    businesses,
    random = Math.random,
    replayPoolSize = 500,
  }: {
    runId: string;
    businesses: readonly string[];
    random?: Random;
    replayPoolSize?: number;
  }) {
    if (businesses.length === 0) throw new Error("TrafficGenerator: no businesses");
    this.runId = runId;
    this.businesses = businesses;
    this.random = random;
    this.replayPoolSize = replayPoolSize;
  }

  next(now: Date): PlannedOperation {
    if (this.replayPool.length > 0 && this.random() < TRAFFIC_MIX.replayShare) {
      const earlier = pick(this.replayPool, this.random);
      return { businessId: earlier.businessId, body: earlier.body, replay: true };
    }
    const businessId = pick(this.businesses, this.random);
    const kind: CardOperationKind = this.random() < TRAFFIC_MIX.voucherShare ? "voucher" : "stamp";
    const quantity =
      kind === "stamp" && this.random() < TRAFFIC_MIX.multiStampShare
        ? 2 + Math.floor(this.random() * 2)
        : 1;
    this.sequence += 1;
    return {
      businessId,
      body: {
        idempotency_key: `sim-${this.runId}-${this.sequence}`,
        kind,
        quantity,
        occurred_at: now.toISOString(),
      },
      replay: false,
    };
  }

  /**
   * Offers an accepted request for replaying. Only accepted ones: a request answered 402
   * recorded nothing, so sending it again would be a new attempt rather than a replay.
   */
  accepted(operation: PlannedOperation): void {
    if (operation.replay) return;
    if (this.replayPool.length >= this.replayPoolSize) {
      this.replayPool[Math.floor(this.random() * this.replayPoolSize)] = operation;
    } else {
      this.replayPool.push(operation);
    }
  }
}

export type Outcome =
  | { kind: "accepted"; remaining: number | null }
  | { kind: "replayed" }
  | { kind: "limit_reached"; remaining: number | null }
  | { kind: "error"; label: string };

function field(body: unknown, name: string): unknown {
  return typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : null;
}

/** What an answer of the operations endpoint means (DESIGN.md §6). */
export function classifyResponse(status: number, body: unknown): Outcome {
  const remaining =
    typeof field(body, "remaining") === "number" ? (field(body, "remaining") as number) : null;
  const code = typeof field(body, "code") === "string" ? (field(body, "code") as string) : null;
  if (status === 201) return { kind: "accepted", remaining };
  if (status === 200) return { kind: "replayed" };
  if (status === 402 && code === "limit_reached") return { kind: "limit_reached", remaining };
  return { kind: "error", label: code ? `${status} ${code}` : `${status}` };
}

/** Running tallies, the one-line status and the final summary. */
export class SimulationStats {
  sent = 0;
  accepted = 0;
  replayed = 0;
  limitReached = 0;
  errors = 0;
  readonly errorsByLabel = new Map<string, number>();
  /** The last `remaining` each business answered, in the order given on the command line. */
  readonly remaining: Map<string, number | null>;

  constructor(businesses: readonly string[]) {
    this.remaining = new Map(businesses.map((id) => [id, null]));
  }

  record(businessId: string, outcome: Outcome): void {
    switch (outcome.kind) {
      case "accepted":
        this.accepted += 1;
        if (outcome.remaining !== null) this.remaining.set(businessId, outcome.remaining);
        break;
      case "replayed":
        // A replay answers the first answer: its `remaining` is history, not news.
        this.replayed += 1;
        break;
      case "limit_reached":
        this.limitReached += 1;
        if (outcome.remaining !== null) this.remaining.set(businessId, outcome.remaining);
        break;
      case "error":
        this.errors += 1;
        this.errorsByLabel.set(outcome.label, (this.errorsByLabel.get(outcome.label) ?? 0) + 1);
        break;
    }
  }

  private remainingList(idWidth: number | null): string {
    return [...this.remaining]
      .map(([id, left]) => `${idWidth === null ? id : id.slice(0, idWidth)}=${left ?? "?"}`)
      .join(" ");
  }

  statusLine(elapsedSeconds: number, inFlight: number): string {
    return [
      `${Math.round(elapsedSeconds).toString().padStart(4)}s`,
      `sent ${this.sent}`,
      `accepted ${this.accepted}`,
      `replayed ${this.replayed}`,
      `limit reached ${this.limitReached}`,
      `errors ${this.errors}`,
      `in flight ${inFlight}`,
      `| remaining ${this.remainingList(8)}`,
    ].join("  ");
  }

  summary(elapsedSeconds: number): string[] {
    const answered = this.accepted + this.replayed + this.limitReached + this.errors;
    const lines = [
      `Done in ${elapsedSeconds.toFixed(1)}s: sent ${this.sent} (${(this.sent / Math.max(elapsedSeconds, 0.001)).toFixed(1)}/s), answered ${answered}.`,
      `  accepted ${this.accepted}, replayed ${this.replayed}, limit reached ${this.limitReached}, errors ${this.errors}`,
    ];
    if (this.errorsByLabel.size > 0) {
      const byLabel = [...this.errorsByLabel]
        .sort((a, b) => b[1] - a[1])
        .map(([label, count]) => `${label} ×${count}`);
      lines.push(`  errors: ${byLabel.join(", ")}`);
    }
    lines.push("  remaining per business:");
    for (const [id, left] of this.remaining) lines.push(`    ${id}  ${left ?? "?"}`);
    return lines;
  }
}
