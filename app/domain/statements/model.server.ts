// Wholesale statements: one per partner and calendar month (UTC). The lines come from the
// claims' price snapshots (one per code claimed in the month) and the roll-backs of the month
// (credit lines, the snapshot negated); nothing is priced or rounded here. A partner's
// referral credits are lines of their own (ADR 039): a credit in the month the reward was
// granted, a debit in the month it was clawed back, outside the bundles and the tax. A draft is computed
// on demand; finalisation stores lines, per-bundle summary and totals as a snapshot under the
// next gapless number of the partner and year, and a final statement never changes again.
//
// Statements' types and errors.
import { DomainError } from "~/domain/errors.server";

export class StatementNotFound extends DomainError {
  constructor() {
    super("not_found", "No such statement.");
  }
}

export class StatementMonthOpen extends DomainError {
  constructor(month: string) {
    super(
      "statement_month_open",
      `${month} has not ended yet; only ended months are final.`,
      "month",
    );
  }
}

export class StatementMonthBeforeEnrolment extends DomainError {
  constructor(month: string) {
    super("statement_month_before_enrolment", `The partner was not enrolled in ${month}.`, "month");
  }
}

export type StatementLineKind = "claim" | "credit";

export interface StatementLine {
  lineNo: number;
  kind: StatementLineKind;
  /** When the code was claimed (claim) or the claim rolled back (credit). */
  occurredAt: Date;
  /** Code #N */
  serial: number;
  businessId: string;
  businessName: string;
  bundleId: string;
  bundleName: string;
  staffSeats: number;
  cardOperations: number;
  termMonths: number;
  discountBps: number;
  taxRateBps: number;
  /** Negative on credit lines. */
  retailCents: number;
  discountCents: number;
  wholesaleCents: number;
  taxCents: number;
}

/** A bundle's sums (the per-bundle summary): claims and their roll-backs only. */
export interface BundleTotals {
  retailCents: number;
  discountCents: number;
  /** retail − discount: the wholesale amount. */
  netCents: number;
  taxCents: number;
  /** net + tax */
  totalCents: number;
}

export interface StatementTotals extends BundleTotals {
  /** The referral lines' sum: credits negative, debits positive; no tax on it. */
  referralCents: number;
  /** net + tax + referral */
  totalCents: number;
}

export type StatementReferralLineKind = "referral_credit" | "referral_debit";

/** A partner's referral credit (the reward granted) or debit (the reward clawed back). */
export interface StatementReferralLine {
  lineNo: number;
  kind: StatementReferralLineKind;
  occurredAt: Date;
  referralRewardId: string;
  /** The referred business. */
  businessId: string;
  /** Null when the business's name is not known (the line says "referred business"). */
  businessName: string | null;
  /** Negative for a credit, positive for a debit. */
  amountCents: number;
}

export interface BundleSummary extends BundleTotals {
  bundleId: string;
  bundleName: string;
  claims: number;
  credits: number;
}

export interface StatementCodeCounts {
  /** Codes generated in the month. */
  issued: number;
  /** Unclaimed, unrevoked, unexpired codes at the month's end (or now, for the running month). */
  outstanding: number;
  /** Codes revoked in the month. */
  revoked: number;
}

/** What the statement says about the partner: its terms when the statement was made. */
export interface StatementPartner {
  name: string;
  slug: string;
  contactName: string;
  contactEmail: string;
  locale: string;
  statementPrefix: string;
  discountBps: number;
  taxRateBps: number;
  specialTerms: string;
}

export interface Statement {
  /** Null for a draft. */
  id: string | null;
  status: "draft" | "final";
  /** Null for a draft. */
  number: string | null;
  month: string;
  periodStart: Date;
  periodEnd: Date;
  /** Finalisation time; null for a draft. */
  issuedAt: Date | null;
  partner: StatementPartner;
  bundles: BundleSummary[];
  totals: StatementTotals;
  lineCount: number;
  claimCount: number;
  creditCount: number;
  /** Referral lines (credits and debits), apart from the claim lines above. */
  referralCount: number;
  codes: StatementCodeCounts;
}

/** A line dated in a month whose statement is final already (only a backdated clock). */
export class StatementMonthFinal extends DomainError {
  constructor(month: string) {
    super(
      "statement_month_final",
      `The partner's statement for ${month} is final; a line can only be dated in an open month.`,
    );
  }
}
