// Enrolment end to end: support enrols "Harbour Digital" on the partners page (slug suggested
// from the name), its owner opens the emailed link from the outbox, sets a password, lands on
// the partner dashboard, creates a bundle and generates a code.
import { at } from "../helpers/rows.ts";
import { contextOptions } from "./browser";
import { listOutbox, waitForNewMail } from "./outbox";
import {
  atPath,
  BASE_URL,
  demo,
  describe,
  expect,
  heading,
  signIn,
  test,
  visible,
} from "./fixtures";

describe("support enrols a partner", () => {
  test("Harbour Digital is enrolled, its owner joins from the email and makes a first code", async ({
    page,
    browser,
  }) => {
    const stamp = Date.now().toString(36);
    const owner = `hannah-${stamp}@harbour.example`;
    await signIn(page, demo.support);
    await atPath(page, "/support");
    await page.goto("/support/partners");
    await visible(heading(page, "Partners"));

    const before = await listOutbox();
    await page.getByLabel("Partner name").fill("Harbour Digital");
    // The slug follows the name.
    await expect.poll(() => page.getByLabel("Slug").inputValue()).toBe("harbour-digital");
    await page.getByLabel("Statement prefix").fill("hd");
    await page.getByLabel("Wholesale discount (%)").fill("150");
    await page.getByLabel("Contact name").fill("Hannah Harbour");
    await page.getByLabel("Contact and owner email").fill(owner);
    await page.getByRole("button", { name: "Enrol and invite the owner" }).click();
    // Out of range: a field error, what was typed is kept, nothing created.
    await visible(
      page.getByRole("alert").filter({ hasText: /Wholesale discount \(%\) must be a percentage/ }),
    );
    expect(await page.getByLabel("Contact and owner email").inputValue()).toBe(owner);
    await page.getByLabel("Wholesale discount (%)").fill("25");
    await page.getByRole("button", { name: "Enrol and invite the owner" }).click();

    await atPath(page, "/support/partners/harbour-digital");
    await visible(heading(page, "Harbour Digital"));
    await visible(
      page
        .getByRole("status")
        .filter({ hasText: `Harbour Digital is enrolled; an invitation was sent to ${owner}.` }),
    );
    await visible(page.getByRole("listitem").filter({ hasText: owner }));

    const mail = await waitForNewMail(owner, before);
    const match = /https?:\/\/[^\s/]+(\/invitations\/[a-z0-9]+)/.exec(mail.text);
    expect(match, mail.text).not.toBeNull();
    const invitationPath = at(match ?? [], 1, "invitation path");

    const ownerContext = await browser.newContext({ ...contextOptions, baseURL: BASE_URL });
    try {
      const invited = await ownerContext.newPage();
      await invited.goto(invitationPath);
      await visible(heading(invited, "Join Harbour Digital"));
      await invited.getByLabel("Your name").fill("Hannah Harbour");
      await invited.getByLabel("Password").fill("harbour-pass-2026");
      await invited.getByRole("button", { name: "Create account and join" }).click();
      await atPath(invited, "/partner/harbour-digital");
      await visible(invited.getByRole("status").filter({ hasText: "You joined Harbour Digital." }));

      await invited.goto("/partner/harbour-digital/bundles/new");
      await visible(heading(invited, "New bundle"));
      await invited.getByLabel("Name").fill("Harbour Starter");
      await invited.getByLabel("Staff seats").fill("1");
      await invited.getByLabel("Card operations").fill("500");
      await invited.getByLabel("Term in months").fill("6");
      await invited.getByRole("button", { name: "Create bundle" }).click();
      await atPath(invited, /^\/partner\/harbour-digital\/bundles\/[0-9a-f-]{36}$/);
      await invited.getByRole("link", { name: "Generate codes" }).click();
      await invited.getByLabel("Number of codes").fill("1");
      await invited.getByRole("button", { name: "Generate codes" }).click();
      await atPath(invited, /^\/partner\/harbour-digital\/batches\/[0-9a-f-]{36}$/);
      await visible(invited.getByRole("status").filter({ hasText: "1 code generated." }));
    } finally {
      await ownerContext.close();
    }
  });
});
