// Limits of the price list, plan and enterprise-request forms, shared by the domain's schemas
// and the pages' inputs (maxLength, choices).

export const PRICE_LIMITS = {
  /** €10,000.00 a seat-month, €100.00 an operation: far above any real price, below overflow. */
  staffSeatMonthCents: 1_000_000,
  cardOperationCents: 10_000,
} as const;

export const PLAN_LIMITS = {
  nameLength: 60,
  priceCents: 100_000_000,
  cardOperationsPerMonth: 100_000_000,
  staffSeats: 100_000,
} as const;

/** The intervals support can give a plan; `custom` belongs to Custom / Enterprise alone. */
export const PLAN_INTERVALS = ["none", "month", "year"] as const;

export const ENTERPRISE_LIMITS = {
  locations: { min: 1, max: 100_000 },
  cardOperationsPerMonth: { min: 0, max: 1_000_000_000 },
  messageLength: 2000,
  noteLength: 500,
} as const;
