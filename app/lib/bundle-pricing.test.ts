import { describe, expect, it } from "vitest";
import { bundlePrice, previewBundlePrice } from "./bundle-pricing";

const prices = { staffSeatMonthCents: 2900, cardOperationCents: 5 };

describe("bundlePrice", () => {
  it("Café Starter at 30%: €746.00 retail, €223.80 discount, €522.20 wholesale", () => {
    expect(
      bundlePrice(
        { staffSeats: 2, cardOperations: 1000, termMonths: 12, resalePriceCents: null },
        prices,
        3000,
      ),
    ).toEqual({
      retailCents: 74_600,
      discountCents: 22_380,
      wholesaleCents: 52_220,
      marginCents: null,
    });
  });

  it("margin = resale − wholesale, negative when sold below cost", () => {
    const quantities = { staffSeats: 2, cardOperations: 1000, termMonths: 12 };
    expect(bundlePrice({ ...quantities, resalePriceCents: 69_000 }, prices, 3000).marginCents).toBe(
      16_780,
    );
    expect(bundlePrice({ ...quantities, resalePriceCents: 50_000 }, prices, 3000).marginCents).toBe(
      -2220,
    );
  });
});

describe("previewBundlePrice (the form's live panel)", () => {
  const typed = { staffSeats: "2", cardOperations: "1,000", termMonths: "12", resalePrice: "" };

  it("prices what was typed", () => {
    expect(previewBundlePrice(typed, prices, 3000)).toMatchObject({
      retailCents: 74_600,
      wholesaleCents: 52_220,
      marginCents: null,
    });
    expect(previewBundlePrice({ ...typed, resalePrice: "690,00" }, prices, 3000)?.marginCents).toBe(
      16_780,
    );
  });

  it("shows no margin for a resale price that does not parse", () => {
    expect(previewBundlePrice({ ...typed, resalePrice: "12.345" }, prices, 3000)).toMatchObject({
      retailCents: 74_600,
      marginCents: null,
    });
  });

  it.each([
    { staffSeats: "" },
    { staffSeats: "abc" },
    { staffSeats: "1001" },
    { cardOperations: "-1" },
    { cardOperations: "10000001" },
    { termMonths: "0" },
    { termMonths: "37" },
    { staffSeats: "0", cardOperations: "0" },
  ])("nothing while a quantity is missing or out of range: %j", (change) => {
    expect(previewBundlePrice({ ...typed, ...change }, prices, 3000)).toBeNull();
  });
});
