// Session lifetime (DESIGN.md §8, ADR 003): 30-day expiry, renewal once less than half is
// left (with the cookie re-sent through the load context), and signing out.
import { afterEach, describe, expect, test, vi } from "vitest";
import { getOptionalUser, requireUser } from "~/auth/guards.server";
import {
  invalidateUserSessions,
  SESSION_COOKIE,
  SESSION_LIFETIME_MS,
  validateSessionToken,
} from "~/auth/session.server";
import { db } from "~/db.server";
import { loader as accountLoader } from "~/routes/_app.account";
import { action as logoutAction, loader as logoutLoader } from "~/routes/logout";
import { testDb } from "../db.ts";
import { createUser } from "../factories.ts";
import {
  auditRows,
  freezeClock,
  sessionCookieHeader,
  sessionsOf,
  signInAs,
  signInThroughLogin,
} from "../helpers/auth.ts";
import {
  callRoute,
  findSetCookie,
  formRequest,
  getRequest,
  makeContext,
  setCookieValue,
} from "../helpers/remix.ts";
import { only } from "../helpers/rows.ts";

const DAY = 24 * 60 * 60 * 1000;

afterEach(() => {
  vi.useRealTimers();
});

async function expiresAt(sessionId: string): Promise<Date | undefined> {
  const row = await testDb()
    .db.selectFrom("sessions")
    .select("expires_at")
    .where("id", "=", sessionId)
    .executeTakeFirst();
  return row?.expires_at;
}

describe("validateSessionToken", () => {
  test("a fresh session is valid, not renewed, and carries its user", async () => {
    const user = await createUser({ locale: "en" });
    const now = new Date("2026-05-10T12:00:00Z");
    const session = await signInAs(user, { now });

    const valid = await validateSessionToken(db, session.token, new Date(now.getTime() + 1000));
    expect(valid).toEqual({
      id: session.sessionId,
      expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS),
      renewed: false,
      user: {
        id: user.id,
        email: user.email,
        name: user.name,
        isSupport: false,
        locale: "en",
      },
    });
  });

  test("an unknown token is null", async () => {
    expect(await validateSessionToken(db, "a".repeat(32))).toBeNull();
  });

  test("an expired session is null and its row is deleted", async () => {
    const user = await createUser();
    const created = new Date("2026-01-01T00:00:00Z");
    const session = await signInAs(user, { now: created });
    const other = await signInAs(user, { now: created });

    const atExpiry = new Date(created.getTime() + SESSION_LIFETIME_MS);
    expect(await validateSessionToken(db, session.token, atExpiry)).toBeNull();
    expect(await expiresAt(session.sessionId)).toBeUndefined();
    // Only the session that was presented goes.
    expect(await expiresAt(other.sessionId)).toEqual(atExpiry);
  });

  test("one millisecond before expiry it is still valid (and renewed)", async () => {
    const user = await createUser();
    const created = new Date("2026-01-01T00:00:00Z");
    const session = await signInAs(user, { now: created });
    const now = new Date(created.getTime() + SESSION_LIFETIME_MS - 1);
    const valid = await validateSessionToken(db, session.token, now);
    expect(valid?.renewed).toBe(true);
    expect(valid?.expiresAt).toEqual(new Date(now.getTime() + SESSION_LIFETIME_MS));
  });

  test("less than 15 days left: extended to now + 30 days", async () => {
    const user = await createUser();
    const created = new Date("2026-03-01T08:00:00Z");
    const session = await signInAs(user, { now: created });
    // 15 days minus a minute left.
    const now = new Date(created.getTime() + 15 * DAY + 60_000);

    const valid = await validateSessionToken(db, session.token, now);
    const extended = new Date(now.getTime() + SESSION_LIFETIME_MS);
    expect(valid).toMatchObject({ renewed: true, expiresAt: extended });
    expect(await expiresAt(session.sessionId)).toEqual(extended);

    // Validating again right after does not renew a second time.
    const again = await validateSessionToken(db, session.token, new Date(now.getTime() + 1000));
    expect(again).toMatchObject({ renewed: false, expiresAt: extended });
  });

  test("more than 15 days left: the row is not touched", async () => {
    const user = await createUser();
    const created = new Date("2026-03-01T08:00:00Z");
    const session = await signInAs(user, { now: created });
    // 15 days plus a minute left.
    const now = new Date(created.getTime() + 15 * DAY - 60_000);

    const valid = await validateSessionToken(db, session.token, now);
    expect(valid).toMatchObject({ renewed: false, expiresAt: session.expiresAt });
    expect(await expiresAt(session.sessionId)).toEqual(session.expiresAt);
  });

  test("invalidateUserSessions ends every session of that user only", async () => {
    const [a, b] = [await createUser(), await createUser()];
    await signInAs(a);
    await signInAs(a);
    const bSession = await signInAs(b);
    await invalidateUserSessions(db, a.id);
    expect(await sessionsOf(a.id)).toEqual([]);
    expect((await sessionsOf(b.id)).map((s) => s.id)).toEqual([bSession.sessionId]);
  });
});

describe("the guard", () => {
  test("no cookie: redirect to /login with where the user was going", async () => {
    const result = await callRoute(accountLoader, {
      request: getRequest("/account?tab=profile&x=%2F"),
    });
    expect(result).toMatchObject({
      thrown: true,
      status: 302,
      location: `/login?redirectTo=${encodeURIComponent("/account?tab=profile&x=%2F")}`,
    });
  });

  test("an expired session cookie: the row goes and the user is sent to /login", async () => {
    const user = await createUser();
    const session = await signInAs(user, { now: new Date(Date.now() - 31 * DAY) });

    const result = await callRoute(accountLoader, {
      request: getRequest("/account", { cookie: session.cookie }),
    });
    expect(result).toMatchObject({
      thrown: true,
      status: 302,
      location: "/login?redirectTo=%2Faccount",
    });
    expect(await sessionsOf(user.id)).toEqual([]);
  });

  test("a malformed or forged cookie is no session", async () => {
    const user = await createUser();
    const session = await signInAs(user);
    for (const cookie of [
      `${SESSION_COOKIE}=${session.sessionId}`, // the row id is not a token
      `${SESSION_COOKIE}=${session.token.toUpperCase()}`,
      `${SESSION_COOKIE}=${session.token}'--`,
      `other=${session.token}`,
    ]) {
      const context = makeContext();
      expect(await getOptionalUser({ request: getRequest("/", { cookie }), context })).toBeNull();
    }
  });

  test("the session cookie is found among other cookies", async () => {
    const user = await createUser();
    const session = await signInAs(user);
    const cookie = `theme=dark; ${session.cookie}; 7s_flash=abc`;
    const found = await requireUser({
      request: getRequest("/", { cookie }),
      context: makeContext(),
    });
    expect(found.id).toBe(user.id);
  });

  test("renews a session with < 15 days left and appends the new cookie", async () => {
    const now = new Date("2026-06-15T10:00:00Z");
    freezeClock(now);
    const user = await createUser();
    const session = await signInAs(user, { now: new Date(now.getTime() - 20 * DAY) });
    const context = makeContext();

    const result = await callRoute(accountLoader, {
      request: getRequest("/account", { cookie: session.cookie }),
      context,
    });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ email: user.email });

    const renewedUntil = new Date(now.getTime() + SESSION_LIFETIME_MS);
    expect(await expiresAt(session.sessionId)).toEqual(renewedUntil);
    expect(context.cookies).toHaveLength(1);
    const cookie = only(context.cookies, "Set-Cookie header");
    expect(setCookieValue(cookie)).toBe(session.token);
    expect(cookie).toContain(`Expires=${renewedUntil.toUTCString()}`);
    expect(cookie).toMatch(/; HttpOnly(;|$)/);
    expect(cookie).toMatch(/; SameSite=Lax(;|$)/);
  });

  test("does not touch a session with > 15 days left, nor append a cookie", async () => {
    const now = new Date("2026-06-15T10:00:00Z");
    freezeClock(now);
    const user = await createUser();
    const session = await signInAs(user, { now: new Date(now.getTime() - 10 * DAY) });
    const context = makeContext();

    const result = await callRoute(accountLoader, {
      request: getRequest("/account", { cookie: session.cookie }),
      context,
    });
    expect(result.status).toBe(200);
    expect(context.cookies).toEqual([]);
    expect(await expiresAt(session.sessionId)).toEqual(session.expiresAt);
  });

  test("validates once per request however many loaders ask", async () => {
    const now = new Date("2026-06-15T10:00:00Z");
    freezeClock(now);
    const user = await createUser();
    const session = await signInAs(user, { now: new Date(now.getTime() - 20 * DAY) });
    const context = makeContext();
    const request = getRequest("/account", { cookie: session.cookie });
    await Promise.all([
      requireUser({ request, context }),
      requireUser({ request, context }),
      getOptionalUser({ request, context }),
    ]);
    expect(context.cookies).toHaveLength(1);
  });
});

describe("signing out", () => {
  test("POST /logout deletes this session, clears the cookie and audits", async () => {
    const user = await createUser();
    const session = await signInThroughLogin(user);
    const otherDevice = await signInAs(user);
    const context = makeContext({ clientIp: "203.0.113.9" });

    const result = await callRoute(logoutAction, {
      request: formRequest("/logout", {}, { cookie: session.cookie }),
      context,
    });

    expect(result.status).toBe(302);
    expect(result.location).toBe("/login");
    const cleared = findSetCookie(result.setCookies, SESSION_COOKIE);
    expect(cleared).toBeDefined();
    expect(setCookieValue(cleared!)).toBe("");
    expect(cleared).toMatch(/; Max-Age=0(;|$)/);
    expect(cleared).toContain("Path=/");

    expect((await sessionsOf(user.id)).map((s) => s.id)).toEqual([otherDevice.sessionId]);
    expect(await auditRows("auth.signed_out")).toEqual([
      expect.objectContaining({ actor_user_id: user.id, subject_id: user.id, ip: "203.0.113.9" }),
    ]);

    // The old cookie no longer signs anyone in.
    const after = await callRoute(accountLoader, {
      request: getRequest("/account", { cookie: session.cookie }),
    });
    expect(after).toMatchObject({ thrown: true, status: 302 });
    expect(after.location).toMatch(/^\/login\?/);
  });

  test("POST /logout without a session still clears the cookie and audits nothing", async () => {
    const before = (await auditRows("auth.signed_out")).length;
    const result = await callRoute(logoutAction, {
      request: formRequest("/logout", {}, { cookie: sessionCookieHeader("b".repeat(32)) }),
    });
    expect(result.status).toBe(302);
    expect(result.location).toBe("/login");
    expect(setCookieValue(findSetCookie(result.setCookies, SESSION_COOKIE)!)).toBe("");
    expect(await auditRows("auth.signed_out")).toHaveLength(before);
  });

  test("GET /logout changes nothing", async () => {
    const user = await createUser();
    const session = await signInAs(user);
    const auditBefore = await testDb().db.selectFrom("audit_log").select("id").execute();

    const result = await callRoute(logoutLoader, {
      request: getRequest("/logout", { cookie: session.cookie }),
    });

    expect(result).toMatchObject({ thrown: true, status: 302, location: "/" });
    expect(result.setCookies).toEqual([]);
    expect((await sessionsOf(user.id)).map((s) => s.id)).toEqual([session.sessionId]);
    expect(await testDb().db.selectFrom("audit_log").select("id").execute()).toEqual(auditBefore);
  });
});
