// Claiming codes: one transaction with its price snapshot and grant; every refusal has its
// own error and changes nothing; concurrent claims of one code give exactly one grant;
// failed attempts are limited per business and per IP, in the database.
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { claimCode, previewCode, type ClaimActor } from "~/domain/redemption.server";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import { DomainError } from "~/domain/errors.server";
import { formatCode } from "~/lib/activation-code";
import { testDb } from "../db.ts";
import {
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartnerWithOwner,
} from "../factories.ts";
import { auditRows, countRows } from "../helpers/auth.ts";
import { at, only } from "../helpers/rows.ts";

function actorOf(owner: { id: string; email: string }): ClaimActor {
  return { userId: owner.id, label: owner.email, email: owner.email };
}

async function setUp(bundleOptions: Parameters<typeof createBundle>[1] = {}) {
  const { partner } = await createPartnerWithOwner({});
  const bundle = await createBundle(partner.id, {
    staffSeats: 2,
    cardOperations: 1000,
    termMonths: 12,
    ...bundleOptions,
  });
  const { codes, batch } = await createBatchWithCodes(bundle, { count: 5, prefix: "CAFE" });
  const { business, owner } = await createBusinessWithOwner();
  return { partner, bundle, codes, batch, business, owner, actor: actorOf(owner) };
}

async function refusalCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error("expected a refusal");
}

async function claimState() {
  const { db } = testDb();
  const [grants, claimed, outbox] = await Promise.all([
    countRows(["grants"]).then((c) => c.grants),
    db
      .selectFrom("activation_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "claimed")
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("outbox_events")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { grants, claimed: Number(claimed.n), outbox: Number(outbox.n) };
}

describe("claiming a code", () => {
  it("grants the bundle, snapshots the price, audits and writes the outbox event", async () => {
    const { db } = testDb();
    const { partner, codes, business, actor } = await setUp();
    const typed = formatCode(at(codes, 0, "code").code, "cafe")
      .toLowerCase()
      .replace(/-/g, " ");
    const claimed = await claimCode(db, {
      businessId: business.id,
      code: typed,
      actor,
      ip: "10.0.0.1",
      now: new Date(),
    });
    expect(claimed.serial).toBe(at(codes, 0, "code").id);
    // 2 seats × 12 months × €29 + 1,000 × €0.05 = €746.00; 30% off = €223.80.
    expect(claimed).toMatchObject({
      retailCents: 74_600,
      discountCents: 22_380,
      wholesaleCents: 52_220,
      staffSeats: 2,
      cardOperations: 1000,
    });
    const code = await db
      .selectFrom("activation_codes")
      .select([
        "status",
        "claimed_at",
        "retail_cents",
        "discount_bps",
        "discount_cents",
        "wholesale_cents",
      ])
      .where("id", "=", at(codes, 0, "code").id)
      .executeTakeFirstOrThrow();
    expect(code).toMatchObject({
      status: "claimed",
      retail_cents: 74_600,
      discount_bps: 3000,
      discount_cents: 22_380,
      wholesale_cents: 52_220,
    });
    const grant = await db
      .selectFrom("grants")
      .selectAll()
      .where("activation_code_id", "=", at(codes, 0, "code").id)
      .executeTakeFirstOrThrow();
    expect(grant).toMatchObject({
      business_id: business.id,
      partner_id: partner.id,
      source: "code",
      staff_seats: 2,
      card_operations: 1000,
      card_operations_used: 0,
    });
    expect(grant.ends_at.getUTCMonth()).toBe((grant.starts_at.getUTCMonth() + 12) % 12);
    expect(grant.ends_at.getUTCFullYear()).toBe(grant.starts_at.getUTCFullYear() + 1);
    expect((await auditRows("code.claimed")).length).toBe(1);
    const event = await db
      .selectFrom("outbox_events")
      .select(["topic", "business_id", "partner_id"])
      .executeTakeFirstOrThrow();
    expect(event).toEqual({
      topic: "code.claimed",
      business_id: business.id,
      partner_id: partner.id,
    });

    const entitlements = await getEntitlements(db, { businessId: business.id, now: new Date() });
    expect(entitlements!.staffSeats).toMatchObject({
      included: 1,
      fromGrants: 2,
      available: 3,
      taken: 1,
    });
    expect(entitlements!.grants).toHaveLength(1);
    expect(entitlements!.grants[0]).toMatchObject({
      code: { serial: at(codes, 0, "code").id },
      cardOperations: 1000,
      cardOperationsUsed: 0,
      cardOperationsAvailable: 1000,
      state: "active",
    });
    expect(entitlements!.cardOperations).toEqual({ used: 0, limit: 1100, remaining: 1100 });
  });

  it("takes the discount in force at claim time, not at generation time", async () => {
    const { db } = testDb();
    const { partner, codes, business, actor } = await setUp();
    await db
      .updateTable("partners")
      .set({ discount_bps: 4000 })
      .where("id", "=", partner.id)
      .execute();
    const claimed = await claimCode(db, {
      businessId: business.id,
      code: at(codes, 1, "code").code,
      actor,
      ip: null,
      now: new Date(),
    });
    expect(claimed).toMatchObject({
      retailCents: 74_600,
      discountCents: 29_840,
      wholesaleCents: 44_760,
    });
  });

  it("answers 'already claimed by you' to the same business and 'already claimed' to another, changing nothing", async () => {
    const { db } = testDb();
    const { codes, business, actor } = await setUp();
    await claimCode(db, {
      businessId: business.id,
      code: at(codes, 0, "code").code,
      actor,
      ip: null,
      now: new Date(),
    });
    const before = await claimState();
    expect(
      await refusalCode(
        claimCode(db, {
          businessId: business.id,
          code: at(codes, 0, "code").code,
          actor,
          ip: null,
          now: new Date(),
        }),
      ),
    ).toBe("code_already_claimed_by_you");
    const other = await createBusinessWithOwner();
    expect(
      await refusalCode(
        claimCode(db, {
          businessId: other.business.id,
          code: at(codes, 0, "code").code,
          actor: actorOf(other.owner),
          ip: null,
          now: new Date(),
        }),
      ),
    ).toBe("code_already_claimed");
    expect(await claimState()).toEqual(before);
  });

  it("refuses mistyped, unknown, expired, revoked, not-ready, locked and suspended-partner codes, each with its own code, changing nothing", async () => {
    const { db } = testDb();
    const { partner, bundle, codes, business, actor } = await setUp();
    const before = await claimState();
    const claim = (code: string, claimActor = actor) =>
      refusalCode(
        claimCode(db, {
          businessId: business.id,
          code,
          actor: claimActor,
          ip: null,
          now: new Date(),
        }),
      );

    const body = at(codes, 0, "code").code;
    const swapped = body.slice(0, 15) + (body[15] === "0" ? "1" : "0");
    expect(await claim(swapped)).toBe("code_mistyped");
    expect(await claim("not a code")).toBe("code_not_found");
    const unknown = (await import("~/lib/activation-code")).generateCode();
    expect(await claim(unknown)).toBe("code_not_found");

    await db
      .updateTable("activation_codes")
      .set({ expires_at: sql<Date>`now() - interval '1 minute'` })
      .where("id", "=", at(codes, 1, "code").id)
      .execute();
    expect(await claim(at(codes, 1, "code").code)).toBe("code_expired");

    await db
      .updateTable("activation_codes")
      .set({ status: "revoked", revoked_at: new Date(), revoke_reason: "test" })
      .where("id", "=", at(codes, 2, "code").id)
      .execute();
    expect(await claim(at(codes, 2, "code").code)).toBe("code_revoked");

    const generating = await createBatchWithCodes(bundle, { count: 1, status: "generating" });
    // A generating batch's codes exist in the database before the batch is ready.
    const early = await db
      .insertInto("activation_codes")
      .values({
        code: (await import("~/lib/activation-code")).generateCode(),
        partner_id: partner.id,
        bundle_id: bundle.id,
        batch_id: generating.batch.id,
        expires_at: new Date(Date.now() + 86_400_000),
      })
      .returning("code")
      .executeTakeFirstOrThrow();
    expect(await claim(early.code)).toBe("code_not_ready");

    await db
      .updateTable("activation_codes")
      .set({
        recipient_email: "someone.else@example.test",
        locked_to_email: true,
        handed_out_at: new Date(),
      })
      .where("id", "=", at(codes, 3, "code").id)
      .execute();
    expect(await claim(at(codes, 3, "code").code)).toBe("code_locked");
    // The recipient themself may claim it.
    await db
      .updateTable("activation_codes")
      .set({ recipient_email: actor.email })
      .where("id", "=", at(codes, 3, "code").id)
      .execute();
    await db
      .updateTable("partners")
      .set({ status: "suspended" })
      .where("id", "=", partner.id)
      .execute();
    expect(await claim(at(codes, 4, "code").code)).toBe("partner_suspended");
    expect(await claimState()).toEqual(before);
    await db
      .updateTable("partners")
      .set({ status: "active" })
      .where("id", "=", partner.id)
      .execute();
    await expect(
      claimCode(db, {
        businessId: business.id,
        code: at(codes, 3, "code").code,
        actor,
        ip: null,
        now: new Date(),
      }),
    ).resolves.toMatchObject({
      serial: at(codes, 3, "code").id,
    });
  });

  it("100 businesses claiming one code at once: exactly one succeeds, 99 get code_already_claimed, one grant", async () => {
    const { db } = testDb();
    const { codes } = await setUp();
    const businesses = await Promise.all(
      Array.from({ length: 100 }, () => createBusinessWithOwner()),
    );
    const outcomes = await Promise.all(
      businesses.map(({ business, owner }, i) =>
        claimCode(db, {
          businessId: business.id,
          code: at(codes, 0, "code").code,
          actor: actorOf(owner),
          ip: `10.1.${Math.floor(i / 250)}.${i % 250}`,
          now: new Date(),
        }).then(
          () => "claimed",
          (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === "claimed")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "code_already_claimed")).toHaveLength(99);
    const grants = await db
      .selectFrom("grants")
      .select("business_id")
      .where("activation_code_id", "=", at(codes, 0, "code").id)
      .execute();
    expect(grants).toHaveLength(1);
    expect(only(grants, "grant").business_id).toBe(
      at(businesses, outcomes.indexOf("claimed"), "claiming business").business.id,
    );
  });

  it("previews what a code gives without claiming it", async () => {
    const { db } = testDb();
    const { codes, business, owner, bundle } = await setUp();
    const before = await claimState();
    const preview = await previewCode(db, {
      businessId: business.id,
      code: formatCode(at(codes, 0, "code").code, "CAFE"),
      email: owner.email,
      ip: null,
      now: new Date(),
    });
    expect(preview).toMatchObject({
      serial: at(codes, 0, "code").id,
      bundleName: bundle.name,
      staffSeats: 2,
      cardOperations: 1000,
    });
    expect(await claimState()).toEqual(before);
  });
});

describe("failed attempts", () => {
  it("allows 10 failed attempts per business an hour, then answers 429 with when to retry, even for a good code", async () => {
    const { db } = testDb();
    const { codes, business, actor } = await setUp();
    const before = await claimState();
    const { generateCode } = await import("~/lib/activation-code");
    for (let i = 0; i < 10; i += 1) {
      expect(
        await refusalCode(
          claimCode(db, {
            businessId: business.id,
            code: generateCode(),
            actor,
            ip: `10.2.0.${i}`,
            now: new Date(),
          }),
        ),
      ).toBe("code_not_found");
    }
    const error = await claimCode(db, {
      businessId: business.id,
      code: at(codes, 0, "code").code,
      actor,
      ip: "10.2.1.1",
      now: new Date(),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "rate_limited", status: 429 });
    expect((error as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect((error as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(3600);
    expect(await claimState()).toEqual(before);
  });

  it("allows 30 failed attempts per IP an hour across businesses", async () => {
    const { db } = testDb();
    const { generateCode } = await import("~/lib/activation-code");
    const businesses = await Promise.all(
      Array.from({ length: 4 }, () => createBusinessWithOwner()),
    );
    for (let i = 0; i < 30; i += 1) {
      const { business, owner } = at(businesses, i % 4, "business");
      expect(
        await refusalCode(
          claimCode(db, {
            businessId: business.id,
            code: generateCode(),
            actor: actorOf(owner),
            ip: "10.3.0.1",
            now: new Date(),
          }),
        ),
      ).toBe("code_not_found");
    }
    const fresh = await createBusinessWithOwner();
    expect(
      await refusalCode(
        claimCode(db, {
          businessId: fresh.business.id,
          code: generateCode(),
          actor: actorOf(fresh.owner),
          ip: "10.3.0.1",
          now: new Date(),
        }),
      ),
    ).toBe("rate_limited");
  });

  it("never refuses good claims, however many come at once from one address", async () => {
    const { db } = testDb();
    const { bundle } = await setUp();
    const { codes } = await createBatchWithCodes(bundle, { count: 40 });
    const businesses = await Promise.all(codes.map(() => createBusinessWithOwner()));
    const outcomes = await Promise.all(
      codes.map((code, i) =>
        claimCode(db, {
          businessId: at(businesses, i, "business").business.id,
          code: code.code,
          actor: actorOf(at(businesses, i, "business").owner),
          ip: "10.4.0.1",
          now: new Date(),
        }).then(
          () => "claimed",
          (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
        ),
      ),
    );
    expect(outcomes.every((o) => o === "claimed")).toBe(true);
  });

  it("does not count claiming one's own code again", async () => {
    const { db } = testDb();
    const { codes, business, actor } = await setUp();
    await claimCode(db, {
      businessId: business.id,
      code: at(codes, 0, "code").code,
      actor,
      ip: null,
      now: new Date(),
    });
    for (let i = 0; i < 12; i += 1) {
      expect(
        await refusalCode(
          claimCode(db, {
            businessId: business.id,
            code: at(codes, 0, "code").code,
            actor,
            ip: null,
            now: new Date(),
          }),
        ),
      ).toBe("code_already_claimed_by_you");
    }
  });
});
