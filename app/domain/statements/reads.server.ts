// Reading statements: a month's draft or final statement, its lines, the list, running totals.
import { sql, type RawBuilder } from "kysely";
import type { Database } from "~db/index.ts";
import { isUuid } from "~/lib/ids";
import {
  monthOf,
  monthsBetween,
  statementPeriod,
  type StatementPeriod,
} from "~/lib/statement-months";
import {
  StatementNotFound,
  StatementMonthBeforeEnrolment,
  StatementLine,
  StatementReferralLine,
  StatementTotals,
  BundleSummary,
  StatementPartner,
  Statement,
} from "./model.server";
import {
  LineRow,
  LINE_COLUMNS,
  ReferralLineRow,
  REFERRAL_LINE_COLUMNS,
  sourceLines,
  sourceReferralLines,
  sumReferralLines,
  summarise,
  totalsOf,
  statementTotals,
  codeCounts,
  PartnerRow,
  partnerQuery,
  partnerSnapshot,
} from "./compute.server";

/** The first month a partner has a statement for: the month it was enrolled in. */
export function enrolmentMonth(partnerCreatedAt: Date): string {
  return monthOf(partnerCreatedAt);
}

/**
 * The statement of a month as it stands: the final one when it exists, otherwise a draft
 * computed now (for the running month, or an ended month not finalised yet).
 */
export async function getMonthStatement(
  db: Database,
  { partnerId, month, now }: { partnerId: string; month: string; now: Date },
): Promise<Statement> {
  const period = statementPeriod(month);
  const partner = await partnerQuery(db, partnerId).executeTakeFirstOrThrow();
  if (month < enrolmentMonth(partner.created_at) || period.start > now) {
    throw new StatementMonthBeforeEnrolment(month);
  }
  const final = await finalStatementRow(db, { partnerId, periodStart: period.start });
  if (final) return finalStatement(final);
  return draftStatement(db, { partner, period, now });
}

export async function draftStatement(
  db: Database,
  { partner, period, now }: { partner: PartnerRow; period: StatementPeriod; now: Date },
): Promise<Statement> {
  const lines = sourceLines(partner.id, period);
  const asOf = now < period.end ? now : period.end;
  const [bundles, referrals, codes] = await Promise.all([
    summarise(db, lines),
    sumReferralLines(db, sourceReferralLines(partner.id, period)),
    codeCounts(db, { partnerId: partner.id, period, asOf }),
  ]);
  const claimCount = bundles.reduce((sum, b) => sum + b.claims, 0);
  const creditCount = bundles.reduce((sum, b) => sum + b.credits, 0);
  return {
    id: null,
    status: "draft",
    number: null,
    month: period.month,
    periodStart: period.start,
    periodEnd: period.end,
    issuedAt: null,
    partner: partnerSnapshot(partner),
    bundles,
    totals: statementTotals(bundles, referrals.cents),
    lineCount: claimCount + creditCount,
    claimCount,
    creditCount,
    referralCount: referrals.count,
    codes,
  };
}

const STATEMENT_COLUMNS = [
  "id",
  "partner_id",
  "period_start",
  "period_end",
  "number",
  "issued_at",
  "partner_snapshot",
  "bundle_summary",
  "line_count",
  "claim_count",
  "credit_count",
  "retail_cents",
  "discount_cents",
  "net_cents",
  "tax_cents",
  "referral_cents",
  "total_cents",
  "referral_count",
  "codes_issued",
  "codes_outstanding",
  "codes_revoked",
] as const;

export async function finalStatementRow(
  db: Database,
  where: { partnerId: string; periodStart?: Date; statementId?: string },
) {
  let query = db
    .selectFrom("statements")
    .select(STATEMENT_COLUMNS)
    .where("partner_id", "=", where.partnerId);
  if (where.periodStart) query = query.where("period_start", "=", where.periodStart);
  if (where.statementId) query = query.where("id", "=", where.statementId);
  return query.executeTakeFirst();
}

type StatementRow = NonNullable<Awaited<ReturnType<typeof finalStatementRow>>>;

function finalStatement(row: StatementRow): Statement {
  return {
    id: row.id,
    status: "final",
    number: row.number,
    month: monthOf(row.period_start),
    periodStart: row.period_start,
    periodEnd: row.period_end,
    issuedAt: row.issued_at,
    partner: row.partner_snapshot as unknown as StatementPartner,
    bundles: row.bundle_summary as unknown as BundleSummary[],
    totals: {
      retailCents: row.retail_cents,
      discountCents: row.discount_cents,
      netCents: row.net_cents,
      taxCents: row.tax_cents,
      referralCents: row.referral_cents,
      totalCents: row.total_cents,
    },
    lineCount: row.line_count,
    claimCount: row.claim_count,
    creditCount: row.credit_count,
    referralCount: row.referral_count,
    codes: {
      issued: row.codes_issued,
      outstanding: row.codes_outstanding,
      revoked: row.codes_revoked,
    },
  };
}

/** A final statement of the partner by id; another partner's id is not found. */
export async function getStatement(
  db: Database,
  { partnerId, statementId }: { partnerId: string; statementId: string },
): Promise<Statement> {
  if (!isUuid(statementId)) throw new StatementNotFound();
  const row = await finalStatementRow(db, { partnerId, statementId });
  if (!row) throw new StatementNotFound();
  return finalStatement(row);
}

function toLine(row: LineRow): StatementLine {
  return {
    lineNo: row.line_no,
    kind: row.kind,
    occurredAt: row.occurred_at,
    serial: row.activation_code_id,
    businessId: row.business_id,
    businessName: row.business_name,
    bundleId: row.bundle_id,
    bundleName: row.bundle_name,
    staffSeats: row.staff_seats,
    cardOperations: row.card_operations,
    termMonths: row.term_months,
    discountBps: row.discount_bps,
    taxRateBps: row.tax_rate_bps,
    retailCents: row.retail_cents,
    discountCents: row.discount_cents,
    wholesaleCents: row.wholesale_cents,
    taxCents: row.tax_cents,
  };
}

export interface StatementLinesPage {
  lines: StatementLine[];
  /** The last line number of this page when more follow, else null. */
  nextAfter: number | null;
}

/**
 * A page of a statement's lines after line `after` (keyset on the line number): the stored
 * lines of a final statement, or the month's lines as they stand for a draft. `limit` null
 * reads every line (the PDF).
 */
export async function listStatementLines(
  db: Database,
  {
    partnerId,
    statement,
    after = 0,
    limit,
  }: { partnerId: string; statement: Statement; after?: number; limit: number | null },
): Promise<StatementLinesPage> {
  const take = limit === null ? null : limit + 1;
  const source: RawBuilder<LineRow> =
    statement.id !== null
      ? sql<LineRow>`select ${sql.raw(LINE_COLUMNS)} from statement_lines sl
          where sl.statement_id = ${statement.id}
            and exists (select 1 from statements s
                        where s.id = sl.statement_id and s.partner_id = ${partnerId})`
      : sourceLines(partnerId, statementPeriod(statement.month));
  const { rows } = await sql<LineRow>`
    select ${sql.raw(LINE_COLUMNS)} from (${source}) l
    where line_no > ${after}
    order by line_no
    ${take === null ? sql`` : sql`limit ${take}`}`.execute(db);
  const more = take !== null && rows.length > limit!;
  const lines = (more ? rows.slice(0, limit!) : rows).map(toLine);
  return { lines, nextAfter: more ? (lines.at(-1)?.lineNo ?? null) : null };
}

function toReferralLine(row: ReferralLineRow): StatementReferralLine {
  return {
    lineNo: row.line_no,
    kind: row.kind,
    occurredAt: row.occurred_at,
    referralRewardId: row.referral_reward_id,
    businessId: row.business_id,
    businessName: row.business_name,
    amountCents: Number(row.amount_cents),
  };
}

/**
 * Every referral line of a statement, in order: the stored ones of a final statement, or the
 * month's as they stand for a draft. A month has few (one per reward granted or clawed back),
 * so there is no paging.
 */
export async function listStatementReferralLines(
  db: Database,
  { partnerId, statement }: { partnerId: string; statement: Statement },
): Promise<StatementReferralLine[]> {
  const source: RawBuilder<ReferralLineRow> =
    statement.id !== null
      ? sql<ReferralLineRow>`select ${sql.raw(REFERRAL_LINE_COLUMNS)} from statement_referral_lines sl
          where sl.statement_id = ${statement.id}
            and exists (select 1 from statements s
                        where s.id = sl.statement_id and s.partner_id = ${partnerId})`
      : sourceReferralLines(partnerId, statementPeriod(statement.month));
  const { rows } = await sql<ReferralLineRow>`
    select ${sql.raw(REFERRAL_LINE_COLUMNS)} from (${source}) l order by line_no`.execute(db);
  return rows.map(toReferralLine);
}

export interface StatementListEntry {
  id: string | null;
  status: "draft" | "final";
  number: string | null;
  month: string;
  issuedAt: Date | null;
  lineCount: number;
  totals: StatementTotals;
}

/**
 * The partner's statements, newest month first: a draft for every month since enrolment that
 * has no final statement yet (the running month, and an ended month until it is finalised),
 * then the final ones. Months are few (twelve a year), so the whole list is one page.
 */
export async function listStatements(
  db: Database,
  { partnerId, now }: { partnerId: string; now: Date },
): Promise<StatementListEntry[]> {
  const partner = await partnerQuery(db, partnerId).executeTakeFirstOrThrow();
  const finals = await db
    .selectFrom("statements")
    .select([
      "id",
      "number",
      "period_start",
      "issued_at",
      "line_count",
      "retail_cents",
      "discount_cents",
      "tax_cents",
      "referral_cents",
    ])
    .where("partner_id", "=", partnerId)
    .orderBy("period_start", "desc")
    .execute();
  const finalMonths = new Set(finals.map((row) => monthOf(row.period_start)));
  const openMonths = monthsBetween(enrolmentMonth(partner.created_at), monthOf(now))
    .filter((month) => !finalMonths.has(month))
    .reverse();
  const drafts = await Promise.all(
    openMonths.map((month) => draftStatement(db, { partner, period: statementPeriod(month), now })),
  );
  return [
    ...drafts.map((draft) => ({
      id: null,
      status: "draft" as const,
      number: null,
      month: draft.month,
      issuedAt: null,
      lineCount: draft.lineCount,
      totals: draft.totals,
    })),
    ...finals.map((row) => ({
      id: row.id,
      status: "final" as const,
      number: row.number,
      month: monthOf(row.period_start),
      issuedAt: row.issued_at,
      lineCount: row.line_count,
      totals: totalsOf(row.retail_cents, row.discount_cents, row.tax_cents, row.referral_cents),
    })),
  ];
}

/**
 * The tax rates a statement's lines were charged at, lowest first (a line keeps the rate of
 * its claim, so a month with a change of terms has two); the partner's rate when there are
 * no lines. The "Tax at N%" of the statement pages, over every line, not one page of them.
 */
export async function statementTaxRates(
  db: Database,
  { partnerId, statement }: { partnerId: string; statement: Statement },
): Promise<number[]> {
  const { rows } =
    statement.id !== null
      ? await sql<{ tax_rate_bps: number }>`
          select distinct sl.tax_rate_bps from statement_lines sl
          join statements s on s.id = sl.statement_id
          where sl.statement_id = ${statement.id} and s.partner_id = ${partnerId}
          order by sl.tax_rate_bps`.execute(db)
      : await sql<{ tax_rate_bps: number }>`
          select distinct tax_rate_bps from (${sourceLines(partnerId, statementPeriod(statement.month))}) l
          order by tax_rate_bps`.execute(db);
  return rows.length > 0 ? rows.map((row) => row.tax_rate_bps) : [statement.partner.taxRateBps];
}

export interface RunningMonthTotals {
  /** "YYYY-MM", the month `now` is in. */
  month: string;
  totals: StatementTotals;
  claimCount: number;
  creditCount: number;
}

/**
 * The running month's draft totals without the rest of the draft (no code counts, no
 * partner row): the dashboard's "this month so far". The running month is never final.
 */
export async function runningMonthTotals(
  db: Database,
  { partnerId, now }: { partnerId: string; now: Date },
): Promise<RunningMonthTotals> {
  const period = statementPeriod(monthOf(now));
  const [bundles, referrals] = await Promise.all([
    summarise(db, sourceLines(partnerId, period)),
    sumReferralLines(db, sourceReferralLines(partnerId, period)),
  ]);
  return {
    month: period.month,
    totals: statementTotals(bundles, referrals.cents),
    claimCount: bundles.reduce((sum, b) => sum + b.claims, 0),
    creditCount: bundles.reduce((sum, b) => sum + b.credits, 0),
  };
}
