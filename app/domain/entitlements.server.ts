// What a business may use right now: its plan's allowance for the current period, the grants
// of claimed codes (and, later, referral and support grants), and who holds which staff seat.
// `getEntitlements` is the one answer for the billing page, the platform API and partner views.
import type { Database } from "~db/index.ts";
import { nextBillingDate, periodContaining, type BillingPeriod } from "~/lib/billing-periods";
import { grantActive, grantEnded, invitationPending, isGrantActive } from "./predicates.server";

export type GrantSource = "plan" | "code" | "referral" | "support";

const intervalMonths = { month: 1, year: 12 } as const;

/** A business's plan as it applies now: prices and allowances already multiplied by locations. */
export interface BusinessPlan {
  businessId: string;
  businessName: string;
  businessCreatedAt: Date;
  id: string;
  name: string;
  /** The charge per billing interval, all locations together. */
  priceCents: number;
  billingInterval: string;
  perLocation: boolean;
  locations: number;
  startedAt: Date;
  anchorAt: Date;
  /** Null for plans that are never charged (free) or billed by arrangement (custom). */
  nextBillingAt: Date | null;
  /** Card operations the plan includes per monthly period (0 for a custom plan not yet set). */
  cardOperationsPerPeriod: number;
  /** Staff seats the plan includes (0 for a custom plan not yet set). */
  staffSeats: number;
  /** False for a custom plan whose numbers support has not set yet. */
  allowanceSet: boolean;
}

interface PlanRow {
  id: string;
  name: string;
  created_at: Date;
  locations: number;
  billing_anchor_at: Date;
  plan_started_at: Date;
  custom_card_operations_per_month: number | null;
  custom_staff_seats: number | null;
  plan_id: string;
  plan_name: string;
  price_cents: number;
  billing_interval: string;
  per_location: boolean;
  card_operations_per_month: number | null;
  staff_seats: number | null;
}

function selectPlanRows(db: Database) {
  return db
    .selectFrom("businesses")
    .innerJoin("plans", "plans.id", "businesses.plan_id")
    .select([
      "businesses.id",
      "businesses.name",
      "businesses.created_at",
      "businesses.locations",
      "businesses.billing_anchor_at",
      "businesses.plan_started_at",
      "businesses.custom_card_operations_per_month",
      "businesses.custom_staff_seats",
      "plans.id as plan_id",
      "plans.name as plan_name",
      "plans.price_cents",
      "plans.billing_interval",
      "plans.per_location",
      "plans.card_operations_per_month",
      "plans.staff_seats",
    ]);
}

/** The one place a plan row becomes allowances: per location, or support's custom numbers. */
function toBusinessPlan(row: PlanRow, now: Date): BusinessPlan {
  const multiplier = row.per_location ? row.locations : 1;
  const custom = row.billing_interval === "custom";
  const operations = custom ? row.custom_card_operations_per_month : row.card_operations_per_month;
  const seats = custom ? row.custom_staff_seats : row.staff_seats;
  const months = intervalMonths[row.billing_interval as keyof typeof intervalMonths];
  return {
    businessId: row.id,
    businessName: row.name,
    businessCreatedAt: row.created_at,
    id: row.plan_id,
    name: row.plan_name,
    priceCents: row.price_cents * multiplier,
    billingInterval: row.billing_interval,
    perLocation: row.per_location,
    locations: row.locations,
    startedAt: row.plan_started_at,
    anchorAt: row.billing_anchor_at,
    nextBillingAt: months ? nextBillingDate(row.billing_anchor_at, months, now) : null,
    cardOperationsPerPeriod: (operations ?? 0) * (custom ? 1 : multiplier),
    staffSeats: (seats ?? 0) * (custom ? 1 : multiplier),
    allowanceSet: operations !== null && seats !== null,
  };
}

/**
 * The plan's terms (price, interval, allowance, seats) as they stood when the business's
 * current allowance period started: the newest plan version in force at that start (ADR 019).
 * So support's edit of a plan reaches each business at its next period, never mid-period.
 * A plan has a handful of versions, so they are read whole and picked here.
 */
async function withTermsInForce(db: Database, rows: PlanRow[], now: Date): Promise<PlanRow[]> {
  if (rows.length === 0) return rows;
  const planIds = [...new Set(rows.map((row) => row.plan_id))];
  const versions = await db
    .selectFrom("plan_versions")
    .select([
      "plan_id",
      "effective_from",
      "price_cents",
      "billing_interval",
      "card_operations_per_month",
      "staff_seats",
    ])
    .where("plan_id", "in", planIds)
    .orderBy("effective_from", "desc")
    .execute();
  return rows.map((row) => {
    const periodStart = allowancePeriod({ anchorAt: row.billing_anchor_at }, now).start;
    const version = versions.find(
      (v) => v.plan_id === row.plan_id && v.effective_from.getTime() <= periodStart.getTime(),
    );
    // Every plan has a version from before any business existed (the migration's); the
    // plans row itself is only a fallback for a plan made without one.
    if (!version) return row;
    return {
      ...row,
      price_cents: version.price_cents,
      billing_interval: version.billing_interval,
      card_operations_per_month: version.card_operations_per_month,
      staff_seats: version.staff_seats,
    };
  });
}

/** The allowance period (monthly, from the billing anchor) that contains `now`. */
export function allowancePeriod(plan: Pick<BusinessPlan, "anchorAt">, now: Date): BillingPeriod {
  return periodContaining(plan.anchorAt, 1, now);
}

export async function getBusinessPlan(
  db: Database,
  { businessId, now }: { businessId: string; now: Date },
): Promise<BusinessPlan | null> {
  const row = await selectPlanRows(db).where("businesses.id", "=", businessId).executeTakeFirst();
  if (!row) return null;
  const [terms] = await withTermsInForce(db, [row], now);
  return toBusinessPlan(terms, now);
}

/**
 * The plans of several businesses, each business row locked (FOR NO KEY UPDATE: foreign keys
 * to it still insert) in id order. This lock is what serialises a business's card
 * operations and seat changes; taking it in one order keeps concurrent batches deadlock-free.
 */
export async function lockBusinessPlans(
  trx: Database,
  { businessIds, now }: { businessIds: string[]; now: Date },
): Promise<Map<string, BusinessPlan>> {
  if (businessIds.length === 0) return new Map();
  const rows = await selectPlanRows(trx)
    .where("businesses.id", "in", businessIds)
    .orderBy("businesses.id")
    .forNoKeyUpdate("businesses")
    .execute();
  const withTerms = await withTermsInForce(trx, rows, now);
  return new Map(withTerms.map((row) => [row.id, toBusinessPlan(row, now)]));
}

// ---- Grants -----------------------------------------------------------------------------

export interface GrantRow {
  id: string;
  businessId: string;
  source: GrantSource;
  staffSeats: number;
  cardOperations: number;
  cardOperationsUsed: number;
  startsAt: Date;
  endsAt: Date;
  createdAt: Date;
}

/**
 * The order card operations draw in (DESIGN.md §4): the plan's allowance for the period
 * first, then the grant ending soonest, then the oldest.
 */
export function compareDrawOrder(a: GrantRow, b: GrantRow): number {
  if ((a.source === "plan") !== (b.source === "plan")) return a.source === "plan" ? -1 : 1;
  return (
    a.endsAt.getTime() - b.endsAt.getTime() ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

const grantColumns = [
  "id",
  "business_id",
  "source",
  "staff_seats",
  "card_operations",
  "card_operations_used",
  "starts_at",
  "ends_at",
  "created_at",
] as const;

/** The grants of these businesses in force at `now`, in draw order per business. */
export async function activeGrants(
  db: Database,
  { businessIds, now }: { businessIds: string[]; now: Date },
): Promise<GrantRow[]> {
  if (businessIds.length === 0) return [];
  const rows = await db
    .selectFrom("grants")
    .select(grantColumns)
    .where("business_id", "in", businessIds)
    .where(grantActive("grants", now))
    .execute();
  return rows.map(toGrantRow).sort(compareDrawOrder);
}

/** A grants row as the domain sees it. */
export function toGrantRow(row: {
  id: string;
  business_id: string;
  source: GrantSource;
  staff_seats: number;
  card_operations: number;
  card_operations_used: number;
  starts_at: Date;
  ends_at: Date;
  created_at: Date;
}): GrantRow {
  return {
    id: row.id,
    businessId: row.business_id,
    source: row.source,
    staffSeats: row.staff_seats,
    cardOperations: row.card_operations,
    cardOperationsUsed: row.card_operations_used,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    createdAt: row.created_at,
  };
}

/**
 * Creates the plan allowance grants for the current period of the businesses that have none
 * yet (the caller holds their business locks, so nobody else is creating them). Returns the
 * created grants.
 */
export async function openPlanPeriods(
  trx: Database,
  { plans, now }: { plans: BusinessPlan[]; now: Date },
): Promise<GrantRow[]> {
  if (plans.length === 0) return [];
  const rows = await trx
    .insertInto("grants")
    .values(
      plans.map((plan) => {
        const period = allowancePeriod(plan, now);
        return {
          business_id: plan.businessId,
          source: "plan",
          staff_seats: plan.staffSeats,
          card_operations: plan.cardOperationsPerPeriod,
          starts_at: period.start,
          ends_at: period.end,
        };
      }),
    )
    .onConflict((oc) =>
      oc.columns(["business_id", "starts_at"]).where("source", "=", "plan").doNothing(),
    )
    .returning(grantColumns)
    .execute();
  return rows.map(toGrantRow);
}

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

async function seatHolders(db: Database, businessId: string) {
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
