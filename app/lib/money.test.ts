import { describe, expect, it } from "vitest";
import {
  bundleRetailCents,
  discountCents,
  divideHalfEven,
  marginCents,
  wholesalePrice,
} from "./money";

describe("divideHalfEven", () => {
  it.each([
    [5n, 2n, 2n],
    [7n, 2n, 4n],
    [15n, 10n, 2n],
    [25n, 10n, 2n],
    [26n, 10n, 3n],
    [24n, 10n, 2n],
    [-5n, 2n, -2n],
    [-7n, 2n, -4n],
    [0n, 3n, 0n],
  ])("%s / %s → %s", (n, d, q) => {
    expect(divideHalfEven(n, d)).toBe(q);
  });
});

describe("bundle prices", () => {
  const prices = { staffSeatMonthCents: 2900, cardOperationCents: 5 };

  it("retail value = seats × term × seat price + operations × operation price", () => {
    // Café Starter: 2 seats, 1,000 operations, 12 months → 2·12·29 + 1000·0.05 = €746.00
    expect(bundleRetailCents({ staffSeats: 2, cardOperations: 1000, termMonths: 12 }, prices)).toBe(
      74_600,
    );
    expect(
      bundleRetailCents({ staffSeats: 1000, cardOperations: 10_000_000, termMonths: 36 }, prices),
    ).toBe(154_400_000);
  });

  it("discounts round half-even, once", () => {
    expect(discountCents(74_600, 3000)).toBe(22_380);
    expect(discountCents(5, 5000)).toBe(2); // 2.5 → 2
    expect(discountCents(15, 5000)).toBe(8); // 7.5 → 8
    expect(wholesalePrice(74_600, 3000)).toEqual({
      retailCents: 74_600,
      discountCents: 22_380,
      wholesaleCents: 52_220,
    });
    expect(marginCents(60_000, 52_220)).toBe(7_780);
  });
});
