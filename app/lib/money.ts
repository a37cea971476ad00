// Money arithmetic on integer cents: the one place where cents are multiplied, discounted
// and rounded. Rounding is half-even and happens once, on the final amount.

/** numerator / denominator rounded half-even, exactly (BigInt, no float anywhere). */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  let quotient = abs / denominator;
  const twiceRemainder = (abs % denominator) * 2n;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) {
    quotient += 1n;
  }
  return negative ? -quotient : quotient;
}

function toSafeNumber(value: bigint): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) throw new RangeError(`amount out of range: ${value}`);
  return result;
}

export interface UnitPrices {
  staffSeatMonthCents: number;
  cardOperationCents: number;
}

export interface BundleQuantities {
  staffSeats: number;
  cardOperations: number;
  termMonths: number;
}

/** Retail value = seats × term × seat price + operations × operation price. */
export function bundleRetailCents(bundle: BundleQuantities, prices: UnitPrices): number {
  return toSafeNumber(
    BigInt(bundle.staffSeats) * BigInt(bundle.termMonths) * BigInt(prices.staffSeatMonthCents) +
      BigInt(bundle.cardOperations) * BigInt(prices.cardOperationCents),
  );
}

/** `bps` basis points of an amount in cents, half-even: the one rate-to-cents rounding. */
function basisPointsOf(cents: number, bps: number): number {
  return toSafeNumber(divideHalfEven(BigInt(cents) * BigInt(bps), 10_000n));
}

/** The discount in cents on a retail amount at `discountBps` basis points, half-even. */
export function discountCents(retailCents: number, discountBps: number): number {
  return basisPointsOf(retailCents, discountBps);
}

/** Tax in cents on a net (wholesale) amount at `taxRateBps` basis points, half-even. */
export function taxCents(netCents: number, taxRateBps: number): number {
  return basisPointsOf(netCents, taxRateBps);
}

export interface WholesalePrice {
  retailCents: number;
  discountCents: number;
  wholesaleCents: number;
}

/** Retail, discount and wholesale (retail − discount) for a partner's discount. */
export function wholesalePrice(retailCents: number, discountBps: number): WholesalePrice {
  const discount = discountCents(retailCents, discountBps);
  return { retailCents, discountCents: discount, wholesaleCents: retailCents - discount };
}

/** What the partner keeps when it resells at `resaleCents`: resale − wholesale (may be < 0). */
export function marginCents(resaleCents: number, wholesaleCents: number): number {
  return resaleCents - wholesaleCents;
}
