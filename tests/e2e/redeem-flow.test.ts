// Redeeming codes in a real browser: the partner makes three codes; a newcomer follows a
// /redeem link, lands on sign-up, signs up on the way and lands back on the code; the demo owner follows
// another, confirms, and sees the "Code #N — Claimed" block with its two bars; then the
// billing page's field refuses a mistyped code and an already-claimed one, each with its
// own message; and the newcomer changes plan in the EDIT TARIFF PLAN dialog.
import type { Locator } from "playwright-core";
import { at } from "../helpers/rows.ts";
import { contextOptions } from "./browser";
import { generateCodes, mistype } from "./partner-codes";
import {
  atPath,
  BASE_URL,
  demo,
  describe,
  expect,
  heading,
  openPage,
  signIn,
  test,
  visible,
} from "./fixtures";

const BILLING = /^\/business\/[0-9a-f-]{36}\/billing$/;

async function expectText(locator: Locator, expected: string | RegExp) {
  await expect.poll(async () => (await locator.textContent())?.trim()).toMatch(expected);
}

describe("redeeming activation codes", () => {
  test("a link, a sign-up on the way, a confirmation, the claimed block and refusals", async ({
    page,
    browser,
  }) => {
    const stamp = Date.now().toString(36);
    const codes = await generateCodes(page, 3, `E2E redeem ${stamp}`);
    const forOwner = at(codes, 0, "generated code");
    const forNewcomer = at(codes, 1, "generated code");
    const spare = at(codes, 2, "generated code");
    for (const code of [forOwner, forNewcomer, spare])
      expect(code.display).toMatch(/^RDM-(?:[0-9A-Z]{4}-){3}[0-9A-Z]{4}$/);

    // --- A newcomer follows a link: sign in or sign up first, then back to the code ---------
    const newcomer = await openPage(browser);
    try {
      const visitor = newcomer.page;
      // Most recipients have no account: the link lands on sign-up, sign-in one click away.
      await visitor.goto(`/redeem/${forNewcomer.display}`);
      await atPath(visitor, "/signup");
      await visible(visitor.getByText("Create your business account to redeem", { exact: false }));
      await visitor.getByRole("link", { name: "I already have an account" }).click();
      await atPath(visitor, "/login");
      await visible(visitor.getByText("Sign in to redeem your activation code", { exact: false }));
      await visitor.getByRole("link", { name: "New business? Create a business account" }).click();
      await atPath(visitor, "/signup");
      await visitor.getByLabel("Business name").fill(`Deli ${stamp}`);
      await visitor.getByLabel("Your name").fill("Dana Deli");
      await visitor.getByLabel("Email").fill(`dana-${stamp}@example.test`);
      await visitor.getByLabel("Password").fill("a-long-enough-password");
      await visitor.getByRole("button", { name: "Create account" }).click();

      await atPath(visitor, `/redeem/${forNewcomer.display}`);
      await visible(heading(visitor, "Redeem an activation code"));
      await visible(visitor.getByLabel("Activation code").filter({ hasText: forNewcomer.display }));
      await visible(visitor.getByText(`For Deli ${stamp}.`));
      await visitor.getByRole("button", { name: "Confirm and activate" }).click();
      await atPath(visitor, BILLING);
      await visible(
        visitor
          .getByRole("status")
          .filter({ hasText: new RegExp(`^Code #${forNewcomer.serial} claimed: `) }),
      );
      await visible(visitor.getByRole("region", { name: `Code #${forNewcomer.serial} — Claimed` }));

      // The plan dialog: a refused number of locations, then Monthly for two.
      await visitor.getByRole("link", { name: "Edit tariff plan" }).click();
      const dialog = visitor.getByRole("dialog", { name: "Edit tariff plan" });
      await visible(dialog);
      await dialog.getByRole("radio", { name: "Monthly" }).check();
      await dialog.getByLabel("Number of locations").fill("0");
      await dialog.getByRole("button", { name: "Preview change" }).click();
      await visible(
        dialog
          .getByRole("alert")
          .filter({ hasText: "Number of locations must be between 1 and 1,000." }),
      );
      expect(await dialog.getByLabel("Number of locations").getAttribute("aria-invalid")).toBe(
        "true",
      );
      await dialog.getByLabel("Number of locations").fill("2");
      await dialog.getByRole("button", { name: "Preview change" }).click();
      // What it costs, before anything is charged.
      await visible(
        dialog.getByTestId("change-preview-summary").filter({
          hasText: /^You will be charged €58\.00 today, then €58\.00 every month from /,
        }),
      );
      await dialog.getByRole("button", { name: "Confirm change" }).click();
      await visible(
        visitor
          .getByRole("status")
          .filter({ hasText: "Your plan is now Monthly. €58.00 was charged today." }),
      );
      await expect.poll(() => visitor.getByRole("dialog").count()).toBe(0);
      const plan = visitor.getByRole("region", { name: "Your Tariff Plan" });
      await visible(plan.getByText("Monthly", { exact: true }));
      await visible(plan.getByText("€58.00 per month · 2 locations"));
      await newcomer.close();
    } catch (error) {
      await newcomer.page.screenshot({ path: "test-results/redeem-flow-newcomer.png" });
      throw error;
    }

    // --- The demo owner follows a link, sees what it gives, confirms ------------------------
    const owner = await openPage(browser);
    try {
      const ownerPage = owner.page;
      await signIn(ownerPage, demo.owner);
      await atPath(ownerPage, BILLING);
      await ownerPage.goto(`/redeem/${forOwner.display.toLowerCase()}`);
      await visible(heading(ownerPage, "Redeem an activation code"));
      await visible(ownerPage.getByLabel("Activation code").filter({ hasText: forOwner.display }));
      const preview = ownerPage.getByRole("region", { name: "What this code gives" });
      await visible(preview.getByText("Brewline Agency", { exact: true }));
      await visible(preview.getByText("Café Starter", { exact: true }));
      await visible(ownerPage.getByText("For Corner Coffee."));
      await ownerPage.getByRole("button", { name: "Confirm and activate" }).click();

      await atPath(ownerPage, BILLING);
      await visible(
        ownerPage
          .getByRole("status")
          .filter({ hasText: new RegExp(`^Code #${forOwner.serial} claimed: .+ until .+\\.`) }),
      );
      const block = ownerPage.getByRole("region", { name: `Code #${forOwner.serial} — Claimed` });
      await visible(block);
      await visible(block.getByText("Café Starter · from Brewline Agency"));
      await visible(block.getByText(/^Valid until /));
      await expect.poll(() => block.getByRole("progressbar").count()).toBe(2);
      const seats = block.getByRole("progressbar", { name: "Staff Seat" });
      const operations = block.getByRole("progressbar", { name: "Card Operations" });
      expect(await operations.getAttribute("aria-valuenow")).toBe("0");
      expect(Number(await operations.getAttribute("aria-valuemax"))).toBeGreaterThan(0);
      expect(Number(await seats.getAttribute("aria-valuemax"))).toBeGreaterThan(0);

      // --- The billing page's field: each refusal with its own message ----------------------
      const field = ownerPage.getByLabel("Enter activation code");
      const activate = ownerPage.getByRole("button", { name: "Activate", exact: true });
      const codes = ownerPage.getByRole("region", { name: "Activation Codes" });

      const typo = mistype(spare.display);
      await field.fill(typo);
      await activate.click();
      await visible(
        codes.getByRole("alert").filter({ hasText: "The check symbol does not match" }),
      );
      expect(await field.getAttribute("aria-invalid")).toBe("true");
      expect(await field.inputValue()).toBe(typo);

      await field.fill(forNewcomer.display);
      await activate.click();
      await visible(
        codes
          .getByRole("alert")
          .filter({ hasText: "This code has already been claimed by another business." }),
      );

      await field.fill(forOwner.display);
      await activate.click();
      await visible(
        codes.getByRole("alert").filter({
          hasText: `You have already claimed this code (Code #${forOwner.serial})`,
        }),
      );
      await expectText(
        ownerPage.getByRole("heading", { level: 3, name: `Code #${forOwner.serial} — Claimed` }),
        `Code #${forOwner.serial} — Claimed`,
      );
      await owner.close();
    } catch (error) {
      await owner.page.screenshot({ path: "test-results/redeem-flow-owner.png", fullPage: true });
      throw error;
    }
  }, 240_000);

  test("without JavaScript the plan dialog still opens, refuses and closes", async ({
    browser,
  }) => {
    const context = await browser.newContext({
      ...contextOptions,
      baseURL: BASE_URL,
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    try {
      await signIn(page, demo.owner);
      await atPath(page, BILLING);
      await page.getByRole("link", { name: "Edit tariff plan" }).click();
      await page.waitForURL((url) => url.search === "?edit=plan");
      const dialog = page.getByRole("dialog", { name: "Edit tariff plan" });
      await visible(dialog);
      await dialog.getByLabel("Enter activation code").fill("RDM-0000-0000-0000-0001");
      await dialog.getByRole("button", { name: "Activate", exact: true }).click();
      await visible(
        page
          .getByRole("dialog", { name: "Edit tariff plan" })
          .getByRole("alert")
          .filter({ hasText: "The check symbol does not match" }),
      );
      await page.getByRole("dialog").getByRole("link", { name: "Close" }).click();
      await atPath(page, BILLING);
      await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
