// A user in two organisations switches between them from the header.
import { atPath, demo, describe, expect, heading, signIn, test, visible } from "./fixtures";

describe("organisation switcher", () => {
  test("a partner member switches from Brewline Agency to Till & Tap POS", async ({ page }) => {
    await signIn(page, demo.partner);
    await atPath(page, "/partner/brewline");
    await visible(heading(page, "Brewline Agency"));

    // A <details> disclosure in the header; its <summary> starts with the (visually hidden)
    // words "Switch organisation:" followed by the current organisation.
    const switcher = page.locator("summary", { hasText: "Switch organisation" });
    await visible(switcher);
    const tillTap = page.getByRole("banner").getByRole("link", { name: /Till & Tap POS/ });
    expect(await tillTap.isVisible()).toBe(false);
    await switcher.click();
    await visible(tillTap);
    await tillTap.click();

    await atPath(page, "/partner/tilltap");
    await visible(heading(page, "Till & Tap POS"));
    expect(await switcher.textContent()).toContain("Till & Tap POS");
    // The menu closed behind the choice.
    await tillTap.waitFor({ state: "hidden" });
  });
});
