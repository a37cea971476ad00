// Money, numbers and dates for a locale, through Intl: the one place each format is made
// (ADR 035). Money is integer cents everywhere; it becomes a decimal string only here, for
// display. Thai dates count years in the Buddhist era whatever tag arrives ("th", "th-TH").

/**
 * The tag Intl gets: Thai always with the Buddhist calendar ("25 พฤษภาคม 2569"), every
 * other locale as given. A tag Intl cannot read falls back to English, never throws.
 */
export function intlLocale(locale: string): string {
  let parsed: Intl.Locale;
  try {
    parsed = new Intl.Locale(locale);
  } catch {
    return "en";
  }
  if (parsed.language === "th" && parsed.calendar !== "buddhist") {
    return new Intl.Locale(parsed.baseName, { calendar: "buddhist" }).toString();
  }
  return parsed.toString();
}

/** Money in EUR, "€1,234.56" / "1 234,56 €" / "€1,234.56" (th): the symbol, not "EUR". */
export function moneyFormat(locale: string, currency = "EUR"): (cents: number) => string {
  const format = new Intl.NumberFormat(intlLocale(locale), {
    style: "currency",
    currency,
    // "€" everywhere (Ukrainian would otherwise write "EUR"); other currencies as usual.
    currencyDisplay: currency === "EUR" ? "narrowSymbol" : "symbol",
  });
  // Intl accepts a decimal string, so no float ever stands for money.
  return (cents) => format.format(centsToDecimalString(cents) as unknown as number);
}

export function numberFormat(locale: string): (value: number) => string {
  const format = new Intl.NumberFormat(intlLocale(locale));
  return (value) => format.format(value);
}

/** A UTC day: "25 May 2026", "25 พ.ค. 2569"; `long` spells the month ("25 พฤษภาคม 2569"). */
export function dateFormat(
  locale: string,
  style: "medium" | "long" = "medium",
): (value: Date | string) => string {
  const format = new Intl.DateTimeFormat(intlLocale(locale), {
    dateStyle: style,
    timeZone: "UTC",
  });
  return (value) => format.format(typeof value === "string" ? new Date(value) : value);
}

export function centsToDecimalString(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`cents must be a safe integer: ${cents}`);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

export function formatMoney(cents: number, locale: string, currency = "EUR"): string {
  return moneyFormat(locale, currency)(cents);
}

export function formatNumber(value: number, locale: string): string {
  return numberFormat(locale)(value);
}

export function formatDate(value: Date | string, locale: string): string {
  return dateFormat(locale)(value);
}

/** A day with the month spelled out: "25 May 2026", "25 พฤษภาคม 2569", "25 травня 2026 р.". */
export function formatLongDate(value: Date | string, locale: string): string {
  return dateFormat(locale, "long")(value);
}

export function formatDateTime(value: Date | string, locale: string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  return new Intl.DateTimeFormat(intlLocale(locale), {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  }).format(date);
}

/** A timestamp to the second (audit log). */
export function formatTimestamp(value: Date | string, locale: string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  return new Intl.DateTimeFormat(intlLocale(locale), {
    dateStyle: "medium",
    timeStyle: "medium",
    timeZone: "UTC",
  }).format(date);
}

/** A time of day in UTC: "14:05", "2:05 PM". */
export function formatTime(value: Date, locale: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), {
    timeStyle: "short",
    timeZone: "UTC",
  }).format(value);
}

/** "October 2026", "ตุลาคม 2569": a calendar month (given by its first day, UTC). */
export function formatMonth(firstDay: Date, locale: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(firstDay);
}

/** "1–31 October 2026": two UTC days as the locale writes a range. */
export function formatDayRange(first: Date, last: Date, locale: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).formatRange(first, last);
}

const relativeUnits: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/**
 * "3 days ago", "in 2 hours", "yesterday", "3 วันที่ผ่านมา", "3 дні тому": the largest whole
 * unit between a moment and `now` (passed in: one clock per decision, ADR 025).
 */
export function formatRelativeTime(value: Date, now: Date, locale: string): string {
  const seconds = Math.round((value.getTime() - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(intlLocale(locale), { numeric: "auto" });
  for (const [unit, size] of relativeUnits) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return format.format(Math.trunc(seconds / size), unit);
    }
  }
  return format.format(0, "second");
}

/** Basis points as a percentage, e.g. 3000 → "30%". */
export function formatBasisPoints(bps: number, locale: string): string {
  return new Intl.NumberFormat(intlLocale(locale), {
    style: "percent",
    maximumFractionDigits: 2,
  }).format(bps / 10000);
}
