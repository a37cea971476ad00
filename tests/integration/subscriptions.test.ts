// Subscriptions (issue 14, ADR 032) through the domain on the real database: a paid plan
// starts with the whole first period charged; an upgrade inside the period charges the rest
// and credits the old terms (the plan grant raised, the anchor kept); a downgrade and a
// cancellation wait for the next billing date; a business on a paid plan from before gets
// its subscription on first use; and concurrent changes are decided by the database.
import { describe, expect, test } from "vitest";
import { recordCardOperations } from "~/domain/usage.server";
import {
  changeSubscription,
  previewSubscriptionChange,
} from "~/domain/subscriptions/subscriptions.server";
import { PlanUnchanged } from "~/domain/plans.server";
import { testDb } from "../db.ts";
import { createBusinessWithOwner } from "../factories.ts";

const actor = { userId: null, label: "subscriptions test" };

async function subscriptionOf(businessId: string) {
  return testDb()
    .db.selectFrom("subscriptions")
    .select([
      "plan_id",
      "quantity",
      "unit_price_cents",
      "billing_interval",
      "billing_anchor_at",
      "current_period_start",
      "current_period_end",
      "status",
      "pending_plan_id",
      "pending_quantity",
    ])
    .where("business_id", "=", businessId)
    .executeTakeFirst();
}

async function itemsOf(businessId: string) {
  return testDb()
    .db.selectFrom("invoice_items")
    .select(["kind", "plan_id", "quantity", "amount_cents", "days", "period_days"])
    .where("business_id", "=", businessId)
    .orderBy("id")
    .execute();
}

async function businessOf(businessId: string) {
  return testDb()
    .db.selectFrom("businesses")
    .select(["plan_id", "locations", "billing_anchor_at"])
    .where("id", "=", businessId)
    .executeTakeFirstOrThrow();
}

function change(businessId: string, planId: string, locations: number | null, now: Date) {
  return changeSubscription(testDb().db, { businessId, planId, locations, actor, ip: null, now });
}

describe("changing a subscription", () => {
  test("free → Monthly ×2 starts now and charges the first month whole", async () => {
    const { business } = await createBusinessWithOwner();
    const now = new Date("2026-11-10T09:00:00.000Z");
    const preview = await previewSubscriptionChange(testDb().db, {
      businessId: business.id,
      planId: "monthly",
      locations: 2,
      now,
    });
    expect(preview.quote).toMatchObject({ outcome: "start", dueTodayCents: 5800 });
    expect(await subscriptionOf(business.id)).toBeUndefined(); // a preview writes nothing

    const result = await change(business.id, "monthly", 2, now);
    expect(result.quote.dueTodayCents).toBe(5800);
    expect(await subscriptionOf(business.id)).toMatchObject({
      plan_id: "monthly",
      quantity: 2,
      unit_price_cents: 2900,
      billing_interval: "month",
      status: "active",
      billing_anchor_at: now,
      current_period_start: now,
      current_period_end: new Date("2026-12-10T09:00:00.000Z"),
    });
    expect(await itemsOf(business.id)).toEqual([
      {
        kind: "plan",
        plan_id: "monthly",
        quantity: 2,
        amount_cents: 5800,
        days: null,
        period_days: null,
      },
    ]);
    expect(await businessOf(business.id)).toMatchObject({
      plan_id: "monthly",
      locations: 2,
      billing_anchor_at: now,
    });
  });

  test("more locations on day 10 of a 30-day month: prorated charge and credit, allowance raised, anchor kept", async () => {
    const { db } = testDb();
    const { business } = await createBusinessWithOwner();
    const start = new Date("2026-11-01T00:00:00.000Z");
    await change(business.id, "monthly", 1, start);
    // The period's plan grant opens with the first card operation.
    await recordCardOperations(db, {
      operations: [
        {
          businessId: business.id,
          idempotencyKey: "k1",
          kind: "stamp",
          quantity: 10,
          occurredAt: null,
        },
      ],
      now: new Date("2026-11-05T00:00:00.000Z"),
    });
    const day10 = new Date("2026-11-10T12:00:00.000Z");
    const result = await change(business.id, "monthly", 2, day10);
    expect(result.quote).toMatchObject({ outcome: "upgrade", dueTodayCents: 2030 });
    expect((await itemsOf(business.id)).slice(1)).toEqual([
      {
        kind: "proration",
        plan_id: "monthly",
        quantity: 2,
        amount_cents: 4060,
        days: 21,
        period_days: 30,
      },
      {
        kind: "credit",
        plan_id: "monthly",
        quantity: 1,
        amount_cents: -2030,
        days: 21,
        period_days: 30,
      },
    ]);
    expect(await businessOf(business.id)).toMatchObject({
      locations: 2,
      billing_anchor_at: start,
    });
    expect(await subscriptionOf(business.id)).toMatchObject({
      quantity: 2,
      current_period_start: start,
      current_period_end: new Date("2026-12-01T00:00:00.000Z"),
    });
    const grant = await db
      .selectFrom("grants")
      .select(["card_operations", "card_operations_used", "staff_seats", "starts_at"])
      .where("business_id", "=", business.id)
      .where("source", "=", "plan")
      .executeTakeFirstOrThrow();
    expect(grant).toMatchObject({
      card_operations: 4000,
      card_operations_used: 10,
      staff_seats: 2,
      starts_at: start,
    });
  });

  test("fewer locations and cancelling wait for the next billing date; the same terms again undo them", async () => {
    const { business } = await createBusinessWithOwner();
    const start = new Date("2026-11-01T00:00:00.000Z");
    await change(business.id, "monthly", 3, start);
    const later = new Date("2026-11-10T00:00:00.000Z");

    const down = await change(business.id, "monthly", 1, later);
    expect(down.quote).toMatchObject({ outcome: "downgrade", dueTodayCents: 0 });
    expect(down.quote.effectiveAt).toEqual(new Date("2026-12-01T00:00:00.000Z"));
    expect(await subscriptionOf(business.id)).toMatchObject({
      status: "active",
      quantity: 3,
      pending_plan_id: "monthly",
      pending_quantity: 1,
    });
    expect(await businessOf(business.id)).toMatchObject({ locations: 3 });

    // Asking for the waiting change again changes nothing.
    await expect(change(business.id, "monthly", 1, later)).rejects.toBeInstanceOf(PlanUnchanged);

    const cancel = await change(business.id, "free", null, later);
    expect(cancel.quote).toMatchObject({ outcome: "cancel", next: null });
    expect(await subscriptionOf(business.id)).toMatchObject({
      status: "cancel_at_period_end",
      pending_plan_id: null,
    });
    expect(await businessOf(business.id)).toMatchObject({ plan_id: "monthly", locations: 3 });

    const resume = await change(business.id, "monthly", 3, later);
    expect(resume.quote.outcome).toBe("resume");
    expect(await subscriptionOf(business.id)).toMatchObject({ status: "active" });
    expect(await itemsOf(business.id)).toHaveLength(1); // only the first month's charge
  });

  test("a business on a paid plan from before gets its subscription on first use, nothing charged for the running period", async () => {
    const anchor = new Date("2026-09-15T08:00:00.000Z");
    const { business } = await createBusinessWithOwner({
      planId: "monthly",
      locations: 2,
      billingAnchorAt: anchor,
    });
    const now = new Date("2026-11-20T08:00:00.000Z");
    const result = await change(business.id, "monthly", 3, now);
    // Period 15 Nov → 15 Dec (30 days), 25 days left: 8,700 × 25/30 = 7,250; 5,800 × 25/30 = 4,833.33 → 4,833.
    expect(result.quote).toMatchObject({ outcome: "upgrade", dueTodayCents: 2417 });
    expect(await subscriptionOf(business.id)).toMatchObject({
      quantity: 3,
      billing_anchor_at: anchor,
      current_period_start: new Date("2026-11-15T08:00:00.000Z"),
      current_period_end: new Date("2026-12-15T08:00:00.000Z"),
    });
    expect((await itemsOf(business.id)).map((i) => i.amount_cents)).toEqual([7250, -4833]);
  });

  test("Monthly → Yearly starts a yearly period today and credits the month's unused days", async () => {
    const { business } = await createBusinessWithOwner();
    await change(business.id, "monthly", 2, new Date("2026-11-01T00:00:00.000Z"));
    const now = new Date("2026-11-10T12:00:00.000Z");
    const result = await change(business.id, "yearly", 2, now);
    expect(result.quote).toMatchObject({ outcome: "upgrade", dueTodayCents: 53940 });
    expect(await subscriptionOf(business.id)).toMatchObject({
      billing_interval: "year",
      billing_anchor_at: now,
      current_period_end: new Date("2027-11-10T12:00:00.000Z"),
    });
    expect(await businessOf(business.id)).toMatchObject({
      plan_id: "yearly",
      billing_anchor_at: now,
    });
  });
});

describe("concurrent changes", () => {
  test("the same upgrade sent eight times at once is made once and charged once", async () => {
    const { business } = await createBusinessWithOwner();
    const start = new Date("2026-11-01T00:00:00.000Z");
    await change(business.id, "monthly", 1, start);
    const now = new Date("2026-11-10T12:00:00.000Z");
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => change(business.id, "monthly", 2, now)),
    );
    const made = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(made).toHaveLength(1);
    for (const r of refused) expect(r.reason).toBeInstanceOf(PlanUnchanged);
    expect((await itemsOf(business.id)).map((i) => i.amount_cents)).toEqual([2900, 4060, -2030]);
  });

  test("two different upgrades at once: one after the other, the second prorated from the first", async () => {
    const { business } = await createBusinessWithOwner();
    await change(business.id, "monthly", 1, new Date("2026-11-01T00:00:00.000Z"));
    const now = new Date("2026-11-16T00:00:00.000Z"); // 15 of 30 days left
    const results = await Promise.all([
      change(business.id, "monthly", 2, now),
      change(business.id, "monthly", 3, now),
    ]);
    const final = await subscriptionOf(business.id);
    const items = (await itemsOf(business.id)).slice(1);
    // Whichever came second credited what the first had charged: over the two changes,
    // the rest of the month is paid at the final number of locations, exactly.
    const total = items.reduce((sum, i) => sum + i.amount_cents, 0);
    expect(total).toBe((final!.quantity * 2900 * 15) / 30 - (1 * 2900 * 15) / 30);
    expect(
      results.every((r) => r.quote.outcome === "upgrade" || r.quote.outcome === "downgrade"),
    ).toBe(true);
  });
});
