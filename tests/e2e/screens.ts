// Full-page screenshots of the main pages for review, in test-results/screens/:
//   npx tsx tests/e2e/screens.ts [--build]
// Starts the server the same way as the suite (fresh demo database, free port).
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { contextOptions, launchBrowser } from "./browser";
import { ensureBuild, repoRoot, resultsDir, startServer } from "./server";

const screensDir = path.join(resultsDir, "screens");
const PASSWORD = "demo-pass-2026";

async function shoot(page: Page, name: string, { settle = true }: { settle?: boolean } = {}) {
  // Let fonts and late layout settle; the flash message stays, it is part of the page.
  // (Not on a page that keeps polling, like a batch being generated: it is never idle.)
  if (settle) await page.waitForLoadState("networkidle");
  const file = path.join(screensDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screens: ${path.relative(repoRoot, file)}`);
}

async function signedInPage(browser: Browser, baseURL: string, email: string) {
  const context = await browser.newContext({ ...contextOptions, baseURL });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
  return page;
}

async function main() {
  ensureBuild({ force: process.argv.includes("--build") });
  mkdirSync(screensDir, { recursive: true });
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const anonymous = await (
      await browser.newContext({ ...contextOptions, baseURL: server.baseUrl })
    ).newPage();
    await anonymous.goto("/login");
    await shoot(anonymous, "login");

    await anonymous.goto("/signup");
    await anonymous.getByLabel("Business name").fill("Corner Bakery");
    await anonymous.getByLabel("Email").fill("not-an-email");
    await anonymous.getByLabel("Password").fill("short");
    await anonymous.getByRole("button", { name: "Create account" }).click();
    await anonymous.getByRole("alert").first().waitFor();
    await shoot(anonymous, "signup-errors");

    const support = await signedInPage(browser, server.baseUrl, "support@demo.7stamp.test");
    await support.getByRole("heading", { level: 1, name: "Support desk" }).waitFor();
    await shoot(support, "support-home");

    const partner = await signedInPage(browser, server.baseUrl, "partner@demo.7stamp.test");
    await partner.getByRole("heading", { level: 1, name: "Brewline Agency" }).waitFor();
    await shoot(partner, "partner-dashboard");
    await partner
      .getByRole("navigation", { name: "Main navigation" })
      .getByRole("link", { name: "Team" })
      .click();
    await partner.getByRole("heading", { level: 1, name: "Team" }).waitFor();
    await shoot(partner, "partner-team");

    const h1 = (page: Page, name: string) =>
      page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
    const nav = (name: string) =>
      partner
        .getByRole("navigation", { name: "Main navigation" })
        .getByRole("link", { name, exact: true })
        .click();

    await nav("Bundles");
    await h1(partner, "Bundles");
    await shoot(partner, "partner-bundles");
    await partner.getByRole("link", { name: "New bundle" }).first().click();
    await h1(partner, "New bundle");
    await partner.getByLabel("Name").fill("Bakery Plus");
    await partner.getByLabel("Staff seats").fill("3");
    await partner.getByLabel("Card operations").fill("2000");
    await partner.getByLabel("Resale price (€)").fill("950.00");
    await partner.getByText("Your margin", { exact: true }).waitFor();
    await shoot(partner, "partner-bundle-new");
    await partner.getByLabel("Staff seats").fill("0");
    await partner.getByLabel("Card operations").fill("0");
    await partner.getByRole("button", { name: "Create bundle" }).click();
    await partner.getByRole("alert").first().waitFor();
    await shoot(partner, "partner-bundle-new-errors");

    await nav("Bundles");
    await partner.getByRole("link", { name: "Café Starter", exact: true }).click();
    await h1(partner, "Café Starter");
    await shoot(partner, "partner-bundle");
    await partner.getByRole("link", { name: "Generate codes" }).click();
    await h1(partner, "Generate codes");
    await shoot(partner, "partner-generate");

    await nav("Batches");
    await h1(partner, "Batches");
    await shoot(partner, "partner-batches");
    await partner.getByRole("link", { name: "Spring tasting 2026" }).click();
    await h1(partner, "Spring tasting 2026");
    await shoot(partner, "partner-batch");

    await nav("Codes");
    await h1(partner, "Codes");
    await shoot(partner, "partner-codes");
    await partner.goto("/partner/brewline/codes?handedOut=yes");
    await partner
      .getByRole("link", { name: /^#\d+$/ })
      .first()
      .click();
    await partner.getByRole("heading", { level: 1, name: /^Code #\d+$/ }).waitFor();
    await shoot(partner, "partner-code");
    await partner.goto("/partner/brewline/codes?search=abcd+efgh+jkmn+pqrs");
    await partner.getByRole("alert").first().waitFor();
    await shoot(partner, "partner-codes-search-typo");

    // A redeem link of an outstanding code nobody was handed, for the /redeem pages below.
    await partner.goto("/partner/brewline/codes?status=outstanding&handedOut=no");
    await partner
      .getByRole("link", { name: /^#\d+$/ })
      .first()
      .click();
    await partner.getByRole("heading", { level: 1, name: /^Code #\d+$/ }).waitFor();
    const redeemPath = new URL(
      await partner.getByRole("textbox", { name: "Redeem link" }).inputValue(),
    ).pathname;
    await partner.goto(redeemPath);
    await h1(partner, "Redeem an activation code");
    await shoot(partner, "redeem-no-business");
    await partner.goto("/partner/brewline");
    await anonymous.goto(redeemPath);
    await anonymous.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    await shoot(anonymous, "login-redeem");

    await nav("API keys");
    await h1(partner, "API keys");
    await shoot(partner, "partner-api-keys");

    await nav("Clients");
    await h1(partner, "Clients");
    await shoot(partner, "partner-clients");
    await partner.getByRole("link", { name: "Corner Coffee", exact: true }).click();
    await h1(partner, "Corner Coffee");
    await shoot(partner, "partner-client");

    await nav("Statements");
    await h1(partner, "Statements");
    await shoot(partner, "partner-statements");
    await partner
      .getByRole("link", { name: /^View the statement for/ })
      .first()
      .click();
    await h1(partner, "Draft statement");
    await shoot(partner, "partner-statement-draft");
    await partner.goto("/partner/brewline/statements");
    await partner
      .getByRole("link", { name: /^View the statement for/ })
      .nth(1)
      .click();
    await partner
      .getByRole("heading", { level: 1, name: /^Statement [A-Z]+-\d{4}-\d{4}$/ })
      .waitFor();
    await shoot(partner, "partner-statement-final");

    await nav("Terms");
    await h1(partner, "Your terms");
    await shoot(partner, "partner-terms");

    // Last of the partner's pages: a large batch keeps the embedded database busy a while.
    await nav("Bundles");
    await partner.getByRole("link", { name: "POS Pro", exact: true }).click();
    await partner.getByRole("link", { name: "Generate codes" }).click();
    await partner.getByLabel("Number of codes").fill("50000");
    await partner.getByLabel("Label (optional)").fill("Franchise roll-out");
    await partner.getByRole("button", { name: "Generate codes" }).click();
    await h1(partner, "Franchise roll-out");
    await partner.getByRole("progressbar").waitFor();
    await shoot(partner, "partner-batch-generating", { settle: false });

    const owner = await signedInPage(browser, server.baseUrl, "owner@demo.7stamp.test");
    await owner.getByRole("heading", { level: 1, name: "Billing & invoices" }).waitFor();
    await shoot(owner, "business-billing");
    const billingPath = new URL(owner.url()).pathname;
    await owner.getByLabel("Enter activation code").fill("CAFE-0000-0000-0000-0000");
    await owner.getByRole("button", { name: "Activate", exact: true }).click();
    await owner.getByRole("alert").first().waitFor();
    await shoot(owner, "business-billing-code-error");
    await owner.goto(`${billingPath}?edit=plan`);
    await owner.getByRole("dialog", { name: "Edit tariff plan" }).waitFor();
    await shoot(owner, "business-billing-plan-dialog");
    await owner.goto(redeemPath);
    await h1(owner, "Redeem an activation code");
    await shoot(owner, "redeem");
    await owner.goto(billingPath);
    await owner
      .getByRole("navigation", { name: "Main navigation" })
      .getByRole("link", { name: "Staff seats", exact: true })
      .click();
    await owner.getByRole("heading", { level: 1, name: "Staff seats" }).waitFor();
    await shoot(owner, "business-staff");

    await partner.goto("/business/00000000-0000-0000-0000-000000000000/billing");
    await partner.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
    await shoot(partner, "not-found");
  } catch (error) {
    console.error(`screens: failed: ${error instanceof Error ? error.message : String(error)}`);
    console.error(`screens: last lines of the server log:\n${server.logTail(40)}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
