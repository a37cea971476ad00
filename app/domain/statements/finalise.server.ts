// Finalising months: each partner's statement stored under its next gapless number, once.
import { sql } from "kysely";
import type { Database } from "~db/index.ts";
import type { Json } from "~db/schema.ts";
import { recordAudit, type AuditActor } from "~/domain/audit.server";
import { recordOutboxEvent } from "~/domain/outbox.server";
import {
  addMonths,
  monthOf,
  monthsBetween,
  statementNumber,
  statementPeriod,
} from "~/lib/statement-months";
import { StatementMonthOpen, StatementMonthBeforeEnrolment } from "./model.server";
import {
  LINE_COLUMNS,
  REFERRAL_LINE_COLUMNS,
  sourceLines,
  sourceReferralLines,
  partnerQuery,
} from "./compute.server";
import { enrolmentMonth, draftStatement, finalStatementRow } from "./reads.server";

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
      referral_cents: draft.totals.referralCents,
      total_cents: draft.totals.totalCents,
      referral_count: draft.referralCount,
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
  const referralLines = await sql`
    insert into statement_referral_lines (statement_id, ${sql.raw(REFERRAL_LINE_COLUMNS)})
    select ${id}::uuid, ${sql.raw(REFERRAL_LINE_COLUMNS)}
    from (${sourceReferralLines(partnerId, period)}) l`.execute(trx);
  if (Number(referralLines.numAffectedRows ?? 0n) !== draft.referralCount) {
    throw new Error(
      `statements: ${number} has ${referralLines.numAffectedRows} referral lines, not ${draft.referralCount}`,
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
