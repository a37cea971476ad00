// The price list as support runs it (ADR 019): versions added for today or later, never in
// the past, one per day (the unique index decides); bundle previews and claims price at the
// version in force at their moment, so a version starting tomorrow changes nothing today.
import { beforeAll, describe, expect, test } from "vitest";
import { getBundle, getCurrentPrices } from "~/domain/bundles.server";
import { addPriceVersion, PriceVersionDayTaken } from "~/domain/pricing.server";
import { claimCode } from "~/domain/redemption.server";
import { action, loader } from "~/routes/_app.support.pricing";
import { testDb } from "../db.ts";
import {
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartner,
  createUser,
  createPartnerWithOwner,
} from "../factories.ts";
import { auditRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, type FormFailureBody } from "../helpers/remix.ts";
import { at } from "../helpers/rows.ts";

const DAY = 86_400_000;
let support: { id: string; email: string; cookie: string };

beforeAll(async () => {
  const user = await createUser({ isSupport: true });
  support = { id: user.id, email: user.email, cookie: (await signInAs(user)).cookie };
});

/** The UTC day `offset` days from today, as the form takes it. */
function dayFromToday(offset: number): string {
  const today = Math.floor(Date.now() / DAY) * DAY;
  return new Date(today + offset * DAY).toISOString().slice(0, 10);
}

function post(fields: Record<string, string>, cookie = support.cookie) {
  return callRoute<FormFailureBody>(action, {
    request: formRequest("/support/pricing", { intent: "price", ...fields }, { cookie }),
  });
}

async function priceRows() {
  return testDb()
    .db.selectFrom("price_list")
    .select([
      "id",
      "effective_from",
      "staff_seat_month_cents",
      "card_operation_cents",
      "created_by",
    ])
    .orderBy("effective_from")
    .execute();
}

async function auditCount() {
  const row = await testDb()
    .db.selectFrom("audit_log")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("the price list page", () => {
  test("shows the history with the version in force; support adds one from tomorrow, stored in cents and audited", async () => {
    const page = await callRoute<{
      versions: { state: string; staffSeatMonthCents: number }[];
      today: string;
    }>(loader, { request: getRequest("/support/pricing", { cookie: support.cookie }) });
    expect(page.status).toBe(200);
    expect(page.body.versions).toEqual([
      expect.objectContaining({ state: "current", staffSeatMonthCents: 2900 }),
    ]);
    expect(page.body.today).toBe(dayFromToday(0));

    const added = await post({
      effectiveOn: dayFromToday(2),
      staffSeatMonthPrice: "31.50",
      cardOperationPrice: "0,06",
      reason: "New year's prices",
    });
    expect(added.status).toBe(302);
    expect(added.location).toBe("/support/pricing");
    const rows = await priceRows();
    expect(rows.at(-1)).toMatchObject({
      effective_from: new Date(`${dayFromToday(2)}T00:00:00Z`),
      staff_seat_month_cents: 3150,
      card_operation_cents: 6,
      created_by: support.id,
    });
    const [audit] = await auditRows("price_list.version_added");
    expect(audit).toMatchObject({
      actor_user_id: support.id,
      subject_type: "price_list",
      subject_id: String(rows.at(-1)!.id),
      reason: "New year's prices",
      before: { staff_seat_month_cents: 2900, card_operation_cents: 5 },
      after: { staff_seat_month_cents: 3150, card_operation_cents: 6 },
    });

    const after = await callRoute<{ versions: { state: string; staffSeatMonthCents: number }[] }>(
      loader,
      { request: getRequest("/support/pricing", { cookie: support.cookie }) },
    );
    expect(after.body.versions.map((v) => [v.state, v.staffSeatMonthCents])).toEqual([
      ["scheduled", 3150],
      ["current", 2900],
    ]);
  });

  test("a version for today starts now, not at midnight: the day's earlier claims keep their price", async () => {
    const now = new Date();
    const version = await addPriceVersion(testDb().db, {
      input: {
        effectiveOn: dayFromToday(0),
        staffSeatMonthPrice: 2900,
        cardOperationPrice: 5,
        reason: "Same prices, restated today",
      },
      actor: { userId: support.id, label: support.email },
      now,
    });
    expect(version.effectiveFrom.getTime()).toBe(now.getTime());
  });

  test("bad input names the field and writes nothing", async () => {
    const before = { prices: await priceRows(), audit: await auditCount() };
    const cases: [Record<string, string>, string, string][] = [
      [{ effectiveOn: dayFromToday(-1) }, "effectiveOn", "support:errors.price_version_in_past"],
      [{ effectiveOn: "2027-02-30" }, "effectiveOn", "validation.calendarDate"],
      [{ effectiveOn: "next week" }, "effectiveOn", "validation.date"],
      [{ effectiveOn: "" }, "effectiveOn", "validation.required"],
      [{ staffSeatMonthPrice: "abc" }, "staffSeatMonthPrice", "support:validation.price"],
      [{ staffSeatMonthPrice: "1.505" }, "staffSeatMonthPrice", "support:validation.price"],
      [{ staffSeatMonthPrice: "-1" }, "staffSeatMonthPrice", "support:validation.negativePrice"],
      [{ cardOperationPrice: "" }, "cardOperationPrice", "validation.required"],
      [{ cardOperationPrice: "100000" }, "cardOperationPrice", "support:validation.priceTooBig"],
      [{ reason: "" }, "reason", "validation.required"],
    ];
    for (const [change, field, key] of cases) {
      const result = await post({
        effectiveOn: dayFromToday(5),
        staffSeatMonthPrice: "30.00",
        cardOperationPrice: "0.05",
        reason: "Price review",
        ...change,
      });
      expect(result.status, JSON.stringify(change)).toBeGreaterThanOrEqual(400);
      expect(result.status, JSON.stringify(change)).toBeLessThan(500);
      expect(result.body.errors[field]?.key, JSON.stringify(change)).toBe(key);
      expect(result.body.values.reason).toBe(change.reason ?? "Price review");
    }
    expect({ prices: await priceRows(), audit: await auditCount() }).toEqual(before);
  });

  test("a second version for the same day is refused by the unique index, also when both race", async () => {
    const first = await post({
      effectiveOn: dayFromToday(10),
      staffSeatMonthPrice: "30",
      cardOperationPrice: "0.05",
      reason: "Price review",
    });
    expect(first.status).toBe(302);
    const before = { prices: await priceRows(), audit: await auditCount() };
    const second = await post({
      effectiveOn: dayFromToday(10),
      staffSeatMonthPrice: "31",
      cardOperationPrice: "0.05",
      reason: "Price review again",
    });
    expect(second.status).toBe(409);
    expect(second.body.errors.effectiveOn?.key).toBe("support:errors.price_version_day_taken");
    expect({ prices: await priceRows(), audit: await auditCount() }).toEqual(before);

    const racing = await Promise.allSettled(
      [32, 33].map((euros) =>
        addPriceVersion(testDb().db, {
          input: {
            effectiveOn: dayFromToday(11),
            staffSeatMonthPrice: euros * 100,
            cardOperationPrice: 5,
            reason: "Race",
          },
          actor: { userId: support.id, label: support.email },
          now: new Date(),
        }),
      ),
    );
    expect(racing.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = racing.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(PriceVersionDayTaken);
    const day11 = (await priceRows()).filter(
      (r) => r.effective_from.toISOString().slice(0, 10) === dayFromToday(11),
    );
    expect(day11).toHaveLength(1);
  });
});

describe("withdrawing a version", () => {
  test("a scheduled version can be withdrawn with a reason; one in force or past never", async () => {
    const added = await post({
      effectiveOn: dayFromToday(30),
      staffSeatMonthPrice: "99.00",
      cardOperationPrice: "0.05",
      reason: "Typo coming",
    });
    expect(added.status).toBe(302);
    const scheduled = (await priceRows()).at(-1)!;
    const withdraw = (fields: Record<string, string>) =>
      callRoute<FormFailureBody>(action, {
        request: formRequest(
          "/support/pricing",
          { intent: "withdraw", ...fields },
          { cookie: support.cookie },
        ),
      });

    const noReason = await withdraw({ versionId: String(scheduled.id), reason: "" });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.reason?.key).toBe("validation.required");

    const done = await withdraw({ versionId: String(scheduled.id), reason: "€99 was a typo" });
    expect(done.status).toBe(302);
    expect((await priceRows()).map((r) => r.id)).not.toContain(scheduled.id);
    const [audit] = await auditRows("price_list.version_withdrawn");
    expect(audit).toMatchObject({
      actor_user_id: support.id,
      subject_id: String(scheduled.id),
      reason: "€99 was a typo",
      before: { staff_seat_month_cents: 9900 },
    });

    const inForce = (await priceRows()).filter((r) => r.effective_from <= new Date()).at(-1)!;
    const before = { prices: await priceRows(), audit: await auditCount() };
    for (const id of [inForce.id, scheduled.id]) {
      const refused = await withdraw({ versionId: String(id), reason: "Undo the past" });
      expect(refused.status).toBe(409);
      expect(refused.body.formError?.key).toBe("support:errors.price_version_not_scheduled");
    }
    expect({ prices: await priceRows(), audit: await auditCount() }).toEqual(before);
  });
});

describe("pricing at the moment", () => {
  test("a version starting tomorrow changes nothing today; a claim after it uses it", async () => {
    const { db } = testDb();
    const partner = await createPartner({ discountBps: 3000 });
    const bundle = await createBundle(partner.id, {
      staffSeats: 2,
      cardOperations: 1000,
      termMonths: 12,
    });
    const { codes } = await createBatchWithCodes(bundle, { count: 2 });
    const now = new Date();
    const tomorrow = new Date(`${dayFromToday(1)}T00:00:00Z`);
    const inForceNow = await getCurrentPrices(db, now);

    const added = await post({
      effectiveOn: dayFromToday(1),
      staffSeatMonthPrice: "40.00",
      cardOperationPrice: "0.10",
      reason: "Tomorrow's prices",
    });
    expect(added.status).toBe(302);

    // Today: the preview and a claim price as before.
    expect(await getCurrentPrices(db, now)).toEqual(inForceNow);
    const todayRetail =
      2 * 12 * inForceNow.staffSeatMonthCents + 1000 * inForceNow.cardOperationCents;
    const preview = await getBundle(db, { partnerId: partner.id, bundleId: bundle.id, now });
    expect(preview?.price.retailCents).toBe(todayRetail);
    const { business: today, owner: todayOwner } = await createBusinessWithOwner();
    const claimedToday = await claimCode(db, {
      businessId: today.id,
      code: at(codes, 0, "code").code,
      actor: { userId: todayOwner.id, label: todayOwner.email, email: todayOwner.email },
      ip: null,
      now,
    });
    expect(claimedToday.retailCents).toBe(todayRetail);

    // Tomorrow: €40 × 2 × 12 + €0.10 × 1,000 = €1,060.00, 30% off.
    const later = new Date(tomorrow.getTime() + 60 * 60 * 1000);
    expect(await getCurrentPrices(db, later)).toEqual({
      staffSeatMonthCents: 4000,
      cardOperationCents: 10,
    });
    const previewLater = await getBundle(db, {
      partnerId: partner.id,
      bundleId: bundle.id,
      now: later,
    });
    expect(previewLater?.price.retailCents).toBe(106_000);
    const { business: next, owner: nextOwner } = await createBusinessWithOwner();
    const claimedLater = await claimCode(db, {
      businessId: next.id,
      code: at(codes, 1, "code").code,
      actor: { userId: nextOwner.id, label: nextOwner.email, email: nextOwner.email },
      ip: null,
      now: later,
    });
    expect(claimedLater).toMatchObject({
      claimedAt: later,
      retailCents: 106_000,
      discountCents: 31_800,
      wholesaleCents: 74_200,
    });
    const snapshots = await db
      .selectFrom("activation_codes")
      .select(["id", "retail_cents", "wholesale_cents"])
      .where("id", "in", [at(codes, 0, "code").id, at(codes, 1, "code").id])
      .orderBy("id")
      .execute();
    expect(snapshots.map((s) => s.retail_cents)).toEqual([todayRetail, 106_000]);
  });
});

describe("who may", () => {
  test("partner and business users get 404 from the page and its form; nothing is written", async () => {
    const { owner: partnerOwner } = await createPartnerWithOwner();
    const { owner: businessOwner } = await createBusinessWithOwner();
    const before = { prices: await priceRows(), audit: await auditCount() };
    for (const user of [partnerOwner, businessOwner]) {
      const { cookie } = await signInAs(user);
      const page = await callRoute(loader, { request: getRequest("/support/pricing", { cookie }) });
      expect(page.status).toBe(404);
      const posted = await post(
        {
          effectiveOn: dayFromToday(20),
          staffSeatMonthPrice: "1",
          cardOperationPrice: "0.01",
          reason: "Not mine to set",
        },
        cookie,
      );
      expect(posted.status).toBe(404);
    }
    expect({ prices: await priceRows(), audit: await auditCount() }).toEqual(before);
  });
});
