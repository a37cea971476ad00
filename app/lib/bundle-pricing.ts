// What a bundle may hold (DESIGN.md §4) and what it is worth: one place for both, so that
// the form's live panel in the browser and the server's figures can never disagree.
import { bundleRetailCents, marginCents, wholesalePrice, type UnitPrices } from "./money";
import { parseEuroCents, parseWholeNumber } from "./money-input";

export const BUNDLE_LIMITS = {
  nameLength: 80,
  staffSeats: { min: 0, max: 1_000 },
  cardOperations: { min: 0, max: 10_000_000 },
  termMonths: { min: 1, max: 36 },
  codeValidityDays: { min: 1, max: 3_650, default: 365 },
  /** €1,000,000,000.00, the database's check. */
  resalePriceCents: { min: 0, max: 100_000_000_000 },
} as const;

export interface BundlePrice {
  retailCents: number;
  discountCents: number;
  wholesaleCents: number;
  /** Resale − wholesale; null without a resale price. Negative when sold below cost. */
  marginCents: number | null;
}

export interface PricedQuantities {
  staffSeats: number;
  cardOperations: number;
  termMonths: number;
  resalePriceCents: number | null;
}

/** Retail from the price list, wholesale after the partner's discount, and the margin. */
export function bundlePrice(
  bundle: PricedQuantities,
  prices: UnitPrices,
  discountBps: number,
): BundlePrice {
  const wholesale = wholesalePrice(bundleRetailCents(bundle, prices), discountBps);
  return {
    ...wholesale,
    marginCents:
      bundle.resalePriceCents === null
        ? null
        : marginCents(bundle.resalePriceCents, wholesale.wholesaleCents),
  };
}

function inRange(value: number | null, range: { min: number; max: number }): value is number {
  return value !== null && value >= range.min && value <= range.max;
}

/**
 * The live figures for a form being typed: null until seats, operations and term are all
 * valid (and not both quantities zero); the margin only when the resale price parses too.
 */
export function previewBundlePrice(
  typed: { staffSeats: string; cardOperations: string; termMonths: string; resalePrice: string },
  prices: UnitPrices,
  discountBps: number,
): BundlePrice | null {
  const staffSeats = parseWholeNumber(typed.staffSeats);
  const cardOperations = parseWholeNumber(typed.cardOperations);
  const termMonths = parseWholeNumber(typed.termMonths);
  if (
    !inRange(staffSeats, BUNDLE_LIMITS.staffSeats) ||
    !inRange(cardOperations, BUNDLE_LIMITS.cardOperations) ||
    !inRange(termMonths, BUNDLE_LIMITS.termMonths) ||
    (staffSeats === 0 && cardOperations === 0)
  ) {
    return null;
  }
  const resale = typed.resalePrice.trim() === "" ? null : parseEuroCents(typed.resalePrice);
  const resalePriceCents =
    resale?.ok && resale.cents <= BUNDLE_LIMITS.resalePriceCents.max ? resale.cents : null;
  return bundlePrice(
    { staffSeats, cardOperations, termMonths, resalePriceCents },
    prices,
    discountBps,
  );
}
