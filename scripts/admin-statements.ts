// `npm run admin -- statements finalize --month YYYY-MM [--partner SLUG]` and
// `npm run admin -- claims roll-back --code CODE --reason TEXT`: what the commands do, apart
// from argument parsing and printing, so that tests run exactly this.
import type { Database } from "../db/index.ts";
import { findPartnerBySlug } from "../app/domain/api-keys.server.ts";
import { rollBackClaim, type RollbackTarget } from "../app/domain/claim-rollbacks.server.ts";
import { DomainError } from "../app/domain/errors.server.ts";
import {
  finalizeMonthForAllPartners,
  finalizeStatements,
  StatementFinalisationFailed,
  type FinalisedStatement,
} from "../app/domain/statements/finalise.server.ts";
import { parseSerial } from "../app/lib/activation-code.ts";
import { formatMoney } from "../app/lib/format.ts";
import { isStatementMonth } from "../app/lib/statement-months.ts";
import { cliActor } from "./admin-tokens.ts";

export type CliOutcome =
  | { ok: true; lines: string[] }
  /** `lines`: what was done before the failure (printed before the error). */
  | { ok: false; error: string; lines?: string[] };

/** A domain refusal as the flag it is about would say it: "--month: 2026-11 has not ended…". */
function refusal(error: unknown, flags: Record<string, string>): CliOutcome {
  if (!(error instanceof DomainError)) throw error;
  const flag = error.field ? flags[error.field] : undefined;
  return { ok: false, error: flag ? `${flag}: ${error.message}` : error.message };
}

function statementLine(slug: string, result: FinalisedStatement): string {
  return `${slug} ${result.month} ${result.number} ${result.created ? "created" : "already final"}`;
}

/**
 * `statements finalize`: the month (and any earlier month left open) for one partner or all.
 * One line per statement created, and for the month asked for, one per partner even when it
 * was final already; a second run prints only "already final" lines.
 */
export async function finalizeStatementsFromCli(
  db: Database,
  { month, partner: slug, now = new Date() }: { month?: string; partner?: string; now?: Date },
): Promise<CliOutcome> {
  if (month === undefined || !isStatementMonth(month)) {
    return {
      ok: false,
      error: `--month: give a calendar month as YYYY-MM, e.g. --month 2026-10${
        month === undefined ? "" : ` (not "${month}")`
      }.`,
    };
  }
  const flags = { month: "--month", partner: "--partner" };
  try {
    if (slug !== undefined) {
      const partner = await findPartnerBySlug(db, slug);
      if (!partner) return { ok: false, error: `--partner: no partner has the slug "${slug}".` };
      const results = await finalizeStatements(db, {
        partnerId: partner.id,
        month,
        actor: cliActor,
        now,
      });
      return { ok: true, lines: results.map((result) => statementLine(partner.slug, result)) };
    }
    const results = await finalizeMonthForAllPartners(db, { month, actor: cliActor, now });
    if (results.length === 0) {
      return { ok: true, lines: [`No partner was enrolled by ${month}: nothing to finalise.`] };
    }
    return { ok: true, lines: results.map((result) => statementLine(result.partnerSlug, result)) };
  } catch (error) {
    if (error instanceof StatementFinalisationFailed) {
      return {
        ok: false,
        lines: error.finalised.map((result) => statementLine(result.partnerSlug, result)),
        error: error.failures
          .map(
            ({ partnerSlug, error: cause }) =>
              `${partnerSlug} ${month} not finalised: ${cause instanceof Error ? cause.message : String(cause)}`,
          )
          .join("\n"),
      };
    }
    return refusal(error, flags);
  }
}

const money = (cents: number) => formatMoney(cents, "en-IE");

/** `claims roll-back`: --code takes the code in any formatting, or its Code #N ("123", "#123"). */
export async function rollBackClaimFromCli(
  db: Database,
  { code, reason, now = new Date() }: { code?: string; reason?: string; now?: Date },
): Promise<CliOutcome> {
  if (code === undefined || code.trim() === "") {
    return {
      ok: false,
      error:
        "--code: give the claimed code (XXXX-XXXX-XXXX-XXXX) or its number, e.g. --code 42 for Code #42",
    };
  }
  if (reason === undefined) {
    return {
      ok: false,
      error: '--reason: say why the claim is rolled back, e.g. --reason "Sold by mistake"',
    };
  }
  const serial = parseSerial(code);
  const target: RollbackTarget = serial !== null ? { activationCodeId: serial } : { code };
  try {
    const done = await rollBackClaim(db, { ...target, reason, actor: cliActor, now });
    return {
      ok: true,
      lines: [
        `Code #${done.serial} (${done.partnerSlug}, ${done.businessName}) rolled back; its grant ended ${done.grantEndsAt.toISOString()}.`,
        `Credit line on ${done.partnerSlug}'s ${done.statementMonth} statement: ${money(
          done.credit.wholesaleCents + done.credit.taxCents,
        )} (${money(done.credit.wholesaleCents)} + tax ${money(done.credit.taxCents)}).`,
      ],
    };
  } catch (error) {
    return refusal(error, { code: "--code", reason: "--reason" });
  }
}
