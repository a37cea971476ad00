// The referral program in a real browser (issue 15): support connects Corner Coffee from its
// support page; a visitor opens the /r/… link in a fresh browser, is told who invited them,
// signs up and redeems a code; the referral qualifies. The visitor signs up from the same
// address Corner Coffee's owner signed in from (every browser here is on this machine), so it
// is flagged as a possible self-referral and support approves it from /support/referrals with
// a reason; then both billing pages show the referral bonus and Corner Coffee's referrals page
// shows the funnel moving. Every page is scanned by axe (fixtures).
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

const BILLING = /^\/business\/([0-9a-f-]{36})\/billing$/;

describe("the referral program", () => {
  test("connect, visit, sign up, redeem, approve, and the referrer sees the conversion", async ({
    page,
    browser,
  }) => {
    const stamp = Date.now().toString(36);
    const code = only(await generateCodes(page, 1, `E2E referral ${stamp}`), "generated code");

    // --- Corner Coffee's owner signs in (the address the flag will see) ---------------------
    const owner = await openPage(browser);
    await signIn(owner.page, demo.owner);
    await atPath(owner.page, BILLING);
    const cornerCoffeeId = BILLING.exec(new URL(owner.page.url()).pathname)![1];
    await owner.page.goto(`/business/${cornerCoffeeId}/referrals`);
    await visible(owner.page.getByText("Your account is not in the referral program yet"));

    // --- Support connects Corner Coffee ---------------------------------------------------
    const support = await openPage(browser);
    await signIn(support.page, demo.support);
    await atPath(support.page, /^\/support/);
    await support.page.goto(`/support/businesses/${cornerCoffeeId}`);
    await visible(heading(support.page, "Corner Coffee"));
    const panel = support.page.getByRole("region", { name: "Referral program" });
    const slug = `corner-coffee-${stamp}`;
    await panel.getByLabel("Personal link").fill(slug);
    await panel.getByRole("button", { name: "Connect to the referral program" }).click();
    await visible(
      support.page.getByRole("status").filter({ hasText: "Connected to the referral program" }),
    );
    await visible(panel.getByTestId("referral-link").filter({ hasText: `/r/${slug}` }));

    // --- A visitor opens the link in a fresh browser and signs up --------------------------
    const visitor = await openPage(browser);
    await visitor.page.goto(`/r/${slug}`);
    await atPath(visitor.page, "/signup");
    await visible(visitor.page.getByText("You were invited by Corner Coffee."));
    await visitor.page.getByLabel("Business name").fill(`Referred Bakery ${stamp}`);
    await visitor.page.getByLabel("Your name").fill("Rita Referred");
    await visitor.page.getByLabel("Email").fill(`rita-${stamp}@gmail.com`);
    await visitor.page.getByLabel("Password").fill("a-long-enough-password");
    await visitor.page.getByRole("button", { name: "Create account" }).click();
    await atPath(visitor.page, BILLING);
    await visitor.page.getByLabel("Enter activation code").fill(code.display);
    await visitor.page.getByRole("button", { name: "Activate", exact: true }).click();
    await visible(visitor.page.getByRole("region", { name: `Code #${code.serial} — Claimed` }));

    // --- The referrer sees the sign-up; the referral waits (flagged: the same address) -----
    await owner.page.goto(`/business/${cornerCoffeeId}/referrals`);
    const funnel = owner.page.getByTestId("referral-funnel");
    await visible(funnel);
    await expect.poll(async () => (await funnel.textContent()) ?? "").toMatch(/Sign-ups\s*1/);
    await expect.poll(async () => (await funnel.textContent()) ?? "").toMatch(/Pending\s*1/);

    // --- Support sees why, and approves -----------------------------------------------------
    await support.page.goto("/support/referrals");
    await visible(heading(support.page, "Referral program"));
    const item = support.page
      .getByTestId("referral-queue-item")
      .filter({ hasText: `Referred Bakery ${stamp}` });
    await visible(item.getByText("Signed up from an address the referrer used within 30 days"));
    await item.getByLabel("Reason").fill("Checked: a neighbour on the shop's guest wifi");
    await item.getByRole("button", { name: "Approve and grant" }).click();
    await visible(support.page.getByRole("status").filter({ hasText: "Referral approved" }));

    // --- Both billing pages show the bonus; the funnel moved ------------------------------
    await visitor.page.reload();
    await visible(visitor.page.getByRole("region", { name: "Referral bonus" }));
    await owner.page.goto(`/business/${cornerCoffeeId}/billing`);
    await visible(owner.page.getByRole("region", { name: "Referral bonus" }));
    await owner.page.goto(`/business/${cornerCoffeeId}/referrals`);
    await expect.poll(async () => (await funnel.textContent()) ?? "").toMatch(/Rewarded\s*1/);
    await visible(owner.page.getByRole("cell", { name: `Referred Bakery ${stamp}` }));
    expect(await owner.page.locator("#referral-link").inputValue()).toMatch(
      new RegExp(`/r/${slug}$`),
    );

    await visitor.close();
    await support.close();
    await owner.close();
    // Four browsers (partner, owner, support, visitor) and a sign-up: longer than one page's flow.
  }, 120_000);
});
