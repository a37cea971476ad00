// What redeeming a code tells the person: why a code cannot be redeemed (the one mapping
// from redemption errors to messages) and the flash after a claim. Used by the billing
// page's code field and the /redeem page alike.
import { DomainError, RateLimited } from "~/domain/errors.server";
import type { ClaimedCode } from "~/domain/redemption.server";
import { translatorFor } from "~/i18n";
import { domainErrorMessage, type Message } from "./messages";
import type { Flash } from "./flash.server";
import { formatDate, formatTime } from "./format";
import type { ResolvedLocale } from "./locale";
import { servicesPhrase } from "./services-phrase";

/** Every refusal of previewCode / claimCode, each with its message in redeem:errors. */
export const redemptionRefusalCodes = [
  "code_mistyped",
  "code_not_found",
  "code_already_claimed_by_you",
  "code_already_claimed",
  "code_expired",
  "code_revoked",
  "code_not_ready",
  "code_locked",
  "partner_suspended",
  "rate_limited",
] as const;

export interface RedemptionRefusal {
  message: Message;
  status: number;
  headers: Record<string, string>;
}

/**
 * The message, status and headers for a refused redemption; null for any other error (the
 * caller rethrows it). `formattingLocale` formats the time a rate limit ends (UTC, like every
 * time the portal shows).
 */
export function redemptionRefusal(
  error: unknown,
  { formattingLocale, now = new Date() }: { formattingLocale: string; now?: Date },
): RedemptionRefusal | null {
  if (error instanceof RateLimited) {
    const retryAt = new Date(now.getTime() + error.retryAfterSeconds * 1000);
    return {
      message: {
        key: "redeem:errors.rate_limited",
        values: {
          count: Math.max(1, Math.ceil(error.retryAfterSeconds / 60)),
          time: formatTime(retryAt, formattingLocale),
        },
      },
      status: 429,
      headers: { "Retry-After": String(error.retryAfterSeconds) },
    };
  }
  if (
    !(error instanceof DomainError) ||
    !(redemptionRefusalCodes as readonly string[]).includes(error.code)
  )
    return null;
  const values: Record<string, string | number> = {};
  if ("serial" in error && typeof error.serial === "number") values.serial = error.serial;
  return {
    message: domainErrorMessage("redeem:errors", error.code, values),
    status: error.status,
    headers: {},
  };
}

/** "Code #12 claimed: 2 staff seats and 1,000 card operations until 26 Nov 2027." */
export function claimedFlash(claimed: ClaimedCode, locale: ResolvedLocale): Flash {
  return {
    kind: "success",
    key: "business:claim.done",
    values: {
      serial: claimed.serial,
      gives: servicesPhrase(translatorFor(locale.language), claimed, locale.formattingLocale),
      date: formatDate(claimed.endsAt, locale.formattingLocale),
    },
  };
}
