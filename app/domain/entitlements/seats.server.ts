// Staff seats: who holds which, worked out and stored (re-attribution) and swept when stale.
import type { Database } from "~db/index.ts";
import { grantEnded } from "../predicates.server";
import { lockBusinessPlans } from "./plan.server";
import { GrantRow, activeGrants } from "./grants.server";

// ---- Staff seats ------------------------------------------------------------------------

export interface SeatHolder {
  userId: string;
  role: string;
  joinedAt: Date;
}

export type Seat = { kind: "plan" } | { kind: "grant"; grantId: string } | { kind: "none" };

/**
 * Who holds which seat (DESIGN.md §4): the owner first, then members in the order they
 * joined; plan seats first, then the grant that lasts longest. Deterministic, so the same
 * state always gives the same answer; members past the last seat get none (never the owner).
 */
export function attributeSeats(
  members: SeatHolder[],
  planSeats: number,
  grants: Pick<GrantRow, "id" | "source" | "staffSeats" | "endsAt" | "createdAt">[],
): Map<string, Seat> {
  const ordered = [...members].sort(
    (a, b) =>
      (a.role === "owner" ? 0 : 1) - (b.role === "owner" ? 0 : 1) ||
      a.joinedAt.getTime() - b.joinedAt.getTime() ||
      (a.userId < b.userId ? -1 : 1),
  );
  const rooms = grants
    .filter((g) => g.source !== "plan" && g.staffSeats > 0)
    .sort(
      (a, b) =>
        b.endsAt.getTime() - a.endsAt.getTime() ||
        a.createdAt.getTime() - b.createdAt.getTime() ||
        (a.id < b.id ? -1 : 1),
    )
    .map((g) => ({ id: g.id, free: g.staffSeats }));
  let planFree = planSeats;
  const seats = new Map<string, Seat>();
  for (const member of ordered) {
    if (planFree > 0) {
      planFree -= 1;
      seats.set(member.userId, { kind: "plan" });
      continue;
    }
    const room = rooms.find((r) => r.free > 0);
    if (room) {
      room.free -= 1;
      seats.set(member.userId, { kind: "grant", grantId: room.id });
    } else {
      // The owner is never locked out of their own business (a custom plan whose seats are
      // not set yet has none): they keep a plan seat, and "taken" shows it.
      seats.set(member.userId, member.role === "owner" ? { kind: "plan" } : { kind: "none" });
    }
  }
  return seats;
}

export async function seatHolders(db: Database, businessId: string) {
  return db
    .selectFrom("business_members")
    .select(["user_id", "role", "created_at", "seat_grant_id", "over_seat_limit_since"])
    .where("business_id", "=", businessId)
    .execute();
}

/**
 * Brings the stored seat attribution in line with `attributeSeats` at `now`: members who
 * lost their seat are marked over the limit (they cannot sign in; nothing is deleted), those
 * who found one are unmarked. Locks the business row. Returns how many members changed.
 */
export async function reattributeSeats(
  trx: Database,
  { businessId, now }: { businessId: string; now: Date },
): Promise<number> {
  const plans = await lockBusinessPlans(trx, { businessIds: [businessId], now });
  const plan = plans.get(businessId);
  if (!plan) return 0;
  const [members, grants] = await Promise.all([
    seatHolders(trx, businessId),
    activeGrants(trx, { businessIds: [businessId], now }),
  ]);
  const seats = attributeSeats(
    members.map((m) => ({ userId: m.user_id, role: m.role, joinedAt: m.created_at })),
    plan.staffSeats,
    grants,
  );
  let changed = 0;
  for (const member of members) {
    const seat = seats.get(member.user_id) ?? { kind: "none" };
    const grantId = seat.kind === "grant" ? seat.grantId : null;
    const over = seat.kind === "none";
    if (member.seat_grant_id === grantId && (member.over_seat_limit_since !== null) === over)
      continue;
    await trx
      .updateTable("business_members")
      .set({
        seat_grant_id: grantId,
        over_seat_limit_since: over ? (member.over_seat_limit_since ?? now) : null,
      })
      .where("business_id", "=", businessId)
      .where("user_id", "=", member.user_id)
      .execute();
    changed += 1;
  }
  return changed;
}

/**
 * Businesses whose stored attribution may be out of date because a grant holding one of
 * their seats has ended, or because members are waiting for a seat. The seat sweep job
 * re-attributes them.
 */
export async function businessesWithStaleSeats(db: Database, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom("business_members")
    .leftJoin("grants", "grants.id", "business_members.seat_grant_id")
    .select("business_members.business_id")
    .distinct()
    .where((eb) =>
      eb.or([
        grantEnded("grants", now),
        eb("business_members.over_seat_limit_since", "is not", null),
      ]),
    )
    .limit(1000)
    .execute();
  return rows.map((r) => r.business_id);
}
