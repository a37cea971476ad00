// The referral program's rules (issue 15, ADR 034): connecting accounts, visits and the
// attribution window, qualification exactly once (under concurrent claims too), rewards as
// `referral` grants or a partner's credit, the self-referral flags, the approval threshold,
// support's decisions and the claw-back of a rolled-back qualifying claim.
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rollBackClaim } from "~/domain/claim-rollbacks.server";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import { DomainError } from "~/domain/errors.server";
import { changePlan } from "~/domain/plans.server";
import { claimCode } from "~/domain/redemption.server";
import {
  connectReferralAccount,
  editReferralAccount,
  setReferralAccountStatus,
} from "~/domain/referrals/accounts.server";
import {
  attributableVisit,
  attributeSignUp,
  recordVisit,
} from "~/domain/referrals/attribution.server";
import { hashIp } from "~/domain/referrals/model.server";
import { decideReferral } from "~/domain/referrals/qualification.server";
import { recordAudit } from "~/domain/audit.server";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  createBatchWithCodes,
  createBundle,
  createBusiness,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { auditRows } from "../helpers/auth.ts";
import { at } from "../helpers/rows.ts";

const DAY = 86_400_000;
const support = { userId: null, label: "support@7stamp.test" };

/** A business whose owner's address is at its own domain (no accidental shared domain). */
async function businessAt(domain = `d${randomUUID().slice(0, 8)}.test`, name?: string) {
  const business = await createBusiness(name ? { name } : {});
  const owner = await createUser({ email: `owner-${randomUUID().slice(0, 8)}@${domain}` });
  await addBusinessMember(business.id, owner.id, "owner");
  return { business, owner };
}

async function codes(count = 3) {
  const { partner } = await createPartnerWithOwner({});
  const bundle = await createBundle(partner.id, { staffSeats: 1, cardOperations: 100 });
  return { partner, ...(await createBatchWithCodes(bundle, { count })) };
}

async function claim(
  business: { id: string },
  owner: { id: string; email: string },
  code: string,
  now = new Date(),
) {
  return claimCode(testDb().db, {
    businessId: business.id,
    code,
    actor: { userId: owner.id, label: owner.email, email: owner.email },
    ip: null,
    now,
  });
}

/** A referrer business connected to the program, and a referred business attributed to it. */
async function referredPair(options: { ip?: string; referredDomain?: string } = {}) {
  const { db } = testDb();
  const referrer = await businessAt(undefined, `Referrer ${randomUUID().slice(0, 6)}`);
  const account = await connectReferralAccount(db, {
    referrer: { businessId: referrer.business.id },
    actor: support,
    now: new Date(),
  });
  const visit = await recordVisit(db, {
    slug: account.slug,
    ip: options.ip ?? "203.0.113.9",
    userAgent: "Mozilla/5.0 (iPhone)",
    landingPage: `/r/${account.slug}`,
    now: new Date(Date.now() - DAY),
  });
  const referred = await businessAt(options.referredDomain);
  const referralId = await db.transaction().execute((trx) =>
    attributeSignUp(trx, {
      businessId: referred.business.id,
      token: visit.token,
      ip: options.ip ?? "203.0.113.9",
      actor: { userId: referred.owner.id, label: referred.owner.email },
      now: new Date(),
    }),
  );
  expect(referralId).not.toBeNull();
  return { referrer, account, referred, referralId: referralId! };
}

async function referralRow(id: string) {
  return testDb()
    .db.selectFrom("referrals")
    .select([
      "status",
      "flags",
      "qualified_at",
      "qualified_by",
      "rule_version",
      "referred_operations",
      "rewarded_at",
      "clawed_back_at",
    ])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

async function referralGrants(businessId: string) {
  return testDb()
    .db.selectFrom("grants")
    .select(["id", "card_operations", "ends_at", "source"])
    .where("business_id", "=", businessId)
    .where("source", "=", "referral")
    .execute();
}

async function setThreshold(cents: number) {
  await testDb()
    .db.updateTable("referral_settings")
    .set({ auto_approve_max_cents: cents })
    .execute();
}

beforeEach(() => setThreshold(5000));
afterEach(() => setThreshold(5000));

describe("connecting accounts", () => {
  it("suggests a unique slug from the name, keeps the default rule and audits", async () => {
    const { db } = testDb();
    const first = await businessAt(undefined, "Harbour Bakery Zz");
    const second = await businessAt(undefined, "Harbour Bakery Zz");
    const a = await connectReferralAccount(db, {
      referrer: { businessId: first.business.id },
      actor: support,
      now: new Date(),
    });
    const b = await connectReferralAccount(db, {
      referrer: { businessId: second.business.id },
      actor: support,
      now: new Date(),
    });
    expect(a.slug).toBe("harbour-bakery-zz");
    expect(b.slug).toBe("harbour-bakery-zz-2");
    expect(a.rule).toEqual({
      referredOperations: 200,
      referrerOperations: 500,
      referrerCreditCents: 0,
      bonusMonths: 12,
    });
    await expect(
      connectReferralAccount(db, {
        referrer: { businessId: first.business.id },
        actor: support,
        now: new Date(),
      }),
    ).rejects.toMatchObject({ code: "referral_account_exists" });
    const third = await businessAt();
    await expect(
      connectReferralAccount(db, {
        referrer: { businessId: third.business.id },
        slug: a.slug,
        actor: support,
        now: new Date(),
      }),
    ).rejects.toMatchObject({ code: "referral_slug_taken", field: "slug" });
    expect((await auditRows("referral.account_connected")).length).toBeGreaterThanOrEqual(2);
  });

  it("a rule change gets a new version and applies to referrals qualifying after it", async () => {
    const { db } = testDb();
    const early = await referredPair();
    const { codes: list } = await codes(2);
    await claim(early.referred.business, early.referred.owner, at(list, 0, "code").code);
    expect((await referralRow(early.referralId)).rule_version).toBe(1);
    await editReferralAccount(db, {
      input: {
        accountId: early.account.id,
        slug: early.account.slug,
        referredOperations: 300,
        referrerOperations: 600,
        referrerCreditCents: 0,
        bonusMonths: 6,
        reason: "Spring campaign",
      },
      actor: support,
      now: new Date(),
    });
    const visit = await recordVisit(db, {
      slug: early.account.slug,
      ip: "198.51.100.1",
      userAgent: null,
      landingPage: "/r/x",
      now: new Date(),
    });
    const late = await businessAt();
    const lateId = await db.transaction().execute((trx) =>
      attributeSignUp(trx, {
        businessId: late.business.id,
        token: visit.token,
        ip: "198.51.100.1",
        actor: support,
        now: new Date(),
      }),
    );
    await claim(late.business, late.owner, at(list, 1, "code").code);
    const before = await referralRow(early.referralId);
    const after = await referralRow(lateId!);
    expect([before.rule_version, before.referred_operations]).toEqual([1, 200]);
    expect([after.rule_version, after.referred_operations]).toEqual([2, 300]);
    expect((await referralGrants(early.referred.business.id))[0]?.card_operations).toBe(200);
    expect((await referralGrants(late.business.id))[0]?.card_operations).toBe(300);
  });

  it("a paused or disconnected link records no visit and attributes nothing", async () => {
    const { db } = testDb();
    const { account } = await referredPair();
    await setReferralAccountStatus(db, {
      accountId: account.id,
      status: "paused",
      reason: "Asked to pause",
      actor: support,
      now: new Date(),
    });
    const visit = await recordVisit(db, {
      slug: account.slug,
      ip: "192.0.2.1",
      userAgent: null,
      landingPage: "/r/x",
      now: new Date(),
    });
    expect(visit.recorded).toBe(false);
    const unknown = await recordVisit(db, {
      slug: "no-such-slug-anywhere",
      ip: "192.0.2.1",
      userAgent: null,
      landingPage: "/r/x",
      now: new Date(),
    });
    expect(unknown.recorded).toBe(false);
    expect(unknown.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(await attributableVisit(db, { token: unknown.token, now: new Date() })).toBeNull();
    await expect(
      setReferralAccountStatus(db, {
        accountId: account.id,
        status: "paused",
        reason: "Again",
        actor: support,
        now: new Date(),
      }),
    ).rejects.toMatchObject({ code: "referral_status_unchanged" });
  });
});

describe("attribution window", () => {
  it("a sign-up 59 days after the visit is attributed, 61 days after is not", async () => {
    const { db } = testDb();
    const referrer = await businessAt();
    const account = await connectReferralAccount(db, {
      referrer: { businessId: referrer.business.id },
      actor: support,
      now: new Date(),
    });
    const visitedAt = new Date(Date.now() - 70 * DAY);
    const visit = await recordVisit(db, {
      slug: account.slug,
      ip: "192.0.2.7",
      userAgent: "Mozilla/5.0",
      landingPage: `/r/${account.slug}`,
      now: visitedAt,
    });
    expect(visit.recorded).toBe(true);
    const at59 = new Date(visitedAt.getTime() + 59 * DAY);
    const at61 = new Date(visitedAt.getTime() + 61 * DAY);
    expect((await attributableVisit(db, { token: visit.token, now: at59 }))?.referrerName).toBe(
      referrer.business.name,
    );
    expect(await attributableVisit(db, { token: visit.token, now: at61 })).toBeNull();
    const late = await businessAt();
    const none = await db.transaction().execute((trx) =>
      attributeSignUp(trx, {
        businessId: late.business.id,
        token: visit.token,
        ip: null,
        actor: support,
        now: at61,
      }),
    );
    expect(none).toBeNull();
    const inTime = await businessAt();
    const some = await db.transaction().execute((trx) =>
      attributeSignUp(trx, {
        businessId: inTime.business.id,
        token: visit.token,
        ip: null,
        actor: support,
        now: at59,
      }),
    );
    expect(some).not.toBeNull();
    const stored = await db
      .selectFrom("referral_visits")
      .select(["ip_hash", "user_agent_class"])
      .where("token", "=", visit.token)
      .executeTakeFirstOrThrow();
    expect(stored.ip_hash).toBe(hashIp("192.0.2.7"));
    expect(stored.ip_hash).not.toContain("192.0.2.7");
    expect(stored.user_agent_class).toBe("desktop");
  });
});

describe("qualification", () => {
  it("the first claim qualifies once; both businesses get referral grants counted by entitlements", async () => {
    const { db } = testDb();
    const { referrer, referred, referralId } = await referredPair();
    const { codes: list } = await codes(2);
    await claim(referred.business, referred.owner, at(list, 0, "code").code);
    await claim(referred.business, referred.owner, at(list, 1, "code").code);
    const row = await referralRow(referralId);
    expect(row.status).toBe("approved");
    expect(row.qualified_by).toBe("code_claim");
    expect(row.rewarded_at).not.toBeNull();
    expect((await referralGrants(referred.business.id)).map((g) => g.card_operations)).toEqual([
      200,
    ]);
    expect((await referralGrants(referrer.business.id)).map((g) => g.card_operations)).toEqual([
      500,
    ]);
    const entitlements = await getEntitlements(db, {
      businessId: referrer.business.id,
      now: new Date(),
    });
    expect(
      entitlements!.grants.some((g) => g.source === "referral" && g.cardOperations === 500),
    ).toBe(true);
    const events = await db
      .selectFrom("outbox_events")
      .select("topic")
      .where("business_id", "=", referred.business.id)
      .execute();
    expect(events.filter((e) => e.topic === "referral.qualified")).toHaveLength(1);
    expect(events.filter((e) => e.topic === "referral.rewarded")).toHaveLength(1);
  });

  it("concurrent claims of two codes by the referred business qualify it exactly once", async () => {
    const { referred, referralId, referrer } = await referredPair();
    const { codes: list } = await codes(4);
    const results = await Promise.allSettled(
      list.map((c) => claim(referred.business, referred.owner, c.code)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(4);
    expect((await referralRow(referralId)).status).toBe("approved");
    expect(await referralGrants(referred.business.id)).toHaveLength(1);
    expect(await referralGrants(referrer.business.id)).toHaveLength(1);
    const rewards = await testDb()
      .db.selectFrom("referral_rewards")
      .select("id")
      .where("referral_id", "=", referralId)
      .execute();
    expect(rewards).toHaveLength(2);
  });

  it("starting a paid plan qualifies; a later claim does not again", async () => {
    const { db } = testDb();
    const { referred, referralId } = await referredPair();
    await changePlan(db, {
      businessId: referred.business.id,
      planId: "monthly",
      locations: 1,
      actor: { userId: referred.owner.id, label: referred.owner.email },
      ip: null,
      now: new Date(),
    });
    expect((await referralRow(referralId)).qualified_by).toBe("paid_plan");
    const { codes: list } = await codes(1);
    await claim(referred.business, referred.owner, at(list, 0, "code").code);
    expect(await referralGrants(referred.business.id)).toHaveLength(1);
  });

  it("a partner referrer gets its credit as a reward, the referred business its operations", async () => {
    const { db } = testDb();
    const { partner } = await createPartnerWithOwner({});
    const account = await connectReferralAccount(db, {
      referrer: { partnerSlug: partner.slug },
      actor: support,
      now: new Date(),
    });
    await editReferralAccount(db, {
      input: {
        accountId: account.id,
        slug: account.slug,
        referredOperations: 200,
        referrerOperations: 0,
        referrerCreditCents: 2500,
        bonusMonths: 12,
        reason: "Partner deal",
      },
      actor: support,
      now: new Date(),
    });
    await setThreshold(100_000);
    const visit = await recordVisit(db, {
      slug: account.slug,
      ip: "192.0.2.44",
      userAgent: null,
      landingPage: "/r/p",
      now: new Date(),
    });
    const referred = await businessAt();
    const id = await db.transaction().execute((trx) =>
      attributeSignUp(trx, {
        businessId: referred.business.id,
        token: visit.token,
        ip: "192.0.2.44",
        actor: support,
        now: new Date(),
      }),
    );
    const { codes: list } = await codes(1);
    await claim(referred.business, referred.owner, at(list, 0, "code").code);
    const rewards = await db
      .selectFrom("referral_rewards")
      .select(["beneficiary", "partner_id", "credit_cents", "card_operations"])
      .where("referral_id", "=", id!)
      .orderBy("beneficiary")
      .execute();
    expect(rewards).toEqual([
      { beneficiary: "referred", partner_id: null, credit_cents: 0, card_operations: 200 },
      { beneficiary: "referrer", partner_id: partner.id, credit_cents: 2500, card_operations: 0 },
    ]);
  });
});

describe("self-referral flags and support's decision", () => {
  it("the same owned email domain flags and grants nothing; a public provider does not flag", async () => {
    const shared = `shop${randomUUID().slice(0, 6)}.test`;
    const { db } = testDb();
    const referrer = await businessAt(shared);
    const account = await connectReferralAccount(db, {
      referrer: { businessId: referrer.business.id },
      actor: support,
      now: new Date(),
    });
    const visit = await recordVisit(db, {
      slug: account.slug,
      ip: "192.0.2.60",
      userAgent: null,
      landingPage: "/r/x",
      now: new Date(),
    });
    const referred = await businessAt(shared);
    const id = await db.transaction().execute((trx) =>
      attributeSignUp(trx, {
        businessId: referred.business.id,
        token: visit.token,
        ip: "192.0.2.61",
        actor: support,
        now: new Date(),
      }),
    );
    const { codes: list } = await codes(1);
    await claim(referred.business, referred.owner, at(list, 0, "code").code);
    const row = await referralRow(id!);
    expect(row.status).toBe("flagged");
    expect(row.flags).toEqual(["same_email_domain"]);
    expect(await referralGrants(referred.business.id)).toHaveLength(0);
    expect(await referralGrants(referrer.business.id)).toHaveLength(0);

    // Support's override grants the rewards exactly once.
    await decideReferral(db, {
      referralId: id!,
      decision: "approve",
      reason: "Franchisee, checked by phone",
      actor: support,
      now: new Date(),
    });
    await expect(
      decideReferral(db, {
        referralId: id!,
        decision: "approve",
        reason: "Twice",
        actor: support,
        now: new Date(),
      }),
    ).rejects.toMatchObject({ code: "referral_not_decidable" });
    expect(await referralGrants(referred.business.id)).toHaveLength(1);
    expect(await referralGrants(referrer.business.id)).toHaveLength(1);

    const gmailReferrer = await businessAt("gmail.com");
    const gmailReferred = await businessAt("gmail.com");
    const gAccount = await connectReferralAccount(db, {
      referrer: { businessId: gmailReferrer.business.id },
      actor: support,
      now: new Date(),
    });
    const gVisit = await recordVisit(db, {
      slug: gAccount.slug,
      ip: "192.0.2.70",
      userAgent: null,
      landingPage: "/r/x",
      now: new Date(),
    });
    const gId = await db.transaction().execute((trx) =>
      attributeSignUp(trx, {
        businessId: gmailReferred.business.id,
        token: gVisit.token,
        ip: "192.0.2.71",
        actor: support,
        now: new Date(),
      }),
    );
    const { codes: more } = await codes(1);
    await claim(gmailReferred.business, gmailReferred.owner, at(more, 0, "code").code);
    expect((await referralRow(gId!)).status).toBe("approved");
  });

  it("the same user in both businesses flags", async () => {
    const { referrer, referred, referralId } = await referredPair();
    await addBusinessMember(referred.business.id, referrer.owner.id, "staff");
    const { codes: list } = await codes(1);
    await claim(referred.business, referred.owner, at(list, 0, "code").code);
    const row = await referralRow(referralId);
    expect(row.status).toBe("flagged");
    expect(row.flags).toContain("same_user");
  });

  it("a sign-up from an address the referrer signed in from within 30 days flags", async () => {
    const { db } = testDb();
    const referrer = await businessAt();
    await recordAudit(db, {
      actor: { userId: referrer.owner.id, label: referrer.owner.email },
      action: "auth.signed_in",
      ip: "198.51.100.77",
    });
    const account = await connectReferralAccount(db, {
      referrer: { businessId: referrer.business.id },
      actor: support,
      now: new Date(),
    });
    const visit = await recordVisit(db, {
      slug: account.slug,
      ip: "198.51.100.77",
      userAgent: null,
      landingPage: "/r/x",
      now: new Date(),
    });
    const referred = await businessAt();
    const id = await db.transaction().execute((trx) =>
      attributeSignUp(trx, {
        businessId: referred.business.id,
        token: visit.token,
        ip: "198.51.100.77",
        actor: support,
        now: new Date(),
      }),
    );
    const { codes: list } = await codes(1);
    await claim(referred.business, referred.owner, at(list, 0, "code").code);
    expect((await referralRow(id!)).flags).toEqual(["referrer_ip"]);
    await decideReferral(db, {
      referralId: id!,
      decision: "reject",
      reason: "Same shop",
      actor: support,
      now: new Date(),
    });
    expect((await referralRow(id!)).status).toBe("rejected");
    expect(await referralGrants(referred.business.id)).toHaveLength(0);
  });

  it("over the threshold a referral waits for approval; under it rewards appear at once", async () => {
    const { db } = testDb();
    await setThreshold(0);
    const { referred, referralId } = await referredPair();
    const { codes: list } = await codes(1);
    await claim(referred.business, referred.owner, at(list, 0, "code").code);
    expect((await referralRow(referralId)).status).toBe("pending");
    expect(await referralGrants(referred.business.id)).toHaveLength(0);
    await decideReferral(db, {
      referralId,
      decision: "approve",
      reason: "Looks right",
      actor: support,
      now: new Date(),
    });
    expect((await referralRow(referralId)).status).toBe("approved");
    expect(await referralGrants(referred.business.id)).toHaveLength(1);
  });
});

describe("claw-back", () => {
  it("rolling back the qualifying claim ends both unused bonus grants now", async () => {
    const { db } = testDb();
    const { referrer, referred, referralId } = await referredPair();
    const { codes: list } = await codes(1);
    await claim(referred.business, referred.owner, at(list, 0, "code").code);
    const now = new Date(Date.now() + 60_000);
    await rollBackClaim(db, {
      activationCodeId: at(list, 0, "code").id,
      reason: "Sold by mistake",
      actor: support,
      now,
    });
    expect((await referralRow(referralId)).clawed_back_at).not.toBeNull();
    for (const businessId of [referred.business.id, referrer.business.id]) {
      const grant = at(await referralGrants(businessId), 0, "referral grant");
      expect(grant.ends_at.getTime()).toBe(now.getTime());
    }
    const rewards = await db
      .selectFrom("referral_rewards")
      .select(["clawed_back_at", "card_operations_used_at_clawback"])
      .where("referral_id", "=", referralId)
      .execute();
    expect(
      rewards.every((r) => r.clawed_back_at !== null && r.card_operations_used_at_clawback === 0),
    ).toBe(true);
    expect(await auditRows("referral.clawed_back")).not.toHaveLength(0);
  });

  it("refusals are typed domain errors", () => {
    expect(new DomainError("referral_not_found", "x")).toBeInstanceOf(Error);
  });
});
