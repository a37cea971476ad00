// Support's statements: every partner's statements in one list (filters month / partner /
// status, keyset paged, drafts computed for the shown rows), the partner's statement page
// and PDF opened by support, and "finalise now": the CLI's path, idempotent when pressed
// twice or twice at once (one statement per month, numbers without gaps), refused for the
// running month, audited, and 404 for partner and business users.
import { beforeAll, describe, expect, test } from "vitest";
import { addMonths, monthOf, statementPeriod } from "~/lib/statement-months";
import * as listRoute from "~/routes/_app.support.statements";
import * as pageRoute from "~/routes/_app.support.partners.$slug_.statements.$month";
import * as pdfRoute from "~/routes/_app.support.partners.$slug_.statements.$statementId[.]pdf";
import * as partnerPdfRoute from "~/routes/_app.partner.$slug.statements.$statementId[.]pdf";
import type { SupportStatementRow } from "~/domain/support-statements.server";
import { testDb } from "../db.ts";
import {
  backdateClaim,
  claimByNewBusiness,
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, type FormFailureBody } from "../helpers/remix.ts";
import { at, first } from "../helpers/rows.ts";

const now = new Date();
const RUNNING = monthOf(now);
const ENDED = addMonths(RUNNING, -1);
const FIRST = addMonths(RUNNING, -2);

let support: { cookie: string; email: string };
let partnerCookie: string;
let businessCookie: string;
/** Enrolled two months ago: FIRST and ENDED are drafts awaiting the run, RUNNING runs. */
let early: { id: string; slug: string; name: string };
/** Enrolled this month: only the running month. */
let late: { id: string; slug: string; name: string };

type ListBody = {
  rows: SupportStatementRow[];
  nextCursor: string | null;
  errors: Record<string, { key: string }>;
};

async function list(query = "") {
  return callRoute<ListBody>(listRoute.loader, {
    request: getRequest(`/support/statements${query}`, { cookie: support.cookie }),
  });
}

function finalise(fields: Record<string, string>, cookie = support.cookie) {
  return callRoute<FormFailureBody>(listRoute.action, {
    request: formRequest("/support/statements", { intent: "finalise", ...fields }, { cookie }),
  });
}

async function statementsOf(partnerId: string) {
  return testDb()
    .db.selectFrom("statements")
    .select(["period_start", "year", "sequence", "number", "finalized_by"])
    .where("partner_id", "=", partnerId)
    .orderBy("period_start")
    .execute();
}

beforeAll(async () => {
  const user = await createUser({ isSupport: true });
  support = { cookie: (await signInAs(user)).cookie, email: user.email };
  const a = await createPartnerWithOwner({
    name: "Aardvark Agency",
    slug: "aardvark",
    statementPrefix: "AARD",
    createdAt: statementPeriod(FIRST).start,
  });
  const b = await createPartnerWithOwner({ name: "Zebra Consulting", slug: "zebra" });
  early = { id: a.partner.id, slug: a.partner.slug, name: a.partner.name };
  late = { id: b.partner.id, slug: b.partner.slug, name: b.partner.name };
  partnerCookie = (await signInAs(a.owner)).cookie;
  businessCookie = (await signInAs((await createBusinessWithOwner()).owner)).cookie;
  // One claim in the ended month, one in the running month.
  const { codes } = await createBatchWithCodes(await createBundle(early.id), { count: 2 });
  await claimByNewBusiness(at(codes, 0, "code"));
  await backdateClaim(
    at(codes, 0, "code").id,
    new Date(statementPeriod(ENDED).start.getTime() + 86_400_000),
  );
  await claimByNewBusiness(at(codes, 1, "code"));
});

describe("the list", () => {
  test("every partner's months, newest first: drafts with their totals", async () => {
    const result = await list();
    expect(result.status).toBe(200);
    const rows = result.body.rows.map((row) => [row.month, row.partnerSlug, row.status]);
    expect(rows).toEqual([
      [RUNNING, "aardvark", "draft"],
      [RUNNING, "zebra", "draft"],
      [ENDED, "aardvark", "draft"],
      [FIRST, "aardvark", "draft"],
    ]);
    const ended = at(result.body.rows, 2, "statement row");
    expect(ended.awaitingFinalisation).toBe(true);
    expect(ended.lineCount).toBe(1);
    expect(ended.totals.totalCents).toBeGreaterThan(0);
    expect(result.body.rows[0]?.running).toBe(true);
    expect(result.body.rows[0]?.awaitingFinalisation).toBe(false);
  });

  test("filters: month, partner by slug or part of its name, status", async () => {
    const byMonth = await list(`?month=${ENDED}`);
    expect(byMonth.body.rows.map((row) => row.partnerSlug)).toEqual(["aardvark"]);
    const bySlug = await list("?partner=zebra");
    expect(bySlug.body.rows.map((row) => row.month)).toEqual([RUNNING]);
    const byName = await list("?partner=VARK%20agen");
    expect(byName.body.rows).toHaveLength(3);
    const drafts = await list(`?status=draft&month=${RUNNING}`);
    expect(drafts.body.rows).toHaveLength(2);
    const finals = await list("?status=final");
    expect(finals.body.rows).toEqual([]);
  });

  test("paged one row at a time, every row exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const result: { body: ListBody } = await callRoute<ListBody>(listRoute.loader, {
        request: getRequest(`/support/statements${cursor ? `?cursor=${cursor}` : ""}`, {
          cookie: support.cookie,
        }),
      });
      // The route's page is 25; the domain function pages the same way with any size.
      seen.push(...result.body.rows.map((row) => `${row.month}/${row.partnerSlug}`));
      cursor = result.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    const { listStatementsForSupport } = await import("~/domain/support-statements.server");
    const oneByOne: string[] = [];
    let next: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listStatementsForSupport>> =
        await listStatementsForSupport(testDb().db, { cursor: next, limit: 1, now });
      oneByOne.push(...page.rows.map((row) => `${row.month}/${row.partnerSlug}`));
      next = page.nextCursor;
    } while (next);
    expect(oneByOne).toEqual(seen);
  });

  test("a bad filter is a field message, never a 500", async () => {
    const month = await list("?month=2026-13");
    expect(month.status).toBe(400);
    expect(month.body.errors.month?.key).toBe("support:statements.badMonth");
    const status = await list("?status=paid");
    expect(status.status).toBe(400);
    expect(Object.keys(status.body.errors)).toEqual(["status"]);
    const cursor = await list("?cursor=not-a-cursor");
    expect(cursor.status).toBe(200);
  });
});

describe("finalise now", () => {
  test("the running month is refused with statement_month_open, nothing written", async () => {
    const result = await finalise({ month: RUNNING, partner: early.slug });
    expect(result.status).toBe(409);
    expect(result.body.errors.month?.key).toBe("support:errors.statement_month_open");
    const all = await finalise({ month: RUNNING, partner: "" });
    expect(all.status).toBe(409);
    expect(await statementsOf(early.id)).toEqual([]);
  });

  test("an unknown partner or a bad month is a field message", async () => {
    const unknown = await finalise({ month: ENDED, partner: "nobody-here" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.partner?.key).toBe("support:errors.unknown_partner");
    const bad = await finalise({ month: "last month", partner: early.slug });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.month).toBeDefined();
  });

  test("partner and business users get 404 and nothing is finalised", async () => {
    for (const cookie of [partnerCookie, businessCookie]) {
      const result = await finalise({ month: ENDED, partner: early.slug }, cookie);
      expect(result.status).toBe(404);
      const page = await callRoute(pageRoute.action, {
        request: formRequest(
          `/support/partners/${early.slug}/statements/${ENDED}`,
          { intent: "finalise" },
          { cookie },
        ),
        params: { slug: early.slug, month: ENDED },
      });
      expect(page.status).toBe(404);
    }
    expect(await statementsOf(early.id)).toEqual([]);
  });

  test("pressed twice at once: one statement per month, numbers without gaps, audited", async () => {
    const [first, second] = await Promise.all([
      finalise({ month: ENDED, partner: early.slug }),
      callRoute(pageRoute.action, {
        request: formRequest(
          `/support/partners/${early.slug}/statements/${ENDED}`,
          { intent: "finalise" },
          { cookie: support.cookie },
        ),
        params: { slug: early.slug, month: ENDED },
      }),
    ]);
    expect(first.status).toBe(302);
    expect(second.status).toBe(302);
    const statements = await statementsOf(early.id);
    expect(statements.map((s) => monthOf(s.period_start))).toEqual([FIRST, ENDED]);
    for (const year of new Set(statements.map((s) => s.year))) {
      const sequences = statements.filter((s) => s.year === year).map((s) => s.sequence);
      expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    }
    expect(statements.every((s) => s.finalized_by === support.email)).toBe(true);
    const audit = await testDb()
      .db.selectFrom("audit_log")
      .select(["actor_label", "partner_id"])
      .where("action", "=", "statement.finalized")
      .execute();
    expect(audit).toEqual([
      { actor_label: support.email, partner_id: early.id },
      { actor_label: support.email, partner_id: early.id },
    ]);

    // Pressed again: nothing new, and the flash says so.
    const again = await finalise({ month: ENDED, partner: early.slug });
    expect(again.status).toBe(302);
    expect(await statementsOf(early.id)).toHaveLength(2);

    // Every partner at once (the monthly run's scope): the late partner has no ended month.
    const all = await finalise({ month: ENDED, partner: "" });
    expect(all.status).toBe(302);
    expect(await statementsOf(late.id)).toEqual([]);
    expect(await statementsOf(early.id)).toHaveLength(2);

    const finals = await list("?status=final");
    expect(finals.body.rows.map((row) => [row.month, row.number])).toEqual([
      [ENDED, statements[1]?.number],
      [FIRST, statements[0]?.number],
    ]);
  });

  test("support opens the partner's statement page and PDF; tenancy holds", async () => {
    const statement = first(
      await testDb()
        .db.selectFrom("statements")
        .select(["id", "number"])
        .where("partner_id", "=", early.id)
        .where("period_start", "=", statementPeriod(ENDED).start)
        .execute(),
      "statement",
    );
    const page = await callRoute<{ statement: { status: string; number: string } }>(
      pageRoute.loader,
      {
        request: getRequest(`/support/partners/${early.slug}/statements/${ENDED}`, {
          cookie: support.cookie,
        }),
        params: { slug: early.slug, month: ENDED },
      },
    );
    expect(page.status).toBe(200);
    expect(page.body.statement).toMatchObject({ status: "final", number: statement.number });

    const pdfPath = `/support/partners/${early.slug}/statements/${statement.id}.pdf`;
    const pdf = await callRoute(pdfRoute.loader, {
      request: getRequest(pdfPath, { cookie: support.cookie }),
      params: { slug: early.slug, statementId: statement.id },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("Content-Type")).toBe("application/pdf");

    // Another partner's slug with this statement's id: not found.
    const wrongPartner = await callRoute(pdfRoute.loader, {
      request: getRequest(`/support/partners/${late.slug}/statements/${statement.id}.pdf`, {
        cookie: support.cookie,
      }),
      params: { slug: late.slug, statementId: statement.id },
    });
    expect(wrongPartner.status).toBe(404);
    // The partner's own user gets 404 on support's routes, and still its own PDF.
    const asPartner = await callRoute(pdfRoute.loader, {
      request: getRequest(pdfPath, { cookie: partnerCookie }),
      params: { slug: early.slug, statementId: statement.id },
    });
    expect(asPartner.status).toBe(404);
    const own = await callRoute(partnerPdfRoute.loader, {
      request: getRequest(`/partner/${early.slug}/statements/${statement.id}.pdf`, {
        cookie: partnerCookie,
      }),
      params: { slug: early.slug, statementId: statement.id },
    });
    expect(own.status).toBe(200);
    // A month before enrolment is no page.
    const before = await callRoute(pageRoute.loader, {
      request: getRequest(`/support/partners/${late.slug}/statements/${ENDED}`, {
        cookie: support.cookie,
      }),
      params: { slug: late.slug, month: ENDED },
    });
    expect(before.status).toBe(404);
  });
});
