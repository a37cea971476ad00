// The partner's statements pages and GET /api/v1/statements: the list (drafts for the months
// not final yet, then the final ones, with their totals), one month's statement with its lines
// keyset-paged (every line exactly once), bad months answering 404 and never 500, the terms
// page, the dashboard's "this month so far", and tenancy — another partner's slug is 404 and
// its key never lists this partner's statements.
import { sql } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { finalizeStatements } from "~/domain/statements/finalise.server";
import { type Statement, type StatementLine } from "~/domain/statements/model.server";
import { claimCode } from "~/domain/redemption.server";
import { addMonths, monthOf, statementPeriod } from "~/lib/statement-months";
import { loader as dashboardLoader } from "~/routes/_app.partner.$slug._index";
import { loader as monthLoader } from "~/routes/_app.partner.$slug.statements.$month";
import { loader as listLoader } from "~/routes/_app.partner.$slug.statements._index";
import { loader as termsLoader } from "~/routes/_app.partner.$slug.terms";
import { testDb } from "../db.ts";
import {
  addPartnerMember,
  createBatchWithCodes,
  createBundle,
  createBusiness,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { callApi, partnerKey } from "../helpers/api.ts";
import { signInAs } from "../helpers/auth.ts";
import { callRoute, getRequest } from "../helpers/remix.ts";
import { at } from "../helpers/rows.ts";
import type { StatementList } from "../helpers/typed.ts";

const ACTOR = { userId: null, label: "test" };
const PAGE_SIZE = 50;

// One "Café Starter" claim: 2 seats × 12 months × €29 + 1,000 operations × €0.05 = €746.00
// retail, less 30% = €522.20 net, plus 23% tax = €120.11 (the seeded price list).
const RETAIL = 74_600;
const DISCOUNT = 22_380;
const NET = 52_220;
const TAX = 12_011;
const TOTAL = NET + TAX;

const now = new Date();
const RUNNING = monthOf(now);
/** Enrolment month: final, 120 claims and one rolled back. */
const FINAL_MONTH = addMonths(RUNNING, -2);
/** Ended, not finalised yet: a draft awaiting the run, 60 claims. */
const OPEN_MONTH = addMonths(RUNNING, -1);
const FINAL_CLAIMS = 120;
const OPEN_CLAIMS = 60;
const RUNNING_CLAIMS = 3;

interface World {
  slug: string;
  partnerId: string;
  owner: string;
  member: string;
  key: string;
  finalId: string;
  finalNumber: string;
  finalSerials: number[];
  openSerials: number[];
}

let brewline: World;
/** A second partner, enrolled this month, de-DE, no special terms, one claim this month. */
let other: { slug: string; partnerId: string; owner: string; key: string };

/**
 * Claims `count` codes of `bundle`; with `month`, moves the codes' creation to its first day
 * and the claims into it (from the 2nd, seven minutes apart), as if they happened then.
 */
async function claims(
  bundle: Awaited<ReturnType<typeof createBundle>>,
  { count, month, businessIds }: { count: number; month?: string; businessIds: string[] },
) {
  const { db } = testDb();
  const { batch, codes } = await createBatchWithCodes(bundle, { count });
  for (let i = 0; i < count; i++) {
    await claimCode(db, {
      businessId: at(businessIds, i % businessIds.length, "business id"),
      code: at(codes, i, "code").code,
      actor: { ...ACTOR, email: null },
      ip: null,
      limitByIp: false,
      now: new Date(),
    });
  }
  if (month) {
    const start = `${month}-01T00:00:00Z`;
    await sql`
      update activation_codes set created_at = ${start}::timestamptz,
        claimed_at = ${start}::timestamptz + interval '1 day' + (id - ${at(codes, 0, "code").id}) * interval '7 minutes'
      where batch_id = ${batch.id}`.execute(db);
  }
  return codes.map((code) => code.id);
}

beforeAll(async () => {
  const { db } = testDb();
  const { partner, owner } = await createPartnerWithOwner({
    name: "Brewline Agency",
    statementPrefix: "BRW",
    discountBps: 3000,
    taxRateBps: 2300,
    contactName: "Aoife Byrne",
    contactEmail: "accounts@brewline.test",
    specialTerms: "Payment within 30 days of the statement.",
  });
  await db
    .updateTable("partners")
    .set({ locale: "en-IE", created_at: new Date(`${FINAL_MONTH}-01T09:00:00Z`) })
    .where("id", "=", partner.id)
    .execute();
  const bundle = await createBundle(partner.id, {
    name: "Café Starter",
    staffSeats: 2,
    cardOperations: 1000,
    termMonths: 12,
  });
  const businessIds: string[] = [];
  for (const name of ["Café Aurora", "Bäckerei Sonnenschein", "Corner Coffee"]) {
    businessIds.push((await createBusiness({ name })).id);
  }
  const finalSerials = await claims(bundle, {
    count: FINAL_CLAIMS,
    month: FINAL_MONTH,
    businessIds,
  });
  const openSerials = await claims(bundle, { count: OPEN_CLAIMS, month: OPEN_MONTH, businessIds });
  await claims(bundle, { count: RUNNING_CLAIMS, businessIds });
  // Support rolled the first claim back later in its month: a credit line.
  const grant = await db
    .selectFrom("grants")
    .select(["id", "business_id"])
    .where("activation_code_id", "=", at(finalSerials, 0, "final claim"))
    .executeTakeFirstOrThrow();
  await db
    .insertInto("claim_rollbacks")
    .values({
      activation_code_id: at(finalSerials, 0, "final claim"),
      partner_id: partner.id,
      business_id: grant.business_id,
      grant_id: grant.id,
      rolled_back_at: new Date(`${FINAL_MONTH}-25T10:00:00Z`),
      reason: "Sold by mistake",
    })
    .execute();
  const finalised = at(
    await finalizeStatements(db, {
      partnerId: partner.id,
      month: FINAL_MONTH,
      actor: ACTOR,
      now: new Date(),
    }),
    0,
    "finalised statement",
  );
  const memberUser = await createUser();
  await addPartnerMember(partner.id, memberUser.id, "member");
  brewline = {
    slug: partner.slug,
    partnerId: partner.id,
    owner: (await signInAs(owner)).cookie,
    member: (await signInAs(memberUser)).cookie,
    key: await partnerKey(partner.id),
    finalId: finalised.statementId,
    finalNumber: finalised.number,
    finalSerials,
    openSerials,
  };

  const second = await createPartnerWithOwner({
    name: "Kaffeeberatung Schmidt",
    statementPrefix: "KBS",
    type: "loyalty_consultant",
    taxRateBps: 1900,
  });
  await db
    .updateTable("partners")
    .set({ locale: "de-DE" })
    .where("id", "=", second.partner.id)
    .execute();
  const otherBundle = await createBundle(second.partner.id, { name: "Rösterei" });
  await claims(otherBundle, {
    count: 1,
    businessIds: [(await createBusiness({ name: "Rösterei am Markt" })).id],
  });
  other = {
    slug: second.partner.slug,
    partnerId: second.partner.id,
    owner: (await signInAs(second.owner)).cookie,
    key: await partnerKey(second.partner.id),
  };
}, 180_000);

interface ListEntry {
  id: string | null;
  status: "draft" | "final";
  number: string | null;
  month: string;
  issuedAt: Date | null;
  lineCount: number;
  totals: {
    retailCents: number;
    discountCents: number;
    netCents: number;
    taxCents: number;
    referralCents: number;
    totalCents: number;
  };
}

interface MonthPage {
  statement: Statement;
  lines: StatementLine[];
  after: number;
  nextAfter: number | null;
  taxRates: number[];
  running: boolean;
  badPage: boolean;
  locale: string;
}

function list(cookie: string, slug: string) {
  return callRoute<{ statements: ListEntry[]; runningMonth: string; locale: string }>(listLoader, {
    request: getRequest(`/partner/${slug}/statements`, { cookie }),
    params: { slug },
  });
}

function monthPage(cookie: string, slug: string, month: string, query = "") {
  return callRoute<MonthPage>(monthLoader, {
    request: getRequest(`/partner/${slug}/statements/${encodeURIComponent(month)}${query}`, {
      cookie,
    }),
    params: { slug, month },
  });
}

function terms(cookie: string, slug: string) {
  return callRoute<{ terms: Record<string, unknown> }>(termsLoader, {
    request: getRequest(`/partner/${slug}/terms`, { cookie }),
    params: { slug },
  });
}

const totalsOf = (claims: number) => ({
  retailCents: claims * RETAIL,
  discountCents: claims * DISCOUNT,
  netCents: claims * NET,
  taxCents: claims * TAX,
  // No referral credit in these months (ADR 039).
  referralCents: 0,
  totalCents: claims * TOTAL,
});

describe("the statements list", () => {
  test("one row per month since enrolment, newest first: the running draft, the open draft, the final", async () => {
    const result = await list(brewline.owner, brewline.slug);
    expect(result.status).toBe(200);
    const { statements, runningMonth, locale } = result.body;
    expect(runningMonth).toBe(RUNNING);
    expect(locale).toBe("en-IE");
    expect(statements.map((s) => s.month)).toEqual([RUNNING, OPEN_MONTH, FINAL_MONTH]);
    expect(statements[0]).toMatchObject({
      id: null,
      status: "draft",
      number: null,
      issuedAt: null,
      lineCount: RUNNING_CLAIMS,
      totals: totalsOf(RUNNING_CLAIMS),
    });
    expect(statements[1]).toMatchObject({
      id: null,
      status: "draft",
      number: null,
      lineCount: OPEN_CLAIMS,
      totals: totalsOf(OPEN_CLAIMS),
    });
    expect(statements[2]).toMatchObject({
      id: brewline.finalId,
      status: "final",
      number: `BRW-${FINAL_MONTH.slice(0, 4)}-0001`,
      lineCount: FINAL_CLAIMS + 1,
      // 120 claims less the one rolled back.
      totals: totalsOf(FINAL_CLAIMS - 1),
    });
    expect(statements[2]?.issuedAt).toBeInstanceOf(Date);
  });

  test("a member sees the same list as the owner", async () => {
    const owner = await list(brewline.owner, brewline.slug);
    const member = await list(brewline.member, brewline.slug);
    expect(member.status).toBe(200);
    expect(member.body).toEqual(owner.body);
  });

  test("a partner enrolled this month has one running draft; its figures are its own", async () => {
    const result = await list(other.owner, other.slug);
    expect(result.body.locale).toBe("de-DE");
    expect(result.body.statements).toHaveLength(1);
    expect(result.body.statements[0]).toMatchObject({
      month: RUNNING,
      status: "draft",
      lineCount: 1,
    });
  });
});

describe("one month's statement", () => {
  test("a final month: its number, snapshot, totals and tax rate", async () => {
    const result = await monthPage(brewline.owner, brewline.slug, FINAL_MONTH);
    expect(result.status).toBe(200);
    const { statement, taxRates, running, locale, lines, nextAfter } = result.body;
    expect(statement).toMatchObject({
      id: brewline.finalId,
      status: "final",
      number: brewline.finalNumber,
      month: FINAL_MONTH,
      lineCount: FINAL_CLAIMS + 1,
      claimCount: FINAL_CLAIMS,
      creditCount: 1,
      totals: totalsOf(FINAL_CLAIMS - 1),
      partner: { name: "Brewline Agency", contactEmail: "accounts@brewline.test" },
    });
    expect(statement.bundles).toHaveLength(1);
    expect(statement.bundles[0]).toMatchObject({ bundleName: "Café Starter", claims: 120 });
    expect(statement.codes.issued).toBe(FINAL_CLAIMS);
    expect(taxRates).toEqual([2300]);
    expect(running).toBe(false);
    expect(locale).toBe("en-IE");
    expect(lines).toHaveLength(PAGE_SIZE);
    expect(nextAfter).toBe(PAGE_SIZE);
  });

  test("paging through a final month shows every line exactly once, in order, credit negative", async () => {
    const seen: StatementLine[] = [];
    let query = "";
    for (let pages = 0; pages < 10; pages++) {
      const result = await monthPage(brewline.owner, brewline.slug, FINAL_MONTH, query);
      expect(result.status).toBe(200);
      seen.push(...result.body.lines);
      if (result.body.nextAfter === null) break;
      query = `?after=${result.body.nextAfter}`;
    }
    expect(seen.map((line) => line.lineNo)).toEqual(
      Array.from({ length: FINAL_CLAIMS + 1 }, (_, i) => i + 1),
    );
    const claimSerials = seen.filter((l) => l.kind === "claim").map((l) => l.serial);
    expect(claimSerials.sort((a, b) => a - b)).toEqual(brewline.finalSerials);
    const credits = seen.filter((line) => line.kind === "credit");
    expect(credits).toHaveLength(1);
    expect(credits[0]).toMatchObject({
      serial: brewline.finalSerials[0],
      retailCents: -RETAIL,
      discountCents: -DISCOUNT,
      wholesaleCents: -NET,
      taxCents: -TAX,
    });
    // The lines add up to the totals.
    expect(seen.reduce((sum, line) => sum + line.wholesaleCents + line.taxCents, 0)).toBe(
      (FINAL_CLAIMS - 1) * TOTAL,
    );
  });

  test("a draft month pages the same way, and the last page has no next link", async () => {
    const first = await monthPage(brewline.owner, brewline.slug, OPEN_MONTH);
    expect(first.body.statement).toMatchObject({
      id: null,
      status: "draft",
      number: null,
      issuedAt: null,
      lineCount: OPEN_CLAIMS,
    });
    expect(first.body.running).toBe(false);
    expect(first.body.lines).toHaveLength(PAGE_SIZE);
    const second = await monthPage(
      brewline.owner,
      brewline.slug,
      OPEN_MONTH,
      `?after=${first.body.nextAfter}`,
    );
    expect(second.body.lines).toHaveLength(OPEN_CLAIMS - PAGE_SIZE);
    expect(second.body.nextAfter).toBeNull();
    expect(second.body.after).toBe(PAGE_SIZE);
    const serials = [...first.body.lines, ...second.body.lines].map((l) => l.serial);
    expect(serials.sort((a, b) => a - b)).toEqual(brewline.openSerials);
  });

  test("the running month is a draft marked running", async () => {
    const result = await monthPage(brewline.member, brewline.slug, RUNNING);
    expect(result.status).toBe(200);
    expect(result.body.running).toBe(true);
    expect(result.body.statement).toMatchObject({ status: "draft", lineCount: RUNNING_CLAIMS });
    expect(result.body.statement.totals).toEqual(totalsOf(RUNNING_CLAIMS));
    expect(result.body.nextAfter).toBeNull();
  });

  test("malformed, future and before-enrolment months are 404, never 500", async () => {
    for (const month of [
      "2026-13",
      "2026-00",
      "2026-1",
      "26-01",
      "abc",
      "",
      "1999-12",
      "2026-10-01",
      "2026-10.pdf",
      "%00",
      "9999-12",
      addMonths(RUNNING, 1),
      addMonths(FINAL_MONTH, -1),
    ]) {
      const result = await monthPage(brewline.owner, brewline.slug, month);
      expect(result, month).toMatchObject({ thrown: true, status: 404 });
    }
  });

  test("a bad page parameter is the first page with a 400; a page past the end is empty", async () => {
    for (const after of ["abc", "-1", "1.5", "99999999999"]) {
      const result = await monthPage(brewline.owner, brewline.slug, FINAL_MONTH, `?after=${after}`);
      expect(result.status, after).toBe(400);
      expect(result.body.badPage).toBe(true);
      expect(result.body.lines[0]?.lineNo).toBe(1);
    }
    const past = await monthPage(brewline.owner, brewline.slug, FINAL_MONTH, "?after=5000");
    expect(past.status).toBe(200);
    expect(past.body.lines).toEqual([]);
    expect(past.body.nextAfter).toBeNull();
  });
});

describe("tenancy", () => {
  test("another partner's statements and terms pages are 404, like a slug that does not exist", async () => {
    for (const slug of [brewline.slug, "no-such-partner"]) {
      expect(await list(other.owner, slug)).toMatchObject({ thrown: true, status: 404 });
      expect(await monthPage(other.owner, slug, FINAL_MONTH)).toMatchObject({
        thrown: true,
        status: 404,
      });
      expect(await monthPage(other.owner, slug, RUNNING)).toMatchObject({
        thrown: true,
        status: 404,
      });
      expect(await terms(other.owner, slug)).toMatchObject({ thrown: true, status: 404 });
    }
  });

  test("without a session the pages redirect to sign in", async () => {
    const result = await callRoute(listLoader, {
      request: getRequest(`/partner/${brewline.slug}/statements`),
      params: { slug: brewline.slug },
    });
    expect(result).toMatchObject({ thrown: true, status: 302 });
  });

  test("partner B's key lists B's statements only, never A's", async () => {
    const result = await callApi<StatementList>({ path: "/api/v1/statements", token: other.key });
    expect(result.status).toBe(200);
    const text = JSON.stringify(result.body);
    expect(text).not.toContain(brewline.finalId);
    expect(text).not.toContain("BRW-");
    expect(result.body.data).toHaveLength(1);
    expect(result.body.data[0]).toMatchObject({ month: RUNNING, line_count: 1 });
  });
});

describe("GET /api/v1/statements", () => {
  test("the list, snake_case, totals in cents, a PDF link for finals only", async () => {
    const result = await callApi<StatementList>({
      path: "/api/v1/statements",
      token: brewline.key,
    });
    expect(result.status).toBe(200);
    expect(result.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    const data = result.body.data;
    expect(data.map((s) => s.month)).toEqual([RUNNING, OPEN_MONTH, FINAL_MONTH]);
    expect(data[0]).toEqual({
      id: null,
      month: RUNNING,
      status: "draft",
      number: null,
      period_start: statementPeriod(RUNNING).start.toISOString(),
      period_end: statementPeriod(RUNNING).end.toISOString(),
      issued_at: null,
      line_count: RUNNING_CLAIMS,
      totals: {
        currency: "EUR",
        retail_cents: RUNNING_CLAIMS * RETAIL,
        discount_cents: RUNNING_CLAIMS * DISCOUNT,
        net_cents: RUNNING_CLAIMS * NET,
        tax_cents: RUNNING_CLAIMS * TAX,
        total_cents: RUNNING_CLAIMS * TOTAL,
      },
      links: { pdf: null },
    });
    expect(data[2]).toMatchObject({
      id: brewline.finalId,
      status: "final",
      number: brewline.finalNumber,
      line_count: FINAL_CLAIMS + 1,
      totals: { currency: "EUR", total_cents: (FINAL_CLAIMS - 1) * TOTAL },
      links: { pdf: `/api/v1/statements/${brewline.finalId}.pdf` },
    });
    const final = at(data, 2, "final statement");
    expect(typeof final.issued_at).toBe("string");
    expect(new Date(final.issued_at as string).toISOString()).toBe(final.issued_at);
  });

  test("without a key: 401; other methods: 405", async () => {
    expect((await callApi({ path: "/api/v1/statements", token: null })).status).toBe(401);
    const post = await callApi({
      method: "POST",
      path: "/api/v1/statements",
      token: brewline.key,
      body: {},
    });
    expect(post.status).toBe(405);
  });
});

describe("the terms page", () => {
  test("shows the partner's own terms to the owner and to a member", async () => {
    for (const cookie of [brewline.owner, brewline.member]) {
      const result = await terms(cookie, brewline.slug);
      expect(result.status).toBe(200);
      expect(result.body.terms).toMatchObject({
        id: brewline.partnerId,
        name: "Brewline Agency",
        type: "marketing_agency",
        discountBps: 3000,
        taxRateBps: 2300,
        statementPrefix: "BRW",
        locale: "en-IE",
        specialTerms: "Payment within 30 days of the statement.",
      });
    }
    const second = await terms(other.owner, other.slug);
    expect(second.body.terms).toMatchObject({
      id: other.partnerId,
      type: "loyalty_consultant",
      taxRateBps: 1900,
      statementPrefix: "KBS",
      locale: "de-DE",
      specialTerms: "",
    });
  });
});

describe("the dashboard's this month so far", () => {
  test("the running month's draft total due and claims", async () => {
    const result = await callRoute<{
      thisMonth: { month: string; totals: { totalCents: number }; claimCount: number };
      statementLocale: string;
    }>(dashboardLoader, {
      request: getRequest(`/partner/${brewline.slug}`, { cookie: brewline.member }),
      params: { slug: brewline.slug },
    });
    expect(result.status).toBe(200);
    expect(result.body.thisMonth).toEqual({
      month: RUNNING,
      totals: totalsOf(RUNNING_CLAIMS),
      claimCount: RUNNING_CLAIMS,
      creditCount: 0,
    });
    expect(result.body.statementLocale).toBe("en-IE");
  });
});
