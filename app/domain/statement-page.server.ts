// What one month's statement page shows (the partner's and support's alike): the statement as
// it stands, one page of its lines, its tax rates. Reads only.
import type { Database } from "~db/index.ts";
import { formattingOf } from "./statement-pdf.server";
import {
  getMonthStatement,
  listStatementLines,
  listStatementReferralLines,
  statementTaxRates,
} from "./statements/reads.server";
import { monthOf, STATEMENT_LINES_PAGE } from "~/lib/statement-months";

/**
 * The month's statement of the partner with the lines after line `after`. Throws
 * StatementMonthBeforeEnrolment for a month before enrolment or not begun.
 */
export async function statementPage(
  db: Database,
  { partnerId, month, after, now }: { partnerId: string; month: string; after: number; now: Date },
) {
  const statement = await getMonthStatement(db, { partnerId, month, now });
  const [page, taxRates, referralLines] = await Promise.all([
    listStatementLines(db, { partnerId, statement, after, limit: STATEMENT_LINES_PAGE }),
    statementTaxRates(db, { partnerId, statement }),
    listStatementReferralLines(db, { partnerId, statement }),
  ]);
  return {
    statement,
    lines: page.lines,
    after,
    nextAfter: page.nextAfter,
    referralLines,
    taxRates,
    running: month === monthOf(now),
    // Amounts and dates as the statement's PDF writes them: for the partner's locale.
    locale: formattingOf(statement.partner.locale).locale,
  };
}

export type StatementPageData = Awaited<ReturnType<typeof statementPage>>;
