// Qualification, rewards, support's decision and claw-back (ADR 034). A referred business
// qualifies once: the conditional update of its referral row (qualified_at is null) decides
// between concurrent claims and plan changes, inside the caller's transaction, and copies the
// account's rule in force at that moment. Rewards are one row per beneficiary (a unique key):
// bonus card operations as `referral` grants, or a partner's credit in cents.
import { sql, type RawBuilder } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { addMonthsClamped } from "~/lib/billing-periods";
import { reasonField, wholeNumberField } from "~/lib/fields";
import { recordAudit, systemActor, type AuditActor } from "../audit.server";
import { getCurrentPrices } from "../bundles.server";
import { recordOutboxEvent } from "../outbox.server";
import { holdOpenStatementMonth } from "../statements/open-month.server";
import { inTransaction } from "../transaction.server";
import {
  hashIp,
  ownedEmailDomain,
  ReferralNotDecidable,
  ReferralNotFound,
  referrerIpWindowStart,
  type ReferralFlag,
  type ReferralStatus,
} from "./model.server";

/** What made the business qualify: the first code it claimed, or its first paid plan. */
export type QualifyingEvent =
  { kind: "code_claim"; activationCodeId: number } | { kind: "paid_plan" };

export interface Qualification {
  referralId: string;
  status: ReferralStatus;
  flags: ReferralFlag[];
  rewarded: boolean;
}

interface QualifiedRow {
  id: string;
  account_id: string;
  referred_business_id: string;
  attributed_at: Date;
  signup_ip_hash: string | null;
  referred_operations: number;
  referrer_operations: number;
  referrer_credit_cents: number;
  bonus_months: number;
  rule_version: number;
  referrer_business_id: string | null;
  referrer_partner_id: string | null;
}

/** The auto-approval threshold (support's setting): rewards worth at most this go at once. */
export async function referralSettings(db: Database): Promise<{ autoApproveMaxCents: number }> {
  const row = await db
    .selectFrom("referral_settings")
    .select("auto_approve_max_cents")
    .executeTakeFirst();
  return { autoApproveMaxCents: Number(row?.auto_approve_max_cents ?? 0) };
}

export const SettingsSchema = z.object({
  autoApproveMaxCents: wholeNumberField({ min: 0, max: 100_000_000 }),
});

export async function updateReferralSettings(
  db: Database,
  {
    autoApproveMaxCents,
    actor,
    ip = null,
    now,
  }: { autoApproveMaxCents: number; actor: AuditActor; ip?: string | null; now: Date },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await referralSettings(trx);
    await trx
      .updateTable("referral_settings")
      .set({ auto_approve_max_cents: autoApproveMaxCents, updated_at: now })
      .execute();
    await recordAudit(trx, {
      actor,
      action: "referral.settings_changed",
      before: { auto_approve_max_cents: before.autoApproveMaxCents },
      after: { auto_approve_max_cents: autoApproveMaxCents },
      ip,
    });
  });
}

/**
 * Whether the business has a referral that its next claim or paid plan would qualify: the
 * cheap test (one EXISTS, folded into the claim's first statement, ADR 041) that spares a
 * claim qualifyReferral's update when there is nothing to qualify — most businesses were
 * not referred.
 */
export function referralAwaitingQualificationSql(businessId: string): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from referrals
    where referred_business_id = ${businessId} and qualified_at is null)`;
}

/**
 * Qualifies the referred business's referral, if it has one not qualified yet. Called inside
 * the transaction of the claim or plan change that qualifies it (one call, so it moves easily
 * with the plan change's code). Returns null when there is nothing to qualify.
 */
export async function qualifyReferral(
  trx: Database,
  { businessId, event, now }: { businessId: string; event: QualifyingEvent; now: Date },
): Promise<Qualification | null> {
  // One statement: the row qualifies only while qualified_at is null (a concurrent
  // transaction that qualified it first makes this match nothing once it commits), and the
  // account's rule is copied as it stands now.
  const { rows } = await sql<QualifiedRow>`
    update referrals r set
      qualified_at = ${now},
      qualified_by = ${event.kind},
      qualifying_activation_code_id = ${event.kind === "code_claim" ? event.activationCodeId : null},
      rule_version = ra.rule_version,
      referred_operations = ra.referred_operations,
      referrer_operations = case when ra.business_id is null then 0 else ra.referrer_operations end,
      referrer_credit_cents = case when ra.partner_id is null then 0 else ra.referrer_credit_cents end,
      bonus_months = ra.bonus_months
    from referral_accounts ra
    where ra.id = r.account_id and r.referred_business_id = ${businessId} and r.qualified_at is null
    returning r.id, r.account_id, r.referred_business_id, r.attributed_at, r.signup_ip_hash,
      r.referred_operations, r.referrer_operations, r.referrer_credit_cents::bigint as referrer_credit_cents,
      r.bonus_months, r.rule_version,
      ra.business_id as referrer_business_id, ra.partner_id as referrer_partner_id`.execute(trx);
  const row = rows[0];
  if (!row) return null;

  const flags = await selfReferralSignals(trx, row);
  const prices = await getCurrentPrices(trx, now);
  const valueCents =
    (row.referred_operations + row.referrer_operations) * prices.cardOperationCents +
    Number(row.referrer_credit_cents);
  const { autoApproveMaxCents } = await referralSettings(trx);
  const status: ReferralStatus =
    flags.length > 0 ? "flagged" : valueCents <= autoApproveMaxCents ? "approved" : "pending";
  await trx
    .updateTable("referrals")
    .set({
      status,
      flags,
      reward_value_cents: valueCents,
      ...(status === "approved" ? { decided_at: now, decided_by_label: systemActor.label } : {}),
    })
    .where("id", "=", row.id)
    .execute();
  const payload = {
    referral_id: row.id,
    business_id: businessId,
    referrer_business_id: row.referrer_business_id,
    referrer_partner_id: row.referrer_partner_id,
    qualified_by: event.kind,
    qualified_at: now.toISOString(),
    status,
    flags,
    rule_version: row.rule_version,
    reward_value_cents: valueCents,
  };
  await recordAudit(trx, {
    actor: systemActor,
    action: flags.length > 0 ? "referral.flagged" : "referral.qualified",
    businessId,
    subject: { type: "referral", id: row.id },
    after: payload,
  });
  await recordOutboxEvent(trx, {
    topic: "referral.qualified",
    businessId,
    partnerId: row.referrer_partner_id,
    payload,
  });
  if (status === "approved")
    await grantRewards(trx, { referralId: row.id, actor: systemActor, now });
  return { referralId: row.id, status, flags, rewarded: status === "approved" };
}

/**
 * Why this referral looks like a self-referral: a member of the referred business belongs to
 * the referrer; an owned (non-public) email domain is shared; the sign-up came from an
 * address a member of the referrer signed in from within 30 days before it.
 */
async function selfReferralSignals(
  trx: Database,
  row: Pick<
    QualifiedRow,
    | "referred_business_id"
    | "attributed_at"
    | "signup_ip_hash"
    | "referrer_business_id"
    | "referrer_partner_id"
  >,
): Promise<ReferralFlag[]> {
  const referredMembers = await trx
    .selectFrom("business_members as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["u.id", "u.email"])
    .where("m.business_id", "=", row.referred_business_id)
    .execute();
  const referrerMembers = row.referrer_business_id
    ? await trx
        .selectFrom("business_members as m")
        .innerJoin("users as u", "u.id", "m.user_id")
        .select(["u.id", "u.email"])
        .where("m.business_id", "=", row.referrer_business_id)
        .execute()
    : await trx
        .selectFrom("partner_members as m")
        .innerJoin("users as u", "u.id", "m.user_id")
        .select(["u.id", "u.email"])
        .where("m.partner_id", "=", row.referrer_partner_id!)
        .execute();
  const flags: ReferralFlag[] = [];
  const referrerIds = new Set(referrerMembers.map((m) => m.id));
  if (referredMembers.some((m) => referrerIds.has(m.id))) flags.push("same_user");
  const referrerDomains = new Set(
    referrerMembers.map((m) => ownedEmailDomain(m.email)).filter((d): d is string => d !== null),
  );
  if (referredMembers.some((m) => referrerDomains.has(ownedEmailDomain(m.email) ?? ""))) {
    flags.push("same_email_domain");
  }
  if (row.signup_ip_hash && referrerIds.size > 0) {
    const addresses = await trx
      .selectFrom("audit_log")
      .select("ip")
      .distinct()
      .where("actor_user_id", "in", [...referrerIds])
      .where("action", "in", ["auth.signed_in", "business.signed_up"])
      .where("ip", "is not", null)
      .where("occurred_at", ">=", referrerIpWindowStart(row.attributed_at))
      .where("occurred_at", "<=", row.attributed_at)
      .execute();
    if (addresses.some((a) => hashIp(a.ip) === row.signup_ip_hash)) flags.push("referrer_ip");
  }
  return flags;
}

/**
 * Gives a qualified referral's rewards, each at most once (the unique key per beneficiary):
 * the referred business's bonus operations, and the referrer's (a business's operations or a
 * partner's credit). Bonus operations last the rule's months from now.
 */
async function grantRewards(
  trx: Database,
  { referralId, actor, now }: { referralId: string; actor: AuditActor; now: Date },
): Promise<void> {
  const referral = await trx
    .selectFrom("referrals as r")
    .innerJoin("referral_accounts as ra", "ra.id", "r.account_id")
    .select([
      "r.referred_business_id",
      "r.referred_operations",
      "r.referrer_operations",
      "r.referrer_credit_cents",
      "r.bonus_months",
      "ra.business_id as referrer_business_id",
      "ra.partner_id as referrer_partner_id",
    ])
    .where("r.id", "=", referralId)
    .executeTakeFirstOrThrow();
  const endsAt = addMonthsClamped(now, referral.bonus_months ?? 12);
  const given: Record<string, unknown>[] = [];

  const give = async (
    beneficiary: "referred" | "referrer",
    owner: { businessId: string } | { partnerId: string },
    cardOperations: number,
    creditCents: number,
  ) => {
    if (cardOperations <= 0 && creditCents <= 0) return;
    // A partner's credit is a line of its statement of this month (ADR 039).
    if ("partnerId" in owner && creditCents > 0) {
      await holdOpenStatementMonth(trx, { partnerId: owner.partnerId, now });
    }
    const reward = await trx
      .insertInto("referral_rewards")
      .values({
        referral_id: referralId,
        beneficiary,
        business_id: "businessId" in owner ? owner.businessId : null,
        partner_id: "partnerId" in owner ? owner.partnerId : null,
        card_operations: cardOperations,
        credit_cents: creditCents,
        granted_at: now,
      })
      .onConflict((oc) => oc.columns(["referral_id", "beneficiary"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!reward) return;
    let grantId: string | null = null;
    if ("businessId" in owner && cardOperations > 0) {
      const grant = await trx
        .insertInto("grants")
        .values({
          business_id: owner.businessId,
          source: "referral",
          staff_seats: 0,
          card_operations: cardOperations,
          starts_at: now,
          ends_at: endsAt,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      grantId = grant.id;
      await trx
        .updateTable("referral_rewards")
        .set({ grant_id: grant.id })
        .where("id", "=", reward.id)
        .execute();
      await recordOutboxEvent(trx, {
        topic: "entitlements.changed",
        businessId: owner.businessId,
        payload: {
          business_id: owner.businessId,
          reason: "referral_reward",
          grant: grant.id,
          card_operations: cardOperations,
          ends_at: endsAt.toISOString(),
          changed_at: now.toISOString(),
        },
      });
    }
    given.push({
      beneficiary,
      ...("businessId" in owner
        ? { business_id: owner.businessId }
        : { partner_id: owner.partnerId }),
      grant_id: grantId,
      card_operations: cardOperations,
      credit_cents: creditCents,
    });
  };

  await give(
    "referred",
    { businessId: referral.referred_business_id },
    referral.referred_operations ?? 0,
    0,
  );
  if (referral.referrer_business_id) {
    await give(
      "referrer",
      { businessId: referral.referrer_business_id },
      referral.referrer_operations ?? 0,
      0,
    );
  } else if (referral.referrer_partner_id) {
    await give(
      "referrer",
      { partnerId: referral.referrer_partner_id },
      0,
      Number(referral.referrer_credit_cents ?? 0),
    );
  }
  await trx
    .updateTable("referrals")
    .set({ rewarded_at: now })
    .where("id", "=", referralId)
    .where("rewarded_at", "is", null)
    .execute();
  if (given.length === 0) return;
  const payload = { referral_id: referralId, rewards: given, ends_at: endsAt.toISOString() };
  await recordAudit(trx, {
    actor,
    action: "referral.rewarded",
    businessId: referral.referred_business_id,
    partnerId: referral.referrer_partner_id,
    subject: { type: "referral", id: referralId },
    after: payload as never,
  });
  await recordOutboxEvent(trx, {
    topic: "referral.rewarded",
    businessId: referral.referred_business_id,
    partnerId: referral.referrer_partner_id,
    payload: payload as never,
  });
}

export const DecisionSchema = z.object({
  referralId: z.string().trim().uuid(),
  reason: reasonField,
});

/**
 * Support approves (the rewards are granted, once) or rejects a referral that waits: one over
 * the threshold, or a flagged one (the override). The conditional update decides a race
 * between two support users: the second finds nothing waiting.
 */
export async function decideReferral(
  db: Database,
  {
    referralId,
    decision,
    reason,
    actor,
    ip = null,
    now,
  }: {
    referralId: string;
    decision: "approve" | "reject";
    reason: string;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom("referrals")
      .select(["status", "referred_business_id", "flags"])
      .where("id", "=", referralId)
      .executeTakeFirst();
    if (!before) throw new ReferralNotFound();
    const decided = await trx
      .updateTable("referrals")
      .set({
        status: decision === "approve" ? "approved" : "rejected",
        reason,
        decided_at: now,
        decided_by: actor.userId,
        decided_by_label: actor.label,
      })
      .where("id", "=", referralId)
      .where("status", "in", ["pending", "flagged"])
      .where("qualified_at", "is not", null)
      .where("clawed_back_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    if (!decided) throw new ReferralNotDecidable();
    await recordAudit(trx, {
      actor,
      action: decision === "approve" ? "referral.approved" : "referral.rejected",
      businessId: before.referred_business_id,
      subject: { type: "referral", id: referralId },
      before: { status: before.status, flags: before.flags },
      after: { status: decision === "approve" ? "approved" : "rejected" },
      reason,
      ip,
    });
    if (decision === "approve") await grantRewards(trx, { referralId, actor, now });
  });
}

/**
 * The qualifying claim was rolled back (or, for `paidPlanOf`, the paid plan's first invoice
 * voided): both rewards are clawed back, in the roll-back's
 * transaction. An unused bonus grant ends now; what was used of it stays used and is recorded
 * on the reward. Nothing happens for a claim that qualified no referral.
 */
export async function clawBackReferral(
  trx: Database,
  {
    reason,
    actor,
    ip = null,
    now,
    ...qualifiedBy
  }: ({ activationCodeId: number } | { paidPlanOf: string }) & {
    reason: string;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<boolean> {
  let clawing = trx
    .updateTable("referrals")
    .set({ clawed_back_at: now })
    .where("clawed_back_at", "is", null);
  clawing =
    "activationCodeId" in qualifiedBy
      ? clawing.where("qualifying_activation_code_id", "=", qualifiedBy.activationCodeId)
      : clawing
          .where("referred_business_id", "=", qualifiedBy.paidPlanOf)
          .where("qualified_by", "=", "paid_plan");
  const referral = await clawing
    .returning(["id", "account_id", "referred_business_id", "status"])
    .executeTakeFirst();
  if (!referral) return false;
  const referrer = await trx
    .selectFrom("referral_accounts")
    .select(["business_id", "partner_id"])
    .where("id", "=", referral.account_id)
    .executeTakeFirstOrThrow();
  const rewards = await trx
    .selectFrom("referral_rewards")
    .select([
      "id",
      "beneficiary",
      "grant_id",
      "business_id",
      "partner_id",
      "card_operations",
      "credit_cents",
    ])
    .where("referral_id", "=", referral.id)
    .where("clawed_back_at", "is", null)
    .execute();
  const clawed: Record<string, unknown>[] = [];
  for (const reward of rewards) {
    // A partner's credit clawed back is a debit line on its statement of this month (ADR 039).
    if (reward.partner_id && Number(reward.credit_cents) > 0) {
      await holdOpenStatementMonth(trx, { partnerId: reward.partner_id, now });
    }
    let used: number | null = null;
    if (reward.grant_id && reward.business_id) {
      const grant = await trx
        .updateTable("grants")
        .set({
          ends_at: sql<Date>`least(ends_at, ${now}::timestamptz)`,
          starts_at: sql<Date>`least(starts_at, ${now}::timestamptz)`,
        })
        .where("id", "=", reward.grant_id)
        .where("business_id", "=", reward.business_id)
        .returning(["card_operations_used"])
        .executeTakeFirst();
      used = grant?.card_operations_used ?? null;
      await recordOutboxEvent(trx, {
        topic: "entitlements.changed",
        businessId: reward.business_id,
        payload: {
          business_id: reward.business_id,
          reason: "referral_clawed_back",
          grant: reward.grant_id,
          changed_at: now.toISOString(),
        },
      });
    }
    await trx
      .updateTable("referral_rewards")
      .set({ clawed_back_at: now, card_operations_used_at_clawback: used })
      .where("id", "=", reward.id)
      .execute();
    clawed.push({
      beneficiary: reward.beneficiary,
      grant_id: reward.grant_id,
      card_operations: reward.card_operations,
      card_operations_used: used,
      credit_cents: Number(reward.credit_cents),
    });
  }
  await recordAudit(trx, {
    actor,
    action: "referral.clawed_back",
    businessId: referral.referred_business_id,
    subject: { type: "referral", id: referral.id },
    before: { status: referral.status },
    after: { clawed_back_at: now.toISOString(), rewards: clawed } as never,
    reason,
    ip,
  });
  await recordOutboxEvent(trx, {
    topic: "referral.clawed_back",
    businessId: referral.referred_business_id,
    partnerId: referrer.partner_id,
    payload: {
      referral_id: referral.id,
      business_id: referral.referred_business_id,
      referrer_business_id: referrer.business_id,
      referrer_partner_id: referrer.partner_id,
      clawed_back_at: now.toISOString(),
      rewards: clawed,
    } as never,
  });
  return true;
}

/**
 * The first paid-plan invoice of a business whose referral qualified through that paid plan
 * was voided (the plan was never paid for): both rewards are clawed back as for a rolled-back
 * claim, in the void's transaction. False when no such referral stands.
 */
export async function clawBackPaidPlanReferral(
  trx: Database,
  {
    businessId,
    ...rest
  }: { businessId: string; reason: string; actor: AuditActor; ip?: string | null; now: Date },
): Promise<boolean> {
  return clawBackReferral(trx, { paidPlanOf: businessId, ...rest });
}
