// Seat enforcement at the door: a business member over the staff-seat limit cannot sign in
// or open the business until a seat frees up (DESIGN.md §4). Nothing is deleted for it.
import type { Database } from "~db/index.ts";
import { messageKey } from "~/lib/messages";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import { reattributeSeats } from "~/domain/entitlements/seats.server";
import { DomainError } from "~/domain/errors.server";
import { clock } from "~/lib/clock.server";
import { isGrantEnded } from "~/domain/predicates.server";

export const OVER_SEAT_LIMIT_MESSAGE_KEY = messageKey("staff:overLimit.body");

export class OverSeatLimit extends DomainError {
  constructor() {
    super(
      "over_seat_limit",
      "Your business has no free staff seat for you right now. Ask its owner to free a seat or add seats.",
    );
  }
}

/** The 403 page's answer: the message key lets the error page say why. */
export function overSeatLimitResponse(): Response {
  const error = new OverSeatLimit();
  return Response.json(
    { code: error.code, message: error.message, messageKey: OVER_SEAT_LIMIT_MESSAGE_KEY },
    { status: 403, statusText: "Forbidden" },
  );
}

/**
 * Does the stored attribution need a fresh look before we trust it? When the member is over
 * the limit (a seat may have come back) or their seat's grant has ended (it no longer holds).
 */
export function seatNeedsReattribution(
  membership: { over_seat_limit_since: Date | null; seat_ends_at: Date | null },
  now: Date,
): boolean {
  return (
    membership.over_seat_limit_since !== null ||
    (membership.seat_ends_at !== null && isGrantEnded({ endsAt: membership.seat_ends_at }, now))
  );
}

/**
 * Would the member hold a seat if the business's seats were attributed at `now`? Reads only:
 * the answer a guard needs, without the write that `reattributeSeats` makes.
 */
export async function holdsSeatNow(
  db: Database,
  { businessId, userId, now }: { businessId: string; userId: string; now: Date },
): Promise<boolean> {
  const seat = (await getEntitlements(db, { businessId, now }))?.seats[userId];
  return seat !== undefined && seat.kind !== "none";
}

/**
 * Re-attributes the business's seats and tells whether the member is over the limit
 * afterwards; null when they are no longer a member.
 */
export async function reattributeAndCheck(
  db: Database,
  { businessId, userId, now = clock() }: { businessId: string; userId: string; now?: Date },
): Promise<{ overLimit: boolean } | null> {
  return db.transaction().execute(async (trx) => {
    await reattributeSeats(trx, { businessId, now });
    const row = await trx
      .selectFrom("business_members")
      .select("over_seat_limit_since")
      .where("business_id", "=", businessId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row ? { overLimit: row.over_seat_limit_since !== null } : null;
  });
}

/**
 * True when the user may not sign in for want of a seat: no partner membership, at least one
 * business membership, and every one of them over the limit (after re-attribution).
 * Support users are the caller's to exempt.
 */
export async function signInBlockedBySeats(
  db: Database,
  { userId, now = clock() }: { userId: string; now?: Date },
): Promise<boolean> {
  const [partner, memberships] = await Promise.all([
    db
      .selectFrom("partner_members")
      .select("partner_id")
      .where("user_id", "=", userId)
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom("business_members")
      .leftJoin("grants", "grants.id", "business_members.seat_grant_id")
      .select([
        "business_members.business_id",
        "business_members.over_seat_limit_since",
        "grants.ends_at as seat_ends_at",
      ])
      .where("business_members.user_id", "=", userId)
      .execute(),
  ]);
  if (partner || memberships.length === 0) return false;
  // One membership whose seat still holds is enough.
  if (memberships.some((m) => !seatNeedsReattribution(m, now))) return false;
  let stillMember = false;
  for (const membership of memberships) {
    const state = await reattributeAndCheck(db, {
      businessId: membership.business_id,
      userId,
      now,
    });
    if (state && !state.overLimit) return false;
    stillMember ||= state !== null;
  }
  return stillMember;
}
