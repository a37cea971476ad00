// Signing in through the login action (DESIGN.md §8): form errors, the session cookie and
// row, the audit trail, and where the user lands.
import { afterEach, describe, expect, test, vi } from "vitest";
import { signIn } from "~/auth/accounts.server";
import { SESSION_COOKIE, SESSION_LIFETIME_MS } from "~/auth/session.server";
import { hashToken } from "~/auth/tokens.server";
import { db } from "~/db.server";
import { action as loginAction, loader as loginLoader } from "~/routes/_auth.login";
import { testDb } from "../db.ts";
import { addPartnerMember, createPartner, createUser, DEFAULT_PASSWORD } from "../factories.ts";
import { auditRows, freezeClock, midWindow, sessionsOf, signInAs } from "../helpers/auth.ts";
import {
  callRoute,
  findSetCookie,
  formRequest,
  getRequest,
  makeContext,
  setCookieValue,
  type FormFailureBody,
} from "../helpers/remix.ts";
import { first } from "../helpers/rows.ts";

afterEach(() => {
  vi.useRealTimers();
});

function postLogin(fields: Record<string, string>, context = makeContext()) {
  return callRoute<FormFailureBody>(loginAction, {
    request: formRequest("/login", fields, { headers: { "User-Agent": "vitest-browser" } }),
    context,
  });
}

describe("wrong password", () => {
  test("answers the form error, writes no session and audits the failure", async () => {
    const user = await createUser();
    const context = makeContext({ clientIp: "203.0.113.9" });

    const result = await postLogin({ email: user.email, password: "not-the-password" }, context);

    expect(result.thrown).toBe(false);
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      errors: {},
      values: { email: user.email },
      formError: { key: "auth:login.invalid" },
    });
    expect(result.setCookies).toEqual([]);
    expect(await sessionsOf(user.id)).toEqual([]);
    expect(await auditRows("auth.sign_in_failed")).toEqual([
      expect.objectContaining({
        actor_user_id: user.id,
        actor_label: user.email,
        subject_type: "user",
        subject_id: user.id,
        ip: "203.0.113.9",
      }),
    ]);
    expect(await auditRows("auth.signed_in")).toEqual([]);
  });

  test("an unknown email answers exactly like a wrong password", async () => {
    const user = await createUser();
    const wrong = await postLogin({ email: user.email, password: "not-the-password" });
    const unknown = await postLogin({ email: "nobody@example.test", password: "whatever" });

    expect(unknown.status).toBe(wrong.status);
    expect(unknown.body.formError).toEqual(wrong.body.formError);
    const failures = await auditRows("auth.sign_in_failed");
    expect(failures.filter((r) => r.actor_label === "nobody@example.test")).toEqual([
      expect.objectContaining({ actor_user_id: null, subject_type: null, subject_id: null }),
    ]);
  });

  test("an account without a password (invited, not set up) cannot sign in", async () => {
    const user = await createUser({ password: null });
    const result = await postLogin({ email: user.email, password: "" });
    expect(result.status).toBe(400);
    expect(result.body.errors.password).toEqual({ key: "validation.required" });

    const attempt = await postLogin({ email: user.email, password: DEFAULT_PASSWORD });
    expect(attempt.status).toBe(400);
    expect(attempt.body.formError).toEqual({ key: "auth:login.invalid" });
    expect(await sessionsOf(user.id)).toEqual([]);
  });

  test("invalid input names the fields and touches nothing", async () => {
    const result = await postLogin({ email: "not-an-email", password: "" });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual({
      email: { key: "validation.email" },
      password: { key: "validation.required" },
    });
    expect(result.body.values).toEqual({ email: "not-an-email" });
    const rows = await testDb().db.selectFrom("rate_limit_counters").select("key").execute();
    expect(rows.filter((r) => r.key.includes("not-an-email"))).toEqual([]);
  });
});

describe("right password", () => {
  test("redirects with a 7s_session cookie whose SHA-256 is the session id", async () => {
    const at = midWindow();
    freezeClock(at);
    const user = await createUser();
    const context = makeContext({ clientIp: "203.0.113.9" });

    const result = await postLogin({ email: user.email, password: DEFAULT_PASSWORD }, context);

    expect(result.status).toBe(302);
    expect(result.location).toBe("/account");
    const setCookie = findSetCookie(result.setCookies, SESSION_COOKIE);
    expect(setCookie).toBeDefined();
    const token = setCookieValue(setCookie!);
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    const attributes = setCookie!.split(/;\s*/).slice(1);
    expect(attributes).toEqual(
      expect.arrayContaining([
        "Path=/",
        "HttpOnly",
        "SameSite=Lax",
        `Expires=${new Date(at.getTime() + SESSION_LIFETIME_MS).toUTCString()}`,
      ]),
    );

    const sessions = await testDb()
      .db.selectFrom("sessions")
      .select(["id", "user_id", "expires_at", "ip", "user_agent"])
      .execute();
    expect(sessions).toEqual([
      {
        id: hashToken(token),
        user_id: user.id,
        expires_at: new Date(at.getTime() + SESSION_LIFETIME_MS),
        ip: "203.0.113.9",
        user_agent: "vitest-browser",
      },
    ]);
    const session = first(sessions, "session");
    expect(session.id).toMatch(/^[0-9a-f]{64}$/);
    expect(session.id).not.toContain(token);

    expect(await auditRows("auth.signed_in")).toEqual([
      expect.objectContaining({ actor_user_id: user.id, subject_id: user.id, ip: "203.0.113.9" }),
    ]);
    const { last_sign_in_at } = await testDb()
      .db.selectFrom("users")
      .select("last_sign_in_at")
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(last_sign_in_at).toEqual(at);
  });

  test("the raw token is stored nowhere in the database", async () => {
    const user = await createUser();
    const result = await postLogin({ email: user.email, password: DEFAULT_PASSWORD });
    const token = setCookieValue(findSetCookie(result.setCookies, SESSION_COOKIE)!);
    const everything = JSON.stringify([
      await testDb().db.selectFrom("sessions").selectAll().execute(),
      await testDb().db.selectFrom("audit_log").selectAll().execute(),
    ]);
    expect(everything).not.toContain(token);
  });

  test("email is matched case-insensitively and ignoring spaces", async () => {
    const user = await createUser();
    const result = await postLogin({
      email: `  ${user.email.toUpperCase()} `,
      password: DEFAULT_PASSWORD,
    });
    expect(result.status).toBe(302);
    expect(await sessionsOf(user.id)).toHaveLength(1);
  });

  test("lands on the first organisation, or a safe redirectTo", async () => {
    const user = await createUser();
    const partner = await createPartner();
    await addPartnerMember(partner.id, user.id, "member");

    const home = await postLogin({ email: user.email, password: DEFAULT_PASSWORD });
    expect(home.location).toBe(`/partner/${partner.slug}`);

    const back = await postLogin({
      email: user.email,
      password: DEFAULT_PASSWORD,
      redirectTo: `/partner/${partner.slug}/team?x=1`,
    });
    expect(back.location).toBe(`/partner/${partner.slug}/team?x=1`);

    for (const redirectTo of [
      "//evil.example/",
      "https://evil.example/",
      "/\\evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
    ]) {
      const result = await postLogin({ email: user.email, password: DEFAULT_PASSWORD, redirectTo });
      expect(result.status, redirectTo).toBe(302);
      expect(result.location, JSON.stringify(redirectTo)).toBe(`/partner/${partner.slug}`);
    }
  });

  test("a support user lands on the support desk", async () => {
    const user = await createUser({ isSupport: true });
    const result = await postLogin({ email: user.email, password: DEFAULT_PASSWORD });
    expect(result.location).toBe("/support");
  });

  test("signIn() and the action agree: the cookie token validates as this user", async () => {
    const user = await createUser();
    const result = await signIn(db, {
      email: user.email,
      password: DEFAULT_PASSWORD,
      ip: null,
      userAgent: null,
    });
    expect(result).toMatchObject({ ok: true, user: { id: user.id, isSupport: false } });
    const row = await testDb()
      .db.selectFrom("sessions")
      .select("user_id")
      .where("id", "=", hashToken((result as { token: string }).token))
      .executeTakeFirst();
    expect(row).toEqual({ user_id: user.id });
  });
});

describe("the login page when signed in", () => {
  test("redirects home instead of showing the form", async () => {
    const user = await createUser();
    const { cookie } = await signInAs(user);
    const result = await callRoute(loginLoader, { request: getRequest("/login", { cookie }) });
    expect(result).toMatchObject({ thrown: true, status: 302, location: "/account" });
  });

  test("shows the form without a session", async () => {
    const result = await callRoute(loginLoader, { request: getRequest("/login") });
    expect(result).toMatchObject({ thrown: false, status: 200, body: null });
  });
});
