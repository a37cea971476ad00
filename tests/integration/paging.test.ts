// Every list on the one paginator (app/domain/paging.server.ts, ADR 021), table-driven: paged
// one row at a time over rows that tie on the sort key — some exactly, some within the same
// millisecond (what a JavaScript Date cannot tell apart) — each row is seen exactly once.
// And one policy for a cursor the list did not make: InvalidCursor, which a page turns into
// its first page with a notice.
import { sql } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { listAudit } from "~/domain/audit.server";
import { listBatches } from "~/domain/batches/reads.server";
import { listBundles } from "~/domain/bundles.server";
import { searchBusinesses } from "~/domain/business-admin.server";
import { clientSorts, type ClientSort } from "~/domain/clients/model.server";
import { listClients } from "~/domain/clients/reads.server";
import { listEnterpriseRequests } from "~/domain/enterprise-requests.server";
import { listCodes } from "~/domain/codes/reads.server";
import { InvalidCursor, type Page } from "~/domain/paging.server";
import { listPartners } from "~/domain/partners.server";
import { claimCode } from "~/domain/redemption.server";
import { listStatementsForSupport } from "~/domain/support-statements.server";
import { loader as batchesLoader } from "~/routes/_app.partner.$slug.batches._index";
import { testDb } from "../db.ts";
import {
  createBatchWithCodes,
  createBundle,
  createBusiness,
  createBusinessWithOwner,
  createPartner,
  createPartnerWithOwner,
} from "../factories.ts";
import { forgeCursor } from "../helpers/cursor";
import { signInAs } from "../helpers/auth.ts";
import { callRoute, getRequest } from "../helpers/remix";

const TIE = "2026-11-20 10:00:00.123000+00";
// Exactly the same instant twice, then three instants inside the same millisecond.
const tiedInstants = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    i < 2 ? TIE : `2026-11-20 10:00:00.123${String(i * 100 + 1).padStart(3, "0")}+00`,
  );

async function tieCreatedAt(
  table: "bundles" | "code_batches" | "enterprise_requests",
  ids: string[],
) {
  const instants = tiedInstants(ids.length);
  for (const [i, id] of ids.entries()) {
    await sql`update ${sql.table(table)} set created_at = ${instants[i]}::timestamptz
      where id = ${id}::uuid`.execute(testDb().db);
  }
}

interface ListCase {
  name: string;
  /** Makes the rows and gives their ids. */
  setUp(): Promise<string[]>;
  read(cursor: string | null): Promise<Page<unknown>>;
  idOf(row: unknown): string;
}

let partnerId: string;
const clientCase = (sort: ClientSort, direction: "asc" | "desc"): ListCase => ({
  name: `clients by ${sort} ${direction}`,
  setUp: () => Promise.resolve(clientIds),
  read: (cursor) =>
    listClients(testDb().db, { partnerId, sort, direction, cursor, limit: 1, now: new Date() }),
  idOf: (row) => (row as { businessId: string }).businessId,
});
const clientIds: string[] = [];

const lists: ListCase[] = [
  {
    name: "bundles",
    async setUp() {
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await createBundle(partnerId)).id);
      await tieCreatedAt("bundles", ids);
      return ids;
    },
    read: (cursor) =>
      listBundles(testDb().db, { partnerId, status: "all", cursor, limit: 1, now: new Date() }),
    idOf: (row) => (row as { id: string }).id,
  },
  {
    name: "batches",
    async setUp() {
      const bundle = await createBundle(partnerId);
      const ids = [];
      for (let i = 0; i < 5; i++)
        ids.push((await createBatchWithCodes(bundle, { count: 1 })).batch.id);
      await tieCreatedAt("code_batches", ids);
      return ids;
    },
    read: (cursor) => listBatches(testDb().db, { partnerId, cursor, limit: 1 }),
    idOf: (row) => (row as { id: string }).id,
  },
  {
    name: "codes",
    async setUp() {
      const { codes } = await createBatchWithCodes(await createBundle(partnerId), { count: 5 });
      return codes.map((code) => String(code.id));
    },
    read: (cursor) => listCodes(testDb().db, { partnerId, cursor, limit: 1, now: new Date() }),
    idOf: (row) => String((row as { serial: number }).serial),
  },
  ...clientSorts.flatMap((sort) => [clientCase(sort, "asc"), clientCase(sort, "desc")]),
  {
    name: "support: partners",
    async setUp() {
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push((await createPartner({ name: "Tie Partner" })).id);
      return ids;
    },
    read: (cursor) => listPartners(testDb().db, { cursor, limit: 1 }),
    idOf: (row) => (row as { id: string }).id,
  },
  {
    name: "support: businesses",
    async setUp() {
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push((await createBusiness({ name: "Tie Shop" })).id);
      return ids;
    },
    read: (cursor) => searchBusinesses(testDb().db, { query: "tie shop", cursor, limit: 1 }),
    idOf: (row) => (row as { id: string }).id,
  },
  {
    name: "support: audit log",
    async setUp() {
      const { db } = testDb();
      const instants = tiedInstants(5);
      const ids = [];
      for (const instant of instants) {
        const { id } = await db
          .insertInto("audit_log")
          .values({
            action: "code.revoked",
            actor_label: "tie-audit@7stamp.test",
            occurred_at: sql<Date>`${instant}::timestamptz`,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        ids.push(String(id));
      }
      return ids;
    },
    read: (cursor) => listAudit(testDb().db, { actor: "tie-audit@" }, { cursor, limit: 1 }),
    idOf: (row) => String((row as { id: number }).id),
  },
  {
    name: "support: statements",
    async setUp() {
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push((await createPartner({ name: "Tie Statements" })).id);
      return ids;
    },
    read: (cursor) =>
      listStatementsForSupport(testDb().db, {
        filter: { partner: "tie statements" },
        cursor,
        limit: 1,
        now: new Date(),
      }),
    idOf: (row) => (row as { partnerId: string }).partnerId,
  },
  {
    name: "support: enterprise requests",
    async setUp() {
      const business = await createBusiness();
      const ids = [];
      for (let i = 0; i < 5; i++) {
        const row = await testDb()
          .db.insertInto("enterprise_requests")
          .values({
            business_id: business.id,
            locations: 1,
            card_operations_per_month: 100,
            created_at: new Date(),
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        ids.push(row.id);
      }
      await tieCreatedAt("enterprise_requests", ids);
      return ids;
    },
    read: (cursor) => listEnterpriseRequests(testDb().db, { status: "all", cursor, limit: 1 }),
    idOf: (row) => (row as { id: string }).id,
  },
];

beforeAll(async () => {
  partnerId = (await createPartner()).id;
  // Clients that tie on every sort: the same name, one code each, nothing used yet.
  const bundle = await createBundle(partnerId, { cardOperations: 10 });
  const { codes } = await createBatchWithCodes(bundle, { count: 4 });
  for (const code of codes) {
    const { business, owner } = await createBusinessWithOwner({ name: "Tie Client" });
    await claimCode(testDb().db, {
      businessId: business.id,
      code: code.code,
      actor: { userId: owner.id, label: owner.email, email: owner.email },
      ip: null,
      now: new Date(),
    });
    clientIds.push(business.id);
  }
});

describe.each(lists)("$name", (list) => {
  let ids: string[];
  beforeAll(async () => {
    ids = await list.setUp();
  });

  test("paged one row at a time over tied sort keys: every row exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page<unknown> = await list.read(cursor);
      expect(page.rows.length).toBeLessThanOrEqual(1);
      seen.push(...page.rows.map((row) => list.idOf(row)));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 200);
    expect(new Set(seen).size, `repeated: ${seen.join(", ")}`).toBe(seen.length);
    for (const id of ids) expect(seen, `row ${id} skipped`).toContain(id);
  });

  test("a cursor it did not make is InvalidCursor, never a query error", async () => {
    const first = await list.read(null);
    const forged = [
      "%%%",
      "not-base64!",
      "x".repeat(2000),
      forgeCursor(null),
      forgeCursor({}),
      forgeCursor([]),
      forgeCursor(["other-list", 1]),
      forgeCursor([
        "bundles",
        "2026-02-31T00:00:00.000000Z",
        "00000000-0000-4000-8000-000000000000",
      ]),
      forgeCursor([
        "batches",
        "+275760-09-13T00:00:00.000000Z",
        "00000000-0000-4000-8000-000000000000",
      ]),
      forgeCursor(["batches", "9999-99-99T99:99:99.999999Z", "not-a-uuid"]),
      forgeCursor(["codes", 1e300]),
      forgeCursor(["codes", -1]),
      forgeCursor(["partners", "a\u0000b", "00000000-0000-4000-8000-000000000000"]),
      forgeCursor(["clients:name:asc", 7, null, "00000000-0000-4000-8000-000000000000"]),
    ];
    // The list's own cursor, with its key bent: the name and shape stay, a value does not fit.
    if (first.nextCursor) forged.push(first.nextCursor.slice(0, -2));
    for (const cursor of forged) {
      await expect(list.read(cursor), cursor).rejects.toBeInstanceOf(InvalidCursor);
    }
  });
});

test("a page given a crafted cursor shows its first page and says so (was a 500 on batches)", async () => {
  const { partner, owner } = await createPartnerWithOwner();
  await createBatchWithCodes(await createBundle(partner.id), { count: 1 });
  const { cookie } = await signInAs(owner);
  const read = (query: string) =>
    callRoute<{ rows: unknown[]; staleCursor: boolean }>(batchesLoader, {
      request: getRequest(`/partner/${partner.slug}/batches${query}`, { cookie }),
      params: { slug: partner.slug },
    });
  const first = await read("");
  expect(first.body.staleCursor).toBe(false);
  const crafted = forgeCursor([
    "batches",
    "99999-01-01T00:00:00.000000Z",
    "00000000-0000-4000-8000-000000000000",
  ]);
  const result = await read(`?cursor=${crafted}`);
  expect(result.status).toBe(200);
  expect(result.body.staleCursor).toBe(true);
  expect(result.body.rows).toEqual(first.body.rows);
});
