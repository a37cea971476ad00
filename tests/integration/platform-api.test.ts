// The platform scope of /api/v1: entitlements, card operations (single and batch) and
// redemptions, answered as DESIGN.md §6 says, with problem+json for everything refused.
import { describe, expect, it } from "vitest";
import { formatCode, generateCode } from "~/lib/activation-code";
import { testDb } from "../db.ts";
import {
  claimByNewBusiness,
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartnerWithOwner,
} from "../factories.ts";
import { callApi, partnerKey, platformToken } from "../helpers/api.ts";
import { makeContext } from "../helpers/remix.ts";
import { at, first as firstRow, only } from "../helpers/rows.ts";
import {
  problemOf,
  type CardOperationBatchResult,
  type CardOperationResult,
  type Claim,
  type Entitlements,
} from "../helpers/typed.ts";

async function setUp() {
  const token = await platformToken();
  const { partner } = await createPartnerWithOwner();
  const bundle = await createBundle(partner.id, { staffSeats: 2, cardOperations: 50 });
  const { codes } = await createBatchWithCodes(bundle, { count: 4, prefix: "API" });
  const { business, owner } = await createBusinessWithOwner();
  return { token, partner, bundle, codes, business, owner };
}

const operation = (businessId: string, token: string, body: unknown) =>
  callApi<CardOperationResult>({
    method: "POST",
    path: `/api/v1/businesses/${businessId}/operations`,
    token,
    body,
  });

describe("platform API", () => {
  it("claims a code for a business and shows it in the entitlements", async () => {
    const { token, codes, business, bundle } = await setUp();
    const code = firstRow(codes, "code");
    const claimed = await callApi<Claim>({
      method: "POST",
      path: `/api/v1/businesses/${business.id}/redemptions`,
      token,
      body: { code: formatCode(code.code, "API").toLowerCase() },
    });
    expect(claimed.status).toBe(201);
    expect(claimed.body).toMatchObject({
      code_serial: code.id,
      business_id: business.id,
      bundle_name: bundle.name,
      staff_seats: 2,
      card_operations: 50,
    });

    const entitlements = await callApi<Entitlements>({
      path: `/api/v1/businesses/${business.id}/entitlements`,
      token,
    });
    expect(entitlements.status).toBe(200);
    expect(entitlements.body).toMatchObject({
      business_id: business.id,
      plan: { id: "free" },
      seats: { included: 1, from_grants: 2, available: 3, taken: 1, over_limit: 0 },
      operations: { used: 0, limit: 150, remaining: 150 },
      plan_allowance: { used: 0, included: 100 },
    });
    expect(entitlements.body.grants).toEqual([
      expect.objectContaining({
        source: "code",
        code_serial: code.id,
        staff_seats: { included: 2, taken: 0 },
        card_operations: { used: 0, limit: 50, available: 50 },
      }),
    ]);
  });

  it("claims for a business as its owner: a code locked to the owner's email, not another's; an unknown business is 404 and counts no attempt", async () => {
    const { token, codes, business, owner } = await setUp();
    const { db } = testDb();
    const claim = (businessId: string, code: string) =>
      callApi<Claim>({
        method: "POST",
        path: `/api/v1/businesses/${businessId}/redemptions`,
        token,
        body: { code },
      });
    const lockTo = (serial: number, email: string) =>
      db
        .updateTable("activation_codes")
        .set({ recipient_email: email, locked_to_email: true, handed_out_at: new Date() })
        .where("id", "=", serial)
        .execute();
    const forSomeoneElse = firstRow(codes, "code");
    await lockTo(forSomeoneElse.id, "someone.else@example.test");
    const refused = await claim(business.id, forSomeoneElse.code);
    expect([refused.status, problemOf(refused).code]).toEqual([403, "code_locked"]);
    const forTheOwner = at(codes, 1, "code");
    await lockTo(forTheOwner.id, owner.email.toUpperCase());
    const claimed = await claim(business.id, forTheOwner.code);
    expect([claimed.status, claimed.body.code_serial]).toEqual([201, forTheOwner.id]);

    const missing = "00000000-0000-4000-8000-000000000000";
    const counters = () =>
      db
        .selectFrom("rate_limit_counters")
        .select("key")
        .where("key", "like", `%${missing}%`)
        .execute();
    for (const code of [
      at(codes, 2, "code").code,
      "NOT-A-CODE",
      at(codes, 2, "code").code.slice(0, 15) + "0",
    ]) {
      const unknown = await claim(missing, code);
      expect([unknown.status, problemOf(unknown).code, problemOf(unknown).detail]).toEqual([
        404,
        "not_found",
        "No business with this id.",
      ]);
    }
    expect(await counters()).toEqual([]);
    const stillIssued = await db
      .selectFrom("activation_codes")
      .select("status")
      .where("id", "=", at(codes, 2, "code").id)
      .executeTakeFirstOrThrow();
    expect(stillIssued.status).toBe("issued");
  });

  it("answers each refusal of a claim with its own problem code, and 429 with Retry-After past the limit", async () => {
    const { token, codes, business } = await setUp();
    const claim = (code: string, ip = "192.0.2.10") =>
      callApi({
        method: "POST",
        path: `/api/v1/businesses/${business.id}/redemptions`,
        token,
        body: { code },
        context: makeContext({ clientIp: ip }),
      });
    const first = firstRow(codes, "code");
    const second = at(codes, 1, "code");
    expect((await claim(first.code)).status).toBe(201);
    const again = await claim(first.code);
    expect([again.status, problemOf(again).code]).toEqual([409, "code_already_claimed_by_you"]);
    const body = second.code;
    const typo = await claim(body.slice(0, 15) + (body[15] === "0" ? "1" : "0"));
    expect([typo.status, problemOf(typo).code]).toEqual([400, "code_mistyped"]);
    expect(typo.headers.get("content-type")).toBe("application/problem+json");
    for (let i = 0; i < 9; i += 1) {
      const unknown = await claim(generateCode());
      expect([unknown.status, problemOf(unknown).code]).toEqual([404, "code_not_found"]);
    }
    const limited = await claim(second.code);
    expect([limited.status, problemOf(limited).code]).toEqual([429, "rate_limited"]);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("records operations: 201 with what is left, 200 for the same key, 409 for the same key with another body, 402 with nothing recorded", async () => {
    const { token, codes } = await setUp();
    const { business } = await claimByNewBusiness(firstRow(codes, "code"));
    const first = await operation(business.id, token, {
      idempotency_key: "till-1",
      kind: "stamp",
      quantity: 3,
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      operation: { idempotency_key: "till-1", kind: "stamp", quantity: 3 },
      remaining: 147,
    });
    expect(first.body.operation.drawn_from).toHaveLength(1);

    const replay = await operation(business.id, token, {
      idempotency_key: "till-1",
      kind: "stamp",
      quantity: 3,
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);

    const conflict = await operation(business.id, token, {
      idempotency_key: "till-1",
      kind: "stamp",
      quantity: 4,
    });
    expect([conflict.status, problemOf(conflict).code]).toEqual([409, "idempotency_conflict"]);

    const tooMuch = await operation(business.id, token, {
      idempotency_key: "till-2",
      kind: "voucher",
      quantity: 148,
    });
    expect([tooMuch.status, problemOf(tooMuch).code]).toEqual([402, "limit_reached"]);
    expect(problemOf(tooMuch).detail).toContain("147");
    const count = await testDb()
      .db.selectFrom("card_operations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("business_id", "=", business.id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    // The refused key stays free: the same request succeeds once there is room.
    const fits = await operation(business.id, token, {
      idempotency_key: "till-2",
      kind: "voucher",
      quantity: 147,
    });
    expect([fits.status, fits.body.remaining]).toEqual([201, 0]);
  });

  it("refuses bad input naming the field, unknown businesses with 404, and partner keys with 403", async () => {
    const { token, partner, business } = await setUp();
    const bad = await operation(business.id, token, {
      idempotency_key: "",
      kind: "punch",
      quantity: 0,
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(problemOf(bad).code).toBe("invalid_request");
    expect(
      problemOf(bad)
        .errors?.map((e) => e.field)
        .sort(),
    ).toEqual(["extra", "idempotency_key", "kind", "quantity"]);
    const late = await operation(business.id, token, {
      idempotency_key: "x",
      kind: "stamp",
      occurred_at: "yesterday",
    });
    expect(problemOf(late).errors?.[0]?.field).toBe("occurred_at");

    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await operation(missing, token, { idempotency_key: "x", kind: "stamp" })).status).toBe(
      404,
    );
    expect(
      (await operation("not-a-uuid", token, { idempotency_key: "x", kind: "stamp" })).status,
    ).toBe(404);
    const entitlements = await callApi({
      path: `/api/v1/businesses/${missing}/entitlements`,
      token,
    });
    expect([entitlements.status, problemOf(entitlements).code]).toEqual([404, "not_found"]);

    const key = await partnerKey(partner.id);
    const forbidden = await operation(business.id, key, { idempotency_key: "x", kind: "stamp" });
    expect([forbidden.status, problemOf(forbidden).code]).toEqual([403, "forbidden"]);
    expect(
      (await operation(business.id, "sk_platform_nope", { idempotency_key: "x", kind: "stamp" }))
        .status,
    ).toBe(401);
  });

  it("records a batch in order with one result per event", async () => {
    const { token, codes } = await setUp();
    const one = await claimByNewBusiness(firstRow(codes, "code"));
    const two = await claimByNewBusiness(at(codes, 1, "code"));
    const missing = "00000000-0000-4000-8000-000000000000";
    const response = await callApi<CardOperationBatchResult>({
      method: "POST",
      path: "/api/v1/operations/batch",
      token,
      body: {
        events: [
          { business_id: one.business.id, idempotency_key: "a", kind: "stamp" },
          { business_id: two.business.id, idempotency_key: "a", kind: "voucher", quantity: 150 },
          { business_id: one.business.id, idempotency_key: "a", kind: "stamp" },
          { business_id: missing, idempotency_key: "a", kind: "stamp" },
          { business_id: two.business.id, idempotency_key: "b", kind: "stamp" },
          { business_id: one.business.id, idempotency_key: "a", kind: "stamp", quantity: 2 },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(
      response.body.results.map((r) => [r.index, r.status, "code" in r ? r.code : undefined]),
    ).toEqual([
      [0, 201, undefined],
      [1, 201, undefined],
      [2, 200, undefined],
      [3, 404, "not_found"],
      [4, 402, "limit_reached"],
      [5, 409, "idempotency_conflict"],
    ]);
    const remaining = response.body.results.map((r) => ("remaining" in r ? r.remaining : null));
    expect(remaining.slice(0, 2)).toEqual([149, 0]);

    const tooMany = await callApi({
      method: "POST",
      path: "/api/v1/operations/batch",
      token,
      body: {
        events: Array.from({ length: 1001 }, (_, i) => ({
          business_id: one.business.id,
          idempotency_key: `k${i}`,
          kind: "stamp",
        })),
      },
    });
    expect([tooMany.status, problemOf(tooMany).errors?.[0]?.field]).toEqual([400, "events"]);
    const badEvent = await callApi({
      method: "POST",
      path: "/api/v1/operations/batch",
      token,
      body: {
        events: [
          { business_id: one.business.id, idempotency_key: "z", kind: "stamp", quantity: 1001 },
        ],
      },
    });
    expect([badEvent.status, problemOf(badEvent).errors?.[0]?.field]).toEqual([
      400,
      "events.0.quantity",
    ]);
  });

  it("300 concurrent requests through the route for a business with 150 left: 150 accepted, 150 answered 402 (2,000 at the domain: usage.test.ts)", async () => {
    const { token } = await setUp();
    const { partner } = await createPartnerWithOwner();
    const bundle = await createBundle(partner.id, { staffSeats: 0, cardOperations: 50 });
    const { codes } = await createBatchWithCodes(bundle, { count: 1 });
    const { business } = await claimByNewBusiness(only(codes, "code"));
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        operation(business.id, token, { idempotency_key: `c-${i}`, kind: "stamp" }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(answers.filter((s) => s === 201)).toHaveLength(150);
    expect(answers.filter((s) => s === 402)).toHaveLength(150);
    const grants = await testDb()
      .db.selectFrom("grants")
      .select(["card_operations", "card_operations_used"])
      .where("business_id", "=", business.id)
      .execute();
    expect(grants.every((g) => g.card_operations_used === g.card_operations)).toBe(true);
    expect(grants.reduce((sum, g) => sum + g.card_operations_used, 0)).toBe(150);
  }, 120_000);
});
