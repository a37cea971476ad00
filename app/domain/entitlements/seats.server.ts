// Staff seats: who holds which, worked out and stored (re-attribution) and swept when stale.
import { sql, type Expression } from "kysely";
import { compiledOnce } from "~db/compiled-once.ts";
import type { Database } from "~db/index.ts";
import { grantActive, grantEnded } from "../predicates.server";
import {
  lockBusinessPlans,
  planInForce,
  planRowsWithVersions,
  type BusinessPlan,
  type GrantSource,
} from "./plan.server";
import type { GrantRow } from "./grants.server";

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

interface MemberJson {
  user_id: string;
  role: string;
  created_at: string;
  seat_grant_id: string | null;
  over_seat_limit_since: string | null;
}

interface SeatGrantJson {
  id: string;
  source: GrantSource;
  staff_seats: number;
  ends_at: string;
  created_at: string;
}

/** The business's members as re-attribution reads them: `business` its id or an id column. */
function seatHoldersJsonSql(business: string | Expression<string>) {
  return sql<MemberJson[]>`(select coalesce(json_agg(json_build_object('user_id', m.user_id,
      'role', m.role, 'created_at', m.created_at, 'seat_grant_id', m.seat_grant_id,
      'over_seat_limit_since', m.over_seat_limit_since)), '[]'::json)
    from business_members m where m.business_id = ${business})`;
}

/** The business's grants in force (what attributeSeats needs of them), likewise. */
function seatGrantsJsonSql(business: string | Expression<string>, now: Date) {
  return sql<SeatGrantJson[]>`(select coalesce(json_agg(json_build_object('id', g.id,
      'source', g.source, 'staff_seats', g.staff_seats, 'ends_at', g.ends_at,
      'created_at', g.created_at)), '[]'::json)
    from grants g where g.business_id = ${business} and ${grantActive("g", now)})`;
}

/**
 * seatHolders and the business's grants in force, in ONE statement (ADR 041); read after the
 * business lock, so they are what the lock holder sees. Compiled once (ADR 043).
 */
const seatsAndGrantsReading = compiledOnce(
  (_db, { businessId, now }: { businessId: string; now: Date }) =>
    sql<{ members: MemberJson[]; grants: SeatGrantJson[] }>`select
      ${seatHoldersJsonSql(businessId)} as members,
      ${seatGrantsJsonSql(businessId, now)} as grants`,
);

/**
 * For a transaction that already holds the business lock (taken by an earlier statement): the
 * plan, the seat holders and the grants in force in ONE statement. Its snapshot is taken after
 * the lock was, so it sees what a read after lockBusinessPlans would (ADR 044). Never for a
 * caller without the lock: a statement that waited for it would read from before the wait.
 */
const planSeatsAndGrantsReading = compiledOnce(
  (db, { businessIds, now }: { businessIds: string[]; now: Date }) =>
    planRowsWithVersions(db, businessIds)
      .select(seatHoldersJsonSql(sql.ref<string>("businesses.id")).as("members"))
      .select(seatGrantsJsonSql(sql.ref<string>("businesses.id"), now).as("grants")),
);

function seatState(members: MemberJson[], grants: SeatGrantJson[]) {
  return {
    members: members.map((m) => ({
      ...m,
      created_at: new Date(m.created_at),
      over_seat_limit_since: m.over_seat_limit_since ? new Date(m.over_seat_limit_since) : null,
    })),
    grants: grants.map((g) => ({
      id: g.id,
      source: g.source,
      staffSeats: g.staff_seats,
      endsAt: new Date(g.ends_at),
      createdAt: new Date(g.created_at),
    })),
  };
}

/** The business's plan (locking the business unless `lockHeld`), seat holders and grants. */
async function planAndSeats(
  trx: Database,
  { businessId, now, lockHeld }: { businessId: string; now: Date; lockHeld: boolean },
): Promise<(ReturnType<typeof seatState> & { plan: BusinessPlan }) | null> {
  if (lockHeld) {
    const [row] = await planSeatsAndGrantsReading(trx, { businessIds: [businessId], now });
    if (!row) return null;
    const { members, grants, ...planRow } = row;
    return { plan: planInForce(planRow, now), ...seatState(members, grants) };
  }
  const plans = await lockBusinessPlans(trx, { businessIds: [businessId], now });
  const plan = plans.get(businessId);
  if (!plan) return null;
  const [row] = await seatsAndGrantsReading(trx, { businessId, now });
  return { plan, ...seatState(row?.members ?? [], row?.grants ?? []) };
}

/**
 * Brings the stored seat attribution in line with `attributeSeats` at `now`: members who
 * lost their seat are marked over the limit (they cannot sign in; nothing is deleted), those
 * who found one are unmarked. Locks the business row, unless the transaction holds the lock
 * already. Returns how many members changed.
 */
export async function reattributeSeats(
  trx: Database,
  {
    businessId,
    now,
    lockHeld = false,
  }: {
    businessId: string;
    now: Date;
    /** This transaction locked the business already (a claim's read does): one read, not two. */
    lockHeld?: boolean;
  },
): Promise<number> {
  const state = await planAndSeats(trx, { businessId, now, lockHeld });
  if (!state) return 0;
  const { plan, members, grants } = state;
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
