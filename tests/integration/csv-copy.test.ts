// The codes and clients CSVs written by PostgreSQL (COPY … TO STDOUT) are byte for byte the
// files the keyset path writes (ADR 030, 036): same header, quoting, formula guard, times,
// numbers, flags, filters, order. On PGlite the keyset path is the one used; each backend
// asserts what it should.
import { sql } from "kysely";
import { beforeEach, describe, expect, test } from "vitest";
import { copyPool } from "~db/index.ts";
import { db as appDb } from "~/db.server";
import { clientsCsv } from "~/domain/clients/csv.server";
import {
  clientFilters,
  clientSorts,
  sortDirections,
  type ClientListOptions,
} from "~/domain/clients/model.server";
import { codesCsv } from "~/domain/codes/csv.server";
import { claimCode } from "~/domain/redemption.server";
import { recordCardOperations } from "~/domain/usage.server";
import type { CodeFilter } from "~/domain/codes/model.server";
import { inlineParameters } from "~/lib/csv.server";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { at, first } from "../helpers/rows.ts";

function db() {
  return testDb().db;
}

async function bytes(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

const TRICKY = [
  'Say "hi"',
  "comma, inside",
  "two\nlines",
  "cr\rlf\r\n",
  "=HYPERLINK(1)",
  "+1 555",
  "-5",
  "@sum",
  "\tindented",
  "\rstarts with CR",
  "Zoë Ærø 🎉 日本",
  "'quoted already",
  "back\\slash",
  null,
];

let partnerId: string;

beforeEach(async () => {
  const { partner } = await createPartnerWithOwner();
  partnerId = partner.id;
  const bundle = await createBundle(partner.id, { name: 'Bundle, "the" =best' });
  await createBatchWithCodes(bundle, { count: TRICKY.length, prefix: "CAFE", label: "@label\nx" });
  const plain = await createBundle(partner.id, { name: "Plain" });
  await createBatchWithCodes(plain, { count: 3, prefix: null, label: null });
  const codes = await db()
    .selectFrom("activation_codes")
    .select("id")
    .where("partner_id", "=", partnerId)
    .orderBy("id")
    .execute();
  for (const [i, value] of TRICKY.entries()) {
    const id = at(codes, i, "code").id;
    await sql`update activation_codes set recipient_name = ${value}, recipient_email = ${value === null ? null : `x${i}@example.test`},
      handed_out_at = ${value === null ? null : sql`'2026-03-04 05:06:07.291999+05:30'::timestamptz + ${`${i} seconds`}::interval`},
      expires_at = '2027-01-02 03:04:05.999999+00'::timestamptz - ${`${i} microseconds`}::interval
      where id = ${id}`.execute(db());
  }
  // One revoked, with a reason that needs quoting.
  await sql`update activation_codes set status = 'revoked', revoked_at = '2026-05-06 07:08:09.0105+00',
    revoke_reason = '-lost, "twice"' where id = ${at(codes, 1, "code").id}`.execute(db());
  // One expired.
  await sql`update activation_codes set expires_at = now() - interval '1 day' where id = ${at(codes, 2, "code").id}`.execute(
    db(),
  );
});

const FILTERS: CodeFilter[] = [
  {},
  { status: "revoked" },
  { status: "expired" },
  { status: "outstanding" },
  { handedOut: true },
  { handedOut: false },
  { recipient: "zoë" },
  { recipient: "%" },
];

describe("the codes CSV", () => {
  if (testDb().backend === "postgres") {
    test("on PostgreSQL, COPY writes the keyset path's bytes, for every filter, with and without a BOM", async () => {
      expect(copyPool(db())).not.toBeNull();
      // The routes read the database through app/db.server's Proxy: it must find the pool too
      // (it did not, and every download in production took the keyset path).
      expect(copyPool(appDb)).toBe(copyPool(db()));
      const now = new Date();
      for (const filter of FILTERS) {
        for (const bom of [false, true]) {
          const copied = await bytes(codesCsv(db(), { partnerId, filter, bom, now }));
          // Inside a transaction there is no COPY: this is the keyset path (PGlite's).
          const keyset = await db()
            .transaction()
            .execute(async (trx) => {
              expect(copyPool(trx)).toBeNull();
              return bytes(codesCsv(trx, { partnerId, filter, bom, now, chunkSize: 4 }));
            });
          expect(copied.toString("utf8"), JSON.stringify(filter)).toBe(keyset.toString("utf8"));
          expect(copied.equals(keyset)).toBe(true);
        }
      }
      const all = await bytes(codesCsv(db(), { partnerId, now }));
      expect(all.toString("utf8").split("\r\n").length).toBeGreaterThan(TRICKY.length);
      expect(all.toString("utf8")).toContain(`"'=HYPERLINK(1)"`.slice(1, -1));
    });

    test("a filter no code can match gives the header alone", async () => {
      const text = (
        await bytes(codesCsv(db(), { partnerId, filter: { batchId: "nope" }, now: new Date() }))
      ).toString("utf8");
      expect(text.split("\r\n")).toHaveLength(2);
    });
  } else {
    test("on PGlite there is no COPY: the keyset path writes the file", async () => {
      expect(testDb().backend).toBe("pglite");
      expect(copyPool(db())).toBeNull();
      const text = (await bytes(codesCsv(db(), { partnerId, now: new Date() }))).toString("utf8");
      expect(text.startsWith("serial,code,status,")).toBe(true);
      expect(text).toContain("'=HYPERLINK(1)");
    });
  }
});

/**
 * Clients of one partner whose names need every kind of quoting, with usage, seats, a
 * rolled-back claim, an ended grant, one ending soon, one nearly used up, names equal but
 * for case (the sort's tie-break), and activity times with microseconds in another zone.
 */
async function clientsWithEverything(): Promise<string> {
  const { partner } = await createPartnerWithOwner();
  const big = await createBundle(partner.id, { staffSeats: 2, cardOperations: 100 });
  const small = await createBundle(partner.id, { staffSeats: 0, cardOperations: 10 });
  const { codes: bigCodes } = await createBatchWithCodes(big, { count: 20 });
  const { codes: smallCodes } = await createBatchWithCodes(small, { count: 20 });
  const names = [
    ...TRICKY.filter((name): name is string => name !== null),
    "alpha",
    "Alpha",
    "ALPHA",
  ];
  let keys = 0;
  for (const [i, name] of names.entries()) {
    const { business, owner } = await createBusinessWithOwner({
      name,
      planId: "custom",
      customCardOperationsPerMonth: 0,
      customStaffSeats: 0,
    });
    const actor = { userId: owner.id, label: owner.email, email: owner.email };
    const claims = [at(bigCodes, i, "big code")];
    if (i % 3 === 0) claims.push(at(smallCodes, i, "small code"));
    const grantIds: string[] = [];
    for (const code of claims) {
      const claimed = await claimCode(db(), {
        businessId: business.id,
        code: code.code,
        actor,
        ip: null,
        now: new Date(),
      });
      grantIds.push(claimed.grantId);
    }
    const grantId = first(grantIds, "grant id");
    if (i % 2 === 0) await addBusinessMember(business.id, (await createUser()).id);
    const quantity = at([0, 3, 9, 85, 100, 7], i % 6, "quantity");
    if (quantity > 0) {
      keys += 1;
      const [result] = await recordCardOperations(db(), {
        operations: [
          {
            businessId: business.id,
            idempotencyKey: `k-${keys}`,
            kind: "stamp",
            quantity,
            occurredAt: null,
          },
        ],
        now: new Date(),
      });
      expect(result?.outcome).toBe("recorded");
      await sql`update grants set last_operation_at =
          '2026-03-04 05:06:07.291999+05:30'::timestamptz + ${`${i} seconds ${i * 37} microseconds`}::interval
        where id = ${grantId}`.execute(db());
    }
    if (i === 1) {
      // A rolled-back claim whose grant ended.
      const grant = await db()
        .selectFrom("grants")
        .select(["activation_code_id", "partner_id"])
        .where("id", "=", grantId)
        .executeTakeFirstOrThrow();
      await db()
        .insertInto("claim_rollbacks")
        .values({
          activation_code_id: grant.activation_code_id!,
          partner_id: grant.partner_id!,
          business_id: business.id,
          grant_id: grantId,
          reason: "Claimed by mistake",
        })
        .execute();
      await db()
        .updateTable("grants")
        .set({ ends_at: new Date() })
        .where("id", "=", grantId)
        .execute();
    }
    if (i === 4) {
      await sql`update grants set ends_at = now() + interval '10 days 0.123456 seconds' where id = ${grantId}`.execute(
        db(),
      );
    }
    if (i === 5) {
      await sql`update grants set starts_at = now() - interval '30 days', ends_at = now() - interval '1 day' where id = ${grantId}`.execute(
        db(),
      );
    }
  }
  return partner.id;
}

/** Every sort in both directions under every filter, then searches, each with and without a BOM. */
function clientListOptions(): ClientListOptions[] {
  const options: ClientListOptions[] = [{}];
  for (const sort of clientSorts)
    for (const direction of sortDirections)
      for (const filter of [null, ...clientFilters]) options.push({ sort, direction, filter });
  for (const search of ["alpha", "%", "_", "zoë", "\\", "nothing matches"])
    options.push({ search }, { search, sort: "usage", filter: "active" });
  return options;
}

describe("the clients CSV", () => {
  if (testDb().backend === "postgres") {
    test("on PostgreSQL, COPY writes the keyset path's bytes, for every sort, direction, filter and search", async () => {
      const clientsPartnerId = await clientsWithEverything();
      const now = new Date();
      let nonEmpty = 0;
      for (const [index, options] of clientListOptions().entries()) {
        const bom = index % 2 === 1;
        const copied = await bytes(
          clientsCsv(db(), { partnerId: clientsPartnerId, ...options, bom, now }),
        );
        const keyset = await db()
          .transaction()
          .execute(async (trx) => {
            expect(copyPool(trx)).toBeNull();
            return bytes(
              clientsCsv(trx, { partnerId: clientsPartnerId, ...options, bom, now, chunkSize: 3 }),
            );
          });
        expect(copied.toString("utf8"), JSON.stringify(options)).toBe(keyset.toString("utf8"));
        expect(copied.equals(keyset)).toBe(true);
        if (copied.toString("utf8").split("\r\n").length > 3) nonEmpty += 1;
      }
      expect(nonEmpty).toBeGreaterThan(40);
      const all = (await bytes(clientsCsv(db(), { partnerId: clientsPartnerId, now }))).toString(
        "utf8",
      );
      expect(all).toContain(",'=HYPERLINK(1),");
      expect(all).toContain(",true,");
      expect(all).toMatch(/,2026-03-03T23:36:\d\d\.29\dZ,/);
    });

    test("a partner without clients gets the header alone", async () => {
      const text = (await bytes(clientsCsv(db(), { partnerId, now: new Date() }))).toString("utf8");
      expect(text.split("\r\n")).toHaveLength(2);
      expect(text.startsWith("business_id,business_name,")).toBe(true);
    });
  } else {
    test("on PGlite there is no COPY: the keyset path writes the clients file", async () => {
      const clientsPartnerId = await clientsWithEverything();
      expect(copyPool(db())).toBeNull();
      const text = (
        await bytes(clientsCsv(db(), { partnerId: clientsPartnerId, now: new Date() }))
      ).toString("utf8");
      expect(text.startsWith("business_id,business_name,")).toBe(true);
      expect(text).toContain(",'=HYPERLINK(1),");
    });
  }
});

describe("inlineParameters", () => {
  test("typed text becomes a literal that cannot end early", async () => {
    const evil = "x'); drop table users; --\\";
    const query = db()
      .selectFrom("activation_codes")
      .select(sql<string>`${evil}`.as("v"))
      .where("id", "=", 1)
      .where("created_at", "<", new Date(0));
    const text = inlineParameters(query);
    expect(text).not.toMatch(/\$\d/);
    const rows = await sql<{ v: string }>`select ${sql.raw(`(${text})`)} as v`.execute(db());
    expect(rows.rows).toEqual([{ v: null }]);
    const echoed = await sql<{
      v: string;
    }>`${sql.raw(inlineParameters(db().selectNoFrom(sql<string>`${evil}`.as("v"))))}`.execute(db());
    expect(echoed.rows[0]?.v).toBe(evil);
  });
});
