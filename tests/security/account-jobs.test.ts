// Work that runs after the answer, on the real pg-boss over this file's database:
// - forgot-password answers known and unknown emails alike, doing nothing that depends on
//   the account before answering; the job sends the link (issue 12 §13);
// - old rate-limit windows are pruned by a scheduled job (issue 10 §7).
import { sql } from "kysely";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { requestPasswordReset } from "~/auth/accounts.server";
import { testOutbox } from "~/email/mailer.server";
import { startJobs, stopJobs } from "~/jobs/boss.server";
import { maintenanceQueues, pruneOldRateLimitWindows } from "~/jobs/maintenance.server";
import { queues } from "~/jobs/queue.server";
import { testDb } from "../db.ts";
import { createUser } from "../factories.ts";
import { uniqueIp } from "../helpers/remix.ts";

let boss: PgBoss;

beforeAll(async () => {
  const { db, backend, pglite } = testDb();
  boss = await startJobs(
    { db, backend, pglite, close: async () => {} },
    {
      pollingIntervalSeconds: 0.5,
    },
  );
}, 60_000);

afterAll(async () => {
  if (boss) await stopJobs(boss);
});

async function resetTokensOf(userId: string): Promise<number> {
  const row = await testDb()
    .db.selectFrom("password_reset_tokens")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("forgot-password through the job", () => {
  test("the request does nothing account-specific; the job sends the link", async () => {
    const user = await createUser();
    testOutbox().length = 0;
    // Stop the worker from taking the job at once, to see the state at the time of answering.
    await boss.offWork(queues.sendPasswordReset);
    await requestPasswordReset(testDb().db, { email: user.email, ip: uniqueIp(), language: "en" });
    await requestPasswordReset(testDb().db, {
      email: "nobody@unknown.example.test",
      ip: uniqueIp(),
      language: "en",
    });
    // Answered: no token made, no email sent, for the known address just as for the other.
    expect(await resetTokensOf(user.id)).toBe(0);
    expect(testOutbox()).toHaveLength(0);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pgboss.job
      where name = ${queues.sendPasswordReset} and state = 'created'`.execute(testDb().db);
    expect(rows[0]?.n).toBe(2);

    // The worker comes back: the known account gets its link, the unknown one nothing.
    const { registerAccountJobs } = await import("~/jobs/accounts.server");
    await registerAccountJobs(boss, testDb().db);
    const sent = await waitFor(
      () => Promise.resolve(testOutbox().filter((m) => m.to === user.email).length),
      (n) => n === 1,
    );
    expect(sent).toBe(1);
    expect(await resetTokensOf(user.id)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(testOutbox()).toHaveLength(1);
  }, 60_000);
});

describe("pruning rate-limit windows", () => {
  test("is scheduled hourly on the real queue", async () => {
    const { rows } = await sql<{ name: string; cron: string }>`
      select name, cron from pgboss.schedule where name = ${maintenanceQueues.pruneRateLimits}`.execute(
      testDb().db,
    );
    expect(rows).toEqual([{ name: maintenanceQueues.pruneRateLimits, cron: "17 * * * *" }]);
  });

  test("deletes windows that ended over a day ago and keeps the rest", async () => {
    const { db } = testDb();
    const now = new Date();
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    await db
      .insertInto("rate_limit_counters")
      .values([
        { key: "prune:old", window_start: hoursAgo(30), hits: 3 },
        { key: "prune:older", window_start: hoursAgo(24 * 7), hits: 9 },
        { key: "prune:recent", window_start: hoursAgo(2), hits: 1 },
      ])
      .execute();
    const deleted = await pruneOldRateLimitWindows(db, now);
    expect(deleted).toBeGreaterThanOrEqual(2);
    const left = await db
      .selectFrom("rate_limit_counters")
      .select("key")
      .where("key", "like", "prune:%")
      .execute();
    expect(left.map((r) => r.key)).toEqual(["prune:recent"]);
  });

  test("the scheduled job's handler prunes (sent to its queue, worked by the worker)", async () => {
    const { db } = testDb();
    await db
      .insertInto("rate_limit_counters")
      .values({ key: "prune:by-job", window_start: new Date(Date.now() - 48 * 3_600_000), hits: 1 })
      .execute();
    await boss.send(maintenanceQueues.pruneRateLimits, {});
    const left = await waitFor(
      () =>
        db
          .selectFrom("rate_limit_counters")
          .select("key")
          .where("key", "=", "prune:by-job")
          .execute(),
      (rows) => rows.length === 0,
    );
    expect(left).toEqual([]);
  }, 30_000);
});
