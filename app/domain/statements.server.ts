// Wholesale statements: one per partner and calendar month (UTC). The lines come from the
// claims' price snapshots (one per code claimed in the month) and the roll-backs of the month
// (credit lines, the snapshot negated); nothing is priced or rounded here. A draft is computed
// on demand; finalisation stores lines, per-bundle summary and totals as a snapshot under the
// next gapless number of the partner and year, and a final statement never changes again.
import { sql, type RawBuilder } from "kysely";
import type { Database } from "~db/index.ts";
import type { Json } from "~db/schema.ts";
import { recordAudit, type AuditActor } from "~/domain/audit.server";
import { DomainError } from "~/domain/errors.server";
import { codeExpiryPassed } from "./predicates.server";
import { recordOutboxEvent } from "~/domain/outbox.server";
import { isUuid } from "~/lib/ids";
import {
  addMonths,
  monthOf,
  monthsBetween,
  statementNumber,
  statementPeriod,
  type StatementPeriod,
} from "~/lib/statement-months";

export class StatementNotFound extends DomainError {
  constructor() {
    super("not_found", "No such statement.", 404);
  }
}

export class StatementMonthOpen extends DomainError {
  constructor(month: string) {
    super(
      "statement_month_open",
      `${month} has not ended yet; only ended months are final.`,
      409,
      "month",
    );
  }
}

export class StatementMonthBeforeEnrolment extends DomainError {
  constructor(month: string) {
    super(
      "statement_month_before_enrolment",
      `The partner was not enrolled in ${month}.`,
      404,
      "month",
    );
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

export interface StatementTotals {
  retailCents: number;
  discountCents: number;
  /** retail − discount: the wholesale amount. */
  netCents: number;
  taxCents: number;
  /** net + tax */
  totalCents: number;
}

export interface BundleSummary extends StatementTotals {
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
  codes: StatementCodeCounts;
}

type LineRow = {
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

const LINE_COLUMNS = `line_no, kind, occurred_at, activation_code_id, business_id, business_name,
  bundle_id, bundle_name, staff_seats, card_operations, term_months, discount_bps, tax_rate_bps,
  retail_cents, discount_cents, wholesale_cents, tax_cents`;

/**
 * The month's lines, numbered in the order they are printed: by time, a claim before its own
 * credit, then by code. Names are today's (a final statement keeps the ones it was made with).
 * The one source of lines for drafts and finalisation alike.
 */
function sourceLines(partnerId: string, period: StatementPeriod): RawBuilder<LineRow> {
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
async function summarise(db: Database, lines: RawBuilder<LineRow>): Promise<BundleSummary[]> {
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
    ...totalsOf(row.retail_cents, row.discount_cents, row.tax_cents),
  }));
}

function totalsOf(retailCents: number, discountCents: number, taxCents: number): StatementTotals {
  const netCents = retailCents - discountCents;
  return { retailCents, discountCents, netCents, taxCents, totalCents: netCents + taxCents };
}

/** The statement's totals: the sums of its per-bundle sums (lines are rounded already). */
export function statementTotals(bundles: readonly StatementTotals[]): StatementTotals {
  return totalsOf(
    bundles.reduce((sum, b) => sum + b.retailCents, 0),
    bundles.reduce((sum, b) => sum + b.discountCents, 0),
    bundles.reduce((sum, b) => sum + b.taxCents, 0),
  );
}

async function codeCounts(
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

interface PartnerRow {
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

function partnerQuery(db: Database, partnerId: string) {
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

function partnerSnapshot(row: PartnerRow): StatementPartner {
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

async function draftStatement(
  db: Database,
  { partner, period, now }: { partner: PartnerRow; period: StatementPeriod; now: Date },
): Promise<Statement> {
  const lines = sourceLines(partner.id, period);
  const asOf = now < period.end ? now : period.end;
  const [bundles, codes] = await Promise.all([
    summarise(db, lines),
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
    totals: statementTotals(bundles),
    lineCount: claimCount + creditCount,
    claimCount,
    creditCount,
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
  "total_cents",
  "codes_issued",
  "codes_outstanding",
  "codes_revoked",
] as const;

async function finalStatementRow(
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
      totalCents: row.total_cents,
    },
    lineCount: row.line_count,
    claimCount: row.claim_count,
    creditCount: row.credit_count,
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
  return { lines, nextAfter: more ? lines[lines.length - 1].lineNo : null };
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
      totals: totalsOf(row.retail_cents, row.discount_cents, row.tax_cents),
    })),
  ];
}

export interface FinalisedStatement {
  statementId: string;
  number: string;
  month: string;
  /** False when the month was final already (nothing changed). */
  created: boolean;
}

/**
 * Finalises the partner's statements up to and including `month`: every month since its
 * enrolment that is not final yet, oldest first, so numbers follow time without gaps. Each
 * month is its own transaction; a month final already is left as it is. Only ended months.
 */
export async function finalizeStatements(
  db: Database,
  {
    partnerId,
    month,
    actor,
    now,
  }: { partnerId: string; month: string; actor: AuditActor; now: Date },
): Promise<FinalisedStatement[]> {
  const period = statementPeriod(month);
  if (period.end > now) throw new StatementMonthOpen(month);
  const partner = await partnerQuery(db, partnerId).executeTakeFirstOrThrow();
  const first = enrolmentMonth(partner.created_at);
  if (month < first) throw new StatementMonthBeforeEnrolment(month);
  const finals = new Set(
    (
      await db
        .selectFrom("statements")
        .select("period_start")
        .where("partner_id", "=", partnerId)
        .where("period_start", "<=", period.start)
        .execute()
    ).map((row) => monthOf(row.period_start)),
  );
  const results: FinalisedStatement[] = [];
  for (const open of monthsBetween(first, month)) {
    if (finals.has(open) && open !== month) continue;
    results.push(
      await db
        .transaction()
        .execute((trx) => finalizeMonth(trx, { partnerId, month: open, actor, now })),
    );
  }
  return results.filter((result) => result.created || result.month === month);
}

/** One month, in the caller's transaction: the partner's row lock decides concurrent runs. */
async function finalizeMonth(
  trx: Database,
  {
    partnerId,
    month,
    actor,
    now,
  }: { partnerId: string; month: string; actor: AuditActor; now: Date },
): Promise<FinalisedStatement> {
  const period = statementPeriod(month);
  // No KEY update: claims (which take KEY SHARE through their grant's foreign key) go on.
  const partner = await partnerQuery(trx, partnerId).forNoKeyUpdate().executeTakeFirstOrThrow();
  const existing = await finalStatementRow(trx, { partnerId, periodStart: period.start });
  if (existing) {
    return { statementId: existing.id, number: existing.number, month, created: false };
  }
  const previous = addMonths(month, -1);
  if (month > enrolmentMonth(partner.created_at)) {
    const before = await finalStatementRow(trx, {
      partnerId,
      periodStart: statementPeriod(previous).start,
    });
    if (!before) throw new Error(`statements: ${previous} must be final before ${month}`);
  }

  const draft = await draftStatement(trx, { partner, period, now: period.end });
  const { last_sequence: sequence } = await trx
    .insertInto("statement_sequences")
    .values({ partner_id: partnerId, year: period.year, last_sequence: 1 })
    .onConflict((oc) =>
      oc.columns(["partner_id", "year"]).doUpdateSet({
        last_sequence: sql<number>`statement_sequences.last_sequence + 1`,
      }),
    )
    .returning("last_sequence")
    .executeTakeFirstOrThrow();
  const number = statementNumber(partner.statement_prefix, period.year, sequence);
  const { id } = await trx
    .insertInto("statements")
    .values({
      partner_id: partnerId,
      period_start: period.start,
      period_end: period.end,
      year: period.year,
      sequence,
      number,
      issued_at: now,
      finalized_by: actor.label,
      partner_snapshot: JSON.stringify(draft.partner),
      bundle_summary: JSON.stringify(draft.bundles),
      line_count: draft.lineCount,
      claim_count: draft.claimCount,
      credit_count: draft.creditCount,
      retail_cents: draft.totals.retailCents,
      discount_cents: draft.totals.discountCents,
      net_cents: draft.totals.netCents,
      tax_cents: draft.totals.taxCents,
      total_cents: draft.totals.totalCents,
      codes_issued: draft.codes.issued,
      codes_outstanding: draft.codes.outstanding,
      codes_revoked: draft.codes.revoked,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const inserted = await sql`
    insert into statement_lines (statement_id, ${sql.raw(LINE_COLUMNS)})
    select ${id}::uuid, ${sql.raw(LINE_COLUMNS)} from (${sourceLines(partnerId, period)}) l`.execute(
    trx,
  );
  if (Number(inserted.numAffectedRows ?? 0n) !== draft.lineCount) {
    // The lines and the summary come from one source in one transaction: they always agree.
    throw new Error(
      `statements: ${number} has ${inserted.numAffectedRows} lines, not ${draft.lineCount}`,
    );
  }
  const after: Json = {
    number,
    month,
    line_count: draft.lineCount,
    total_cents: draft.totals.totalCents,
  };
  await recordAudit(trx, {
    actor,
    action: "statement.finalized",
    partnerId,
    subject: { type: "statement", id },
    after,
  });
  await recordOutboxEvent(trx, {
    topic: "statement.finalized",
    partnerId,
    payload: { partner_id: partnerId, statement_id: id, ...after },
  });
  return { statementId: id, number, month, created: true };
}

/** Some partners' statements could not be made final; every other partner's were. */
export class StatementFinalisationFailed extends Error {
  constructor(
    readonly month: string,
    readonly finalised: (FinalisedStatement & { partnerSlug: string })[],
    readonly failures: { partnerSlug: string; error: unknown }[],
  ) {
    super(
      `statements: ${month} could not be finalised for ${failures
        .map(
          ({ partnerSlug, error }) =>
            `${partnerSlug} (${error instanceof Error ? error.message : String(error)})`,
        )
        .join(", ")}`,
    );
    this.name = "StatementFinalisationFailed";
  }
}

/**
 * Finalises `month` (and any earlier month not final yet) for every partner enrolled by
 * then. Idempotent: a second run creates nothing. The scheduled job and the admin CLI.
 * One partner's failure (its data, a prefix another partner's numbers already use) does not
 * hold up the others: they are finalised, then StatementFinalisationFailed names it.
 */
export async function finalizeMonthForAllPartners(
  db: Database,
  { month, actor, now }: { month: string; actor: AuditActor; now: Date },
): Promise<(FinalisedStatement & { partnerSlug: string })[]> {
  const period = statementPeriod(month);
  if (period.end > now) throw new StatementMonthOpen(month);
  const partners = await db
    .selectFrom("partners")
    .select(["id", "slug"])
    .where("created_at", "<", period.end)
    .orderBy("slug")
    .execute();
  const results: (FinalisedStatement & { partnerSlug: string })[] = [];
  const failures: { partnerSlug: string; error: unknown }[] = [];
  for (const partner of partners) {
    try {
      for (const result of await finalizeStatements(db, {
        partnerId: partner.id,
        month,
        actor,
        now,
      })) {
        results.push({ ...result, partnerSlug: partner.slug });
      }
    } catch (error) {
      failures.push({ partnerSlug: partner.slug, error });
    }
  }
  if (failures.length > 0) throw new StatementFinalisationFailed(month, results, failures);
  return results;
}

/** The month the scheduled run finalises: the one before `now`'s. */
export function lastEndedMonth(now: Date): string {
  return addMonths(monthOf(now), -1);
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
  const bundles = await summarise(db, sourceLines(partnerId, period));
  return {
    month: period.month,
    totals: statementTotals(bundles),
    claimCount: bundles.reduce((sum, b) => sum + b.claims, 0),
    creditCount: bundles.reduce((sum, b) => sum + b.credits, 0),
  };
}
