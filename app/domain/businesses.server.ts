// Businesses: sign-up on the free plan, and the business's language. What a business has
// (plan, allowances, grants) is entitlements/ (getEntitlements in entitlements/answer.server.ts).
import { sql, type Expression, type RawBuilder } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { normaliseEmail } from "~/auth/accounts.server";
import { hashPassword } from "~/auth/password.server";
import { createSession } from "~/auth/session.server";
import { isUuid } from "~/lib/ids";
import { supportedLanguages, type Language } from "~/lib/locale";
import { recordAudit, type AuditActor } from "./audit.server";
import { EmailTaken, RateLimited } from "./errors.server";
import { hitRateLimit, rateLimitRules } from "./rate-limits.server";
import { attributeSignUp } from "./referrals/attribution.server";

export const FREE_PLAN_ID = "free";

/**
 * The email of a business's first owner, as a scalar subquery: `business` is its id (a
 * parameter) or a reference to the id column of the query it sits in.
 */
export function businessOwnerEmailSql(
  business: string | Expression<string>,
): RawBuilder<string | null> {
  return sql<string | null>`(select u.email from business_members m
    join users u on u.id = m.user_id
    where m.business_id = ${business} and m.role = 'owner'
    order by m.created_at limit 1)`;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "23505";
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
    referralToken = null,
    now,
  }: {
    now: Date;
    /** The first-touch cookie's token of a referral link visited before signing up. */
    referralToken?: string | null;
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
    now,
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
        .values({ email: address, name, password_hash: passwordHash })
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
      await attributeSignUp(trx, {
        businessId: business.id,
        token: referralToken,
        ip,
        actor: { userId: user.id, label: address },
        now,
      });
      const session = await createSession(trx, { userId: user.id, ip, userAgent });
      return { businessId: business.id, userId: user.id, session };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new EmailTaken();
    throw error;
  }
}

/** The owner's "Business language" form: a language we have, or "auto" (none: the browser's). */
export const BusinessLocaleSchema = z
  .object({ locale: z.enum(["auto", ...supportedLanguages]) })
  .transform(({ locale }) => ({ locale: locale === "auto" ? null : locale }));

/**
 * Sets the business's language (ADR 035): its members without a preference of their own read
 * its pages and get its emails in it. Audited with the value before and after.
 */
export async function setBusinessLocale(
  db: Database,
  {
    businessId,
    locale,
    actor,
    ip,
  }: { businessId: string; locale: Language | null; actor: AuditActor; ip: string | null },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("businesses")
      .select("locale")
      .where("id", "=", businessId)
      .forUpdate()
      .executeTakeFirst();
    if (!before || before.locale === locale) return;
    await trx.updateTable("businesses").set({ locale }).where("id", "=", businessId).execute();
    await recordAudit(trx, {
      actor,
      action: "business.locale_changed",
      businessId,
      subject: { type: "business", id: businessId },
      before: { locale: before.locale },
      after: { locale },
      ip,
    });
  });
}

export async function getBusinessLocale(
  db: Database,
  { businessId }: { businessId: string },
): Promise<string | null> {
  const row = await db
    .selectFrom("businesses")
    .select("locale")
    .where("id", "=", businessId)
    .executeTakeFirst();
  return row?.locale ?? null;
}

/** A business's locale, only for one of its members (the language fallback on its pages). */
export async function memberBusinessLocale(
  db: Database,
  { userId, businessId }: { userId: string; businessId: string },
): Promise<string | null> {
  if (!isUuid(businessId)) return null;
  const row = await db
    .selectFrom("businesses")
    .innerJoin("business_members", "business_members.business_id", "businesses.id")
    .select("businesses.locale")
    .where("businesses.id", "=", businessId)
    .where("business_members.user_id", "=", userId)
    .executeTakeFirst();
  return row?.locale ?? null;
}
