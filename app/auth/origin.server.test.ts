// The cross-site refusal rule on its own (server/http.ts applies it to every request).
import { describe, expect, test } from "vitest";
import { isCrossSiteRequest } from "./origin.server";

const allowedOrigins = ["https://portal.7stamp.example", "http://127.0.0.1:3000"];

function crossSite(
  method: string,
  origin: string | null | undefined,
  secFetchSite: string | null | undefined = undefined,
) {
  return isCrossSiteRequest({ method, origin, secFetchSite, allowedOrigins });
}

describe("isCrossSiteRequest", () => {
  test.each(["GET", "HEAD", "OPTIONS", "get", "head"])(
    "%s is never refused, whatever it claims",
    (method) => {
      expect(crossSite(method, "https://evil.example", "cross-site")).toBe(false);
    },
  );

  test.each(["POST", "PUT", "PATCH", "DELETE", "post"])("%s from an allowed origin passes", (m) => {
    for (const origin of allowedOrigins) expect(crossSite(m, origin)).toBe(false);
  });

  test.each(["POST", "PUT", "PATCH", "DELETE", "post"])(
    "%s from a foreign origin is refused",
    (m) => {
      expect(crossSite(m, "https://evil.example")).toBe(true);
    },
  );

  test.each([
    "null",
    "https://portal.7stamp.example.evil.example",
    "https://evil.portal.7stamp.example",
    "http://portal.7stamp.example",
    "https://portal.7stamp.example:443",
    "https://portal.7stamp.example/",
    "HTTPS://PORTAL.7STAMP.EXAMPLE",
  ])("Origin %j is not ours", (origin) => {
    expect(crossSite("POST", origin)).toBe(true);
  });

  test("an allowed Origin wins over Sec-Fetch-Site", () => {
    expect(crossSite("POST", allowedOrigins[0], "cross-site")).toBe(false);
    expect(crossSite("POST", "https://evil.example", "same-origin")).toBe(true);
  });

  test.each([
    ["cross-site", true],
    ["same-site", true],
    ["same-origin", false],
    ["none", false],
  ])("no Origin, Sec-Fetch-Site %s → refused: %s", (site, refused) => {
    expect(crossSite("POST", null, site)).toBe(refused);
    expect(crossSite("POST", undefined, site)).toBe(refused);
  });

  test("neither header (not a browser) passes: there are no cookies to abuse", () => {
    expect(crossSite("POST", null, null)).toBe(false);
    expect(crossSite("POST", "", "")).toBe(false);
  });
});
