// Harbour Deli's owner invites a person to the staff, the person joins, the owner removes
// them: the removed person is told they no longer have access to Harbour Deli and what to do —
// on the page they had open, and again on signing in, since they belong nowhere else — not
// "Page not found" (ADR 018). Both of their pages are axe-scanned like every other.
import { at } from "../helpers/rows.ts";
import { listOutbox, waitForNewMail } from "./outbox";
import { atPath, describe, expect, heading, openPage, signIn, test, visible } from "./fixtures";

const DELI_OWNER = "deli@demo.7stamp.test";
const REMOVED_PASSWORD = "removed-pass-2026";

describe("a removed staff member", () => {
  test("signs in and is told they no longer have access to the business", async ({
    page,
    browser,
  }) => {
    const email = `removed-${Date.now()}@example.test`;
    await signIn(page, DELI_OWNER);
    await atPath(page, /^\/business\/[^/]+\/billing$/);
    const billingPath = new URL(page.url()).pathname;
    const staffPath = billingPath.replace(/\/billing$/, "/staff");
    await page.goto(staffPath);
    await visible(heading(page, "Staff seats"));
    const before = await listOutbox();
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByRole("button", { name: "Send invitation" }).click();
    await visible(page.getByRole("status").filter({ hasText: `Invitation sent to ${email}.` }));
    const mail = await waitForNewMail(email, before);
    const link = /https?:\/\/[^\s/]+(\/invitations\/[a-z0-9]+)/.exec(mail.text);
    expect(link, mail.text).not.toBeNull();
    const invitationPath = at(link ?? [], 1, "invitation path");

    const staff = await openPage(browser);
    try {
      const person = staff.page;
      await person.goto(invitationPath);
      await visible(heading(person, "Join Harbour Deli"));
      await person.getByLabel("Your name").fill("Rita Removed");
      await person.getByLabel("Password").fill(REMOVED_PASSWORD);
      await person.getByRole("button", { name: "Create account and join" }).click();
      await atPath(person, billingPath);

      // The owner removes them (the browser asks first).
      await page.reload();
      page.once("dialog", (dialog) => void dialog.accept());
      await page.getByRole("button", { name: `Remove ${email}` }).click();
      await visible(
        page.getByRole("status").filter({ hasText: `${email} was removed from the staff.` }),
      );

      // The page they had open: the explanation, not a 404.
      const response = await person.reload();
      expect(response?.status()).toBe(403);
      await visible(heading(person, "You no longer have access to Harbour Deli"));
      await visible(person.getByText(/^You were removed from Harbour Deli on /));
      await visible(
        person.getByText("Ask the owner of Harbour Deli to invite you again", { exact: false }),
      );
      await visible(person.getByText("You do not belong to any other organisation on the portal."));
      expect(await person.getByText("Page not found").count()).toBe(0);

      // Signing out and in again: they belong nowhere, so they land on the same explanation.
      await person.getByRole("main").getByRole("button", { name: "Sign out" }).click();
      await atPath(person, "/login");
      await signIn(person, email, REMOVED_PASSWORD);
      await atPath(person, billingPath);
      await visible(heading(person, "You no longer have access to Harbour Deli"));
    } finally {
      await staff.close();
    }
  });

  test("someone who never worked there still gets Page not found", async ({ page }) => {
    await signIn(page, DELI_OWNER);
    await atPath(page, /^\/business\/[^/]+\/billing$/);
    const billingPath = new URL(page.url()).pathname;
    await page.getByRole("button", { name: "Sign out" }).click();
    await atPath(page, "/login");
    await signIn(page, "owner@demo.7stamp.test");
    await atPath(page, /^\/business\/[^/]+\/billing$/);
    const response = await page.goto(billingPath);
    expect(response?.status()).toBe(404);
    await visible(heading(page, "Page not found"));
  });
});
