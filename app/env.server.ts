// The one place that reads process.env: parsed once, typed, validated.
import { isIP } from "node:net";
import { z } from "zod";
import { DEFAULT_DAYS_PAST_DUE } from "~/domain/invoices/past-due";
import { DEFAULT_PORT, portalUrl } from "~/lib/public-url";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().min(1).default("./data/pglite"),
  PORT: z.coerce.number().int().min(1).max(65535).default(DEFAULT_PORT),
  PUBLIC_URL: z.string().url().optional(),
  SESSION_SECRET: z.string().min(16).optional(),
  SMTP_URL: z.string().min(1).optional(),
  MAIL_FROM: z.string().min(3).default("7stamp Partner Portal <no-reply@7stamp.test>"),
  OUTBOX_DIR: z.string().min(1).optional(),
  /** Where the demo seed writes the demo's platform token (default data/demo-platform-token). */
  DEMO_TOKEN_FILE: z.string().min(1).optional(),
  /** "false" keeps background jobs out of this web process (run `npm run worker` instead). */
  RUN_JOBS: z.enum(["true", "false"]).default("true"),
  /**
   * Web processes sharing the port on PostgreSQL (default: one per core). The embedded
   * database always runs one.
   */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  /** Set by the primary process for the processes it forks (server/cluster.ts); not by hand. */
  PORTAL_PROCESS_NUMBER: z.coerce.number().int().min(1).optional(),
  PORTAL_PROCESS_COUNT: z.coerce.number().int().min(1).optional(),
  PORTAL_PROCESS_RUNS_JOBS: z.enum(["true", "false"]).optional(),
  /**
   * Codes per transaction when a background job makes a large batch (default 2,000 on the
   * embedded database, whose one connection each chunk holds; 10,000 on PostgreSQL).
   */
  CODE_BATCH_CHUNK_SIZE: z.coerce.number().int().min(100).max(50_000).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /**
   * Which proxies in front of the portal to believe about the client's address
   * (X-Forwarded-For): a number of hops, or a comma-separated list of addresses / CIDR ranges
   * (also `loopback`, `linklocal`, `uniquelocal`). Off by default: the socket's address.
   */
  TRUST_PROXY: z.string().optional(),
  /**
   * "true" lets webhooks reach 127.0.0.0/8 and ::1 (development and tests only; refused with
   * NODE_ENV=production). Other private, link-local and metadata addresses stay refused.
   */
  WEBHOOK_ALLOW_LOOPBACK: z.enum(["true", "false"]).default("false"),
  /**
   * The payment provider's signing secret for POST /api/v1/payments/webhook (HMAC-SHA256 of
   * "t.body"). Unset in production, the webhook refuses every event; elsewhere a development
   * secret is used.
   */
  PAYMENT_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Days a subscription may stay past due before its plan falls back to free at the period's end. */
  PAYMENT_DAYS_PAST_DUE: z.coerce.number().int().min(1).max(365).default(DEFAULT_DAYS_PAST_DUE),
});

/** The payment webhook's secret outside production when none is set (tests, the demo). */
export const DEVELOPMENT_PAYMENT_WEBHOOK_SECRET = "whsec_7stamp_development_payments";

/** Express's `trust proxy` setting from TRUST_PROXY: false, a hop count or address list. */
export type TrustProxy = false | number | string[];

const NAMED_PROXY_RANGES = ["loopback", "linklocal", "uniquelocal"];

function isProxyAddress(entry: string): boolean {
  if (NAMED_PROXY_RANGES.includes(entry)) return true;
  const [address, bits, ...rest] = entry.split("/");
  const family = isIP(address ?? "");
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** Throws a message naming TRUST_PROXY when the value is neither a count nor addresses. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = (value ?? "").trim();
  if (text === "" || text === "false" || text === "0") return false;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 10) throw new Error("TRUST_PROXY: at most 10 hops");
    return hops;
  }
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const wrong = entries.filter((entry) => !isProxyAddress(entry));
  if (wrong.length || entries.length === 0) {
    throw new Error(
      `TRUST_PROXY: expected a number of hops or addresses / CIDR ranges, not ${JSON.stringify(wrong.join(","))}`,
    );
  }
  return entries;
}

/** Exported for tests of the rules; the app reads `env` below. */
export function parseEnv(source: Record<string, string | undefined> = process.env) {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${problems.join("\n")}`);
  }
  const env = parsed.data;
  if (env.NODE_ENV === "production" && !env.SESSION_SECRET) {
    throw new Error("Invalid environment:\n  SESSION_SECRET: required when NODE_ENV=production");
  }
  // Without SMTP, email goes to files holding reset and invitation links: in production only
  // where an operator chose the directory on purpose.
  if (env.NODE_ENV === "production" && !env.SMTP_URL && !env.OUTBOX_DIR) {
    throw new Error(
      "Invalid environment:\n  SMTP_URL: required when NODE_ENV=production (or set OUTBOX_DIR to keep email in files)",
    );
  }
  if (env.NODE_ENV === "production" && env.WEBHOOK_ALLOW_LOOPBACK === "true") {
    throw new Error(
      "Invalid environment:\n  WEBHOOK_ALLOW_LOOPBACK: not allowed when NODE_ENV=production",
    );
  }
  let trustProxy: TrustProxy;
  try {
    trustProxy = parseTrustProxy(env.TRUST_PROXY);
  } catch (error) {
    throw new Error(`Invalid environment:\n  ${(error as Error).message}`);
  }
  return {
    ...env,
    PUBLIC_URL: portalUrl(env),
    // Signs the flash cookie only; sessions are random tokens checked against the database.
    SESSION_SECRET: env.SESSION_SECRET ?? "7stamp-development-only-secret",
    TRUST_PROXY: trustProxy,
    WEBHOOK_ALLOW_LOOPBACK: env.WEBHOOK_ALLOW_LOOPBACK === "true",
    PAYMENT_WEBHOOK_SECRET:
      env.PAYMENT_WEBHOOK_SECRET ??
      (env.NODE_ENV === "production" ? null : DEVELOPMENT_PAYMENT_WEBHOOK_SECRET),
    OUTBOX_DIR: env.OUTBOX_DIR ?? "./data/outbox",
    isProduction: env.NODE_ENV === "production",
    /** Cookies carry Secure in production and whenever the portal is served over https. */
    secureCookies: env.NODE_ENV === "production" || (env.PUBLIC_URL ?? "").startsWith("https://"),
  };
}

export const env = parseEnv();
export type Env = typeof env;
