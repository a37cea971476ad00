// The codes CSV written by PostgreSQL (COPY … TO STDOUT) is byte for byte the file the keyset
// path writes (ADR 030): same header, quoting, formula guard, times, filters. On PGlite the
// keyset path is the one used; each backend asserts what it should.
import { sql } from "kysely";
import { beforeEach, describe, expect, test } from "vitest";
import { copyPool } from "~db/index.ts";
import { codesCsv } from "~/domain/codes/csv.server";
import type { CodeFilter } from "~/domain/codes/model.server";
import { inlineParameters } from "~/lib/csv.server";
import { testDb } from "../db.ts";
import { createBatchWithCodes, createBundle, createPartnerWithOwner } from "../factories.ts";

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
    const id = codes[i].id;
    await sql`update activation_codes set recipient_name = ${value}, recipient_email = ${value === null ? null : `x${i}@example.test`},
      handed_out_at = ${value === null ? null : sql`'2026-03-04 05:06:07.291999+05:30'::timestamptz + ${`${i} seconds`}::interval`},
      expires_at = '2027-01-02 03:04:05.999999+00'::timestamptz - ${`${i} microseconds`}::interval
      where id = ${id}`.execute(db());
  }
  // One revoked, with a reason that needs quoting.
  await sql`update activation_codes set status = 'revoked', revoked_at = '2026-05-06 07:08:09.0105+00',
    revoke_reason = '-lost, "twice"' where id = ${codes[1].id}`.execute(db());
  // One expired.
  await sql`update activation_codes set expires_at = now() - interval '1 day' where id = ${codes[2].id}`.execute(
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
    expect(echoed.rows[0].v).toBe(evil);
  });
});
