import { describe, expect, it } from "vitest";
import {
  parseEuroCents,
  parsePercentageBps,
  parseWholeNumber,
  percentageInput,
} from "./money-input";

describe("parseEuroCents", () => {
  it.each([
    ["12.50", 1250],
    ["12,50", 1250],
    ["12.5", 1250],
    ["12,5", 1250],
    ["12", 1200],
    ["0", 0],
    ["0.01", 1],
    ["0,07", 7],
    ["  450.00  ", 45_000],
    ["1 234,56", 123_456],
    ["1\u00a0234.56", 123_456],
    ["€12.50", 1250],
    ["12,50 €", 1250],
    ["12.50 EUR", 1250],
    ["eur 3", 300],
    ["-0", 0],
    // No float on the way: 0.1 + 0.2 style errors cannot happen.
    ["0.29", 29],
    ["1.10", 110],
    ["1000000000.00", 100_000_000_000],
    ["9999999999999.99", 999_999_999_999_999],
  ])("%j → %d cents", (input, cents) => {
    expect(parseEuroCents(input)).toEqual({ ok: true, cents });
  });

  it.each([
    "",
    "abc",
    "12.345",
    "1,234.50",
    "1.234,50",
    "1,234",
    "12.",
    ".5",
    "1e3",
    "12..5",
    "0x10",
    "Infinity",
    "NaN",
    "12€50",
    "12,50,00",
    "99999999999999",
  ])("%j is not an amount", (input) => {
    expect(parseEuroCents(input)).toEqual({ ok: false, reason: "format" });
  });

  it.each(["-5", "-12.50", "−3,00", "-€4"])("%j is negative", (input) => {
    expect(parseEuroCents(input)).toEqual({ ok: false, reason: "negative" });
  });
});

describe("parseWholeNumber", () => {
  it.each([
    ["0", 0],
    ["12", 12],
    ["  7 ", 7],
    ["1000", 1000],
    ["1,000", 1000],
    ["1.000", 1000],
    ["10,000,000", 10_000_000],
    ["10.000.000", 10_000_000],
    ["1 000 000", 1_000_000],
    ["1\u202f000", 1000],
    ["007", 7],
    ["-5", -5],
    ["−5", -5],
    ["-0", 0],
  ])("%j → %d", (input, value) => {
    expect(parseWholeNumber(input)).toBe(value);
  });

  it.each([
    "",
    " ",
    "abc",
    "1.5",
    "1,5",
    "12,34",
    "1,000.000",
    "1,0000",
    "1e3",
    "0x10",
    "+5",
    "5-",
    "Infinity",
    "NaN",
    "1_000",
  ])("%j is not a whole number", (input) => {
    expect(parseWholeNumber(input)).toBeNull();
  });

  it("keeps huge numbers huge, so a range check rejects them", () => {
    expect(parseWholeNumber("99999999999999999999")).toBeGreaterThan(10_000_000);
  });
});

describe("parsePercentageBps", () => {
  it.each([
    ["30", 3000],
    ["30%", 3000],
    [" 30 % ", 3000],
    ["12.5", 1250],
    ["12,25", 1225],
    ["0", 0],
    ["100", 10000],
    ["0.01", 1],
  ])("reads %j as %i basis points", (input, bps) => {
    expect(parsePercentageBps(input)).toBe(bps);
  });

  it.each(["", "-5", "12.345", "abc", "1e2", "30%%", "12.5.1"])("refuses %j", (input) => {
    expect(parsePercentageBps(input)).toBeNull();
  });

  it("shows basis points back as the number typed", () => {
    expect([3000, 1250, 1225, 1, 0].map(percentageInput)).toEqual([
      "30",
      "12.5",
      "12.25",
      "0.01",
      "0",
    ]);
  });
});
