// The demo owner fills Corner Coffee's free staff seats with invitations (however many the
// seed leaves free: the page says), then the form refuses more and says how to get seats.
import { listOutbox, waitForNewMail } from "./outbox";
import { atPath, demo, describe, expect, heading, signIn, test, visible } from "./fixtures";

const NO_SEAT =
  /staff seats? (are|is) taken\. To add staff, upgrade your plan or redeem an activation code on the billing page\./;

describe("staff seats", () => {
  test("the owner invites staff up to the seat limit and is refused past it", async ({ page }) => {
    await signIn(page, demo.owner);
    await atPath(page, /^\/business\/[^/]+\/billing$/);
    await page
      .getByRole("navigation", { name: "Main navigation" })
      .getByRole("link", { name: "Staff seats", exact: true })
      .click();
    await visible(heading(page, "Staff seats"));
    await visible(page.getByRole("progressbar", { name: "Staff seats taken or invited" }));
    await visible(page.getByRole("cell", { name: demo.owner, exact: true }));

    const freeText = await page.getByText(/^\d+ seats? free for new staff$/).textContent();
    const free = Number(/^(\d+)/.exec(freeText ?? "")?.[1]);
    expect(Number.isInteger(free), freeText ?? "").toBe(true);

    const email = page.getByLabel("Email", { exact: true });
    const send = page.getByRole("button", { name: "Send invitation" });
    const stamp = Date.now();
    for (let i = 0; i < free; i += 1) {
      const invitee = `staff-${stamp}-${i}@example.test`;
      const before = await listOutbox();
      await email.fill(invitee);
      await send.click();
      await visible(page.getByRole("status").filter({ hasText: `Invitation sent to ${invitee}.` }));
      await visible(page.getByRole("listitem").filter({ hasText: invitee }));
      const mail = await waitForNewMail(invitee, before);
      expect(mail.text).toContain("/invitations/");
    }

    // Every seat is taken or promised: the form is off, with the way to more seats.
    await visible(page.getByText("0 seats free for new staff", { exact: true }));
    // Pending invitations hold seats: the summary says so, and the bar is full.
    await visible(page.getByText(/^\d+ taken, \d+ invited, 0 free$/));
    const bar = page.getByRole("progressbar", { name: "Staff seats taken or invited" });
    expect(await bar.getAttribute("aria-valuenow")).toBe(await bar.getAttribute("aria-valuemax"));
    await visible(page.getByText(NO_SEAT));
    expect(await email.isDisabled()).toBe(true);
    expect(await send.isDisabled()).toBe(true);

    // One more, as from a page left open since a seat was free: the server refuses it, keeps
    // what was typed and says why.
    await page.locator("fieldset:has(input[name=email])").evaluate((fieldset) => {
      fieldset.removeAttribute("disabled");
    });
    const oneMore = `staff-${stamp}-more@example.test`;
    await email.fill(oneMore);
    await send.click();
    await visible(page.getByRole("alert").filter({ hasText: NO_SEAT }));
    expect(await email.inputValue()).toBe(oneMore);
    expect(await page.getByRole("listitem").filter({ hasText: oneMore }).count()).toBe(0);

    await page.getByRole("link", { name: "Go to the billing page" }).click();
    await atPath(page, /^\/business\/[^/]+\/billing$/);
  });
});
