// The plan table as support edits it (ADR 019): name and availability change at once; price,
// interval, allowance and seats become a plan version that each business reaches at its next
// allowance period — the running period keeps its allowance and seats, whether or not its plan
// grant was opened yet. Bad input names the field and writes nothing.
import { beforeAll, describe, expect, test } from "vitest";
import { allowancePeriod } from "~/domain/entitlements/plan.server";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import { changePlan, listPlans } from "~/domain/plans.server";
import { recordCardOperations } from "~/domain/usage.server";
import { action, loader } from "~/routes/_app.support.pricing";
import { testDb } from "../db.ts";
import { createBusinessWithOwner, createPartnerWithOwner, createUser } from "../factories.ts";
import { auditRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, type FormFailureBody } from "../helpers/remix.ts";

const DAY = 86_400_000;
let support: { id: string; email: string; cookie: string };

beforeAll(async () => {
  const user = await createUser({ isSupport: true });
  support = { id: user.id, email: user.email, cookie: (await signInAs(user)).cookie };
});

function post(fields: Record<string, string>, cookie = support.cookie) {
  return callRoute<FormFailureBody>(action, {
    request: formRequest("/support/pricing", { intent: "plan", ...fields }, { cookie }),
  });
}

const monthlyForm = {
  planId: "monthly",
  name: "Monthly",
  price: "29.00",
  billingInterval: "month",
  cardOperationsPerMonth: "2000",
  staffSeats: "1",
  active: "on",
  reason: "Plan review",
};

async function planState() {
  const { db } = testDb();
  const [plans, versions, audit] = await Promise.all([
    db
      .selectFrom("plans")
      .select([
        "id",
        "name",
        "price_cents",
        "billing_interval",
        "card_operations_per_month",
        "staff_seats",
        "active",
      ])
      .orderBy("id")
      .execute(),
    db.selectFrom("plan_versions").select(["id", "plan_id"]).orderBy("id").execute(),
    db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { plans, versions, audit: Number(audit.n) };
}

describe("editing a plan", () => {
  test("the table lists every plan; bad input names the field and writes nothing", async () => {
    const page = await callRoute<{ plans: { id: string; byRequest: boolean }[] }>(loader, {
      request: getRequest("/support/pricing", { cookie: support.cookie }),
    });
    expect(page.body.plans.map((p) => [p.id, p.byRequest])).toEqual([
      ["free", false],
      ["monthly", false],
      ["yearly", false],
      ["custom", true],
    ]);

    const before = await planState();
    const cases: [Record<string, string>, string, string][] = [
      [{ name: "" }, "name", "validation.required"],
      [{ name: "x".repeat(61) }, "name", "validation.tooLong"],
      [{ price: "abc" }, "price", "support:validation.price"],
      [{ price: "-3" }, "price", "support:validation.negativePrice"],
      [{ cardOperationsPerMonth: "-5" }, "cardOperationsPerMonth", "validation.tooSmall"],
      [{ cardOperationsPerMonth: "1.5" }, "cardOperationsPerMonth", "validation.wholeNumber"],
      [{ cardOperationsPerMonth: "" }, "cardOperationsPerMonth", "validation.required"],
      [{ staffSeats: "lots" }, "staffSeats", "validation.wholeNumber"],
      [{ staffSeats: "100001" }, "staffSeats", "validation.tooBig"],
      [{ billingInterval: "weekly" }, "billingInterval", "validation.choice"],
      [{ billingInterval: "custom" }, "billingInterval", "validation.choice"],
      [{ billingInterval: "none" }, "price", "support:validation.freePlanPrice"],
      [{ reason: "" }, "reason", "validation.required"],
    ];
    for (const [change, field, key] of cases) {
      const result = await post({ ...monthlyForm, cardOperationsPerMonth: "3000", ...change });
      expect(result.status, JSON.stringify(change)).toBe(400);
      expect(result.body.errors[field]?.key, JSON.stringify(change)).toBe(key);
    }
    const unchanged = await post(monthlyForm);
    expect(unchanged.status).toBe(409);
    expect(unchanged.body.formError?.key).toBe("support:errors.plan_edit_unchanged");
    const unknown = await post({ ...monthlyForm, planId: "platinum" });
    expect(unknown.status).toBe(404);
    expect(await planState()).toEqual(before);
  });

  test("a new allowance applies from each business's next period, never to the running one", async () => {
    const { db } = testDb();
    const now = new Date();
    // Monthly since ten days ago: one business has used its allowance this period (its plan
    // grant is open), the other has not (no grant row yet).
    const anchor = new Date(now.getTime() - 10 * DAY);
    const { business: busy } = await createBusinessWithOwner({
      planId: "monthly",
      billingAnchorAt: anchor,
      planStartedAt: anchor,
    });
    const { business: quiet } = await createBusinessWithOwner({
      planId: "monthly",
      billingAnchorAt: anchor,
      planStartedAt: anchor,
    });
    await recordCardOperations(db, {
      operations: [
        { businessId: busy.id, idempotencyKey: "k1", kind: "stamp", quantity: 5, occurredAt: null },
      ],
      now,
    });

    const edited = await post({
      ...monthlyForm,
      price: "35.00",
      cardOperationsPerMonth: "3,000",
      staffSeats: "2",
      reason: "Bigger Monthly from next period",
    });
    expect(edited.status).toBe(302);
    const [audit] = await auditRows("plan.updated");
    expect(audit).toMatchObject({
      actor_user_id: support.id,
      subject_type: "plan",
      subject_id: "monthly",
      reason: "Bigger Monthly from next period",
      before: { price_cents: 2900, card_operations_per_month: 2000, staff_seats: 1 },
      after: { price_cents: 3500, card_operations_per_month: 3000, staff_seats: 2 },
    });
    // Owners choosing the plan now see the new terms.
    expect((await listPlans(db)).find((p) => p.id === "monthly")).toMatchObject({
      priceCents: 3500,
      cardOperationsPerMonth: 3000,
      staffSeats: 2,
    });

    const afterEdit = new Date(now.getTime() + 1000);
    for (const business of [busy, quiet]) {
      const running = await getEntitlements(db, { businessId: business.id, now: afterEdit });
      expect(running?.planAllowance.included, business.name).toBe(2000);
      expect(running?.staffSeats.included).toBe(1);
      expect(running?.plan.priceCents).toBe(2900);
    }
    // The quiet business's first operation of the period opens the grant: with the old terms.
    await recordCardOperations(db, {
      operations: [
        {
          businessId: quiet.id,
          idempotencyKey: "k1",
          kind: "stamp",
          quantity: 1,
          occurredAt: null,
        },
      ],
      now: afterEdit,
    });
    const quietGrant = await db
      .selectFrom("grants")
      .select(["card_operations", "staff_seats"])
      .where("business_id", "=", quiet.id)
      .where("source", "=", "plan")
      .executeTakeFirstOrThrow();
    expect(quietGrant).toEqual({ card_operations: 2000, staff_seats: 1 });

    // The next period: the new terms, for both.
    const period = allowancePeriod({ anchorAt: anchor }, now);
    const next = new Date(period.end.getTime() + 60_000);
    for (const business of [busy, quiet]) {
      const following = await getEntitlements(db, { businessId: business.id, now: next });
      expect(following?.planAllowance.included, business.name).toBe(3000);
      expect(following?.staffSeats.included).toBe(2);
      expect(following?.plan.priceCents).toBe(3500);
    }
    await recordCardOperations(db, {
      operations: [
        { businessId: busy.id, idempotencyKey: "k2", kind: "stamp", quantity: 1, occurredAt: null },
      ],
      now: next,
    });
    const nextGrant = await db
      .selectFrom("grants")
      .select(["card_operations", "staff_seats"])
      .where("business_id", "=", busy.id)
      .where("source", "=", "plan")
      .where("starts_at", "=", period.end)
      .executeTakeFirstOrThrow();
    expect(nextGrant).toEqual({ card_operations: 3000, staff_seats: 2 });

    // A business moving to the plan after the edit starts a period now: the new terms at once.
    const { business: mover, owner } = await createBusinessWithOwner();
    await changePlan(db, {
      businessId: mover.id,
      planId: "monthly",
      locations: 2,
      actor: { userId: owner.id, label: owner.email },
      ip: null,
      now: afterEdit,
    });
    const moved = await getEntitlements(db, { businessId: mover.id, now: afterEdit });
    expect(moved?.planAllowance.included).toBe(6000);
    expect(moved?.staffSeats.included).toBe(4);
  });

  test("name and availability apply at once; Custom / Enterprise keeps its terms per business", async () => {
    const { db } = testDb();
    const hidden = await post({
      planId: "yearly",
      name: "Yearly (legacy)",
      price: "290",
      billingInterval: "year",
      cardOperationsPerMonth: "2000",
      staffSeats: "1",
      reason: "No longer offered",
    });
    expect(hidden.status).toBe(302);
    expect((await listPlans(db)).map((p) => p.id)).not.toContain("yearly");
    const versions = await db
      .selectFrom("plan_versions")
      .select("id")
      .where("plan_id", "=", "yearly")
      .execute();
    expect(versions).toHaveLength(1);
    const [audit] = (await auditRows("plan.updated")).filter((r) => r.subject_id === "yearly");
    expect(audit).toMatchObject({
      before: { name: "Yearly", active: true },
      after: { name: "Yearly (legacy)", active: false },
    });

    const custom = await post({
      planId: "custom",
      name: "Enterprise",
      // Ignored: support sets these per business.
      price: "999",
      cardOperationsPerMonth: "1",
      active: "on",
      reason: "Shorter name",
    });
    expect(custom.status).toBe(302);
    expect(
      await db
        .selectFrom("plans")
        .select(["name", "price_cents", "billing_interval", "card_operations_per_month"])
        .where("id", "=", "custom")
        .executeTakeFirstOrThrow(),
    ).toEqual({
      name: "Enterprise",
      price_cents: 0,
      billing_interval: "custom",
      card_operations_per_month: null,
    });
  });

  test("partner and business users get 404; nothing is written", async () => {
    const { owner: partnerOwner } = await createPartnerWithOwner();
    const { owner: businessOwner } = await createBusinessWithOwner();
    const before = await planState();
    for (const user of [partnerOwner, businessOwner]) {
      const { cookie } = await signInAs(user);
      const result = await post({ ...monthlyForm, price: "1.00" }, cookie);
      expect(result.status).toBe(404);
    }
    expect(await planState()).toEqual(before);
  });
});
