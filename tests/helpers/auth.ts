// Signed-in users for route tests, and quick reads of the rows auth code writes.
import { vi } from "vitest";
import { createSession, SESSION_COOKIE } from "~/auth/session.server";
import { hashToken } from "~/auth/tokens.server";
import { testDb } from "../db.ts";
import type { TestUser } from "../factories.ts";
import { callRoute, findSetCookie, formRequest, makeContext, setCookieValue } from "./remix.ts";

export interface TestSession {
  /** The raw token, as the browser holds it. */
  token: string;
  /** The sessions row id (SHA-256 hex of the token). */
  sessionId: string;
  expiresAt: Date;
  /** A Cookie header carrying the session. */
  cookie: string;
}

export function sessionCookieHeader(token: string): string {
  return `${SESSION_COOKIE}=${token}`;
}

/**
 * A session for the user, written straight through createSession (no password check, no
 * argon2). `now` backdates it: a session created 20 days ago has 10 days left.
 */
export async function signInAs(
  user: { id: string },
  { now, ip = null }: { now?: Date; ip?: string | null } = {},
): Promise<TestSession> {
  const { token, expiresAt } = await createSession(testDb().db, {
    userId: user.id,
    ip,
    userAgent: "vitest",
    now,
  });
  return { token, sessionId: hashToken(token), expiresAt, cookie: sessionCookieHeader(token) };
}

/** Signs in through the real login action and returns the session it set. */
export async function signInThroughLogin(
  user: Pick<TestUser, "email" | "password">,
): Promise<TestSession> {
  // Imported here so that files not signing in this way do not load the route module.
  const { action: loginAction } = await import("~/routes/_auth.login");
  const result = await callRoute(loginAction, {
    request: formRequest("/login", { email: user.email, password: user.password ?? "" }),
    context: makeContext(),
  });
  const setCookie = findSetCookie(result.setCookies, SESSION_COOKIE);
  if (result.status !== 302 || !setCookie) {
    throw new Error(`Sign-in of ${user.email} failed with ${result.status}`);
  }
  const token = setCookieValue(setCookie);
  const row = await testDb()
    .db.selectFrom("sessions")
    .select("expires_at")
    .where("id", "=", hashToken(token))
    .executeTakeFirstOrThrow();
  return {
    token,
    sessionId: hashToken(token),
    expiresAt: row.expires_at,
    cookie: sessionCookieHeader(token),
  };
}

export async function sessionsOf(userId: string) {
  return testDb()
    .db.selectFrom("sessions")
    .select(["id", "expires_at", "ip"])
    .where("user_id", "=", userId)
    .execute();
}

/** Audit rows with this action, oldest first. */
export async function auditRows(action: string) {
  return testDb()
    .db.selectFrom("audit_log")
    .select([
      "action",
      "actor_user_id",
      "actor_label",
      "subject_type",
      "subject_id",
      "partner_id",
      "business_id",
      "ip",
      "before",
      "after",
      "reason",
    ])
    .where("action", "=", action)
    .orderBy("id")
    .execute();
}

type CountedTable =
  | "users"
  | "subscriptions"
  | "invoice_items"
  | "businesses"
  | "business_members"
  | "partner_members"
  | "sessions"
  | "audit_log"
  | "invitations"
  | "password_reset_tokens"
  | "bundles"
  | "code_batches"
  | "activation_codes"
  | "api_keys"
  | "grants"
  | "card_operations"
  | "card_operation_draws"
  | "outbox_events"
  | "webhook_endpoints";

/** Row counts of the tables a request could write to. */
export async function countRows(
  tables: CountedTable[] = ["users", "businesses", "business_members", "sessions", "audit_log"],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await testDb()
      .db.selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

/**
 * Freezes the JS clock (Date only; timers keep running) at `at`. Rate-limit windows and
 * session expiry read `new Date()`, so tests about them do not depend on the wall clock.
 * Call vi.useRealTimers() afterwards (an afterEach does it).
 */
export function freezeClock(at: Date): void {
  vi.useFakeTimers({ toFake: ["Date"], now: at });
}

/**
 * A moment 7.5 minutes into a 15-minute window and 37.5 minutes into the hour, near the
 * real time: every fixed rate-limit window (15 min, 1 h) is far from its end.
 */
export function midWindow(): Date {
  const hour = 60 * 60 * 1000;
  return new Date(Math.floor(Date.now() / hour) * hour + 37.5 * 60 * 1000);
}
