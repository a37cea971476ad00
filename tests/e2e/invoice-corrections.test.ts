// Invoices in a real browser (issue 14, ADR 037): a new business starts Monthly and finds its
// invoice with a PDF link (list and detail); support opens the invoice from the business's
// page, tries to void it without a reason (the field says so), then voids it with one and
// sees the flash and the status. Every page is scanned with axe-core by the fixtures.
import {
  atPath,
  describe,
  expect,
  heading,
  openPage,
  signIn,
  test,
  visible,
  demo,
} from "./fixtures";

describe("invoices: PDF links and support's void", () => {
  test("the owner's invoice has a PDF; support voids it with a reason", async ({
    page,
    browser,
  }) => {
    const stamp = Date.now().toString(36);
    const business = `Invoice Deli ${stamp}`;
    const newcomer = await openPage(browser);
    const owner = newcomer.page;
    await owner.goto("/signup");
    await owner.getByLabel("Business name").fill(business);
    await owner.getByLabel("Your name").fill("Ines Invoice");
    await owner.getByLabel("Email").fill(`ines-${stamp}@example.test`);
    await owner.getByLabel("Password").fill("a-long-enough-password");
    await owner.getByRole("button", { name: "Create account" }).click();
    await atPath(owner, /^\/business\/[0-9a-f-]{36}\/billing$/);

    await owner.getByRole("link", { name: "Edit tariff plan" }).click();
    const dialog = owner.getByRole("dialog", { name: "Edit tariff plan" });
    await dialog.getByRole("radio", { name: "Monthly" }).check();
    await dialog.getByLabel("Number of locations").fill("1");
    await dialog.getByRole("button", { name: "Preview change" }).click();
    await dialog.getByRole("button", { name: "Confirm change" }).click();
    await expect.poll(() => owner.getByRole("dialog").count()).toBe(0);

    const businessPath = new URL(owner.url()).pathname.replace(/\/billing$/, "");
    await owner.goto(`${businessPath}/invoices`);
    await visible(heading(owner, "Invoices"));
    const pdf = owner.getByRole("link", { name: /^Download PDF INV-\d{4}-\d{5}$/ });
    await visible(pdf);
    const number = ((await pdf.getAttribute("aria-label")) ?? "").replace("Download PDF ", "");
    await owner.getByRole("link", { name: number, exact: true }).click();
    await visible(heading(owner, `Invoice ${number}`));
    const download = owner.getByRole("link", { name: "Download PDF" });
    const response = await owner.request.get((await download.getAttribute("href")) ?? "");
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toBe("application/pdf");
    await newcomer.close();

    // Support: the business's page links the invoice; a void needs a reason.
    await signIn(page, demo.support);
    await atPath(page, /^\/support/);
    await page.goto(`/support/businesses/${businessPath.split("/").at(-1)}`);
    await page.getByRole("link", { name: number, exact: true }).click();
    await atPath(page, /^\/support\/invoices\/[0-9a-f-]{36}$/);
    await visible(heading(page, `Invoice ${number}`));
    page.once("dialog", (confirm) => void confirm.accept());
    await page.getByRole("button", { name: "Void invoice" }).click();
    // The server's answer marks the field (the label alone is on the page before it).
    await expect.poll(() => page.getByLabel("Reason").getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel("Reason").fill("Issued in error (e2e)");
    page.once("dialog", (confirm) => void confirm.accept());
    await page.getByRole("button", { name: "Void invoice" }).click();
    await visible(page.getByRole("status").filter({ hasText: `Invoice ${number} is void.` }));
    await visible(page.getByText("Reason: Issued in error (e2e)"));
    await visible(page.getByText("Nothing to correct here", { exact: false }));
  });
});
