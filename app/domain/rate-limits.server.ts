// Attempt counters kept in the database, so a limit holds across every app process.
// Fixed windows: a key's hits in the current window decide; the window's end is when to retry.
import { sql, type RawBuilder } from "kysely";
import type { Database } from "~db/index.ts";
import { RateLimited } from "./errors.server";

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
  redemptionFailuresPerBusiness: { limit: 10, windowSeconds: 60 * 60 },
  redemptionFailuresPerIp: { limit: 30, windowSeconds: 60 * 60 },
  invitationsPerUser: { limit: 30, windowSeconds: 60 * 60 },
  invitationsPerIp: { limit: 60, windowSeconds: 60 * 60 },
  /** A partner emails one code a few times (a typo in the address), not without end. */
  codeEmailsPerCode: { limit: 3, windowSeconds: 60 * 60 },
  codeEmailsPerPartner: { limit: 200, windowSeconds: 60 * 60 },
  codeEmailsPerIp: { limit: 200, windowSeconds: 60 * 60 },
  /** A business asks for Custom / Enterprise a few times a day at most; support answers. */
  enterpriseRequestsPerBusiness: { limit: 3, windowSeconds: 24 * 60 * 60 },
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
  now: Date,
): Promise<RateLimitState> {
  return checkRateLimits(db, [{ key, rule }], now);
}

/** Counts one attempt; limited when this attempt went past the limit. Atomic upsert. */
export async function hitRateLimit(
  db: Database,
  key: string,
  rule: RateLimitRule,
  now: Date,
): Promise<RateLimitState> {
  return hitRateLimits(db, [{ key, rule }], now);
}

/** Old windows are of no use; the hourly job (app/jobs/maintenance.server.ts) calls this. */
export async function pruneRateLimitCounters(db: Database, now: Date): Promise<number> {
  const result = await db
    .deleteFrom("rate_limit_counters")
    .where("window_start", "<", new Date(now.getTime() - 24 * 60 * 60 * 1000))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface KeyedRule {
  key: string;
  rule: RateLimitRule;
}

/** Is any of the keys already at its limit? One statement; counts nothing. */
export async function checkRateLimits(
  db: Database,
  limits: KeyedRule[],
  now: Date,
): Promise<RateLimitState> {
  const rows = await db
    .selectFrom("rate_limit_counters")
    .select(["key", "hits"])
    .where((eb) =>
      eb.or(
        limits.map(({ key, rule }) =>
          eb.and([eb("key", "=", key), eb("window_start", "=", windowStart(rule, now))]),
        ),
      ),
    )
    .execute();
  return rateLimitsReached(limits, Object.fromEntries(rows.map((r) => [r.key, r.hits])), now);
}

/** The keys and each one's current window, as the two arrays rateLimitHitsSql reads. */
export interface RateLimitWindows {
  keys: string[];
  windowStarts: Date[];
}

export function rateLimitWindows(limits: KeyedRule[], now: Date): RateLimitWindows {
  return {
    keys: limits.map(({ key }) => key),
    windowStarts: limits.map(({ rule }) => windowStart(rule, now)),
  };
}

/**
 * checkRateLimits as a SQL expression, for a statement that reads more in the same round
 * trip: the keys' hits in their current windows as a JSON object `{key: hits}` (keys without a
 * counter left out). `rateLimitsReached` decides on it. The keys and windows are two array
 * parameters, so the text is the same for any number of keys (a query compiled once).
 */
export function rateLimitHitsSql({
  keys,
  windowStarts,
}: RateLimitWindows): RawBuilder<Record<string, number>> {
  return sql<Record<string, number>>`coalesce((select json_object_agg(c.key, c.hits)
    from unnest(${keys}::text[], ${windowStarts}::timestamptz[]) as w(key, window_start)
    join rate_limit_counters c on c.key = w.key and c.window_start = w.window_start),
    '{}'::json)`;
}

/** Is any of the keys already at its limit, given their hits? (checkRateLimits' rule.) */
export function rateLimitsReached(
  limits: KeyedRule[],
  hits: Record<string, number>,
  now: Date,
): RateLimitState {
  const over = limits.filter(({ key, rule }) => (hits[key] ?? 0) >= rule.limit);
  return stateOf(over, now);
}

/**
 * Counts one failed attempt against every key in one atomic statement. Limited when this
 * attempt went past a limit: the caller answers 429 instead of the attempt's own outcome,
 * so however many attempts race, no more than the limit ever learn theirs.
 */
export async function hitRateLimits(
  db: Database,
  limits: KeyedRule[],
  now: Date,
): Promise<RateLimitState> {
  const rows = await db
    .insertInto("rate_limit_counters")
    .values(limits.map(({ key, rule }) => ({ key, window_start: windowStart(rule, now), hits: 1 })))
    .onConflict((oc) =>
      oc.columns(["key", "window_start"]).doUpdateSet({ hits: sql`rate_limit_counters.hits + 1` }),
    )
    .returning(["key", "hits"])
    .execute();
  const over = limits.filter(
    ({ key, rule }) => (rows.find((r) => r.key === key)?.hits ?? 0) > rule.limit,
  );
  return stateOf(over, now);
}

/**
 * Counts an attempt before it is made, against every key in one atomic statement: the
 * caller refuses the attempt when it is limited, so however many attempts race, at most the
 * limit of them get to run. `refundRateLimits` gives back an attempt that turned out not to
 * count (a successful sign-in), so the counters hold failures and attempts in flight.
 */
export async function reserveRateLimits(
  db: Database,
  limits: KeyedRule[],
  now: Date,
): Promise<void> {
  const state = await hitRateLimits(db, limits, now);
  if (state.limited) {
    // A refused attempt was never made: the counters keep showing attempts that ran.
    await refundRateLimits(db, limits, now);
    throw new RateLimited(state.retryAfterSeconds);
  }
}

/** Takes back one attempt counted by reserveRateLimits in the same window. */
export async function refundRateLimits(
  db: Database,
  limits: KeyedRule[],
  now: Date,
): Promise<void> {
  await db
    .updateTable("rate_limit_counters")
    .set({ hits: sql`hits - 1` })
    .where("hits", ">", 0)
    .where((eb) =>
      eb.or(
        limits.map(({ key, rule }) =>
          eb.and([eb("key", "=", key), eb("window_start", "=", windowStart(rule, now))]),
        ),
      ),
    )
    .execute();
}

function stateOf(over: KeyedRule[], now: Date): RateLimitState {
  return {
    limited: over.length > 0,
    retryAfterSeconds: over.length ? Math.max(...over.map(({ rule }) => retryAfter(rule, now))) : 0,
  };
}
