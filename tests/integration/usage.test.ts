// Card operations: each unit counted against exactly one grant, in the order DESIGN.md §4
// gives; all or nothing per operation; idempotent by key; never a unit spent twice under
// concurrency. Seats follow grants as they start and end.
import { describe, expect, it } from "vitest";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import { reattributeSeats } from "~/domain/entitlements/seats.server";
import {
  recordCardOperations,
  type CardOperationInput,
  type CardOperationResult,
} from "~/domain/usage.server";
import { addMonthsClamped } from "~/lib/billing-periods";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  claimByNewBusiness,
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { at, only } from "../helpers/rows.ts";

let keys = 0;
function op(businessId: string, overrides: Partial<CardOperationInput> = {}): CardOperationInput {
  keys += 1;
  return {
    businessId,
    idempotencyKey: `op-${keys}-${Math.random().toString(36).slice(2)}`,
    kind: "stamp",
    quantity: 1,
    occurredAt: null,
    ...overrides,
  };
}

async function record(input: CardOperationInput, now = new Date()): Promise<CardOperationResult> {
  return only(await recordCardOperations(testDb().db, { operations: [input], now }), "result");
}

/** A free-plan business (100 a month) that claimed a code of `cardOperations` operations. */
async function businessWithCode(
  cardOperations: number,
  options: { termMonths?: number; staffSeats?: number } = {},
) {
  const { partner } = await createPartnerWithOwner();
  const bundle = await createBundle(partner.id, {
    cardOperations,
    staffSeats: options.staffSeats ?? 0,
    termMonths: options.termMonths ?? 12,
  });
  const { codes } = await createBatchWithCodes(bundle, { count: 3 });
  const { business, owner, claimed } = await claimByNewBusiness(at(codes, 0, "code"));
  return { business, owner, claimed, codes, bundle };
}

async function grantUsage(businessId: string) {
  const { db } = testDb();
  const grants = await db
    .selectFrom("grants")
    .select(["id", "source", "card_operations", "card_operations_used"])
    .where("business_id", "=", businessId)
    .execute();
  const draws = await db
    .selectFrom("card_operation_draws")
    .innerJoin("grants", "grants.id", "card_operation_draws.grant_id")
    .select([
      "card_operation_draws.grant_id",
      (eb) => eb.fn.sum<number>("card_operation_draws.quantity").as("drawn"),
    ])
    .where("grants.business_id", "=", businessId)
    .groupBy("card_operation_draws.grant_id")
    .execute();
  const operations = await db
    .selectFrom("card_operations")
    .select((eb) => [
      eb.fn.countAll<number>().as("count"),
      eb.fn.sum<number>("quantity").as("units"),
    ])
    .where("business_id", "=", businessId)
    .executeTakeFirstOrThrow();
  return {
    grants,
    drawnByGrant: new Map(draws.map((d) => [d.grant_id, Number(d.drawn)])),
    operations: Number(operations.count),
    units: Number(operations.units ?? 0),
  };
}

describe("card operations", () => {
  it("draw from the plan allowance first, then the code grant, splitting an operation that spans both", async () => {
    const { business, claimed } = await businessWithCode(50);
    const first = await record(op(business.id, { quantity: 98 }));
    expect(first.outcome).toBe("recorded");
    if (first.outcome !== "recorded") return;
    expect(first.operation.remaining).toBe(52);
    expect(first.operation.draws).toHaveLength(1);
    expect(at(first.operation.draws, 0, "draw").grantId).not.toBe(claimed.grantId);

    const split = await record(op(business.id, { quantity: 5, kind: "voucher" }));
    expect(split.outcome).toBe("recorded");
    if (split.outcome !== "recorded") return;
    expect(split.operation.draws).toEqual([
      { grantId: at(first.operation.draws, 0, "draw").grantId, quantity: 2 },
      { grantId: claimed.grantId, quantity: 3 },
    ]);
    expect(split.operation.remaining).toBe(47);

    const entitlements = await getEntitlements(testDb().db, {
      businessId: business.id,
      now: new Date(),
    });
    expect(entitlements!.planAllowance).toMatchObject({ used: 100, included: 100 });
    expect(entitlements!.grants[0]).toMatchObject({
      cardOperationsUsed: 3,
      cardOperationsAvailable: 47,
    });
    expect(entitlements!.cardOperations).toEqual({ used: 103, limit: 150, remaining: 47 });
  });

  it("take the code grant ending soonest first, and the oldest claim of those ending together", async () => {
    const { db } = testDb();
    const { partner } = await createPartnerWithOwner();
    const long = await createBundle(partner.id, {
      cardOperations: 10,
      staffSeats: 0,
      termMonths: 12,
    });
    const short = await createBundle(partner.id, {
      cardOperations: 10,
      staffSeats: 0,
      termMonths: 3,
    });
    const longCodes = (await createBatchWithCodes(long, { count: 1 })).codes;
    const shortCodes = (await createBatchWithCodes(short, { count: 2 })).codes;
    const { business, owner } = await createBusinessWithOwner({
      planId: "custom",
      customCardOperationsPerMonth: 0,
      customStaffSeats: 1,
    });
    const { claimCode } = await import("~/domain/redemption.server");
    const actor = { userId: owner.id, label: owner.email, email: owner.email };
    const a = await claimCode(db, {
      businessId: business.id,
      code: at(longCodes, 0, "long code").code,
      actor,
      ip: null,
      now: new Date(),
    });
    const b = await claimCode(db, {
      businessId: business.id,
      code: at(shortCodes, 0, "short code").code,
      actor,
      ip: null,
      now: new Date(),
    });
    const c = await claimCode(db, {
      businessId: business.id,
      code: at(shortCodes, 1, "short code").code,
      actor,
      ip: null,
      now: new Date(),
    });
    // b and c end the same day (3 months after claims made in the same second or so): make it exact.
    await db.updateTable("grants").set({ ends_at: b.endsAt }).where("id", "=", c.grantId).execute();

    const result = await record(op(business.id, { quantity: 25 }));
    expect(result.outcome).toBe("recorded");
    if (result.outcome !== "recorded") return;
    expect(result.operation.draws).toEqual([
      { grantId: b.grantId, quantity: 10 },
      { grantId: c.grantId, quantity: 10 },
      { grantId: a.grantId, quantity: 5 },
    ]);
  });

  it("record nothing when the whole quantity does not fit, and answer limit_reached", async () => {
    const { business } = await businessWithCode(10);
    const before = await grantUsage(business.id);
    const result = await record(op(business.id, { quantity: 111 }));
    expect(result).toEqual({ outcome: "limit_reached", remaining: 110, quantity: 111 });
    const after = await grantUsage(business.id);
    expect(after.operations).toBe(before.operations);
    expect(after.units).toBe(before.units);
  });

  it("a business with 500 left receives 2,000 concurrent single operations: exactly 500 are accepted", async () => {
    const { business } = await businessWithCode(400);
    const results = await Promise.all(Array.from({ length: 2000 }, () => record(op(business.id))));
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === "recorded")).toHaveLength(500);
    expect(outcomes.filter((o) => o === "limit_reached")).toHaveLength(1500);
    const usage = await grantUsage(business.id);
    expect(usage.operations).toBe(500);
    expect(usage.units).toBe(500);
    for (const grant of usage.grants) {
      expect(grant.card_operations_used).toBe(grant.card_operations);
      expect(usage.drawnByGrant.get(grant.id)).toBe(grant.card_operations_used);
    }
    expect(usage.grants.reduce((sum, g) => sum + g.card_operations_used, 0)).toBe(500);
    // Every accepted answer saw a distinct "remaining": no unit was counted twice.
    const remaining = results.flatMap((r) =>
      r.outcome === "recorded" ? [r.operation.remaining] : [],
    );
    expect(new Set(remaining).size).toBe(500);
    expect(Math.min(...remaining)).toBe(0);
  }, 120_000);

  it("replaying 1,000 operations with their keys changes nothing; the same key with another body is a conflict", async () => {
    const { business } = await businessWithCode(5000);
    const inputs = Array.from({ length: 1000 }, (_, i) =>
      op(business.id, { quantity: (i % 3) + 1 }),
    );
    const first = await recordCardOperations(testDb().db, { operations: inputs, now: new Date() });
    expect(first.every((r) => r.outcome === "recorded")).toBe(true);
    const before = await grantUsage(business.id);

    const replayed = await Promise.all(
      Array.from({ length: 10 }, (_, chunk) =>
        recordCardOperations(testDb().db, {
          operations: inputs.slice(chunk * 100, chunk * 100 + 100),
          now: new Date(),
        }),
      ),
    );
    const flat = replayed.flat();
    expect(flat.every((r) => r.outcome === "replayed")).toBe(true);
    flat.forEach((r, i) => {
      const original = at(first, i, "first answer");
      if (r.outcome !== "replayed" || original.outcome !== "recorded")
        throw new Error("unexpected");
      expect(r.operation).toEqual(original.operation);
    });
    expect(await grantUsage(business.id)).toEqual(before);

    const input = at(inputs, 0, "input");
    const conflict = await record({ ...input, quantity: input.quantity + 1 });
    expect(conflict).toEqual({
      outcome: "idempotency_conflict",
      idempotencyKey: input.idempotencyKey,
    });
    const kindConflict = await record({ ...at(inputs, 1, "input"), kind: "voucher" });
    expect(kindConflict.outcome).toBe("idempotency_conflict");
    expect(await grantUsage(business.id)).toEqual(before);
  });

  it("answers per event in a batch: duplicates inside the batch replay, unknown businesses are named, others proceed", async () => {
    const one = await businessWithCode(0 + 1);
    const two = await businessWithCode(1);
    const shared = op(one.business.id);
    const results = await recordCardOperations(testDb().db, {
      operations: [
        shared,
        op(two.business.id, { quantity: 101 }),
        { ...shared },
        op("00000000-0000-4000-8000-000000000000"),
        op(two.business.id, { quantity: 1000 }),
        { ...shared, quantity: 2 },
      ],
      now: new Date(),
    });
    expect(results.map((r) => r.outcome)).toEqual([
      "recorded",
      "recorded",
      "replayed",
      "business_not_found",
      "limit_reached",
      "idempotency_conflict",
    ]);
  });

  it("a month rollover renews the plan allowance; an ended grant stops counting", async () => {
    const { business } = await businessWithCode(30, { termMonths: 1 });
    const { db } = testDb();
    const plan = await db
      .selectFrom("businesses")
      .select("billing_anchor_at")
      .where("id", "=", business.id)
      .executeTakeFirstOrThrow();
    const now = new Date();
    expect((await record(op(business.id, { quantity: 120 }), now)).outcome).toBe("recorded");
    expect((await record(op(business.id, { quantity: 11 }), now)).outcome).toBe("limit_reached");

    // Next period: a fresh 100 from the plan; the code grant (1 month) has ended by then too.
    const nextPeriod = addMonthsClamped(plan.billing_anchor_at, 1);
    const later = new Date(
      Math.max(nextPeriod.getTime(), addMonthsClamped(now, 1).getTime()) + 60_000,
    );
    const renewed = await record(op(business.id, { quantity: 100 }), later);
    expect(renewed.outcome).toBe("recorded");
    if (renewed.outcome === "recorded") expect(renewed.operation.remaining).toBe(0);
    expect(await record(op(business.id), later)).toEqual({
      outcome: "limit_reached",
      remaining: 0,
      quantity: 1,
    });
    const entitlements = await getEntitlements(db, { businessId: business.id, now: later });
    expect(entitlements!.planAllowance).toMatchObject({ used: 100, included: 100 });
    expect(entitlements!.grants[0]).toMatchObject({ state: "ended", cardOperationsUsed: 20 });
    expect(entitlements!.cardOperations).toEqual({ used: 100, limit: 100, remaining: 0 });
    const planGrants = await db
      .selectFrom("grants")
      .select(["card_operations_used"])
      .where("business_id", "=", business.id)
      .where("source", "=", "plan")
      .orderBy("starts_at")
      .execute();
    expect(planGrants.map((g) => g.card_operations_used)).toEqual([100, 100]);
  });
});

describe("staff seats follow grants", () => {
  it("members move to another grant when theirs ends, and the last to join is marked over the limit, not deleted", async () => {
    const { db } = testDb();
    const { partner } = await createPartnerWithOwner();
    const shortBundle = await createBundle(partner.id, {
      staffSeats: 1,
      cardOperations: 0,
      termMonths: 1,
    });
    const longBundle = await createBundle(partner.id, {
      staffSeats: 1,
      cardOperations: 0,
      termMonths: 12,
    });
    const shortCode = at((await createBatchWithCodes(shortBundle, { count: 1 })).codes, 0, "code");
    const longCode = at((await createBatchWithCodes(longBundle, { count: 1 })).codes, 0, "code");
    const { business, owner } = await createBusinessWithOwner();
    const { claimCode } = await import("~/domain/redemption.server");
    const actor = { userId: owner.id, label: owner.email, email: owner.email };
    const short = await claimCode(db, {
      businessId: business.id,
      code: shortCode.code,
      actor,
      ip: null,
      now: new Date(),
    });
    const long = await claimCode(db, {
      businessId: business.id,
      code: longCode.code,
      actor,
      ip: null,
      now: new Date(),
    });
    const first = await createUser();
    const second = await createUser();
    await addBusinessMember(business.id, first.id, "staff");
    await new Promise((r) => setTimeout(r, 5));
    await addBusinessMember(business.id, second.id, "staff");
    await reattributeSeats(db, { businessId: business.id, now: new Date() });

    const seats = async (now = new Date()) =>
      (await getEntitlements(db, { businessId: business.id, now }))!.seats;
    // The owner takes the plan seat; the first staff member the longest grant; the second the short one.
    expect(await seats()).toEqual({
      [owner.id]: { kind: "plan" },
      [first.id]: { kind: "grant", grantId: long.grantId },
      [second.id]: { kind: "grant", grantId: short.grantId },
    });

    const afterShortEnds = new Date(short.endsAt.getTime() + 1000);
    expect(await seats(afterShortEnds)).toEqual({
      [owner.id]: { kind: "plan" },
      [first.id]: { kind: "grant", grantId: long.grantId },
      [second.id]: { kind: "none" },
    });
    expect(await reattributeSeats(db, { businessId: business.id, now: afterShortEnds })).toBe(1);
    const members = await db
      .selectFrom("business_members")
      .select(["user_id", "seat_grant_id", "over_seat_limit_since"])
      .where("business_id", "=", business.id)
      .execute();
    expect(members).toHaveLength(3);
    const marked = members.find((m) => m.user_id === second.id)!;
    expect(marked.seat_grant_id).toBeNull();
    expect(marked.over_seat_limit_since).toEqual(afterShortEnds);
    const entitlements = await getEntitlements(db, {
      businessId: business.id,
      now: afterShortEnds,
    });
    expect(entitlements!.staffSeats).toEqual({
      included: 1,
      fromGrants: 1,
      available: 2,
      taken: 2,
      overLimit: 1,
    });
  });
});
