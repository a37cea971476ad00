// Connecting accounts to the referral program (support and the admin CLI): a business's or a
// partner's personal slug and reward rule, edited, paused, disconnected. A rule change bumps
// the rule's version; a referral copies the rule in force when it qualifies (ADR 034).
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { reasonField } from "~/lib/fields";
import { isUuid } from "~/lib/ids";
import { recordAudit, type AuditActor } from "../audit.server";
import { DomainError } from "../errors.server";
import {
  DEFAULT_RULE,
  ReferralAccountExists,
  ReferralAccountNotFound,
  ReferralSlugTaken,
  ReferralStatusUnchanged,
  RuleFields,
  slugField,
  slugFrom,
  type ReferralAccountStatus,
  type ReferrerRef,
  type RewardRule,
} from "./model.server";

export interface ReferralAccount {
  id: string;
  businessId: string | null;
  partnerId: string | null;
  /** The business's or partner's name. */
  name: string;
  slug: string;
  status: ReferralAccountStatus;
  rule: RewardRule;
  ruleVersion: number;
  connectedAt: Date;
  updatedAt: Date;
}

class ReferrerNotFound extends DomainError {
  constructor(ref: ReferrerRef) {
    super(
      "businessId" in ref ? "business_not_found" : "partner_not_found",
      "businessId" in ref ? "No such business." : "No such partner.",
    );
  }
}

/** A driver error's field as text: pg gives strings, or leaves the field out. */
function textOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { code?: unknown; constraint?: unknown; detail?: unknown; message?: unknown };
  if (e.code !== "23505") return false;
  if (!constraint) return true;
  const text = [e.constraint, e.detail, e.message].map(textOf).join(" ");
  return text.includes(constraint);
}

const accountColumns = [
  "ra.id",
  "ra.business_id",
  "ra.partner_id",
  "ra.slug",
  "ra.status",
  "ra.referred_operations",
  "ra.referrer_operations",
  "ra.referrer_credit_cents",
  "ra.bonus_months",
  "ra.rule_version",
  "ra.connected_at",
  "ra.updated_at",
] as const;

function accountsQuery(db: Database) {
  return db
    .selectFrom("referral_accounts as ra")
    .leftJoin("businesses as b", "b.id", "ra.business_id")
    .leftJoin("partners as p", "p.id", "ra.partner_id")
    .select([...accountColumns, "b.name as business_name", "p.name as partner_name"]);
}

type AccountRow = Awaited<ReturnType<ReturnType<typeof accountsQuery>["executeTakeFirstOrThrow"]>>;

function toAccount(row: AccountRow): ReferralAccount {
  return {
    id: row.id,
    businessId: row.business_id,
    partnerId: row.partner_id,
    name: row.business_name ?? row.partner_name ?? "",
    slug: row.slug,
    status: row.status,
    rule: {
      referredOperations: row.referred_operations,
      referrerOperations: row.referrer_operations,
      referrerCreditCents: Number(row.referrer_credit_cents),
      bonusMonths: row.bonus_months,
    },
    ruleVersion: row.rule_version,
    connectedAt: row.connected_at,
    updatedAt: row.updated_at,
  };
}

/** The referrer's id as a row filter, or null when the business/partner does not exist. */
async function resolveReferrer(
  db: Database,
  ref: ReferrerRef,
): Promise<
  | { businessId: string; partnerId: null; name: string }
  | { businessId: null; partnerId: string; name: string }
  | null
> {
  if ("businessId" in ref) {
    if (!isUuid(ref.businessId)) return null;
    const row = await db
      .selectFrom("businesses")
      .select(["id", "name"])
      .where("id", "=", ref.businessId)
      .executeTakeFirst();
    return row ? { businessId: row.id, partnerId: null, name: row.name } : null;
  }
  const row = await db
    .selectFrom("partners")
    .select(["id", "name"])
    .where("slug", "=", ref.partnerSlug)
    .executeTakeFirst();
  return row ? { businessId: null, partnerId: row.id, name: row.name } : null;
}

/** The account of a business or a partner (by id), or null when it was never connected. */
export async function referralAccountOf(
  db: Database,
  owner: { businessId: string } | { partnerId: string },
): Promise<ReferralAccount | null> {
  let q = accountsQuery(db);
  q =
    "businessId" in owner
      ? q.where("ra.business_id", "=", owner.businessId)
      : q.where("ra.partner_id", "=", owner.partnerId);
  const row = await q.executeTakeFirst();
  return row ? toAccount(row) : null;
}

/** A slug nobody uses yet, from the name: "corner-coffee", else "corner-coffee-2", … */
export async function suggestSlug(db: Database, name: string): Promise<string> {
  const base = slugFrom(name);
  const taken = new Set(
    (
      await db
        .selectFrom("referral_accounts")
        .select("slug")
        .where("slug", "like", `${base}%`)
        .execute()
    ).map((r) => r.slug),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export const ConnectSchema = z.object({
  slug: slugField.optional().or(z.literal("").transform(() => undefined)),
});

/**
 * Connects a business or a partner with the default rule (a partner's credit starts at 0
 * until support sets its amount) and the slug given or suggested. Connecting an account that
 * was disconnected connects it again, with its slug and rule kept unless a slug is given.
 */
export async function connectReferralAccount(
  db: Database,
  {
    referrer,
    slug,
    actor,
    ip = null,
    now,
  }: {
    referrer: ReferrerRef;
    slug?: string;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<ReferralAccount> {
  const owner = await resolveReferrer(db, referrer);
  if (!owner) throw new ReferrerNotFound(referrer);
  const parsedSlug = slug === undefined ? undefined : slugField.safeParse(slug);
  if (parsedSlug && !parsedSlug.success) {
    throw new DomainError(
      "invalid_request",
      "The link must be 3–40 of a–z, 0–9 and dashes.",
      "slug",
    );
  }
  const existing = await referralAccountOf(
    db,
    owner.businessId ? { businessId: owner.businessId } : { partnerId: owner.partnerId! },
  );
  if (existing && existing.status !== "disconnected") throw new ReferralAccountExists();
  const chosen = parsedSlug?.data ?? existing?.slug ?? (await suggestSlug(db, owner.name));
  try {
    return await db.transaction().execute(async (trx) => {
      let id: string;
      if (existing) {
        const row = await trx
          .updateTable("referral_accounts")
          .set({ status: "connected", slug: chosen, updated_at: now })
          .where("id", "=", existing.id)
          .where("status", "=", "disconnected")
          .returning("id")
          .executeTakeFirst();
        if (!row) throw new ReferralAccountExists();
        id = row.id;
      } else {
        const row = await trx
          .insertInto("referral_accounts")
          .values({
            business_id: owner.businessId,
            partner_id: owner.partnerId,
            slug: chosen,
            referred_operations: DEFAULT_RULE.referredOperations,
            referrer_operations: DEFAULT_RULE.referrerOperations,
            referrer_credit_cents: DEFAULT_RULE.referrerCreditCents,
            bonus_months: DEFAULT_RULE.bonusMonths,
            connected_at: now,
            updated_at: now,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        id = row.id;
      }
      await recordAudit(trx, {
        actor,
        action: "referral.account_connected",
        businessId: owner.businessId,
        partnerId: owner.partnerId,
        subject: { type: "referral_account", id },
        before: existing ? { status: existing.status, slug: existing.slug } : undefined,
        after: { status: "connected", slug: chosen },
        ip,
      });
      const row = await accountsQuery(trx).where("ra.id", "=", id).executeTakeFirstOrThrow();
      return toAccount(row);
    });
  } catch (error) {
    if (isUniqueViolation(error, "slug")) throw new ReferralSlugTaken();
    if (isUniqueViolation(error)) throw new ReferralAccountExists();
    throw error;
  }
}

/** Support's edit of an account: its slug and its rule, with a reason. */
export const AccountEditSchema = z.object({
  accountId: z.string().trim().uuid(),
  slug: slugField,
  ...RuleFields,
  reason: reasonField,
});
export type AccountEdit = z.output<typeof AccountEditSchema>;

export const AccountStatusSchema = z.object({
  accountId: z.string().trim().uuid(),
  status: z.enum(["connected", "paused", "disconnected"]),
  reason: reasonField,
});

/**
 * Saves a new slug and rule. A rule that differs gets the next version: referrals that
 * qualified before keep the copy they took; the ones qualifying after take this one.
 */
export async function editReferralAccount(
  db: Database,
  {
    input,
    actor,
    ip = null,
    now,
  }: { input: AccountEdit; actor: AuditActor; ip?: string | null; now: Date },
): Promise<ReferralAccount> {
  try {
    return await db.transaction().execute(async (trx) => {
      const before = await accountsQuery(trx)
        .where("ra.id", "=", input.accountId)
        .forUpdate("ra")
        .executeTakeFirst();
      if (!before) throw new ReferralAccountNotFound();
      const old = toAccount(before);
      const rule: RewardRule = {
        referredOperations: input.referredOperations,
        referrerOperations: input.referrerOperations,
        // A business referrer is rewarded in operations; a partner in credit (and operations
        // are not given to a partner, which has none to use).
        referrerCreditCents: old.partnerId ? input.referrerCreditCents : 0,
        bonusMonths: input.bonusMonths,
      };
      const ruleChanged = JSON.stringify(rule) !== JSON.stringify(old.rule);
      await trx
        .updateTable("referral_accounts")
        .set({
          slug: input.slug,
          referred_operations: rule.referredOperations,
          referrer_operations: rule.referrerOperations,
          referrer_credit_cents: rule.referrerCreditCents,
          bonus_months: rule.bonusMonths,
          rule_version: ruleChanged ? old.ruleVersion + 1 : old.ruleVersion,
          updated_at: now,
        })
        .where("id", "=", old.id)
        .execute();
      await recordAudit(trx, {
        actor,
        action: "referral.account_edited",
        businessId: old.businessId,
        partnerId: old.partnerId,
        subject: { type: "referral_account", id: old.id },
        before: { slug: old.slug, rule_version: old.ruleVersion, ...ruleJson(old.rule) },
        after: {
          slug: input.slug,
          rule_version: ruleChanged ? old.ruleVersion + 1 : old.ruleVersion,
          ...ruleJson(rule),
        },
        reason: input.reason,
        ip,
      });
      return toAccount(
        await accountsQuery(trx).where("ra.id", "=", old.id).executeTakeFirstOrThrow(),
      );
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ReferralSlugTaken();
    throw error;
  }
}

export function ruleJson(rule: RewardRule) {
  return {
    referred_operations: rule.referredOperations,
    referrer_operations: rule.referrerOperations,
    referrer_credit_cents: rule.referrerCreditCents,
    bonus_months: rule.bonusMonths,
  };
}

/** Connects again, pauses or disconnects; a paused or disconnected link attributes nothing. */
export async function setReferralAccountStatus(
  db: Database,
  {
    accountId,
    status,
    reason,
    actor,
    ip = null,
    now,
  }: {
    accountId: string;
    status: ReferralAccountStatus;
    reason: string;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<ReferralAccount> {
  return db.transaction().execute(async (trx) => {
    const before = await accountsQuery(trx)
      .where("ra.id", "=", accountId)
      .forUpdate("ra")
      .executeTakeFirst();
    if (!before) throw new ReferralAccountNotFound();
    if (before.status === status) throw new ReferralStatusUnchanged();
    await trx
      .updateTable("referral_accounts")
      .set({ status, updated_at: now })
      .where("id", "=", accountId)
      .execute();
    await recordAudit(trx, {
      actor,
      action: "referral.account_status_changed",
      businessId: before.business_id,
      partnerId: before.partner_id,
      subject: { type: "referral_account", id: accountId },
      before: { status: before.status },
      after: { status },
      reason,
      ip,
    });
    return toAccount(
      await accountsQuery(trx).where("ra.id", "=", accountId).executeTakeFirstOrThrow(),
    );
  });
}
