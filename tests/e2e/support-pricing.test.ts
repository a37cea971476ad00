// Prices, plans and enterprise requests in the browser: the owner asks for Custom / Enterprise
// from the plan dialog, support sees it counted in the navigation, handles it with a note;
// support adds a price-list version for tomorrow (a bad price first) and is told what a plan
// edit needs. Plan terms are not changed here: other tests of this server read them.
import { contextOptions } from "./browser";
import {
  atPath,
  BASE_URL,
  demo,
  describe,
  expect,
  heading,
  signIn,
  test,
  visible,
} from "./fixtures";

const BILLING = /^\/business\/[0-9a-f-]{36}\/billing$/;
const DAY = 86_400_000;

describe("prices, plans and enterprise requests", () => {
  test("an owner's request reaches support, who handles it; a price version for tomorrow is scheduled", async ({
    page,
    browser,
  }) => {
    const stamp = Date.now().toString(36);
    const ownerContext = await browser.newContext({ ...contextOptions, baseURL: BASE_URL });
    try {
      const owner = await ownerContext.newPage();
      await signIn(owner, demo.owner);
      await atPath(owner, BILLING);
      await owner.getByRole("link", { name: "Edit tariff plan" }).click();
      const plans = owner.getByRole("dialog", { name: "Edit tariff plan" });
      await visible(plans);
      await plans.getByRole("link", { name: "Request Custom / Enterprise" }).click();
      const dialog = owner.getByRole("dialog", { name: "Request Custom / Enterprise" });
      await visible(dialog);
      await dialog.getByLabel("Number of locations").fill("0");
      await dialog.getByLabel("Expected card operations per month").fill("25,000");
      await dialog.getByLabel("Message (optional)").fill(`Nine cafés (${stamp})`);
      await dialog.getByRole("button", { name: "Send request" }).click();
      await visible(
        dialog.getByRole("alert").filter({ hasText: "Number of locations must be at least 1." }),
      );
      expect(await dialog.getByLabel("Message (optional)").inputValue()).toBe(
        `Nine cafés (${stamp})`,
      );
      await dialog.getByLabel("Number of locations").fill("9");
      await dialog.getByRole("button", { name: "Send request" }).click();
      await atPath(owner, BILLING);
      await visible(
        owner
          .getByRole("status")
          .filter({ hasText: "Request sent. 7stamp support will get in touch." }),
      );
    } finally {
      await ownerContext.close();
    }

    await signIn(page, demo.support);
    await atPath(page, "/support");
    await page.getByRole("link", { name: /^Requests \(\d+ open\)$/ }).click();
    await atPath(page, "/support/requests");
    await visible(heading(page, "Enterprise requests"));
    const item = page.getByRole("listitem").filter({ hasText: `Nine cafés (${stamp})` });
    await visible(item);
    await item.getByLabel("Note (what was agreed or done)").fill("Called; Custom plan next week.");
    await item.getByRole("button", { name: "Mark handled" }).click();
    await visible(page.getByRole("status").filter({ hasText: /was marked handled/ }));
    await page.getByRole("link", { name: "Handled", exact: true }).click();
    await visible(
      page
        .getByRole("listitem")
        .filter({ hasText: `Nine cafés (${stamp})` })
        .filter({ hasText: "Called; Custom plan next week." }),
    );

    await page.getByRole("link", { name: "Prices & plans" }).click();
    await atPath(page, "/support/pricing");
    await visible(heading(page, "Prices and plans"));
    const tomorrow = new Date(Math.floor(Date.now() / DAY) * DAY + DAY).toISOString().slice(0, 10);
    const form = page.getByRole("region", { name: "Add a price-list version" });
    await form.getByLabel("Effective from (UTC day)").fill(tomorrow);
    await form.getByLabel("Staff seat per month (€)").fill("29,5x");
    await form.getByLabel("Card operation (€)").fill("0.05");
    await form.getByLabel("Reason").fill(`E2E price review ${stamp}`);
    await form.getByRole("button", { name: "Add version" }).click();
    await visible(
      form.getByRole("alert").filter({ hasText: /Staff seat per month \(€\) must be an amount/ }),
    );
    await form.getByLabel("Staff seat per month (€)").fill("29.50");
    await form.getByRole("button", { name: "Add version" }).click();
    await visible(
      page
        .getByRole("status")
        .filter({ hasText: `The price-list version from ${tomorrow} was added.` }),
    );
    await visible(
      page.getByRole("row").filter({ hasText: "Scheduled" }).filter({ hasText: "€29.50" }),
    );

    // A plan edit without a reason: the field is named, nothing is saved.
    await page.getByText("Edit Monthly", { exact: true }).click();
    const planForm = page.locator("details").filter({ hasText: "Edit Monthly" });
    await planForm.getByRole("button", { name: "Save plan" }).click();
    await visible(planForm.getByRole("alert").filter({ hasText: "Reason is required." }));
  });
});
