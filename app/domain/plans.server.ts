// Plans a business can choose, and changing a business's plan: the new plan applies from the
// moment of the change, with a fresh allowance period anchored there (DESIGN.md §3, §4).
import { sql } from "kysely";
import type { Database } from "~db/index.ts";
import type { AuditActor } from "./audit.server";
import { recordAudit } from "./audit.server";
import { lockBusinessPlans, type BusinessPlan } from "./entitlements/plan.server";
import { reattributeSeats } from "./entitlements/seats.server";
import { DomainError } from "./errors.server";
import { recordOutboxEvent } from "./outbox.server";
import { qualifyReferral } from "./referrals/qualification.server";
import { grantActive } from "./predicates.server";
import { syncSubscriptionToSupportChange } from "./subscriptions/sync.server";

/** A plan is billed for between 1 and 1,000 locations (the businesses table's check). */
export const PLAN_LOCATIONS = { min: 1, max: 1000 } as const;

export interface PlanOption {
  id: string;
  name: string;
  /** Per location for per-location plans. */
  priceCents: number;
  billingInterval: string;
  perLocation: boolean;
  /** Per location for per-location plans; null when support sets them (custom). */
  cardOperationsPerMonth: number | null;
  staffSeats: number | null;
  /** False for plans made by request (Custom / Enterprise): support sets those up. */
  selectable: boolean;
}

/** The active plans in their display order. */
export async function listPlans(db: Database): Promise<PlanOption[]> {
  const rows = await db
    .selectFrom("plans")
    .select([
      "id",
      "name",
      "price_cents",
      "billing_interval",
      "per_location",
      "card_operations_per_month",
      "staff_seats",
    ])
    .where("active", "=", true)
    .orderBy("sort_order")
    .orderBy("id")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    priceCents: row.price_cents,
    billingInterval: row.billing_interval,
    perLocation: row.per_location,
    cardOperationsPerMonth: row.card_operations_per_month,
    staffSeats: row.staff_seats,
    selectable: row.billing_interval !== "custom",
  }));
}

export class PlanNotAvailable extends DomainError {
  constructor() {
    super("plan_not_available", "There is no such plan to choose.", "planId");
  }
}

export class PlanByRequest extends DomainError {
  constructor() {
    super(
      "plan_by_request",
      "This plan is set up by 7stamp support on request; contact support.",
      "planId",
    );
  }
}

export class PlanUnchanged extends DomainError {
  constructor() {
    super(
      "plan_unchanged",
      "The business is already on this plan with this number of locations.",
      "planId",
    );
  }
}

export class LocationsRequired extends DomainError {
  constructor() {
    super("locations_required", "This plan is priced per location: say how many.", "locations");
  }
}

export class LocationsOutOfRange extends DomainError {
  constructor() {
    super(
      "locations_out_of_range",
      `The number of locations must be between ${PLAN_LOCATIONS.min} and ${PLAN_LOCATIONS.max}.`,
      "locations",
    );
  }
}

export class BusinessNotFound extends DomainError {
  constructor() {
    super("business_not_found", "No such business.");
  }
}

/**
 * The one write of a business's plan, for changes that apply now. `restartPeriod`: the
 * allowance period restarts at `now` (a new plan, a new billing anchor; ADR 010) and the
 * running period's plan grant ends here, what it had left not carrying over. Without it the
 * period and its anchor stay and the running plan grant is raised to the new plan's numbers
 * (an upgrade inside a paid period, ADR 032). Seats are re-attributed either way.
 */
export async function setBusinessPlan(
  trx: Database,
  {
    businessId,
    planId,
    locations,
    custom,
    restartPeriod,
    raiseRunningGrant = true,
    now,
  }: {
    businessId: string;
    planId: string;
    locations: number;
    custom: { cardOperationsPerMonth: number; staffSeats: number } | null;
    restartPeriod: boolean;
    /** False for a change at a billing date, whose caller sets the new period's grant. */
    raiseRunningGrant?: boolean;
    now: Date;
  },
): Promise<void> {
  await trx
    .updateTable("businesses")
    .set({
      plan_id: planId,
      locations,
      custom_card_operations_per_month: custom ? custom.cardOperationsPerMonth : null,
      custom_staff_seats: custom ? custom.staffSeats : null,
      ...(restartPeriod ? { billing_anchor_at: now } : {}),
      plan_started_at: now,
      updated_at: now,
    })
    .where("id", "=", businessId)
    .execute();
  if (restartPeriod) {
    // The old plan's allowance ends here; what it had left does not carry over. A grant of a
    // period not started yet (none is made ahead, but nothing forbids it) ends before it starts
    // unless its start moves back too (ends_at >= starts_at).
    await trx
      .updateTable("grants")
      .set({ ends_at: now, starts_at: sql<Date>`least(starts_at, ${now})` })
      .where("business_id", "=", businessId)
      .where("source", "=", "plan")
      .where("ends_at", ">", now)
      .execute();
  } else if (raiseRunningGrant) {
    const plan = (await lockBusinessPlans(trx, { businessIds: [businessId], now })).get(
      businessId,
    )!;
    await trx
      .updateTable("grants")
      .set({
        card_operations: sql<number>`greatest(card_operations, ${plan.cardOperationsPerPeriod})`,
        staff_seats: sql<number>`greatest(staff_seats, ${plan.staffSeats})`,
      })
      .where("business_id", "=", businessId)
      .where("source", "=", "plan")
      .where(grantActive("grants", now))
      .execute();
  }
  await reattributeSeats(trx, { businessId, now });
}

/** A plan's terms as the audit entry and the `entitlements.changed` event record them. */
function recordedPlanTerms(plan: BusinessPlan) {
  return {
    plan: plan.id,
    locations: plan.locations,
    price_cents: plan.priceCents,
    billing_interval: plan.billingInterval,
    card_operations_per_period: plan.cardOperationsPerPeriod,
    staff_seats: plan.staffSeats,
  };
}

/**
 * Records a change of a business's plan, whoever made it (support's `changePlan`, the owner's
 * `changeSubscription`): the `business.plan_changed` audit entry and the `entitlements.changed`
 * event, in the caller's transaction. `afterDetails` adds to the audit entry's after side
 * what only that path knows (the subscription's outcome and invoice).
 */
export async function recordPlanChanged(
  trx: Database,
  {
    businessId,
    before,
    after,
    afterDetails = {},
    actor,
    reason = null,
    ip,
    now,
  }: {
    businessId: string;
    before: BusinessPlan;
    after: BusinessPlan;
    afterDetails?: Record<string, unknown>;
    actor: AuditActor;
    reason?: string | null;
    ip: string | null;
    now: Date;
  },
): Promise<void> {
  const afterTerms = recordedPlanTerms(after);
  await recordAudit(trx, {
    actor,
    action: "business.plan_changed",
    businessId,
    subject: { type: "business", id: businessId },
    before: recordedPlanTerms(before),
    after: { ...afterTerms, ...afterDetails },
    reason,
    ip,
  });
  await recordOutboxEvent(trx, {
    topic: "entitlements.changed",
    businessId,
    payload: {
      business_id: businessId,
      reason: "plan_changed",
      ...afterTerms,
      changed_at: now.toISOString(),
    },
  });
}

export interface PlanChange {
  before: { planId: string; planName: string; locations: number };
  after: { planId: string; planName: string; locations: number };
  changedAt: Date;
}

/**
 * Support's change of a business's plan (owners go through `changeSubscription`, which
 * charges and prorates, ADR 032). Moves a business to another plan, now: one transaction that sets the plan, locations and
 * a new billing anchor, ends the current period's plan allowance (the next card operation
 * opens a period of the new plan from the new anchor), re-attributes staff seats to the new
 * plan's number, and writes the audit entry and the `entitlements.changed` event.
 * `locations` is only read for per-location plans (null: not given); others count one.
 */
export async function changePlan(
  db: Database,
  {
    businessId,
    planId,
    locations,
    custom = null,
    reason = null,
    actor,
    ip,
    now,
  }: {
    businessId: string;
    planId: string;
    locations: number | null;
    /**
     * Support only: the allowance and seats of a Custom / Enterprise plan, which owners
     * cannot choose themselves (it is by request).
     */
    custom?: { cardOperationsPerMonth: number; staffSeats: number } | null;
    /** Support's reason, kept in the audit entry. */
    reason?: string | null;
    actor: AuditActor;
    ip: string | null;
    now: Date;
  },
): Promise<PlanChange> {
  const plan = await db
    .selectFrom("plans")
    .select(["id", "name", "billing_interval", "per_location", "active"])
    .where("id", "=", planId)
    .executeTakeFirst();
  if (!plan || !plan.active) throw new PlanNotAvailable();
  const isCustom = plan.billing_interval === "custom";
  if (isCustom && !custom) throw new PlanByRequest();
  let newLocations = 1;
  if (plan.per_location) {
    if (locations === null) throw new LocationsRequired();
    if (
      !Number.isInteger(locations) ||
      locations < PLAN_LOCATIONS.min ||
      locations > PLAN_LOCATIONS.max
    )
      throw new LocationsOutOfRange();
    newLocations = locations;
  }

  return db.transaction().execute(async (trx) => {
    const current = (await lockBusinessPlans(trx, { businessIds: [businessId], now })).get(
      businessId,
    );
    if (!current) throw new BusinessNotFound();
    const sameNumbers = isCustom
      ? current.allowanceSet &&
        current.cardOperationsPerPeriod === custom!.cardOperationsPerMonth &&
        current.staffSeats === custom!.staffSeats
      : !plan.per_location || current.locations === newLocations;
    if (current.id === plan.id && sameNumbers) throw new PlanUnchanged();

    await setBusinessPlan(trx, {
      businessId,
      planId: plan.id,
      locations: newLocations,
      custom: isCustom ? custom : null,
      restartPeriod: true,
      now,
    });
    await syncSubscriptionToSupportChange(trx, {
      businessId,
      planId: plan.id,
      locations: newLocations,
      now,
    });

    const updated = (await lockBusinessPlans(trx, { businessIds: [businessId], now })).get(
      businessId,
    )!;
    await recordPlanChanged(trx, {
      businessId,
      before: current,
      after: updated,
      actor,
      reason,
      ip,
      now,
    });
    // Starting a paid plan qualifies a referred business's referral (once; ADR 034). The one
    // call to move when subscriptions take over where a paid plan starts.
    if (updated.priceCents > 0) {
      await qualifyReferral(trx, { businessId, event: { kind: "paid_plan" }, now });
    }
    return {
      before: { planId: current.id, planName: current.name, locations: current.locations },
      after: { planId: updated.id, planName: updated.name, locations: updated.locations },
      changedAt: now,
    };
  });
}
