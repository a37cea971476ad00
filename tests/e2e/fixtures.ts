// The suite's `test`: a browser per test file and a fresh context (no cookies) and page per
// test. A failing test leaves a full-page screenshot in test-results/. Uncaught errors in
// the page, and console errors, fail the test: a broken hydration is a broken page. Every
// page visited is scanned by axe-core (accessibility.ts): a serious or critical violation
// fails the test too.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { test as base } from "vitest";
import { watchAccessibility } from "./accessibility";
import { contextOptions, launchBrowser } from "./browser";

export { expect, describe } from "vitest";

/** The server under test (BASE_URL given to vitest; see vitest.config.ts). */
export const BASE_URL = process.env.E2E_BASE_URL ?? "";
export const DEMO_PASSWORD = "demo-pass-2026";
export const demo = {
  support: "support@demo.7stamp.test",
  partner: "partner@demo.7stamp.test",
  owner: "owner@demo.7stamp.test",
} as const;

const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test-results");

// A response with an error status is logged by Chromium as a console error; that is the
// page working as intended (the 404 page), not a script failing.
const harmlessConsoleErrors = [/^Failed to load resource: the server responded with a status of/];

function fileNameFor(name: string): string {
  return name
    .replace(/[^a-z0-9]+/gi, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 120);
}

export interface OpenedPage {
  page: Page;
  /** Errors the page reported so far (uncaught exceptions, console errors; axe's at close). */
  errors: string[];
  /** Closes the page's context; throws when the page reported errors. */
  close(): Promise<void>;
}

/**
 * A fresh context (no cookies) and page on `baseURL`, watched for errors like the `page`
 * fixture's. For a test that runs its own server (see large-batch.test.ts).
 */
export async function openPage(browser: Browser, baseURL: string = BASE_URL): Promise<OpenedPage> {
  const context = await browser.newContext({ ...contextOptions, baseURL });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    if (harmlessConsoleErrors.some((pattern) => pattern.test(text))) return;
    errors.push(`console.error: ${text} (${page.url()})`);
  });
  const accessibility = watchAccessibility(page);
  return {
    page,
    errors,
    close: async () => {
      await accessibility.scanNow();
      await context.close();
      const problems = [
        ...errors,
        ...accessibility.violations.map((violation) => `accessibility: ${violation}`),
      ];
      if (problems.length > 0) {
        throw new Error(`The page reported errors:\n${problems.join("\n")}`);
      }
    },
  };
}

/** A full-page screenshot in test-results/, named after the failing test. */
export async function screenshotFailure(page: Page, name: string): Promise<void> {
  const file = path.join(resultsDir, `${fileNameFor(name)}.png`);
  try {
    await mkdir(resultsDir, { recursive: true });
    await page.screenshot({ path: file, fullPage: true });
    console.error(
      `screenshot of the failure: ${path.relative(process.cwd(), file)} (${page.url()})`,
    );
  } catch (error) {
    console.error(`could not take a screenshot: ${String(error)}`);
  }
}

export const test = base.extend<{ browser: Browser; page: Page }>({
  browser: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, run) => {
      if (!BASE_URL) throw new Error("BASE_URL is not set: run the suite with `npm run test:e2e`.");
      const browser = await launchBrowser();
      await run(browser);
      await browser.close();
    },
    { scope: "file" },
  ],
  page: async ({ browser, task }, run) => {
    const opened = await openPage(browser);
    await run(opened.page);
    if (task.result?.state === "fail") await screenshotFailure(opened.page, task.fullName);
    await opened.close();
  },
});

/** Waits until the locator shows exactly one visible element. */
export async function visible(locator: Locator): Promise<Locator> {
  await locator.waitFor({ state: "visible" });
  return locator;
}

/** Waits until the page is at `pathname` (a string or a pattern on the path alone). */
export async function atPath(page: Page, pathname: string | RegExp): Promise<void> {
  await page.waitForURL((url) =>
    typeof pathname === "string" ? url.pathname === pathname : pathname.test(url.pathname),
  );
}

export function heading(page: Page, name: string) {
  return page.getByRole("heading", { level: 1, name, exact: true });
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
