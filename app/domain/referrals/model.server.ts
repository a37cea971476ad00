// The referral program's vocabulary (DESIGN.md §4, issue 15, ADR 034): reward rules, slugs,
// statuses, the self-referral signals, how a visitor's address is kept (a keyed hash, never
// the address) and the errors support's forms and the CLI answer.
import { createHmac } from "node:crypto";
import { z } from "zod";
import { env } from "~/env.server";
import { wholeNumberField } from "~/lib/fields";
import { suggestSlug } from "~/lib/slug";
import { DomainError } from "../errors.server";
import { PUBLIC_EMAIL_DOMAINS } from "./public-email-domains";

/** How long a first-touch visit attributes a sign-up (the cookie lives as long). */
export const ATTRIBUTION_WINDOW_DAYS = 60;
/** A sign-up from an address the referrer signed in from within this many days is flagged. */
export const REFERRER_IP_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

export function attributionWindowStart(now: Date): Date {
  return new Date(now.getTime() - ATTRIBUTION_WINDOW_DAYS * DAY_MS);
}

export function referrerIpWindowStart(now: Date): Date {
  return new Date(now.getTime() - REFERRER_IP_WINDOW_DAYS * DAY_MS);
}

export type ReferralAccountStatus = "connected" | "paused" | "disconnected";
export type ReferralStatus = "pending" | "approved" | "rejected" | "flagged";
export type ReferralFlag = "same_user" | "same_email_domain" | "referrer_ip";
export type UserAgentClass = "desktop" | "mobile" | "tablet" | "bot" | "other";

/** Whose link it is: a business or a partner. */
export type ReferrerRef = { businessId: string } | { partnerSlug: string };

/** The reward rule of an account, and the copy a referral keeps when it qualifies. */
export interface RewardRule {
  /** Bonus card operations for the referred business. */
  referredOperations: number;
  /** Bonus card operations for a referring business. */
  referrerOperations: number;
  /** A referring partner's credit on its statement, in cents. */
  referrerCreditCents: number;
  /** How long bonus operations last after they are granted. */
  bonusMonths: number;
}

export const DEFAULT_RULE: RewardRule = {
  referredOperations: 200,
  referrerOperations: 500,
  referrerCreditCents: 0,
  bonusMonths: 12,
};

export const RULE_LIMITS = {
  operations: 1_000_000,
  creditCents: 10_000_000,
  bonusMonths: 36,
} as const;

/** A slug as support types it: lower-cased; 3–40 of a–z, 0–9 and inner dashes. */
export const slugField = z
  .string()
  .trim()
  .toLowerCase()
  .min(3)
  .max(40)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])$/, "referrals:validation.slug");

export const RuleFields = {
  referredOperations: wholeNumberField({ min: 0, max: RULE_LIMITS.operations }),
  referrerOperations: wholeNumberField({ min: 0, max: RULE_LIMITS.operations }),
  referrerCreditCents: wholeNumberField({ min: 0, max: RULE_LIMITS.creditCents, empty: 0 }),
  bonusMonths: wholeNumberField({ min: 1, max: RULE_LIMITS.bonusMonths }),
};

/** A slug made from a name: "Corner Coffee" → "corner-coffee" (the suggestion support edits). */
export function slugFrom(name: string): string {
  const base = suggestSlug(name).slice(0, 32).replace(/-+$/, "");
  return base.length >= 3 ? base : `ref-${base || "link"}`;
}

/**
 * The visitor's address as kept: HMAC-SHA256 under the session secret, so equal addresses
 * compare equal and the address itself is never stored or derivable from a table.
 */
export function hashIp(ip: string | null): string {
  return createHmac("sha256", `referral-ip:${env.SESSION_SECRET}`)
    .update(ip ?? "unknown")
    .digest("hex");
}

/** A coarse class of the browser, enough for the funnel (no fingerprint is kept). */
export function userAgentClass(userAgent: string | null): UserAgentClass {
  if (!userAgent) return "other";
  const ua = userAgent.toLowerCase();
  if (/bot|crawl|spider|slurp|preview|curl|wget|python|headless/.test(ua)) return "bot";
  if (/ipad|tablet|kindle|silk/.test(ua)) return "tablet";
  if (/mobi|iphone|ipod|android/.test(ua)) return "mobile";
  if (/mozilla|opera/.test(ua)) return "desktop";
  return "other";
}

/** The domain of an address when it says who owns it (not a public mail provider). */
export function ownedEmailDomain(email: string): string | null {
  const at = email.lastIndexOf("@");
  if (at < 0) return null;
  const domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase();
  if (!domain || PUBLIC_EMAIL_DOMAINS.includes(domain)) return null;
  return domain;
}

// ---- Errors ---------------------------------------------------------------------------------

export class ReferralSlugTaken extends DomainError {
  constructor() {
    super("referral_slug_taken", "Another account already uses this link.", "slug");
  }
}

export class ReferralAccountExists extends DomainError {
  constructor() {
    super("referral_account_exists", "This account is connected to the program already.");
  }
}

export class ReferralAccountNotFound extends DomainError {
  constructor() {
    super("referral_account_not_found", "This account is not connected to the program.");
  }
}

export class ReferralNotFound extends DomainError {
  constructor() {
    super("referral_not_found", "No such referral.");
  }
}

export class ReferralNotDecidable extends DomainError {
  constructor() {
    super(
      "referral_not_decidable",
      "This referral is not waiting for a decision (already decided, or not qualified yet).",
    );
  }
}

export class ReferralStatusUnchanged extends DomainError {
  constructor() {
    super("referral_status_unchanged", "The account has this status already.", "status");
  }
}
