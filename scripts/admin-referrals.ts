// `npm run admin -- referral connect --business ID | --partner SLUG [--slug S]`: connects an
// account to the referral program through the same domain function as support's page, and
// prints the personal link alone on the last line (for scripts).
import type { Database } from "../db/index.ts";
import { DomainError } from "../app/domain/errors.server.ts";
import { connectReferralAccount } from "../app/domain/referrals/accounts.server.ts";
import { referralLink } from "../app/domain/referrals/reads.server.ts";
import type { CliOutcome } from "./admin-statements.ts";
import { cliActor } from "./admin-tokens.ts";

export async function connectReferralFromCli(
  db: Database,
  flags: { business?: string; partner?: string; slug?: string },
  now: Date,
): Promise<CliOutcome> {
  if ((flags.business === undefined) === (flags.partner === undefined)) {
    return { ok: false, error: "Give either --business ID or --partner SLUG (one of them)." };
  }
  try {
    const account = await connectReferralAccount(db, {
      referrer:
        flags.business !== undefined
          ? { businessId: flags.business.trim() }
          : { partnerSlug: flags.partner!.trim() },
      slug: flags.slug,
      actor: cliActor,
      now,
    });
    const link = referralLink(account.slug);
    return {
      ok: true,
      lines: [
        `${account.name} is connected to the referral program (rule version ${account.ruleVersion}).`,
        link,
      ],
    };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const flag =
      error.field === "slug"
        ? "--slug"
        : error.code === "business_not_found"
          ? "--business"
          : error.code === "partner_not_found"
            ? "--partner"
            : null;
    return { ok: false, error: flag ? `${flag}: ${error.message}` : error.message };
  }
}
