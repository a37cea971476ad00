// The partner follows its clients and its statements in a real browser: the demo partner
// opens its clients, drills into Corner Coffee and reads, code by code, the very numbers the
// business's own billing page shows; previews the running month's draft statement; and
// downloads last month's final statement as a PDF whose number and total due are those of
// the statements list.
import { readFile } from "node:fs/promises";
import type { Locator, Page } from "playwright-core";
import { pdfText } from "../helpers/pdf-text.ts";
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

const BASE = "/partner/brewline";
const CODE_BLOCK = /^Code #\d+ — Claimed$/;

/** "November 2026": how the statements pages name a month (UTC). */
function monthName(date: Date): string {
  return new Intl.DateTimeFormat("en-GB", {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(date);
}

/** What a "Code #N — Claimed" block shows: its two bars, as numbers and as text. */
async function readCodeBlock(block: Locator) {
  const bar = async (name: string) => {
    const progress = block.getByRole("progressbar", { name, exact: true });
    return {
      now: await progress.getAttribute("aria-valuenow"),
      max: await progress.getAttribute("aria-valuemax"),
      text: await progress.getAttribute("aria-valuetext"),
    };
  };
  return { staffSeats: await bar("Staff Seat"), cardOperations: await bar("Card Operations") };
}

/** Every "Code #N — Claimed" block on the page, by title. */
async function codeBlocks(page: Page) {
  const blocks = page.getByRole("region", { name: CODE_BLOCK });
  await visible(blocks.first());
  const read: Record<string, Awaited<ReturnType<typeof readCodeBlock>>> = {};
  for (const block of await blocks.all()) {
    const title = (await block.getByRole("heading", { level: 3 }).textContent())!.trim();
    read[title] = await readCodeBlock(block);
  }
  return read;
}

describe("partner clients and statements", () => {
  test("Corner Coffee's numbers on the partner's client page equal its billing page", async ({
    page,
    browser,
  }) => {
    await signIn(page, demo.partner);
    await atPath(page, BASE);
    await page
      .getByRole("navigation", { name: "Main navigation" })
      .getByRole("link", { name: "Clients", exact: true })
      .click();
    await visible(heading(page, "Clients"));
    await page.getByRole("link", { name: "Corner Coffee", exact: true }).click();
    await visible(heading(page, "Corner Coffee"));
    const partnerSees = await codeBlocks(page);
    expect(Object.keys(partnerSees).length).toBeGreaterThanOrEqual(1);
    // The daily chart of the last 90 days is there, drawn from the partner's grants.
    await visible(page.getByRole("img", { name: /card operations/i }).first());

    const owner = await openPage(browser);
    try {
      await signIn(owner.page, demo.owner);
      await visible(owner.page.getByRole("heading", { level: 1, name: "Billing & invoices" }));
      const businessSees = await codeBlocks(owner.page);
      // Every code of this partner's that the client claimed, with the same numbers; the
      // billing page may show more (codes of other partners), never different ones.
      for (const [title, numbers] of Object.entries(partnerSees)) {
        expect(businessSees[title], title).toEqual(numbers);
        expect(numbers.cardOperations.text).toMatch(/^[\d,]+ \/ [\d,]+$/);
      }
    } finally {
      await owner.close();
    }
  });

  test("the running month's draft, and last month's final statement as a PDF", async ({ page }) => {
    const now = new Date();
    const thisMonth = monthName(now);
    const lastMonth = monthName(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1)));

    await signIn(page, demo.partner);
    await atPath(page, BASE);
    await page
      .getByRole("navigation", { name: "Main navigation" })
      .getByRole("link", { name: "Statements", exact: true })
      .click();
    await visible(heading(page, "Statements"));

    // Last month is final: a number, and its total due as the list shows it.
    const lastRow = page.getByRole("row").filter({
      has: page.getByRole("link", { name: lastMonth, exact: true }),
    });
    const number = (await lastRow.getByText(/^[A-Z0-9]+-\d{4}-\d{4}$/).textContent())!.trim();
    const totalDue = (await lastRow.getByRole("cell").nth(6).textContent())!.trim();
    expect(totalDue).toMatch(/^€[\d,]+\.\d{2}$/);
    expect(totalDue).not.toBe("€0.00");

    // The running month is a draft, previewed with its lines.
    await page.getByRole("link", { name: thisMonth, exact: true }).click();
    await visible(heading(page, "Draft statement"));
    await visible(page.getByText(/^Draft — not final/));
    const lines = page
      .getByRole("table", { name: /^Statement lines/ })
      .getByRole("row")
      .filter({ has: page.getByRole("cell") });
    expect(await lines.count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByRole("link", { name: "Download PDF" }).count()).toBe(0);

    // Last month's statement page, then its PDF.
    await page.getByRole("link", { name: "All statements" }).click();
    await visible(heading(page, "Statements"));
    await page.getByRole("link", { name: lastMonth, exact: true }).click();
    await visible(heading(page, `Statement ${number}`));
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: /Download PDF/ }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toContain(number);
    const pdf = await readFile(await download.path());
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const text = pdfText(pdf);
    expect(text).toContain(number);
    expect(text).toContain(totalDue);
    expect(text).toMatch(/page 1 of \d+/);
  });
});
