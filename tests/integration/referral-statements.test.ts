// A partner referrer's credit on its wholesale statements (issue 15, ADR 039): a credit line on
// the statement of the month the referral qualified (and was rewarded); a claw-back after that
// statement was finalised is a debit line on the next one, the final one unchanged; a claw-back
// in the same month offsets the credit on the same statement; a claw-back dated in a month
// whose statement is final is refused. And the referral events reach a webhook endpoint that
// subscribed to them.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { rollBackClaim } from "~/domain/claim-rollbacks.server";
import { DomainError } from "~/domain/errors.server";
import { getStatementPdf } from "~/domain/statement-pdf.server";
import { claimCode } from "~/domain/redemption.server";
import { connectReferralAccount, editReferralAccount } from "~/domain/referrals/accounts.server";
import { attributeSignUp, recordVisit } from "~/domain/referrals/attribution.server";
import { finalizeStatements } from "~/domain/statements/finalise.server";
import {
  getMonthStatement,
  listStatementReferralLines,
  listStatements,
} from "~/domain/statements/reads.server";
import { deliverDue, fanOutOutbox } from "~/domain/webhooks/delivery.server";
import { createWebhookEndpoint, WEBHOOK_EVENTS } from "~/domain/webhooks/endpoints.server";
import { addMonths, monthOf, statementPeriod } from "~/lib/statement-months";
import { testDb } from "../db.ts";
import { pdfText } from "../helpers/pdf-text.ts";
import {
  addBusinessMember,
  createBatchWithCodes,
  createBundle,
  createBusiness,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { first } from "../helpers/rows.ts";

const support = { userId: null, label: "support@7stamp.test" };
const HOUR = 3_600_000;
const CREDIT = 2500;
const db = () => testDb().db;

/**
 * A partner connected with a credit of €25.00, and a business it referred that qualifies by
 * claiming a code (of another partner) at `now`: the credit is granted at once.
 */
async function qualifiedPartnerReferral(
  now: Date,
  beforeClaim: (partnerId: string) => Promise<unknown> = async () => {},
) {
  const { partner } = await createPartnerWithOwner({
    createdAt: statementPeriod(monthOf(now)).start,
  });
  const account = await connectReferralAccount(db(), {
    referrer: { partnerSlug: partner.slug },
    actor: support,
    now,
  });
  await editReferralAccount(db(), {
    input: {
      accountId: account.id,
      slug: account.slug,
      referredOperations: 200,
      referrerOperations: 0,
      referrerCreditCents: CREDIT,
      bonusMonths: 12,
      reason: "Partner deal",
    },
    actor: support,
    now,
  });
  const visit = await recordVisit(db(), {
    slug: account.slug,
    ip: "192.0.2.77",
    userAgent: null,
    landingPage: `/r/${account.slug}`,
    now,
  });
  const business = await createBusiness({ name: `Referred Café ${randomUUID().slice(0, 6)}` });
  const owner = await createUser({
    email: `owner-${randomUUID().slice(0, 8)}@d${randomUUID().slice(0, 8)}.test`,
  });
  await addBusinessMember(business.id, owner.id, "owner");
  const referralId = await db()
    .transaction()
    .execute((trx) =>
      attributeSignUp(trx, {
        businessId: business.id,
        token: visit.token,
        ip: "198.51.100.8",
        actor: support,
        now,
      }),
    );
  expect(referralId).not.toBeNull();
  const { partner: seller } = await createPartnerWithOwner({});
  const bundle = await createBundle(seller.id, { staffSeats: 1, cardOperations: 100 });
  const { codes } = await createBatchWithCodes(bundle, { count: 1 });
  const code = first(codes, "code");
  await beforeClaim(partner.id);
  await claimCode(db(), {
    businessId: business.id,
    code: code.code,
    actor: { userId: owner.id, label: owner.email, email: owner.email },
    ip: null,
    now,
  });
  const reward = await db()
    .selectFrom("referral_rewards")
    .select(["id", "credit_cents", "granted_at"])
    .where("referral_id", "=", referralId!)
    .where("beneficiary", "=", "referrer")
    .executeTakeFirstOrThrow();
  expect(reward.credit_cents).toBe(CREDIT);
  return { partner, business, code, reward, referralId: referralId! };
}

const rollBack = (activationCodeId: number, now: Date) =>
  rollBackClaim(db(), {
    activationCodeId,
    reason: "Refund agreed with the client",
    actor: support,
    now,
  });

beforeEach(async () => {
  await db().updateTable("referral_settings").set({ auto_approve_max_cents: 100_000 }).execute();
});

describe("a partner's referral credit on its statements", () => {
  test("the credit is a line on the statement of the month of qualification, and stays on the final one", async () => {
    const now = new Date();
    const month = monthOf(now);
    const { partner, business, reward } = await qualifiedPartnerReferral(now);

    const draft = await getMonthStatement(db(), { partnerId: partner.id, month, now });
    expect(draft.status).toBe("draft");
    expect(draft.referralCount).toBe(1);
    expect(draft.totals).toEqual({
      retailCents: 0,
      discountCents: 0,
      netCents: 0,
      taxCents: 0,
      referralCents: -CREDIT,
      totalCents: -CREDIT,
    });
    const lines = await listStatementReferralLines(db(), {
      partnerId: partner.id,
      statement: draft,
    });
    expect(lines).toEqual([
      {
        lineNo: 1,
        kind: "referral_credit",
        occurredAt: now,
        referralRewardId: reward.id,
        businessId: business.id,
        businessName: business.name,
        amountCents: -CREDIT,
      },
    ]);
    // The statements list (and the API, which serialises it) carries the same total.
    const listed = await listStatements(db(), { partnerId: partner.id, now });
    expect(listed.find((s) => s.month === month)?.totals.totalCents).toBe(-CREDIT);

    const after = new Date(statementPeriod(month).end.getTime() + HOUR);
    await finalizeStatements(db(), { partnerId: partner.id, month, actor: support, now: after });
    const final = await getMonthStatement(db(), { partnerId: partner.id, month, now: after });
    expect(final.status).toBe("final");
    expect(final.totals).toEqual(draft.totals);
    expect(final.referralCount).toBe(1);
    expect(
      await listStatementReferralLines(db(), { partnerId: partner.id, statement: final }),
    ).toEqual(lines);
    const finals = await listStatements(db(), { partnerId: partner.id, now: after });
    expect(finals.find((s) => s.month === month)?.totals.totalCents).toBe(-CREDIT);
    // The PDF prints the line and the referral row of the totals.
    const { pdf } = await getStatementPdf(db(), { partnerId: partner.id, statementId: final.id! });
    const text = pdfText(pdf);
    expect(text.toLowerCase()).toContain("referral credits and debits");
    expect(text).toContain(`Referral credit — ${business.name}`);
    // The built-in font has no U+2212: the minus is printed as a hyphen-minus.
    expect(text).toMatch(/[-−]€25\.00/);
  });

  test("a claw-back after the statement was finalised is a debit on the next statement; the final one never changes", async () => {
    const now = new Date();
    const month = monthOf(now);
    const next = addMonths(month, 1);
    const { partner, code, reward, referralId } = await qualifiedPartnerReferral(now);
    const finalisedAt = new Date(statementPeriod(month).end.getTime() + HOUR);
    await finalizeStatements(db(), {
      partnerId: partner.id,
      month,
      actor: support,
      now: finalisedAt,
    });
    const before = await getMonthStatement(db(), {
      partnerId: partner.id,
      month,
      now: finalisedAt,
    });

    const clawedAt = new Date(finalisedAt.getTime() + HOUR);
    await rollBack(code.id, clawedAt);
    const referral = await db()
      .selectFrom("referrals")
      .select("clawed_back_at")
      .where("id", "=", referralId)
      .executeTakeFirstOrThrow();
    expect(referral.clawed_back_at).toEqual(clawedAt);

    const unchanged = await getMonthStatement(db(), {
      partnerId: partner.id,
      month,
      now: clawedAt,
    });
    expect(unchanged).toEqual(before);
    expect(
      await listStatementReferralLines(db(), { partnerId: partner.id, statement: unchanged }),
    ).toMatchObject([{ kind: "referral_credit", amountCents: -CREDIT }]);

    const draft = await getMonthStatement(db(), {
      partnerId: partner.id,
      month: next,
      now: clawedAt,
    });
    expect(draft.status).toBe("draft");
    expect(draft.totals).toMatchObject({ referralCents: CREDIT, totalCents: CREDIT });
    const debit = await listStatementReferralLines(db(), {
      partnerId: partner.id,
      statement: draft,
    });
    expect(debit).toMatchObject([
      {
        lineNo: 1,
        kind: "referral_debit",
        occurredAt: clawedAt,
        referralRewardId: reward.id,
        amountCents: CREDIT,
      },
    ]);

    const later = new Date(statementPeriod(next).end.getTime() + HOUR);
    await finalizeStatements(db(), {
      partnerId: partner.id,
      month: next,
      actor: support,
      now: later,
    });
    const rows = await db()
      .selectFrom("statements")
      .select(["period_start", "referral_count", "referral_cents", "total_cents"])
      .where("partner_id", "=", partner.id)
      .orderBy("period_start")
      .execute();
    expect(rows.map((r) => [monthOf(r.period_start), r.referral_count, r.referral_cents])).toEqual([
      [month, 1, -CREDIT],
      [next, 1, CREDIT],
    ]);
    // Over both statements the credit and its claw-back add up to nothing, to the cent.
    expect(rows.reduce((sum, r) => sum + r.total_cents, 0)).toBe(0);
    // Final means final: the stored referral lines refuse to change.
    await expect(
      db().updateTable("statement_referral_lines").set({ amount_cents: 0 }).execute(),
    ).rejects.toThrow(/final statement never changes/);
  });

  test("a claw-back in the month of the credit offsets it on the same statement", async () => {
    const now = new Date();
    const month = monthOf(now);
    const { partner, code } = await qualifiedPartnerReferral(now);
    const clawedAt = new Date(now.getTime() + 1000);
    await rollBack(code.id, clawedAt);
    const draft = await getMonthStatement(db(), { partnerId: partner.id, month, now: clawedAt });
    expect(draft.referralCount).toBe(2);
    expect(draft.totals).toMatchObject({ referralCents: 0, totalCents: 0 });
    const lines = await listStatementReferralLines(db(), {
      partnerId: partner.id,
      statement: draft,
    });
    expect(lines.map((l) => [l.lineNo, l.kind, l.amountCents])).toEqual([
      [1, "referral_credit", -CREDIT],
      [2, "referral_debit", CREDIT],
    ]);
  });

  test("a claw-back dated in a month whose statement is final is refused, nothing written", async () => {
    const now = new Date();
    const month = monthOf(now);
    const { partner, code, referralId } = await qualifiedPartnerReferral(now);
    await finalizeStatements(db(), {
      partnerId: partner.id,
      month,
      actor: support,
      now: new Date(statementPeriod(month).end.getTime() + HOUR),
    });
    const error = await rollBack(code.id, new Date(now.getTime() + 1000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("statement_month_final");
    const referral = await db()
      .selectFrom("referrals")
      .select("clawed_back_at")
      .where("id", "=", referralId)
      .executeTakeFirstOrThrow();
    expect(referral.clawed_back_at).toBeNull();
    const rollbacks = await db()
      .selectFrom("claim_rollbacks")
      .select("activation_code_id")
      .where("activation_code_id", "=", code.id)
      .execute();
    expect(rollbacks).toEqual([]);
  });
});

describe("referral events on webhook endpoints", () => {
  let server: Server;
  let base: string;
  const received: { path: string; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        received.push({ path: req.url ?? "/", body });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test("an endpoint can subscribe to the referral events and receives its partner's", async () => {
    expect(WEBHOOK_EVENTS).toEqual(
      expect.arrayContaining(["referral.qualified", "referral.rewarded", "referral.clawed_back"]),
    );
    // Earlier tests' events are fanned out to nobody that matters here.
    await db()
      .updateTable("webhook_endpoints")
      .set({ enabled: false, disabled_reason: "earlier test" })
      .execute();
    await fanOutOutbox(db(), { now: new Date() });

    const now = new Date();
    const { partner: other } = await createPartnerWithOwner({});
    const otherEndpoint = await createWebhookEndpoint(db(), {
      partnerId: other.id,
      url: `${base}/other`,
      events: ["referral.qualified", "referral.rewarded", "referral.clawed_back"],
    });
    expect(otherEndpoint.events).toEqual([
      "referral.qualified",
      "referral.rewarded",
      "referral.clawed_back",
    ]);
    const platform = await createWebhookEndpoint(db(), {
      partnerId: null,
      url: `${base}/platform`,
      events: ["referral.qualified", "referral.rewarded", "referral.clawed_back"],
    });
    expect(platform.events).toHaveLength(3);

    // The referrer's endpoint exists before the referral qualifies.
    const { partner, code, referralId } = await qualifiedPartnerReferral(now, (partnerId) =>
      createWebhookEndpoint(db(), {
        partnerId,
        url: `${base}/referrer`,
        events: ["referral.rewarded", "referral.clawed_back"],
      }),
    );
    await rollBack(code.id, new Date(now.getTime() + 1000));

    const at = new Date(now.getTime() + 2000);
    await fanOutOutbox(db(), { now: at });
    while ((await deliverDue(db(), { now: at })) > 0) {
      // until every due delivery was attempted
    }
    const events = (path: string) =>
      received
        .filter((r) => r.path === path)
        .map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> })
        .filter((e) => e.data.referral_id === referralId);
    // The referrer's endpoint: the two topics it chose (not `referral.qualified`), in order.
    expect(events("/referrer").map((e) => e.type)).toEqual([
      "referral.rewarded",
      "referral.clawed_back",
    ]);
    const rewarded = first(events("/referrer"), "referrer event").data;
    expect(rewarded.rewards).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          beneficiary: "referrer",
          partner_id: partner.id,
          credit_cents: CREDIT,
        }),
      ]),
    );
    expect(events("/referrer")[1]?.data).toMatchObject({
      referrer_partner_id: partner.id,
      rewards: expect.arrayContaining([
        expect.objectContaining({ beneficiary: "referrer", credit_cents: CREDIT }),
      ]) as unknown,
    });
    // The platform hears all three; another partner hears nothing of it.
    expect(events("/platform").map((e) => e.type)).toEqual([
      "referral.qualified",
      "referral.rewarded",
      "referral.clawed_back",
    ]);
    expect(events("/other")).toEqual([]);
  });
});
