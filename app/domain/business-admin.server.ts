// Support's side of businesses: finding one (by name, owner email or id), what its support page
// shows, and the corrections support makes — a support grant, ending a grant early, and a plan
// change (Custom / Enterprise included, with the numbers support sets). Each correction takes
// the business lock (ADR 011), re-attributes seats, and is audited with a reason.
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { isUuid } from "~/lib/ids";
import { fieldIssue, reasonField, wholeNumberField } from "~/lib/fields";
import { recordAudit, type AuditActor } from "./audit.server";
import { businessOwnerEmailSql } from "./businesses.server";
import { getEntitlements } from "./entitlements/answer.server";
import { lockBusinessPlans, type GrantSource } from "./entitlements/plan.server";
import { reattributeSeats } from "./entitlements/seats.server";
import { DomainError } from "./errors.server";
import { afterKey, keyset, pageSize, type Page } from "./paging.server";
import { recordOutboxEvent } from "./outbox.server";
import { BusinessNotFound } from "./plans.server";

const DAY_MS = 86_400_000;
export const SUPPORT_GRANT_LIMITS = {
  staffSeats: 1_000,
  cardOperations: 10_000_000,
  maxDays: 3 * 366,
} as const;

// ---- Search ---------------------------------------------------------------------------------

export interface BusinessSearchRow {
  id: string;
  name: string;
  planName: string;
  ownerEmail: string | null;
  members: number;
  createdAt: Date;
}

const businessesPaging = keyset("businesses", ["text", "uuid"]);

/**
 * Businesses by name (any part, any case), owner email (any part) or exact id; all of them
 * without a query. By name, keyset paged.
 */
export async function searchBusinesses(
  db: Database,
  { query, cursor, limit = 25 }: { query?: string | null; cursor?: string | null; limit?: number },
): Promise<Page<BusinessSearchRow>> {
  const size = pageSize(limit, 25, 100);
  const after = businessesPaging.after(cursor);
  const text = (query ?? "").trim().split("\u0000").join("");
  let q = db
    .selectFrom("businesses")
    .innerJoin("plans", "plans.id", "businesses.plan_id")
    .select((eb) => [
      "businesses.id",
      "businesses.name",
      "businesses.created_at",
      "plans.name as plan_name",
      businessOwnerEmailSql(sql.ref<string>("businesses.id")).as("owner_email"),
      eb
        .selectFrom("business_members")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("business_members.business_id", "=", "businesses.id")
        .as("members"),
    ])
    .orderBy("businesses.name")
    .orderBy("businesses.id")
    .limit(size + 1);
  if (text) {
    const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        ...(isUuid(text) ? [eb("businesses.id", "=", text)] : []),
        eb(eb.fn("lower", ["businesses.name"]), "like", pattern),
        eb.exists(
          eb
            .selectFrom("business_members as m")
            .innerJoin("users as u", "u.id", "m.user_id")
            .select("m.user_id")
            .whereRef("m.business_id", "=", "businesses.id")
            .where("u.email", "like", pattern),
        ),
      ]),
    );
  }
  if (after) {
    q = q.where(afterKey([sql.ref("businesses.name"), sql.ref("businesses.id")], after, "asc"));
  }
  const rows = await q.execute();
  const page = businessesPaging.page(rows, size, (r) => [r.name, r.id]);
  return {
    rows: page.rows.map((r) => ({
      id: r.id,
      name: r.name,
      planName: r.plan_name,
      ownerEmail: r.owner_email,
      members: Number(r.members ?? 0),
      createdAt: r.created_at,
    })),
    nextCursor: page.nextCursor,
  };
}

// ---- The support page -----------------------------------------------------------------------

export interface SupportGrantView {
  id: string;
  source: GrantSource;
  code: { serial: number; partnerName: string; bundleName: string } | null;
  staffSeats: number;
  staffSeatsTaken: number;
  cardOperations: number;
  cardOperationsUsed: number;
  cardOperationsAvailable: number;
  startsAt: Date;
  endsAt: Date;
  state: "active" | "ended" | "scheduled";
  partnerSlug: string | null;
}

export async function supportBusinessPage(
  db: Database,
  { businessId, now }: { businessId: string; now: Date },
) {
  if (!isUuid(businessId)) return null;
  const entitlements = await getEntitlements(db, { businessId, now });
  if (!entitlements) return null;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = new Date(today - 29 * DAY_MS);
  const day = sql<string>`to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD')`;
  const [members, usageRows, partnerSlugs] = await Promise.all([
    db
      .selectFrom("business_members")
      .innerJoin("users", "users.id", "business_members.user_id")
      .select([
        "users.id",
        "users.name",
        "users.email",
        "business_members.role",
        "business_members.created_at",
      ])
      .where("business_members.business_id", "=", businessId)
      .orderBy("business_members.role")
      .orderBy("business_members.created_at")
      .execute(),
    db
      .selectFrom("card_operations")
      .select([day.as("day"), (eb) => eb.fn.sum<number>("quantity").as("units")])
      .where("business_id", "=", businessId)
      .where("recorded_at", ">=", from)
      .groupBy(day)
      .execute(),
    db
      .selectFrom("grants")
      .innerJoin("partners", "partners.id", "grants.partner_id")
      .select(["grants.id", "partners.slug"])
      .where("grants.business_id", "=", businessId)
      .execute(),
  ]);
  const slugOf = new Map(partnerSlugs.map((row) => [row.id, row.slug]));
  const units = new Map(usageRows.map((row) => [row.day, Number(row.units)]));
  const dailyUsage = Array.from({ length: 30 }, (_, index) => {
    const date = new Date(from.getTime() + index * DAY_MS).toISOString().slice(0, 10);
    return { date, cardOperations: units.get(date) ?? 0 };
  });
  const grants: SupportGrantView[] = entitlements.grants.map((grant) => ({
    id: grant.id,
    source: grant.source,
    code: grant.code
      ? {
          serial: grant.code.serial,
          partnerName: grant.code.partnerName,
          bundleName: grant.code.bundleName,
        }
      : null,
    staffSeats: grant.staffSeats,
    staffSeatsTaken: grant.staffSeatsTaken,
    cardOperations: grant.cardOperations,
    cardOperationsUsed: grant.cardOperationsUsed,
    cardOperationsAvailable: grant.cardOperationsAvailable,
    startsAt: grant.startsAt,
    endsAt: grant.endsAt,
    state: grant.state,
    partnerSlug: slugOf.get(grant.id) ?? null,
  }));
  return {
    plan: entitlements.plan,
    period: entitlements.period,
    planAllowance: entitlements.planAllowance,
    cardOperations: entitlements.cardOperations,
    staffSeats: entitlements.staffSeats,
    grants,
    members: members.map((m) => {
      const seat = entitlements.seats[m.id] ?? { kind: "none" };
      return {
        userId: m.id,
        name: m.name,
        email: m.email,
        role: m.role,
        joinedAt: m.created_at,
        seat: seat.kind === "plan" ? "plan" : seat.kind === "grant" ? seat.grantId : null,
      };
    }),
    dailyUsage,
  };
}

// ---- Corrections ------------------------------------------------------------------------------

/** A whole number ≥ 0 typed into a form, empty meaning none (0). */
const wholeNumber = (max: number) => wholeNumberField({ min: 0, max, empty: 0 });

const dateField = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "validation.date")
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), "validation.date");

/** The support-grant form: what is added, from which day to which (UTC, end day included). */
export const SupportGrantSchema = z
  .object({
    staffSeats: wholeNumber(SUPPORT_GRANT_LIMITS.staffSeats),
    cardOperations: wholeNumber(SUPPORT_GRANT_LIMITS.cardOperations),
    startsOn: dateField,
    endsOn: dateField,
    reason: reasonField,
  })
  .superRefine((form, ctx) => {
    if (form.staffSeats === 0 && form.cardOperations === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["cardOperations"],
        message: "support:validation.grantEmpty",
      });
    }
    if (form.endsOn < form.startsOn) {
      ctx.addIssue({
        code: "custom",
        path: ["endsOn"],
        message: "support:validation.endBeforeStart",
      });
    }
  });
export type SupportGrantInput = z.infer<typeof SupportGrantSchema>;

export class GrantDatesOutOfRange extends DomainError {
  constructor() {
    super(
      "grant_dates",
      `A support grant must end today or later and last at most ${SUPPORT_GRANT_LIMITS.maxDays} days.`,
      "endsOn",
    );
  }
}

export class GrantNotEndable extends DomainError {
  constructor() {
    super("grant_not_endable", "This grant has ended already, or is the plan's own.");
  }
}

/**
 * Adds seats and/or card operations from `startsOn` (at that day's start, or now when that is
 * today) to the end of `endsOn` (UTC). The entitlements engine draws it like any other
 * non-plan grant: after the plan, soonest end first.
 */
export async function createSupportGrant(
  db: Database,
  {
    businessId,
    input,
    actor,
    ip = null,
    now,
  }: {
    businessId: string;
    input: SupportGrantInput;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<{ grantId: string }> {
  const dayStart = new Date(`${input.startsOn}T00:00:00Z`);
  const startsAt = dayStart < now ? now : dayStart;
  const endsAt = new Date(Date.parse(`${input.endsOn}T00:00:00Z`) + DAY_MS);
  if (
    endsAt <= now ||
    endsAt.getTime() - startsAt.getTime() > SUPPORT_GRANT_LIMITS.maxDays * DAY_MS
  )
    throw new GrantDatesOutOfRange();
  return db.transaction().execute(async (trx) => {
    const plans = await lockBusinessPlans(trx, { businessIds: [businessId], now });
    if (!plans.has(businessId)) throw new BusinessNotFound();
    const { id } = await trx
      .insertInto("grants")
      .values({
        business_id: businessId,
        source: "support",
        staff_seats: input.staffSeats,
        card_operations: input.cardOperations,
        starts_at: startsAt,
        ends_at: endsAt,
        claimed_by: actor.userId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await reattributeSeats(trx, { businessId, now });
    const after = {
      grant: id,
      staff_seats: input.staffSeats,
      card_operations: input.cardOperations,
      starts_at: startsAt.toISOString(),
      ends_at: endsAt.toISOString(),
    };
    await recordAudit(trx, {
      actor,
      action: "grant.support_created",
      businessId,
      subject: { type: "grant", id },
      after,
      reason: input.reason,
      ip,
    });
    await recordOutboxEvent(trx, {
      topic: "entitlements.changed",
      businessId,
      payload: {
        business_id: businessId,
        reason: "support_grant",
        ...after,
        changed_at: now.toISOString(),
      },
    });
    return { grantId: id };
  });
}

export const EndGrantSchema = z.object({
  grantId: z.string().trim().uuid(),
  reason: reasonField,
});

/**
 * Ends a code, referral or support grant now (the plan's allowance ends only with a plan
 * change). What was used stays recorded; its seats move to other grants with room. Ending a
 * code grant early is not a roll-back: the partner's statement does not change.
 */
export async function endGrantEarly(
  db: Database,
  {
    businessId,
    grantId,
    reason,
    actor,
    ip = null,
    now,
  }: {
    businessId: string;
    grantId: string;
    reason: string;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const plans = await lockBusinessPlans(trx, { businessIds: [businessId], now });
    if (!plans.has(businessId)) throw new BusinessNotFound();
    const grant = await trx
      .selectFrom("grants")
      .select(["source", "ends_at"])
      .where("id", "=", grantId)
      .where("business_id", "=", businessId)
      .executeTakeFirst();
    // Under the business lock nothing else changes this grant's end meanwhile.
    const ended = grant
      ? await trx
          .updateTable("grants")
          .set({ ends_at: now, starts_at: sql<Date>`least(starts_at, ${now})` })
          .where("id", "=", grantId)
          .where("business_id", "=", businessId)
          .where("source", "<>", "plan")
          .where("ends_at", ">", now)
          .returning("source")
          .executeTakeFirst()
      : undefined;
    if (!grant || !ended) throw new GrantNotEndable();
    await reattributeSeats(trx, { businessId, now });
    await recordAudit(trx, {
      actor,
      action: "grant.ended_early",
      businessId,
      subject: { type: "grant", id: grantId },
      before: { source: grant.source, ends_at: grant.ends_at.toISOString() },
      after: { source: grant.source, ends_at: now.toISOString() },
      reason,
      ip,
    });
    await recordOutboxEvent(trx, {
      topic: "entitlements.changed",
      businessId,
      payload: {
        business_id: businessId,
        reason: "grant_ended",
        grant: grantId,
        changed_at: now.toISOString(),
      },
    });
  });
}

/** Support's plan change; Custom / Enterprise needs its allowance and at least one seat. */
export const SupportPlanSchema = z
  .object({
    planId: z.string().trim().min(1).max(40),
    locations: wholeNumber(1000).default(""),
    customCardOperations: wholeNumber(100_000_000).default(""),
    customStaffSeats: wholeNumber(10_000).default(""),
    reason: reasonField,
  })
  .superRefine((form, ctx) => {
    if (form.planId === "custom" && form.customStaffSeats < 1) {
      fieldIssue(ctx, "validation.tooSmall", { values: { limit: 1 }, path: ["customStaffSeats"] });
    }
  });
