// What the referral pages show (reads only): support's panel of an account, support's queue
// of referrals waiting for a decision, and the referrer's own funnel and list. The referred
// business's name is shown to the referrer only once it qualified (ADR 034).
import { sql } from "kysely";
import type { Database } from "~db/index.ts";
import { env } from "~/env.server";
import {
  afterKey,
  fullPrecision,
  keyset,
  pageSize,
  timestampParam,
  type Page,
} from "../paging.server";
import { referralAccountOf, suggestSlug, type ReferralAccount } from "./accounts.server";
import type { ReferralFlag, ReferralStatus } from "./model.server";
import { referralSettings } from "./qualification.server";

export function referralLink(slug: string): string {
  return `${env.PUBLIC_URL.replace(/\/+$/, "")}/r/${slug}`;
}

export interface ReferralPanel {
  account: (ReferralAccount & { link: string }) | null;
  suggestedSlug: string;
  isPartner: boolean;
}

/** Support's panel on a business's or partner's page. */
export async function supportReferralPanel(
  db: Database,
  { owner, name }: { owner: { businessId: string } | { partnerId: string }; name: string },
): Promise<ReferralPanel> {
  const account = await referralAccountOf(db, owner);
  return {
    account: account ? { ...account, link: referralLink(account.slug) } : null,
    suggestedSlug: account?.slug ?? (await suggestSlug(db, name)),
    isPartner: "partnerId" in owner,
  };
}

export interface Funnel {
  visits: number;
  signUps: number;
  qualified: number;
  rewarded: number;
  pending: number;
  rejected: number;
}

export type RewardState = "none" | "waiting" | "granted" | "clawed_back" | "rejected";

export interface ReferredRow {
  id: string;
  /** Null until the business qualified. */
  businessName: string | null;
  attributedAt: Date;
  qualifiedAt: Date | null;
  status: ReferralStatus;
  rewardState: RewardState;
  /** What the referrer got (or gets once approved): operations or credit cents. */
  referrerOperations: number | null;
  referrerCreditCents: number | null;
}

function rewardState(row: {
  qualified_at: Date | null;
  status: ReferralStatus;
  rewarded_at: Date | null;
  clawed_back_at: Date | null;
}): RewardState {
  if (row.clawed_back_at) return "clawed_back";
  if (row.rewarded_at) return "granted";
  if (row.status === "rejected") return "rejected";
  if (row.qualified_at) return "waiting";
  return "none";
}

const referredPaging = keyset("referrals.referred", ["timestamp", "uuid"]);

/** The referrer's view: its account, funnel, and its referred businesses, newest first. */
export async function referrerDashboard(
  db: Database,
  {
    owner,
    cursor,
    limit = 25,
  }: {
    owner: { businessId: string } | { partnerId: string };
    cursor: string | null;
    limit?: number;
  },
): Promise<{
  account: (ReferralAccount & { link: string }) | null;
  funnel: Funnel;
  referred: Page<ReferredRow>;
}> {
  const account = await referralAccountOf(db, owner);
  const empty = { visits: 0, signUps: 0, qualified: 0, rewarded: 0, pending: 0, rejected: 0 };
  if (!account) return { account: null, funnel: empty, referred: { rows: [], nextCursor: null } };
  const size = pageSize(limit, 25, 100);
  const after = referredPaging.after(cursor);
  const [visits, counts, rows] = await Promise.all([
    db
      .selectFrom("referral_visits")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("account_id", "=", account.id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("referrals")
      .select((eb) => [
        eb.fn.countAll<number>().as("sign_ups"),
        sql<number>`count(*) filter (where qualified_at is not null)`.as("qualified"),
        sql<number>`count(*) filter (where rewarded_at is not null and clawed_back_at is null)`.as(
          "rewarded",
        ),
        sql<number>`count(*) filter (where qualified_at is not null and status in ('pending', 'flagged'))`.as(
          "pending",
        ),
        sql<number>`count(*) filter (where status = 'rejected')`.as("rejected"),
      ])
      .where("account_id", "=", account.id)
      .executeTakeFirstOrThrow(),
    (() => {
      let q = db
        .selectFrom("referrals as r")
        .innerJoin("businesses as b", "b.id", "r.referred_business_id")
        .select([
          "r.id",
          "b.name",
          "r.attributed_at",
          "r.qualified_at",
          "r.status",
          "r.rewarded_at",
          "r.clawed_back_at",
          "r.referrer_operations",
          "r.referrer_credit_cents",
          fullPrecision(sql.ref("r.attributed_at")).as("key"),
        ])
        .where("r.account_id", "=", account.id)
        .orderBy("r.attributed_at", "desc")
        .orderBy("r.id", "desc")
        .limit(size + 1);
      if (after) {
        q = q.where(
          afterKey(
            [sql.ref("r.attributed_at"), sql.ref("r.id")],
            [timestampParam(after[0]), after[1]],
            "desc",
          ),
        );
      }
      return q.execute();
    })(),
  ]);
  const page = referredPaging.page(rows, size, (r) => [r.key, r.id]);
  return {
    account: { ...account, link: referralLink(account.slug) },
    funnel: {
      visits: Number(visits.n),
      signUps: Number(counts.sign_ups),
      qualified: Number(counts.qualified),
      rewarded: Number(counts.rewarded),
      pending: Number(counts.pending),
      rejected: Number(counts.rejected),
    },
    referred: {
      rows: page.rows.map((r) => ({
        id: r.id,
        businessName: r.qualified_at ? r.name : null,
        attributedAt: r.attributed_at,
        qualifiedAt: r.qualified_at,
        status: r.status,
        rewardState: rewardState(r),
        referrerOperations: r.referrer_operations,
        referrerCreditCents:
          r.referrer_credit_cents === null ? null : Number(r.referrer_credit_cents),
      })),
      nextCursor: page.nextCursor,
    },
  };
}

export interface QueueRow {
  id: string;
  referredBusinessId: string;
  referredBusinessName: string;
  referrer: { name: string; businessId: string | null; partnerSlug: string | null };
  qualifiedAt: Date;
  qualifiedBy: "code_claim" | "paid_plan";
  status: ReferralStatus;
  flags: ReferralFlag[];
  rewardValueCents: number;
  reason: string | null;
  decidedBy: string | null;
}

export type QueueFilter = "waiting" | "decided";
const queuePaging = keyset("referrals.queue", ["timestamp", "uuid"]);

/** Support's queue: qualified referrals waiting for a decision (or decided), oldest first. */
export async function referralQueue(
  db: Database,
  { filter, cursor, limit = 25 }: { filter: QueueFilter; cursor: string | null; limit?: number },
): Promise<Page<QueueRow>> {
  const size = pageSize(limit, 25, 100);
  const after = queuePaging.after(cursor);
  const direction = filter === "waiting" ? "asc" : "desc";
  let q = db
    .selectFrom("referrals as r")
    .innerJoin("businesses as b", "b.id", "r.referred_business_id")
    .innerJoin("referral_accounts as ra", "ra.id", "r.account_id")
    .leftJoin("businesses as rb", "rb.id", "ra.business_id")
    .leftJoin("partners as rp", "rp.id", "ra.partner_id")
    .select([
      "r.id",
      "r.referred_business_id",
      "b.name as referred_name",
      "rb.name as referrer_business_name",
      "rb.id as referrer_business_id",
      "rp.name as referrer_partner_name",
      "rp.slug as referrer_partner_slug",
      "r.qualified_at",
      "r.qualified_by",
      "r.status",
      "r.flags",
      "r.reward_value_cents",
      "r.reason",
      "r.decided_by_label",
      fullPrecision(sql.ref("r.qualified_at")).as("key"),
    ])
    .where("r.qualified_at", "is not", null)
    .where(
      "r.status",
      "in",
      filter === "waiting" ? ["pending", "flagged"] : ["approved", "rejected"],
    )
    .orderBy("r.qualified_at", direction)
    .orderBy("r.id", direction)
    .limit(size + 1);
  if (after) {
    q = q.where(
      afterKey(
        [sql.ref("r.qualified_at"), sql.ref("r.id")],
        [timestampParam(after[0]), after[1]],
        direction,
      ),
    );
  }
  const rows = await q.execute();
  const page = queuePaging.page(rows, size, (r) => [r.key, r.id]);
  return {
    rows: page.rows.map((r) => ({
      id: r.id,
      referredBusinessId: r.referred_business_id,
      referredBusinessName: r.referred_name,
      referrer: {
        name: r.referrer_business_name ?? r.referrer_partner_name ?? "",
        businessId: r.referrer_business_id,
        partnerSlug: r.referrer_partner_slug,
      },
      qualifiedAt: r.qualified_at!,
      qualifiedBy: r.qualified_by!,
      status: r.status,
      flags: r.flags as ReferralFlag[],
      rewardValueCents: Number(r.reward_value_cents ?? 0),
      reason: r.reason,
      decidedBy: r.decided_by_label,
    })),
    nextCursor: page.nextCursor,
  };
}

/** The queue page's header: the threshold and how many wait. */
export async function referralQueueSummary(db: Database) {
  const [settings, waiting, accounts] = await Promise.all([
    referralSettings(db),
    db
      .selectFrom("referrals")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("qualified_at", "is not", null)
      .where("status", "in", ["pending", "flagged"])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("referral_accounts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "connected")
      .executeTakeFirstOrThrow(),
  ]);
  return {
    autoApproveMaxCents: settings.autoApproveMaxCents,
    waiting: Number(waiting.n),
    connectedAccounts: Number(accounts.n),
  };
}
