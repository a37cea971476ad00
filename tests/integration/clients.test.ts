// The partner's clients: the list's numbers (the same per grant as the business's own
// entitlements), this month against all time, the flags, every sort with keyset paging, the
// search, the CSV, the client page's blocks and 90-day chart, rolled-back claims, and
// tenancy — a partner sees only what its own codes gave, on every page, export and detail.
import type { Selectable } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { clientDailyUsage, getClient, listClients } from "~/domain/clients/reads.server";
import {
  clientSorts,
  ClientNotFound,
  type ClientRow,
  type ClientSort,
  type SortDirection,
} from "~/domain/clients/model.server";
import { clientsCsv } from "~/domain/clients/csv.server";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import { reattributeSeats } from "~/domain/entitlements/seats.server";
import { InvalidCursor } from "~/domain/paging.server";
import { claimCode } from "~/domain/redemption.server";
import { recordCardOperations } from "~/domain/usage.server";
import { forgeCursor } from "../helpers/cursor";
import { loader as detailLoader } from "~/routes/_app.partner.$slug.clients.$businessId";
import { loader as listLoader } from "~/routes/_app.partner.$slug.clients._index";
import { loader as csvLoader } from "~/routes/_app.partner.$slug.clients[.]csv";
import type { ActivationCodes, Businesses, Partners } from "~db/schema.ts";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  addPartnerMember,
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartnerWithOwner,
  createUser,
  type TestUser,
} from "../factories.ts";
import { signInAs } from "../helpers/auth.ts";
import { callRoute, getRequest } from "../helpers/remix.ts";
import { at } from "../helpers/rows.ts";

const DAY = 86_400_000;
type Code = Selectable<ActivationCodes>;

let partnerA: Selectable<Partners>;
let partnerB: Selectable<Partners>;
let ownerA: string;
let memberA: string;
let ownerB: string;
let now: Date;
/** When Delta's earlier operations were recorded. */
let fortyDaysAgo: Date;

const codePools: Record<"cafe" | "small" | "pos", Code[]> = { cafe: [], small: [], pos: [] };
const clients: Record<
  "alpha" | "bravo" | "charlie" | "delta" | "echo" | "foxtrot" | "golf",
  Selectable<Businesses>
> = {} as never;
const grantOf = new Map<string, string>();

/** A business on a custom plan with nothing of its own, so every unit comes from codes. */
async function business(name: string) {
  return createBusinessWithOwner({
    name,
    planId: "custom",
    customCardOperationsPerMonth: 0,
    customStaffSeats: 0,
  });
}

async function claim(
  target: { business: Selectable<Businesses>; owner: TestUser },
  pool: keyof typeof codePools,
) {
  const code = codePools[pool].shift()!;
  const claimed = await claimCode(testDb().db, {
    businessId: target.business.id,
    code: code.code,
    actor: { userId: target.owner.id, label: target.owner.email, email: target.owner.email },
    ip: null,
    now: new Date(),
  });
  grantOf.set(`${target.business.id}:${pool}`, claimed.grantId);
  return claimed;
}

let keys = 0;
async function use(businessId: string, quantity: number, at = new Date()) {
  keys += 1;
  const [result] = await recordCardOperations(testDb().db, {
    operations: [
      { businessId, idempotencyKey: `c-${keys}`, kind: "stamp", quantity, occurredAt: null },
    ],
    now: at,
  });
  expect(result?.outcome).toBe("recorded");
}

async function rollBack(businessId: string, pool: keyof typeof codePools, endGrant: boolean) {
  const { db } = testDb();
  const grantId = grantOf.get(`${businessId}:${pool}`)!;
  const grant = await db
    .selectFrom("grants")
    .select(["activation_code_id", "partner_id"])
    .where("id", "=", grantId)
    .executeTakeFirstOrThrow();
  await db
    .insertInto("claim_rollbacks")
    .values({
      activation_code_id: grant.activation_code_id!,
      partner_id: grant.partner_id!,
      business_id: businessId,
      grant_id: grantId,
      reason: "Claimed by mistake",
    })
    .execute();
  if (endGrant) {
    await db.updateTable("grants").set({ ends_at: new Date() }).where("id", "=", grantId).execute();
  }
}

beforeAll(async () => {
  const a = await createPartnerWithOwner({ name: "Brewline Agency" });
  const b = await createPartnerWithOwner({ name: "Till Systems" });
  partnerA = a.partner;
  partnerB = b.partner;
  ownerA = (await signInAs(a.owner)).cookie;
  ownerB = (await signInAs(b.owner)).cookie;
  const member = await createUser();
  await addPartnerMember(partnerA.id, member.id, "member");
  memberA = (await signInAs(member)).cookie;

  const cafe = await createBundle(partnerA.id, {
    name: "Café Starter",
    staffSeats: 2,
    cardOperations: 100,
  });
  const small = await createBundle(partnerA.id, {
    name: "Small",
    staffSeats: 1,
    cardOperations: 10,
  });
  const pos = await createBundle(partnerB.id, {
    name: "POS Pro",
    staffSeats: 3,
    cardOperations: 1000,
  });
  codePools.cafe = (await createBatchWithCodes(cafe, { count: 8 })).codes;
  codePools.small = (await createBatchWithCodes(small, { count: 8 })).codes;
  codePools.pos = (await createBatchWithCodes(pos, { count: 4 })).codes;

  // Alpha: codes of both partners and a staff member. B's code first, so A's codes last
  // longer and hold the seats (the longest-lasting grant takes them).
  const alpha = await business("Alpha Bakery");
  const staff = await createUser();
  await addBusinessMember(alpha.business.id, staff.id, "staff");
  await claim(alpha, "pos");
  await claim(alpha, "cafe");
  await claim(alpha, "small");
  await testDb()
    .db.transaction()
    .execute((trx) => reattributeSeats(trx, { businessId: alpha.business.id, now: new Date() }));
  await use(alpha.business.id, 1000); // all of B's grant (it ends soonest)
  await use(alpha.business.id, 30); // then A's Café Starter

  // Bravo: 8 of 10 (nearly used up), ending in 10 days. Charlie: 7 of 10.
  const bravo = await business("Bravo Coffee");
  await claim(bravo, "small");
  await use(bravo.business.id, 8);
  await testDb()
    .db.updateTable("grants")
    .set({ ends_at: new Date(Date.now() + 10 * DAY) })
    .where("id", "=", grantOf.get(`${bravo.business.id}:small`)!)
    .execute();
  const charlie = await business("Charlie Deli");
  await claim(charlie, "small");
  await use(charlie.business.id, 7);

  // Delta: claimed 60 days ago; 7 used 40 days ago (another month), 5 today.
  const delta = await business("Delta BAKERY");
  await claim(delta, "cafe");
  await testDb()
    .db.updateTable("grants")
    .set({ starts_at: new Date(Date.now() - 60 * DAY) })
    .where("id", "=", grantOf.get(`${delta.business.id}:cafe`)!)
    .execute();
  fortyDaysAgo = new Date(Date.now() - 40 * DAY);
  await use(delta.business.id, 7, fortyDaysAgo);
  await use(delta.business.id, 5);

  // Echo: used 10, then the claim was rolled back (its grant ended). Foxtrot: rolled back,
  // but its grant's end was never written. Golf: only partner B's code.
  const echo = await business("Echo Salon");
  await claim(echo, "cafe");
  await use(echo.business.id, 10);
  await rollBack(echo.business.id, "cafe", true);
  const foxtrot = await business("Foxtrot Grill");
  await claim(foxtrot, "cafe");
  await rollBack(foxtrot.business.id, "cafe", false);
  const golf = await business("Golf Pizza");
  await claim(golf, "pos");

  Object.assign(clients, {
    alpha: alpha.business,
    bravo: bravo.business,
    charlie: charlie.business,
    delta: delta.business,
    echo: echo.business,
    foxtrot: foxtrot.business,
    golf: golf.business,
  });
  // After every claim and operation (a second of margin for the database's clock).
  now = new Date(Date.now() + 1000);
});

function rowOf(rows: ClientRow[], name: keyof typeof clients): ClientRow {
  const row = rows.find((r) => r.businessId === clients[name].id);
  if (!row) throw new Error(`${name} is not in the list`);
  return row;
}

async function allOf(
  partnerId: string,
  options: Parameters<typeof listClients>[1] = { partnerId, now },
) {
  return (await listClients(testDb().db, { ...options, partnerId, limit: 500, now })).rows;
}

describe("the list's numbers", () => {
  test("every business that claimed one of the partner's codes, and no other", async () => {
    const rows = await allOf(partnerA.id);
    expect(rows.map((r) => r.businessName)).toEqual([
      "Alpha Bakery",
      "Bravo Coffee",
      "Charlie Deli",
      "Delta BAKERY",
      "Echo Salon",
      "Foxtrot Grill",
    ]);
    const rowsB = await allOf(partnerB.id);
    expect(rowsB.map((r) => r.businessName)).toEqual(["Alpha Bakery", "Golf Pizza"]);
  });

  test("a client with codes of two partners: each partner's own grants, as getEntitlements counts them", async () => {
    const entitlements = (await getEntitlements(testDb().db, {
      businessId: clients.alpha.id,
      now,
    }))!;
    for (const [partner, expected] of [
      [partnerA, { codes: 2, seatsGranted: 3, granted: 110 }],
      [partnerB, { codes: 1, seatsGranted: 3, granted: 1000 }],
    ] as const) {
      const own = entitlements.grants.filter((g) => g.code?.partnerId === partner.id);
      expect(own).toHaveLength(expected.codes);
      const row = rowOf(await allOf(partner.id), "alpha");
      expect(row).toMatchObject({
        codesClaimed: expected.codes,
        activeCodes: expected.codes,
        seatsGranted: own.reduce((sum, g) => sum + g.staffSeats, 0),
        seatsOccupied: own.reduce((sum, g) => sum + g.staffSeatsTaken, 0),
        cardOperationsGranted: expected.granted,
        cardOperationsUsed: own.reduce((sum, g) => sum + g.cardOperationsUsed, 0),
        activeCardOperationsGranted: own.reduce((sum, g) => sum + g.cardOperations, 0),
      });
      expect(row.seatsGranted).toBe(expected.seatsGranted);

      // The client page: the same blocks the business's billing page shows, only this partner's.
      const detail = await getClient(testDb().db, {
        partnerId: partner.id,
        businessId: clients.alpha.id,
        now,
      });
      expect(detail.codes.map(({ rolledBackAt: _r, ...code }) => code)).toEqual(own);
      expect(detail.client.seatsOccupied).toBe(row.seatsOccupied);
    }
    // The owner and the staff member sit on A's codes (they last longer than B's).
    expect(rowOf(await allOf(partnerA.id), "alpha")).toMatchObject({
      seatsOccupied: 2,
      cardOperationsUsed: 30,
      usagePercent: 27,
    });
    expect(rowOf(await allOf(partnerB.id), "alpha")).toMatchObject({
      seatsOccupied: 0,
      cardOperationsUsed: 1000,
      usagePercent: 100,
      nearlyUsedUp: true,
    });
  });

  test("this month against all time, and the last activity", async () => {
    const delta = rowOf(await allOf(partnerA.id), "delta");
    expect(delta).toMatchObject({
      cardOperationsUsed: 12,
      cardOperationsUsedThisMonth: 5,
      activeCardOperationsUsed: 12,
      usagePercent: 12,
    });
    expect(delta.lastActivityAt!.getTime()).toBeGreaterThan(now.getTime() - 60_000);
    expect(rowOf(await allOf(partnerA.id), "foxtrot").lastActivityAt).toBeNull();
  });

  test("flags: nearly used up from 80% of the active operations, ends within 30 days", async () => {
    const rows = await allOf(partnerA.id);
    expect(rowOf(rows, "bravo")).toMatchObject({
      usagePercent: 80,
      nearlyUsedUp: true,
      endsWithin30Days: true,
    });
    expect(rowOf(rows, "charlie")).toMatchObject({
      usagePercent: 70,
      nearlyUsedUp: false,
      endsWithin30Days: false,
    });
    expect(rowOf(rows, "bravo").soonestEndsAt!.getTime()).toBeLessThan(now.getTime() + 11 * DAY);
    expect(
      (
        await allOf(partnerA.id, {
          partnerId: partnerA.id,
          filter: "nearly_used_up",
          now: new Date(),
        })
      ).map((r) => r.businessName),
    ).toEqual(["Bravo Coffee"]);
    expect(
      (
        await allOf(partnerA.id, { partnerId: partnerA.id, filter: "ends_soon", now: new Date() })
      ).map((r) => r.businessName),
    ).toEqual(["Bravo Coffee"]);
  });

  test("a rolled-back claim counts as claimed, but its grant is over", async () => {
    const rows = await allOf(partnerA.id);
    for (const name of ["echo", "foxtrot"] as const) {
      expect(rowOf(rows, name)).toMatchObject({
        codesClaimed: 1,
        activeCodes: 0,
        seatsGranted: 0,
        seatsOccupied: 0,
        activeCardOperationsGranted: 0,
        usagePercent: null,
        soonestEndsAt: null,
        nearlyUsedUp: false,
      });
    }
    // Only what was used before the roll-back stays granted.
    expect(rowOf(rows, "echo")).toMatchObject({
      cardOperationsGranted: 10,
      cardOperationsUsed: 10,
    });
    expect(rowOf(rows, "foxtrot")).toMatchObject({ cardOperationsGranted: 0 });
    const ended = await allOf(partnerA.id, {
      partnerId: partnerA.id,
      filter: "ended",
      now: new Date(),
    });
    expect(ended.map((r) => r.businessName)).toEqual(["Echo Salon", "Foxtrot Grill"]);
    const active = await allOf(partnerA.id, {
      partnerId: partnerA.id,
      filter: "active",
      now: new Date(),
    });
    expect(active).toHaveLength(4);

    // Its block shows ended, marked rolled back; where the grant did end, exactly as the
    // business's own billing page shows it.
    const echo = await getClient(testDb().db, {
      partnerId: partnerA.id,
      businessId: clients.echo.id,
      now,
    });
    const block = at(echo.codes, 0, "code block");
    expect(block).toMatchObject({ state: "ended", cardOperationsUsed: 10 });
    expect(block.rolledBackAt).toBeInstanceOf(Date);
    const billing = (await getEntitlements(testDb().db, { businessId: clients.echo.id, now }))!;
    expect({ ...block, rolledBackAt: undefined }).toEqual({
      ...billing.grants[0],
      rolledBackAt: undefined,
    });
    const foxtrot = await getClient(testDb().db, {
      partnerId: partnerA.id,
      businessId: clients.foxtrot.id,
      now,
    });
    expect(foxtrot.codes[0]).toMatchObject({ state: "ended", staffSeatsTaken: 0 });
    expect(foxtrot.codes[0]?.endsAt.getTime()).toBeLessThanOrEqual(now.getTime());
  });
});

describe("sorting, keyset paging and search", () => {
  const directions: SortDirection[] = ["asc", "desc"];

  /** The value a row sorts by, null when it has none. */
  function keyOf(row: ClientRow, sort: ClientSort): number | string | null {
    switch (sort) {
      case "name":
        return row.businessName.toLowerCase();
      case "codes":
        return row.codesClaimed;
      case "used":
        return row.cardOperationsUsed;
      case "usage":
        return row.activeCardOperationsGranted > 0
          ? Math.floor((row.activeCardOperationsUsed * 10000) / row.activeCardOperationsGranted)
          : null;
      case "activity":
        return row.lastActivityAt?.getTime() ?? null;
      case "ends":
        return row.soonestEndsAt?.getTime() ?? null;
    }
  }

  test.each(clientSorts.flatMap((sort) => directions.map((direction) => [sort, direction])))(
    "by %s %s: pages of two give every client once, in order, missing values last",
    async (sort, direction) => {
      const options = {
        partnerId: partnerA.id,
        now,
        sort: sort as ClientSort,
        direction: direction as SortDirection,
      };
      const whole = await allOf(partnerA.id, options);
      expect(whole).toHaveLength(6);
      const paged: ClientRow[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Awaited<ReturnType<typeof listClients>> = await listClients(testDb().db, {
          ...options,
          cursor,
          limit: 2,
          now,
        });
        paged.push(...page.rows);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(paged.map((r) => r.businessId)).toEqual(whole.map((r) => r.businessId));
      expect(new Set(paged.map((r) => r.businessId)).size).toBe(6);

      const keys = whole.map((row) => keyOf(row, sort as ClientSort));
      const present = keys.filter((key) => key !== null);
      expect(keys.slice(present.length).every((key) => key === null)).toBe(true);
      for (let i = 1; i < present.length; i += 1) {
        // Strings (names) and numbers compare alike here.
        const [before, after] = [present[i - 1] as number, present[i] as number];
        if (direction === "asc") expect(before <= after, `${before} ≤ ${after}`).toBe(true);
        else expect(before >= after, `${before} ≥ ${after}`).toBe(true);
      }
    },
  );

  test("by name with a filter or a search, paged one by one", async () => {
    for (const options of [
      { filter: "active" as const, direction: "desc" as const },
      { search: "o", direction: "asc" as const },
    ]) {
      const whole = await allOf(partnerA.id, {
        partnerId: partnerA.id,
        ...options,
        now: new Date(),
      });
      expect(whole.length).toBeGreaterThan(2);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof listClients>> = await listClients(testDb().db, {
          partnerId: partnerA.id,
          ...options,
          cursor,
          limit: 1,
          now,
        });
        seen.push(...page.rows.map((r) => r.businessId));
        cursor = page.nextCursor;
      } while (cursor && seen.length < 10);
      expect(seen).toEqual(whole.map((r) => r.businessId));
    }
  });

  test("the default direction: names A→Z, operations used most first", async () => {
    const byName = await allOf(partnerA.id, {
      partnerId: partnerA.id,
      sort: "name",
      now: new Date(),
    });
    expect(byName[0]?.businessName).toBe("Alpha Bakery");
    const byUse = await allOf(partnerA.id, {
      partnerId: partnerA.id,
      sort: "used",
      now: new Date(),
    });
    expect(byUse.map((r) => r.cardOperationsUsed)).toEqual([30, 12, 10, 8, 7, 0]);
  });

  test("a forged cursor, or one of another sort, is a 400 error naming the cursor", async () => {
    const { db } = testDb();
    const first = await listClients(db, { partnerId: partnerA.id, limit: 2, now });
    const forged = [
      "%%%",
      "x".repeat(600),
      forgeCursor(["name", "asc", 0, "alpha"]),
      forgeCursor(["name", "asc", 2, "alpha", clients.alpha.id]),
      forgeCursor(["name", "asc", 0, 5, clients.alpha.id]),
      forgeCursor(["name", "asc", 0, "a\u0000", clients.alpha.id]),
      forgeCursor(["name", "asc", 0, "alpha", "not-a-uuid"]),
      forgeCursor(["used", "desc", 0, "alpha", clients.alpha.id]),
      // The paginator's own shape, with values that do not fit the name sort.
      forgeCursor(["clients:name:asc", 2, null, clients.alpha.id]),
      forgeCursor(["clients:name:asc", 0, 5, clients.alpha.id]),
      forgeCursor(["clients:name:asc", 0, null, "not-a-uuid"]),
      forgeCursor(["clients:used:desc", 0, null, clients.alpha.id]),
      forgeCursor(["bundles", "2026-01-01T00:00:00.000000Z", clients.alpha.id]),
    ];
    for (const cursor of [...forged, first.nextCursor!]) {
      const options =
        cursor === first.nextCursor
          ? { sort: "used" as const } // a good cursor, but of another sort
          : {};
      await expect(
        listClients(db, { partnerId: partnerA.id, cursor, ...options, now }),
        cursor,
      ).rejects.toBeInstanceOf(InvalidCursor);
    }
  });

  test("names of 120 characters in any script page by name; a name cursor of another partner's client gives nothing", async () => {
    const { partner } = await createPartnerWithOwner();
    const bundle = await createBundle(partner.id, { cardOperations: 10 });
    const { codes } = await createBatchWithCodes(bundle, { count: 3 });
    const names = ["甲", "乙", "丙"].map((last) => `${"長".repeat(119)}${last}`);
    for (const [index, name] of names.entries()) {
      const target = await business(name);
      await claimCode(testDb().db, {
        businessId: target.business.id,
        code: at(codes, index, "code").code,
        actor: { userId: target.owner.id, label: "t", email: target.owner.email },
        ip: null,
        now: new Date(),
      });
    }
    const { db } = testDb();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listClients>> = await listClients(db, {
        partnerId: partner.id,
        cursor,
        limit: 1,
        now,
      });
      seen.push(...page.rows.map((r) => r.businessName));
      cursor = page.nextCursor;
      if (cursor) expect(cursor.length).toBeLessThanOrEqual(500);
    } while (cursor && seen.length < 10);
    expect([...seen].sort()).toEqual([...names].sort());
    expect(new Set(seen).size).toBe(3);

    const foreign = forgeCursor(["clients:name:asc", 0, null, clients.golf.id]);
    const page = await listClients(db, { partnerId: partnerA.id, cursor: foreign, now });
    expect(page.rows).toEqual([]);
  });

  test("search: part of the name, any case, % and _ taken literally", async () => {
    const names = async (search: string) =>
      (await allOf(partnerA.id, { partnerId: partnerA.id, search, now: new Date() })).map(
        (r) => r.businessName,
      );
    expect(await names("bakery")).toEqual(["Alpha Bakery", "Delta BAKERY"]);
    expect(await names("  COFFEE ")).toEqual(["Bravo Coffee"]);
    expect(await names("%")).toEqual([]);
    expect(await names("_")).toEqual([]);
    // Partner B's only client is not found by A's search.
    expect(await names("golf")).toEqual([]);
    expect(
      (
        await allOf(partnerA.id, {
          partnerId: partnerA.id,
          search: "a",
          filter: "ended",
          now: new Date(),
        })
      ).map((r) => r.businessName),
    ).toEqual(["Echo Salon"]);
  });
});

describe("the client page's chart", () => {
  test("90 UTC days ending today, days without use at 0, only the partner's grants", async () => {
    const { db } = testDb();
    const series = await clientDailyUsage(db, {
      partnerId: partnerA.id,
      businessId: clients.delta.id,
      now,
    });
    expect(series).toHaveLength(90);
    const today = now.toISOString().slice(0, 10);
    const fortyAgo = fortyDaysAgo.toISOString().slice(0, 10);
    expect(series[89]).toEqual({ date: today, cardOperations: 5 });
    expect(series[0]?.date).toBe(new Date(now.getTime() - 89 * DAY).toISOString().slice(0, 10));
    expect(series.find((d) => d.date === fortyAgo)?.cardOperations).toBe(7);
    expect(series.filter((d) => d.cardOperations === 0)).toHaveLength(88);
    // Alpha used 1,030 today: 30 of them from A's code, 1,000 from B's.
    const alphaA = await clientDailyUsage(db, {
      partnerId: partnerA.id,
      businessId: clients.alpha.id,
      now,
    });
    const alphaB = await clientDailyUsage(db, {
      partnerId: partnerB.id,
      businessId: clients.alpha.id,
      now,
    });
    expect(alphaA[89]?.cardOperations).toBe(30);
    expect(alphaB[89]?.cardOperations).toBe(1000);
    // Another partner's client: nothing at all.
    const golf = await clientDailyUsage(db, {
      partnerId: partnerA.id,
      businessId: clients.golf.id,
      now,
    });
    expect(golf.every((d) => d.cardOperations === 0)).toBe(true);
  });
});

describe("tenancy in the domain", () => {
  test("another partner's client, an unknown or a malformed id: ClientNotFound", async () => {
    for (const businessId of [
      clients.golf.id,
      "00000000-0000-4000-8000-000000000000",
      "not-a-uuid",
      "",
      "\u0000",
    ]) {
      await expect(
        getClient(testDb().db, { partnerId: partnerA.id, businessId, now }),
      ).rejects.toBeInstanceOf(ClientNotFound);
    }
  });
});

// ---- Through the app ----------------------------------------------------------------------

interface ListBody {
  rows: ClientRow[];
  nextCursor: string | null;
  hasClients: boolean;
  errors: Record<string, { key: string }>;
  values: Record<string, string>;
  sort: string;
  direction: string;
}

function list(slug: string, query: string, cookie: string) {
  return callRoute<ListBody>(listLoader, {
    request: getRequest(`/partner/${slug}/clients${query}`, { cookie }),
    params: { slug },
  });
}

function detail(slug: string, businessId: string, cookie: string) {
  return callRoute<Awaited<ReturnType<typeof getClient>>>(detailLoader, {
    request: getRequest(`/partner/${slug}/clients/${businessId}`, { cookie }),
    params: { slug, businessId },
  });
}

async function csv(slug: string, query: string, cookie: string) {
  return callRoute<string>(csvLoader, {
    request: getRequest(`/partner/${slug}/clients.csv${query}`, { cookie }),
    params: { slug },
  });
}

describe("the clients page", () => {
  test("owner and member see the list; sort, filter and search come from the query", async () => {
    for (const cookie of [ownerA, memberA]) {
      const result = await list(partnerA.slug, "", cookie);
      expect(result.status).toBe(200);
      expect(result.body.rows).toHaveLength(6);
      expect(result.body).toMatchObject({ hasClients: true, sort: "name", direction: "asc" });
    }
    const sorted = await list(partnerA.slug, "?sort=usage&filter=active&search=", ownerA);
    expect(sorted.status).toBe(200);
    expect(sorted.body.rows.map((r) => r.businessName)).toEqual([
      "Bravo Coffee",
      "Charlie Deli",
      "Alpha Bakery",
      "Delta BAKERY",
    ]);
    expect(sorted.body).toMatchObject({ sort: "usage", direction: "desc" });
    const none = await list(partnerA.slug, "?search=nobody", ownerA);
    expect(none.body).toMatchObject({ rows: [], hasClients: true });
  });

  test("bad query values are field errors (400), never a 500", async () => {
    for (const [query, field] of [
      ["?sort=bogus", "sort"],
      ["?direction=up", "direction"],
      ["?filter=everything", "filter"],
      ["?search=a%00b", "search"],
      [`?search=${"x".repeat(101)}`, "search"],
      [`?cursor=${"x".repeat(501)}`, "cursor"],
    ] as const) {
      const result = await list(partnerA.slug, query, ownerA);
      expect(result.status, query).toBe(400);
      expect(Object.keys(result.body.errors), query).toEqual([field]);
    }
  });

  test("a forged cursor shows the first page and says the link was out of date", async () => {
    const first = await list(partnerA.slug, "", ownerA);
    for (const cursor of ["%%%", forgeCursor(["name", "asc", 0, 1, "x"])]) {
      const result = await list(partnerA.slug, `?cursor=${encodeURIComponent(cursor)}`, ownerA);
      expect(result.status).toBe(200);
      expect(result.body.errors).toEqual({ cursor: { key: "common:paging.staleCursor" } });
      expect(result.body.rows).toEqual(first.body.rows);
    }
  });

  test("a partner without clients gets the first empty state; B's slug is 404 for A", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const cookie = (await signInAs(owner)).cookie;
    expect((await list(partner.slug, "", cookie)).body).toMatchObject({
      rows: [],
      hasClients: false,
    });
    expect((await list(partner.slug, "?filter=active", cookie)).body).toMatchObject({
      hasClients: false,
    });
    expect(await list(partnerB.slug, "", ownerA)).toMatchObject({ thrown: true, status: 404 });
  });
});

describe("the client page", () => {
  test("the partner's blocks, the figures and the chart", async () => {
    const result = await detail(partnerA.slug, clients.alpha.id, memberA);
    expect(result.status).toBe(200);
    const { client, codes, dailyUsage } = result.body;
    expect(client).toMatchObject({ businessName: "Alpha Bakery", codesClaimed: 2 });
    expect(codes.map((c) => c.code?.bundleName).sort()).toEqual(["Café Starter", "Small"]);
    expect(codes.every((c) => c.code?.partnerId === partnerA.id)).toBe(true);
    expect(dailyUsage).toHaveLength(90);
    // Partner B sees its own code of the same business, and nothing of A's.
    const forB = await detail(partnerB.slug, clients.alpha.id, ownerB);
    expect(forB.body.codes.map((c) => c.code?.bundleName)).toEqual(["POS Pro"]);
    expect(forB.body.client).toMatchObject({ codesClaimed: 1, cardOperationsUsed: 1000 });
  });

  test("another partner's client, an unknown or malformed id, another partner's slug: 404", async () => {
    for (const [slug, businessId, cookie] of [
      [partnerA.slug, clients.golf.id, ownerA],
      [partnerA.slug, "00000000-0000-4000-8000-000000000000", ownerA],
      [partnerA.slug, "not-a-uuid", ownerA],
      [partnerA.slug, "%00", ownerA],
      [partnerB.slug, clients.golf.id, ownerA],
      [partnerB.slug, clients.bravo.id, ownerB],
    ] as const) {
      expect(await detail(slug, businessId, cookie), `${slug} ${businessId}`).toMatchObject({
        thrown: true,
        status: 404,
      });
    }
  });
});

describe("the CSV", () => {
  test("the current filter and sort, streamed with a header, never another partner's client", async () => {
    const result = await csv(partnerA.slug, "?filter=active&sort=used", ownerA);
    expect(result.status).toBe(200);
    expect(result.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(result.headers.get("Content-Disposition")).toMatch(
      new RegExp(`attachment; filename="clients-${partnerA.slug}-\\d{4}-\\d{2}-\\d{2}\\.csv"`),
    );
    const lines = result.body
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toBe(
      "business_id,business_name,codes_claimed,active_codes,staff_seats_granted,staff_seats_occupied,card_operations_granted,card_operations_used,card_operations_used_this_month,active_card_operations_granted,active_card_operations_used,usage_percent,last_activity_at,soonest_ends_at,nearly_used_up,ends_within_30_days",
    );
    expect(lines.slice(1).map((line) => line.split(",")[1])).toEqual([
      "Alpha Bakery",
      "Delta BAKERY",
      "Bravo Coffee",
      "Charlie Deli",
    ]);
    const bravo = lines.find((line) => line.startsWith(clients.bravo.id))!.split(",");
    expect(bravo.slice(2, 12)).toEqual(["1", "1", "1", "1", "10", "8", "8", "10", "8", "80"]);
    expect(bravo.slice(14)).toEqual(["true", "true"]);
    expect(result.body).not.toContain("Golf Pizza");
    const forB = await csv(partnerB.slug, "", ownerB);
    expect(forB.body).toContain("Golf Pizza");
    expect(forB.body).not.toContain("Bravo Coffee");
  });

  test("names are written as text, never as formulas; the domain streams in chunks", async () => {
    const { partner } = await createPartnerWithOwner();
    const bundle = await createBundle(partner.id, { cardOperations: 10 });
    const { codes } = await createBatchWithCodes(bundle, { count: 5 });
    for (const [index, name] of [
      "=HYPERLINK(1)",
      'Quote "q", Ltd',
      "Plain",
      "+1",
      "Zed",
    ].entries()) {
      const target = await business(name);
      const claimed = await claimCode(testDb().db, {
        businessId: target.business.id,
        code: at(codes, index, "code").code,
        actor: { userId: target.owner.id, label: "t", email: target.owner.email },
        ip: null,
        now: new Date(),
      });
      expect(claimed.businessId).toBe(target.business.id);
    }
    const stream = clientsCsv(testDb().db, {
      partnerId: partner.id,
      chunkSize: 2,
      now: new Date(),
    });
    const text = await new Response(stream).text();
    const lines = text.trimEnd().split("\r\n");
    expect(lines).toHaveLength(6);
    expect(text).toContain(",'=HYPERLINK(1),");
    expect(text).toContain(',"Quote ""q"", Ltd",');
    expect(text).toContain(",'+1,");
  });

  test("bad options: 400 in plain text; another partner's slug: 404", async () => {
    const bad = await csv(partnerA.slug, "?sort=bogus", ownerA);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/sort/);
    expect(await csv(partnerB.slug, "", ownerA)).toMatchObject({ thrown: true, status: 404 });
  });
});
