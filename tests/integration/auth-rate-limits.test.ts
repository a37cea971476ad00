// Rate limits on sign-in, sign-up and password resets (DESIGN.md §8, ADR 003): counted in
// rate_limit_counters per fixed window, so every code path (and process) sees them. The
// clock is frozen mid-window, so Retry-After is exact and no window ends mid-test.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { requestPasswordReset, signIn } from "~/auth/accounts.server";
import { db } from "~/db.server";
import { signUpBusiness } from "~/domain/businesses.server";
import { RateLimited } from "~/domain/errors.server";
import { checkRateLimit, hitRateLimit, rateLimitRules } from "~/domain/rate-limits.server";
import { testOutbox } from "~/email/mailer.server";
import { action as forgotAction } from "~/routes/_auth.forgot-password";
import { action as loginAction } from "~/routes/_auth.login";
import { action as signupAction } from "~/routes/_auth.signup";
import { testDb } from "../db.ts";
import { createUser, DEFAULT_PASSWORD } from "../factories.ts";
import { countRows, freezeClock, midWindow, sessionsOf } from "../helpers/auth.ts";
import {
  callRoute,
  formRequest,
  makeContext,
  uniqueIp,
  type FormFailureBody,
} from "../helpers/remix.ts";

let now: Date;
/** Seconds from the frozen clock to the end of its 15-minute and 1-hour windows. */
const RETRY_15_MIN = 7.5 * 60;
const RETRY_1_HOUR = 22.5 * 60;

beforeEach(() => {
  now = midWindow();
  freezeClock(now);
  testOutbox().length = 0;
});

afterEach(() => {
  vi.useRealTimers();
});

function login(email: string, password: string, ip: string) {
  return callRoute<FormFailureBody>(loginAction, {
    request: formRequest("/login", { email, password }),
    context: makeContext({ clientIp: ip }),
  });
}

function signup(fields: Partial<Record<string, string>>, ip: string) {
  const n = Math.random().toString(36).slice(2, 8);
  return callRoute<FormFailureBody>(signupAction, {
    request: formRequest("/signup", {
      businessName: `Biz ${n}`,
      name: `Owner ${n}`,
      email: `owner-${n}@example.test`,
      password: DEFAULT_PASSWORD,
      ...fields,
    }),
    context: makeContext({ clientIp: ip }),
  });
}

async function counter(key: string): Promise<number | undefined> {
  const row = await testDb()
    .db.selectFrom("rate_limit_counters")
    .select("hits")
    .where("key", "=", key)
    .executeTakeFirst();
  return row?.hits;
}

describe("sign-in, per account", () => {
  test("after 10 failures the 11th attempt is refused with 429, even with the right password", async () => {
    const user = await createUser();
    // Different addresses, so only the per-account limit is in play; concurrent, which
    // also shows the counter's upsert is atomic.
    const failures = await Promise.all(
      Array.from({ length: 10 }, (_, i) => login(user.email, `wrong-${i}`, uniqueIp())),
    );
    expect(failures.map((r) => r.status)).toEqual(Array(10).fill(400));
    expect(await counter(`login:account:${user.email}`)).toBe(10);

    const blocked = await login(user.email, DEFAULT_PASSWORD, uniqueIp());
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("Retry-After")).toBe(String(RETRY_15_MIN));
    expect(blocked.body.formError).toEqual({
      key: "common:rateLimited",
      values: { minutes: Math.ceil(RETRY_15_MIN / 60) },
    });
    expect(blocked.body.values).toEqual({ email: user.email });
    expect(blocked.setCookies).toEqual([]);
    expect(await sessionsOf(user.id)).toEqual([]);
    // A refused attempt is not checked against the password, so it does not count.
    expect(await counter(`login:account:${user.email}`)).toBe(10);

    // The counter is in the database: the domain function refuses as well.
    await expect(
      signIn(db, { email: user.email, password: DEFAULT_PASSWORD, ip: null, userAgent: null }),
    ).rejects.toMatchObject({ name: "RateLimited", retryAfterSeconds: RETRY_15_MIN });

    // The address is normalised, so a different spelling is the same account.
    const respelled = await login(` ${user.email.toUpperCase()}`, DEFAULT_PASSWORD, uniqueIp());
    expect(respelled.status).toBe(429);

    // Another account is unaffected.
    const other = await createUser();
    expect((await login(other.email, DEFAULT_PASSWORD, uniqueIp())).status).toBe(302);

    // When the window has passed, the right password works again.
    freezeClock(new Date(now.getTime() + RETRY_15_MIN * 1000));
    const later = await login(user.email, DEFAULT_PASSWORD, uniqueIp());
    expect(later.status).toBe(302);
  });

  test("nine failures do not lock the account", async () => {
    const user = await createUser();
    for (let i = 0; i < 9; i++) await login(user.email, "wrong-password", uniqueIp());
    expect((await login(user.email, DEFAULT_PASSWORD, uniqueIp())).status).toBe(302);
  });

  test("successful sign-ins are not counted", async () => {
    const user = await createUser();
    const ip = uniqueIp();
    for (let i = 0; i < 3; i++)
      expect((await login(user.email, DEFAULT_PASSWORD, ip)).status).toBe(302);
    // Each attempt is counted before the password check and given back once it succeeded.
    expect((await counter(`login:account:${user.email}`)) ?? 0).toBe(0);
    expect((await counter(`login:ip:${ip}`)) ?? 0).toBe(0);
  });
});

describe("sign-in, per IP", () => {
  test("30 failures from one IP across accounts: the next attempt from it is refused", async () => {
    const ip = uniqueIp();
    const victim = await createUser();
    // Ten accounts, three failures each: no single account reaches its limit.
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        signIn(db, {
          email: `guess-${i % 10}@example.test`,
          password: `guess-${i}`,
          ip,
          userAgent: null,
        }),
      ),
    );
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(await counter(`login:ip:${ip}`)).toBe(30);

    const blocked = await login(victim.email, DEFAULT_PASSWORD, ip);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("Retry-After")).toBe(String(RETRY_15_MIN));
    expect(await sessionsOf(victim.id)).toEqual([]);

    // The same account from another address is fine.
    expect((await login(victim.email, DEFAULT_PASSWORD, uniqueIp())).status).toBe(302);
  });
});

describe("sign-up, per IP", () => {
  test("10 sign-ups an hour from one IP; the 11th is refused and writes nothing", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 10; i++) {
      expect((await signup({}, ip)).status, `sign-up ${i + 1}`).toBe(302);
    }
    const before = await countRows(["users", "businesses", "business_members", "sessions"]);

    const blocked = await signup({ businessName: "One Too Many" }, ip);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("Retry-After")).toBe(String(RETRY_1_HOUR));
    expect(blocked.body.values).toMatchObject({ businessName: "One Too Many" });
    expect(blocked.body.values).not.toHaveProperty("password");
    expect(await countRows(["users", "businesses", "business_members", "sessions"])).toEqual(
      before,
    );

    // The domain function sees the same counter.
    await expect(
      signUpBusiness(db, {
        businessName: "Direct",
        name: "Direct",
        email: "direct@example.test",
        password: DEFAULT_PASSWORD,
        ip,
        userAgent: null,
        now: new Date(),
      }),
    ).rejects.toBeInstanceOf(RateLimited);

    expect((await signup({}, uniqueIp())).status).toBe(302);
  });
});

describe("password reset", () => {
  function forgot(email: string, ip: string) {
    return callRoute<FormFailureBody>(forgotAction, {
      request: formRequest("/forgot-password", { email }),
      context: makeContext({ clientIp: ip }),
    });
  }

  test("5 requests an hour per account; the 6th is refused and sends nothing", async () => {
    const user = await createUser();
    for (let i = 0; i < 5; i++) expect((await forgot(user.email, uniqueIp())).status).toBe(302);
    expect(testOutbox()).toHaveLength(5);

    const blocked = await forgot(user.email, uniqueIp());
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("Retry-After")).toBe(String(RETRY_1_HOUR));
    expect(testOutbox()).toHaveLength(5);

    await expect(
      requestPasswordReset(db, { email: user.email, ip: uniqueIp(), language: "en" }),
    ).rejects.toBeInstanceOf(RateLimited);
    expect(
      await testDb().db.selectFrom("password_reset_tokens").select("user_id").execute(),
    ).toHaveLength(5);
  });

  test("an unknown address is limited the same way, so the limit tells nothing", async () => {
    for (let i = 0; i < 5; i++) await forgot("ghost@example.test", uniqueIp());
    expect((await forgot("ghost@example.test", uniqueIp())).status).toBe(429);
  });

  test("20 requests an hour per IP", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 20; i++) expect((await forgot(`p${i}@example.test`, ip)).status).toBe(302);
    expect((await forgot("p-next@example.test", ip)).status).toBe(429);
  });
});

describe("the counters", () => {
  test("check does not count; hit counts; each window starts again", async () => {
    const rule = { limit: 2, windowSeconds: 60 };
    const key = `test:${uniqueIp()}`;
    expect(await checkRateLimit(db, key, rule, now)).toEqual({
      limited: false,
      retryAfterSeconds: 0,
    });
    expect((await hitRateLimit(db, key, rule, now)).limited).toBe(false);
    expect((await hitRateLimit(db, key, rule, now)).limited).toBe(false);
    expect(await checkRateLimit(db, key, rule, now)).toEqual({
      limited: true,
      retryAfterSeconds: 30,
    });
    expect(await hitRateLimit(db, key, rule, now)).toEqual({
      limited: true,
      retryAfterSeconds: 30,
    });
    const nextWindow = new Date(now.getTime() + 30_000);
    expect((await checkRateLimit(db, key, rule, nextWindow)).limited).toBe(false);
  });

  test("the rules are the documented ones", () => {
    expect(rateLimitRules).toMatchObject({
      loginFailuresPerAccount: { limit: 10, windowSeconds: 900 },
      loginFailuresPerIp: { limit: 30, windowSeconds: 900 },
      signupsPerIp: { limit: 10, windowSeconds: 3600 },
    });
  });
});
