// Redemption: a business claims an activation code and gets its bundle as a grant. The claim
// is one transaction (DESIGN.md §4); every way it can fail has its own error, and failures
// count against the business and the IP address, in the database, across processes.
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { parseCode } from "~/lib/activation-code";
import { addMonthsClamped } from "~/lib/billing-periods";
import { bundleRetailCents, taxCents, wholesalePrice } from "~/lib/money";
import { recordAudit, type AuditActor } from "./audit.server";
import { getCurrentPrices } from "./bundles.server";
import { CodeMistyped, CodeNotFound, CodeNotIssued } from "./codes/model.server";
import { reattributeSeats } from "./entitlements/seats.server";
import { DomainError, RateLimited } from "./errors.server";
import { codeExpiryPassed } from "./predicates.server";
import { recordOutboxEvent } from "./outbox.server";
import { inTransaction } from "./transaction.server";
import { qualifyReferral } from "./referrals/qualification.server";
import {
  checkRateLimits,
  hitRateLimits,
  rateLimitRules,
  refundRateLimits,
  reserveRateLimits,
} from "./rate-limits.server";

export class CodeAlreadyClaimedByYou extends DomainError {
  constructor(readonly serial: number) {
    super(
      "code_already_claimed_by_you",
      `You have already claimed this code (Code #${serial}); its services are on your billing page.`,
      "code",
    );
  }
}

export class CodeLockedToRecipient extends DomainError {
  constructor() {
    super(
      "code_locked",
      "This code was handed out to someone else and can only be claimed with their email address.",
      "code",
    );
  }
}

export class PartnerSuspended extends DomainError {
  constructor() {
    super(
      "partner_suspended",
      "The partner who issued this code is suspended, so its codes cannot be claimed right now.",
      "code",
    );
  }
}

/** The platform API's body: `{code}` in any formatting. */
export const RedemptionBodySchema = z.object({ code: z.string().min(1).max(64) }).strict();

/** Who claims: a signed-in owner, or the platform on the business's behalf. */
export interface ClaimActor extends AuditActor {
  /** The email a code locked to its recipient must match: the signed-in person's, or for the
   *  platform API, the business owner's. */
  email: string | null;
}

export interface CodePreview {
  serial: number;
  partnerName: string;
  bundleName: string;
  staffSeats: number;
  cardOperations: number;
  termMonths: number;
  expiresAt: Date;
}

export interface ClaimedCode extends CodePreview {
  grantId: string;
  businessId: string;
  claimedAt: Date;
  endsAt: Date;
  retailCents: number;
  discountCents: number;
  wholesaleCents: number;
  /** Tax at the partner's rate at claim time, on the wholesale amount. */
  taxCents: number;
}

interface CodeState {
  id: number;
  status: string;
  expires_at: Date;
  locked_to_email: boolean;
  recipient_email: string | null;
  batch_status: string;
  partner_id: string;
  partner_name: string;
  partner_status: string;
  discount_bps: number;
  tax_rate_bps: number;
  bundle_id: string;
  bundle_name: string;
  staff_seats: number;
  card_operations: number;
  term_months: number;
  claimed_by_business_id: string | null;
  expired: boolean;
}

/** The code as a claim at `at` (the request's moment) would find it. */
async function codeState(db: Database, code: string, at: Date): Promise<CodeState | undefined> {
  return db
    .selectFrom("activation_codes as ac")
    .innerJoin("code_batches as cb", "cb.id", "ac.batch_id")
    .innerJoin("partners as p", "p.id", "ac.partner_id")
    .innerJoin("bundles as b", "b.id", "ac.bundle_id")
    .leftJoin("grants as g", "g.activation_code_id", "ac.id")
    .select([
      "ac.id",
      "ac.status",
      "ac.expires_at",
      "ac.locked_to_email",
      "ac.recipient_email",
      "cb.status as batch_status",
      "p.id as partner_id",
      "p.name as partner_name",
      "p.status as partner_status",
      "p.discount_bps",
      "p.tax_rate_bps",
      "b.id as bundle_id",
      "b.name as bundle_name",
      "b.staff_seats",
      "b.card_operations",
      "b.term_months",
      "g.business_id as claimed_by_business_id",
      codeExpiryPassed("ac", at).as("expired"),
    ])
    .where("ac.code", "=", code)
    .executeTakeFirst();
}

/** Why this code cannot be claimed by this business, as the error to show; null if it can. */
function refusal(
  state: CodeState,
  businessId: string | null,
  email: string | null,
): DomainError | null {
  if (state.status === "claimed") {
    return state.claimed_by_business_id === businessId
      ? new CodeAlreadyClaimedByYou(state.id)
      : new CodeNotIssued("claimed");
  }
  if (state.status === "revoked") return new CodeNotIssued("revoked");
  if (state.expired) return new CodeNotIssued("expired");
  if (state.batch_status !== "ready") return new CodeNotIssued("generating");
  if (state.partner_status !== "active") return new PartnerSuspended();
  if (
    state.locked_to_email &&
    (email === null || email.toLowerCase() !== state.recipient_email?.toLowerCase())
  ) {
    return new CodeLockedToRecipient();
  }
  return null;
}

function previewOf(state: CodeState): CodePreview {
  return {
    serial: state.id,
    partnerName: state.partner_name,
    bundleName: state.bundle_name,
    staffSeats: state.staff_seats,
    cardOperations: state.card_operations,
    termMonths: state.term_months,
    expiresAt: state.expires_at,
  };
}

/** The typed code as its 16-symbol body, or the error for a typo or nonsense. */
function codeBody(input: string): string {
  const parsed = parseCode(input);
  if (parsed.kind === "mistyped") throw new CodeMistyped();
  if (parsed.kind === "malformed") throw new CodeNotFound();
  return parsed.code;
}

/**
 * The counters an attempt is limited by: the business's, and the IP address's when the
 * attempt comes from a person's browser (the platform API claims for many businesses from
 * one address: there the business's limit alone applies).
 */
function attemptKeys(businessId: string, ip: string | null) {
  const keys = [
    { key: `redeem:business:${businessId}`, rule: rateLimitRules.redemptionFailuresPerBusiness },
  ];
  if (ip !== null)
    keys.push({ key: `redeem:ip:${ip}`, rule: rateLimitRules.redemptionFailuresPerIp });
  return keys;
}

/** Refuses with 429 (and when to retry) once the business or the IP is over its limit. */
/** Failures that count as an attempt to guess; claiming one's own code again does not. */
function isGuess(error: unknown): boolean {
  return error instanceof DomainError && !(error instanceof CodeAlreadyClaimedByYou);
}

/**
 * What a code would give, for the /redeem page before the owner confirms. Looking a code up
 * is a guess like a claim: the attempt is counted first (so parallel previews cannot all
 * slip under the limit) and given back when the code turns out to be a real one for this
 * business. Past the limit the answer is 429, as for a claim.
 */
export async function previewCode(
  db: Database,
  {
    businessId,
    code,
    email,
    ip,
    now,
  }: { businessId: string; code: string; email: string | null; ip: string | null; now: Date },
): Promise<CodePreview> {
  const limits = attemptKeys(businessId, ip);
  await reserveRateLimits(db, limits, now);
  try {
    const state = await codeState(db, codeBody(code), now);
    if (!state) throw new CodeNotFound();
    const refused = refusal(state, businessId, email);
    if (refused) throw refused;
    await refundRateLimits(db, limits, now);
    return previewOf(state);
  } catch (error) {
    if (!isGuess(error)) await refundRateLimits(db, limits, now);
    throw error;
  }
}

/**
 * The address a still-claimable code is locked to, for the sign-up form a redeem link leads
 * to (the recipient holds the code, so they may see whom it is for). Null otherwise.
 */
export async function lockedRecipientEmail(
  db: Database,
  { code }: { code: string },
): Promise<string | null> {
  const parsed = parseCode(code);
  if (parsed.kind !== "code") return null;
  const row = await db
    .selectFrom("activation_codes")
    .select("recipient_email")
    .where("code", "=", parsed.code)
    .where("locked_to_email", "=", true)
    .where("status", "=", "issued")
    .executeTakeFirst();
  return row?.recipient_email ?? null;
}

/** What a claim came to: the claimed code, or the refusal to answer (never both). */
export type ClaimOutcome = { ok: true; claim: ClaimedCode } | { ok: false; refusal: DomainError };

interface ClaimInput {
  businessId: string;
  code: string;
  actor: ClaimActor;
  /**
   * The moment of the claim (the request's clock): it is the claim time, the expiry is
   * checked against it and the price-list version in force then prices it (ADR 019).
   */
  now: Date;
  /** The request's address, for the audit log and (unless limitByIp is false) the limit. */
  ip: string | null;
  limitByIp?: boolean;
}

/**
 * Claims a code for a business: one transaction of the conditional update of the code (with
 * its price snapshot), the grant, seat re-attribution, audit entry and outbox event. A
 * refusal is thrown, after its failed attempt was counted (and committed).
 */
export async function claimCode(db: Database, input: ClaimInput): Promise<ClaimedCode> {
  const outcome = await tryClaimCode(db, input);
  if (!outcome.ok) throw outcome.refusal;
  return outcome.claim;
}

/**
 * claimCode in one transaction, joined when `db` is one (an /api/v1 write route's, ADR 029):
 * the attempt limit is checked, the claim made, and a failed guess counted, all in it. A
 * refusal is returned, not thrown, so that the caller commits its bookkeeping (the attempt
 * count); a refusal is decided before the claim writes anything, so nothing else commits.
 */
export async function tryClaimCode(
  db: Database,
  { businessId, code, actor, ip, limitByIp = true, now }: ClaimInput,
): Promise<ClaimOutcome> {
  const limits = attemptKeys(businessId, limitByIp ? ip : null);
  return inTransaction(db, async (trx): Promise<ClaimOutcome> => {
    const state = await checkRateLimits(trx, limits, now);
    if (state.limited) return { ok: false, refusal: new RateLimited(state.retryAfterSeconds) };
    try {
      const body = codeBody(code);
      const claim = await claimInTransaction(trx, { businessId, body, actor, ip, now });
      return { ok: true, claim };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (isGuess(error)) {
        // Counted atomically; a failure past the limit does not learn its outcome, so racing
        // attempts (in any number of processes) cannot learn more than the limit allows.
        const counted = await hitRateLimits(trx, limits, now);
        if (counted.limited) {
          return { ok: false, refusal: new RateLimited(counted.retryAfterSeconds) };
        }
      }
      return { ok: false, refusal: error };
    }
  });
}

async function claimInTransaction(
  trx: Database,
  {
    businessId,
    body,
    actor,
    ip,
    now,
  }: {
    businessId: string;
    body: string;
    actor: ClaimActor;
    ip: string | null;
    now: Date;
  },
): Promise<ClaimedCode> {
  const at = now;
  const state = await codeState(trx, body, now);
  if (!state) throw new CodeNotFound();
  const refused = refusal(state, businessId, actor.email);
  if (refused) throw refused;

  const prices = await getCurrentPrices(trx, now);
  const price = wholesalePrice(
    bundleRetailCents(
      {
        staffSeats: state.staff_seats,
        cardOperations: state.card_operations,
        termMonths: state.term_months,
      },
      prices,
    ),
    state.discount_bps,
  );
  const tax = taxCents(price.wholesaleCents, state.tax_rate_bps);
  // The conditional update decides races: of concurrent claims, one matches `status = 'issued'`;
  // the others wait for its commit, then match nothing.
  const claimed = await trx
    .updateTable("activation_codes")
    .set({
      status: "claimed",
      claimed_at: at,
      retail_cents: price.retailCents,
      discount_bps: state.discount_bps,
      discount_cents: price.discountCents,
      wholesale_cents: price.wholesaleCents,
      tax_rate_bps: state.tax_rate_bps,
      tax_cents: tax,
    })
    .where("id", "=", state.id)
    .where("status", "=", "issued")
    .where("expires_at", ">", at)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("code_batches")
          .select("code_batches.id")
          .whereRef("code_batches.id", "=", "activation_codes.batch_id")
          .where("code_batches.status", "=", "ready"),
      ),
    )
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("partners")
          .select("partners.id")
          .whereRef("partners.id", "=", "activation_codes.partner_id")
          .where("partners.status", "=", "active"),
      ),
    )
    .returning(["claimed_at"])
    .executeTakeFirst();
  if (!claimed?.claimed_at) {
    const after = await codeState(trx, body, now);
    throw (after && refusal(after, businessId, actor.email)) ?? new CodeNotIssued("claimed");
  }
  const claimedAt = claimed.claimed_at;
  const endsAt = addMonthsClamped(claimedAt, state.term_months);
  const grant = await trx
    .insertInto("grants")
    .values({
      business_id: businessId,
      source: "code",
      activation_code_id: state.id,
      partner_id: state.partner_id,
      claimed_by: actor.userId,
      staff_seats: state.staff_seats,
      card_operations: state.card_operations,
      starts_at: claimedAt,
      ends_at: endsAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await reattributeSeats(trx, { businessId, now: claimedAt });
  const after = {
    serial: state.id,
    bundle: state.bundle_name,
    staff_seats: state.staff_seats,
    card_operations: state.card_operations,
    ends_at: endsAt.toISOString(),
    retail_cents: price.retailCents,
    discount_cents: price.discountCents,
    wholesale_cents: price.wholesaleCents,
    tax_cents: tax,
  };
  await recordAudit(trx, {
    actor,
    action: "code.claimed",
    partnerId: state.partner_id,
    businessId,
    subject: { type: "activation_code", id: String(state.id) },
    after,
    ip,
  });
  await recordOutboxEvent(trx, {
    topic: "code.claimed",
    businessId,
    partnerId: state.partner_id,
    payload: {
      business_id: businessId,
      partner_id: state.partner_id,
      grant_id: grant.id,
      ...after,
    },
  });
  // A referred business's first claim qualifies its referral (once; ADR 034).
  await qualifyReferral(trx, {
    businessId,
    event: { kind: "code_claim", activationCodeId: state.id },
    now: claimedAt,
  });
  return {
    ...previewOf(state),
    grantId: grant.id,
    businessId,
    claimedAt,
    endsAt,
    retailCents: price.retailCents,
    discountCents: price.discountCents,
    wholesaleCents: price.wholesaleCents,
    taxCents: tax,
  };
}

/**
 * The actor of a claim the platform makes on a business's behalf: the token, standing for
 * the business's owner (whose email a code locked to its recipient must match). Null when
 * the business does not exist.
 */
export async function platformClaimActor(
  db: Database,
  { businessId, actor }: { businessId: string; actor: AuditActor },
): Promise<ClaimActor | null> {
  const business = await db
    .selectFrom("businesses")
    .leftJoin("business_members", (join) =>
      join
        .onRef("business_members.business_id", "=", "businesses.id")
        .on("business_members.role", "=", "owner"),
    )
    .leftJoin("users", "users.id", "business_members.user_id")
    .select(["businesses.id", "users.email"])
    .where("businesses.id", "=", businessId)
    .orderBy("business_members.created_at")
    .executeTakeFirst();
  return business ? { ...actor, email: business.email ?? null } : null;
}
