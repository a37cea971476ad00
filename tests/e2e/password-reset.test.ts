// Forgot password → email (read from the server's outbox) → new password → sign in with it.
// The demo owner's password is put back afterwards, so the other tests can still use it.
import type { Page } from "playwright-core";
import { contextOptions } from "./browser";
import { listOutbox, resetLinkPath, waitForNewMail } from "./outbox";
import {
  atPath,
  BASE_URL,
  demo,
  DEMO_PASSWORD,
  describe,
  expect,
  heading,
  signIn,
  test,
  visible,
} from "./fixtures";

async function resetPassword(page: Page, email: string, newPassword: string) {
  const before = await listOutbox();
  await page.goto("/forgot-password");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await atPath(page, "/login");
  await visible(page.getByRole("status").filter({ hasText: `If an account exists for ${email}` }));

  const mail = await waitForNewMail(email, before);
  const link = resetLinkPath(mail.text);
  await page.goto(link);
  await visible(heading(page, "Choose a new password"));
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Repeat the new password", { exact: true }).fill(newPassword);
  await page.getByRole("button", { name: "Save password" }).click();
  await atPath(page, "/login");
  await visible(page.getByRole("status").filter({ hasText: "Your password was changed." }));
  return link;
}

describe("password reset", () => {
  test("a reset link from the outbox sets a new password to sign in with", async ({
    browser,
    page,
  }) => {
    const newPassword = `new-password-${Date.now()}`;
    try {
      const link = await resetPassword(page, demo.owner, newPassword);

      // The link works once.
      await page.goto(link);
      await visible(heading(page, "This link cannot be used"));

      // The old password no longer works; the new one does.
      await signIn(page, demo.owner, DEMO_PASSWORD);
      await visible(
        page.getByRole("alert").filter({ hasText: "The email or password is not correct." }),
      );
      await signIn(page, demo.owner, newPassword);
      await atPath(page, /^\/business\/[0-9a-f-]{36}\/billing$/);
      await visible(heading(page, "Billing & invoices"));
      expect(page.url()).not.toContain("/login");
    } finally {
      // Put the demo password back (through the same flow) for the tests after this one.
      const restore = await browser.newContext({ ...contextOptions, baseURL: BASE_URL });
      try {
        await resetPassword(await restore.newPage(), demo.owner, DEMO_PASSWORD);
      } finally {
        await restore.close();
      }
    }
  });
});
