// Redemption: a business claims an activation code and gets its bundle as a grant. The claim
// is one transaction (DESIGN.md §4); every way it can fail has its own error, and failures
// count against the business and the IP address, in the database, across processes.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { parseCode } from "~/lib/activation-code";
import { addMonthsClamped } from "~/lib/billing-periods";
import { bundleRetailCents, taxCents, wholesalePrice } from "~/lib/money";
import { recordAuditForEachSql, type AuditActor } from "./audit.server";
import { pricesInForce, unitPricesOf } from "./bundles.server";
import { businessOwnerEmailSql } from "./businesses.server";
import { CodeMistyped, CodeNotFound, CodeNotIssued } from "./codes/model.server";
import { reattributeSeats } from "./entitlements/seats.server";
import { DomainError, RateLimited } from "./errors.server";
import { codeExpiryPassed } from "./predicates.server";
import { recordOutboxEventForEachSql } from "./outbox.server";
import { inTransaction } from "./transaction.server";
import { compiledOnce } from "~db/compiled-once.ts";
import {
  qualifyReferral,
  referralAwaitingQualificationSql,
} from "./referrals/qualification.server";
import {
  checkRateLimits,
  hitRateLimits,
  rateLimitHitsSql,
  rateLimitRules,
  rateLimitsReached,
  rateLimitWindows,
  refundRateLimits,
  reserveRateLimits,
  type KeyedRule,
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

/** Who claims: a signed-in owner (or a script acting as one). */
export interface ClaimActor extends AuditActor {
  /** The email a code locked to its recipient must match: the signed-in person's. */
  email: string | null;
}

/**
 * The platform claiming on a business's behalf through the API: its token is the actor, and a
 * code locked to its recipient must match the email of the business's owner, which the claim
 * reads with the code (ADR 043). A business that does not exist is a 404, decided before any
 * attempt is counted.
 */
export interface PlatformClaimActor extends AuditActor {
  onBehalfOfOwner: true;
}

/** No business has the id the platform claimed for. */
export class ClaimingBusinessNotFound extends DomainError {
  constructor() {
    super("not_found", "No business with this id.");
  }
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
  return codeStateQuery(db, code, at).executeTakeFirst();
}

function codeStateQuery(db: Database, code: string, at: Date) {
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
    .where("ac.code", "=", code);
}

/** What a claim reads before it writes, in ONE statement (ADR 041). */
interface ClaimReading {
  /** The business exists (only a platform claim can name one that does not). */
  businessExists: boolean;
  /** The email of the business's first owner: a platform claim's recipient check. */
  ownerEmail: string | null;
  /** The attempt counters' hits (`rateLimitsReached` decides). */
  attemptHits: Record<string, number>;
  state: CodeState | undefined;
  prices: { staff_seat_month_cents: number | null; card_operation_cents: number | null };
  /** The business has a referral its claim would qualify (else qualifyReferral is skipped). */
  referralAwaiting: boolean;
}

type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * The claim's one read, compiled once (ADR 043): one row whatever the code — the head (the
 * business and its owner, the counters, the referral) left-joined to the price in force and
 * to the code's state, which are null when there is none. It takes the business lock (ADR
 * 044), which the seat re-attribution after the write needs: a claim's statements after this
 * one see everything committed by whoever held the lock before.
 */
const claimReading = compiledOnce(
  (
    db,
    {
      body,
      businessId,
      keys,
      windowStarts,
      at,
    }: { body: string; businessId: string; keys: string[]; windowStarts: Date[]; at: Date },
  ) =>
    sql<
      Nullable<CodeState> & {
        business_exists: boolean;
        owner_email: string | null;
        attempt_hits: Record<string, number>;
        referral_awaiting: boolean;
        staff_seat_month_cents: number | null;
        card_operation_cents: number | null;
      }
    >`select head.business_exists, head.owner_email, head.attempt_hits, head.referral_awaiting,
      pl.staff_seat_month_cents, pl.card_operation_cents, s.*
    from (select exists (select 1 from businesses where id = ${businessId}
        for no key update) as business_exists,
      ${businessOwnerEmailSql(businessId)} as owner_email,
      ${rateLimitHitsSql({ keys, windowStarts })} as attempt_hits,
      ${referralAwaitingQualificationSql(businessId)} as referral_awaiting) head
    left join lateral ${pricesInForce(db, at)} pl on true
    left join lateral ${codeStateQuery(db, body, at)} s on true`,
);

async function readForClaim(
  db: Database,
  {
    body,
    businessId,
    limits,
    at,
  }: { body: string; businessId: string; limits: KeyedRule[]; at: Date },
): Promise<ClaimReading> {
  const [row] = await claimReading(db, { body, businessId, ...rateLimitWindows(limits, at), at });
  if (!row) throw new Error("The claim's reading returned no row.");
  const {
    business_exists,
    owner_email,
    attempt_hits,
    referral_awaiting,
    staff_seat_month_cents,
    card_operation_cents,
    ...code
  } = row;
  return {
    businessExists: business_exists,
    ownerEmail: owner_email,
    attemptHits: attempt_hits,
    state: code.id === null ? undefined : (code as CodeState),
    prices: { staff_seat_month_cents, card_operation_cents },
    referralAwaiting: referral_awaiting,
  };
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
  if (parsed.kind !== "code") throw unreadableCode(parsed.kind);
  return parsed.code;
}

function unreadableCode(kind: "mistyped" | "malformed"): DomainError {
  return kind === "mistyped" ? new CodeMistyped() : new CodeNotFound();
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
  actor: ClaimActor | PlatformClaimActor;
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
    try {
      const parsed = parseCode(code);
      if (parsed.kind !== "code") {
        // No code to read: the business (for the platform), the limit, then the typo counts
        // as a guess.
        if (isPlatform(actor) && !(await businessExists(trx, businessId))) {
          return { ok: false, refusal: new ClaimingBusinessNotFound() };
        }
        const state = await checkRateLimits(trx, limits, now);
        if (state.limited) return { ok: false, refusal: new RateLimited(state.retryAfterSeconds) };
        throw unreadableCode(parsed.kind);
      }
      const body = parsed.code;
      const reading = await readForClaim(trx, { body, businessId, limits, at: now });
      if (!reading.businessExists) return { ok: false, refusal: new ClaimingBusinessNotFound() };
      const state = rateLimitsReached(limits, reading.attemptHits, now);
      if (state.limited) return { ok: false, refusal: new RateLimited(state.retryAfterSeconds) };
      const claimant = isPlatform(actor)
        ? { userId: actor.userId, label: actor.label, email: reading.ownerEmail }
        : actor;
      const claim = await claimInTransaction(trx, {
        businessId,
        body,
        actor: claimant,
        ip,
        now,
        reading,
      });
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
    reading,
  }: {
    businessId: string;
    body: string;
    actor: ClaimActor;
    ip: string | null;
    now: Date;
    reading: ClaimReading;
  },
): Promise<ClaimedCode> {
  const claimedAt = now;
  const { state } = reading;
  if (!state) throw new CodeNotFound();
  const refused = refusal(state, businessId, actor.email);
  if (refused) throw refused;

  const prices = unitPricesOf(reading.prices);
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
  const endsAt = addMonthsClamped(claimedAt, state.term_months);
  // Known before the write, so that the audit entry and the event ride in its statement.
  const grantId = randomUUID();
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
  // ONE statement (ADR 041): the conditional update of the code decides races — of concurrent
  // claims, one matches `status = 'issued'`, the others wait for its commit, then match
  // nothing — and the grant, the audit entry and the outbox event are written for the row it
  // returned, so a claim that lost writes none of them.
  const { rows } = await sql<{ claimed_at: Date }>`with claimed as (
      update activation_codes set status = 'claimed', claimed_at = ${claimedAt},
        retail_cents = ${price.retailCents}, discount_bps = ${state.discount_bps},
        discount_cents = ${price.discountCents}, wholesale_cents = ${price.wholesaleCents},
        tax_rate_bps = ${state.tax_rate_bps}, tax_cents = ${tax}
      where id = ${state.id} and status = 'issued' and expires_at > ${claimedAt}
        and exists (select 1 from code_batches
          where code_batches.id = activation_codes.batch_id and code_batches.status = 'ready')
        and exists (select 1 from partners
          where partners.id = activation_codes.partner_id and partners.status = 'active')
      returning id, claimed_at
    ), granted as (
      insert into grants (id, business_id, source, activation_code_id, partner_id, claimed_by,
        staff_seats, card_operations, starts_at, ends_at)
      select ${grantId}::uuid, ${businessId}::uuid, 'code', claimed.id, ${state.partner_id}::uuid,
        ${actor.userId}::uuid, ${state.staff_seats}::int, ${state.card_operations}::int,
        claimed.claimed_at, ${endsAt}::timestamptz
      from claimed
    ), audited as (
      ${recordAuditForEachSql(
        {
          actor,
          action: "code.claimed",
          partnerId: state.partner_id,
          businessId,
          subject: { type: "activation_code", id: String(state.id) },
          after,
          ip,
        },
        "claimed",
      )}
    ), announced as (
      ${recordOutboxEventForEachSql(
        {
          topic: "code.claimed",
          businessId,
          partnerId: state.partner_id,
          payload: {
            business_id: businessId,
            partner_id: state.partner_id,
            grant_id: grantId,
            ...after,
          },
        },
        "claimed",
      )}
    )
    select claimed_at from claimed`.execute(trx);
  if (!rows[0]?.claimed_at) {
    const again = await codeState(trx, body, now);
    throw (again && refusal(again, businessId, actor.email)) ?? new CodeNotIssued("claimed");
  }
  // The read took the business lock: the plan, the seats and the grants come in one statement.
  await reattributeSeats(trx, { businessId, now: claimedAt, lockHeld: true });
  // A referred business's first claim qualifies its referral (once; ADR 034).
  if (reading.referralAwaiting) {
    await qualifyReferral(trx, {
      businessId,
      event: { kind: "code_claim", activationCodeId: state.id },
      now: claimedAt,
    });
  }
  return {
    ...previewOf(state),
    grantId,
    businessId,
    claimedAt,
    endsAt,
    retailCents: price.retailCents,
    discountCents: price.discountCents,
    wholesaleCents: price.wholesaleCents,
    taxCents: tax,
  };
}

function isPlatform(actor: ClaimActor | PlatformClaimActor): actor is PlatformClaimActor {
  return "onBehalfOfOwner" in actor;
}

async function businessExists(db: Database, businessId: string): Promise<boolean> {
  const row = await db
    .selectFrom("businesses")
    .select("id")
    .where("id", "=", businessId)
    .executeTakeFirst();
  return row !== undefined;
}
