// A partner owner invites a person by email; the person follows the link from the outbox,
// sets a name and password, and lands in the partner's portal as a member.
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

describe("invitation", () => {
  test("an invited person joins Brewline Agency from the emailed link", async ({
    page,
    browser,
  }) => {
    const email = `invitee-${Date.now()}@example.test`;
    await signIn(page, demo.partner);
    await atPath(page, "/partner/brewline");
    await page.goto("/partner/brewline/team");
    const before = await listOutbox();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send invitation" }).click();
    await visible(page.getByRole("status").filter({ hasText: `Invitation sent to ${email}.` }));
    // The form is empty again after a successful invitation; the invitation waits.
    expect(await page.getByLabel("Email").inputValue()).toBe("");
    await visible(page.getByRole("listitem").filter({ hasText: email }));

    const mail = await waitForNewMail(email, before);
    const match = /https?:\/\/[^\s/]+(\/invitations\/[a-z0-9]+)/.exec(mail.text);
    expect(match, mail.text).not.toBeNull();
    const invitationPath = at(match ?? [], 1, "invitation path");

    const invitee = await browser.newContext({ ...contextOptions, baseURL: BASE_URL });
    try {
      const invited = await invitee.newPage();
      await invited.goto(invitationPath);
      await visible(heading(invited, "Join Brewline Agency"));
      await invited.getByLabel("Your name").fill("Ivy Invitee");
      await invited.getByLabel("Password").fill("invitee-pass-2026");
      await invited.getByRole("button", { name: "Create account and join" }).click();
      await atPath(invited, "/partner/brewline");
      await visible(invited.getByRole("status").filter({ hasText: "You joined Brewline Agency." }));
      await visible(invited.getByText("you are Member"));

      // The link works once.
      await invited.goto(invitationPath);
      await visible(heading(invited, "This invitation cannot be used"));
    } finally {
      await invitee.close();
    }
  });
});
