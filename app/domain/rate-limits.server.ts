// Attempt counters kept in the database, so a limit holds across every app process.
// Fixed windows: a key's hits in the current window decide; the window's end is when to retry.
import { sql } from "kysely";
import type { Database } from "~db/index.ts";

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

/** The settings. One place; every limit of the portal is named here. */
export const rateLimitRules = {
  loginFailuresPerAccount: { limit: 10, windowSeconds: 15 * 60 },
  loginFailuresPerIp: { limit: 30, windowSeconds: 15 * 60 },
  signupsPerIp: { limit: 10, windowSeconds: 60 * 60 },
  passwordResetsPerAccount: { limit: 5, windowSeconds: 60 * 60 },
  passwordResetsPerIp: { limit: 20, windowSeconds: 60 * 60 },
} satisfies Record<string, RateLimitRule>;

export interface RateLimitState {
  limited: boolean;
  retryAfterSeconds: number;
}

function windowStart(rule: RateLimitRule, now: Date): Date {
  const ms = rule.windowSeconds * 1000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}

function retryAfter(rule: RateLimitRule, now: Date): number {
  const end = windowStart(rule, now).getTime() + rule.windowSeconds * 1000;
  return Math.max(1, Math.ceil((end - now.getTime()) / 1000));
}

/** Is the key already at its limit? (Does not count an attempt.) */
export async function checkRateLimit(
  db: Database,
  key: string,
  rule: RateLimitRule,
  now = new Date(),
): Promise<RateLimitState> {
  const row = await db
    .selectFrom("rate_limit_counters")
    .select("hits")
    .where("key", "=", key)
    .where("window_start", "=", windowStart(rule, now))
    .executeTakeFirst();
  const limited = (row?.hits ?? 0) >= rule.limit;
  return { limited, retryAfterSeconds: limited ? retryAfter(rule, now) : 0 };
}

/** Counts one attempt; limited when this attempt went past the limit. Atomic upsert. */
export async function hitRateLimit(
  db: Database,
  key: string,
  rule: RateLimitRule,
  now = new Date(),
): Promise<RateLimitState> {
  const row = await db
    .insertInto("rate_limit_counters")
    .values({ key, window_start: windowStart(rule, now), hits: 1 })
    .onConflict((oc) =>
      oc.columns(["key", "window_start"]).doUpdateSet({ hits: sql`rate_limit_counters.hits + 1` }),
    )
    .returning("hits")
    .executeTakeFirstOrThrow();
  const limited = row.hits > rule.limit;
  return { limited, retryAfterSeconds: limited ? retryAfter(rule, now) : 0 };
}

/** Old windows are of no use; the worker calls this now and then. */
export async function pruneRateLimitCounters(db: Database, now = new Date()): Promise<number> {
  const result = await db
    .deleteFrom("rate_limit_counters")
    .where("window_start", "<", new Date(now.getTime() - 24 * 60 * 60 * 1000))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
