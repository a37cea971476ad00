// A final statement's PDF: what it says (number, period, totals for the partner's locale,
// every line under a header repeated on each page, "page N of M"), that it is the same bytes
// on every render and served from statement_pdfs after the first, and who may download it
// (the portal route and GET /api/v1/statements/{id}.pdf).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { getStatementPdf, statementPdfInput } from "~/domain/statement-pdf.server";
import { finalizeStatements } from "~/domain/statements/finalise.server";
import { getStatement, listStatementLines } from "~/domain/statements/reads.server";
import { type Statement } from "~/domain/statements/model.server";
import { claimCode } from "~/domain/redemption.server";
import { formatMoney } from "~/lib/format";
import type { CodeCardsInput } from "~/pdf/code-cards";
import {
  MAX_QUEUED,
  MAX_RENDERS,
  renderCodeCardsPdf,
  renderStatementPdf,
} from "~/pdf/render.server";
import { apiRouter } from "~/api/routes.server";
import { loader as portalLoader } from "~/routes/_app.partner.$slug.statements.$statementId[.]pdf";
import { testDb } from "../db.ts";
import {
  addPartnerMember,
  createBatchWithCodes,
  createBundle,
  createBusiness,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { apiRequest, partnerKey } from "../helpers/api.ts";
import { signInAs } from "../helpers/auth.ts";
import { getRequest, makeContext } from "../helpers/remix.ts";
import { pdfInfo, pdfPages, pdfText } from "../helpers/pdf-text.ts";
import { at, only } from "../helpers/rows.ts";

const MISSING_UUID = "00000000-0000-4000-8000-000000000000";
const ACTOR = { userId: null, label: "test" };
/** Enough lines for three pages: the first page holds the summary and about 35 lines. */
const CLAIMS = 130;

interface PartnerWorld {
  slug: string;
  partnerId: string;
  owner: string;
  key: string;
  /** The month with the claims. */
  statement: Statement;
  /** The month before: enrolled, nothing claimed. */
  empty: Statement | null;
  serials: number[];
}

let brewline: PartnerWorld;
let kaffee: PartnerWorld;
let member: string;

/** Claims `count` codes of a new bundle in `month` (backdated), round-robin over businesses. */
async function claimsInMonth(
  partnerId: string,
  { month, count, businesses }: { month: string; count: number; businesses: string[] },
) {
  const { db } = testDb();
  const bundle = await createBundle(partnerId, {
    name: "Café Starter",
    staffSeats: 2,
    cardOperations: 1000,
    termMonths: 12,
  });
  // Two codes more than claimed: one stays outstanding, one is revoked in the month.
  const { batch, codes } = await createBatchWithCodes(bundle, { count: count + 2 });
  const businessIds: string[] = [];
  for (const name of businesses) businessIds.push((await createBusiness({ name })).id);
  for (let i = 0; i < count; i++) {
    await claimCode(db, {
      businessId: at(businessIds, i % businessIds.length, "business"),
      code: at(codes, i, "code").code,
      actor: { ...ACTOR, email: null },
      ip: null,
      limitByIp: false,
      now: new Date(),
    });
  }
  // Into the month: codes made on its first day, claims a few minutes apart from the 2nd.
  const start = `${month}-01T00:00:00Z`;
  await sql`
    update activation_codes set created_at = ${start}::timestamptz,
      claimed_at = case when claimed_at is null then null
        else ${start}::timestamptz + interval '1 day' + (id - ${at(codes, 0, "code").id}) * interval '7 minutes' end
    where batch_id = ${batch.id}`.execute(db);
  await sql`
    update activation_codes set status = 'revoked', revoked_at = ${start}::timestamptz + interval '14 days',
      revoke_reason = 'test'
    where id = ${at(codes, count + 1, "code to revoke").id}`.execute(db);
  return { bundle, codes: codes.slice(0, count), businessIds };
}

async function partnerWorld(options: {
  name: string;
  prefix: string;
  locale: string;
  taxRateBps: number;
  enrolled: string;
  month: string;
  claims: number;
  credit: boolean;
  businesses: string[];
}): Promise<PartnerWorld> {
  const { db } = testDb();
  const { partner, owner } = await createPartnerWithOwner({
    name: options.name,
    statementPrefix: options.prefix,
    discountBps: 3000,
    taxRateBps: options.taxRateBps,
    contactName: "Aoife Byrne",
    contactEmail: `accounts@${options.prefix.toLowerCase()}.test`,
    specialTerms: "Payment within 30 days of the statement.",
  });
  await db
    .updateTable("partners")
    .set({ locale: options.locale, created_at: new Date(options.enrolled) })
    .where("id", "=", partner.id)
    .execute();
  const { codes } = await claimsInMonth(partner.id, {
    month: options.month,
    count: options.claims,
    businesses: options.businesses,
  });
  if (options.credit) {
    // Support rolled the first claim back later in the month: a credit line.
    const rolledBack = at(codes, 0, "claimed code");
    const grant = await db
      .selectFrom("grants")
      .select(["id", "business_id"])
      .where("activation_code_id", "=", rolledBack.id)
      .executeTakeFirstOrThrow();
    await db
      .insertInto("claim_rollbacks")
      .values({
        activation_code_id: rolledBack.id,
        partner_id: partner.id,
        business_id: grant.business_id,
        grant_id: grant.id,
        rolled_back_at: new Date(`${options.month}-25T10:00:00Z`),
        reason: "Sold by mistake",
      })
      .execute();
  }
  const finalised = await finalizeStatements(db, {
    partnerId: partner.id,
    month: options.month,
    actor: ACTOR,
    now: new Date(),
  });
  const byMonth = new Map(finalised.map((f) => [f.month, f.statementId]));
  const statement = await getStatement(db, {
    partnerId: partner.id,
    statementId: byMonth.get(options.month)!,
  });
  const emptyId = [...byMonth.entries()].find(([month]) => month !== options.month)?.[1];
  return {
    slug: partner.slug,
    partnerId: partner.id,
    owner: (await signInAs(owner)).cookie,
    key: await partnerKey(partner.id),
    statement,
    empty: emptyId ? await getStatement(db, { partnerId: partner.id, statementId: emptyId }) : null,
    serials: codes.map((code) => code.id),
  };
}

beforeAll(async () => {
  brewline = await partnerWorld({
    name: "Brewline Agency",
    prefix: "BRW",
    locale: "en-IE",
    taxRateBps: 2300,
    enrolled: "2025-02-10T09:00:00Z",
    month: "2025-03",
    claims: CLAIMS,
    credit: true,
    businesses: [
      "Café Aurora",
      "Bäckerei Sonnenschein",
      "Corner Coffee",
      "Salon Élan",
      "Pâtisserie Lumière",
    ],
  });
  kaffee = await partnerWorld({
    name: "Kaffeeberatung Schmidt",
    prefix: "KBS",
    locale: "de-DE",
    taxRateBps: 1900,
    enrolled: "2025-03-03T09:00:00Z",
    month: "2025-03",
    claims: 2,
    credit: false,
    businesses: ["Rösterei am Markt"],
  });
  const user = await createUser();
  await addPartnerMember(brewline.partnerId, user.id, "member");
  member = (await signInAs(user)).cookie;
}, 120_000);

async function portalPdf(cookie: string | null, slug: string, statementId: string) {
  const args = {
    request: getRequest(`/partner/${slug}/statements/${statementId}.pdf`, { cookie }),
    params: { slug, statementId },
    context: makeContext(),
  } as unknown as LoaderFunctionArgs;
  try {
    return await portalLoader(args);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function apiPdf(token: string | null, id: string): Promise<Response> {
  // The raw answer (the PDF's bytes), through the router the server mounts.
  return apiRouter.handle(
    apiRequest({ path: `/api/v1/statements/${id}.pdf`, token }),
    makeContext(),
  );
}

const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());

async function pdfRows(statementId: string) {
  return testDb()
    .db.selectFrom("statement_pdfs")
    .select(["statement_id", "page_count", "rendered_at"])
    .where("statement_id", "=", statementId)
    .execute();
}

describe("the statement PDF", () => {
  test("says who, what and how much: number, period, issue date, terms, totals in the partner's locale", async () => {
    const { statement } = brewline;
    expect(statement.number).toBe("BRW-2025-0002");
    expect(statement.lineCount).toBe(CLAIMS + 1);
    const { pdf, pageCount, cached } = await getStatementPdf(testDb().db, {
      partnerId: brewline.partnerId,
      statementId: statement.id!,
    });
    expect(cached).toBe(false);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const pages = pdfPages(pdf);
    expect(pages).toHaveLength(pageCount);
    expect(pageCount).toBeGreaterThanOrEqual(3);
    const first = at(pages, 0, "page");
    // Text the layout wraps (the special terms) reads as one run once line breaks are spaces.
    const flowing = first.replace(/\s+/g, " ");
    for (const text of [
      "Wholesale statement",
      "7stamp",
      "ISSUED BY",
      "STATEMENT FOR",
      "Brewline Agency",
      "Aoife Byrne",
      "accounts@brw.test",
      "BRW-2025-0002",
      "1–31 March 2025",
      "Wholesale discount",
      "30%",
      "23%",
      "Payment within 30 days of the statement.",
      "SUMMARY BY BUNDLE",
      "TOTALS",
      "FOR INFORMATION",
      "Café Starter",
      "Total due",
      "Tax at 23%",
      "Codes issued in the period",
      "LINE DETAIL",
      "131 lines: 130 claimed, 1 credited.",
    ]) {
      expect(flowing, text).toContain(text);
    }
    // 129 claims net of the credit, each €746.00 retail less 30%, plus 23% tax (per line).
    const total = statement.totals.totalCents;
    expect(total).toBe(129 * (52_220 + 12_011));
    expect(formatMoney(total, "en-IE")).toBe("€82,857.99");
    expect(first).toContain("€82,857.99");
    expect(first).toContain(formatMoney(statement.totals.retailCents, "en-IE"));
    expect(first).toContain(formatMoney(-statement.totals.discountCents, "en-IE"));
  });

  test("every line is there, under a column header repeated on each page, with page N of M", async () => {
    const { pdf } = await getStatementPdf(testDb().db, {
      partnerId: brewline.partnerId,
      statementId: brewline.statement.id!,
    });
    const pages = pdfPages(pdf);
    pages.forEach((page, index) => {
      expect(page, `page ${index + 1}`).toContain("Client business");
      expect(page, `page ${index + 1}`).toContain("Wholesale");
      expect(page, `page ${index + 1}`).toContain(`page ${index + 1} of ${pages.length}`);
      expect(page, `page ${index + 1}`).toContain("Wholesale statement BRW-2025-0002");
    });
    const text = pages.join("\n");
    // One text line per statement line, each once, in order: date, code, client, bundle,
    // seats, operations, retail, discount, wholesale, tax.
    const rows = text.split("\n").filter((row) => /^\d{1,2} \w{3} 2025 Code #\d+/.test(row));
    expect(rows).toHaveLength(CLAIMS + 1);
    const [first] = brewline.serials;
    expect(rows[0]).toBe(
      `2 Mar 2025 Code #${first} Café Aurora Café Starter 2 1,000 €746.00 €223.80 €522.20 €120.11`,
    );
    // The credit: marked, negative, on the day support rolled the first claim back.
    expect(rows).toContain(
      `25 Mar 2025 Code #${first} CR Café Aurora Café Starter 2 1,000 -€746.00 -€223.80 -€522.20 -€120.11`,
    );
    for (const serial of brewline.serials) {
      expect(rows.filter((row) => row.includes(`Code #${serial} `)).length).toBeGreaterThan(0);
    }
    expect(text).toContain("Bäckerei Sonnenschein");
    expect(text).toContain("Pâtisserie Lumière");
    // In the order of the statement: the last claim is on the last page.
    expect(pages.at(-1)).toContain(`Code #${brewline.serials.at(-1)}`);
  });

  test("is formatted for the partner's locale: de-DE writes 1.242,84 €", async () => {
    const { pdf } = await getStatementPdf(testDb().db, {
      partnerId: kaffee.partnerId,
      statementId: kaffee.statement.id!,
    });
    const text = pdfText(pdf);
    // Two claims of €522.20 wholesale with 19% tax: 2 × (522.20 + 99.22).
    expect(kaffee.statement.totals.totalCents).toBe(124_284);
    expect(text).toContain("1.242,84 €");
    expect(text).toContain("1.–31. März 2025");
    expect(text).toContain("KBS-2025-0001");
    expect(text).toContain("page 1 of 1");
  });

  test("an empty month has a one-page statement saying so", async () => {
    const empty = brewline.empty!;
    expect(empty.number).toBe("BRW-2025-0001");
    const { pdf, pageCount } = await getStatementPdf(testDb().db, {
      partnerId: brewline.partnerId,
      statementId: empty.id!,
    });
    expect(pageCount).toBe(1);
    const text = pdfText(pdf);
    expect(text).toContain("No lines in this period.");
    expect(text).toContain("€0.00");
    expect(text).toContain("page 1 of 1");
  });

  test("is the same bytes on every render, with the metadata of the snapshot", async () => {
    const { db } = testDb();
    const { statement, partnerId } = brewline;
    const { lines } = await listStatementLines(db, { partnerId, statement, limit: null });
    const input = statementPdfInput(statement, lines);
    const [one, two] = await Promise.all([renderStatementPdf(input), renderStatementPdf(input)]);
    expect(one.pdf.equals(two.pdf)).toBe(true);
    expect(one.pageCount).toBe(two.pageCount);
    const stored = await getStatementPdf(db, { partnerId, statementId: statement.id! });
    expect(stored.pdf.equals(one.pdf)).toBe(true);
    const info = pdfInfo(one.pdf);
    expect(info.Title).toBe("Wholesale statement BRW-2025-0002");
    expect(info.Producer).toBe("7stamp Partner Portal");
    const issued = statement.issuedAt!.toISOString().replace(/[-:T]/g, "").slice(0, 14);
    expect(info.CreationDate).toBe(`D:${issued}Z`);
  });

  test("the lines load while the worker starts; a failed load rejects as it is and frees the slot", async () => {
    const { db } = testDb();
    const { statement, partnerId } = brewline;
    const failures = Array.from({ length: MAX_RENDERS + 1 }, () =>
      renderStatementPdf(() => Promise.reject(new Error("the database went away"))),
    );
    for (const failure of failures) await expect(failure).rejects.toThrow("the database went away");
    const rendered = await renderStatementPdf(async () => {
      const { lines } = await listStatementLines(db, { partnerId, statement, limit: null });
      return statementPdfInput(statement, lines);
    });
    expect(rendered.pageCount).toBeGreaterThanOrEqual(3);
  });

  test("after the first download it comes from statement_pdfs, without a render", async () => {
    const { db } = testDb();
    const { statement, partnerId } = brewline;
    const before = await pdfRows(statement.id!);
    expect(before).toHaveLength(1);
    const stored = only(before, "stored PDF");
    expect(stored.page_count).toBeGreaterThanOrEqual(3);
    const again = await getStatementPdf(db, { partnerId, statementId: statement.id! });
    expect(again.cached).toBe(true);
    expect(again.pageCount).toBe(stored.page_count);
    expect(await pdfRows(statement.id!)).toEqual(before);
  });
});

describe("GET /partner/:slug/statements/:statementId.pdf", () => {
  test("the owner and a member download it as {number}.pdf", async () => {
    for (const cookie of [brewline.owner, member]) {
      const response = await portalPdf(cookie, brewline.slug, brewline.statement.id!);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toBe("application/pdf");
      expect(response.headers.get("Content-Disposition")).toBe(
        'attachment; filename="BRW-2025-0002.pdf"',
      );
      expect(response.headers.get("Cache-Control")).toMatch(/private/);
      const pdf = await bytesOf(response);
      expect(Number(response.headers.get("Content-Length"))).toBe(pdf.byteLength);
      expect(pdfText(pdf)).toContain("€82,857.99");
    }
  });

  test("another partner's statement, an unknown and a malformed id are 404", async () => {
    for (const [cookie, slug, id] of [
      [kaffee.owner, kaffee.slug, brewline.statement.id!],
      [brewline.owner, brewline.slug, kaffee.statement.id!],
      [kaffee.owner, brewline.slug, brewline.statement.id!],
      [brewline.owner, brewline.slug, MISSING_UUID],
      [brewline.owner, brewline.slug, "not-a-uuid"],
      [brewline.owner, brewline.slug, `${brewline.statement.id}'--`],
    ] as const) {
      const response = await portalPdf(cookie, slug, id);
      expect(response.status, `${slug} ${id}`).toBe(404);
    }
  });

  test("signed out is sent to sign in", async () => {
    const response = await portalPdf(null, brewline.slug, brewline.statement.id!);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
  });

  test("a busy renderer (the pool the code cards share) answers 503 with Retry-After", async () => {
    const { db } = testDb();
    // Not rendered yet, so the download needs the pool.
    await db
      .deleteFrom("statement_pdfs")
      .where("statement_id", "=", kaffee.statement.id!)
      .execute();
    const controller = new AbortController();
    const cards: CodeCardsInput = {
      title: "Activation codes",
      author: "Test",
      partnerName: "Test",
      bundleName: "Test",
      bundleContent: ["1 month"],
      redeemHint: "Redeem:",
      cards: [
        {
          code: "0000-0000-0000-0001",
          serialLabel: "Code #1",
          redeemUrl: "http://x/r",
          redeemBy: "-",
        },
      ],
    };
    const occupying = Array.from({ length: MAX_RENDERS + MAX_QUEUED }, () =>
      renderCodeCardsPdf(cards, { signal: controller.signal }).catch(() => null),
    );
    try {
      const page = await portalPdf(kaffee.owner, kaffee.slug, kaffee.statement.id!);
      expect(page.status).toBe(503);
      expect(page.headers.get("Retry-After")).toBe("30");
      expect(await page.text()).toMatch(/try again/);
      const api = await apiPdf(kaffee.key, kaffee.statement.id!);
      expect(api.status).toBe(503);
      expect(api.headers.get("Retry-After")).toBe("30");
      expect(((await api.json()) as { code: string }).code).toBe("renderer_busy");
    } finally {
      controller.abort(new Error("test over"));
      await Promise.all(occupying);
    }
    expect(await pdfRows(kaffee.statement.id!)).toHaveLength(0);
    const after = await portalPdf(kaffee.owner, kaffee.slug, kaffee.statement.id!);
    expect(after.status).toBe(200);
  });
});

describe("GET /api/v1/statements/{id}.pdf", () => {
  test("the partner's key gets the same bytes as the portal", async () => {
    const response = await apiPdf(brewline.key, brewline.statement.id!);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/pdf");
    expect(response.headers.get("Content-Disposition")).toBe(
      'attachment; filename="BRW-2025-0002.pdf"',
    );
    const pdf = await bytesOf(response);
    const portal = await bytesOf(
      await portalPdf(brewline.owner, brewline.slug, brewline.statement.id!),
    );
    expect(pdf.equals(portal)).toBe(true);
  });

  test("another partner's id, an unknown and a malformed id are 404 problems; no key is 401", async () => {
    for (const [token, id] of [
      [kaffee.key, brewline.statement.id!],
      [brewline.key, MISSING_UUID],
      [brewline.key, "not-a-uuid"],
    ] as const) {
      const response = await apiPdf(token, id);
      expect(response.status, id).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(((await response.json()) as { code: string }).code).toBe("not_found");
    }
    const anonymous = await apiPdf(null, brewline.statement.id!);
    expect(anonymous.status).toBe(401);
  });
});
