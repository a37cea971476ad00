// Businesses: sign-up on the free plan, and the plan overview the billing page shows.
import type { Database } from "~db/index.ts";
import { normaliseEmail } from "~/auth/accounts.server";
import { hashPassword } from "~/auth/password.server";
import { createSession } from "~/auth/session.server";
import { nextBillingDate, periodContaining } from "~/lib/billing-periods";
import { recordAudit } from "./audit.server";
import { EmailTaken, RateLimited } from "./errors.server";
import { hitRateLimit, rateLimitRules } from "./rate-limits.server";

export const FREE_PLAN_ID = "free";

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    (error as { code: unknown }).code === "23505"
  );
}

/** A new business on the free plan, its owner, and a signed-in session for them. */
export async function signUpBusiness(
  db: Database,
  {
    businessName,
    name,
    email,
    password,
    ip,
    userAgent,
  }: {
    businessName: string;
    name: string;
    email: string;
    password: string;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<{ businessId: string; userId: string; session: { token: string; expiresAt: Date } }> {
  const signups = await hitRateLimit(
    db,
    `signup:ip:${ip ?? "unknown"}`,
    rateLimitRules.signupsPerIp,
  );
  if (signups.limited) throw new RateLimited(signups.retryAfterSeconds);
  const address = normaliseEmail(email);
  const passwordHash = await hashPassword(password);
  try {
    return await db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom("users")
        .select("id")
        .where("email", "=", address)
        .executeTakeFirst();
      if (taken) throw new EmailTaken();
      const user = await trx
        .insertInto("users")
        .values({ email: address, name, password_hash: passwordHash, last_sign_in_at: new Date() })
        .returning("id")
        .executeTakeFirstOrThrow();
      const business = await trx
        .insertInto("businesses")
        .values({ name: businessName, plan_id: FREE_PLAN_ID })
        .returning("id")
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("business_members")
        .values({ business_id: business.id, user_id: user.id, role: "owner" })
        .execute();
      await recordAudit(trx, {
        actor: { userId: user.id, label: address },
        action: "business.signed_up",
        businessId: business.id,
        subject: { type: "business", id: business.id },
        after: { name: businessName, plan: FREE_PLAN_ID },
        ip,
      });
      const session = await createSession(trx, { userId: user.id, ip, userAgent });
      return { businessId: business.id, userId: user.id, session };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new EmailTaken();
    throw error;
  }
}

const intervalMonths = { month: 1, year: 12 } as const;

export interface BusinessPlanOverview {
  businessId: string;
  businessName: string;
  createdAt: Date;
  plan: {
    id: string;
    name: string;
    priceCents: number;
    billingInterval: string;
    perLocation: boolean;
  };
  locations: number;
  planStartedAt: Date;
  /** Null for plans that are never charged (free) or billed by arrangement (custom). */
  nextBillingAt: Date | null;
  /** The current monthly allowance period (resets on the anchor day). */
  allowancePeriod: { start: Date; end: Date };
  cardOperationsIncludedPerMonth: number | null;
  staffSeatsIncluded: number | null;
  staffSeatsTaken: number;
}

export async function getBusinessPlanOverview(
  db: Database,
  { businessId, now = new Date() }: { businessId: string; now?: Date },
): Promise<BusinessPlanOverview> {
  const row = await db
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
    ])
    .where("businesses.id", "=", businessId)
    .executeTakeFirstOrThrow();
  const taken = await db
    .selectFrom("business_members")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("business_id", "=", businessId)
    .executeTakeFirstOrThrow();
  const perLocation = row.per_location ? row.locations : 1;
  const months = intervalMonths[row.billing_interval as keyof typeof intervalMonths];
  const custom = row.billing_interval === "custom";
  return {
    businessId: row.id,
    businessName: row.name,
    createdAt: row.created_at,
    plan: {
      id: row.plan_id,
      name: row.plan_name,
      priceCents: row.price_cents * perLocation,
      billingInterval: row.billing_interval,
      perLocation: row.per_location,
    },
    locations: row.locations,
    planStartedAt: row.plan_started_at,
    nextBillingAt: months ? nextBillingDate(row.billing_anchor_at, months, now) : null,
    allowancePeriod: periodContaining(row.billing_anchor_at, 1, now),
    cardOperationsIncludedPerMonth: custom
      ? row.custom_card_operations_per_month
      : row.card_operations_per_month === null
        ? null
        : row.card_operations_per_month * perLocation,
    staffSeatsIncluded: custom
      ? row.custom_staff_seats
      : row.staff_seats === null
        ? null
        : row.staff_seats * perLocation,
    staffSeatsTaken: Number(taken.count),
  };
}
