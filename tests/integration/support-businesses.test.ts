// Support finds a business and corrects it: support grants (drawn like any other grant),
// ending a grant early, and plan changes including Custom / Enterprise — each audited with a
// reason, each refused with a field error and nothing written when the input is wrong.
import { beforeAll, describe, expect, test } from "vitest";
import { getBusinessPlan } from "~/domain/entitlements/plan.server";
import { recordCardOperations } from "~/domain/usage.server";
import { loader as billingLoader } from "~/routes/_app.business.$businessId.billing";
import { loader as searchLoader } from "~/routes/_app.support.businesses._index";
import {
  action as businessAction,
  loader as businessLoader,
} from "~/routes/_app.support.businesses.$businessId";
import { testDb } from "../db.ts";
import {
  claimByNewBusiness,
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartner,
  createUser,
} from "../factories.ts";
import { callApi, platformToken } from "../helpers/api.ts";
import { auditRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, type FormFailureBody } from "../helpers/remix.ts";
import { first } from "../helpers/rows.ts";
import type { Entitlements } from "../helpers/typed.ts";

let support: { id: string; cookie: string };

beforeAll(async () => {
  const user = await createUser({ isSupport: true });
  support = { id: user.id, cookie: (await signInAs(user)).cookie };
});

const DAY = 86_400_000;
const day = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);

function post(businessId: string, fields: Record<string, string>) {
  return callRoute<FormFailureBody>(businessAction, {
    request: formRequest(`/support/businesses/${businessId}`, fields, { cookie: support.cookie }),
    params: { businessId },
  });
}

async function grantsOf(businessId: string) {
  return testDb()
    .db.selectFrom("grants")
    .select(["id", "source", "staff_seats", "card_operations", "card_operations_used", "ends_at"])
    .where("business_id", "=", businessId)
    .orderBy("created_at")
    .execute();
}

describe("finding a business", () => {
  test("by part of its name, its owner's email or its id", async () => {
    const { business } = await createBusinessWithOwner({ name: "Lighthouse Bakery" });
    const owner = await testDb()
      .db.selectFrom("business_members")
      .innerJoin("users", "users.id", "business_members.user_id")
      .select("users.email")
      .where("business_id", "=", business.id)
      .executeTakeFirstOrThrow();
    await createBusinessWithOwner({ name: "Other Shop" });
    for (const q of ["lighthouse", "BAKERY", owner.email.slice(0, 10), business.id]) {
      const result = await callRoute<{ rows: { id: string; ownerEmail: string }[] }>(searchLoader, {
        request: getRequest(`/support/businesses?q=${encodeURIComponent(q)}`, {
          cookie: support.cookie,
        }),
      });
      expect(result.status, q).toBe(200);
      expect(
        result.body.rows.map((r) => r.id),
        q,
      ).toEqual([business.id]);
      expect(result.body.rows[0]?.ownerEmail).toBe(owner.email);
    }
    const none = await callRoute<{ rows: unknown[] }>(searchLoader, {
      request: getRequest("/support/businesses?q=%25%25_", { cookie: support.cookie }),
    });
    expect(none.body.rows).toEqual([]);
  });
});

describe("a support grant", () => {
  test("of 500 operations is drawn after the plan and the code grant, and shows on the billing page and in the platform API", async () => {
    const { db } = testDb();
    const partner = await createPartner();
    const bundle = await createBundle(partner.id, {
      staffSeats: 0,
      cardOperations: 1000,
      termMonths: 12,
    });
    const code = first((await createBatchWithCodes(bundle, { count: 1 })).codes, "code");
    const { business, owner: claimer } = await claimByNewBusiness(code);
    const businessId = business.id;

    const created = await post(businessId, {
      intent: "grant",
      staffSeats: "0",
      cardOperations: "500",
      startsOn: day(0),
      endsOn: day(500),
      reason: "Goodwill after the outage",
    });
    expect(created.status).toBe(302);
    const audit = (await auditRows("grant.support_created")).find(
      (r) => r.business_id === businessId,
    );
    expect(audit).toMatchObject({
      actor_user_id: support.id,
      reason: "Goodwill after the outage",
      after: { card_operations: 500, staff_seats: 0 },
    });

    // Free plan: 100 a period; then the code's 1,000; then the support grant's 500.
    const results = await recordCardOperations(db, {
      operations: [
        { businessId, idempotencyKey: "a", kind: "stamp", quantity: 1000, occurredAt: null },
        { businessId, idempotencyKey: "b", kind: "stamp", quantity: 550, occurredAt: null },
      ],
      now: new Date(),
    });
    expect(results.map((r) => r.outcome)).toEqual(["recorded", "recorded"]);
    const used = Object.fromEntries(
      (await grantsOf(businessId)).map((g) => [g.source, g.card_operations_used]),
    );
    expect(used).toEqual({ plan: 100, code: 1000, support: 450 });

    const owner = await signInAs(claimer);
    const billing = await callRoute<{
      entitlements: {
        grants: { source: string; cardOperationsUsed: number; cardOperations: number }[];
      };
    }>(billingLoader, {
      request: getRequest(`/business/${businessId}/billing`, { cookie: owner.cookie }),
      params: { businessId },
    });
    expect(billing.body.entitlements.grants.find((g) => g.source === "support")).toMatchObject({
      cardOperations: 500,
      cardOperationsUsed: 450,
    });
    const api = await callApi<Entitlements>({
      path: `/api/v1/businesses/${businessId}/entitlements`,
      token: await platformToken(),
    });
    expect(api.status).toBe(200);
    expect(api.body.grants.find((g) => g.source === "support")).toMatchObject({
      card_operations: { used: 450, limit: 500, available: 50 },
    });
  });

  test("bad input is a field error naming the field, and writes nothing", async () => {
    const { business } = await createBusinessWithOwner();
    const base = {
      intent: "grant",
      staffSeats: "1",
      cardOperations: "0",
      startsOn: day(0),
      endsOn: day(30),
      reason: "Trial for a chain",
    };
    const cases: [Record<string, string>, string, string][] = [
      [{ reason: "" }, "reason", "validation.required"],
      [{ staffSeats: "0", cardOperations: "0" }, "cardOperations", "support:validation.grantEmpty"],
      [{ cardOperations: "1.5" }, "cardOperations", "validation.wholeNumber"],
      [{ staffSeats: "5000" }, "staffSeats", "validation.tooBig"],
      [{ endsOn: day(-3), startsOn: day(-1) }, "endsOn", "support:validation.endBeforeStart"],
      [{ startsOn: day(-10), endsOn: day(-2) }, "endsOn", "support:errors.grant_dates"],
      [{ endsOn: "2026-02-31x" }, "endsOn", "validation.date"],
    ];
    const before = await grantsOf(business.id);
    for (const [overrides, field, key] of cases) {
      const result = await post(business.id, { ...base, ...overrides });
      expect(result.status, JSON.stringify(overrides)).toBe(400);
      expect(result.body.errors[field]?.key, JSON.stringify(overrides)).toBe(key);
    }
    expect(await grantsOf(business.id)).toEqual(before);
  });

  test("ends early once, audited with before and after; a second time is refused", async () => {
    const { business } = await createBusinessWithOwner();
    await post(business.id, {
      intent: "grant",
      staffSeats: "2",
      cardOperations: "100",
      startsOn: day(0),
      endsOn: day(60),
      reason: "Pilot",
    });
    const grant = first(
      (await grantsOf(business.id)).filter((g) => g.source === "support"),
      "support grant",
    );
    const noReason = await post(business.id, { intent: "endGrant", grantId: grant.id, reason: "" });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.reason?.key).toBe("validation.required");

    const ended = await post(business.id, {
      intent: "endGrant",
      grantId: grant.id,
      reason: "Pilot cancelled",
    });
    expect(ended.status).toBe(302);
    const [after] = (await grantsOf(business.id)).filter((g) => g.source === "support");
    expect(after?.ends_at.getTime()).toBeLessThanOrEqual(Date.now());
    const audit = (await auditRows("grant.ended_early")).find((r) => r.business_id === business.id);
    expect(audit).toMatchObject({
      reason: "Pilot cancelled",
      before: { source: "support", ends_at: grant.ends_at.toISOString() },
    });
    const again = await post(business.id, {
      intent: "endGrant",
      grantId: grant.id,
      reason: "Pilot cancelled",
    });
    expect(again.status).toBe(409);
    expect(again.body.formError?.key).toBe("support:errors.grant_not_endable");
    expect(
      (await auditRows("grant.ended_early")).filter((r) => r.business_id === business.id),
    ).toHaveLength(1);
  });
});

describe("changing a business's plan", () => {
  test("to Custom / Enterprise with the allowance and seats support sets", async () => {
    const { business } = await createBusinessWithOwner();
    const missing = await post(business.id, {
      intent: "plan",
      planId: "custom",
      customCardOperations: "50000",
      customStaffSeats: "",
      reason: "Chain of 12 cafés",
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.customStaffSeats?.key).toBe("validation.tooSmall");
    expect(
      (await getBusinessPlan(testDb().db, { businessId: business.id, now: new Date() }))?.id,
    ).toBe("free");

    const changed = await post(business.id, {
      intent: "plan",
      planId: "custom",
      customCardOperations: "50,000",
      customStaffSeats: "12",
      reason: "Chain of 12 cafés",
    });
    expect(changed.status).toBe(302);
    expect(
      await getBusinessPlan(testDb().db, { businessId: business.id, now: new Date() }),
    ).toMatchObject({
      id: "custom",
      cardOperationsPerPeriod: 50000,
      staffSeats: 12,
      allowanceSet: true,
    });
    const audit = (await auditRows("business.plan_changed")).find(
      (r) => r.business_id === business.id,
    );
    expect(audit).toMatchObject({
      actor_user_id: support.id,
      reason: "Chain of 12 cafés",
      before: { plan: "free" },
      after: { plan: "custom", card_operations_per_period: 50000, staff_seats: 12 },
    });

    const same = await post(business.id, {
      intent: "plan",
      planId: "custom",
      customCardOperations: "50000",
      customStaffSeats: "12",
      reason: "Again",
    });
    expect(same.status).toBe(409);
    expect(same.body.errors.planId?.key).toBe("support:errors.plan_unchanged");

    const monthly = await post(business.id, {
      intent: "plan",
      planId: "monthly",
      locations: "3",
      reason: "Back to a standard plan",
    });
    expect(monthly.status).toBe(302);
    expect(
      await getBusinessPlan(testDb().db, { businessId: business.id, now: new Date() }),
    ).toMatchObject({
      id: "monthly",
      locations: 3,
      cardOperationsPerPeriod: 6000,
    });
  });

  test("the page shows plan, grants, members and 30 days of usage; an unknown id is 404", async () => {
    const { business } = await createBusinessWithOwner({ name: "Page Shop" });
    const page = await callRoute<{
      page: { plan: { businessName: string }; members: unknown[]; dailyUsage: unknown[] };
    }>(businessLoader, {
      request: getRequest(`/support/businesses/${business.id}`, { cookie: support.cookie }),
      params: { businessId: business.id },
    });
    expect(page.status).toBe(200);
    expect(page.body.page.plan.businessName).toBe("Page Shop");
    expect(page.body.page.members).toHaveLength(1);
    expect(page.body.page.dailyUsage).toHaveLength(30);
    const missing = await callRoute(businessLoader, {
      request: getRequest("/support/businesses/00000000-0000-4000-8000-000000000000", {
        cookie: support.cookie,
      }),
      params: { businessId: "00000000-0000-4000-8000-000000000000" },
    });
    expect(missing.status).toBe(404);
  });
});
