// The one answer to "what may this business use now": getEntitlements and the partner's view.
import type { Database } from "~db/index.ts";
import { type BillingPeriod } from "~/lib/billing-periods";
import { grantActive, invitationPending, isGrantActive } from "../predicates.server";
import { GrantSource, BusinessPlan, allowancePeriod, getBusinessPlan } from "./plan.server";
import { activeGrants, toGrantRow } from "./grants.server";
import { Seat, attributeSeats, seatHolders } from "./seats.server";

// ---- The answer -------------------------------------------------------------------------

export interface GrantEntitlement {
  id: string;
  source: GrantSource;
  /** For code grants: the Code #N, its partner and bundle. */
  code: { serial: number; partnerId: string; partnerName: string; bundleName: string } | null;
  staffSeats: number;
  staffSeatsTaken: number;
  cardOperations: number;
  cardOperationsUsed: number;
  cardOperationsAvailable: number;
  startsAt: Date;
  endsAt: Date;
  claimedAt: Date;
  state: "active" | "ended" | "scheduled";
}

export interface Entitlements {
  plan: BusinessPlan;
  period: BillingPeriod;
  /** The plan's allowance for this period (whether or not its grant row exists yet). */
  planAllowance: { grantId: string | null; used: number; included: number };
  cardOperations: { used: number; limit: number; remaining: number };
  staffSeats: {
    /** Seats the plan includes. */
    included: number;
    /** Seats from grants in force. */
    fromGrants: number;
    /** included + fromGrants. */
    available: number;
    /** Members holding a seat. */
    taken: number;
    /** Members without one (cannot sign in until a seat frees up). */
    overLimit: number;
  };
  /** Code (and other non-plan) grants: in force first, newest claim first; then ended ones. */
  grants: GrantEntitlement[];
  /** Each member's seat, by user id. */
  seats: Record<string, Seat>;
}

/** The grant columns getEntitlements shows, with each code grant's Code #N, partner and bundle. */
function selectGrantEntitlementRows(db: Database) {
  return db
    .selectFrom("grants")
    .leftJoin("activation_codes", "activation_codes.id", "grants.activation_code_id")
    .leftJoin("partners", "partners.id", "grants.partner_id")
    .leftJoin("bundles", "bundles.id", "activation_codes.bundle_id")
    .select([
      "grants.id",
      "grants.business_id",
      "grants.source",
      "grants.staff_seats",
      "grants.card_operations",
      "grants.card_operations_used",
      "grants.starts_at",
      "grants.ends_at",
      "grants.created_at",
      "activation_codes.id as serial",
      "partners.id as partner_id",
      "partners.name as partner_name",
      "bundles.name as bundle_name",
    ]);
}

type GrantEntitlementRow = Awaited<
  ReturnType<ReturnType<typeof selectGrantEntitlementRows>["execute"]>
>[number];

/** Seats held per grant id, and members holding none, from an attribution. */
function countSeats(seats: Map<string, Seat>): { taken: Map<string, number>; overLimit: number } {
  const taken = new Map<string, number>();
  let overLimit = 0;
  for (const seat of seats.values()) {
    if (seat.kind === "grant") taken.set(seat.grantId, (taken.get(seat.grantId) ?? 0) + 1);
    if (seat.kind === "none") overLimit += 1;
  }
  return { taken, overLimit };
}

/** One non-plan grant as every view shows it: its own use and the seats it holds at `now`. */
function toGrantEntitlement(
  row: GrantEntitlementRow,
  taken: Map<string, number>,
  now: Date,
): GrantEntitlement {
  const g = toGrantRow(row);
  return {
    id: g.id,
    source: g.source,
    code:
      row.serial !== null && row.partner_id !== null
        ? {
            serial: row.serial,
            partnerId: row.partner_id,
            partnerName: row.partner_name ?? "",
            bundleName: row.bundle_name ?? "",
          }
        : null,
    staffSeats: g.staffSeats,
    staffSeatsTaken: taken.get(g.id) ?? 0,
    cardOperations: g.cardOperations,
    cardOperationsUsed: g.cardOperationsUsed,
    cardOperationsAvailable: g.cardOperations - g.cardOperationsUsed,
    startsAt: g.startsAt,
    endsAt: g.endsAt,
    claimedAt: g.createdAt,
    state: isGrantActive(g, now)
      ? ("active" as const)
      : g.startsAt.getTime() > now.getTime()
        ? ("scheduled" as const)
        : ("ended" as const),
  };
}

/** In force first, newest claim first; then ended ones. */
function compareGrantEntitlements(a: GrantEntitlement, b: GrantEntitlement): number {
  return (
    (a.state === "ended" ? 1 : 0) - (b.state === "ended" ? 1 : 0) ||
    b.claimedAt.getTime() - a.claimedAt.getTime()
  );
}

/**
 * What a business has at `now`. Reads only: a period whose plan grant does not exist yet
 * counts as unused, and seats are attributed as `attributeSeats` says now (so an ended
 * grant never shows as holding a seat, even before the seat sweep has run).
 */
export async function getEntitlements(
  db: Database,
  { businessId, now }: { businessId: string; now: Date },
): Promise<Entitlements | null> {
  const plan = await getBusinessPlan(db, { businessId, now });
  if (!plan) return null;
  const period = allowancePeriod(plan, now);
  const [grantRows, members] = await Promise.all([
    selectGrantEntitlementRows(db)
      .where("grants.business_id", "=", businessId)
      .where((eb) => eb.or([eb("grants.source", "<>", "plan"), grantActive("grants", now)]))
      .execute(),
    seatHolders(db, businessId),
  ]);
  const rows = grantRows.map((row) => ({ ...toGrantRow(row), row }));
  const active = rows.filter((g) => isGrantActive(g, now));
  const planGrant = active.find((g) => g.source === "plan") ?? null;
  const seats = attributeSeats(
    members.map((m) => ({ userId: m.user_id, role: m.role, joinedAt: m.created_at })),
    plan.staffSeats,
    active,
  );
  const { taken, overLimit } = countSeats(seats);

  const planIncluded = planGrant ? planGrant.cardOperations : plan.cardOperationsPerPeriod;
  const planUsed = planGrant ? planGrant.cardOperationsUsed : 0;
  const others = active.filter((g) => g.source !== "plan");
  const limit = planIncluded + others.reduce((sum, g) => sum + g.cardOperations, 0);
  const used = planUsed + others.reduce((sum, g) => sum + g.cardOperationsUsed, 0);
  const fromGrants = others.reduce((sum, g) => sum + g.staffSeats, 0);

  const grants = rows
    .filter((g) => g.source !== "plan")
    .map((g) => toGrantEntitlement(g.row, taken, now))
    .sort(compareGrantEntitlements);

  return {
    plan,
    period,
    planAllowance: { grantId: planGrant?.id ?? null, used: planUsed, included: planIncluded },
    cardOperations: { used, limit, remaining: limit - used },
    staffSeats: {
      included: plan.staffSeats,
      fromGrants,
      available: plan.staffSeats + fromGrants,
      taken: seats.size - overLimit,
      overLimit,
    },
    grants,
    seats: Object.fromEntries(seats),
  };
}

/**
 * The grants one partner's codes gave a business (ended ones too), each exactly as
 * getEntitlements shows it to the business: the seats a grant holds follow from everything
 * the business has in force, so the attribution reads all of it, but only the partner's own
 * grants leave this function. Empty when the business claimed none of the partner's codes.
 */
export async function getPartnerGrants(
  db: Database,
  { businessId, partnerId, now }: { businessId: string; partnerId: string; now: Date },
): Promise<GrantEntitlement[]> {
  const partnerRows = await selectGrantEntitlementRows(db)
    .where("grants.business_id", "=", businessId)
    .where("grants.partner_id", "=", partnerId)
    .execute();
  if (partnerRows.length === 0) return [];
  const [plan, members, active] = await Promise.all([
    getBusinessPlan(db, { businessId, now }),
    seatHolders(db, businessId),
    activeGrants(db, { businessIds: [businessId], now }),
  ]);
  if (!plan) return [];
  const seats = attributeSeats(
    members.map((m) => ({ userId: m.user_id, role: m.role, joinedAt: m.created_at })),
    plan.staffSeats,
    active,
  );
  const { taken } = countSeats(seats);
  return partnerRows
    .map((row) => toGrantEntitlement(row, taken, now))
    .sort(compareGrantEntitlements);
}

/** Seats still free for a new member: available − taken − invitations not yet answered. */
export async function freeStaffSeats(
  db: Database,
  { businessId, now }: { businessId: string; now: Date },
): Promise<{ free: number; available: number; taken: number; pending: number } | null> {
  const entitlements = await getEntitlements(db, { businessId, now });
  if (!entitlements) return null;
  const pending = await db
    .selectFrom("invitations")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("business_id", "=", businessId)
    .where(invitationPending("invitations", now))
    .executeTakeFirstOrThrow();
  const { available, taken } = entitlements.staffSeats;
  const pendingCount = Number(pending.count);
  return {
    free: Math.max(0, available - taken - pendingCount),
    available,
    taken,
    pending: pendingCount,
  };
}
