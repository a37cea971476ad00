// Codes for browser tests: the demo partner generates a batch through the pages, and a
// typo of a code that keeps the alphabet (so only the check symbol gives it away).
import type { Page } from "playwright-core";
import { CODE_ALPHABET } from "~/lib/activation-code";
import { atPath, demo, expect, heading, signIn, visible } from "./fixtures";

/** A one-symbol change that keeps the alphabet: the check symbol no longer matches. */
export function mistype(display: string): string {
  const index = display.length - 3;
  const symbol = display.charAt(index);
  const other = CODE_ALPHABET[(CODE_ALPHABET.indexOf(symbol) + 1) % CODE_ALPHABET.length];
  return display.slice(0, index) + other + display.slice(index + 1);
}

/** The partner generates `count` codes of Café Starter; returns their serials and displays. */
export async function generateCodes(page: Page, count: number, label: string) {
  await signIn(page, demo.partner);
  await atPath(page, "/partner/brewline");
  await page.goto("/partner/brewline/bundles");
  await page.getByRole("link", { name: "Café Starter", exact: true }).click();
  await visible(heading(page, "Café Starter"));
  await page.getByRole("link", { name: "Generate codes" }).click();
  await page.getByLabel("Number of codes").fill(String(count));
  await page.getByLabel("Prefix (optional)").fill("RDM");
  await page.getByLabel("Label (optional)").fill(label);
  await page.getByRole("button", { name: "Generate codes" }).click();
  await visible(heading(page, label));
  await page.getByRole("link", { name: "View codes" }).click();
  const rows = page.getByRole("row").filter({ has: page.getByRole("link", { name: /^#\d+$/ }) });
  await expect.poll(() => rows.count()).toBe(count);
  const codes: { serial: string; display: string }[] = [];
  for (let i = 0; i < count; i += 1) {
    const row = rows.nth(i);
    codes.push({
      serial: (await row.getByRole("link", { name: /^#\d+$/ }).textContent())!.trim().slice(1),
      display: (await row.locator("td:nth-child(2)").textContent())!.trim(),
    });
  }
  return codes;
}
