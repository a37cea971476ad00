// Final statements: finalising is idempotent; numbers are gapless per partner and year however
// many finalisations run at once (real concurrency on PostgreSQL's pool, serialised on
// PGlite); the year rolls over to 0001; a final statement never changes, whatever happens to
// the names and terms it was made with; a change of terms reaches later claims only; the
// entry points (the daily job, `npm run admin -- statements finalize`) do what they say; and
// one partner that cannot be finalised does not hold up the others.
import { adminCli } from "../helpers/admin-cli.ts";
import type PgBoss from "pg-boss";
import { sql, type Selectable } from "kysely";
import { describe, expect, test } from "vitest";
import { archiveBundle, getCurrentPrices } from "~/domain/bundles.server";
import { claimCode } from "~/domain/redemption.server";
import { startJobs, stopJobs } from "~/jobs/boss.server";
import {
  finalizeMonthForAllPartners,
  finalizeStatements,
  lastEndedMonth,
  StatementFinalisationFailed,
} from "~/domain/statements/finalise.server";
import {
  getMonthStatement,
  getStatement,
  listStatementLines,
} from "~/domain/statements/reads.server";
import { FINALIZE_SCHEDULE, finalizeLastMonth, statementQueues } from "~/jobs/statements.server";
import { addMonths, monthOf, monthsBetween, statementPeriod } from "~/lib/statement-months";
import { bundleRetailCents, taxCents, wholesalePrice } from "~/lib/money";
import type { Bundles, Partners } from "~db/schema.ts";
import { finalizeStatementsFromCli } from "../../scripts/admin-statements.ts";
import { allowConsoleError } from "../console.ts";
import { testDb } from "../db.ts";
import {
  backdateClaim,
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartner,
} from "../factories.ts";
import { at, only } from "../helpers/rows.ts";
import { stringMatching } from "../helpers/typed.ts";

const ACTOR = { userId: null, label: "numbering test" };

/** Claims one code of `bundle` per instant, each by a new business, dated then. */
async function claimsAt(bundle: Selectable<Bundles>, instants: Date[]) {
  const { codes } = await createBatchWithCodes(bundle, { count: instants.length + 1 });
  const claimed = [];
  for (const [i, instant] of instants.entries()) {
    const { business, owner } = await createBusinessWithOwner();
    const claim = await claimCode(testDb().db, {
      businessId: business.id,
      code: at(codes, i, "code").code,
      actor: { userId: owner.id, label: owner.email, email: owner.email },
      ip: null,
      now: new Date(),
    });
    await backdateClaim(claim.serial, instant);
    claimed.push({ ...claim, businessId: business.id, claimedAt: instant });
  }
  return claimed;
}

async function partnerEnrolled(
  createdAt: string,
  options: Parameters<typeof createPartner>[0] = {},
) {
  return createPartner({ ...options, createdAt: new Date(createdAt) });
}

async function counts(partnerId: string) {
  const { rows } = await sql<Record<string, number>>`
    select
      (select count(*) from statements where partner_id = ${partnerId})::int as statements,
      (select count(*) from statement_lines l join statements s on s.id = l.statement_id
        where s.partner_id = ${partnerId})::int as lines,
      (select coalesce(sum(last_sequence), 0) from statement_sequences
        where partner_id = ${partnerId})::int as sequences,
      (select count(*) from audit_log where partner_id = ${partnerId}
        and action = 'statement.finalized')::int as audits,
      (select count(*) from outbox_events where partner_id = ${partnerId}
        and topic = 'statement.finalized')::int as events`.execute(testDb().db);
  return rows[0];
}

async function numbersOf(partnerId: string) {
  return testDb()
    .db.selectFrom("statements")
    .select(["period_start", "year", "sequence", "number"])
    .where("partner_id", "=", partnerId)
    .orderBy("period_start")
    .execute();
}

describe("finalising is idempotent", () => {
  test("the same month twice: the same statement, no new rows, no second audit entry or event", async () => {
    const { db } = testDb();
    const partner = await partnerEnrolled("2025-08-10T12:00:00Z", { statementPrefix: "IDEM" });
    const bundle = await createBundle(partner.id);
    await claimsAt(bundle, [new Date("2025-09-03T10:00:00Z"), new Date("2025-09-29T23:59:59Z")]);

    const first = await finalizeStatements(db, {
      partnerId: partner.id,
      month: "2025-09",
      actor: ACTOR,
      now: new Date(),
    });
    expect(first.map((f) => [f.month, f.number, f.created])).toEqual([
      ["2025-08", "IDEM-2025-0001", true],
      ["2025-09", "IDEM-2025-0002", true],
    ]);
    const august = at(first, 0, "August statement");
    const september = at(first, 1, "September statement");
    const before = await counts(partner.id);
    expect(before).toEqual({ statements: 2, lines: 2, sequences: 2, audits: 2, events: 2 });
    const stored = await getStatement(db, {
      partnerId: partner.id,
      statementId: september.statementId,
    });

    const again = await finalizeStatements(db, {
      partnerId: partner.id,
      month: "2025-09",
      actor: ACTOR,
      now: new Date(),
    });
    expect(again).toEqual([{ ...september, created: false }]);
    const earlier = await finalizeStatements(db, {
      partnerId: partner.id,
      month: "2025-08",
      actor: ACTOR,
      now: new Date(),
    });
    expect(earlier).toEqual([{ ...august, created: false }]);
    const all = await finalizeMonthForAllPartners(db, {
      month: "2025-09",
      actor: ACTOR,
      now: new Date(),
    });
    expect(all.filter((f) => f.statementId === september.statementId)).toEqual([
      { ...september, created: false, partnerSlug: partner.slug },
    ]);
    expect(await counts(partner.id)).toEqual(before);
    expect(
      await getStatement(db, { partnerId: partner.id, statementId: september.statementId }),
    ).toEqual(stored);
  });

  test("an open month or one before enrolment is refused and writes nothing", async () => {
    const { db } = testDb();
    const partner = await partnerEnrolled("2025-08-10T12:00:00Z");
    const now = new Date();
    await expect(
      finalizeStatements(db, { partnerId: partner.id, month: monthOf(now), actor: ACTOR, now }),
    ).rejects.toMatchObject({ code: "statement_month_open", field: "month" });
    await expect(
      finalizeMonthForAllPartners(db, { month: monthOf(now), actor: ACTOR, now }),
    ).rejects.toMatchObject({ code: "statement_month_open" });
    await expect(
      finalizeStatements(db, {
        partnerId: partner.id,
        month: "2025-07",
        actor: ACTOR,
        now: new Date(),
      }),
    ).rejects.toMatchObject({ code: "statement_month_before_enrolment", field: "month" });
    expect(await counts(partner.id)).toEqual({
      statements: 0,
      lines: 0,
      sequences: 0,
      audits: 0,
      events: 0,
    });
  });
});

describe("numbers", () => {
  test("the year rolls over: December 2025 is BRW-2025-00NN, January 2026 is BRW-2026-0001", async () => {
    const { db } = testDb();
    const partner = await partnerEnrolled("2025-10-20T08:00:00Z", { statementPrefix: "BRW" });
    const bundle = await createBundle(partner.id);
    await claimsAt(bundle, [
      new Date("2025-12-31T23:59:59.999Z"),
      new Date("2026-01-01T00:00:00Z"),
    ]);
    const finalised = await finalizeStatements(db, {
      partnerId: partner.id,
      month: "2026-02",
      actor: ACTOR,
      now: new Date(),
    });
    expect(finalised.map((f) => [f.month, f.number])).toEqual([
      ["2025-10", "BRW-2025-0001"],
      ["2025-11", "BRW-2025-0002"],
      ["2025-12", "BRW-2025-0003"],
      ["2026-01", "BRW-2026-0001"],
      ["2026-02", "BRW-2026-0002"],
    ]);
    // The last instant of 2025 is on the 2025 statement, the first of 2026 on the 2026 one.
    const december = await getStatement(db, {
      partnerId: partner.id,
      statementId: at(finalised, 2, "December statement").statementId,
    });
    const january = await getStatement(db, {
      partnerId: partner.id,
      statementId: at(finalised, 3, "January statement").statementId,
    });
    expect([december.claimCount, january.claimCount]).toEqual([1, 1]);
    const { rows } = await sql<{ year: number; last_sequence: number }>`
      select year, last_sequence from statement_sequences where partner_id = ${partner.id}
      order by year`.execute(db);
    expect(rows).toEqual([
      { year: 2025, last_sequence: 3 },
      { year: 2026, last_sequence: 2 },
    ]);
  });

  test("many finalisations at once, for many partners and months: gapless 1..n per partner and year", async () => {
    const { db } = testDb();
    const months = monthsBetween("2025-10", "2026-03");
    const partners: Selectable<Partners>[] = [];
    for (let i = 0; i < 8; i++) {
      const partner = await partnerEnrolled(
        `2025-10-${String(10 + i).padStart(2, "0")}T09:00:00Z`,
        {
          statementPrefix: `CC${i}`,
        },
      );
      partners.push(partner);
      // Some months with claims, most without: numbers do not depend on activity.
      const bundle = await createBundle(partner.id);
      await claimsAt(bundle, [
        new Date(`${months[i % months.length]}-15T12:00:00Z`),
        new Date(`${months[(i + 3) % months.length]}-02T08:30:00Z`),
      ]);
    }
    const calls: Promise<unknown>[] = [];
    // Every partner and month twice, in an order that differs per partner (latest first for
    // some: each call then finalises all the earlier months itself), and the all-partners
    // run for every month twice, all at the same time.
    for (const [i, partner] of partners.entries()) {
      const order = i % 2 === 0 ? [...months].reverse() : months;
      for (const month of [...order, ...order]) {
        calls.push(
          finalizeStatements(db, { partnerId: partner.id, month, actor: ACTOR, now: new Date() }),
        );
      }
    }
    for (const month of [...months, ...months]) {
      calls.push(finalizeMonthForAllPartners(db, { month, actor: ACTOR, now: new Date() }));
    }
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((s) => s.status === "rejected")).toEqual([]);

    for (const partner of partners) {
      const rows = await numbersOf(partner.id);
      expect(rows.map((r) => monthOf(r.period_start))).toEqual(months);
      expect(rows.map((r) => [r.year, r.sequence])).toEqual([
        [2025, 1],
        [2025, 2],
        [2025, 3],
        [2026, 1],
        [2026, 2],
        [2026, 3],
      ]);
      expect(rows.map((r) => r.number)).toEqual(
        rows.map((r) => `${partner.statement_prefix}-${r.year}-000${r.sequence}`),
      );
      expect(await counts(partner.id)).toMatchObject({
        statements: 6,
        lines: 2,
        sequences: 6,
        audits: 6,
        events: 6,
      });
    }
  }, 60_000);
});

describe("a final statement never changes", () => {
  test("names, archiving and terms changed afterwards: lines, totals, partner snapshot and number stay", async () => {
    const { db } = testDb();
    const partner = await partnerEnrolled("2025-05-02T10:00:00Z", {
      name: "Immutable Agency",
      statementPrefix: "IMM",
      discountBps: 3000,
      taxRateBps: 2300,
    });
    const bundle = await createBundle(partner.id, { name: "Café Starter" });
    const claim = at(
      await claimsAt(bundle, [new Date("2025-06-04T09:00:00Z"), new Date("2025-06-18T15:00:00Z")]),
      0,
      "claim",
    );
    const finalised = await finalizeStatements(db, {
      partnerId: partner.id,
      month: "2025-06",
      actor: ACTOR,
      now: new Date(),
    });
    const june = finalised.find((f) => f.month === "2025-06")!;
    const read = async () => {
      const statement = await getStatement(db, {
        partnerId: partner.id,
        statementId: june.statementId,
      });
      const { lines } = await listStatementLines(db, {
        partnerId: partner.id,
        statement,
        limit: null,
      });
      return { statement, lines };
    };
    const before = await read();
    expect(before.statement).toMatchObject({
      number: "IMM-2025-0002",
      partner: { name: "Immutable Agency", discountBps: 3000, taxRateBps: 2300 },
      bundles: [{ bundleName: "Café Starter", claims: 2 }],
    });
    expect(before.lines.map((l) => l.businessName)).toHaveLength(2);

    await db
      .updateTable("businesses")
      .set({ name: "Renamed Café" })
      .where("id", "=", claim.businessId)
      .execute();
    await db
      .updateTable("bundles")
      .set({ name: "Renamed bundle" })
      .where("id", "=", bundle.id)
      .execute();
    await archiveBundle(db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      actor: ACTOR,
      now: new Date(),
    });
    await db
      .updateTable("partners")
      .set({
        name: "Renamed Agency",
        discount_bps: 4000,
        tax_rate_bps: 1000,
        statement_prefix: "NEW",
        contact_email: "new@example.test",
      })
      .where("id", "=", partner.id)
      .execute();

    expect(await read()).toEqual(before);
    // …while the month's source has moved on: a draft of it now would say other names.
    const { rows } = await sql<{ name: string }>`
      select name from businesses where id = ${claim.businessId}`.execute(db);
    expect(rows[0]?.name).toBe("Renamed Café");
  });

  test("a direct UPDATE or DELETE of a statement or one of its lines fails (the trigger)", async () => {
    const { db } = testDb();
    const statement = await db
      .selectFrom("statements")
      .select(["id", "total_cents"])
      .where("line_count", ">", 0)
      .executeTakeFirstOrThrow();
    await expect(
      db.updateTable("statements").set({ total_cents: 0 }).where("id", "=", statement.id).execute(),
    ).rejects.toThrow(/a final statement never changes \(UPDATE on statements\)/);
    await expect(
      db
        .updateTable("statement_lines")
        .set({ retail_cents: 1, discount_cents: 1, wholesale_cents: 0 })
        .where("statement_id", "=", statement.id)
        .execute(),
    ).rejects.toThrow(/a final statement never changes \(UPDATE on statement_lines\)/);
    await expect(
      sql`update statements set number = number where id = ${statement.id}`.execute(db),
    ).rejects.toThrow(/never changes/);
    await expect(
      db.deleteFrom("statement_lines").where("statement_id", "=", statement.id).execute(),
    ).rejects.toThrow(/a final statement never changes \(DELETE on statement_lines\)/);
    await expect(
      db.deleteFrom("statements").where("id", "=", statement.id).execute(),
    ).rejects.toThrow(/a final statement never changes \(DELETE on statements\)/);
    const after = await db
      .selectFrom("statements")
      .select(["total_cents"])
      .where("id", "=", statement.id)
      .executeTakeFirstOrThrow();
    expect(after.total_cents).toBe(statement.total_cents);
  });
});

describe("a change of terms", () => {
  test("claims before it keep the old discount and tax on their lines; claims after use the new", async () => {
    const { db } = testDb();
    const now = new Date();
    const last = lastEndedMonth(now);
    const partner = await partnerEnrolled(`${addMonths(last, -1)}-15T10:00:00Z`, {
      statementPrefix: "TERMS",
      discountBps: 3000,
      taxRateBps: 2000,
    });
    const bundle = await createBundle(partner.id, {
      staffSeats: 3,
      cardOperations: 1001,
      termMonths: 7,
    });
    const before = only(await claimsAt(bundle, [new Date(`${last}-05T10:00:00Z`)]), "claim");
    // Support changes the terms (there is no page for it yet: the row, as support's form will).
    await db
      .updateTable("partners")
      .set({ discount_bps: 3333, tax_rate_bps: 2100 })
      .where("id", "=", partner.id)
      .execute();
    const after = only(await claimsAt(bundle, [new Date(`${last}-20T10:00:00Z`)]), "claim");

    const prices = await getCurrentPrices(db, new Date());
    const retail = bundleRetailCents(
      { staffSeats: 3, cardOperations: 1001, termMonths: 7 },
      prices,
    );
    const old = wholesalePrice(retail, 3000);
    const changed = wholesalePrice(retail, 3333);
    expect(before).toMatchObject({ ...old, taxCents: taxCents(old.wholesaleCents, 2000) });
    expect(after).toMatchObject({ ...changed, taxCents: taxCents(changed.wholesaleCents, 2100) });
    expect(old.discountCents).not.toBe(changed.discountCents);

    await finalizeStatements(db, { partnerId: partner.id, month: last, actor: ACTOR, now });
    const statement = await getMonthStatement(db, { partnerId: partner.id, month: last, now });
    expect(statement.status).toBe("final");
    // The statement's partner is as it is now; its lines keep what applied at each claim.
    expect(statement.partner).toMatchObject({ discountBps: 3333, taxRateBps: 2100 });
    const { lines } = await listStatementLines(db, {
      partnerId: partner.id,
      statement,
      limit: null,
    });
    expect(
      lines.map((l) => ({
        serial: l.serial,
        discountBps: l.discountBps,
        taxRateBps: l.taxRateBps,
        retailCents: l.retailCents,
        discountCents: l.discountCents,
        wholesaleCents: l.wholesaleCents,
        taxCents: l.taxCents,
      })),
    ).toEqual([
      {
        serial: before.serial,
        discountBps: 3000,
        taxRateBps: 2000,
        ...old,
        taxCents: taxCents(old.wholesaleCents, 2000),
      },
      {
        serial: after.serial,
        discountBps: 3333,
        taxRateBps: 2100,
        ...changed,
        taxCents: taxCents(changed.wholesaleCents, 2100),
      },
    ]);
  });
});

describe("the daily job", () => {
  test("is scheduled at 00:05 UTC, runs once at start-up, and its handler finalises last month", async () => {
    const { db, backend, pglite } = testDb();
    const now = new Date();
    const last = lastEndedMonth(now);
    const partners = [
      await partnerEnrolled(`${addMonths(last, -2)}-03T10:00:00Z`, { statementPrefix: "JOBA" }),
      await partnerEnrolled(`${last}-28T10:00:00Z`, { statementPrefix: "JOBB" }),
    ];
    const bundle = await createBundle(at(partners, 0, "partner").id);
    await claimsAt(bundle, [new Date(`${last}-10T10:00:00Z`)]);
    // Enrolled this month: no statement yet.
    const newcomer = await createPartner({ statementPrefix: "JOBC" });

    // The real pg-boss over this file's database, started the way the server starts it.
    const boss = await startJobs(
      { db, backend, pglite, close: async () => {} },
      { pollingIntervalSeconds: 0.5 },
    );
    try {
      await dailyJobChecks(boss);
    } finally {
      await stopJobs(boss);
    }

    async function dailyJobChecks(boss: PgBoss) {
      const schedules = await boss.getSchedules();
      expect(schedules).toContainEqual(
        expect.objectContaining({
          name: statementQueues.finalize,
          cron: FINALIZE_SCHEDULE,
          timezone: "UTC",
        }),
      );
      expect(FINALIZE_SCHEDULE).toBe("5 0 * * *");
      // The start-up run has finalised last month (and every earlier one left open).
      for (const partner of partners) {
        const rows = await numbersOf(partner.id);
        expect(rows.map((r) => monthOf(r.period_start)).at(-1)).toBe(last);
      }
      expect(await numbersOf(newcomer.id)).toEqual([]);
      const statement = await getMonthStatement(db, {
        partnerId: at(partners, 0, "partner").id,
        month: last,
        now,
      });
      expect(statement).toMatchObject({ status: "final", claimCount: 1 });
      const { finalized_by } = await db
        .selectFrom("statements")
        .select("finalized_by")
        .where("id", "=", statement.id!)
        .executeTakeFirstOrThrow();
      expect(finalized_by).toBe("system");

      // The scheduled handler again, and the job function twice more: nothing new.
      const before = await Promise.all(partners.map((p) => counts(p.id)));
      const { rows: total } = await sql<{
        n: number;
      }>`select count(*)::int as n from statements`.execute(db);
      // The scheduled job itself, run by the real worker: it finds nothing left to do.
      const jobId = await boss.send(statementQueues.finalize, {});
      expect(jobId).toBeTruthy();
      const deadline = Date.now() + 30_000;
      for (;;) {
        const job = await boss.getJobById(statementQueues.finalize, jobId!);
        if (job?.state === "completed") break;
        expect(job?.state, "the finalize job").not.toBe("failed");
        if (Date.now() > deadline) throw new Error(`finalize job still ${job?.state}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await finalizeLastMonth(db, now)).toEqual([]);
      expect(await finalizeLastMonth(db)).toEqual([]);
      expect(await Promise.all(partners.map((p) => counts(p.id)))).toEqual(before);
      const { rows: totalAfter } = await sql<{
        n: number;
      }>`select count(*)::int as n from statements`.execute(db);
      expect(only(totalAfter, "count").n).toBe(only(total, "count").n);
    }
  }, 90_000);

  test("a run on the 1st at 00:05 creates last month's statements; the previous day's run did not", async () => {
    const { db } = testDb();
    const partner = await partnerEnrolled("2025-03-10T10:00:00Z", { statementPrefix: "FIRST" });
    const bundle = await createBundle(partner.id);
    await claimsAt(bundle, [new Date("2025-04-30T23:00:00Z")]);
    // Everything before April is final already (an earlier run).
    await finalizeStatements(db, {
      partnerId: partner.id,
      month: "2025-03",
      actor: ACTOR,
      now: new Date(),
    });
    const eve = new Date("2025-04-30T00:05:00Z");
    expect(
      (await finalizeLastMonth(db, eve)).filter((f) => f.partnerSlug === partner.slug),
    ).toEqual([]);
    const first = new Date("2025-05-01T00:05:00Z");
    const created = (await finalizeLastMonth(db, first)).filter(
      (f) => f.partnerSlug === partner.slug,
    );
    expect(created.map((f) => [f.month, f.number, f.created])).toEqual([
      ["2025-04", "FIRST-2025-0002", true],
    ]);
    expect(statementPeriod("2025-04").end.getTime()).toBeLessThan(first.getTime());
  });
});

describe("npm run admin -- statements finalize", () => {
  test("a bad or missing --month: a message naming --month, nothing written", async () => {
    const { db } = testDb();
    const before = await sql<{ n: number }>`select count(*)::int as n from statements`.execute(db);
    for (const month of [
      undefined,
      "",
      "2025-13",
      "2025-1",
      "25-01",
      "1999-12",
      "2025-01-01",
      "October",
    ]) {
      const result = await finalizeStatementsFromCli(db, { month });
      expect(result.ok, String(month)).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/^--month: give a calendar month as YYYY-MM/);
    }
    const now = new Date();
    const open = await finalizeStatementsFromCli(db, { month: monthOf(now), now });
    expect(open).toEqual({
      ok: false,
      error: `--month: ${monthOf(now)} has not ended yet; only ended months are final.`,
    });
    const future = await finalizeStatementsFromCli(db, { month: "2099-01", now });
    expect(future).toEqual({
      ok: false,
      error: "--month: 2099-01 has not ended yet; only ended months are final.",
    });
    const unknown = await finalizeStatementsFromCli(db, { month: "2025-01", partner: "nobody" });
    expect(unknown).toEqual({ ok: false, error: '--partner: no partner has the slug "nobody".' });
    const after = await sql<{ n: number }>`select count(*)::int as n from statements`.execute(db);
    expect(only(after.rows, "count").n).toBe(only(before.rows, "count").n);
  });

  test("prints one line per statement created, then 'already final' on a second run", async () => {
    const { db } = testDb();
    const partner = await partnerEnrolled("2024-10-05T10:00:00Z", {
      slug: "cli-brewline",
      statementPrefix: "CLI",
    });
    const bundle = await createBundle(partner.id);
    await claimsAt(bundle, [new Date("2024-11-11T11:00:00Z")]);
    const before = await finalizeStatementsFromCli(db, {
      month: "2024-09",
      partner: "cli-brewline",
    });
    expect(before).toEqual({
      ok: false,
      error: "--month: The partner was not enrolled in 2024-09.",
    });
    const first = await finalizeStatementsFromCli(db, {
      month: "2024-12",
      partner: "cli-brewline",
    });
    expect(first).toEqual({
      ok: true,
      lines: [
        "cli-brewline 2024-10 CLI-2024-0001 created",
        "cli-brewline 2024-11 CLI-2024-0002 created",
        "cli-brewline 2024-12 CLI-2024-0003 created",
      ],
    });
    const again = await finalizeStatementsFromCli(db, {
      month: "2024-12",
      partner: "cli-brewline",
    });
    expect(again).toEqual({
      ok: true,
      lines: ["cli-brewline 2024-12 CLI-2024-0003 already final"],
    });
    // Without --partner: every partner enrolled by then (only this one, in 2024).
    const all = await finalizeStatementsFromCli(db, { month: "2024-12" });
    expect(all).toEqual({ ok: true, lines: ["cli-brewline 2024-12 CLI-2024-0003 already final"] });
    const nobody = await finalizeStatementsFromCli(db, { month: "2024-01" });
    expect(nobody).toEqual({
      ok: true,
      lines: ["No partner was enrolled by 2024-01: nothing to finalise."],
    });
    const audits = await db
      .selectFrom("audit_log")
      .select(["actor_label"])
      .where("partner_id", "=", partner.id)
      .where("action", "=", "statement.finalized")
      .execute();
    expect(audits.map((a) => a.actor_label)).toEqual(["admin CLI", "admin CLI", "admin CLI"]);
  });

  test("the commands themselves: exit 1 with the message on stderr for bad input, 0 otherwise", async () => {
    const cli = adminCli();
    const run = (args: string[]) => cli.run(args);
    try {
      const bad = await run(["statements", "finalize", "--month", "2025-13"]);
      expect(bad.code, bad.stderr).toBe(1);
      expect(bad.stderr).toContain("--month: give a calendar month as YYYY-MM");
      expect(bad.stdout).toBe("");

      const empty = await run(["statements", "finalize", "--month", "2025-01"]);
      expect(empty.code, empty.stderr).toBe(0);
      expect(empty.stdout).toContain("No partner was enrolled by 2025-01");

      const rollBack = await run(["claims", "roll-back", "--code", "42", "--reason", "Test"]);
      expect(rollBack.code, rollBack.stderr).toBe(1);
      expect(rollBack.stderr).toContain("--code: No such code.");

      const noReason = await run(["claims", "roll-back", "--code", "42"]);
      expect(noReason.code, noReason.stderr).toBe(1);
      expect(noReason.stderr).toContain("--reason:");
    } finally {
      cli.remove();
    }
  }, 180_000);
});

describe("one partner that cannot be finalised", () => {
  test("does not hold up the others; the job fails (to be retried) naming it, and so does the CLI", async () => {
    const { db } = testDb();
    const enrolled = new Date("2024-06-10T10:00:00Z");
    // dup-a printed DUPB-2024-0001 in May, then its prefix was changed behind the support
    // desk's back (which refuses a prefix another partner printed) and dup-b got DUPB: dup-b's
    // first number collides with dup-a's.
    const a = await createPartner({
      slug: "dup-a",
      statementPrefix: "DUPB",
      createdAt: new Date("2024-05-10T10:00:00Z"),
    });
    await finalizeStatements(db, {
      partnerId: a.id,
      month: "2024-05",
      actor: { userId: null, label: "test" },
      now: new Date("2024-06-01T00:05:00Z"),
    });
    await db
      .updateTable("partners")
      .set({ statement_prefix: "DUP" })
      .where("id", "=", a.id)
      .execute();
    const b = await createPartner({ slug: "dup-b", statementPrefix: "DUPB", createdAt: enrolled });
    await createPartner({ slug: "dup-c", statementPrefix: "DUPC", createdAt: enrolled });
    const errors = allowConsoleError();

    const run = finalizeLastMonth(db, new Date("2024-07-01T00:05:00Z"));
    await expect(run).rejects.toBeInstanceOf(StatementFinalisationFailed);
    const failed = (await run.catch((error: unknown) => error)) as StatementFinalisationFailed;
    expect(failed.failures.map((f) => f.partnerSlug)).toEqual(["dup-b"]);
    expect(failed.finalised.map((f) => [f.partnerSlug, f.number, f.created])).toEqual([
      ["dup-a", "DUP-2024-0002", true],
      ["dup-c", "DUPC-2024-0001", true],
    ]);
    expect(errors.flat().join(" ")).toMatch(/2024-06 could not be finalised for dup-b/);
    expect(await counts(b.id)).toMatchObject({ statements: 0, sequences: 0, audits: 0 });

    const cli = await finalizeStatementsFromCli(db, { month: "2024-06" });
    expect(cli).toMatchObject({
      ok: false,
      lines: [
        "dup-a 2024-06 DUP-2024-0002 already final",
        "dup-c 2024-06 DUPC-2024-0001 already final",
      ],
      error: stringMatching(/^dup-b 2024-06 not finalised: .*statements_number_key/),
    });
  });
});
