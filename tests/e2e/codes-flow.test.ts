// The partner's whole path with codes, in a real browser: a bundle made through the form
// (its price panel following the typing), 25 codes generated from it, one handed out and
// emailed (the message is in the outbox), the batch's cards printed as a PDF, one code
// revoked, and codes found by typing them the way people do — lower case, with spaces.
import { readFile } from "node:fs/promises";
import type { Locator, Page } from "playwright-core";
import { checkSymbol, CODE_ALPHABET } from "~/lib/activation-code";
import { first } from "../helpers/rows.ts";
import { atPath, demo, describe, expect, heading, signIn, test, visible } from "./fixtures";
import { listOutbox, waitForNewMail } from "./outbox";

const SLUG = "brewline";
const BASE = `/partner/${SLUG}`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The value (dd) next to a term (dt) on the page: "Retail value" → "€1,144.00". */
function figure(page: Page, term: string | RegExp): Locator {
  return page
    .locator("dt")
    .filter({ hasText: typeof term === "string" ? new RegExp(`^${escapeRegExp(term)}$`) : term })
    .locator("xpath=following-sibling::dd[1]");
}

async function expectText(locator: Locator, expected: string | RegExp) {
  await expect.poll(async () => (await locator.textContent())?.trim()).toMatch(expected);
}

/** A one-symbol change that keeps the alphabet: the check symbol no longer matches. */
function mistype(code: string, index = 6): string {
  const symbol = code.charAt(index);
  const other = CODE_ALPHABET[(CODE_ALPHABET.indexOf(symbol) + 1) % CODE_ALPHABET.length];
  return code.slice(0, index) + other + code.slice(index + 1);
}

/** "ABCDEFGHJKMNPQRS" → "abcd efgh jkmn pqrs": how a person types a code off a card. */
function casually(code: string): string {
  return (code.match(/.{4}/g) ?? []).join(" ").toLowerCase();
}

describe("codes flow", () => {
  test("a partner creates a bundle, generates, hands out, emails, prints, revokes and finds codes", async ({
    page,
  }) => {
    const stamp = Date.now().toString(36).toUpperCase();
    const bundleName = `E2E Bundle ${stamp}`;
    const batchLabel = `E2E batch ${stamp}`;
    const recipient = { name: "Rita Recipient", email: `rita-${stamp.toLowerCase()}@example.test` };

    await signIn(page, demo.partner);
    await atPath(page, BASE);

    // --- Bundle: the form, with its live price panel ---------------------------------------
    await page
      .getByRole("navigation", { name: "Main navigation" })
      .getByRole("link", { name: "Bundles" })
      .click();
    await visible(heading(page, "Bundles"));
    await page.getByRole("link", { name: "New bundle" }).first().click();
    await atPath(page, `${BASE}/bundles/new`);
    await visible(heading(page, "New bundle"));

    await page.getByLabel("Name").fill(bundleName);
    await visible(
      page.getByText("Enter staff seats, card operations and a term to see the price."),
    );
    // Price list 2026: €29.00 per seat and month, €0.05 per operation; Brewline has 30 % off.
    await page.getByLabel("Staff seats").fill("3");
    await page.getByLabel("Card operations").fill("2000");
    await page.getByLabel("Term in months").fill("12");
    // 3 × 12 × €29.00 + 2,000 × €0.05 = €1,144.00; −30 % = €800.80.
    await expectText(figure(page, "Retail value"), "€1,144.00");
    await expectText(figure(page, "Wholesale price (what you pay)"), "€800.80");
    await visible(page.getByText("Enter a resale price to see your margin."));
    // Typing changes the figures at once, before anything is submitted.
    await page.getByLabel("Staff seats").fill("4");
    // 4 × 12 × €29.00 + €100.00 = €1,492.00; −30 % (€447.60) = €1,044.40.
    await expectText(figure(page, "Retail value"), "€1,492.00");
    await expectText(figure(page, /^Your discount/), "−€447.60");
    await expectText(figure(page, "Wholesale price (what you pay)"), "€1,044.40");
    await page.getByLabel("Resale price (€)").fill("1200,00");
    await expectText(figure(page, "Your margin"), "€155.60");
    await page.getByLabel("Resale price (€)").fill("900");
    await expectText(figure(page, "Your margin"), "-€144.40");
    await visible(page.getByText("The resale price is below your wholesale price."));
    await page.getByLabel("Resale price (€)").fill("1200.00");
    await expectText(figure(page, "Your margin"), "€155.60");
    await page.getByRole("button", { name: "Create bundle" }).click();

    await atPath(page, new RegExp(`^${BASE}/bundles/[0-9a-f-]{36}$`));
    const bundlePath = new URL(page.url()).pathname;
    await visible(heading(page, bundleName));
    await visible(page.getByRole("status").filter({ hasText: `Bundle “${bundleName}” created.` }));
    await expectText(figure(page, "Retail value"), "€1,492.00");
    await expectText(figure(page, "Your margin"), "€155.60");
    await expectText(figure(page, "Codes made"), "0");

    // --- Batch: bad count first (nothing is made), then 25 codes ---------------------------
    await page.getByRole("link", { name: "Generate codes" }).click();
    await atPath(page, `${bundlePath}/generate`);
    await visible(heading(page, "Generate codes"));
    await page.getByLabel("Number of codes").fill("0");
    await page.getByLabel("Label (optional)").fill(batchLabel);
    await page.getByRole("button", { name: "Generate codes" }).click();
    await visible(
      page.getByRole("alert").filter({ hasText: /^Number of codes must be at least 1/ }),
    );
    await atPath(page, `${bundlePath}/generate`);
    expect(await page.getByLabel("Number of codes").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Label (optional)").inputValue()).toBe(batchLabel);

    await page.getByLabel("Number of codes").fill("25");
    await page.getByLabel("Prefix (optional)").fill("E2E");
    await page.getByRole("button", { name: "Generate codes" }).click();
    await atPath(page, new RegExp(`^${BASE}/batches/[0-9a-f-]{36}$`));
    const batchPath = new URL(page.url()).pathname;
    await visible(heading(page, batchLabel));
    await visible(page.getByRole("status").filter({ hasText: "25 codes generated." }));
    await visible(page.getByText(`25 codes of “${bundleName}”`));
    await visible(page.getByText("Ready", { exact: true }));
    await expect.poll(() => page.getByRole("progressbar").count()).toBe(0);
    await expectText(figure(page, "Outstanding"), "25");
    await expectText(figure(page, "Revoked"), "0");

    // The refused count 0 made nothing: this bundle has one batch, of 25 codes.
    await page.goto(`${BASE}/batches`);
    await visible(heading(page, "Batches"));
    await expect.poll(() => page.getByRole("row").filter({ hasText: bundleName }).count()).toBe(1);
    await page.goto(bundlePath);
    await expectText(figure(page, "Codes made"), "25");

    // --- Printable cards: a real PDF ---------------------------------------------------------
    await page.goto(batchPath);
    const cardsLink = page.getByRole("link", { name: "Print code cards (PDF)" });
    const [download] = await Promise.all([page.waitForEvent("download"), cardsLink.click()]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const downloaded = await readFile(await download.path());
    expect(downloaded.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(downloaded.length).toBeGreaterThan(1_000);
    const pdf = await page.request.get((await cardsLink.getAttribute("href"))!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");

    // --- The batch's codes -------------------------------------------------------------------
    await page.getByRole("link", { name: "View codes" }).click();
    await atPath(page, `${BASE}/codes`);
    await visible(heading(page, "Codes"));
    const codeRows = page
      .getByRole("row")
      .filter({ has: page.getByRole("link", { name: /^#\d+$/ }) });
    await expect.poll(() => codeRows.count()).toBe(25);
    const displays = (await codeRows.locator("td:nth-child(2)").allTextContents()).map((text) =>
      text.trim(),
    );
    for (const display of displays) expect(display).toMatch(/^E2E-(?:[0-9A-Z]{4}-){3}[0-9A-Z]{4}$/);
    expect(new Set(displays).size).toBe(25);

    // --- Hand one out and email it -----------------------------------------------------------
    const firstLink = codeRows.first().getByRole("link", { name: /^#\d+$/ });
    const handedSerial = (await firstLink.textContent())!.trim().slice(1);
    const handedDisplay = first(displays, "code display");
    await firstLink.click();
    await atPath(page, `${BASE}/codes/${handedSerial}`);
    await visible(heading(page, `Code #${handedSerial}`));
    await visible(page.getByLabel("Code", { exact: true }).filter({ hasText: handedDisplay }));
    const redeemLink = await page.getByRole("textbox", { name: "Redeem link" }).inputValue();
    expect(redeemLink).toMatch(new RegExp(`^https?://[^/]+/redeem/${handedDisplay}$`));

    await page.getByLabel("Recipient name").fill(recipient.name);
    await page.getByLabel("Recipient email").fill(recipient.email);
    await page.getByRole("button", { name: "Save recipient" }).click();
    await visible(
      page.getByRole("status").filter({ hasText: `Code #${handedSerial} was handed out.` }),
    );
    await visible(
      page.getByText(`Handed out to ${recipient.name} <${recipient.email}>`, { exact: true }),
    );

    const before = await listOutbox();
    await page.getByRole("button", { name: "Email the code" }).click();
    await visible(
      page
        .getByRole("status")
        .filter({ hasText: `Code #${handedSerial} was emailed to ${recipient.email}.` }),
    );
    await visible(page.getByText(`Emailed to ${recipient.email}`, { exact: true }));
    const mail = await waitForNewMail(recipient.email, before);
    expect(mail.text).toContain(handedDisplay);
    expect(mail.text).toContain(`Hello ${recipient.name},`);
    expect(mail.text).toContain("4 staff seats");
    expect(mail.text).toContain("2,000 card operations");
    const linkInMail = /https?:\/\/\S+\/redeem\/(\S+)/.exec(mail.text);
    expect(linkInMail, mail.text).not.toBeNull();
    expect(linkInMail![1]).toBe(handedDisplay);

    // --- Revoke another one ------------------------------------------------------------------
    await page.goto(`${BASE}/codes?batch=${batchPath.split("/").at(-1)}`);
    await expect.poll(() => codeRows.count()).toBe(25);
    const revokedLink = codeRows.nth(1).getByRole("link", { name: /^#\d+$/ });
    const revokedSerial = (await revokedLink.textContent())!.trim().slice(1);
    expect(revokedSerial).not.toBe(handedSerial);
    await revokedLink.click();
    await atPath(page, `${BASE}/codes/${revokedSerial}`);
    await page.getByLabel("Reason").fill("Card lost at the fair");
    // A dangerous button asks first, saying what and that it cannot be undone.
    const asked = new Promise<string>((resolve) =>
      page.once("dialog", (dialog) => {
        resolve(dialog.message());
        void dialog.accept();
      }),
    );
    await page.getByRole("button", { name: "Revoke code" }).click();
    expect(await asked).toBe(
      `Revoke Code #${revokedSerial}? Nobody can claim it afterwards. This cannot be undone.`,
    );
    await visible(
      page.getByRole("status").filter({ hasText: `Code #${revokedSerial} was revoked.` }),
    );
    await visible(page.getByText("Revoked", { exact: true }).first());
    await visible(page.getByText(/^Revoked on .+: Card lost at the fair$/));
    await visible(page.getByText("Revoked: Card lost at the fair", { exact: true }));
    // A revoked code offers no more actions.
    await expect.poll(() => page.getByRole("button", { name: "Revoke code" }).count()).toBe(0);
    await expect.poll(() => page.getByRole("button", { name: "Email the code" }).count()).toBe(0);

    await page.goto(batchPath);
    await expectText(figure(page, "Outstanding"), "24");
    await expectText(figure(page, "Revoked"), "1");

    // --- Find a code typed casually: lower case, spaces, no prefix --------------------------
    const body = handedDisplay.replace(/^E2E-/, "").replaceAll("-", "");
    await page.goto(`${BASE}/codes`);
    const search = page.getByRole("search").getByLabel("Find a code");
    await search.fill(casually(body));
    await page.getByRole("button", { name: "Find" }).click();
    await atPath(page, `${BASE}/codes/${handedSerial}`);
    await visible(heading(page, `Code #${handedSerial}`));

    // By its number, too.
    await page.goto(`${BASE}/codes`);
    await search.fill(`#${revokedSerial}`);
    await page.getByRole("button", { name: "Find" }).click();
    await atPath(page, `${BASE}/codes/${revokedSerial}`);

    // One symbol wrong: the check symbol tells it is a typo, not an unknown code.
    const typo = mistype(body);
    await page.goto(`${BASE}/codes`);
    await search.fill(casually(typo));
    await page.getByRole("button", { name: "Find" }).click();
    await visible(
      page
        .getByRole("alert")
        .filter({ hasText: "The check symbol does not match — probably a typo." }),
    );
    await atPath(page, `${BASE}/codes`);
    expect(await search.getAttribute("aria-invalid")).toBe("true");
    expect(await search.inputValue()).toBe(casually(typo));
    await expect.poll(() => page.getByText(/^No code .* in this partner account$/).count()).toBe(0);

    // A well-formed code that is nobody's: "not found", not "typo".
    const unknownBody =
      body.slice(0, 14) === "00000000000000" ? "11111111111111" : "00000000000000";
    const unknown = `${unknownBody}0${checkSymbol(`${unknownBody}0`)}`;
    await search.fill(casually(unknown));
    await page.getByRole("button", { name: "Find" }).click();
    await visible(page.getByText(/^No code .* in this partner account$/));
    await expect
      .poll(() => page.getByText("The check symbol does not match — probably a typo.").count())
      .toBe(0);
  });
});
