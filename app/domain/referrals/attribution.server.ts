// The link and the sign-up: a visit of /r/{slug} is recorded (IP hash, browser class, landing
// page) under a random token the first-touch cookie carries; a business signing up within
// the window with that token is attributed to the link's account, once (ADR 034).
import { randomUUID } from "node:crypto";
import type { Database } from "~db/index.ts";
import { isUuid } from "~/lib/ids";
import { recordAudit, type AuditActor } from "../audit.server";
import { attributionWindowStart, hashIp, userAgentClass } from "./model.server";

export interface VisitOutcome {
  /** The token for the first-touch cookie: a visit's, or a random one matching nothing. */
  token: string;
  /** Whether a visit was recorded (never shown to the visitor). */
  recorded: boolean;
}

/**
 * Records a visit of a link. Of an unknown, paused or disconnected slug the visit is kept
 * without an account, and its token attributes nothing: the answer has the same shape.
 */
export async function recordVisit(
  db: Database,
  {
    slug,
    ip,
    userAgent,
    landingPage,
    now,
  }: { slug: string; ip: string | null; userAgent: string | null; landingPage: string; now: Date },
): Promise<VisitOutcome> {
  const token = randomUUID();
  const normalised = slug.trim().toLowerCase().slice(0, 60);
  // One insert whether or not the slug is a connected account's (its account null when not):
  // the same work, so the answer's timing does not say whether the slug exists (ADR 034).
  const inserted = await db
    .insertInto("referral_visits")
    .values((eb) => ({
      account_id: eb
        .selectFrom("referral_accounts")
        .select("referral_accounts.id")
        .where("referral_accounts.slug", "=", normalised)
        .where("referral_accounts.status", "=", "connected"),
      token,
      visited_at: now,
      ip_hash: hashIp(ip),
      user_agent_class: userAgentClass(userAgent),
      landing_page: landingPage.slice(0, 500),
    }))
    .returning("account_id")
    .executeTakeFirstOrThrow();
  return { token, recorded: inserted.account_id !== null };
}

export interface AttributableVisit {
  visitId: number;
  accountId: string;
  /** Who invited: the business's or partner's name, for the sign-up page's line. */
  referrerName: string;
  visitedAt: Date;
}

/**
 * The visit a first-touch token stands for, when it still attributes a sign-up at `now`: made
 * within the window, through an account that is connected now. Null otherwise.
 */
export async function attributableVisit(
  db: Database,
  { token, now }: { token: string | null | undefined; now: Date },
): Promise<AttributableVisit | null> {
  if (!token || !isUuid(token)) return null;
  const row = await db
    .selectFrom("referral_visits as v")
    .innerJoin("referral_accounts as ra", "ra.id", "v.account_id")
    .leftJoin("businesses as b", "b.id", "ra.business_id")
    .leftJoin("partners as p", "p.id", "ra.partner_id")
    .select([
      "v.id",
      "v.account_id",
      "v.visited_at",
      "b.name as business_name",
      "p.name as partner_name",
    ])
    .where("v.token", "=", token)
    .where("v.visited_at", ">", attributionWindowStart(now))
    .where("v.visited_at", "<=", now)
    .where("ra.status", "=", "connected")
    .executeTakeFirst();
  // The inner join leaves out visits without an account; the check says so to the compiler.
  if (!row || row.account_id === null) return null;
  return {
    visitId: row.id,
    accountId: row.account_id,
    referrerName: row.business_name ?? row.partner_name ?? "",
    visitedAt: row.visited_at,
  };
}

/**
 * Attributes a business that just signed up (in its sign-up transaction) to the visit its
 * first-touch token names, when that visit still attributes. A business never refers itself.
 * Returns the referral's id, or null when nothing was attributed.
 */
export async function attributeSignUp(
  trx: Database,
  {
    businessId,
    token,
    ip,
    actor,
    now,
  }: {
    businessId: string;
    token: string | null | undefined;
    ip: string | null;
    actor: AuditActor;
    now: Date;
  },
): Promise<string | null> {
  const visit = await attributableVisit(trx, { token, now });
  if (!visit) return null;
  const inserted = await trx
    .insertInto("referrals")
    .values({
      account_id: visit.accountId,
      referred_business_id: businessId,
      visit_id: visit.visitId,
      attributed_at: now,
      signup_ip_hash: hashIp(ip),
    })
    .onConflict((oc) => oc.column("referred_business_id").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!inserted) return null;
  await recordAudit(trx, {
    actor,
    action: "referral.attributed",
    businessId,
    subject: { type: "referral", id: inserted.id },
    after: {
      account: visit.accountId,
      visit: visit.visitId,
      visited_at: visit.visitedAt.toISOString(),
    },
    ip,
  });
  return inserted.id;
}
