// Another organisation's pages do not exist for you: 404, not 403 (no hint that they exist).
import { atPath, demo, describe, expect, heading, signIn, test, visible } from "./fixtures";

describe("access to other organisations", () => {
  test("a partner member gets the 404 page for another business's billing", async ({ page }) => {
    await signIn(page, demo.partner);
    await atPath(page, "/partner/brewline");

    const url = "/business/00000000-0000-0000-0000-000000000000/billing";
    const response = await page.goto(url);
    expect(response?.status()).toBe(404);
    await visible(heading(page, "Page not found"));
    await atPath(page, url);
  });
});
