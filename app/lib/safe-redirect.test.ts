// Redirect targets after sign-in come from the query string: only local paths pass.
import { describe, expect, test } from "vitest";
import { safeRedirectPath } from "./safe-redirect";

describe("safeRedirectPath", () => {
  test.each(["/", "/partner/brewline", "/partner/brewline/team?x=1#top", "/a//b", "/%2F%2Fevil"])(
    "keeps the local path %j",
    (target) => {
      expect(safeRedirectPath(target, "/home")).toBe(target);
    },
  );

  test.each([
    "//evil.example",
    "//evil.example/partner",
    "https://evil.example/",
    "http://localhost:3000/partner",
    "javascript:alert(1)",
    "/\\evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/ok\u0000",
    "/\u007f/evil.example",
    " /partner",
    "partner/brewline",
    "",
  ])("refuses %j", (target) => {
    expect(safeRedirectPath(target, "/home")).toBe("/home");
  });

  test("non-strings and missing values fall back", () => {
    expect(safeRedirectPath(null)).toBe("/");
    expect(safeRedirectPath(undefined, "/account")).toBe("/account");
    expect(safeRedirectPath(new File(["x"], "x.txt"), "/account")).toBe("/account");
  });
});
