// Support's referral forms on a business's and a partner's support page (connect, edit the
// link and rule, pause / disconnect): the same three intents on both pages, each scoped to
// the page's own account (ADR 034).
import { notFound } from "~/auth/guards.server";
import { db } from "~/db.server";
import type { AuditActor } from "~/domain/audit.server";
import { DomainError } from "~/domain/errors.server";
import {
  AccountEditSchema,
  AccountStatusSchema,
  ConnectSchema,
  connectReferralAccount,
  editReferralAccount,
  referralAccountOf,
  setReferralAccountStatus,
} from "~/domain/referrals/accounts.server";
import type { ReferralAccountStatus, ReferrerRef } from "~/domain/referrals/model.server";
import { referralLink } from "~/domain/referrals/reads.server";
import { clock } from "./clock.server";
import { redirectWithFlash } from "./flash.server";
import { formValues } from "./forms";
import { intentForm, type IntentContext } from "./intents.server";
import { domainErrorMessage, messageKey, type MessageKey } from "./messages";

/** The flash after a status change: one sentence per status, never the raw value. */
const STATUS_CHANGED: Record<ReferralAccountStatus, MessageKey> = {
  connected: messageKey("referrals:panel.statusChanged.connected"),
  paused: messageKey("referrals:panel.statusChanged.paused"),
  disconnected: messageKey("referrals:panel.statusChanged.disconnected"),
};

/** A refusal as the form's failure: on its field, else above the form; a 404 stays a 404. */
function refusal(error: unknown, fail: IntentContext["fail"], values: Record<string, string>) {
  if (!(error instanceof DomainError)) throw error;
  if (error.status === 404) throw notFound();
  const message = domainErrorMessage("referrals:errors", error.code);
  return error.field
    ? fail({ values, errors: { [error.field]: message } }, error.status)
    : fail({ values, formError: message }, error.status);
}

export function referralIntents({
  request,
  formData,
  owner,
  referrer,
  here,
  actor,
  ip,
}: {
  request: Request;
  formData: FormData;
  owner: { businessId: string } | { partnerId: string };
  referrer: ReferrerRef;
  here: string;
  actor: AuditActor;
  ip: string | null;
}) {
  const typed = formValues(formData);
  /** The account of this page's organisation, when the form names it; else 404. */
  const ownAccount = async (accountId: string) => {
    const account = await referralAccountOf(db, owner);
    if (!account || account.id !== accountId) throw notFound();
    return account;
  };
  return {
    referralConnect: intentForm(ConnectSchema, async ({ slug }, { fail }) => {
      try {
        const account = await connectReferralAccount(db, {
          referrer,
          slug,
          actor,
          ip,
          now: clock(),
        });
        return redirectWithFlash(request, here, {
          kind: "success",
          key: "referrals:panel.connected",
          values: { link: referralLink(account.slug) },
        });
      } catch (error) {
        return refusal(error, fail, typed);
      }
    }),
    referralEdit: intentForm(AccountEditSchema, async (input, { fail }) => {
      await ownAccount(input.accountId);
      try {
        await editReferralAccount(db, { input, actor, ip, now: clock() });
      } catch (error) {
        return refusal(error, fail, typed);
      }
      return redirectWithFlash(request, here, { kind: "success", key: "referrals:panel.saved" });
    }),
    referralStatus: intentForm(AccountStatusSchema, async (input, { fail }) => {
      await ownAccount(input.accountId);
      try {
        await setReferralAccountStatus(db, { ...input, actor, ip, now: clock() });
      } catch (error) {
        return refusal(error, fail, typed);
      }
      return redirectWithFlash(request, here, {
        kind: "success",
        key: STATUS_CHANGED[input.status],
      });
    }),
  };
}
