// Numbers as people type them into forms, turned into integers without a float on the way:
// euro amounts ("12.50", "12,50", "€ 1 200") into cents by string arithmetic, and whole
// numbers ("1000", "1,000", "1 000") for quantities. Shared by the server and the browser.

export type EuroParse = { ok: true; cents: number } | { ok: false; reason: "format" | "negative" };

// Spaces people put between digit groups (plain, no-break, narrow no-break, thin).
const GROUP_SPACES = /[\s\u00a0\u202f\u2009]/g;
const CURRENCY = /^(?:€|EUR)|(?:€|EUR)$/gi;
// At most 13 integer digits keeps every amount a safe integer number of cents.
const EURO_AMOUNT = /^(\d{1,13})(?:[.,](\d{1,2}))?$/;

/**
 * A euro amount as integer cents. The decimal separator is "." or "," with at most two
 * digits after it; digit groups may be separated by spaces but not by "." or "," — "1,234"
 * is rejected rather than guessed (€1.234 or €1,234?). A "€" or "EUR" around it is allowed.
 */
export function parseEuroCents(input: string): EuroParse {
  let text = input.replace(GROUP_SPACES, "").replace(CURRENCY, "");
  let negative = false;
  if (text.startsWith("-") || text.startsWith("\u2212")) {
    negative = true;
    text = text.slice(1).replace(CURRENCY, "");
  }
  const match = EURO_AMOUNT.exec(text);
  if (!match) return { ok: false, reason: "format" };
  const [, euros, fraction = ""] = match;
  const cents = Number(euros) * 100 + Number(fraction.padEnd(2, "0"));
  if (negative && cents !== 0) return { ok: false, reason: "negative" };
  return { ok: true, cents };
}

const PLAIN_DIGITS = /^-?\d+$/;
// "1,000,000" or "1.000.000": one separator throughout, full groups of three.
const GROUPED_DIGITS = /^-?\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$/;

/**
 * A whole number, or null when the text is not one ("1.5", "abc", "", "1e3"). Digit groups
 * may be separated by spaces, or by "," or "." in full groups of three. A minus sign is
 * kept so that a range check can say "at least 0" rather than "not a number".
 */
export function parseWholeNumber(input: string): number | null {
  const text = input.replace(GROUP_SPACES, "").replace(/^\u2212/, "-");
  // `|| 0` turns "-0" into 0.
  if (PLAIN_DIGITS.test(text)) return Number(text) || 0;
  if (GROUPED_DIGITS.test(text)) return Number(text.replace(/[.,]/g, "")) || 0;
  return null;
}

// "30", "30.5", "12,25", "30 %": at most two decimals, so every value is whole basis points.
const PERCENTAGE = /^(\d{1,5})(?:[.,](\d{1,2}))?%?$/;

/**
 * A percentage as people type it, in basis points (30 → 3000, 12.5 → 1250), by string
 * arithmetic; null when it is not one (a third decimal, a minus sign, letters).
 */
export function parsePercentageBps(input: string): number | null {
  const match = PERCENTAGE.exec(input.replace(GROUP_SPACES, ""));
  if (!match) return null;
  const [, whole, fraction = ""] = match;
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

/** Basis points as the number a percentage field shows (3000 → "30", 1250 → "12.5"). */
export function percentageInput(bps: number): string {
  const whole = Math.trunc(bps / 100);
  const fraction = String(bps % 100)
    .padStart(2, "0")
    .replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : String(whole);
}
