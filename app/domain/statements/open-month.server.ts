// Writing something that becomes a line of a partner's statement (a referral credit or debit):
// the statement of the month it is dated in must still be open, and stay open until commit.
import type { Database } from "~db/index.ts";
import { monthOf } from "~/lib/statement-months";
import { StatementMonthFinal } from "./model.server";

/**
 * Takes the partner's row FOR SHARE, so a finalisation of its month (FOR NO KEY UPDATE) waits
 * for the caller's commit and then sees the line; throws StatementMonthFinal when the statement
 * covering `now` is final already (a backdated clock: finalisation takes ended months only).
 */
export async function holdOpenStatementMonth(
  trx: Database,
  { partnerId, now }: { partnerId: string; now: Date },
): Promise<void> {
  await trx
    .selectFrom("partners")
    .select("id")
    .where("id", "=", partnerId)
    .forShare()
    .executeTakeFirstOrThrow();
  const final = await trx
    .selectFrom("statements")
    .select("period_start")
    .where("partner_id", "=", partnerId)
    .where("period_end", ">", now)
    .orderBy("period_start")
    .executeTakeFirst();
  if (final) throw new StatementMonthFinal(monthOf(final.period_start));
}
