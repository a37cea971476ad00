// A new business signs up and starts on the free plan.
import { atPath, describe, heading, test, visible } from "./fixtures";

describe("signing up", () => {
  test("a new business lands on its billing page on the free plan", async ({ page }) => {
    const unique = Date.now().toString(36);
    await page.goto("/signup");
    await page.getByLabel("Business name").fill(`Bakery ${unique}`);
    await page.getByLabel("Your name").fill("Bea Baker");
    await page.getByLabel("Email").fill(`bea-${unique}@example.test`);
    await page.getByLabel("Password").fill("a-long-enough-password");
    await page.getByRole("button", { name: "Create account" }).click();

    await atPath(page, /^\/business\/[0-9a-f-]{36}\/billing$/);
    await visible(heading(page, "Billing & invoices"));
    await visible(page.getByRole("status").filter({ hasText: `Bakery ${unique}` }));
    const plan = page.getByRole("region", { name: "Your Tariff Plan" });
    await visible(plan.getByText("Card scanner (free)", { exact: true }));
  });
});
