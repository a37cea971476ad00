// Support's view of every partner's statements: one list over all partners and months (the
// final ones as stored, a draft for each month since enrolment not final yet — the running
// month and an ended month awaiting its run), and "finalise now", which is the CLI's and the
// scheduled job's own code path (finalizeStatements / finalizeMonthForAllPartners).
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import type { AuditActor } from "./audit.server";
import { DomainError } from "./errors.server";
import { InvalidCursor, keyset, pageSize } from "./paging.server";
import { findPartnerForSupport } from "./partner-admin.server";
import {
  finalizeMonthForAllPartners,
  finalizeStatements,
  type FinalisedStatement,
} from "./statements/finalise.server";
import { getMonthStatement } from "./statements/reads.server";
import { totalsOf } from "./statements/compute.server";
import { type StatementTotals } from "./statements/model.server";
import { escapeLike } from "~/lib/csv";
import { isPartnerSlug } from "~/lib/ids";
import { storable } from "~/lib/storable-text";
import { isStatementMonth, monthOf, statementPeriod } from "~/lib/statement-months";

const text = (max: number) =>
  z.string().trim().max(max).refine(storable, { message: "validation.invalid" });

/** The list's filter as its GET form sends it; every field optional. */
export const SupportStatementFilterSchema = z.object({
  month: z
    .string()
    .trim()
    .refine((value) => value === "" || isStatementMonth(value), {
      message: "support:statements.badMonth",
    })
    .optional(),
  partner: text(100).optional(),
  status: z.enum(["draft", "final", ""]).optional(),
});
export type SupportStatementFilter = z.infer<typeof SupportStatementFilterSchema>;

export interface SupportStatementRow {
  partnerId: string;
  partnerSlug: string;
  partnerName: string;
  partnerStatus: string;
  month: string;
  status: "draft" | "final";
  /** Null for a draft. */
  statementId: string | null;
  number: string | null;
  issuedAt: Date | null;
  lineCount: number;
  totals: StatementTotals;
  /** The month `now` is in: its draft keeps changing. */
  running: boolean;
  /** An ended month not final yet: "finalise now" applies. */
  awaitingFinalisation: boolean;
}

// Newest month first, then by partner name and id: directions differ, so the "after" is
// written out below rather than one row-value comparison.
const statementsKeyset = keyset("support-statements", ["text", "text", "uuid"] as const);

type ListRow = {
  partner_id: string;
  slug: string;
  partner_name: string;
  partner_status: string;
  month: string;
  statement_id: string | null;
  number: string | null;
  issued_at: Date | null;
  line_count: number | null;
  retail_cents: number | null;
  discount_cents: number | null;
  tax_cents: number | null;
  referral_cents: number | null;
};

/**
 * Every partner's statements, newest month first, then by partner name: one row per partner
 * and month since its enrolment (months come from generate_series, no statement needed).
 * Keyset paged over (month, partner name, partner id); a cursor we did not make throws
 * InvalidCursor. A draft's totals are computed for the
 * rows of the page only, so a page costs at most `limit` draft computations.
 */
export async function listStatementsForSupport(
  db: Database,
  {
    filter = {},
    cursor,
    limit = 25,
    now,
  }: { filter?: SupportStatementFilter; cursor?: string | null; limit?: number; now: Date },
): Promise<{ rows: SupportStatementRow[]; nextCursor: string | null }> {
  const size = pageSize(limit, 25, 100);
  const after = statementsKeyset.after(cursor);
  if (after && !isStatementMonth(after[0])) throw new InvalidCursor();
  const conditions = [sql`true`];
  if (filter.month) conditions.push(sql`l.month = ${filter.month}`);
  if (filter.status === "final") conditions.push(sql`l.statement_id is not null`);
  if (filter.status === "draft") conditions.push(sql`l.statement_id is null`);
  const partner = filter.partner?.trim();
  if (partner) {
    const pattern = `%${escapeLike(partner.toLowerCase())}%`;
    conditions.push(
      isPartnerSlug(partner)
        ? sql`(l.slug = ${partner} or lower(l.partner_name) like ${pattern})`
        : sql`lower(l.partner_name) like ${pattern}`,
    );
  }
  if (after) {
    conditions.push(
      sql`(l.month < ${after[0]} or (l.month = ${after[0]}
        and (l.partner_name, l.partner_id::text) > (${after[1]}, ${after[2]})))`,
    );
  }
  // A month filter narrows the series itself: one month per partner, not every month.
  const firstMonth = filter.month ? statementPeriod(filter.month).start : null;
  const { rows } = await sql<ListRow>`
    select * from (
      select p.id as partner_id, p.slug, p.name as partner_name, p.status as partner_status,
        to_char(m.start, 'YYYY-MM') as month,
        s.id as statement_id, s.number, s.issued_at, s.line_count,
        s.retail_cents, s.discount_cents, s.tax_cents, s.referral_cents
      from partners p
      cross join lateral generate_series(
        date_trunc('month', ${firstMonth === null ? sql`p.created_at` : sql`greatest(p.created_at, ${firstMonth}::timestamptz)`} at time zone 'UTC'),
        date_trunc('month', ${now}::timestamptz at time zone 'UTC'),
        interval '1 month') as m(start)
      left join statements s on s.partner_id = p.id
        and s.period_start = (m.start at time zone 'UTC')
    ) l
    where ${sql.join(conditions, sql` and `)}
    order by l.month desc, l.partner_name, l.partner_id::text
    limit ${size + 1}`.execute(db);
  const page = statementsKeyset.page(rows, size, (row) => [
    row.month,
    row.partner_name,
    row.partner_id,
  ]);
  const running = monthOf(now);
  const shown = await Promise.all(
    page.rows.map(async (row): Promise<SupportStatementRow> => {
      const base = {
        partnerId: row.partner_id,
        partnerSlug: row.slug,
        partnerName: row.partner_name,
        partnerStatus: row.partner_status,
        month: row.month,
        running: row.month === running,
      };
      if (row.statement_id !== null) {
        return {
          ...base,
          status: "final",
          statementId: row.statement_id,
          number: row.number,
          issuedAt: row.issued_at,
          lineCount: row.line_count ?? 0,
          totals: totalsOf(
            row.retail_cents ?? 0,
            row.discount_cents ?? 0,
            row.tax_cents ?? 0,
            row.referral_cents ?? 0,
          ),
          awaitingFinalisation: false,
        };
      }
      const draft = await getMonthStatement(db, {
        partnerId: row.partner_id,
        month: row.month,
        now,
      });
      return {
        ...base,
        status: draft.status,
        statementId: draft.id,
        number: draft.number,
        issuedAt: draft.issuedAt,
        lineCount: draft.lineCount,
        totals: draft.totals,
        awaitingFinalisation: draft.status === "draft" && row.month !== running,
      };
    }),
  );
  return { rows: shown, nextCursor: page.nextCursor };
}

// ---- Finalise now ------------------------------------------------------------------------

export const FinaliseNowSchema = z.object({
  month: z.string().trim().refine(isStatementMonth, { message: "support:statements.badMonth" }),
  /** A partner's slug; empty: every partner (the scheduled run's scope). */
  partner: z
    .string()
    .trim()
    .max(64)
    .refine((value) => value === "" || isPartnerSlug(value), {
      message: "support:statements.unknownPartner",
    })
    .optional(),
});
export type FinaliseNowInput = z.infer<typeof FinaliseNowSchema>;

export class FinalisePartnerNotFound extends DomainError {
  constructor() {
    super("unknown_partner", "No partner has that slug.", "partner");
  }
}

/**
 * "Finalise now" from the support desk: the month (and any earlier month left open) for one
 * partner or for all, through the same functions as `npm run admin -- statements finalize`
 * and the monthly job. Idempotent (a month final already is left as it is; the partner's
 * row lock orders parallel runs, so no duplicate and no gap); a month not ended is refused
 * with statement_month_open. Each statement made is audited (statement.finalized) with the
 * support person as its actor.
 */
export async function finaliseNow(
  db: Database,
  { month, partner, actor, now }: FinaliseNowInput & { actor: AuditActor; now: Date },
): Promise<FinalisedStatement[]> {
  if (!partner) return finalizeMonthForAllPartners(db, { month, actor, now });
  const found = await findPartnerForSupport(db, partner);
  if (!found) throw new FinalisePartnerNotFound();
  return finalizeStatements(db, { partnerId: found.id, month, actor, now });
}
