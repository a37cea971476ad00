// Support's audit log: filters (actor, organisation, action, subject, date range), keyset
// paging over (occurred_at at full precision, id) — entries that tie on occurred_at are each
// seen once —, an entry's before and after side by side, the CSV of the current filter only,
// and bad filter input answered with a field message, never a 500.
import { sql } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { auditCsv, listAudit, recordAudit, type AuditRow } from "~/domain/audit.server";
import type { AuditChange } from "~/lib/audit";
import * as auditPage from "~/routes/_app.support.audit";
import * as auditCsvRoute from "~/routes/_app.support.audit[.]csv";
import * as entryPage from "~/routes/_app.support.audit_.$id";
import { testDb } from "../db.ts";
import { createBusiness, createPartner, createUser } from "../factories.ts";
import { signInAs } from "../helpers/auth.ts";
import { callRoute, getRequest } from "../helpers/remix.ts";

let cookie: string;
let partner: { id: string; slug: string; name: string };
let business: { id: string; name: string };
/** Twelve entries sharing one occurred_at to the microsecond. */
const TIE = "2026-11-20 10:00:00.123456+00";
let termsEntryId: number;

type PageBody = {
  rows: AuditRow[];
  nextCursor: string | null;
  errors: Record<string, { key: string }>;
};

async function page(query: string) {
  return callRoute<PageBody>(auditPage.loader, {
    request: getRequest(`/support/audit${query}`, { cookie }),
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

beforeAll(async () => {
  const support = await createUser({ isSupport: true, email: `desk-${Date.now()}@7stamp.test` });
  cookie = (await signInAs(support)).cookie;
  const p = await createPartner({ name: "Harbour Digital", slug: "harbour-digital" });
  partner = { id: p.id, slug: p.slug, name: p.name };
  const b = await createBusiness({ name: "Corner Coffee" });
  business = { id: b.id, name: b.name };
  const { db } = testDb();
  const actor = { userId: support.id, label: "alice@7stamp.test" };
  await recordAudit(db, {
    actor,
    action: "partner.terms_changed",
    partnerId: partner.id,
    subject: { type: "partner", id: partner.id },
    before: { discount_bps: 3000, locale: "en", special_terms: "" },
    after: { discount_bps: 2500, locale: "en", special_terms: "Net 30" },
    reason: "Agreed at the review",
  });
  await recordAudit(db, {
    actor: { userId: null, label: "bob@7stamp.test" },
    action: "grant.support_created",
    businessId: business.id,
    subject: { type: "grant", id: "00000000-0000-4000-8000-000000000001" },
    after: { card_operations: 500 },
    reason: "Goodwill",
  });
  for (let i = 0; i < 12; i++) {
    await recordAudit(db, {
      actor: { userId: null, label: "tie@7stamp.test" },
      action: "code.revoked",
      partnerId: partner.id,
      subject: { type: "activation_code", id: String(1000 + i) },
    });
  }
  await db
    .updateTable("audit_log")
    .set({ occurred_at: sql`${TIE}::timestamptz` })
    .where("actor_label", "=", "tie@7stamp.test")
    .execute();
  // One old entry, outside the date range tests below.
  await db
    .updateTable("audit_log")
    .set({ occurred_at: new Date("2026-01-15T12:00:00Z") })
    .where("actor_label", "=", "bob@7stamp.test")
    .execute();
  termsEntryId = (
    await db
      .selectFrom("audit_log")
      .select("id")
      .where("action", "=", "partner.terms_changed")
      .executeTakeFirstOrThrow()
  ).id;
});

describe("filters", () => {
  test("actor, organisation (slug, name, business), action, subject, date range", async () => {
    const byActor = await page("?actor=ALICE");
    expect(byActor.body.rows.map((r) => r.action)).toEqual(["partner.terms_changed"]);

    const bySlug = await page(`?organisation=${partner.slug}&action=code.revoked`);
    expect(bySlug.body.rows).toHaveLength(12);
    const byBusinessName = await page("?organisation=corner");
    expect(byBusinessName.body.rows.map((r) => r.action)).toEqual(["grant.support_created"]);
    const byBusinessId = await page(`?organisation=${business.id}`);
    expect(byBusinessId.body.rows).toHaveLength(1);

    const bySubject = await page("?subjectType=activation_code&subjectId=1003");
    expect(bySubject.body.rows.map((r) => r.subject?.id)).toEqual(["1003"]);

    const byDate = await page("?from=2026-01-01&to=2026-01-31");
    expect(byDate.body.rows.map((r) => r.actorLabel)).toEqual(["bob@7stamp.test"]);
    const toInclusive = await page("?from=2026-01-15&to=2026-01-15");
    expect(toInclusive.body.rows).toHaveLength(1);
    const later = await page("?from=2026-01-16&actor=bob");
    expect(later.body.rows).toEqual([]);
  });

  test("bad input is a field message and status 400, never a 500", async () => {
    const cases: [string, string][] = [
      ["?from=2026-02-30", "from"],
      ["?to=yesterday", "to"],
      ["?action=code.exploded", "action"],
      ["?subjectType=planet", "subjectType"],
      ["?subjectId=12", "subjectType"],
      ["?from=2026-03-01&to=2026-02-01", "to"],
      [`?actor=${"x".repeat(300)}`, "actor"],
      ["?organisation=a%00b", "organisation"],
    ];
    for (const [query, field] of cases) {
      const result = await page(query);
      expect(result.status, query).toBe(400);
      expect(Object.keys(result.body.errors), query).toContain(field);
    }
    const csv = await callRoute(auditCsvRoute.loader, {
      request: getRequest("/support/audit.csv?action=nope", { cookie }),
    });
    expect(csv.status).toBe(400);
    // A forged cursor is the first page.
    expect((await page("?cursor=bm9wZQ")).status).toBe(200);
    expect((await page("?cursor=WyJ4IiwxXQ")).status).toBe(200);
  });
});

describe("paging", () => {
  test("one row at a time over entries that tie on occurred_at: each seen once, in order", async () => {
    const { db } = testDb();
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const result: Awaited<ReturnType<typeof listAudit>> = await listAudit(
        db,
        { actor: "tie@" },
        { cursor, limit: 1 },
      );
      seen.push(...result.rows.map((row) => row.id));
      cursor = result.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));

    // The whole log, five at a time, through the page's cursor links: every entry once.
    const all: number[] = [];
    cursor = null;
    do {
      const result: Awaited<ReturnType<typeof listAudit>> = await listAudit(
        db,
        {},
        { cursor, limit: 5 },
      );
      all.push(...result.rows.map((row) => row.id));
      cursor = result.nextCursor;
    } while (cursor);
    const total = await db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(all).toHaveLength(Number(total.n));
    expect(new Set(all).size).toBe(all.length);
  });
});

describe("CSV", () => {
  test("the filtered rows only, streamed in chunks", async () => {
    const text = await readAll(
      auditCsv(testDb().db, { filter: { action: "code.revoked" }, chunkSize: 5 }),
    );
    const lines = text.trim().split("\r\n");
    expect(lines[0]).toBe(
      "id,occurred_at,actor,action,partner_slug,business_id,business_name,subject_type,subject_id,reason,ip,before,after",
    );
    expect(lines).toHaveLength(13);
    expect(lines.slice(1).every((line) => line.includes(",code.revoked,"))).toBe(true);
    expect(new Set(lines.slice(1).map((line) => line.split(",")[0])).size).toBe(12);

    const response = await callRoute<string>(auditCsvRoute.loader, {
      request: getRequest("/support/audit.csv?actor=alice", { cookie }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/csv/);
    const rows = response.body
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain("partner.terms_changed");
    expect(rows[1]).toContain("Agreed at the review");
    expect(rows[1]).toContain('""discount_bps"":2500');
  });
});

describe("an entry's page", () => {
  test("before and after side by side, changed fields marked, links to subject and organisation", async () => {
    const result = await callRoute<{
      entry: AuditRow & { reason: string };
      changes: AuditChange[];
    }>(entryPage.loader, {
      request: getRequest(`/support/audit/${termsEntryId}`, { cookie }),
      params: { id: String(termsEntryId) },
    });
    expect(result.status).toBe(200);
    expect(result.body.entry.reason).toBe("Agreed at the review");
    expect(result.body.entry.partner).toEqual({ slug: partner.slug, name: partner.name });
    // jsonb keeps its own key order: compare by field.
    const changes = [...result.body.changes].sort((a, b) => a.field.localeCompare(b.field));
    expect(changes).toEqual([
      { field: "discount_bps", before: "3000", after: "2500", changed: true },
      { field: "locale", before: '"en"', after: '"en"', changed: false },
      { field: "special_terms", before: '""', after: '"Net 30"', changed: true },
    ]);
    for (const id of ["0", "999999999", "abc", "1e3"]) {
      const missing = await callRoute(entryPage.loader, {
        request: getRequest(`/support/audit/${id}`, { cookie }),
        params: { id },
      });
      expect(missing.status).toBe(404);
    }
  });
});
