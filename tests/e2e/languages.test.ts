// The portal in Thai and Ukrainian in a real browser (ADR 035): a Thai-speaking owner whose
// browser asks for Thai signs up on the way to a code, redeems it and reads the billing page
// in Thai with Buddhist-era dates; a partner member switches to Ukrainian in the header
// (same page, same filters), reads the codes page and downloads a statement of a partner
// whose locale is Ukrainian. axe scans every page (openPage); screenshots at desktop and
// 390 px go to test-results/screens/ for review.
import { execFileSync } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Page } from "playwright-core";
import { only } from "../helpers/rows.ts";
import { generateCodes } from "./partner-codes";
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
import { resultsDir } from "./server";

const BILLING = /^\/business\/[0-9a-f-]{36}\/billing$/;

async function screens(page: Page, name: string) {
  const dir = path.join(resultsDir, "screens");
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}-desktop.png`), fullPage: true });
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(dir, `${name}-390.png`), fullPage: true });
  if (desktop) await page.setViewportSize(desktop);
}

describe("languages", () => {
  test("a Thai owner signs up, redeems a code and reads billing in Thai", async ({
    page,
    browser,
  }) => {
    const stamp = Date.now().toString(36);
    const code = only(await generateCodes(page, 1, `E2E Thai ${stamp}`), "generated code");

    const thai = await openPage(browser);
    try {
      const owner = thai.page;
      // Every request asks for Thai (the context's own locale header would win over an extra
      // header, so the header is rewritten on the way out).
      await owner.route("**/*", (route) =>
        route.continue({
          headers: { ...route.request().headers(), "accept-language": "th-TH,th;q=0.9" },
        }),
      );
      await owner.goto(`/redeem/${code.display}`);
      await atPath(owner, "/signup");
      expect(await owner.getAttribute("html", "lang")).toBe("th-TH");
      await visible(heading(owner, "สมัครใช้งานสำหรับธุรกิจของคุณ"));
      await screens(owner, "languages-th-signup");
      await owner.getByLabel("ชื่อธุรกิจ").fill(`ร้านกาแฟ ${stamp}`);
      await owner.getByLabel("ชื่อของคุณ").fill("สมชาย ใจดี");
      await owner.getByLabel("อีเมล").fill(`somchai-${stamp}@example.test`);
      await owner.getByLabel("รหัสผ่าน", { exact: true }).fill("a-long-enough-password");
      await owner.getByRole("button", { name: "สร้างบัญชี" }).click();

      await atPath(owner, `/redeem/${code.display}`);
      await visible(heading(owner, "แลกรหัสเปิดใช้งาน"));
      await owner.getByRole("button", { name: "ยืนยันและเปิดใช้งาน" }).click();
      await atPath(owner, BILLING);
      await visible(owner.getByRole("region", { name: `รหัส #${code.serial} — แลกแล้ว` }));
      await visible(owner.getByRole("heading", { name: "แพ็กเกจของคุณ" }));
      // Dates in the Buddhist era (2569 for 2026) with a Thai month name.
      const body = (await owner.locator("main").textContent()) ?? "";
      expect(body).toMatch(/ใช้ได้ถึง \d{1,2} \S+ 25\d\d/);
      await screens(owner, "languages-th-billing");
      await thai.close();
    } catch (error) {
      await thai.page.screenshot({ path: "test-results/languages-thai.png" });
      throw error;
    }
    // A sign-up, a redemption and the billing page in Thai, in a fresh browser.
  }, 120_000);

  test("a partner reads its codes and statements in Ukrainian and downloads a statement", async ({
    page,
    browser,
  }) => {
    // Support makes Till & Tap POS a Ukrainian partner (restored at the end).
    const desk = await openPage(browser);
    const setLocale = async (locale: string) => {
      await desk.page.goto("/support/partners/tilltap");
      await desk.page.getByLabel("Statement format (locale)").selectOption(locale);
      await desk.page.getByRole("button", { name: "Save terms" }).click();
      await visible(desk.page.getByRole("status"));
    };
    await signIn(desk.page, demo.support);
    await atPath(desk.page, /^\/support/);
    await setLocale("uk-UA");

    try {
      await signIn(page, demo.partner);
      await atPath(page, "/partner/brewline");
      await page.goto("/partner/brewline/codes?status=claimed");
      // The switcher in the header: back on the same page, filter kept, now in Ukrainian.
      await page.getByRole("banner").getByLabel("Language").selectOption("uk");
      await page.getByRole("banner").getByRole("button", { name: "Change" }).click();
      await page.waitForURL((url) => url.searchParams.get("status") === "claimed");
      expect(new URL(page.url()).pathname).toBe("/partner/brewline/codes");
      await visible(heading(page, "Коди"));
      expect(await page.getAttribute("html", "lang")).toBe("uk-UA");
      await screens(page, "languages-uk-codes");

      await page.goto("/partner/tilltap/statements");
      await visible(heading(page, "Виписки"));
      const downloading = page.waitForEvent("download");
      await page
        .getByRole("link", { name: /Завантажити PDF/ })
        .first()
        .click();
      const download = await downloading;
      const pdf = await readFile(await download.path());
      expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
      // The demo's statements were issued before Till & Tap became Ukrainian, and an issued
      // statement keeps the locale of its snapshot (its PDF never changes): this one is in
      // English. A Ukrainian partner's statement PDF (Noto Sans, Cyrillic text) is checked in
      // tests/integration/statement-pdf-languages.test.ts.
      try {
        const text = execFileSync("pdftotext", [await download.path(), "-"]).toString("utf8");
        expect(text).toMatch(/TILL-\d{4}-\d{4}/);
      } catch (error) {
        // Without poppler-utils the header above is the check.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }

      // Back to English for the suites after this one.
      await page.getByRole("banner").getByLabel("Мова").selectOption("en");
      await page.getByRole("banner").getByRole("button", { name: "Змінити" }).click();
      await visible(heading(page, "Statements"));
    } finally {
      // Pat's saved language is shared with every later spec: English again even when a step
      // above failed (the switcher found by its form, whatever language the page is in).
      await page.goto("/partner/brewline").catch(() => undefined);
      const switcher = page.getByRole("banner").locator('form[action="/language"]');
      await switcher
        .locator('select[name="language"]')
        .selectOption("en")
        .catch(() => undefined);
      await switcher
        .locator('button[type="submit"]')
        .click()
        .catch(() => undefined);
      await setLocale("en-IE");
      await desk.close();
    }
    // Two signed-in browsers, a language round trip and a statement PDF rendered on first download.
  }, 120_000);
});
