// Over a history of thousands of claims (three partners, four bundles each, six months, terms
// changing between months, roll-backs in the claim's own month and in later ones), the final
// statements add up to the claims' price snapshots minus the rolled-back ones, to the cent;
// each statement adds up to its lines; each line is its claim's snapshot, unchanged (the
// half-even rounding happened once, at the claim); and a draft says what the final says.
// Partner referral credits are in the history too (ADR 039): each a credit line in the month
// it was granted and, when clawed back (in the same month or a later one), a debit line in the
// month of the claw-back; the totals due include them to the cent.
import { sql, type Selectable } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { getCurrentPrices } from "~/domain/bundles.server";
import { rollBackClaim } from "~/domain/claim-rollbacks.server";
import { finalizeStatements } from "~/domain/statements/finalise.server";
import { getMonthStatement } from "~/domain/statements/reads.server";
import { type StatementTotals } from "~/domain/statements/model.server";
import { addMonthsClamped } from "~/lib/billing-periods";
import { bundleRetailCents, taxCents, wholesalePrice } from "~/lib/money";
import { monthOf, monthsBetween, statementPeriod } from "~/lib/statement-months";
import type { Bundles } from "~db/schema.ts";
import { testDb } from "../db.ts";
import { createBatchWithCodes, createBundle, createPartner } from "../factories.ts";
import { at, first, only } from "../helpers/rows.ts";

const ENROLLED = new Date("2024-12-18T09:30:00Z");
/** Claims happen in these months; the enrolment month (2024-12) has none: a zero statement. */
const CLAIM_MONTHS = monthsBetween("2025-01", "2025-06");
const ALL_MONTHS = monthsBetween("2024-12", "2025-06");
const LAST = "2025-06";
const ACTOR = { userId: null, label: "reconciliation test" };
const BUSINESSES_PER_PARTNER = 30;
/** Businesses of each partner's that it referred: each a referral credit on its statements. */
const REFERRALS_PER_PARTNER = 14;

interface Terms {
  from: string;
  discountBps: number;
  taxRateBps: number;
}

/** Each partner's terms over time: support changed them between months. */
const PARTNERS: { name: string; prefix: string; terms: Terms[] }[] = [
  {
    name: "Recon Alpha",
    prefix: "RCA",
    terms: [
      { from: "2024-12", discountBps: 3000, taxRateBps: 0 },
      { from: "2025-03", discountBps: 3250, taxRateBps: 0 },
    ],
  },
  {
    name: "Recon Beta",
    prefix: "RCB",
    terms: [
      { from: "2024-12", discountBps: 2500, taxRateBps: 2300 },
      { from: "2025-04", discountBps: 2500, taxRateBps: 2100 },
    ],
  },
  {
    name: "Recon Gamma",
    prefix: "RCG",
    terms: [
      { from: "2024-12", discountBps: 3333, taxRateBps: 1900 },
      { from: "2025-02", discountBps: 2750, taxRateBps: 1900 },
      { from: "2025-05", discountBps: 4125, taxRateBps: 2000 },
    ],
  },
];

/** Odd quantities, so discounts and taxes round (half-even) on most claims. */
const BUNDLES = [
  { name: "Espresso", staffSeats: 1, cardOperations: 333, termMonths: 1 },
  { name: "Lungo", staffSeats: 3, cardOperations: 1001, termMonths: 7 },
  { name: "Operations only", staffSeats: 0, cardOperations: 12_345, termMonths: 12 },
  { name: "Seats only", staffSeats: 7, cardOperations: 0, termMonths: 5 },
];

/** mulberry32: the same history on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function termsIn(terms: Terms[], month: string): Terms {
  return terms.filter((t) => t.from <= month).at(-1)!;
}

interface Snapshot {
  retailCents: number;
  discountCents: number;
  wholesaleCents: number;
  taxCents: number;
  discountBps: number;
  taxRateBps: number;
}

interface Claim {
  serial: number;
  partnerId: string;
  bundleId: string;
  businessId: string;
  claimedAt: Date;
  snapshot: Snapshot;
  rolledBackAt: Date | null;
}

interface ReferralCredit {
  rewardId: string;
  businessId: string;
  creditCents: number;
  grantedAt: Date;
  clawedBackAt: Date | null;
}

interface PartnerHistory {
  partnerId: string;
  terms: Terms[];
  claims: Claim[];
  referrals: ReferralCredit[];
}

const histories: PartnerHistory[] = [];
/** Draft totals per partner and month, read before finalisation. */
const drafts = new Map<string, StatementTotals>();

function zero(): StatementTotals {
  return {
    retailCents: 0,
    discountCents: 0,
    netCents: 0,
    taxCents: 0,
    referralCents: 0,
    totalCents: 0,
  };
}

function add(sum: StatementTotals, s: Snapshot, sign: 1 | -1): void {
  sum.retailCents += sign * s.retailCents;
  sum.discountCents += sign * s.discountCents;
  sum.netCents += sign * s.wholesaleCents;
  sum.taxCents += sign * s.taxCents;
  sum.totalCents += sign * (s.wholesaleCents + s.taxCents);
}

/**
 * What a month's statement must say: its claims, minus the roll-backs dated in it; minus the
 * referral credits granted in it, plus those clawed back in it.
 */
function expectedTotals(
  claims: Claim[],
  referrals: ReferralCredit[],
  month?: string,
): StatementTotals {
  const sum = zero();
  for (const claim of claims) {
    if (month === undefined || monthOf(claim.claimedAt) === month) add(sum, claim.snapshot, 1);
    if (claim.rolledBackAt && (month === undefined || monthOf(claim.rolledBackAt) === month)) {
      add(sum, claim.snapshot, -1);
    }
  }
  for (const referral of referrals) {
    if (month === undefined || monthOf(referral.grantedAt) === month) {
      sum.referralCents -= referral.creditCents;
      sum.totalCents -= referral.creditCents;
    }
    if (
      referral.clawedBackAt &&
      (month === undefined || monthOf(referral.clawedBackAt) === month)
    ) {
      sum.referralCents += referral.creditCents;
      sum.totalCents += referral.creditCents;
    }
  }
  return sum;
}

/**
 * A partner's referral credits, written in bulk: one referral per referred business, granted
 * across the months (their first and last instants included), about a third clawed back in
 * their own month and a third in a later one.
 */
async function referralHistory(
  random: () => number,
  partnerId: string,
  businessIds: string[],
): Promise<ReferralCredit[]> {
  const { db } = testDb();
  const account = await db
    .insertInto("referral_accounts")
    .values({
      partner_id: partnerId,
      slug: `recon-${partnerId.slice(0, 8)}`,
      referrer_operations: 0,
      referrer_credit_cents: 2500,
      connected_at: ENROLLED,
      updated_at: ENROLLED,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const lastEnd = statementPeriod(LAST).end.getTime();
  const credits: ReferralCredit[] = [];
  for (const [i, businessId] of businessIds.entries()) {
    const month = at(CLAIM_MONTHS, i % CLAIM_MONTHS.length, "claim month");
    const period = statementPeriod(month);
    const span = period.end.getTime() - period.start.getTime();
    const offset = i === 0 ? 0 : i === 1 ? span - 1 : Math.floor(random() * (span - 1)) + 1;
    const grantedAt = new Date(period.start.getTime() + offset);
    // Odd amounts: 10.01 € to 60.00 €.
    const creditCents = 1001 + Math.floor(random() * 5000);
    const later = CLAIM_MONTHS.filter((m) => m > month);
    let clawedBackAt: Date | null = null;
    if (i % 3 === 1) {
      const end = period.end.getTime();
      clawedBackAt = new Date(
        grantedAt.getTime() + Math.floor(random() * (end - grantedAt.getTime())),
      );
    } else if (i % 3 === 2 && later.length > 0) {
      const next = statementPeriod(at(later, Math.floor(random() * later.length), "later month"));
      const end = Math.min(next.end.getTime(), lastEnd);
      clawedBackAt =
        i % 2 === 0
          ? next.start
          : new Date(next.start.getTime() + Math.floor(random() * (end - next.start.getTime())));
    }
    const referral = await db
      .insertInto("referrals")
      .values({
        account_id: account.id,
        referred_business_id: businessId,
        attributed_at: ENROLLED,
        qualified_at: grantedAt,
        qualified_by: "paid_plan",
        status: "approved",
        rule_version: 1,
        referred_operations: 0,
        referrer_operations: 0,
        referrer_credit_cents: creditCents,
        bonus_months: 12,
        rewarded_at: grantedAt,
        clawed_back_at: clawedBackAt,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const reward = await db
      .insertInto("referral_rewards")
      .values({
        referral_id: referral.id,
        beneficiary: "referrer",
        partner_id: partnerId,
        credit_cents: creditCents,
        granted_at: grantedAt,
        clawed_back_at: clawedBackAt,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    credits.push({ rewardId: reward.id, businessId, creditCents, grantedAt, clawedBackAt });
  }
  return credits;
}

/** Claims of one partner, written in bulk (a claim through the domain each would be slow). */
async function claimHistory(
  random: () => number,
  partner: { id: string; terms: Terms[] },
  bundles: Selectable<Bundles>[],
  businessIds: string[],
): Promise<Claim[]> {
  const { db } = testDb();
  const prices = await getCurrentPrices(db, new Date());
  const planned: { bundle: number; businessId: string; claimedAt: Date; snapshot: Snapshot }[] = [];
  for (const month of CLAIM_MONTHS) {
    const period = statementPeriod(month);
    const span = period.end.getTime() - period.start.getTime();
    const terms = termsIn(partner.terms, month);
    const count = 120 + Math.floor(random() * 50);
    for (let i = 0; i < count; i++) {
      // The month's first and last instants are claimed too: the boundaries are exact.
      const offset =
        i === 0 ? 0 : i === count - 1 ? span - 1 : Math.floor(random() * (span - 1)) + 1;
      const bundle = Math.floor(random() * bundles.length);
      const chosen = at(bundles, bundle, "bundle");
      const retail = bundleRetailCents(
        {
          staffSeats: chosen.staff_seats,
          cardOperations: chosen.card_operations,
          termMonths: chosen.term_months,
        },
        prices,
      );
      const price = wholesalePrice(retail, terms.discountBps);
      planned.push({
        bundle,
        businessId: at(businessIds, Math.floor(random() * businessIds.length), "business"),
        claimedAt: new Date(period.start.getTime() + offset),
        snapshot: {
          ...price,
          taxCents: taxCents(price.wholesaleCents, terms.taxRateBps),
          discountBps: terms.discountBps,
          taxRateBps: terms.taxRateBps,
        },
      });
    }
  }

  const claims: Claim[] = [];
  for (const [index, bundle] of bundles.entries()) {
    const mine = planned.filter((p) => p.bundle === index);
    // Two more codes than claims: unclaimed codes are no line of any statement.
    const { batch, codes } = await createBatchWithCodes(bundle, { count: mine.length + 2 });
    await db
      .updateTable("code_batches")
      .set({ created_at: ENROLLED })
      .where("id", "=", batch.id)
      .execute();
    await db
      .updateTable("activation_codes")
      .set({ created_at: ENROLLED })
      .where("batch_id", "=", batch.id)
      .execute();
    const ids = mine.map((_, i) => at(codes, i, "code").id);
    const column = <T>(pick: (p: (typeof mine)[number]) => T) => mine.map(pick);
    await sql`
      update activation_codes ac set status = 'claimed', claimed_at = t.claimed_at,
        retail_cents = t.retail, discount_bps = t.discount_bps, discount_cents = t.discount,
        wholesale_cents = t.wholesale, tax_rate_bps = t.tax_rate_bps, tax_cents = t.tax
      from unnest(${ids}::int8[], ${column((p) => p.claimedAt.toISOString())}::timestamptz[],
        ${column((p) => p.snapshot.retailCents)}::int8[],
        ${column((p) => p.snapshot.discountBps)}::int[],
        ${column((p) => p.snapshot.discountCents)}::int8[],
        ${column((p) => p.snapshot.wholesaleCents)}::int8[],
        ${column((p) => p.snapshot.taxRateBps)}::int[],
        ${column((p) => p.snapshot.taxCents)}::int8[])
        as t(id, claimed_at, retail, discount_bps, discount, wholesale, tax_rate_bps, tax)
      where ac.id = t.id`.execute(db);
    await sql`
      insert into grants (business_id, source, activation_code_id, partner_id, staff_seats,
        card_operations, starts_at, ends_at, created_at)
      select t.business_id, 'code', t.code_id, ${partner.id}::uuid, ${bundle.staff_seats}::int,
        ${bundle.card_operations}::int, t.claimed_at, t.ends_at, t.claimed_at
      from unnest(${column((p) => p.businessId)}::uuid[], ${ids}::int8[],
        ${column((p) => p.claimedAt.toISOString())}::timestamptz[],
        ${column((p) => addMonthsClamped(p.claimedAt, bundle.term_months).toISOString())}::timestamptz[])
        as t(business_id, code_id, claimed_at, ends_at)`.execute(db);
    mine.forEach((p, i) =>
      claims.push({
        serial: at(ids, i, "code id"),
        partnerId: partner.id,
        bundleId: bundle.id,
        businessId: p.businessId,
        claimedAt: p.claimedAt,
        snapshot: p.snapshot,
        rolledBackAt: null,
      }),
    );
  }
  return claims.sort((a, b) => a.serial - b.serial);
}

/** About one claim in sixteen is rolled back: half in its own month, half in a later one. */
async function rollBackSome(random: () => number, claims: Claim[]): Promise<void> {
  const { db } = testDb();
  const lastEnd = statementPeriod(LAST).end.getTime();
  let picked = 0;
  for (const claim of claims) {
    if (random() >= 1 / 16) continue;
    picked += 1;
    const month = monthOf(claim.claimedAt);
    const later = CLAIM_MONTHS.filter((m) => m > month);
    let rolledBackAt: Date;
    if (later.length === 0 || picked % 2 === 0) {
      const end = statementPeriod(month).end.getTime();
      rolledBackAt = new Date(
        claim.claimedAt.getTime() + Math.floor(random() * (end - claim.claimedAt.getTime())),
      );
    } else {
      const period = statementPeriod(at(later, Math.floor(random() * later.length), "later month"));
      const end = Math.min(period.end.getTime(), lastEnd);
      // Every fifth at the later month's very first instant.
      rolledBackAt =
        picked % 5 === 1
          ? period.start
          : new Date(
              period.start.getTime() + Math.floor(random() * (end - period.start.getTime())),
            );
    }
    const done = await rollBackClaim(db, {
      activationCodeId: claim.serial,
      reason: "Reconciliation test roll-back",
      actor: ACTOR,
      now: rolledBackAt,
    });
    expect(done.statementMonth).toBe(monthOf(rolledBackAt));
    claim.rolledBackAt = rolledBackAt;
  }
}

beforeAll(async () => {
  const { db } = testDb();
  const random = seeded(20250101);
  // A stream of its own, so the claims are the same history as before referrals were added.
  const referralRandom = seeded(20251206);
  for (const spec of PARTNERS) {
    const partner = await createPartner({
      name: spec.name,
      statementPrefix: spec.prefix,
      discountBps: spec.terms.at(-1)!.discountBps,
      taxRateBps: spec.terms.at(-1)!.taxRateBps,
      createdAt: ENROLLED,
    });
    const bundles = [];
    for (const b of BUNDLES) bundles.push(await createBundle(partner.id, b));
    const businesses = await db
      .insertInto("businesses")
      .values(
        Array.from({ length: BUSINESSES_PER_PARTNER }, (_, i) => ({
          name: `${spec.name} client ${i + 1}`,
          plan_id: "free",
          created_at: ENROLLED,
        })),
      )
      .returning("id")
      .execute();
    const claims = await claimHistory(
      random,
      { id: partner.id, terms: spec.terms },
      bundles,
      businesses.map((b) => b.id),
    );
    await rollBackSome(random, claims);
    const referrals = await referralHistory(
      referralRandom,
      partner.id,
      businesses.slice(0, REFERRALS_PER_PARTNER).map((b) => b.id),
    );
    histories.push({ partnerId: partner.id, terms: spec.terms, claims, referrals });
  }
  for (const history of histories) {
    for (const month of ALL_MONTHS) {
      const draft = await getMonthStatement(db, {
        partnerId: history.partnerId,
        month,
        now: new Date(),
      });
      expect(draft.status).toBe("draft");
      drafts.set(`${history.partnerId} ${month}`, draft.totals);
    }
  }
  // All three partners at once: on PostgreSQL each finalisation has its own connection.
  await Promise.all(
    histories.map((h) =>
      finalizeStatements(db, {
        partnerId: h.partnerId,
        month: LAST,
        actor: ACTOR,
        now: new Date(),
      }),
    ),
  );
}, 120_000);

async function finalStatements() {
  return testDb()
    .db.selectFrom("statements")
    .select([
      "id",
      "partner_id",
      "period_start",
      "line_count",
      "claim_count",
      "credit_count",
      "retail_cents",
      "discount_cents",
      "net_cents",
      "tax_cents",
      "referral_cents",
      "total_cents",
      "referral_count",
      "bundle_summary",
    ])
    .orderBy("partner_id")
    .orderBy("period_start")
    .execute();
}

const totalsOf = (row: {
  retail_cents: number;
  discount_cents: number;
  net_cents: number;
  tax_cents: number;
  referral_cents: number;
  total_cents: number;
}): StatementTotals => ({
  retailCents: row.retail_cents,
  discountCents: row.discount_cents,
  netCents: row.net_cents,
  taxCents: row.tax_cents,
  referralCents: row.referral_cents,
  totalCents: row.total_cents,
});

describe("statements reconcile with the claims, to the cent", () => {
  test("the history is thousands of claims with roll-backs in the same and in later months", () => {
    const claims = histories.flatMap((h) => h.claims);
    const rolledBack = claims.filter((c) => c.rolledBackAt);
    expect(claims.length).toBeGreaterThanOrEqual(2_000);
    expect(claims.length).toBeLessThanOrEqual(3_200);
    expect(
      rolledBack.filter((c) => monthOf(c.rolledBackAt!) === monthOf(c.claimedAt)).length,
    ).toBeGreaterThan(30);
    expect(
      rolledBack.filter((c) => monthOf(c.rolledBackAt!) > monthOf(c.claimedAt)).length,
    ).toBeGreaterThan(30);
    // Referral credits: clawed back in their own month, in a later one, and not at all.
    const referrals = histories.flatMap((h) => h.referrals);
    expect(referrals).toHaveLength(PARTNERS.length * REFERRALS_PER_PARTNER);
    const clawed = referrals.filter((r) => r.clawedBackAt);
    expect(
      clawed.filter((r) => monthOf(r.clawedBackAt!) === monthOf(r.grantedAt)).length,
    ).toBeGreaterThan(5);
    expect(
      clawed.filter((r) => monthOf(r.clawedBackAt!) > monthOf(r.grantedAt)).length,
    ).toBeGreaterThan(5);
    expect(referrals.length - clawed.length).toBeGreaterThan(5);
  });

  test("all final statements together = all claim snapshots − rolled-back snapshots − referral credits + claw-backs", async () => {
    const rows = await finalStatements();
    // One statement per partner and month since enrolment, the empty first month included.
    expect(rows).toHaveLength(histories.length * ALL_MONTHS.length);
    const sum = zero();
    for (const row of rows) {
      const t = totalsOf(row);
      sum.retailCents += t.retailCents;
      sum.discountCents += t.discountCents;
      sum.netCents += t.netCents;
      sum.taxCents += t.taxCents;
      sum.referralCents += t.referralCents;
      sum.totalCents += t.totalCents;
    }
    expect(sum).toEqual(
      expectedTotals(
        histories.flatMap((h) => h.claims),
        histories.flatMap((h) => h.referrals),
      ),
    );
    // And the same in the database's own arithmetic, from the codes' snapshot columns.
    const { rows: db } = await sql<{ wholesale: number; tax: number }>`
      select
        (select coalesce(sum(wholesale_cents), 0) from activation_codes where claimed_at is not null)
          - (select coalesce(sum(ac.wholesale_cents), 0) from claim_rollbacks r
             join activation_codes ac on ac.id = r.activation_code_id) as wholesale,
        (select coalesce(sum(tax_cents), 0) from activation_codes where claimed_at is not null)
          - (select coalesce(sum(ac.tax_cents), 0) from claim_rollbacks r
             join activation_codes ac on ac.id = r.activation_code_id) as tax`.execute(testDb().db);
    const source = only(db, "sum of the codes");
    expect({ net: sum.netCents, tax: sum.taxCents }).toEqual({
      net: Number(source.wholesale),
      tax: Number(source.tax),
    });
    // The referral part, from the rewards themselves: what was granted and not clawed back.
    const { rows: kept } = await sql<{ cents: number }>`
      select coalesce(sum(credit_cents), 0)::int8 as cents from referral_rewards
      where partner_id is not null and clawed_back_at is null`.execute(testDb().db);
    expect(sum.referralCents).toBe(0 - Number(only(kept, "sum of the rewards").cents));
    expect(sum.totalCents).toBe(sum.netCents + sum.taxCents + sum.referralCents);
  });

  test("each partner's and each month's statement says exactly its claims minus its roll-backs, and its referral lines", async () => {
    const rows = await finalStatements();
    for (const history of histories) {
      const mine = rows.filter((row) => row.partner_id === history.partnerId);
      expect(mine.map((row) => monthOf(row.period_start))).toEqual(ALL_MONTHS);
      for (const row of mine) {
        const month = monthOf(row.period_start);
        expect(totalsOf(row), `${history.partnerId} ${month}`).toEqual(
          expectedTotals(history.claims, history.referrals, month),
        );
        expect(row.referral_count).toBe(
          history.referrals.filter((r) => monthOf(r.grantedAt) === month).length +
            history.referrals.filter((r) => r.clawedBackAt && monthOf(r.clawedBackAt) === month)
              .length,
        );
        expect(row.claim_count).toBe(
          history.claims.filter((c) => monthOf(c.claimedAt) === month).length,
        );
        expect(row.credit_count).toBe(
          history.claims.filter((c) => c.rolledBackAt && monthOf(c.rolledBackAt) === month).length,
        );
      }
      expect(totalsOf(first(mine, "statement"))).toEqual(zero());
    }
  });

  test("each statement's totals, counts and bundle summary are the sums of its lines", async () => {
    const rows = await finalStatements();
    const { rows: sums } = await sql<{
      statement_id: string;
      lines: number;
      claims: number;
      credits: number;
      max_line: number;
      retail: number;
      discount: number;
      wholesale: number;
      tax: number;
    }>`
      select statement_id, count(*)::int as lines,
        count(*) filter (where kind = 'claim')::int as claims,
        count(*) filter (where kind = 'credit')::int as credits,
        max(line_no)::int as max_line,
        sum(retail_cents)::int8 as retail, sum(discount_cents)::int8 as discount,
        sum(wholesale_cents)::int8 as wholesale, sum(tax_cents)::int8 as tax
      from statement_lines group by statement_id`.execute(testDb().db);
    const byStatement = new Map(sums.map((s) => [s.statement_id, s]));
    const { rows: referralSums } = await sql<{
      statement_id: string;
      lines: number;
      max_line: number;
      cents: number;
    }>`
      select statement_id, count(*)::int as lines, max(line_no)::int as max_line,
        sum(amount_cents)::int8 as cents
      from statement_referral_lines group by statement_id`.execute(testDb().db);
    const referralsOf = new Map(referralSums.map((s) => [s.statement_id, s]));
    expect(referralSums.length).toBeGreaterThan(0);
    // Every partner's every month was finalised, and most have lines: the loop below checks
    // real statements, not an empty list.
    expect(rows).toHaveLength(histories.length * ALL_MONTHS.length);
    expect(rows.filter((row) => row.line_count > 0).length).toBeGreaterThan(rows.length / 2);
    for (const row of rows) {
      const lines = byStatement.get(row.id);
      const referral = referralsOf.get(row.id);
      // Referral lines: numbered 1..n, their sum the statement's referral amount.
      expect({
        lines: referral?.lines ?? 0,
        maxLine: referral?.max_line ?? 0,
        cents: Number(referral?.cents ?? 0),
      }).toEqual({
        lines: row.referral_count,
        maxLine: row.referral_count,
        cents: row.referral_cents,
      });
      if (row.line_count === 0) {
        expect(lines).toBeUndefined();
        expect(totalsOf(row)).toEqual({
          ...zero(),
          referralCents: row.referral_cents,
          totalCents: row.referral_cents,
        });
        continue;
      }
      expect(lines).toBeDefined();
      expect({
        lines: lines!.lines,
        claims: lines!.claims,
        credits: lines!.credits,
        // Lines are numbered 1..n without gaps.
        maxLine: lines!.max_line,
        retail: Number(lines!.retail),
        discount: Number(lines!.discount),
        net: Number(lines!.wholesale),
        tax: Number(lines!.tax),
        total: Number(lines!.wholesale) + Number(lines!.tax) + Number(referral?.cents ?? 0),
      }).toEqual({
        lines: row.line_count,
        claims: row.claim_count,
        credits: row.credit_count,
        maxLine: row.line_count,
        retail: row.retail_cents,
        discount: row.discount_cents,
        net: row.net_cents,
        tax: row.tax_cents,
        total: row.total_cents,
      });
      const summary = row.bundle_summary as unknown as StatementTotals[];
      const fromSummary = zero();
      for (const b of summary) {
        fromSummary.retailCents += b.retailCents;
        fromSummary.discountCents += b.discountCents;
        fromSummary.netCents += b.netCents;
        fromSummary.taxCents += b.taxCents;
        fromSummary.totalCents += b.totalCents;
      }
      // The bundles hold the claims; the referral lines are the rest of the total due.
      fromSummary.referralCents = row.referral_cents;
      fromSummary.totalCents += row.referral_cents;
      expect(fromSummary).toEqual(totalsOf(row));
    }
  });

  test("every line is its claim's snapshot unchanged (a credit: exactly negated), once, in the right month", async () => {
    const { rows: lines } = await sql<{
      partner_id: string;
      period_start: Date;
      kind: "claim" | "credit";
      activation_code_id: number;
      occurred_at: Date;
      business_id: string;
      bundle_id: string;
      discount_bps: number;
      tax_rate_bps: number;
      retail_cents: number;
      discount_cents: number;
      wholesale_cents: number;
      tax_cents: number;
    }>`
      select s.partner_id, s.period_start, l.kind, l.activation_code_id, l.occurred_at,
        l.business_id, l.bundle_id, l.discount_bps, l.tax_rate_bps, l.retail_cents,
        l.discount_cents, l.wholesale_cents, l.tax_cents
      from statement_lines l join statements s on s.id = l.statement_id`.execute(testDb().db);
    const claims = new Map(histories.flatMap((h) => h.claims).map((c) => [c.serial, c]));
    expect(claims.size).toBeGreaterThanOrEqual(2_000);
    expect(lines.length).toBe(
      claims.size + [...claims.values()].filter((claim) => claim.rolledBackAt !== null).length,
    );
    const seen = new Set<string>();
    for (const line of lines) {
      const claim = claims.get(line.activation_code_id)!;
      expect(claim, `line for Code #${line.activation_code_id}`).toBeDefined();
      const key = `${line.kind} ${line.activation_code_id}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      // 0 − x, not −1 × x: a credit of nothing is 0, not −0.
      const signed = (cents: number) => (line.kind === "claim" ? cents : 0 - cents);
      const at = line.kind === "claim" ? claim.claimedAt : claim.rolledBackAt!;
      expect({
        partner: line.partner_id,
        month: monthOf(line.period_start),
        occurredAt: line.occurred_at.getTime(),
        business: line.business_id,
        bundle: line.bundle_id,
        discountBps: line.discount_bps,
        taxRateBps: line.tax_rate_bps,
        retail: line.retail_cents,
        discount: line.discount_cents,
        wholesale: line.wholesale_cents,
        tax: line.tax_cents,
      }).toEqual({
        partner: claim.partnerId,
        month: monthOf(at),
        occurredAt: at.getTime(),
        business: claim.businessId,
        bundle: claim.bundleId,
        discountBps: claim.snapshot.discountBps,
        taxRateBps: claim.snapshot.taxRateBps,
        retail: signed(claim.snapshot.retailCents),
        discount: signed(claim.snapshot.discountCents),
        wholesale: signed(claim.snapshot.wholesaleCents),
        tax: signed(claim.snapshot.taxCents),
      });
    }
    // Every claim has its line, every roll-back its credit line.
    for (const claim of claims.values()) {
      expect(seen.has(`claim ${claim.serial}`)).toBe(true);
      expect(seen.has(`credit ${claim.serial}`)).toBe(claim.rolledBackAt !== null);
    }
    // The database agrees: no line differs from its code's snapshot columns.
    const { rows: mismatches } = await sql<{ n: number }>`
      select count(*)::int as n from statement_lines l
      join activation_codes ac on ac.id = l.activation_code_id
      where l.retail_cents <> (case l.kind when 'claim' then 1 else -1 end) * ac.retail_cents
         or l.discount_cents <> (case l.kind when 'claim' then 1 else -1 end) * ac.discount_cents
         or l.wholesale_cents <> (case l.kind when 'claim' then 1 else -1 end) * ac.wholesale_cents
         or l.tax_cents <> (case l.kind when 'claim' then 1 else -1 end) * ac.tax_cents
         or l.discount_bps <> ac.discount_bps or l.tax_rate_bps <> ac.tax_rate_bps`.execute(
      testDb().db,
    );
    expect(mismatches[0]?.n).toBe(0);
  });

  test("every referral line is its reward's credit (negated) or claw-back, once, in the right month", async () => {
    const { rows: lines } = await sql<{
      partner_id: string;
      period_start: Date;
      kind: "referral_credit" | "referral_debit";
      referral_reward_id: string;
      occurred_at: Date;
      business_id: string;
      amount_cents: number;
    }>`
      select s.partner_id, s.period_start, l.kind, l.referral_reward_id, l.occurred_at,
        l.business_id, l.amount_cents
      from statement_referral_lines l join statements s on s.id = l.statement_id`.execute(
      testDb().db,
    );
    const rewards = new Map(
      histories.flatMap((h) =>
        h.referrals.map((r) => [r.rewardId, { ...r, partnerId: h.partnerId }]),
      ),
    );
    expect(lines.length).toBe(
      rewards.size + [...rewards.values()].filter((r) => r.clawedBackAt !== null).length,
    );
    const seen = new Set<string>();
    for (const line of lines) {
      const reward = rewards.get(line.referral_reward_id)!;
      expect(reward, `line for reward ${line.referral_reward_id}`).toBeDefined();
      const key = `${line.kind} ${line.referral_reward_id}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      const at = line.kind === "referral_credit" ? reward.grantedAt : reward.clawedBackAt!;
      expect({
        partner: line.partner_id,
        month: monthOf(line.period_start),
        occurredAt: line.occurred_at.getTime(),
        business: line.business_id,
        amount: Number(line.amount_cents),
      }).toEqual({
        partner: reward.partnerId,
        month: monthOf(at),
        occurredAt: at.getTime(),
        business: reward.businessId,
        amount: line.kind === "referral_credit" ? 0 - reward.creditCents : reward.creditCents,
      });
    }
  });

  test("a change of terms applies to later claims only: each month's claim lines carry that month's terms", async () => {
    const { rows } = await sql<{
      partner_id: string;
      period_start: Date;
      discount_bps: number;
      tax_rate_bps: number;
    }>`
      select distinct s.partner_id, s.period_start, l.discount_bps, l.tax_rate_bps
      from statement_lines l join statements s on s.id = l.statement_id
      where l.kind = 'claim'`.execute(testDb().db);
    for (const history of histories) {
      for (const month of CLAIM_MONTHS) {
        const terms = termsIn(history.terms, month);
        const seen = rows.filter(
          (r) => r.partner_id === history.partnerId && monthOf(r.period_start) === month,
        );
        expect(seen.map((r) => [r.discount_bps, r.tax_rate_bps])).toEqual([
          [terms.discountBps, terms.taxRateBps],
        ]);
      }
    }
  });

  test("the draft of a month said what its final statement says", async () => {
    for (const row of await finalStatements()) {
      expect(totalsOf(row)).toEqual(drafts.get(`${row.partner_id} ${monthOf(row.period_start)}`));
    }
  });
});
