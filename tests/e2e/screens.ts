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

async function shoot(page: Page, name: string) {
  // Let fonts and late layout settle; the flash message stays, it is part of the page.
  await page.waitForLoadState("networkidle");
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

    const owner = await signedInPage(browser, server.baseUrl, "owner@demo.7stamp.test");
    await owner.getByRole("heading", { level: 1, name: "Billing & invoices" }).waitFor();
    await shoot(owner, "business-billing");

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
