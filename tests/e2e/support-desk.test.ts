// The support desk's statements and audit log in the browser: every partner's statements,
// filtered, one opened as the partner sees it (its PDF a download); a month not ended refused
// with its message; the audit log filtered by action, an entry's before and after; a bad
// date a field message. Screenshots at desktop and phone width in test-results/screens/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { fileURLToPath } from "node:url";
import { atPath, demo, describe, expect, heading, signIn, test, visible } from "./fixtures";

const screensDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../test-results/screens",
);

async function shoot(page: Page, name: string) {
  mkdirSync(screensDir, { recursive: true });
  for (const [suffix, width] of [
    ["desktop", 1280],
    ["phone", 390],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(screensDir, `${name}-${suffix}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

function runningMonth(): string {
  const now = new Date();
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`;
}

describe("support desk: statements and audit log", () => {
  test("statements list, a statement, finalise refused for the running month", async ({ page }) => {
    await signIn(page, demo.support);
    await atPath(page, "/support");
    await page.getByRole("link", { name: "Statements" }).first().click();
    await atPath(page, "/support/statements");
    await visible(heading(page, "Statements"));
    await shoot(page, "support-statements");

    await page.getByLabel("Partner", { exact: true }).fill("brewline");
    await page.getByLabel("Status").selectOption("final");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/status=final/);
    const view = page.getByRole("link", { name: /^View the .* statement of Brewline/ }).first();
    await view.click();
    await atPath(page, /^\/support\/partners\/brewline\/statements\/\d{4}-\d{2}$/);
    await visible(page.getByRole("link", { name: "Download PDF" }));
    await shoot(page, "support-statement");

    // The running month: "finalise now" refuses it, nothing is made.
    await page.goto("/support/statements");
    await page.getByLabel("Month", { exact: true }).last().fill(runningMonth());
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Finalise now" }).last().click();
    await visible(
      page.getByRole("alert").filter({ hasText: "This month has not ended yet" }).first(),
    );
  });

  test("all invoices: Harbour Deli's, filtered; Mark paid names its missing reason", async ({
    page,
  }) => {
    await signIn(page, demo.support);
    await atPath(page, "/support");
    await page.getByRole("link", { name: "Invoices" }).first().click();
    await atPath(page, "/support/invoices");
    await visible(heading(page, "Invoices"));
    await page.getByLabel("Number or business").fill("Harbour");
    await page.getByLabel("Status").selectOption("open");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/status=open/);
    await visible(page.getByRole("link", { name: /^INV-\d{4}-\d{5}$/ }).first());
    await shoot(page, "support-invoices");
    // No reason: the field says so, and the invoice stays open.
    await page.getByRole("button", { name: "Mark paid" }).first().click();
    await visible(page.getByRole("alert").filter({ hasText: "Reason" }).first());
  });

  test("audit log: filter, an entry's before and after, a bad date", async ({ page }) => {
    await signIn(page, demo.support);
    await atPath(page, "/support");
    await page.goto("/support/audit");
    await visible(heading(page, "Audit log"));
    await shoot(page, "support-audit");

    await page.getByLabel("From").fill("2026-02-30".slice(0, 10));
    await page.goto("/support/audit?from=2026-02-30");
    await visible(page.getByRole("alert").filter({ hasText: /From is not a day of the calendar/ }));

    await page.goto("/support/audit");
    await page.getByLabel("Action").selectOption("statement.finalized");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/action=statement.finalized/);
    await page
      .getByRole("link", { name: /^Details of entry/ })
      .first()
      .click();
    await atPath(page, /^\/support\/audit\/\d+$/);
    await visible(page.getByRole("heading", { name: "Before and after" }));
    await expect.poll(() => page.locator("[data-changed=true]").count()).toBeGreaterThan(0);
    await shoot(page, "support-audit-entry");
  });
});
