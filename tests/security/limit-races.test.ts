// The limits hold in parallel (issue 12 §1, §4, §18): every limited action counts its
// attempt atomically before making it, so of N racing attempts exactly the limit run and
// the rest are refused. On PostgreSQL the attempts run on the real pg pool, truly at once.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { requestPasswordReset, signIn } from "~/auth/accounts.server";
import { createInvitation } from "~/auth/invitations.server";
import * as passwords from "~/auth/password.server";
import { db } from "~/db.server";
import { signUpBusiness } from "~/domain/businesses.server";
import { emailCode, handOutCode } from "~/domain/codes/commands.server";
import { RateLimited } from "~/domain/errors.server";
import { rateLimitRules } from "~/domain/rate-limits.server";
import { previewCode } from "~/domain/redemption.server";
import { testOutbox } from "~/email/mailer.server";
import { generateCode } from "~/lib/activation-code";
import { testDb } from "../db.ts";
import {
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { freezeClock, midWindow } from "../helpers/auth.ts";
import { uniqueIp } from "../helpers/remix.ts";
import { only } from "../helpers/rows.ts";

const PARALLEL = 100;

beforeEach(() => {
  freezeClock(midWindow());
  testOutbox().length = 0;
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Runs every attempt at once; sorts the outcomes into refused (429) and answered. */
async function race<T>(attempts: (() => Promise<T>)[]) {
  const settled = await Promise.allSettled(attempts.map((attempt) => attempt()));
  const refused = settled.filter(
    (s) => s.status === "rejected" && s.reason instanceof RateLimited,
  ).length;
  const failures = settled.filter(
    (s) => s.status === "rejected" && !(s.reason instanceof RateLimited),
  );
  if (failures.length) throw (failures[0] as PromiseRejectedResult).reason;
  return { refused, answered: settled.length - refused };
}

async function counter(key: string): Promise<number> {
  const row = await testDb()
    .db.selectFrom("rate_limit_counters")
    .select("hits")
    .where("key", "=", key)
    .executeTakeFirst();
  return row?.hits ?? 0;
}

test("the pool really runs attempts at once on PostgreSQL", () => {
  // Documents the backend: PGlite serialises statements, PostgreSQL runs them in parallel.
  expect(["pglite", "postgres"]).toContain(testDb().backend);
});

describe("sign-in", () => {
  test(`${PARALLEL} parallel wrong passwords for one account: exactly 10 are checked`, async () => {
    const user = await createUser();
    const verify = vi.spyOn(passwords, "verifyPassword");
    const { answered, refused } = await race(
      Array.from(
        { length: PARALLEL },
        (_, i) => () =>
          signIn(db, {
            email: user.email,
            password: `wrong-${i}`,
            ip: uniqueIp(),
            userAgent: null,
          }),
      ),
    );
    expect(answered).toBe(rateLimitRules.loginFailuresPerAccount.limit);
    expect(refused).toBe(PARALLEL - answered);
    expect(verify).toHaveBeenCalledTimes(rateLimitRules.loginFailuresPerAccount.limit);
    expect(await counter(`login:account:${user.email}`)).toBe(10);
  });

  test(`${PARALLEL} parallel wrong passwords from one IP: exactly 30 are checked`, async () => {
    const ip = uniqueIp();
    const { answered } = await race(
      Array.from(
        { length: PARALLEL },
        (_, i) => () =>
          signIn(db, {
            email: `guess-${i}@race.example.test`,
            password: "wrong",
            ip,
            userAgent: null,
          }),
      ),
    );
    expect(answered).toBe(rateLimitRules.loginFailuresPerIp.limit);
    expect(await counter(`login:ip:${ip}`)).toBe(30);
  });
});

test("sign-up: 30 parallel sign-ups from one IP create exactly 10 businesses", async () => {
  const ip = uniqueIp();
  const before = await businessCount();
  const { answered } = await race(
    Array.from(
      { length: 30 },
      (_, i) => () =>
        signUpBusiness(db, {
          businessName: `Race ${i}`,
          name: `Owner ${i}`,
          email: `race-signup-${i}@example.test`,
          password: "correct-horse-battery-staple",
          ip,
          userAgent: null,
          now: new Date(),
        }),
    ),
  );
  expect(answered).toBe(rateLimitRules.signupsPerIp.limit);
  expect((await businessCount()) - before).toBe(10);
});

test("forgot-password: 30 parallel requests for one account send exactly 5 links", async () => {
  const user = await createUser();
  const { answered } = await race(
    Array.from(
      { length: 30 },
      () => () => requestPasswordReset(db, { email: user.email, ip: uniqueIp(), language: "en" }),
    ),
  );
  expect(answered).toBe(rateLimitRules.passwordResetsPerAccount.limit);
  expect(testOutbox().filter((m) => m.to === user.email)).toHaveLength(5);
});

test("invitations: 50 parallel invitations by one owner send exactly 30", async () => {
  const { partner, owner } = await createPartnerWithOwner();
  const { answered } = await race(
    Array.from(
      { length: 50 },
      (_, i) => () =>
        createInvitation(db, {
          inviter: owner,
          target: { partnerId: partner.id, role: "member" },
          email: `invitee-${i}@race.example.test`,
          language: "en",
          ip: uniqueIp(),
          now: new Date(),
        }),
    ),
  );
  expect(answered).toBe(rateLimitRules.invitationsPerUser.limit);
  expect(testOutbox()).toHaveLength(30);
});

test("code emails: 20 parallel sends of one code email it exactly 3 times", async () => {
  const { partner, owner } = await createPartnerWithOwner();
  const bundle = await createBundle(partner.id);
  const code = only((await createBatchWithCodes(bundle, { count: 1 })).codes, "code");
  const actor = { userId: owner.id, label: owner.email };
  await handOutCode(db, {
    partnerId: partner.id,
    serial: code.id,
    recipient: { name: "Ann", email: "ann@client.example.test", note: "" },
    lockToEmail: false,
    actor,
    ip: null,
    now: new Date(),
  });
  const { answered } = await race(
    Array.from(
      { length: 20 },
      () => () =>
        emailCode(db, {
          partnerId: partner.id,
          serial: code.id,
          actor,
          ip: uniqueIp(),
          now: new Date(),
        }),
    ),
  );
  expect(answered).toBe(rateLimitRules.codeEmailsPerCode.limit);
  expect(testOutbox()).toHaveLength(3);
});

describe("the /redeem preview", () => {
  test("25 previews of unknown codes: 10 answered, then 429, as for claims", async () => {
    const { business, owner } = await createBusinessWithOwner();
    const { answered, refused } = await race(
      Array.from({ length: 25 }, () => async () => {
        try {
          return await previewCode(db, {
            businessId: business.id,
            code: generateCode(),
            email: owner.email,
            ip: uniqueIp(),
            now: new Date(),
          });
        } catch (error) {
          if (error instanceof RateLimited) throw error;
          return "not found";
        }
      }),
    );
    expect(answered).toBe(rateLimitRules.redemptionFailuresPerBusiness.limit);
    expect(refused).toBe(15);
    expect(await counter(`redeem:business:${business.id}`)).toBe(10);
  });

  test("previewing a real code does not count", async () => {
    const { partner } = await createPartnerWithOwner();
    const bundle = await createBundle(partner.id);
    const code = only((await createBatchWithCodes(bundle, { count: 1 })).codes, "code");
    const { business, owner } = await createBusinessWithOwner();
    for (let i = 0; i < 12; i++) {
      const preview = await previewCode(db, {
        businessId: business.id,
        code: code.code,
        email: owner.email,
        ip: uniqueIp(),
        now: new Date(),
      });
      expect(preview.serial).toBe(code.id);
    }
    expect(await counter(`redeem:business:${business.id}`)).toBe(0);
  });
});

async function businessCount(): Promise<number> {
  const row = await testDb()
    .db.selectFrom("businesses")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
