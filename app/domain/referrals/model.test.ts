import { describe, expect, it } from "vitest";
import { hashIp, ownedEmailDomain, slugFrom, slugField, userAgentClass } from "./model.server";

describe("referral vocabulary", () => {
  it.each([
    ["Corner Coffee", "corner-coffee"],
    ["  Café Crème ", "cafe-creme"],
    ["A", "ref-a"],
    ["!!!", "ref-link"],
  ])("slug from %j is %j, and a valid slug", (name, slug) => {
    expect(slugFrom(name)).toBe(slug);
    expect(slugField.safeParse(slug).success).toBe(true);
  });

  it("refuses slugs with spaces, edges or other symbols", () => {
    for (const bad of ["ab", "-abc", "abc-", "a b c", "ünï", "x".repeat(41)]) {
      expect(slugField.safeParse(bad).success).toBe(false);
    }
    expect(slugField.parse(" Corner-Coffee ")).toBe("corner-coffee");
  });

  it("classes browsers coarsely", () => {
    expect(userAgentClass(null)).toBe("other");
    expect(userAgentClass("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)")).toBe("mobile");
    expect(userAgentClass("Mozilla/5.0 (iPad; CPU OS 17_0)")).toBe("tablet");
    expect(userAgentClass("Mozilla/5.0 (compatible; Googlebot/2.1)")).toBe("bot");
    expect(userAgentClass("Mozilla/5.0 (X11; Linux x86_64)")).toBe("desktop");
  });

  it("keeps an address as a keyed hash, equal for equal addresses", () => {
    expect(hashIp("192.0.2.1")).toBe(hashIp("192.0.2.1"));
    expect(hashIp("192.0.2.1")).not.toBe(hashIp("192.0.2.2"));
    expect(hashIp("192.0.2.1")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("ignores public mail providers' domains", () => {
    expect(ownedEmailDomain("a@Gmail.com")).toBeNull();
    expect(ownedEmailDomain("a@corner-coffee.ie")).toBe("corner-coffee.ie");
    expect(ownedEmailDomain("nonsense")).toBeNull();
  });
});
