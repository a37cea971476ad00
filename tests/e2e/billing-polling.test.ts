// The billing page polls its figures every 5 seconds; a poll must never take away what the
// owner is looking at: a refused code's message and the code still in the field, the plan
// dialog open with its error, the "Code #N claimed" message.
import type { Page } from "playwright-core";
import { only } from "../helpers/rows.ts";
import { atPath, demo, describe, expect, openPage, signIn, test, visible } from "./fixtures";
import { generateCodes, mistype } from "./partner-codes";

const BILLING = /^\/business\/[0-9a-f-]{36}\/billing$/;

/** Waits until the page has fetched fresh figures `times` more times. */
async function polls(page: Page, times: number) {
  for (let i = 0; i < times; i += 1) {
    await page.waitForResponse(
      (response) =>
        response.request().resourceType() === "fetch" &&
        new URL(response.url()).pathname.includes("/billing"),
      { timeout: 15_000 },
    );
  }
  // Let React render what the poll brought.
  await page.waitForTimeout(300);
}

describe("the billing page's polling", () => {
  test("keeps messages, typed values and the open dialog", async ({ page, browser }) => {
    const code = only(
      await generateCodes(page, 1, `E2E polling ${Date.now().toString(36)}`),
      "generated code",
    );

    const opened = await openPage(browser);
    const owner = opened.page;
    await signIn(owner, demo.owner);
    await atPath(owner, BILLING);
    const codes = owner.getByRole("region", { name: "Activation Codes" });
    const field = owner.getByLabel("Enter activation code");

    // A refused code: message and typed code survive two polls.
    const typo = mistype(code.display);
    await field.fill(typo);
    await owner.getByRole("button", { name: "Activate", exact: true }).click();
    const refusal = codes.getByRole("alert").filter({ hasText: "The check symbol does not match" });
    await visible(refusal);
    await polls(owner, 2);
    await visible(refusal);
    expect(await field.inputValue()).toBe(typo);

    // The plan dialog with a refused number of locations stays open with its error.
    await owner.getByRole("link", { name: "Edit tariff plan" }).click();
    const dialog = owner.getByRole("dialog", { name: "Edit tariff plan" });
    await visible(dialog);
    await dialog.getByRole("radio", { name: "Monthly" }).check();
    await dialog.getByLabel("Number of locations").fill("0");
    await dialog.getByRole("button", { name: "Preview change" }).click();
    const planError = dialog
      .getByRole("alert")
      .filter({ hasText: "Number of locations must be between 1 and 1,000." });
    await visible(planError);
    await polls(owner, 2);
    await visible(dialog);
    await visible(planError);
    expect(await dialog.getByLabel("Number of locations").inputValue()).toBe("0");
    await dialog.getByRole("link", { name: "Close" }).click();
    await expect.poll(() => owner.getByRole("dialog").count()).toBe(0);

    // A claim's success message outlives the polls, and the new block is there.
    await field.fill(code.display);
    await owner.getByRole("button", { name: "Activate", exact: true }).click();
    const claimed = owner
      .getByRole("status")
      .filter({ hasText: new RegExp(`^Code #${code.serial} claimed: `) });
    await visible(claimed);
    await polls(owner, 2);
    await visible(claimed);
    await visible(owner.getByRole("region", { name: `Code #${code.serial} — Claimed` }));
    await opened.close();
  }, 240_000);
});
