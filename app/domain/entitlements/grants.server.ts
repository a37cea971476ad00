// Grants: the plan's allowance for a period and the grants of claimed codes, in draw order.
import { sql } from "kysely";
import type { Database } from "~db/index.ts";
import { grantActive } from "../predicates.server";
import { GrantSource, BusinessPlan, allowancePeriod } from "./plan.server";

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
    // The partial index's predicate as a literal, not a parameter: PostgreSQL infers the
    // arbiter index in the planner, and a prepared statement's generic plan (ADR 042) cannot
    // prove `source = $1` implies the index's `source = 'plan'`.
    .onConflict((oc) =>
      oc.columns(["business_id", "starts_at"]).where("source", "=", sql.lit("plan")).doNothing(),
    )
    .returning(grantColumns)
    .execute();
  return rows.map(toGrantRow);
}
