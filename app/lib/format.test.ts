// Money is integer cents; it becomes text only through Intl, never through a float.
import { describe, expect, test } from "vitest";
import {
  centsToDecimalString,
  formatBasisPoints,
  formatDate,
  formatLongDate,
  formatMoney,
  formatMonth,
  formatNumber,
  formatRelativeTime,
  intlLocale,
} from "./format";

const NBSP = "\u00a0";

describe("centsToDecimalString", () => {
  test.each([
    [0, "0.00"],
    [5, "0.05"],
    [99, "0.99"],
    [100, "1.00"],
    [123456, "1234.56"],
    [-5, "-0.05"],
    [-1234, "-12.34"],
    [-100, "-1.00"],
    [Number.MAX_SAFE_INTEGER, "90071992547409.91"],
    [-Number.MAX_SAFE_INTEGER, "-90071992547409.91"],
  ])("%i → %s", (cents, expected) => {
    expect(centsToDecimalString(cents)).toBe(expected);
  });

  test.each([12.5, 0.1, Number.NaN, Infinity, Number.MAX_SAFE_INTEGER + 1])(
    "refuses %d (not a safe integer)",
    (cents) => {
      expect(() => centsToDecimalString(cents)).toThrow(RangeError);
    },
  );
});

describe("formatMoney", () => {
  test.each([
    [123456, "en-GB", "€1,234.56"],
    [123456, "de-DE", `1.234,56${NBSP}€`],
    [0, "de-DE", `0,00${NBSP}€`],
    [-1234, "en-GB", "-€12.34"],
    [-1234, "de-DE", `-12,34${NBSP}€`],
    [-5, "en-GB", "-€0.05"],
    [100, "en", "€1.00"],
  ])("%i cents in %s → %s", (cents, locale, expected) => {
    expect(formatMoney(cents, locale)).toBe(expected);
  });

  test("large amounts keep every cent (no float rounding)", () => {
    expect(formatMoney(Number.MAX_SAFE_INTEGER, "en-GB")).toBe("€90,071,992,547,409.91");
    expect(formatMoney(Number.MAX_SAFE_INTEGER, "de-DE")).toBe(`90.071.992.547.409,91${NBSP}€`);
    // 0.1 + 0.2 style errors would show here as …0.30000000000000004 or an off-by-one cent.
    expect(formatMoney(1000000000000003, "en-GB")).toBe("€10,000,000,000,000.03");
  });

  test("another currency", () => {
    expect(formatMoney(1999, "en-GB", "USD")).toBe("US$19.99");
  });

  test("refuses fractional cents", () => {
    expect(() => formatMoney(10.5, "en-GB")).toThrow(RangeError);
  });
});

describe("numbers, dates and basis points", () => {
  test("formatNumber groups by locale", () => {
    expect(formatNumber(1234567, "de-DE")).toBe("1.234.567");
    expect(formatNumber(1234567, "en-GB")).toBe("1,234,567");
  });

  test("formatDate is in UTC whatever the machine's zone", () => {
    expect(formatDate(new Date("2026-02-28T23:30:00Z"), "de-DE")).toBe("28.02.2026");
    expect(formatDate("2026-02-28T23:30:00Z", "en-GB")).toBe("28 Feb 2026");
  });

  test("formatBasisPoints", () => {
    expect(formatBasisPoints(3000, "en-GB")).toBe("30%");
    expect(formatBasisPoints(1250, "en-GB")).toBe("12.5%");
    expect(formatBasisPoints(3000, "de-DE")).toBe(`30${NBSP}%`);
  });
});

describe("Thai and Ukrainian formats (ADR 035)", () => {
  const may25 = new Date("2026-05-25T09:30:00Z");

  test("Thai dates count years in the Buddhist era, whatever the tag", () => {
    for (const tag of ["th", "th-TH", "th-TH-u-ca-buddhist", "th-TH-u-ca-gregory"]) {
      expect(formatLongDate(may25, tag)).toBe("25 พฤษภาคม 2569");
    }
    expect(formatMonth(new Date("2026-10-01T00:00:00Z"), "th")).toBe("ตุลาคม 2569");
    expect(intlLocale("th-TH")).toBe("th-TH-u-ca-buddhist");
  });

  test("Ukrainian dates and money", () => {
    expect(formatLongDate(may25, "uk-UA")).toBe("25 травня 2026 р.");
    expect(formatMoney(123456, "uk-UA")).toBe(`1${NBSP}234,56${NBSP}€`);
    expect(formatMoney(123456, "th-TH")).toBe("€1,234.56");
  });

  test("relative times in each language", () => {
    const now = new Date("2026-05-28T09:30:00Z");
    expect(formatRelativeTime(may25, now, "en")).toBe("3 days ago");
    expect(formatRelativeTime(may25, now, "th")).toBe("3 วันที่ผ่านมา");
    expect(formatRelativeTime(may25, now, "uk")).toBe("3 дні тому");
    expect(formatRelativeTime(new Date("2026-05-28T11:30:00Z"), now, "en")).toBe("in 2 hours");
    expect(formatRelativeTime(now, now, "en")).toBe("now");
  });

  test("a tag Intl cannot read formats as English instead of throwing", () => {
    expect(intlLocale("!!")).toBe("en");
  });
});
