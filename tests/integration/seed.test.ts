// The demo seed gives every role something to sign in to, and only seeds an empty database.
import { describe, expect, it } from "vitest";
import { signIn } from "~/auth/accounts.server";
import { homePathFor } from "~/domain/organisations.server";
import { getBusinessPlanOverview } from "~/domain/businesses.server";
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
    const overview = await getBusinessPlanOverview(db, { businessId });
    expect(overview.businessName).toBe("Corner Coffee");
    expect(overview.plan.id).toBe("free");
    expect(overview.cardOperationsIncludedPerMonth).toBe(100);
    expect(overview.staffSeatsIncluded).toBe(1);
    expect(overview.staffSeatsTaken).toBe(1);
    expect(overview.nextBillingAt).toBeNull();
  });
});
