// The test database itself: migrated seed data, the JS types both backends return, and
// that this file's data stays in this file (isolation.test.ts inserts the same email).
import { sql } from "kysely";
import { describe, expect, test } from "vitest";
import { db } from "~/db.server";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  addPartnerMember,
  createBusiness,
  createPartner,
  createUser,
  DEFAULT_PASSWORD,
} from "../factories.ts";
import { verifyPassword } from "~/auth/password.server";

const SHARED_EMAIL = "same-in-every-file@example.test";

describe("seeded plans and price list (DESIGN.md §3, §4)", () => {
  test("the four plans with the billing page's numbers", async () => {
    const plans = await testDb()
      .db.selectFrom("plans")
      .select([
        "id",
        "price_cents",
        "billing_interval",
        "card_operations_per_month",
        "staff_seats",
        "per_location",
      ])
      .orderBy("sort_order")
      .execute();
    expect(plans).toEqual([
      {
        id: "free",
        price_cents: 0,
        billing_interval: "none",
        card_operations_per_month: 100,
        staff_seats: 1,
        per_location: false,
      },
      {
        id: "monthly",
        price_cents: 2900,
        billing_interval: "month",
        card_operations_per_month: 2000,
        staff_seats: 1,
        per_location: true,
      },
      {
        id: "yearly",
        price_cents: 29000,
        billing_interval: "year",
        card_operations_per_month: 2000,
        staff_seats: 1,
        per_location: true,
      },
      {
        id: "custom",
        price_cents: 0,
        billing_interval: "custom",
        card_operations_per_month: null,
        staff_seats: null,
        per_location: false,
      },
    ]);
  });

  test("the price list: €29.00 per seat-month, €0.05 per card operation", async () => {
    const prices = await testDb()
      .db.selectFrom("price_list")
      .select(["staff_seat_month_cents", "card_operation_cents", "effective_from"])
      .execute();
    expect(prices).toHaveLength(1);
    expect(prices[0]?.staff_seat_month_cents).toBe(2900);
    expect(prices[0]?.card_operation_cents).toBe(5);
    expect(prices[0]?.effective_from).toEqual(new Date("2026-01-01T00:00:00Z"));
  });
});

describe("types both backends return", () => {
  test("int8 as number, date as YYYY-MM-DD, timestamptz as Date, numeric as string", async () => {
    const { rows } = await sql<{
      big: unknown;
      counted: unknown;
      day: unknown;
      at: unknown;
      amount: unknown;
    }>`
      select 9007199254740991::int8 as big,
             (select count(*) from plans) as counted,
             '2026-02-28'::date as day,
             '2026-02-28T23:30:00Z'::timestamptz as at,
             12.50::numeric as amount
    `.execute(testDb().db);
    expect(rows[0]).toEqual({
      big: 9007199254740991,
      counted: 4,
      day: "2026-02-28",
      at: new Date("2026-02-28T23:30:00Z"),
      amount: "12.50",
    });
  });

  test("a date column keeps its calendar day whatever the time zone", async () => {
    const { rows } = await sql<{ day: unknown }>`
      select (timestamptz '2026-03-01T00:30:00+01:00' at time zone 'UTC')::date as day
    `.execute(testDb().db);
    expect(rows[0]?.day).toBe("2026-02-28");
  });

  test("bigint identity columns (audit_log.id) come back as numbers", async () => {
    const row = await testDb()
      .db.insertInto("audit_log")
      .values({ action: "test.types", actor_label: "test" })
      .returning("id")
      .executeTakeFirstOrThrow();
    expect(typeof row.id).toBe("number");
  });
});

describe("the app's db handle", () => {
  test("~/db.server talks to this file's database", async () => {
    const user = await createUser();
    const seen = await db
      .selectFrom("users")
      .select("email")
      .where("id", "=", user.id)
      .executeTakeFirst();
    expect(seen?.email).toBe(user.email);
    expect(["pglite", "postgres"]).toContain(testDb().backend);
  });
});

describe("factories", () => {
  test("users get unique emails and a verifiable argon2id password", async () => {
    const a = await createUser();
    const b = await createUser({ isSupport: true, name: "Sam Support" });
    expect(a.email).not.toBe(b.email);
    expect(b.is_support).toBe(true);
    expect(a.password).toBe(DEFAULT_PASSWORD);
    expect(a.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(a.password_hash!, DEFAULT_PASSWORD)).toBe(true);
  });

  test("partners and businesses with members", async () => {
    const owner = await createUser();
    const partner = await createPartner();
    const other = await createPartner();
    expect(partner.slug).not.toBe(other.slug);
    expect(partner.discount_bps).toBe(3000);
    await addPartnerMember(partner.id, owner.id, "owner");

    const business = await createBusiness({ planId: "monthly", name: "Corner Coffee" });
    await addBusinessMember(business.id, owner.id, "owner");

    const memberships = await testDb()
      .db.selectFrom("users")
      .innerJoin("partner_members", "partner_members.user_id", "users.id")
      .innerJoin("business_members", "business_members.user_id", "users.id")
      .innerJoin("businesses", "businesses.id", "business_members.business_id")
      .select([
        "partner_members.role as partnerRole",
        "business_members.role as businessRole",
        "businesses.plan_id",
      ])
      .where("users.id", "=", owner.id)
      .execute();
    expect(memberships).toEqual([
      { partnerRole: "owner", businessRole: "owner", plan_id: "monthly" },
    ]);
  });
});

describe("isolation between test files", () => {
  test("an email isolation.test.ts also inserts does not conflict", async () => {
    await createUser({ email: SHARED_EMAIL });
    const count = await testDb()
      .db.selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("email", "=", SHARED_EMAIL)
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(1);
  });
});

describe("migrations", () => {
  test("every file in db/migrations is listed in db/migrate.ts and applied", async () => {
    const { readdirSync } = await import("node:fs");
    const files = readdirSync("db/migrations")
      .filter((file) => file.endsWith(".ts"))
      .map((file) => file.replace(/\.ts$/, ""))
      .sort();
    const { rows } = await sql<{
      name: string;
    }>`select name from kysely_migration order by name`.execute(testDb().db);
    expect(rows.map((row) => row.name)).toEqual(files);
  });
});
