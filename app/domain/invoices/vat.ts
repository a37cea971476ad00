// VAT on a business invoice (ADR 032): the standard rate of the business's country (EU
// member states; elsewhere none is charged), or none under the reverse charge when the
// business gave a VAT id that is valid in form. Rates in basis points.

/** EU standard VAT rates, basis points (2026). */
export const EU_VAT_RATES_BPS: Record<string, number> = {
  AT: 2000,
  BE: 2100,
  BG: 2000,
  CY: 1900,
  CZ: 2100,
  DE: 1900,
  DK: 2500,
  EE: 2400,
  ES: 2100,
  FI: 2550,
  FR: 2000,
  GR: 2400,
  HR: 2500,
  HU: 2700,
  IE: 2300,
  IT: 2200,
  LT: 2100,
  LU: 1700,
  LV: 2100,
  MT: 1800,
  NL: 2100,
  PL: 2300,
  PT: 2300,
  RO: 2100,
  SE: 2500,
  SI: 2200,
  SK: 2300,
};

/** Greece's VAT ids start with EL, not its ISO code GR. */
const vatPrefix = (country: string) => (country === "GR" ? "EL" : country);

/**
 * A VAT id valid in form: the country's prefix and 2–13 letters or digits (the VIES
 * shape). Not a check that the id exists — that is the tax office's register.
 */
export function isVatIdValidInForm(vatId: string, country: string): boolean {
  return vatId.startsWith(vatPrefix(country)) && /^[A-Z]{2}[A-Z0-9]{2,13}$/.test(vatId);
}

/** Normalises a typed VAT id: upper case, spaces, dots and dashes dropped. */
export function normaliseVatId(text: string): string {
  return text.toUpperCase().replace(/[\s.-]/g, "");
}

export function vatTreatment(details: { country: string | null; vatId: string | null }): {
  rateBps: number;
  reverseCharge: boolean;
} {
  if (!details.country) return { rateBps: 0, reverseCharge: false };
  if (details.vatId && isVatIdValidInForm(details.vatId, details.country))
    return { rateBps: 0, reverseCharge: true };
  return { rateBps: EU_VAT_RATES_BPS[details.country] ?? 0, reverseCharge: false };
}
