import { describe, expect, it } from "vitest";
import { suggestSlug } from "./slug";

describe("suggestSlug", () => {
  it.each([
    ["Harbour Digital", "harbour-digital"],
    ["  Café  Crème & Co. ", "cafe-creme-co"],
    ["Till & Tap POS", "till-tap-pos"],
    ["!!!", ""],
  ])("%j → %j", (name, slug) => {
    expect(suggestSlug(name)).toBe(slug);
  });

  it("stays within the 48 characters a slug may have, without a trailing dash", () => {
    const slug = suggestSlug(`${"a".repeat(47)} b`);
    expect(slug.length).toBeLessThanOrEqual(48);
    expect(slug.endsWith("-")).toBe(false);
  });
});
