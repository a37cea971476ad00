// At phone width (390 px) the partner's codes, clients and dashboard fit the screen: no
// sideways scrolling of the page, lists as labelled cards, the filters folded away so the
// list is on the first screen, and the nav strip scrolled so the current item shows. The
// pages added with webhooks, referrals, subscriptions and invoices fit it too.
import type { Page } from "playwright-core";
import {
  atPath,
  demo,
  describe,
  expect,
  heading,
  openPage,
  signIn,
  test,
  visible,
} from "./fixtures";

const PHONE = { width: 390, height: 844 };

async function fitsTheScreen(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `${page.url()} is ${scrollWidth}px wide`).toBeLessThanOrEqual(innerWidth);
}

/** The nav's current item lies inside the nav strip's visible part and the window. */
async function currentNavItemShows(page: Page, name: string) {
  const nav = page.getByRole("navigation", { name: "Main navigation" });
  const current = nav.locator('a[aria-current="page"]');
  expect(await current.textContent()).toBe(name);
  // Let the strip settle (it scrolls after hydration).
  await expect
    .poll(async () => {
      const strip = await nav.boundingBox();
      const item = await current.boundingBox();
      if (!strip || !item) return false;
      return (
        item.x >= strip.x - 1 &&
        item.x + item.width <= strip.x + strip.width + 1 &&
        item.x + item.width <= PHONE.width
      );
    })
    .toBe(true);
}

async function navigateTo(page: Page, name: string) {
  await page
    .getByRole("navigation", { name: "Main navigation" })
    .getByRole("link", { name, exact: true })
    .click();
}

describe("phone width", () => {
  test("the partner's dashboard, codes and clients fit a 390 px screen", async ({ page }) => {
    await page.setViewportSize(PHONE);
    await signIn(page, demo.partner);
    await atPath(page, "/partner/brewline");
    await visible(heading(page, "Brewline Agency"));
    await fitsTheScreen(page);
    await currentNavItemShows(page, "Dashboard");

    await navigateTo(page, "Codes");
    await atPath(page, "/partner/brewline/codes");
    await visible(heading(page, "Codes"));
    await fitsTheScreen(page);
    await currentNavItemShows(page, "Codes");
    // The filters are folded; the first code is on the first screen, its cells labelled.
    const summary = page.locator("summary", { hasText: /^Filter/ });
    const filters = page.locator("details", { has: summary });
    await expect.poll(() => filters.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    const firstCode = page.getByRole("link", { name: /^#\d+$/ }).first();
    const box = await firstCode.boundingBox();
    expect(box && box.y + box.height <= PHONE.height, JSON.stringify(box)).toBe(true);
    // Unfolding them shows the form; a filter in use keeps it open on the next page.
    await summary.click();
    await page.getByLabel("Status").selectOption({ label: "Claimed" });
    await page.getByRole("button", { name: "Apply filter" }).click();
    await page.waitForURL((url) => url.searchParams.get("status") !== null);
    await visible(page.getByLabel("Status"));
    await fitsTheScreen(page);

    await navigateTo(page, "Clients");
    await atPath(page, "/partner/brewline/clients");
    await visible(heading(page, "Clients"));
    await fitsTheScreen(page);
    await currentNavItemShows(page, "Clients");
    const clientFilters = page.locator("details", {
      has: page.locator("summary", { hasText: "Search and filter clients" }),
    });
    await expect
      .poll(() => clientFilters.evaluate((d) => (d as HTMLDetailsElement).open))
      .toBe(false);

    // A page at the far end of the strip: the strip scrolls to it.
    await page.goto("/partner/brewline/terms");
    await visible(heading(page, "Your terms"));
    await fitsTheScreen(page);
    await currentNavItemShows(page, "Terms");
  });

  test("webhooks, referrals, subscription and invoice pages fit a 390 px screen", async ({
    page,
    browser,
  }) => {
    async function fits(p: Page, path: string) {
      await p.goto(path);
      await visible(p.locator("h1").first());
      await fitsTheScreen(p);
    }
    await page.setViewportSize(PHONE);
    await signIn(page, demo.partner);
    await atPath(page, "/partner/brewline");
    await fits(page, "/partner/brewline/webhooks");
    await currentNavItemShows(page, "Webhooks");
    await fits(page, "/partner/brewline/referrals");

    // Harbour Deli's owner: a Monthly plan with paid invoices and this month's open one.
    const deli = await openPage(browser);
    await deli.page.setViewportSize(PHONE);
    await signIn(deli.page, "deli@demo.7stamp.test");
    await atPath(deli.page, /^\/business\/[0-9a-f-]{36}\/billing$/);
    const business = new URL(deli.page.url()).pathname.replace(/\/billing$/, "");
    await fitsTheScreen(deli.page);
    await fits(deli.page, `${business}/subscription`);
    await fits(deli.page, `${business}/invoices`);
    await deli.page
      .getByRole("link", { name: /^INV-\d{4}-\d{5}$/ })
      .first()
      .click();
    await visible(deli.page.getByRole("heading", { level: 1, name: /^Invoice INV-/ }));
    await fitsTheScreen(deli.page);
    await deli.close();

    const support = await openPage(browser);
    await support.page.setViewportSize(PHONE);
    await signIn(support.page, demo.support);
    await atPath(support.page, /^\/support/);
    await fits(support.page, "/support/invoices");
    await support.page
      .getByRole("link", { name: /^INV-\d{4}-\d{5}$/ })
      .first()
      .click();
    await visible(support.page.getByRole("heading", { level: 1, name: /^Invoice INV-/ }));
    await fitsTheScreen(support.page);
    await fits(support.page, "/support/webhooks");
    await fits(support.page, "/support/referrals");
    await support.close();
    // Thirteen pages in two browsers: 63 s on two loaded cores, past the default 60 s.
  }, 120_000);
});
