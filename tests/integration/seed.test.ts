// The demo seed gives every role something to sign in to, and only seeds an empty database.
import { describe, expect, it } from "vitest";
import { signIn } from "~/auth/accounts.server";
import { homePathFor } from "~/domain/organisations.server";
import { getEntitlements } from "~/domain/entitlements.server";
import { DEMO_PASSWORD, seedDemoIfEmpty } from "~db/seed.ts";
import { testDb } from "../db.ts";

describe("demo seed", () => {
  it("creates the three demo logins once, each landing on its role's home", async () => {
    const { db } = testDb();
    expect(await seedDemoIfEmpty(db)).toBe(true);
    expect(await seedDemoIfEmpty(db)).toBe(false);

    const homes: Record<string, string> = {};
    for (const email of [
      "support@demo.7stamp.test",
      "partner@demo.7stamp.test",
      "owner@demo.7stamp.test",
    ]) {
      const result = await signIn(db, {
        email,
        password: DEMO_PASSWORD,
        ip: "198.51.100.1",
        userAgent: null,
      });
      expect(result.ok).toBe(true);
      if (result.ok) homes[email] = await homePathFor(db, result.user);
    }
    expect(homes["support@demo.7stamp.test"]).toBe("/support");
    expect(homes["partner@demo.7stamp.test"]).toBe("/partner/brewline");
    expect(homes["owner@demo.7stamp.test"]).toMatch(/^\/business\/[0-9a-f-]{36}\/billing$/);

    const businessId = homes["owner@demo.7stamp.test"].split("/")[2];
    const entitlements = await getEntitlements(db, { businessId });
    expect(entitlements!.plan).toMatchObject({
      businessName: "Corner Coffee",
      id: "free",
      cardOperationsPerPeriod: 100,
      staffSeats: 1,
      nextBillingAt: null,
    });
    expect(entitlements!.staffSeats).toMatchObject({ included: 1, fromGrants: 2, taken: 1 });
    // A claimed "Café Starter" partly used, and most of this month's free allowance.
    expect(entitlements!.grants).toHaveLength(1);
    expect(entitlements!.grants[0]).toMatchObject({
      state: "active",
      staffSeats: 2,
      cardOperations: 1000,
      code: { bundleName: "Café Starter", partnerName: "Brewline Agency" },
    });
    expect(entitlements!.grants[0].cardOperationsUsed).toBeGreaterThan(0);
    expect(entitlements!.grants[0].cardOperationsUsed).toBeLessThan(1000);
    expect(entitlements!.planAllowance).toEqual({
      grantId: expect.any(String),
      used: 83,
      included: 100,
    });

    // A second business claimed a "POS Pro" code.
    const deli = await db
      .selectFrom("businesses")
      .select("id")
      .where("name", "=", "Harbour Deli")
      .executeTakeFirstOrThrow();
    const deliEntitlements = await getEntitlements(db, { businessId: deli.id });
    expect(deliEntitlements!.grants.map((g) => g.code?.bundleName)).toEqual(["POS Pro"]);
  });
});
