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
 * Records a visit of a connected account's link. An unknown, paused or disconnected slug
 * records nothing and gets a token that matches no visit, so the answer has the same shape.
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
  const inserted = await db
    .insertInto("referral_visits")
    .columns(["account_id", "token", "visited_at", "ip_hash", "user_agent_class", "landing_page"])
    .expression((eb) =>
      eb
        .selectFrom("referral_accounts")
        .select((s) => [
          "id",
          s.val(token).as("token"),
          s.val(now).as("visited_at"),
          s.val(hashIp(ip)).as("ip_hash"),
          s.val(userAgentClass(userAgent)).as("user_agent_class"),
          s.val(landingPage.slice(0, 500)).as("landing_page"),
        ])
        .where("slug", "=", normalised)
        .where("status", "=", "connected"),
    )
    .returning("id")
    .executeTakeFirst();
  return { token, recorded: inserted !== undefined };
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
  if (!row) return null;
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
