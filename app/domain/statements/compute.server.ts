// How a month's statement is worked out from the claims' price snapshots and the roll-backs.
import { sql, type RawBuilder } from "kysely";
import type { Database } from "~db/index.ts";
import { codeExpiryPassed } from "../predicates.server";
import { type StatementPeriod } from "~/lib/statement-months";
import {
  StatementLineKind,
  StatementReferralLineKind,
  StatementTotals,
  BundleTotals,
  BundleSummary,
  StatementCodeCounts,
  StatementPartner,
} from "./model.server";

export type LineRow = {
  line_no: number;
  kind: StatementLineKind;
  occurred_at: Date;
  activation_code_id: number;
  business_id: string;
  business_name: string;
  bundle_id: string;
  bundle_name: string;
  staff_seats: number;
  card_operations: number;
  term_months: number;
  discount_bps: number;
  tax_rate_bps: number;
  retail_cents: number;
  discount_cents: number;
  wholesale_cents: number;
  tax_cents: number;
};

export const LINE_COLUMNS = `line_no, kind, occurred_at, activation_code_id, business_id, business_name,
  bundle_id, bundle_name, staff_seats, card_operations, term_months, discount_bps, tax_rate_bps,
  retail_cents, discount_cents, wholesale_cents, tax_cents`;

/**
 * The month's lines, numbered in the order they are printed: by time, a claim before its own
 * credit, then by code. Names are today's (a final statement keeps the ones it was made with).
 * The one source of lines for drafts and finalisation alike.
 */
export function sourceLines(partnerId: string, period: StatementPeriod): RawBuilder<LineRow> {
  return sql<LineRow>`
    select (row_number() over (order by l.occurred_at, l.kind, l.activation_code_id))::int as line_no,
      l.*
    from (
      select 'claim'::text as kind, ac.claimed_at as occurred_at, ac.id as activation_code_id,
        g.business_id, biz.name as business_name, b.id as bundle_id, b.name as bundle_name,
        g.staff_seats, g.card_operations, b.term_months, ac.discount_bps, ac.tax_rate_bps,
        ac.retail_cents, ac.discount_cents, ac.wholesale_cents, ac.tax_cents
      from activation_codes ac
      join grants g on g.activation_code_id = ac.id
      join businesses biz on biz.id = g.business_id
      join bundles b on b.id = ac.bundle_id
      where ac.partner_id = ${partnerId}
        and ac.claimed_at >= ${period.start} and ac.claimed_at < ${period.end}
      union all
      select 'credit'::text, r.rolled_back_at, ac.id, r.business_id, biz.name, b.id, b.name,
        g.staff_seats, g.card_operations, b.term_months, ac.discount_bps, ac.tax_rate_bps,
        -ac.retail_cents, -ac.discount_cents, -ac.wholesale_cents, -ac.tax_cents
      from claim_rollbacks r
      join activation_codes ac on ac.id = r.activation_code_id
      join grants g on g.id = r.grant_id
      join businesses biz on biz.id = r.business_id
      join bundles b on b.id = ac.bundle_id
      where r.partner_id = ${partnerId}
        and r.rolled_back_at >= ${period.start} and r.rolled_back_at < ${period.end}
    ) l`;
}

export type ReferralLineRow = {
  line_no: number;
  kind: StatementReferralLineKind;
  occurred_at: Date;
  referral_reward_id: string;
  business_id: string;
  business_name: string | null;
  amount_cents: number;
};

export const REFERRAL_LINE_COLUMNS = `line_no, kind, occurred_at, referral_reward_id, business_id,
  business_name, amount_cents`;

/**
 * The month's referral lines of a partner (ADR 039): a credit (negative) dated when its
 * reward was granted, a debit (positive) dated when it was clawed back, each in the month it
 * happened in — so a claw-back in the reward's own month offsets it on the same statement,
 * and a later one is a debit on a later statement; no statement depends on a later event.
 * Numbered by time, a credit before its own debit. The one source for drafts and finals.
 */
export function sourceReferralLines(
  partnerId: string,
  period: StatementPeriod,
): RawBuilder<ReferralLineRow> {
  return sql<ReferralLineRow>`
    select (row_number() over (order by l.occurred_at, l.kind, l.referral_reward_id))::int as line_no,
      l.*
    from (
      select 'referral_credit'::text as kind, rr.granted_at as occurred_at,
        rr.id as referral_reward_id, r.referred_business_id as business_id,
        biz.name as business_name, (0 - rr.credit_cents)::bigint as amount_cents
      from referral_rewards rr
      join referrals r on r.id = rr.referral_id
      left join businesses biz on biz.id = r.referred_business_id
      where rr.partner_id = ${partnerId} and rr.credit_cents > 0
        and rr.granted_at >= ${period.start} and rr.granted_at < ${period.end}
      union all
      select 'referral_debit'::text, rr.clawed_back_at, rr.id, r.referred_business_id,
        biz.name, rr.credit_cents::bigint
      from referral_rewards rr
      join referrals r on r.id = rr.referral_id
      left join businesses biz on biz.id = r.referred_business_id
      where rr.partner_id = ${partnerId} and rr.credit_cents > 0
        and rr.clawed_back_at >= ${period.start} and rr.clawed_back_at < ${period.end}
    ) l`;
}

export interface ReferralSums {
  /** Number of referral lines. */
  count: number;
  /** Their sum: credits negative, debits positive. */
  cents: number;
}

/** The count and sum of a set of referral lines (the month's source, or stored lines). */
export async function sumReferralLines(
  db: Database,
  lines: RawBuilder<ReferralLineRow>,
): Promise<ReferralSums> {
  const { rows } = await sql<{ count: number; cents: number }>`
    select count(*)::int as count, coalesce(sum(amount_cents), 0)::bigint as cents
    from (${lines}) s`.execute(db);
  return { count: rows[0]?.count ?? 0, cents: Number(rows[0]?.cents ?? 0) };
}

type SummaryRow = {
  bundle_id: string;
  bundle_name: string;
  claims: number;
  credits: number;
  retail_cents: number;
  discount_cents: number;
  wholesale_cents: number;
  tax_cents: number;
};

/** Sums of lines per bundle, from a set of line rows (the month's source, or stored lines). */
export async function summarise(
  db: Database,
  lines: RawBuilder<LineRow>,
): Promise<BundleSummary[]> {
  const { rows } = await sql<SummaryRow>`
    select bundle_id, min(bundle_name) as bundle_name,
      count(*) filter (where kind = 'claim')::int as claims,
      count(*) filter (where kind = 'credit')::int as credits,
      coalesce(sum(retail_cents), 0)::bigint as retail_cents,
      coalesce(sum(discount_cents), 0)::bigint as discount_cents,
      coalesce(sum(wholesale_cents), 0)::bigint as wholesale_cents,
      coalesce(sum(tax_cents), 0)::bigint as tax_cents
    from (${lines}) s
    group by bundle_id
    order by min(bundle_name), bundle_id`.execute(db);
  return rows.map((row) => ({
    bundleId: row.bundle_id,
    bundleName: row.bundle_name,
    claims: row.claims,
    credits: row.credits,
    ...bundleTotalsOf(row.retail_cents, row.discount_cents, row.tax_cents),
  }));
}

export function bundleTotalsOf(
  retailCents: number,
  discountCents: number,
  taxCents: number,
): BundleTotals {
  const netCents = retailCents - discountCents;
  return { retailCents, discountCents, netCents, taxCents, totalCents: netCents + taxCents };
}

/** A statement's totals: the total due is net + tax + the referral lines' sum. */
export function totalsOf(
  retailCents: number,
  discountCents: number,
  taxCents: number,
  referralCents: number,
): StatementTotals {
  const netCents = retailCents - discountCents;
  return {
    retailCents,
    discountCents,
    netCents,
    taxCents,
    referralCents,
    totalCents: netCents + taxCents + referralCents,
  };
}

/**
 * The statement's totals: the sums of its per-bundle sums (lines are rounded already) and
 * of its referral lines.
 */
export function statementTotals(
  bundles: readonly BundleTotals[],
  referralCents: number,
): StatementTotals {
  return totalsOf(
    bundles.reduce((sum, b) => sum + b.retailCents, 0),
    bundles.reduce((sum, b) => sum + b.discountCents, 0),
    bundles.reduce((sum, b) => sum + b.taxCents, 0),
    referralCents,
  );
}

export async function codeCounts(
  db: Database,
  { partnerId, period, asOf }: { partnerId: string; period: StatementPeriod; asOf: Date },
): Promise<StatementCodeCounts> {
  const { rows } = await sql<{ issued: number; outstanding: number; revoked: number }>`
    select
      count(*) filter (where created_at >= ${period.start} and created_at < ${period.end})::int as issued,
      count(*) filter (where created_at < ${asOf}
        and (claimed_at is null or claimed_at >= ${asOf})
        and (revoked_at is null or revoked_at >= ${asOf})
        and not ${codeExpiryPassed("activation_codes", asOf)})::int as outstanding,
      count(*) filter (where revoked_at >= ${period.start} and revoked_at < ${period.end})::int as revoked
    from activation_codes
    where partner_id = ${partnerId} and created_at < ${asOf}`.execute(db);
  return rows[0] ?? { issued: 0, outstanding: 0, revoked: 0 };
}

export interface PartnerRow {
  id: string;
  name: string;
  slug: string;
  contact_name: string;
  contact_email: string;
  locale: string;
  statement_prefix: string;
  discount_bps: number;
  tax_rate_bps: number;
  special_terms: string;
  created_at: Date;
}

export function partnerQuery(db: Database, partnerId: string) {
  return db
    .selectFrom("partners")
    .select([
      "id",
      "name",
      "slug",
      "contact_name",
      "contact_email",
      "locale",
      "statement_prefix",
      "discount_bps",
      "tax_rate_bps",
      "special_terms",
      "created_at",
    ])
    .where("id", "=", partnerId);
}

export function partnerSnapshot(row: PartnerRow): StatementPartner {
  return {
    name: row.name,
    slug: row.slug,
    contactName: row.contact_name,
    contactEmail: row.contact_email,
    locale: row.locale,
    statementPrefix: row.statement_prefix,
    discountBps: row.discount_bps,
    taxRateBps: row.tax_rate_bps,
    specialTerms: row.special_terms,
  };
}
