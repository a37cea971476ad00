// What a business may use right now: its plan's allowance for the current period, the grants
// of claimed codes (and, later, referral and support grants), and who holds which staff seat.
// `getEntitlements` is the one answer for the billing page, the platform API and partner views.
//
// A business's plan as it applies now, and the allowance period it gives.
import { sql } from "kysely";
import type { Database } from "~db/index.ts";
import { compiledOnce } from "~db/compiled-once.ts";
import type { PlanVersions } from "~db/schema.ts";
import { nextBillingDate, periodContaining, type BillingPeriod } from "~/lib/billing-periods";

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
    .execute();
  return rows.map((row) => termsInForce(row, versions, now));
}

/** The row with the terms of the newest of its plan's versions in force at the period start. */
function termsInForce(row: PlanRow, versions: VersionRow[], now: Date): PlanRow {
  const periodStart = allowancePeriod({ anchorAt: row.billing_anchor_at }, now).start.getTime();
  let version: VersionRow | undefined;
  for (const v of versions) {
    if (v.plan_id !== row.plan_id || v.effective_from.getTime() > periodStart) continue;
    if (!version || v.effective_from.getTime() > version.effective_from.getTime()) version = v;
  }
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
  return terms ? toBusinessPlan(terms, now) : null;
}

/**
 * The plan rows of some businesses with each plan's versions (as JSON): what lockBusinessPlans
 * reads under its lock, and what a caller already holding the lock reads with more beside it
 * (seats.server.ts). The ids go as one array parameter, so any number is the same text.
 */
export function planRowsWithVersions(db: Database, businessIds: string[]) {
  return selectPlanRows(db)
    .select(
      sql<VersionJson[]>`(select coalesce(json_agg(json_build_object(
          'plan_id', v.plan_id, 'effective_from', v.effective_from, 'price_cents', v.price_cents,
          'billing_interval', v.billing_interval,
          'card_operations_per_month', v.card_operations_per_month,
          'staff_seats', v.staff_seats)), '[]'::json)
        from plan_versions v where v.plan_id = plans.id)`.as("versions"),
    )
    .where(sql<boolean>`businesses.id = any(${businessIds}::uuid[])`);
}

/** A row of planRowsWithVersions as the plan that applies at `now`. */
export function planInForce(
  { versions, ...row }: PlanRow & { versions: VersionJson[] },
  now: Date,
): BusinessPlan {
  const read = versions.map((v) => ({ ...v, effective_from: new Date(v.effective_from) }));
  return toBusinessPlan(termsInForce(row, read, now), now);
}

/**
 * lockBusinessPlans' statement, compiled once (ADR 043): every card operation and claim takes
 * it.
 */
const lockedPlanRows = compiledOnce((db, { businessIds }: { businessIds: string[] }) =>
  planRowsWithVersions(db, businessIds).orderBy("businesses.id").forNoKeyUpdate("businesses"),
);

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
  // The plan's versions ride in the same statement (ADR 041). Read in the snapshot taken
  // before any wait for the lock, they are what a separate read after it would find: a
  // version written meanwhile starts now, after the start of every current period, so it is
  // never the one in force.
  const rows = await lockedPlanRows(trx, { businessIds });
  return new Map(rows.map((row) => [row.id, planInForce(row, now)]));
}

type VersionRow = Pick<
  PlanVersions,
  "plan_id" | "price_cents" | "billing_interval" | "card_operations_per_month" | "staff_seats"
> & { effective_from: Date };

type VersionJson = Omit<VersionRow, "effective_from"> & { effective_from: string };
