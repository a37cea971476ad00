// The demo seed gives every role something to sign in to, and only seeds an empty database.
import { describe, expect, it } from "vitest";
import { signIn } from "~/auth/accounts.server";
import { homePathFor } from "~/domain/organisations.server";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import { getMonthStatement } from "~/domain/statements/reads.server";
import { lastEndedMonth } from "~/domain/statements/finalise.server";
import { monthOf, monthsBetween } from "~/lib/statement-months";
import { DEMO_PASSWORD, seedDemoIfEmpty } from "~db/seed.ts";
import { testDb } from "../db.ts";
import { at, first, get, only } from "../helpers/rows.ts";
import { anyInstance } from "../helpers/typed.ts";

describe("demo seed", () => {
  it("creates the three demo logins once, each landing on its role's home", async () => {
    const { db } = testDb();
    expect(await seedDemoIfEmpty(db)).toBe(true);
    expect(await seedDemoIfEmpty(db)).toBe(false);

    const homes: Record<string, string> = {};
    for (const email of [
      "support@demo.7stamp.test",
      "partner@demo.7stamp.test",
      "owner@demo.7stamp.test",
    ]) {
      const result = await signIn(db, {
        email,
        password: DEMO_PASSWORD,
        ip: "198.51.100.1",
        userAgent: null,
      });
      expect(result.ok).toBe(true);
      if (result.ok) homes[email] = await homePathFor(db, result.user);
    }
    expect(homes["support@demo.7stamp.test"]).toBe("/support");
    expect(homes["partner@demo.7stamp.test"]).toBe("/partner/brewline");
    expect(homes["owner@demo.7stamp.test"]).toMatch(/^\/business\/[0-9a-f-]{36}\/billing$/);

    // Team "Joined" dates follow each partner's enrolment.
    const joined = await db
      .selectFrom("partner_members as m")
      .innerJoin("partners as p", "p.id", "m.partner_id")
      .select(["m.created_at as joinedAt", "p.created_at as enrolledAt"])
      .execute();
    expect(joined.length).toBeGreaterThan(0);
    for (const row of joined) expect(row.joinedAt).toEqual(row.enrolledAt);

    const businessId = at(
      get(homes, "owner@demo.7stamp.test", "home path").split("/"),
      2,
      "business id in the home path",
    );
    const entitlements = await getEntitlements(db, { businessId, now: new Date() });
    expect(entitlements!.plan).toMatchObject({
      businessName: "Corner Coffee",
      id: "free",
      cardOperationsPerPeriod: 100,
      staffSeats: 1,
      nextBillingAt: null,
    });
    expect(entitlements!.staffSeats).toMatchObject({ included: 1, fromGrants: 2, taken: 1 });
    // A claimed "Café Starter" partly used, and most of this month's free allowance.
    expect(entitlements!.grants).toHaveLength(1);
    expect(entitlements!.grants[0]).toMatchObject({
      state: "active",
      staffSeats: 2,
      cardOperations: 1000,
      code: { bundleName: "Café Starter", partnerName: "Brewline Agency" },
    });
    const grant = first(entitlements!.grants, "grant");
    expect(grant.cardOperationsUsed).toBeGreaterThan(0);
    expect(grant.cardOperationsUsed).toBeLessThan(1000);
    expect(entitlements!.planAllowance).toEqual({
      grantId: anyInstance(String),
      used: 83,
      included: 100,
    });

    // A second business claimed a "POS Pro" code.
    const deli = await db
      .selectFrom("businesses")
      .select("id")
      .where("name", "=", "Harbour Deli")
      .executeTakeFirstOrThrow();
    const deliEntitlements = await getEntitlements(db, { businessId: deli.id, now: new Date() });
    expect(deliEntitlements!.grants.map((g) => g.code?.bundleName)).toEqual(["POS Pro"]);
    expect(deliEntitlements!.plan.id).toBe("monthly");

    // Harbour Deli (Monthly): a paid invoice for every ended month since it opened, issued on
    // each billing date, and this month's open (issue 14).
    const now = new Date();
    const invoices = await db
      .selectFrom("invoices")
      .select(["number", "status", "period_start", "period_end", "total_cents"])
      .where("business_id", "=", deli.id)
      .orderBy("issued_at")
      .execute();
    expect(invoices.length).toBeGreaterThanOrEqual(3);
    const ended = invoices.filter((i) => i.period_end!.getTime() <= now.getTime());
    const running = invoices.filter((i) => i.period_end!.getTime() > now.getTime());
    expect(ended.length).toBe(invoices.length - 1);
    expect(ended.every((i) => i.status === "paid")).toBe(true);
    expect(running).toHaveLength(1);
    expect(running[0]).toMatchObject({ status: "open", total_cents: 2900 });
    expect(only(running, "open invoice").period_start!.getTime()).toBeLessThanOrEqual(
      now.getTime(),
    );
    for (let i = 1; i < invoices.length; i++)
      expect(at(invoices, i, "invoice").period_start).toEqual(
        at(invoices, i - 1, "invoice").period_end,
      );
    const paidEvents = await db
      .selectFrom("payment_events")
      .select("event_id")
      .where("type", "=", "invoice.paid")
      .execute();
    expect(paidEvents).toHaveLength(ended.length);
  });

  it("gives Brewline final statements through last month, gapless, and a draft this month", async () => {
    const { db } = testDb();
    const now = new Date();
    const brewline = await db
      .selectFrom("partners")
      .select(["id", "created_at", "statement_prefix"])
      .where("slug", "=", "brewline")
      .executeTakeFirstOrThrow();
    // Enrolled 120 days before the seed ran: four or five months, every ended one final.
    const days = (now.getTime() - brewline.created_at.getTime()) / (24 * 60 * 60 * 1000);
    expect(days).toBeGreaterThanOrEqual(120);
    expect(days).toBeLessThan(121);
    const ended = monthsBetween(monthOf(brewline.created_at), lastEndedMonth(now));
    expect(ended.length).toBeGreaterThanOrEqual(3);

    const finals = await db
      .selectFrom("statements")
      .select(["period_start", "year", "sequence", "number", "total_cents", "finalized_by"])
      .where("partner_id", "=", brewline.id)
      .orderBy("period_start")
      .execute();
    expect(finals.map((row) => monthOf(row.period_start))).toEqual(ended);
    expect(finals.every((row) => row.finalized_by === "system")).toBe(true);
    // Gapless per year: 1..n in each year, in month order.
    const byYear = new Map<number, number[]>();
    for (const row of finals) byYear.set(row.year, [...(byYear.get(row.year) ?? []), row.sequence]);
    for (const [year, sequences] of byYear) {
      expect(sequences, String(year)).toEqual(sequences.map((_, i) => i + 1));
    }
    for (const row of finals) {
      expect(row.number).toBe(
        `${brewline.statement_prefix}-${row.year}-${String(row.sequence).padStart(4, "0")}`,
      );
    }

    // Last month: claims and a roll-back's credit line, and something to pay.
    const last = await getMonthStatement(db, {
      partnerId: brewline.id,
      month: lastEndedMonth(now),
      now,
    });
    expect(last.status).toBe("final");
    expect(last.claimCount).toBeGreaterThanOrEqual(2);
    expect(last.creditCount).toBe(1);
    expect(last.totals.totalCents).toBeGreaterThan(0);

    // This month: a draft with Harbour Deli's claim of today.
    const draft = await getMonthStatement(db, { partnerId: brewline.id, month: monthOf(now), now });
    expect(draft.status).toBe("draft");
    expect(draft.claimCount).toBeGreaterThanOrEqual(1);
    expect(draft.totals.totalCents).toBeGreaterThan(0);

    // The other demo partner is final through last month too (no activity: zero statements).
    const tilltap = await db
      .selectFrom("statements")
      .innerJoin("partners", "partners.id", "statements.partner_id")
      .select(["statements.period_start", "statements.total_cents"])
      .where("partners.slug", "=", "tilltap")
      .orderBy("statements.period_start")
      .execute();
    expect(tilltap.at(-1) && monthOf(tilltap.at(-1)!.period_start)).toBe(lastEndedMonth(now));
    expect(tilltap.every((row) => row.total_cents === 0)).toBe(true);
  });
});
