// The business billing page as Remix calls it: one getEntitlements answer laid out as
// Activation Codes / Your Tariff Plan / Available Services; claiming a code through its
// field (every refusal with its own message and status, writing nothing); changing the plan
// (messages naming the field; success ends the plan allowance, re-attributes seats, audits).
import { sql, type Selectable } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { takeFlash } from "~/lib/flash.server";
import { formatCode, generateCode } from "~/lib/activation-code";
import { recordCardOperations } from "~/domain/usage.server";
import { action, loader } from "~/routes/_app.business.$businessId.billing";
import type { ActivationCodes, Bundles, Partners } from "~db/schema.ts";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { auditRows, countRows, signInAs } from "../helpers/auth.ts";
import {
  callRoute,
  cookieHeader,
  formRequest,
  getRequest,
  makeContext,
  type FormFailureBody,
} from "../helpers/remix.ts";
import { at, first, get, only } from "../helpers/rows.ts";
import { anyInstance, stringMatching } from "../helpers/typed.ts";

type Code = Selectable<ActivationCodes>;

let partner: Selectable<Partners>;
let bundle: Selectable<Bundles>;
let codes: Code[];
let nextCode = 0;

beforeAll(async () => {
  partner = (await createPartnerWithOwner({ name: "Brewline Agency" })).partner;
  bundle = await createBundle(partner.id, {
    name: "Café Starter",
    staffSeats: 2,
    cardOperations: 1000,
    termMonths: 12,
  });
  codes = (await createBatchWithCodes(bundle, { count: 30, prefix: "CAFE" })).codes;
});

/** An unclaimed code of the shared batch, a different one each call. */
function freshCode(): Code {
  return at(codes, nextCode++, "fresh code");
}

/** A business whose owner (and staff member) are signed in. */
async function ownedBusiness(options: Parameters<typeof createBusinessWithOwner>[0] = {}) {
  const { business, owner } = await createBusinessWithOwner(options);
  const staff = await createUser();
  await addBusinessMember(business.id, staff.id, "staff");
  return {
    business,
    owner,
    staff,
    ownerCookie: (await signInAs(owner)).cookie,
    staffCookie: (await signInAs(staff)).cookie,
  };
}

function page(cookie: string, businessId: string) {
  return callRoute<Awaited<ReturnType<typeof loader>>>(loader, {
    request: getRequest(`/business/${businessId}/billing`, { cookie }),
    params: { businessId },
  });
}

function post(cookie: string, businessId: string, fields: Record<string, string>) {
  return callRoute<FormFailureBody>(action, {
    request: formRequest(`/business/${businessId}/billing`, fields, { cookie }),
    params: { businessId },
  });
}

/** The flash message a redirect carries, as the next page would read it. */
async function flashOf(setCookies: string[]) {
  return takeFlash(getRequest("/", { cookie: cookieHeader(setCookies) }), makeContext());
}

async function written() {
  const { db } = testDb();
  const counts = await countRows([
    "grants",
    "audit_log",
    "outbox_events",
    "subscriptions",
    "invoice_items",
  ]);
  const claimed = await db
    .selectFrom("activation_codes")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("status", "=", "claimed")
    .executeTakeFirstOrThrow();
  return { ...counts, claimed: Number(claimed.n) };
}

describe("the page", () => {
  test("an owner gets the plan, services, plans to choose and no code blocks yet", async () => {
    const { business, ownerCookie } = await ownedBusiness();
    const result = await page(ownerCookie, business.id);
    expect(result.status).toBe(200);
    const body = result.body;
    expect(body.role).toBe("owner");
    expect(body.business).toEqual({ id: business.id, name: business.name });
    expect(body.entitlements.grants).toEqual([]);
    expect(body.entitlements.plan).toMatchObject({ id: "free", nextBillingAt: null });
    expect(body.entitlements.planAllowance).toMatchObject({ used: 0, included: 100 });
    expect(body.entitlements.staffSeats).toMatchObject({
      included: 1,
      fromGrants: 0,
      available: 1,
      taken: 1,
      overLimit: 1,
    });
    expect(body.entitlements.period.end.getTime()).toBeGreaterThan(Date.now());
    // Who holds which seat is not this page's business (and user ids stay on the server).
    expect(body.entitlements).not.toHaveProperty("seats");
    expect(body.plans.map((p) => [p.id, p.selectable])).toEqual([
      ["free", true],
      ["monthly", true],
      ["yearly", true],
      ["custom", false],
    ]);
  });

  test("a claimed code is a block with its serial, partner, bundle, seats and operations", async () => {
    const { business, ownerCookie, staffCookie } = await ownedBusiness();
    const code = freshCode();
    const claim = await post(ownerCookie, business.id, { intent: "claim", code: code.code });
    expect(claim.status).toBe(302);
    await recordCardOperations(testDb().db, {
      operations: [
        {
          businessId: business.id,
          idempotencyKey: "op-1",
          kind: "stamp",
          quantity: 130,
          occurredAt: null,
        },
      ],
      now: new Date(),
    });

    const result = await page(staffCookie, business.id);
    expect(result.body.role).toBe("staff");
    expect(result.body.plans).toEqual([]);
    const grant = first(result.body.entitlements.grants, "grant");
    expect(grant).toMatchObject({
      source: "code",
      code: { serial: code.id, partnerName: "Brewline Agency", bundleName: "Café Starter" },
      staffSeats: 2,
      staffSeatsTaken: 1,
      cardOperations: 1000,
      // The plan's 100 first, then the code's.
      cardOperationsUsed: 30,
      state: "active",
    });
    expect(grant.endsAt.getTime()).toBeGreaterThan(Date.now() + 360 * 86_400_000);
    expect(result.body.entitlements.planAllowance).toMatchObject({ used: 100, included: 100 });
    expect(result.body.entitlements.staffSeats).toMatchObject({
      included: 1,
      fromGrants: 2,
      available: 3,
      taken: 2,
      overLimit: 0,
    });
  });

  test("another business's id, or no id at all, is 404; signed out goes to login", async () => {
    const { ownerCookie } = await ownedBusiness();
    const other = await ownedBusiness();
    expect(await page(ownerCookie, other.business.id)).toMatchObject({ thrown: true, status: 404 });
    expect(await page(ownerCookie, "not-a-uuid")).toMatchObject({ status: 404 });
    const anonymous = await callRoute(loader, {
      request: getRequest(`/business/${other.business.id}/billing`),
      params: { businessId: other.business.id },
    });
    expect(anonymous.status).toBe(302);
    expect(anonymous.location).toBe(
      `/login?redirectTo=${encodeURIComponent(`/business/${other.business.id}/billing`)}`,
    );
  });
});

describe("claiming a code in the field", () => {
  test("a code typed casually: redirect, flash with what it gives, grant, audit", async () => {
    const { business, owner, ownerCookie } = await ownedBusiness();
    const code = freshCode();
    const typed = formatCode(code.code, "cafe").toLowerCase().replaceAll("-", " ");
    const result = await post(ownerCookie, business.id, { intent: "claim", code: typed });

    expect(result.status).toBe(302);
    expect(result.location).toBe(`/business/${business.id}/billing`);
    const flash = await flashOf(result.setCookies);
    expect(flash).toMatchObject({
      kind: "success",
      key: "business:claim.done",
      values: { serial: code.id, gives: "2 staff seats and 1,000 card operations" },
    });
    expect(String(flash!.values!.date)).toMatch(/\d{4}/);
    const grant = await testDb()
      .db.selectFrom("grants")
      .select(["business_id", "claimed_by", "staff_seats", "card_operations"])
      .where("activation_code_id", "=", code.id)
      .executeTakeFirstOrThrow();
    expect(grant).toEqual({
      business_id: business.id,
      claimed_by: owner.id,
      staff_seats: 2,
      card_operations: 1000,
    });
    const audit = (await auditRows("code.claimed")).find((r) => r.subject_id === String(code.id));
    expect(audit).toMatchObject({ actor_user_id: owner.id, actor_label: owner.email });
    expect(audit!.ip).toMatch(/^198\.18\./);
  });

  test("an empty field names the field; the dialog's field says where it was", async () => {
    const { business, ownerCookie } = await ownedBusiness();
    const before = await written();
    const empty = await post(ownerCookie, business.id, { intent: "claim", code: "  " });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual({ code: { key: "validation.required" } });

    const unknown = generateCode();
    const inDialog = await post(ownerCookie, business.id, {
      intent: "claim",
      code: unknown,
      place: "dialog",
    });
    expect(inDialog.status).toBe(404);
    expect(inDialog.body.values).toEqual({ intent: "claim", code: unknown, place: "dialog" });
    expect(await written()).toEqual(before);
  });

  const refusals: {
    name: string;
    status: number;
    key: string;
    code: () => Promise<string>;
  }[] = [
    {
      name: "mistyped (check symbol)",
      status: 400,
      key: "code_mistyped",
      code: () => {
        const body = freshCode().code;
        return Promise.resolve(body.slice(0, 15) + (body[15] === "0" ? "1" : "0"));
      },
    },
    {
      name: "unknown",
      status: 404,
      key: "code_not_found",
      code: () => Promise.resolve(generateCode()),
    },
    {
      name: "already claimed by another business",
      status: 409,
      key: "code_already_claimed",
      code: async () => {
        const code = freshCode();
        const other = await ownedBusiness();
        await post(other.ownerCookie, other.business.id, { intent: "claim", code: code.code });
        return code.code;
      },
    },
    {
      name: "expired",
      status: 409,
      key: "code_expired",
      code: async () => {
        const code = freshCode();
        await testDb()
          .db.updateTable("activation_codes")
          .set({ expires_at: sql<Date>`now() - interval '1 minute'` })
          .where("id", "=", code.id)
          .execute();
        return code.code;
      },
    },
    {
      name: "revoked",
      status: 409,
      key: "code_revoked",
      code: async () => {
        const code = freshCode();
        await testDb()
          .db.updateTable("activation_codes")
          .set({ status: "revoked", revoked_at: new Date(), revoke_reason: "lost" })
          .where("id", "=", code.id)
          .execute();
        return code.code;
      },
    },
    {
      name: "not ready (batch still generating)",
      status: 409,
      key: "code_not_ready",
      code: async () => {
        const { batch } = await createBatchWithCodes(bundle, { count: 1, status: "generating" });
        const row = await testDb()
          .db.insertInto("activation_codes")
          .values({
            code: generateCode(),
            partner_id: partner.id,
            bundle_id: bundle.id,
            batch_id: batch.id,
            expires_at: new Date(Date.now() + 86_400_000),
          })
          .returning("code")
          .executeTakeFirstOrThrow();
        return row.code;
      },
    },
    {
      name: "locked to another recipient",
      status: 403,
      key: "code_locked",
      code: async () => {
        const code = freshCode();
        await testDb()
          .db.updateTable("activation_codes")
          .set({
            recipient_email: "someone.else@example.test",
            locked_to_email: true,
            handed_out_at: new Date(),
          })
          .where("id", "=", code.id)
          .execute();
        return code.code;
      },
    },
    {
      name: "partner suspended",
      status: 409,
      key: "partner_suspended",
      code: async () => {
        const suspended = (await createPartnerWithOwner({ status: "suspended" })).partner;
        const { codes } = await createBatchWithCodes(await createBundle(suspended.id), {
          count: 1,
        });
        return first(codes, "code").code;
      },
    },
  ];

  for (const refusal of refusals) {
    test(`${refusal.name}: its own message and status, nothing written`, async () => {
      const { business, ownerCookie } = await ownedBusiness();
      const typed = await refusal.code();
      const before = await written();
      const result = await post(ownerCookie, business.id, { intent: "claim", code: typed });
      expect(result.status).toBe(refusal.status);
      expect(result.thrown).toBe(false);
      expect(result.body.errors).toEqual({
        code: { key: `redeem:errors.${refusal.key}`, values: {} },
      });
      expect(result.body.values).toMatchObject({ intent: "claim", code: typed });
      expect(await written()).toEqual(before);
    });
  }

  test("claimed by this business already: says so with the Code #N, and counts no attempt", async () => {
    const { business, ownerCookie } = await ownedBusiness();
    const code = freshCode();
    await post(ownerCookie, business.id, { intent: "claim", code: code.code });
    const before = await written();
    const again = await post(ownerCookie, business.id, { intent: "claim", code: code.code });
    expect(again.status).toBe(409);
    expect(again.body.errors.code).toEqual({
      key: "redeem:errors.code_already_claimed_by_you",
      values: { serial: code.id },
    });
    expect(await written()).toEqual(before);
  });

  test("after 10 failed attempts of a business: 429 with Retry-After and when to try again", async () => {
    const { business, ownerCookie } = await ownedBusiness();
    for (let i = 0; i < 10; i += 1) {
      const miss = await post(ownerCookie, business.id, { intent: "claim", code: generateCode() });
      expect(miss.status).toBe(404);
    }
    const before = await written();
    const limited = await post(ownerCookie, business.id, {
      intent: "claim",
      code: freshCode().code,
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    const error = get(limited.body.errors, "code", "code error");
    expect(error.key).toBe("redeem:errors.rate_limited");
    expect(error.values).toMatchObject({
      count: anyInstance(Number),
      time: stringMatching(/\d{1,2}:\d{2}/),
    });
    expect(await written()).toEqual(before);
  });

  test("staff get 403 and write nothing; another business's owner gets 404", async () => {
    // Two locations: two seats, so the staff member holds one and passes the seat check.
    const { business, staffCookie } = await ownedBusiness({ planId: "monthly", locations: 2 });
    const other = await ownedBusiness();
    const before = await written();
    const code = freshCode().code;
    expect(await post(staffCookie, business.id, { intent: "claim", code })).toMatchObject({
      thrown: true,
      status: 403,
    });
    expect(await post(other.ownerCookie, business.id, { intent: "claim", code })).toMatchObject({
      thrown: true,
      status: 404,
    });
    expect(
      await post(staffCookie, business.id, { intent: "change-plan", planId: "monthly" }),
    ).toMatchObject({ thrown: true, status: 403 });
    expect(await written()).toEqual(before);
  });

  test("an unknown intent is a field error, not a 500", async () => {
    const { business, ownerCookie } = await ownedBusiness();
    const result = await post(ownerCookie, business.id, { intent: "delete-everything" });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual({ intent: { key: "validation.choice" } });
  });
});

describe("changing the plan", () => {
  async function businessRow(id: string) {
    return testDb()
      .db.selectFrom("businesses")
      .select(["plan_id", "locations", "billing_anchor_at", "plan_started_at"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
  }

  test("bad input names the field and changes nothing", async () => {
    const { business, ownerCookie } = await ownedBusiness();
    const before = { row: await businessRow(business.id), written: await written() };
    const cases: [Record<string, string>, number, Record<string, { key: string }>][] = [
      [{}, 400, { planId: { key: "validation.required" } }],
      [
        { planId: "monthly", locations: "three" },
        400,
        { locations: { key: "validation.wholeNumber" } },
      ],
      [
        { planId: "gold" },
        400,
        { planId: { key: "business:planChange.errors.plan_not_available" } },
      ],
      [
        { planId: "custom" },
        400,
        { planId: { key: "business:planChange.errors.plan_by_request" } },
      ],
      [{ planId: "free" }, 409, { planId: { key: "business:planChange.errors.plan_unchanged" } }],
      [
        { planId: "monthly", locations: "" },
        400,
        { locations: { key: "business:planChange.errors.locations_required" } },
      ],
      [
        { planId: "monthly", locations: "0" },
        400,
        { locations: { key: "business:planChange.errors.locations_out_of_range" } },
      ],
      [
        { planId: "yearly", locations: "1001" },
        400,
        { locations: { key: "business:planChange.errors.locations_out_of_range" } },
      ],
    ];
    for (const [fields, status, errors] of cases) {
      const result = await post(ownerCookie, business.id, { intent: "change-plan", ...fields });
      expect(result.status, JSON.stringify(fields)).toBe(status);
      expect(result.body.errors, JSON.stringify(fields)).toEqual(errors);
      expect(result.body.values.intent).toBe("change-plan");
    }
    // An inactive plan cannot be chosen either.
    await testDb()
      .db.updateTable("plans")
      .set({ active: false })
      .where("id", "=", "yearly")
      .execute();
    try {
      const inactive = await post(ownerCookie, business.id, {
        intent: "change-plan",
        planId: "yearly",
        locations: "1",
      });
      expect(inactive.body.errors).toEqual({
        planId: { key: "business:planChange.errors.plan_not_available" },
      });
    } finally {
      await testDb()
        .db.updateTable("plans")
        .set({ active: true })
        .where("id", "=", "yearly")
        .execute();
    }
    expect({ row: await businessRow(business.id), written: await written() }).toEqual(before);
  });

  test("free → Monthly for 3 locations: new anchor, plan allowance ended, audit and event", async () => {
    const { db } = testDb();
    const { business, owner, ownerCookie } = await ownedBusiness({
      billingAnchorAt: new Date(Date.now() - 40 * 86_400_000),
    });
    const [recorded] = await recordCardOperations(db, {
      operations: [
        {
          businessId: business.id,
          idempotencyKey: "before",
          kind: "stamp",
          quantity: 60,
          occurredAt: null,
        },
      ],
      now: new Date(),
    });
    expect(recorded?.outcome).toBe("recorded");
    const started = Date.now();

    const result = await post(ownerCookie, business.id, {
      intent: "change-plan",
      planId: "monthly",
      locations: "3",
    });
    expect(result.status).toBe(302);
    expect(result.location).toBe(`/business/${business.id}/billing`);
    expect(await flashOf(result.setCookies)).toMatchObject({
      key: "subscription:done.start",
      values: { plan: "Monthly" },
    });

    const row = await businessRow(business.id);
    expect(row).toMatchObject({ plan_id: "monthly", locations: 3 });
    expect(row.billing_anchor_at.getTime()).toBeGreaterThanOrEqual(started - 1000);
    expect(row.plan_started_at.getTime()).toBe(row.billing_anchor_at.getTime());
    const planGrants = await db
      .selectFrom("grants")
      .select(["starts_at", "ends_at", "card_operations_used"])
      .where("business_id", "=", business.id)
      .where("source", "=", "plan")
      .execute();
    expect(planGrants).toHaveLength(1);
    const planGrant = only(planGrants, "plan grant");
    expect(planGrant.card_operations_used).toBe(60);
    expect(planGrant.ends_at.getTime()).toBe(row.billing_anchor_at.getTime());

    const after = (await page(ownerCookie, business.id)).body.entitlements;
    expect(after.plan).toMatchObject({
      id: "monthly",
      locations: 3,
      priceCents: 8700,
      cardOperationsPerPeriod: 6000,
      staffSeats: 3,
    });
    expect(after.plan.nextBillingAt!.getTime()).toBeGreaterThan(Date.now() + 27 * 86_400_000);
    expect(after.planAllowance).toMatchObject({ used: 0, included: 6000 });
    expect(after.period.start.getTime()).toBe(row.billing_anchor_at.getTime());

    // The next operation opens the new plan's period, from the new anchor.
    await recordCardOperations(db, {
      operations: [
        {
          businessId: business.id,
          idempotencyKey: "after",
          kind: "stamp",
          quantity: 5,
          occurredAt: null,
        },
      ],
      now: new Date(),
    });
    const opened = await db
      .selectFrom("grants")
      .select(["starts_at", "card_operations", "card_operations_used"])
      .where("business_id", "=", business.id)
      .where("source", "=", "plan")
      .where("ends_at", ">", new Date())
      .executeTakeFirstOrThrow();
    expect(opened).toMatchObject({ card_operations: 6000, card_operations_used: 5 });
    expect(opened.starts_at.getTime()).toBe(row.billing_anchor_at.getTime());

    const audit = (await auditRows("business.plan_changed")).filter(
      (r) => r.business_id === business.id,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_user_id: owner.id, subject_id: business.id });
    expect(audit[0]?.after).toMatchObject({ plan: "monthly", locations: 3, price_cents: 8700 });
    const before = await db
      .selectFrom("audit_log")
      .select("before")
      .where("action", "=", "business.plan_changed")
      .where("business_id", "=", business.id)
      .executeTakeFirstOrThrow();
    expect(before.before).toMatchObject({ plan: "free", locations: 1, price_cents: 0 });
    const event = await db
      .selectFrom("outbox_events")
      .select(["topic", "payload"])
      .where("business_id", "=", business.id)
      .where("topic", "=", "entitlements.changed")
      .executeTakeFirstOrThrow();
    expect(event.payload).toMatchObject({ reason: "plan_changed", plan: "monthly", locations: 3 });

    // The same plan with another number of locations is a change too; the same one is not.
    const same = await post(ownerCookie, business.id, {
      intent: "change-plan",
      planId: "monthly",
      locations: "3",
    });
    expect(same.status).toBe(409);
    const more = await post(ownerCookie, business.id, {
      intent: "change-plan",
      planId: "monthly",
      locations: "4",
    });
    expect(more.status).toBe(302);
  });

  test("down to the free plan: a cancellation at the period's end, members keep their seats until then", async () => {
    const { db } = testDb();
    const { business, ownerCookie, staff } = await ownedBusiness({
      planId: "monthly",
      locations: 2,
    });
    const result = await post(ownerCookie, business.id, { intent: "change-plan", planId: "free" });
    expect(result.status).toBe(302);
    expect(await flashOf(result.setCookies)).toMatchObject({ key: "subscription:done.cancel" });
    const seated = await db
      .selectFrom("business_members")
      .select("over_seat_limit_since")
      .where("business_id", "=", business.id)
      .where("user_id", "=", staff.id)
      .executeTakeFirstOrThrow();
    expect(seated.over_seat_limit_since).toBeNull();
    expect(await businessRow(business.id)).toMatchObject({ plan_id: "monthly", locations: 2 });
    const subscription = await db
      .selectFrom("subscriptions")
      .select("status")
      .where("business_id", "=", business.id)
      .executeTakeFirstOrThrow();
    expect(subscription.status).toBe("cancel_at_period_end");
  });

  test("the dialog previews a change, writes nothing, and refuses a confirmation of another amount", async () => {
    const { db } = testDb();
    const { business, ownerCookie } = await ownedBusiness();
    const before = await written();
    const preview = await callRoute<{
      preview: { outcome: string; dueTodayCents: number; next: { amountCents: number } };
    }>(action, {
      request: formRequest(
        `/business/${business.id}/billing`,
        { intent: "preview-plan", planId: "monthly", locations: "2" },
        { cookie: ownerCookie },
      ),
      params: { businessId: business.id },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.preview).toMatchObject({
      outcome: "start",
      dueTodayCents: 5800,
      next: { amountCents: 5800 },
    });
    expect(await written()).toEqual(before);

    const stale = await post(ownerCookie, business.id, {
      intent: "change-plan",
      planId: "monthly",
      locations: "2",
      expectedDueTodayCents: "2900",
    });
    expect(stale.status).toBe(409);
    expect(stale.body.errors).toEqual({
      planId: { key: "business:planChange.errors.quote_changed" },
    });
    expect(await businessRow(business.id)).toMatchObject({ plan_id: "free" });

    const confirmed = await post(ownerCookie, business.id, {
      intent: "change-plan",
      planId: "monthly",
      locations: "2",
      expectedDueTodayCents: "5800",
    });
    expect(confirmed.status).toBe(302);
    const items = await db
      .selectFrom("invoice_items")
      .select("amount_cents")
      .where("business_id", "=", business.id)
      .execute();
    expect(items).toEqual([{ amount_cents: 5800 }]);
  });
});
