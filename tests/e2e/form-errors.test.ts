// Bad input is answered on the form, naming the field.
import { atPath, demo, describe, expect, test, visible } from "./fixtures";

describe("form errors", () => {
  test("sign-up with an invalid email names the field and stays on /signup", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Business name").fill("Typo Tea Room");
    await page.getByLabel("Your name").fill("Tim Typo");
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("a-long-enough-password");
    await page.getByRole("button", { name: "Create account" }).click();

    const error = page
      .getByRole("alert")
      .filter({ hasText: "Email must be a valid email address" });
    await visible(error);
    await atPath(page, "/signup");
    const email = page.getByLabel("Email");
    expect(await email.getAttribute("aria-invalid")).toBe("true");
    // What was typed is kept, so it can be corrected.
    expect(await email.inputValue()).toBe("not-an-email");
    expect(await page.getByLabel("Business name").inputValue()).toBe("Typo Tea Room");
  });

  test("the wrong password is refused on the login form", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(demo.owner);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();

    await visible(
      page.getByRole("alert").filter({ hasText: "The email or password is not correct." }),
    );
    await atPath(page, "/login");
    expect(await page.getByLabel("Email").inputValue()).toBe(demo.owner);
  });
});
