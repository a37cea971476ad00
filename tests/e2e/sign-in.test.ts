// Each demo role signs in, lands on its home page, and signs out again.
import type { Page } from "playwright-core";
import { atPath, demo, describe, heading, signIn, test, visible } from "./fixtures";

describe("signing in and out", () => {
  test("support lands on the support desk", async ({ page }) => {
    await signIn(page, demo.support);
    await atPath(page, "/support");
    await visible(heading(page, "Support desk"));
    await signOut(page);
  });

  test("a partner owner lands on their partner dashboard", async ({ page }) => {
    await signIn(page, demo.partner);
    await atPath(page, "/partner/brewline");
    await visible(heading(page, "Brewline Agency"));
    await signOut(page);
  });

  test("a business owner lands on the business's billing page", async ({ page }) => {
    await signIn(page, demo.owner);
    await atPath(page, /^\/business\/[0-9a-f-]{36}\/billing$/);
    await visible(heading(page, "Billing & invoices"));
    await visible(page.getByRole("region", { name: "Your Tariff Plan" }));
    await visible(page.getByRole("region", { name: "Available Services" }));
    await signOut(page);
  });
});

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await atPath(page, "/login");
  await visible(page.getByRole("status").filter({ hasText: "You are signed out." }));
  await visible(heading(page, "Sign in"));
}
