// Support's side of prices (ADR 019): the retail price list, versioned by `effective_from`
// (a version is added for today or later, never changed once it has started), and the plan
// table, whose terms are versioned too so that an edit reaches each business at its next
// allowance period. Reading what is in force lives beside the readers: getCurrentPrices
// (bundles.server.ts) and the plan terms in entitlements/plan.server.ts.
import { z } from "zod";
import type { Database } from "~db/index.ts";
import type { DB } from "~db/schema.ts";
import { isCalendarDate, parseObject } from "~/lib/forms";
import { euroCentsField, reasonField, wholeNumberField } from "~/lib/fields";
import { PLAN_INTERVALS, PLAN_LIMITS, PRICE_LIMITS } from "~/lib/pricing-limits";
import { storable } from "~/lib/storable-text";
import { recordAudit, type AuditActor } from "./audit.server";
import { DomainError } from "./errors.server";

const DAY_MS = 86_400_000;

/** "YYYY-MM-DD", a day of the calendar (UTC). */
const dayField = z
  .string({ required_error: "validation.required" })
  .trim()
  .min(1, "validation.required")
  .regex(/^\d{4}-\d{2}-\d{2}$/, "validation.date")
  .refine(isCalendarDate, "validation.calendarDate");

/** A price typed in euros ("1.50", "0,05", "€29"), as integer cents within `max`. */
function euroField(max: number) {
  return euroCentsField({
    maxCents: max,
    messages: {
      format: "support:validation.price",
      negative: "support:validation.negativePrice",
      tooBig: "support:validation.priceTooBig",
    },
  });
}

/** A whole number ≥ 0 typed into a form ("2,000" allowed), at most `max`. */
function countField(max: number) {
  return wholeNumberField({ min: 0, max });
}

// ---- Price list -------------------------------------------------------------------------------

export interface PriceVersion {
  id: number;
  effectiveFrom: Date;
  staffSeatMonthCents: number;
  cardOperationCents: number;
  createdBy: string | null;
  createdAt: Date;
  /** In force now (the newest started one), scheduled (starts later) or past (superseded). */
  state: "current" | "scheduled" | "past";
}

/** Every version, newest start first, each with its state at `now`. */
export async function listPriceVersions(
  db: Database,
  { now }: { now: Date },
): Promise<PriceVersion[]> {
  const rows = await db
    .selectFrom("price_list")
    .leftJoin("users", "users.id", "price_list.created_by")
    .select([
      "price_list.id",
      "price_list.effective_from",
      "price_list.staff_seat_month_cents",
      "price_list.card_operation_cents",
      "price_list.created_at",
      "users.email as created_by",
    ])
    .orderBy("price_list.effective_from", "desc")
    .execute();
  let currentSeen = false;
  return rows.map((row) => {
    let state: PriceVersion["state"];
    if (row.effective_from > now) state = "scheduled";
    else if (!currentSeen) {
      state = "current";
      currentSeen = true;
    } else state = "past";
    return {
      id: row.id,
      effectiveFrom: row.effective_from,
      staffSeatMonthCents: row.staff_seat_month_cents,
      cardOperationCents: row.card_operation_cents,
      createdBy: row.created_by,
      createdAt: row.created_at,
      state,
    };
  });
}

/** The new-version form: from which UTC day, the two unit prices in euros, and why. */
export const PriceVersionSchema = z.object({
  effectiveOn: dayField,
  staffSeatMonthPrice: euroField(PRICE_LIMITS.staffSeatMonthCents),
  cardOperationPrice: euroField(PRICE_LIMITS.cardOperationCents),
  reason: reasonField,
});
export type PriceVersionInput = z.infer<typeof PriceVersionSchema>;

export class PriceVersionInPast extends DomainError {
  constructor() {
    super(
      "price_version_in_past",
      "A new price-list version starts today or later; past prices never change.",
      "effectiveOn",
    );
  }
}

export class PriceVersionDayTaken extends DomainError {
  constructor() {
    super(
      "price_version_day_taken",
      "A price-list version already starts on this day.",
      "effectiveOn",
    );
  }
}

/** PostgreSQL's unique_violation, from pg and PGlite alike. */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "23505";
}

/**
 * Adds a price-list version. A later day starts at its 00:00 UTC; today starts now, so the
 * claims made earlier today keep the price they were made at. One version per day: the
 * unique index decides when two are added at once (no check-then-insert).
 */
export async function addPriceVersion(
  db: Database,
  {
    input,
    actor,
    ip = null,
    now,
  }: { input: PriceVersionInput; actor: AuditActor; ip?: string | null; now: Date },
): Promise<{ id: number; effectiveFrom: Date }> {
  const dayStart = new Date(`${input.effectiveOn}T00:00:00Z`);
  const today = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  if (dayStart < today) throw new PriceVersionInPast();
  const effectiveFrom = dayStart.getTime() === today.getTime() ? now : dayStart;
  try {
    return await db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom("price_list")
        .select(["id", "effective_from", "staff_seat_month_cents", "card_operation_cents"])
        .where("effective_from", "<=", effectiveFrom)
        .orderBy("effective_from", "desc")
        .limit(1)
        .executeTakeFirst();
      const row = await trx
        .insertInto("price_list")
        .values({
          effective_from: effectiveFrom,
          staff_seat_month_cents: input.staffSeatMonthPrice,
          card_operation_cents: input.cardOperationPrice,
          created_by: actor.userId,
          created_at: now,
        })
        .returning(["id", "effective_from"])
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor,
        action: "price_list.version_added",
        subject: { type: "price_list", id: String(row.id) },
        // Before: the version this one follows at its start.
        before: before
          ? {
              version: before.id,
              effective_from: before.effective_from.toISOString(),
              staff_seat_month_cents: before.staff_seat_month_cents,
              card_operation_cents: before.card_operation_cents,
            }
          : null,
        after: {
          version: row.id,
          effective_from: effectiveFrom.toISOString(),
          staff_seat_month_cents: input.staffSeatMonthPrice,
          card_operation_cents: input.cardOperationPrice,
        },
        reason: input.reason,
        ip,
      });
      return { id: row.id, effectiveFrom: row.effective_from };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new PriceVersionDayTaken();
    throw error;
  }
}

export const WithdrawPriceVersionSchema = z.object({
  versionId: z.coerce.number().int().positive(),
  reason: reasonField,
});

export class PriceVersionNotScheduled extends DomainError {
  constructor() {
    super(
      "price_version_not_scheduled",
      "Only a version that has not started yet can be withdrawn.",
    );
  }
}

/**
 * Withdraws a scheduled version (a mistake in a future price). One conditional delete: a
 * version that has started by `now` never goes, whoever asks and however late.
 */
export async function withdrawPriceVersion(
  db: Database,
  {
    versionId,
    reason,
    actor,
    ip = null,
    now,
  }: { versionId: number; reason: string; actor: AuditActor; ip?: string | null; now: Date },
): Promise<{ effectiveFrom: Date }> {
  return db.transaction().execute(async (trx) => {
    const withdrawn = await trx
      .deleteFrom("price_list")
      .where("id", "=", versionId)
      .where("effective_from", ">", now)
      .returning(["effective_from", "staff_seat_month_cents", "card_operation_cents"])
      .executeTakeFirst();
    if (!withdrawn) throw new PriceVersionNotScheduled();
    await recordAudit(trx, {
      actor,
      action: "price_list.version_withdrawn",
      subject: { type: "price_list", id: String(versionId) },
      before: {
        version: versionId,
        effective_from: withdrawn.effective_from.toISOString(),
        staff_seat_month_cents: withdrawn.staff_seat_month_cents,
        card_operation_cents: withdrawn.card_operation_cents,
      },
      after: null,
      reason,
      ip,
    });
    return { effectiveFrom: withdrawn.effective_from };
  });
}

// ---- Plans ------------------------------------------------------------------------------------

export interface PlanRow {
  id: string;
  name: string;
  priceCents: number;
  billingInterval: string;
  perLocation: boolean;
  cardOperationsPerMonth: number | null;
  staffSeats: number | null;
  active: boolean;
  /** Custom / Enterprise: its numbers are set per business by support, its interval fixed. */
  byRequest: boolean;
  /** Businesses on the plan now. */
  businesses: number;
  updatedAt: Date;
}

/** The plan table as support edits it: every plan, active or not, in display order. */
export async function listPlanTable(db: Database): Promise<PlanRow[]> {
  const rows = await db
    .selectFrom("plans")
    .select((eb) => [
      "plans.id",
      "plans.name",
      "plans.price_cents",
      "plans.billing_interval",
      "plans.per_location",
      "plans.card_operations_per_month",
      "plans.staff_seats",
      "plans.active",
      "plans.updated_at",
      eb
        .selectFrom("businesses")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("businesses.plan_id", "=", "plans.id")
        .as("businesses"),
    ])
    .orderBy("plans.sort_order")
    .orderBy("plans.id")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    priceCents: row.price_cents,
    billingInterval: row.billing_interval,
    perLocation: row.per_location,
    cardOperationsPerMonth: row.card_operations_per_month,
    staffSeats: row.staff_seats,
    active: row.active,
    byRequest: row.billing_interval === "custom",
    businesses: Number(row.businesses ?? 0),
    updatedAt: row.updated_at,
  }));
}

/**
 * The plan form. A Custom / Enterprise plan has no price, interval, allowance or seats of its
 * own (support sets them per business): for it only the name and "active" are read.
 */
export const PlanEditSchema = z.object({
  planId: z.string().trim().min(1).max(40),
  name: z.string().trim().min(1).max(PLAN_LIMITS.nameLength).refine(storable, "validation.invalid"),
  price: z.string().optional(),
  billingInterval: z.string().optional(),
  cardOperationsPerMonth: z.string().optional(),
  staffSeats: z.string().optional(),
  // A checkbox: present when ticked.
  active: z
    .string()
    .optional()
    .transform((value) => value !== undefined && value !== ""),
  reason: reasonField,
});
export type PlanEditInput = z.infer<typeof PlanEditSchema>;

/** The terms of a plan that is not by request, parsed from the form's strings. */
const PlanTermsSchema = z
  .object({
    price: euroField(PLAN_LIMITS.priceCents),
    billingInterval: z.enum(PLAN_INTERVALS),
    cardOperationsPerMonth: countField(PLAN_LIMITS.cardOperationsPerMonth),
    staffSeats: countField(PLAN_LIMITS.staffSeats),
  })
  .superRefine((terms, ctx) => {
    if (terms.billingInterval === "none" && terms.price !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["price"],
        message: "support:validation.freePlanPrice",
      });
    }
  });

export class PlanNotFound extends DomainError {
  constructor() {
    super("plan_not_found", "No such plan.", "planId");
  }
}

export class PlanEditUnchanged extends DomainError {
  constructor() {
    super("plan_edit_unchanged", "Nothing in this plan was changed.");
  }
}

interface PlanTerms {
  price_cents: number;
  billing_interval: DB["plans"]["billing_interval"];
  card_operations_per_month: number | null;
  staff_seats: number | null;
}

/**
 * Edits a plan. Name and "active" apply at once (a label, and whether owners can choose
 * it); price, interval, allowance and seats become a new plan version from `now`, which each
 * business reaches at the start of its next allowance period (ADR 019). The plans row keeps
 * the newest terms: what an owner choosing the plan today gets. Audited with before/after.
 * Field errors come back as a DomainError naming the field, or as zod issues (`fieldErrors`).
 */
export async function updatePlan(
  db: Database,
  {
    input,
    actor,
    ip = null,
    now,
  }: { input: PlanEditInput; actor: AuditActor; ip?: string | null; now: Date },
): Promise<{ planId: string; name: string; termsChanged: boolean }> {
  return db.transaction().execute(async (trx) => {
    // Locked: two edits of one plan run one after the other, each seeing the other's result.
    const plan = await trx
      .selectFrom("plans")
      .select([
        "id",
        "name",
        "price_cents",
        "billing_interval",
        "card_operations_per_month",
        "staff_seats",
        "active",
      ])
      .where("id", "=", input.planId)
      .forUpdate()
      .executeTakeFirst();
    if (!plan) throw new PlanNotFound();
    const byRequest = plan.billing_interval === "custom";
    let terms: PlanTerms = {
      price_cents: plan.price_cents,
      billing_interval: plan.billing_interval,
      card_operations_per_month: plan.card_operations_per_month,
      staff_seats: plan.staff_seats,
    };
    if (!byRequest) {
      const parsed = parseObject(PlanTermsSchema, {
        price: input.price ?? "",
        billingInterval: input.billingInterval ?? "",
        cardOperationsPerMonth: input.cardOperationsPerMonth ?? "",
        staffSeats: input.staffSeats ?? "",
      });
      if (!parsed.success) throw new PlanTermsInvalid(parsed.error);
      terms = {
        price_cents: parsed.data.price,
        billing_interval: parsed.data.billingInterval,
        card_operations_per_month: parsed.data.cardOperationsPerMonth,
        staff_seats: parsed.data.staffSeats,
      };
    }
    const termsChanged =
      terms.price_cents !== plan.price_cents ||
      terms.billing_interval !== plan.billing_interval ||
      terms.card_operations_per_month !== plan.card_operations_per_month ||
      terms.staff_seats !== plan.staff_seats;
    if (!termsChanged && input.name === plan.name && input.active === plan.active) {
      throw new PlanEditUnchanged();
    }
    await trx
      .updateTable("plans")
      .set({ name: input.name, active: input.active, ...terms, updated_at: now })
      .where("id", "=", plan.id)
      .execute();
    if (termsChanged) {
      // Two edits in the same instant: the later replaces the earlier's terms.
      await trx
        .insertInto("plan_versions")
        .values({ plan_id: plan.id, effective_from: now, created_by: actor.userId, ...terms })
        .onConflict((oc) =>
          oc.columns(["plan_id", "effective_from"]).doUpdateSet({
            ...terms,
            created_by: actor.userId,
          }),
        )
        .execute();
    }
    await recordAudit(trx, {
      actor,
      action: "plan.updated",
      subject: { type: "plan", id: plan.id },
      before: {
        name: plan.name,
        active: plan.active,
        price_cents: plan.price_cents,
        billing_interval: plan.billing_interval,
        card_operations_per_month: plan.card_operations_per_month,
        staff_seats: plan.staff_seats,
      },
      after: { name: input.name, active: input.active, ...terms },
      reason: input.reason,
      ip,
    });
    return { planId: plan.id, name: input.name, termsChanged };
  });
}

/** The plan's terms did not parse: the zod issues, one per field, for the form. */
export class PlanTermsInvalid extends DomainError {
  constructor(readonly issues: z.ZodError) {
    super("plan_terms_invalid", "The plan's terms are not valid.");
  }
}
