// Support rolls a claim back: the grant ends (its seats and card operations stop counting, its
// seats move on), the code stays claimed, a second roll-back is refused (of concurrent ones
// exactly one wins), and the claim's snapshot comes back as a credit line on the statement of
// the roll-back's month, never on the (final) one of the claim's month. And
// `npm run admin -- claims roll-back --code CODE --reason TEXT`.
import { sql } from "kysely";
import { describe, expect, test } from "vitest";
import { rollBackClaim } from "~/domain/claim-rollbacks.server";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import { claimCode } from "~/domain/redemption.server";
import { finalizeStatements, lastEndedMonth } from "~/domain/statements/finalise.server";
import {
  getMonthStatement,
  getStatement,
  listStatementLines,
} from "~/domain/statements/reads.server";
import { recordCardOperations } from "~/domain/usage.server";
import { formatMoney } from "~/lib/format";
import { addMonths, monthOf } from "~/lib/statement-months";
import { rollBackClaimFromCli } from "../../scripts/admin-statements.ts";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  backdateClaim,
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartner,
  createUser,
} from "../factories.ts";
import { at, first, only } from "../helpers/rows.ts";

const SUPPORT = { userId: null, label: "support@7stamp.test" };

async function supportActor() {
  const user = await createUser({ isSupport: true });
  return { userId: user.id, label: user.email };
}

/** A partner with a bundle and `count` issued codes. */
async function partnerWithCodes(
  count: number,
  bundleOptions: Parameters<typeof createBundle>[1] = {},
  partnerOptions: Parameters<typeof createPartner>[0] = {},
) {
  const partner = await createPartner(partnerOptions);
  const bundle = await createBundle(partner.id, bundleOptions);
  const { codes } = await createBatchWithCodes(bundle, { count });
  return { partner, bundle, codes };
}

async function claim(
  business: { id: string },
  owner: { id: string; email: string },
  code: { code: string },
) {
  return claimCode(testDb().db, {
    businessId: business.id,
    code: code.code,
    actor: { userId: owner.id, label: owner.email, email: owner.email },
    ip: null,
    now: new Date(),
  });
}

async function rowCounts() {
  const { rows } = await sql<{ rollbacks: number; audits: number; events: number; ended: number }>`
    select (select count(*) from claim_rollbacks)::int as rollbacks,
      (select count(*) from audit_log where action = 'claim.rolled_back')::int as audits,
      (select count(*) from outbox_events where payload->>'reason' = 'claim_rolled_back')::int as events,
      (select count(*) from grants where ends_at <= now())::int as ended`.execute(testDb().db);
  return only(rows, "row of counts");
}

let stamps = 0;
async function stamp(businessId: string, quantity: number) {
  stamps += 1;
  const results = await recordCardOperations(testDb().db, {
    operations: [
      { businessId, idempotencyKey: `rb-${stamps}`, kind: "stamp", quantity, occurredAt: null },
    ],
    now: new Date(),
  });
  return only(results, "card operation result");
}

describe("rolling a claim back", () => {
  test("ends the grant: its seats move to another grant, its operations stop counting; the code stays claimed", async () => {
    const { db } = testDb();
    const { partner, codes } = await partnerWithCodes(1, {
      staffSeats: 2,
      cardOperations: 1000,
      termMonths: 12,
    });
    const shorter = await partnerWithCodes(1, { staffSeats: 2, cardOperations: 0, termMonths: 6 });
    const { business, owner } = await createBusinessWithOwner();
    const staff = [await createUser(), await createUser()];
    for (const user of staff) await addBusinessMember(business.id, user.id, "staff");
    const longGrant = await claim(business, owner, at(codes, 0, "code"));
    const shortGrant = await claim(business, owner, at(shorter.codes, 0, "code"));
    // The free plan's seat for the owner; staff on the grant that lasts longest.
    const seatsOf = async () =>
      (
        await db
          .selectFrom("business_members")
          .select(["user_id", "seat_grant_id", "over_seat_limit_since"])
          .where("business_id", "=", business.id)
          .where("role", "=", "staff")
          .orderBy("user_id")
          .execute()
      ).map((m) => ({ grant: m.seat_grant_id, over: m.over_seat_limit_since !== null }));
    expect(await seatsOf()).toEqual([
      { grant: longGrant.grantId, over: false },
      { grant: longGrant.grantId, over: false },
    ]);
    // 100 from the free plan, then 50 from the code's 1,000.
    expect((await stamp(business.id, 100)).outcome).toBe("recorded");
    expect((await stamp(business.id, 50)).outcome).toBe("recorded");

    const actor = await supportActor();
    const before = await rowCounts();
    const done = await rollBackClaim(db, {
      code: at(codes, 0, "code")
        .code.toLowerCase()
        .replace(/(.{4})/g, "$1 "),
      reason: "  Sold by mistake  ",
      actor,
      now: new Date(),
    });
    expect(done).toMatchObject({
      serial: at(codes, 0, "code").id,
      partnerId: partner.id,
      businessId: business.id,
      grantId: longGrant.grantId,
      reason: "Sold by mistake",
      statementMonth: monthOf(done.rolledBackAt),
      credit: {
        retailCents: longGrant.retailCents,
        discountCents: longGrant.discountCents,
        wholesaleCents: longGrant.wholesaleCents,
        taxCents: longGrant.taxCents,
      },
    });
    expect(done.grantEndsAt).toEqual(done.rolledBackAt);
    expect(await rowCounts()).toEqual({
      rollbacks: before.rollbacks + 1,
      audits: before.audits + 1,
      events: before.events + 1,
      ended: before.ended + 1,
    });

    // Seats moved to the other grant with room; nobody is over the limit.
    expect(await seatsOf()).toEqual([
      { grant: shortGrant.grantId, over: false },
      { grant: shortGrant.grantId, over: false },
    ]);
    const entitlements = (await getEntitlements(db, { businessId: business.id, now: new Date() }))!;
    expect(entitlements.staffSeats).toMatchObject({ included: 1, fromGrants: 2, overLimit: 0 });
    // Only the plan's 100 remain, all used: the rolled-back grant's 950 no longer count.
    expect(entitlements.cardOperations).toEqual({ used: 100, limit: 100, remaining: 0 });
    expect(entitlements.grants.find((g) => g.id === longGrant.grantId)).toMatchObject({
      state: "ended",
      cardOperationsUsed: 50,
    });
    expect((await stamp(business.id, 1)).outcome).toBe("limit_reached");

    const code = await db
      .selectFrom("activation_codes")
      .select(["status", "claimed_at"])
      .where("id", "=", at(codes, 0, "code").id)
      .executeTakeFirstOrThrow();
    expect(code).toEqual({ status: "claimed", claimed_at: longGrant.claimedAt });
    const row = await db
      .selectFrom("claim_rollbacks")
      .select([
        "partner_id",
        "business_id",
        "grant_id",
        "reason",
        "rolled_back_by",
        "rolled_back_by_label",
      ])
      .where("activation_code_id", "=", at(codes, 0, "code").id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      partner_id: partner.id,
      business_id: business.id,
      grant_id: longGrant.grantId,
      reason: "Sold by mistake",
      rolled_back_by: actor.userId,
      rolled_back_by_label: actor.label,
    });
    const audit = await db
      .selectFrom("audit_log")
      .select(["actor_label", "partner_id", "business_id", "subject_type", "subject_id", "after"])
      .where("action", "=", "claim.rolled_back")
      .where("subject_id", "=", String(at(codes, 0, "code").id))
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      actor_label: actor.label,
      partner_id: partner.id,
      business_id: business.id,
      subject_type: "activation_code",
      after: { reason: "Sold by mistake", credit_wholesale_cents: longGrant.wholesaleCents },
    });
    const event = await db
      .selectFrom("outbox_events")
      .select(["topic", "business_id", "partner_id", "payload"])
      .where(sql<boolean>`payload->>'reason' = 'claim_rolled_back'`)
      .where(sql<boolean>`(payload->>'serial')::int8 = ${at(codes, 0, "code").id}`)
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      topic: "entitlements.changed",
      business_id: business.id,
      partner_id: partner.id,
      payload: { grant_id: longGrant.grantId },
    });

    // The other grant rolled back too: staff are over the limit (nothing deleted).
    await rollBackClaim(db, {
      activationCodeId: at(shorter.codes, 0, "code").id,
      reason: "Also by mistake",
      actor,
      now: new Date(),
    });
    expect(await seatsOf()).toEqual([
      { grant: null, over: true },
      { grant: null, over: true },
    ]);
  });

  test("a second roll-back of the same code is refused and writes nothing", async () => {
    const { db } = testDb();
    const { codes } = await partnerWithCodes(1);
    const { business, owner } = await createBusinessWithOwner();
    await claim(business, owner, at(codes, 0, "code"));
    const first = await rollBackClaim(db, {
      activationCodeId: at(codes, 0, "code").id,
      reason: "Duplicate order",
      actor: SUPPORT,
      now: new Date(),
    });
    const before = await rowCounts();
    await expect(
      rollBackClaim(db, {
        code: at(codes, 0, "code").code,
        reason: "Again",
        actor: SUPPORT,
        now: new Date(),
      }),
    ).rejects.toMatchObject({
      code: "claim_already_rolled_back",
      status: 409,
      field: "code",
      message: `The claim of Code #${at(codes, 0, "code").id} was already rolled back on ${first.rolledBackAt
        .toISOString()
        .slice(0, 10)}.`,
    });
    expect(await rowCounts()).toEqual(before);
  });

  test("concurrent roll-backs of one code: exactly one wins", async () => {
    const { db } = testDb();
    const { codes } = await partnerWithCodes(1);
    const { business, owner } = await createBusinessWithOwner();
    await claim(business, owner, at(codes, 0, "code"));
    const before = await rowCounts();
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        rollBackClaim(db, {
          activationCodeId: at(codes, 0, "code").id,
          reason: `Attempt ${i}`,
          actor: SUPPORT,
          now: new Date(),
        }),
      ),
    );
    const won = attempts.filter((a) => a.status === "fulfilled");
    const lost = attempts.filter((a) => a.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const attempt of lost) {
      expect(attempt.reason).toMatchObject({
        code: "claim_already_rolled_back",
      });
    }
    expect(await rowCounts()).toEqual({
      rollbacks: before.rollbacks + 1,
      audits: before.audits + 1,
      events: before.events + 1,
      ended: before.ended + 1,
    });
  });

  test("only a claimed code, a known code and a reason: clear refusals, nothing written", async () => {
    const { db } = testDb();
    const { partner, codes } = await partnerWithCodes(4);
    const { business, owner } = await createBusinessWithOwner();
    await claim(business, owner, at(codes, 3, "code"));
    await db
      .updateTable("activation_codes")
      .set({ status: "revoked", revoked_at: new Date(), revoke_reason: "test" })
      .where("id", "=", at(codes, 1, "code").id)
      .execute();
    await db
      .updateTable("activation_codes")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", at(codes, 2, "code").id)
      .execute();
    const before = await rowCounts();
    const mistyped =
      at(codes, 0, "code").code.slice(0, 15) + (at(codes, 0, "code").code[15] === "0" ? "1" : "0");
    for (const [target, expected] of [
      [
        { activationCodeId: at(codes, 0, "code").id },
        {
          code: "code_not_claimed",
          message: `Only a claimed code can be rolled back; Code #${at(codes, 0, "code").id} is unclaimed.`,
        },
      ],
      [
        { activationCodeId: at(codes, 1, "code").id },
        {
          code: "code_not_claimed",
          message: `Only a claimed code can be rolled back; Code #${at(codes, 1, "code").id} is revoked.`,
        },
      ],
      [
        { code: at(codes, 2, "code").code },
        {
          code: "code_not_claimed",
          message: `Only a claimed code can be rolled back; Code #${at(codes, 2, "code").id} is expired, never claimed.`,
        },
      ],
      [{ activationCodeId: 9_000_000_000 }, { code: "code_not_found", field: "code" }],
      [{ activationCodeId: -1 }, { code: "code_not_found", field: "code" }],
      [{ code: "not a code" }, { code: "code_not_found", field: "code" }],
      [{ code: mistyped }, { code: "code_mistyped", field: "code" }],
    ] as const) {
      await expect(
        rollBackClaim(db, { ...target, reason: "Test", actor: SUPPORT, now: new Date() }),
        JSON.stringify(target),
      ).rejects.toMatchObject(expected);
    }
    for (const reason of ["", "   ", "x".repeat(501), "bad\u0000reason"]) {
      await expect(
        rollBackClaim(db, {
          activationCodeId: at(codes, 3, "code").id,
          reason,
          actor: SUPPORT,
          now: new Date(),
        }),
      ).rejects.toMatchObject({ code: "invalid_request", field: "reason", status: 400 });
    }
    expect(await rowCounts()).toEqual(before);
    const stillClaimed = await getEntitlements(db, { businessId: business.id, now: new Date() });
    expect(stillClaimed!.grants.map((g) => [g.code?.partnerId, g.state])).toEqual([
      [partner.id, "active"],
    ]);
  });

  test("an old claim whose grant has ended can be rolled back; its end stays where it was", async () => {
    const { db } = testDb();
    const { codes } = await partnerWithCodes(
      1,
      { termMonths: 1 },
      { createdAt: new Date(Date.now() - 400 * 86_400_000) },
    );
    const { business, owner } = await createBusinessWithOwner();
    const claimed = await claim(business, owner, first(codes, "code"));
    const claimedAt = new Date(Date.now() - 300 * 86_400_000);
    await backdateClaim(claimed.serial, claimedAt);
    const { ends_at: endedAt } = await db
      .selectFrom("grants")
      .select("ends_at")
      .where("id", "=", claimed.grantId)
      .executeTakeFirstOrThrow();
    expect(endedAt.getTime()).toBeLessThan(Date.now());
    const done = await rollBackClaim(db, {
      activationCodeId: claimed.serial,
      reason: "Refund agreed with the partner",
      actor: SUPPORT,
      now: new Date(),
    });
    expect(done.grantEndsAt).toEqual(endedAt);
    expect(done.statementMonth).toBe(monthOf(new Date()));
  });
});

describe("the credit line", () => {
  test("is on the statement of the roll-back's month, the exact negation of the claim; the claim's final statement does not change", async () => {
    const { db } = testDb();
    const now = new Date();
    const last = lastEndedMonth(now);
    const before = addMonths(last, -1);
    const { partner, codes } = await partnerWithCodes(
      3,
      { staffSeats: 3, cardOperations: 1001, termMonths: 7 },
      { discountBps: 3333, taxRateBps: 1900, createdAt: new Date(`${before}-02T10:00:00Z`) },
    );
    const { business, owner } = await createBusinessWithOwner();
    const claims = [];
    for (const code of codes) claims.push(await claim(business, owner, code));
    const claim0 = at(claims, 0, "claim");
    const claim1 = at(claims, 1, "claim");
    const claim2 = at(claims, 2, "claim");
    await backdateClaim(claim0.serial, new Date(`${before}-10T10:00:00Z`));
    await backdateClaim(claim1.serial, new Date(`${before}-11T10:00:00Z`));
    await backdateClaim(claim2.serial, new Date(`${last}-03T10:00:00Z`));

    // The month before last is final with both of its claims.
    const finalised = await finalizeStatements(db, {
      partnerId: partner.id,
      month: before,
      actor: SUPPORT,
      now,
    });
    const claimMonth = finalised.find((f) => f.month === before)!;
    const finalBefore = await getStatement(db, {
      partnerId: partner.id,
      statementId: claimMonth.statementId,
    });
    const linesBefore = await listStatementLines(db, {
      partnerId: partner.id,
      statement: finalBefore,
      limit: null,
    });
    expect(finalBefore.claimCount).toBe(2);

    // A roll-back dated in that final month is refused: its statement cannot take the credit.
    await expect(
      rollBackClaim(db, {
        activationCodeId: claim0.serial,
        reason: "Too late for that month",
        actor: SUPPORT,
        now: new Date(`${before}-20T10:00:00Z`),
      }),
    ).rejects.toMatchObject({ code: "statement_month_final" });

    // Rolled back last month (still open): the credit is on last month's statement.
    const rolledBackAt = new Date(`${last}-15T12:34:56.789Z`);
    await rollBackClaim(db, {
      activationCodeId: claim0.serial,
      reason: "Sold by mistake",
      actor: SUPPORT,
      now: rolledBackAt,
    });
    // And one rolled back today: its credit is on this month's draft.
    await rollBackClaim(db, {
      activationCodeId: claim1.serial,
      reason: "Sold by mistake",
      actor: SUPPORT,
      now: new Date(),
    });

    await finalizeStatements(db, { partnerId: partner.id, month: last, actor: SUPPORT, now });
    const lastStatement = await getMonthStatement(db, { partnerId: partner.id, month: last, now });
    expect(lastStatement).toMatchObject({ status: "final", claimCount: 1, creditCount: 1 });
    const { lines } = await listStatementLines(db, {
      partnerId: partner.id,
      statement: lastStatement,
      limit: null,
    });
    const credit = lines.find((l) => l.kind === "credit")!;
    expect(credit).toMatchObject({
      serial: claim0.serial,
      occurredAt: rolledBackAt,
      businessId: business.id,
      discountBps: 3333,
      taxRateBps: 1900,
      retailCents: -claim0.retailCents,
      discountCents: -claim0.discountCents,
      wholesaleCents: -claim0.wholesaleCents,
      taxCents: -claim0.taxCents,
    });
    // One claim (the last one) and one credit (the first one): they cancel exactly.
    expect(lastStatement.totals.totalCents).toBe(
      claim2.wholesaleCents + claim2.taxCents - claim0.wholesaleCents - claim0.taxCents,
    );

    const draft = await getMonthStatement(db, { partnerId: partner.id, month: monthOf(now), now });
    expect(draft).toMatchObject({ status: "draft", claimCount: 0, creditCount: 1 });
    expect(draft.totals).toEqual({
      retailCents: -claim1.retailCents,
      discountCents: -claim1.discountCents,
      netCents: -claim1.wholesaleCents,
      taxCents: -claim1.taxCents,
      totalCents: -(claim1.wholesaleCents + claim1.taxCents),
      referralCents: 0,
    });

    // The claims' month: final, unchanged by either roll-back.
    const again = await getStatement(db, {
      partnerId: partner.id,
      statementId: claimMonth.statementId,
    });
    expect(again).toEqual(finalBefore);
    expect(
      await listStatementLines(db, { partnerId: partner.id, statement: again, limit: null }),
    ).toEqual(linesBefore);
  });
});

describe("npm run admin -- claims roll-back", () => {
  test("rolls back by code or Code #N and says where the credit goes; refusals name the flag", async () => {
    const { db } = testDb();
    const { partner, codes } = await partnerWithCodes(3, {}, { slug: "cli-rollback" });
    const { business, owner } = await createBusinessWithOwner({ name: "Cli Café" });
    const first = await claim(business, owner, at(codes, 0, "code"));
    await claim(business, owner, at(codes, 1, "code"));
    const before = await rowCounts();

    for (const [args, error] of [
      [{ reason: "x" }, /^--code: give the claimed code/],
      [{ code: "  ", reason: "x" }, /^--code: give the claimed code/],
      [{ code: at(codes, 0, "code").code }, /^--reason: say why/],
      [
        { code: at(codes, 0, "code").code, reason: "" },
        /^--reason: Give the reason for the roll-back/,
      ],
      [{ code: "ZZZZ", reason: "x" }, /^--code: No such code\.$/],
      [{ code: "#999999999", reason: "x" }, /^--code: No such code\.$/],
      [
        { code: at(codes, 2, "code").code, reason: "x" },
        /^--code: Only a claimed code can be rolled back/,
      ],
    ] as const) {
      const result = await rollBackClaimFromCli(db, args);
      expect(result.ok, JSON.stringify(args)).toBe(false);
      if (!result.ok) expect(result.error).toMatch(error);
    }
    expect(await rowCounts()).toEqual(before);

    const now = new Date();
    const done = await rollBackClaimFromCli(db, {
      code: `#${first.serial}`,
      reason: "Sold by mistake",
      now,
    });
    const total = first.wholesaleCents + first.taxCents;
    const euros = (cents: number) => formatMoney(cents, "en-IE");
    expect(done).toEqual({
      ok: true,
      lines: [
        `Code #${first.serial} (cli-rollback, Cli Café) rolled back; its grant ended ${now.toISOString()}.`,
        `Credit line on cli-rollback's ${monthOf(now)} statement: ${euros(total)} (${euros(
          first.wholesaleCents,
        )} + tax ${euros(first.taxCents)}).`,
      ],
    });
    const byCode = await rollBackClaimFromCli(db, {
      code: at(codes, 1, "code").code,
      reason: "Also",
    });
    expect(byCode.ok).toBe(true);
    const again = await rollBackClaimFromCli(db, { code: String(first.serial), reason: "Again" });
    expect(again).toEqual({
      ok: false,
      error: `--code: The claim of Code #${first.serial} was already rolled back on ${now
        .toISOString()
        .slice(0, 10)}.`,
    });
    const row = await db
      .selectFrom("claim_rollbacks")
      .select(["rolled_back_by", "rolled_back_by_label", "partner_id"])
      .where("activation_code_id", "=", first.serial)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      rolled_back_by: null,
      rolled_back_by_label: "admin CLI",
      partner_id: partner.id,
    });
  });
});
