// Codes after generation (DESIGN.md §4, §5): filters incl. derived expired / outstanding,
// search in any formatting or by #N, keyset pages, the streamed CSV, revoke (one or a
// batch), hand-out, email, history — each scoped to one partner.
import { sql, type Selectable } from "kysely";
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import { testOutbox } from "~/email/mailer.server";
import { env } from "~/env.server";
import {
  CodeMistyped,
  CodeNotFound,
  CodeNotIssued,
  CodeNotRevocable,
  InvalidCodeSearch,
  RecipientEmailMissing,
  type CodeFilter,
} from "~/domain/codes/model.server";
import { codeHistory, findCode, getCode, listCodes, redeemUrl } from "~/domain/codes/reads.server";
import { codesCsv } from "~/domain/codes/csv.server";
import {
  emailCode,
  handOutCode,
  revokeCode,
  revokeUnclaimedCodesOfBatch,
} from "~/domain/codes/commands.server";
import { InvalidCursor, readPage } from "~/domain/paging.server";
import { BatchNotFound } from "~/domain/batches/model.server";
import { DomainError } from "~/domain/errors.server";
import { formatCode, generateCode } from "~/lib/activation-code";
import type { ActivationCodes, Bundles } from "~db/schema.ts";
import { testDb } from "../db.ts";
import { createBatchWithCodes, createBundle, createPartnerWithOwner } from "../factories.ts";
import { auditRows, countRows } from "../helpers/auth.ts";
import { at, first, only } from "../helpers/rows.ts";

type Code = Selectable<ActivationCodes>;
const DAY = 86_400_000;
const actor = { userId: null, label: "tester@example.test" };

function db() {
  return testDb().db;
}

async function setCode(serial: number, values: Record<string, unknown>) {
  await db().updateTable("activation_codes").set(values).where("id", "=", serial).execute();
}

/** Claimed as the code's state, written directly: some of these codes have since expired. */
async function claim(code: Code) {
  await setCode(code.id, {
    status: "claimed",
    claimed_at: new Date(),
    retail_cents: 0,
    discount_bps: 0,
    discount_cents: 0,
    wholesale_cents: 0,
    tax_rate_bps: 0,
    tax_cents: 0,
  });
}

async function revokeDirectly(code: Code, reason = "test") {
  await setCode(code.id, { status: "revoked", revoked_at: new Date(), revoke_reason: reason });
}

async function handOutDirectly(code: Code, name: string | null, email: string | null) {
  await setCode(code.id, {
    recipient_name: name,
    recipient_email: email,
    handed_out_at: new Date(),
  });
}

async function serials(partnerId: string, filter: CodeFilter = {}): Promise<number[]> {
  const page = await listCodes(db(), { partnerId, filter, limit: 500, now: new Date() });
  return page.rows.map((row) => row.serial);
}

const desc = (codes: Code[]) => codes.map((code) => code.id).sort((a, b) => b - a);

/** Reads a stream to the end, as text. */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** A ready batch of `count` codes inserted in one statement (arrays, not one row each). */
async function bulkBatch(bundle: Selectable<Bundles>, count: number) {
  const batch = await db()
    .insertInto("code_batches")
    .values({
      partner_id: bundle.partner_id,
      bundle_id: bundle.id,
      code_count: count,
      generated_count: count,
      expires_at: new Date(Date.now() + 365 * DAY),
      status: "ready",
      completed_at: new Date(),
      label: "Bulk",
    })
    .returning(["id"])
    .executeTakeFirstOrThrow();
  const codes = Array.from({ length: count }, () => generateCode());
  await sql`
    insert into activation_codes (code, partner_id, bundle_id, batch_id, expires_at)
    select code, ${bundle.partner_id}::uuid, ${bundle.id}::uuid, ${batch.id}::uuid, now() + interval '365 days'
    from unnest(${codes}::text[]) as code`.execute(db());
  return batch;
}

describe("listing and filters", () => {
  let partnerA: string;
  let partnerB: string;
  let cafe: Selectable<Bundles>;
  let pos: Selectable<Bundles>;
  let fair: Code[];
  let plain: Code[];
  let old: Code[];
  let foreign: Code[];
  let fairBatchId: string;
  let foreignBatchId: string;

  beforeAll(async () => {
    const a = await createPartnerWithOwner();
    const b = await createPartnerWithOwner();
    partnerA = a.partner.id;
    partnerB = b.partner.id;
    cafe = await createBundle(partnerA, { name: "Café Starter" });
    pos = await createBundle(partnerA, { name: "POS Pro" });
    const fairBatch = await createBatchWithCodes(cafe, { count: 5, prefix: "CAFE", label: "Fair" });
    fair = fairBatch.codes;
    fairBatchId = fairBatch.batch.id;
    plain = (await createBatchWithCodes(pos, { count: 4 })).codes;
    old = (
      await createBatchWithCodes(cafe, {
        count: 2,
        label: "Old",
        expiresAt: new Date(Date.now() - DAY),
      })
    ).codes;
    const foreignBatch = await createBatchWithCodes(await createBundle(partnerB), { count: 3 });
    foreign = foreignBatch.codes;
    foreignBatchId = foreignBatch.batch.id;

    await claim(at(fair, 0, "code"));
    await revokeDirectly(at(fair, 1, "code"));
    await claim(at(old, 0, "code"));
    await handOutDirectly(at(fair, 2, "code"), "Anna Berg", "anna@corner-coffee.test");
    await handOutDirectly(at(plain, 0, "code"), null, "ORDERS@Bakery.test");
    await handOutDirectly(at(plain, 1, "code"), "100% Juice_Bar", null);
    await handOutDirectly(at(foreign, 0, "code"), "Anna Berg", "anna@corner-coffee.test");
  });

  test("lists the partner's codes newest first, with bundle, batch and the display form", async () => {
    const page = await listCodes(db(), { partnerId: partnerA, now: new Date() });
    expect(page.rows.map((row) => row.serial)).toEqual(desc([...fair, ...plain, ...old]));
    expect(page.nextCursor).toBeNull();
    const row = page.rows.find((r) => r.serial === at(fair, 2, "code").id)!;
    expect(row).toMatchObject({
      code: at(fair, 2, "code").code,
      display: formatCode(at(fair, 2, "code").code, "CAFE"),
      prefix: "CAFE",
      status: "issued",
      bundleId: cafe.id,
      bundleName: "Café Starter",
      bundleContent: { staffSeats: 2, cardOperations: 1000, termMonths: 12 },
      batchLabel: "Fair",
      batchStatus: "ready",
      recipientName: "Anna Berg",
      recipientEmail: "anna@corner-coffee.test",
      lockedToEmail: false,
    });
    expect(row.display).toMatch(/^CAFE-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(row.expiresAt).toBeInstanceOf(Date);
    expect(page.rows.find((r) => r.serial === at(plain, 3, "code").id)?.display).toBe(
      formatCode(at(plain, 3, "code").code),
    );
  });

  test("status: issued, outstanding and expired are derived from expires_at", async () => {
    expect(await serials(partnerA, { status: "claimed" })).toEqual(
      desc([at(fair, 0, "code"), at(old, 0, "code")]),
    );
    expect(await serials(partnerA, { status: "revoked" })).toEqual([at(fair, 1, "code").id]);
    expect(await serials(partnerA, { status: "expired" })).toEqual([at(old, 1, "code").id]);
    expect(await serials(partnerA, { status: "outstanding" })).toEqual(
      desc([...fair.slice(2), ...plain]),
    );
    expect(await serials(partnerA, { status: "issued" })).toEqual(
      desc([...fair.slice(2), ...plain, at(old, 1, "code")]),
    );
    const expired = await listCodes(db(), {
      partnerId: partnerA,
      filter: { status: "expired" },
      now: new Date(),
    });
    expect(first(expired.rows, "expired row").status).toBe("expired");
  });

  test("a code whose own expiry is earlier than its batch's is expired too", async () => {
    // Expiry belongs to the code (support can shorten or extend one), not to its batch.
    await db()
      .updateTable("activation_codes")
      .set({ expires_at: new Date(Date.now() - DAY) })
      .where("id", "=", at(plain, 0, "code").id)
      .execute();
    try {
      expect(await serials(partnerA, { status: "expired" })).toEqual(
        desc([at(plain, 0, "code"), at(old, 1, "code")]),
      );
      expect(await serials(partnerA, { status: "expired", bundleId: pos.id })).toEqual([
        at(plain, 0, "code").id,
      ]);
    } finally {
      await db()
        .updateTable("activation_codes")
        .set({ expires_at: new Date(Date.now() + 365 * DAY) })
        .where("id", "=", at(plain, 0, "code").id)
        .execute();
    }
  });

  test("bundle and batch filters; another partner's or a malformed id matches nothing", async () => {
    expect(await serials(partnerA, { bundleId: pos.id })).toEqual(desc(plain));
    expect(await serials(partnerA, { batchId: fairBatchId })).toEqual(desc(fair));
    expect(await serials(partnerA, { batchId: fairBatchId, status: "outstanding" })).toEqual(
      desc(fair.slice(2)),
    );
    expect(await serials(partnerA, { batchId: foreignBatchId })).toEqual([]);
    expect(await serials(partnerA, { bundleId: "not-a-uuid" })).toEqual([]);
    expect(await serials(partnerA, { batchId: "'; drop table activation_codes; --" })).toEqual([]);
  });

  test("recipient: any-case substring of name or email, handed-out codes only", async () => {
    expect(await serials(partnerA, { recipient: "anna" })).toEqual([at(fair, 2, "code").id]);
    expect(await serials(partnerA, { recipient: "CORNER-coffee" })).toEqual([
      at(fair, 2, "code").id,
    ]);
    expect(await serials(partnerA, { recipient: "orders@bakery" })).toEqual([
      at(plain, 0, "code").id,
    ]);
    // LIKE wildcards are literal.
    expect(await serials(partnerA, { recipient: "100%" })).toEqual([at(plain, 1, "code").id]);
    expect(await serials(partnerA, { recipient: "%" })).toEqual([at(plain, 1, "code").id]);
    expect(await serials(partnerA, { recipient: "e_b" })).toEqual([at(plain, 1, "code").id]);
    // As a wildcard, "_" would match the space of "Anna Berg".
    expect(await serials(partnerA, { recipient: "a_b" })).toEqual([]);
    expect(await serials(partnerA, { recipient: "nobody" })).toEqual([]);
  });

  test("handed out yes / no", async () => {
    expect(await serials(partnerA, { handedOut: true })).toEqual(
      desc([at(fair, 2, "code"), at(plain, 0, "code"), at(plain, 1, "code")]),
    );
    const notHandedOut = await serials(partnerA, { handedOut: false });
    expect(notHandedOut).toHaveLength(8);
    expect(notHandedOut).not.toContain(at(fair, 2, "code").id);
  });

  test("search by code in any formatting, or by #N", async () => {
    const code = at(fair, 3, "code").code;
    const spaced = code
      .toLowerCase()
      .replace(/(.{4})/g, "$1 ")
      .trim();
    for (const input of [
      code,
      formatCode(code, "CAFE"),
      formatCode(code),
      spaced,
      ` cafe ${spaced} `,
      `cafe-${code.toLowerCase()}`,
      code.replace(/0/g, "O").replace(/1/g, "l"),
      `#${at(fair, 3, "code").id}`,
      String(at(fair, 3, "code").id),
      `# ${at(fair, 3, "code").id}`,
    ]) {
      expect(await serials(partnerA, { search: input }), input).toEqual([at(fair, 3, "code").id]);
    }
    // Another partner's code or serial: nothing, the same as an unknown one.
    expect(await serials(partnerA, { search: at(foreign, 1, "code").code })).toEqual([]);
    expect(await serials(partnerA, { search: `#${at(foreign, 1, "code").id}` })).toEqual([]);
    expect(await serials(partnerA, { search: generateCode() })).toEqual([]);
    // Search and filter together.
    expect(await serials(partnerA, { search: code, status: "revoked" })).toEqual([]);
  });

  test("a mistyped code is told apart from a malformed search", async () => {
    const code = at(fair, 3, "code").code;
    const last = code[15] === "0" ? "1" : "0";
    const mistyped = code.slice(0, 15) + last;
    await expect(
      listCodes(db(), { partnerId: partnerA, filter: { search: mistyped }, now: new Date() }),
    ).rejects.toThrow(CodeMistyped);
    await expect(
      listCodes(db(), { partnerId: partnerA, filter: { search: mistyped }, now: new Date() }),
    ).rejects.toMatchObject({ code: "code_mistyped", status: 400, field: "search" });
    for (const input of ["hello", "ABC-DEF", "#", "#-1", "#0", "U".repeat(16), "x\u0000y"]) {
      await expect(
        listCodes(db(), { partnerId: partnerA, filter: { search: input }, now: new Date() }),
        input,
      ).rejects.toThrow(InvalidCodeSearch);
    }
  });

  test("findCode and getCode: the partner's code by any formatting or serial, else null", async () => {
    const code = at(plain, 2, "code");
    expect(
      (
        await findCode(db(), {
          partnerId: partnerA,
          input: code.code.toLowerCase(),
          now: new Date(),
        })
      )?.serial,
    ).toBe(code.id);
    expect(
      (await findCode(db(), { partnerId: partnerA, input: `#${code.id}`, now: new Date() }))
        ?.serial,
    ).toBe(code.id);
    expect(
      await findCode(db(), {
        partnerId: partnerA,
        input: at(foreign, 0, "code").code,
        now: new Date(),
      }),
    ).toBeNull();
    expect(
      await findCode(db(), { partnerId: partnerA, input: "not a code", now: new Date() }),
    ).toBeNull();
    const mistyped = code.code.slice(0, 15) + (code.code[15] === "0" ? "1" : "0");
    await expect(
      findCode(db(), { partnerId: partnerA, input: mistyped, now: new Date() }),
    ).rejects.toMatchObject({
      code: "code_mistyped",
      field: "code",
    });
    expect(
      (await getCode(db(), { partnerId: partnerA, serial: code.id, now: new Date() }))?.code,
    ).toBe(code.code);
    expect(
      await getCode(db(), {
        partnerId: partnerA,
        serial: at(foreign, 0, "code").id,
        now: new Date(),
      }),
    ).toBeNull();
    expect(
      await getCode(db(), { partnerId: partnerB, serial: code.id, now: new Date() }),
    ).toBeNull();
    expect(await getCode(db(), { partnerId: partnerA, serial: -1, now: new Date() })).toBeNull();
    expect(await getCode(db(), { partnerId: partnerA, serial: 1.5, now: new Date() })).toBeNull();
    expect(
      await getCode(db(), {
        partnerId: partnerA,
        serial: Number.MAX_SAFE_INTEGER + 2,
        now: new Date(),
      }),
    ).toBeNull();
  });

  test("partner B sees only its own codes", async () => {
    expect(await serials(partnerB)).toEqual(desc(foreign));
    expect(await serials(partnerB, { recipient: "anna" })).toEqual([at(foreign, 0, "code").id]);
  });
});

describe("keyset paging", () => {
  let partnerId: string;
  let all: Code[];

  beforeAll(async () => {
    const { partner } = await createPartnerWithOwner();
    partnerId = partner.id;
    const bundle = await createBundle(partnerId);
    all = [
      ...(await createBatchWithCodes(bundle, { count: 13 })).codes,
      ...(await createBatchWithCodes(bundle, { count: 10 })).codes,
    ];
    for (const code of all.filter((_, i) => i % 3 === 0)) await revokeDirectly(code);
  });

  async function pageThrough(filter: CodeFilter, limit: number) {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listCodes(db(), { partnerId, filter, cursor, limit, now: new Date() });
      expect(page.rows.length).toBeLessThanOrEqual(limit);
      seen.push(...page.rows.map((row) => row.serial));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    return { seen, pages };
  }

  test("every code exactly once, newest first, no gaps", async () => {
    const { seen, pages } = await pageThrough({}, 5);
    expect(pages).toBe(5);
    expect(seen).toEqual(desc(all));
  });

  test("with a filter", async () => {
    const { seen } = await pageThrough({ status: "issued" }, 4);
    expect(seen).toEqual(desc(all.filter((_, i) => i % 3 !== 0)));
  });

  test("an exact page size has no empty next page", async () => {
    const { seen, pages } = await pageThrough({}, 23);
    expect(pages).toBe(1);
    expect(seen).toHaveLength(23);
  });

  test("filters confined to batches (batch, bundle, expired) page across gaps exactly", async () => {
    const { partner } = await createPartnerWithOwner();
    const [one, two] = [await createBundle(partner.id), await createBundle(partner.id)];
    const past = new Date(Date.now() - DAY);
    const oldA = (await createBatchWithCodes(one, { count: 7, expiresAt: past })).codes;
    const fresh = (await createBatchWithCodes(two, { count: 9 })).codes;
    const oldB = (await createBatchWithCodes(two, { count: 6, expiresAt: past })).codes;
    const newer = (await createBatchWithCodes(one, { count: 5 })).codes;
    // A code extended past its batch's expiry is no longer expired.
    await setCode(at(oldB, 2, "code").id, { expires_at: new Date(Date.now() + DAY) });
    await claim(at(oldA, 0, "code"));
    const pageAll = async (filter: CodeFilter) => {
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await listCodes(db(), {
          partnerId: partner.id,
          filter,
          cursor,
          limit: 2,
          now: new Date(),
        });
        seen.push(...page.rows.map((row) => row.serial));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    const expired = [...oldA.slice(1), ...oldB.filter((_, i) => i !== 2)];
    expect(await pageAll({ status: "expired" })).toEqual(desc(expired));
    expect(await pageAll({ bundleId: one.id })).toEqual(desc([...oldA, ...newer]));
    expect(await pageAll({ bundleId: two.id, status: "outstanding" })).toEqual(
      desc([...fresh, at(oldB, 2, "code")]),
    );
    expect(await pageAll({ bundleId: one.id, status: "claimed" })).toEqual([
      at(oldA, 0, "code").id,
    ]);
    const csv = await readAll(
      codesCsv(db(), {
        partnerId: partner.id,
        filter: { status: "expired" },
        chunkSize: 3,
        now: new Date(),
      }),
    );
    expect(
      csv
        .trim()
        .split("\r\n")
        .slice(1)
        .map((line) => Number(line.split(",")[0])),
    ).toEqual(desc(expired));
    // Nothing expired for a partner without expired batches; nothing for a foreign batch.
    expect(await serials(partnerId, { status: "expired" })).toEqual([]);
    expect(await serials(partner.id, { batchId: crypto.randomUUID() })).toEqual([]);
  });

  test("a tampered cursor is InvalidCursor; a page reading it shows the first page", async () => {
    const first = await listCodes(db(), { partnerId, limit: 5, now: new Date() });
    for (const cursor of ["garbage", "WyJ4Il0", "Wy0xXQ", "WzEuNV0", "W251bGxd", "x".repeat(600)]) {
      await expect(
        listCodes(db(), { partnerId, cursor, limit: 5, now: new Date() }),
        cursor,
      ).rejects.toBeInstanceOf(InvalidCursor);
      const page = await readPage(cursor, (after) =>
        listCodes(db(), { partnerId, cursor: after, limit: 5, now: new Date() }),
      );
      expect(page.staleCursor, cursor).toBe(true);
      expect(
        page.rows.map((r) => r.serial),
        cursor,
      ).toEqual(first.rows.map((r) => r.serial));
    }
  });
});

describe("CSV", () => {
  let partnerA: string;
  let partnerB: string;
  let codes: Code[];
  let bundleA: Selectable<Bundles>;

  beforeAll(async () => {
    partnerA = (await createPartnerWithOwner()).partner.id;
    partnerB = (await createPartnerWithOwner()).partner.id;
    bundleA = await createBundle(partnerA, { name: 'Bundle "Deluxe", large' });
    codes = (
      await createBatchWithCodes(bundleA, { count: 6, prefix: "CSV", label: "=HYPERLINK(1)" })
    ).codes;
    await createBatchWithCodes(await createBundle(partnerB), { count: 4 });
    await handOutDirectly(at(codes, 0, "code"), 'Smith, "Jo"', "jo@example.test");
    await handOutDirectly(at(codes, 1, "code"), "=cmd|' /C calc'!A0", "+1@example.test");
    await handOutDirectly(at(codes, 2, "code"), "line\nbreak", null);
    await handOutDirectly(at(codes, 3, "code"), "@SUM(A1)", null);
    await setCode(at(codes, 4, "code").id, {
      status: "revoked",
      revoked_at: new Date("2026-01-02T03:04:05.000Z"),
      revoke_reason: "-lost",
    });
  });

  function parseCsv(text: string): string[][] {
    // A small RFC 4180 reader for the assertions.
    const rows: string[][] = [];
    let row: string[] = [];
    let cell = "";
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") {
        row.push(cell);
        cell = "";
      } else if (c === "\r" && text[i + 1] === "\n") {
        row.push(cell);
        rows.push(row);
        row = [];
        cell = "";
        i++;
      } else cell += c;
    }
    if (cell || row.length) throw new Error("CSV does not end with CRLF");
    return rows;
  }

  test("a header and one quoted, guarded line per code, newest first", async () => {
    const text = await readAll(
      codesCsv(db(), { partnerId: partnerA, filter: {}, now: new Date() }),
    );
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([
      "serial",
      "code",
      "status",
      "bundle",
      "batch_label",
      "expires_at",
      "recipient_name",
      "recipient_email",
      "handed_out_at",
      "revoked_at",
      "revoke_reason",
      "redeem_url",
      "claimed_at",
      "claimed_by_business",
      "claimed_by_business_id",
    ]);
    expect(rows).toHaveLength(7);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(desc(codes));
    const byserial = new Map(rows.slice(1).map((r) => [Number(r[0]), r]));
    const first = byserial.get(at(codes, 0, "code").id)!;
    expect(first[1]).toBe(formatCode(at(codes, 0, "code").code, "CSV"));
    expect(first[2]).toBe("issued");
    expect(first[3]).toBe('Bundle "Deluxe", large');
    expect(first[4]).toBe("'=HYPERLINK(1)");
    expect(first[6]).toBe('Smith, "Jo"');
    expect(first[7]).toBe("jo@example.test");
    expect(first[8]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(first[11]).toBe(redeemUrl(at(codes, 0, "code").code, "CSV"));
    expect(first[11]).toBe(
      `${env.PUBLIC_URL}/redeem/${formatCode(at(codes, 0, "code").code, "CSV")}`,
    );
    expect(byserial.get(at(codes, 1, "code").id)![6]).toBe("'=cmd|' /C calc'!A0");
    expect(byserial.get(at(codes, 1, "code").id)![7]).toBe("'+1@example.test");
    expect(byserial.get(at(codes, 2, "code").id)![6]).toBe("line\nbreak");
    expect(byserial.get(at(codes, 3, "code").id)![6]).toBe("'@SUM(A1)");
    const revoked = byserial.get(at(codes, 4, "code").id)!;
    expect(revoked.slice(2, 3)).toEqual(["revoked"]);
    expect(revoked[9]).toBe("2026-01-02T03:04:05.000Z");
    expect(revoked[10]).toBe("'-lost");
    // The raw text: quotes doubled inside quoted cells.
    expect(text).toContain('"Smith, ""Jo"""');
  });

  test("follows the filter, and never shows another partner's codes", async () => {
    const revoked = parseCsv(
      await readAll(
        codesCsv(db(), { partnerId: partnerA, filter: { status: "revoked" }, now: new Date() }),
      ),
    );
    expect(revoked.slice(1).map((r) => Number(r[0]))).toEqual([at(codes, 4, "code").id]);
    const others = parseCsv(
      await readAll(codesCsv(db(), { partnerId: partnerB, filter: {}, now: new Date() })),
    );
    expect(others).toHaveLength(5);
    const ours = new Set(codes.map((c) => c.id));
    expect(others.slice(1).some((r) => ours.has(Number(r[0])))).toBe(false);
    const none = parseCsv(
      await readAll(
        codesCsv(db(), { partnerId: partnerA, filter: { batchId: "nope" }, now: new Date() }),
      ),
    );
    expect(none).toHaveLength(1);
  });

  test("a byte order mark on request; a bad search throws before streaming", async () => {
    const bytes = new Uint8Array(
      await new Response(
        codesCsv(db(), { partnerId: partnerA, bom: true, now: new Date() }),
      ).arrayBuffer(),
    );
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(() =>
      codesCsv(db(), { partnerId: partnerA, filter: { search: "nonsense" }, now: new Date() }),
    ).toThrow(InvalidCodeSearch);
  });

  test("streams 20,000 codes in chunks, reading each only when asked", async () => {
    const bundle = await createBundle(partnerA, { name: "Bulk bundle" });
    const batch = await bulkBatch(bundle, 20_000);
    if (testDb().backend === "postgres") {
      // PostgreSQL writes it with COPY (ADR 030); the keyset path runs inside a transaction.
      const copied = await readAll(
        codesCsv(db(), { partnerId: partnerA, filter: { batchId: batch.id }, now: new Date() }),
      );
      expect(copied.split("\r\n").filter(Boolean)).toHaveLength(20_001);
      await db()
        .transaction()
        .execute((trx) => keysetChunks(trx, batch.id));
    } else {
      await keysetChunks(db(), batch.id);
    }
  });

  async function keysetChunks(database: ReturnType<typeof db>, batchId: string) {
    const stream = codesCsv(database, {
      partnerId: partnerA,
      filter: { batchId },
      now: new Date(),
    });
    expect(stream).toBeInstanceOf(ReadableStream);
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    const header = await reader.read();
    expect(decoder.decode(header.value)).toMatch(/^serial,code,/);
    const firstChunk = decoder.decode((await reader.read()).value);
    expect(firstChunk.split("\r\n").filter(Boolean)).toHaveLength(5000);
    let lines = 5000;
    let chunks = 1;
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      chunks += 1;
      lines += decoder.decode(next.value).split("\r\n").filter(Boolean).length;
    }
    expect(lines).toBe(20_000);
    expect(chunks).toBe(4);
  }

  test("cancelling the stream stops it", async () => {
    const stream = codesCsv(db(), { partnerId: partnerA, chunkSize: 2, now: new Date() });
    const reader = stream.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect((await reader.closed) ?? "closed").toBe("closed");
  });
});

describe("revoke", () => {
  let partnerId: string;
  let otherPartnerId: string;
  let bundle: Selectable<Bundles>;

  beforeAll(async () => {
    partnerId = (await createPartnerWithOwner()).partner.id;
    otherPartnerId = (await createPartnerWithOwner()).partner.id;
    bundle = await createBundle(partnerId);
  });

  test("an issued code: revoked with its reason, audited before / after", async () => {
    const code = only((await createBatchWithCodes(bundle, { count: 1 })).codes, "code");
    const row = await revokeCode(db(), {
      partnerId,
      serial: code.id,
      reason: "  Lost card  ",
      actor,
      ip: "203.0.113.9",
      now: new Date(),
    });
    expect(row).toMatchObject({ status: "revoked", revokeReason: "Lost card" });
    expect(row.revokedAt).toBeInstanceOf(Date);
    const audit = (await auditRows("code.revoked")).at(-1)!;
    expect(audit).toMatchObject({
      subject_type: "activation_code",
      subject_id: String(code.id),
      partner_id: partnerId,
      actor_label: actor.label,
      ip: "203.0.113.9",
      after: { status: "revoked", reason: "Lost card" },
    });
  });

  test("an expired, unclaimed code can be revoked", async () => {
    const code = only(
      (await createBatchWithCodes(bundle, { count: 1, expiresAt: new Date(Date.now() - DAY) }))
        .codes,
      "code",
    );
    const row = await revokeCode(db(), {
      partnerId,
      serial: code.id,
      reason: "expired",
      actor,
      now: new Date(),
    });
    expect(row.status).toBe("revoked");
  });

  test("claimed or already revoked: CodeNotRevocable, nothing written", async () => {
    const { codes } = await createBatchWithCodes(bundle, { count: 2 });
    const claimed = at(codes, 0, "code");
    const revoked = at(codes, 1, "code");
    await claim(claimed);
    await revokeDirectly(revoked, "first");
    const before = await countRows(["audit_log"]);
    await expect(
      revokeCode(db(), { partnerId, serial: claimed.id, reason: "x", actor, now: new Date() }),
    ).rejects.toMatchObject({ code: "code_not_revocable", status: 409, currentStatus: "claimed" });
    await expect(
      revokeCode(db(), { partnerId, serial: revoked.id, reason: "again", actor, now: new Date() }),
    ).rejects.toThrow(CodeNotRevocable);
    expect(await countRows(["audit_log"])).toEqual(before);
    expect(
      (await getCode(db(), { partnerId, serial: revoked.id, now: new Date() }))?.revokeReason,
    ).toBe("first");
    expect((await getCode(db(), { partnerId, serial: claimed.id, now: new Date() }))?.status).toBe(
      "claimed",
    );
  });

  test("a reason is required, at most 200 characters; nothing written otherwise", async () => {
    const code = only((await createBatchWithCodes(bundle, { count: 1 })).codes, "code");
    const before = await countRows(["audit_log"]);
    for (const reason of ["", "   ", "x".repeat(201), "a\u0000b"]) {
      const error = await revokeCode(db(), {
        partnerId,
        serial: code.id,
        reason,
        actor,
        now: new Date(),
      }).catch((e: unknown) => e);
      expect(error, JSON.stringify(reason)).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: "invalid_request", status: 400, field: "reason" });
      expect((error as Error).message).toMatch(/^Reason /);
    }
    expect(await countRows(["audit_log"])).toEqual(before);
    expect((await getCode(db(), { partnerId, serial: code.id, now: new Date() }))?.status).toBe(
      "issued",
    );
    await revokeCode(db(), {
      partnerId,
      serial: code.id,
      reason: "x".repeat(200),
      actor,
      now: new Date(),
    });
  });

  test("another partner's code: CodeNotFound, unchanged", async () => {
    const code = only((await createBatchWithCodes(bundle, { count: 1 })).codes, "code");
    await expect(
      revokeCode(db(), {
        partnerId: otherPartnerId,
        serial: code.id,
        reason: "mine?",
        actor,
        now: new Date(),
      }),
    ).rejects.toThrow(CodeNotFound);
    await expect(
      revokeCode(db(), { partnerId, serial: 0, reason: "zero", actor, now: new Date() }),
    ).rejects.toThrow(CodeNotFound);
    expect((await getCode(db(), { partnerId, serial: code.id, now: new Date() }))?.status).toBe(
      "issued",
    );
  });

  test("all unclaimed codes of a batch: one statement, one audit entry with the count", async () => {
    const { batch, codes } = await createBatchWithCodes(bundle, { count: 6 });
    await claim(at(codes, 0, "code"));
    await revokeDirectly(at(codes, 1, "code"), "earlier");
    await setCode(at(codes, 2, "code").id, { expires_at: new Date(Date.now() - DAY) });
    const untouched = only((await createBatchWithCodes(bundle, { count: 1 })).codes, "code");
    const count = await revokeUnclaimedCodesOfBatch(db(), {
      partnerId,
      batchId: batch.id,
      reason: "Fair cancelled",
      actor,
      now: new Date(),
    });
    expect(count).toBe(4);
    const rows = await listCodes(db(), {
      partnerId,
      filter: { batchId: batch.id },
      now: new Date(),
    });
    const statusOf = new Map(rows.rows.map((r) => [r.serial, r]));
    expect(statusOf.get(at(codes, 0, "code").id)?.status).toBe("claimed");
    expect(statusOf.get(at(codes, 1, "code").id)?.revokeReason).toBe("earlier");
    for (const code of codes.slice(2)) {
      expect(statusOf.get(code.id)).toMatchObject({
        status: "revoked",
        revokeReason: "Fair cancelled",
      });
    }
    expect(
      (await getCode(db(), { partnerId, serial: untouched.id, now: new Date() }))?.status,
    ).toBe("issued");
    const audit = (await auditRows("batch.codes_revoked")).at(-1)!;
    expect(audit).toMatchObject({
      subject_type: "code_batch",
      subject_id: batch.id,
      partner_id: partnerId,
      after: { count: 4, reason: "Fair cancelled" },
    });
    // The code's own history shows the batch-wide revocation.
    const history = await codeHistory(db(), { partnerId, serial: at(codes, 3, "code").id });
    expect(history.map((h) => h.action)).toEqual(["code.created", "batch.codes_revoked"]);
    expect(at(history, 1, "history entry").details).toMatchObject({ reason: "Fair cancelled" });
    // A code revoked earlier does not claim the later batch revocation.
    const earlier = await codeHistory(db(), { partnerId, serial: at(codes, 1, "code").id });
    expect(earlier.map((h) => h.action)).toEqual(["code.created"]);
    // Again: nothing left to revoke.
    expect(
      await revokeUnclaimedCodesOfBatch(db(), {
        partnerId,
        batchId: batch.id,
        reason: "again",
        actor,
        now: new Date(),
      }),
    ).toBe(0);
  });

  test("batch revocation: another partner's, a malformed id, a generating batch, no reason", async () => {
    const { batch, codes } = await createBatchWithCodes(bundle, { count: 2 });
    const before = await countRows(["audit_log"]);
    await expect(
      revokeUnclaimedCodesOfBatch(db(), {
        partnerId: otherPartnerId,
        batchId: batch.id,
        reason: "x",
        actor,
        now: new Date(),
      }),
    ).rejects.toThrow(BatchNotFound);
    await expect(
      revokeUnclaimedCodesOfBatch(db(), {
        partnerId,
        batchId: "nope",
        reason: "x",
        actor,
        now: new Date(),
      }),
    ).rejects.toThrow(BatchNotFound);
    await expect(
      revokeUnclaimedCodesOfBatch(db(), {
        partnerId,
        batchId: batch.id,
        reason: "",
        actor,
        now: new Date(),
      }),
    ).rejects.toMatchObject({ field: "reason", status: 400 });
    const generating = await createBatchWithCodes(bundle, { count: 2, status: "generating" });
    await expect(
      revokeUnclaimedCodesOfBatch(db(), {
        partnerId,
        batchId: generating.batch.id,
        reason: "x",
        actor,
        now: new Date(),
      }),
    ).rejects.toMatchObject({ code: "batch_not_ready", status: 409 });
    expect(await countRows(["audit_log"])).toEqual(before);
    for (const code of codes) {
      expect((await getCode(db(), { partnerId, serial: code.id, now: new Date() }))?.status).toBe(
        "issued",
      );
    }
  });
});

describe("hand out and email", () => {
  let partnerId: string;
  let partnerName: string;
  let otherPartnerId: string;
  let bundle: Selectable<Bundles>;

  beforeAll(async () => {
    const { partner } = await createPartnerWithOwner({ name: "Brewline Agency" });
    partnerId = partner.id;
    partnerName = partner.name;
    otherPartnerId = (await createPartnerWithOwner()).partner.id;
    bundle = await createBundle(partnerId, {
      name: "Café Starter",
      staffSeats: 2,
      cardOperations: 1000,
      termMonths: 12,
    });
  });

  beforeEach(() => {
    testOutbox().length = 0;
  });

  async function freshCode(options: Parameters<typeof createBatchWithCodes>[1] = {}) {
    return only((await createBatchWithCodes(bundle, { count: 1, ...options })).codes, "code");
  }

  test("records the recipient, audited; the email is stored in lower case", async () => {
    const code = await freshCode();
    const row = await handOutCode(db(), {
      partnerId,
      serial: code.id,
      recipient: { name: " Anna Berg ", email: "Anna@Corner-Coffee.test", note: "Order 42" },
      lockToEmail: true,
      actor,
      now: new Date(),
    });
    expect(row).toMatchObject({
      recipientName: "Anna Berg",
      recipientEmail: "anna@corner-coffee.test",
      recipientNote: "Order 42",
      lockedToEmail: true,
    });
    expect(row.handedOutAt).toBeInstanceOf(Date);
    const audit = (await auditRows("code.handed_out")).at(-1)!;
    expect(audit).toMatchObject({
      subject_type: "activation_code",
      subject_id: String(code.id),
      partner_id: partnerId,
      after: {
        name: "Anna Berg",
        email: "anna@corner-coffee.test",
        note: "Order 42",
        lockedToEmail: true,
      },
    });
  });

  test("everything optional: a code can be marked as handed out with no recipient", async () => {
    const code = await freshCode();
    const row = await handOutCode(db(), {
      partnerId,
      serial: code.id,
      recipient: { name: "", email: "", note: "" },
      lockToEmail: false,
      actor,
      now: new Date(),
    });
    expect(row).toMatchObject({ recipientName: null, recipientEmail: null, recipientNote: null });
    expect(row.handedOutAt).toBeInstanceOf(Date);
  });

  test("validation names the field and writes nothing", async () => {
    const code = await freshCode();
    const before = await countRows(["audit_log"]);
    const cases: [Record<string, string>, boolean, string][] = [
      [{ name: "x".repeat(121) }, false, "name"],
      [{ email: "not-an-email" }, false, "email"],
      [{ email: `${"x".repeat(250)}@example.test` }, false, "email"],
      [{ note: "x".repeat(501) }, false, "note"],
      [{ name: "a\u0000b" }, false, "name"],
      [{ name: "Anna" }, true, "email"],
      [{ email: "" }, true, "email"],
    ];
    for (const [recipient, lockToEmail, field] of cases) {
      const error = await handOutCode(db(), {
        partnerId,
        serial: code.id,
        recipient,
        lockToEmail,
        actor,
        now: new Date(),
      }).catch((e: unknown) => e);
      expect(error, JSON.stringify(recipient)).toMatchObject({
        code: "invalid_request",
        status: 400,
        field,
      });
    }
    const lockError = (await handOutCode(db(), {
      partnerId,
      serial: code.id,
      recipient: { name: "Anna" },
      lockToEmail: true,
      actor,
      now: new Date(),
    }).catch((e: unknown) => e)) as DomainError;
    expect(lockError.message).toMatch(/email/i);
    expect(await countRows(["audit_log"])).toEqual(before);
    expect(
      (await getCode(db(), { partnerId, serial: code.id, now: new Date() }))?.handedOutAt,
    ).toBeNull();
    // At the limits it is fine.
    await handOutCode(db(), {
      partnerId,
      serial: code.id,
      recipient: { name: "x".repeat(120), note: "y".repeat(500) },
      lockToEmail: false,
      actor,
      now: new Date(),
    });
  });

  test("only a code that can still be claimed; another partner's is not found", async () => {
    const claimed = await freshCode();
    await claim(claimed);
    const revoked = await freshCode();
    await revokeDirectly(revoked);
    const expired = await freshCode({ expiresAt: new Date(Date.now() - DAY) });
    const mine = await freshCode();
    const input = { recipient: { name: "Anna" }, lockToEmail: false, actor };
    await expect(
      handOutCode(db(), { partnerId, serial: claimed.id, ...input, now: new Date() }),
    ).rejects.toMatchObject({
      code: "code_already_claimed",
      status: 409,
    });
    await expect(
      handOutCode(db(), { partnerId, serial: revoked.id, ...input, now: new Date() }),
    ).rejects.toMatchObject({
      code: "code_revoked",
    });
    await expect(
      handOutCode(db(), { partnerId, serial: expired.id, ...input, now: new Date() }),
    ).rejects.toThrow(CodeNotIssued);
    await expect(
      handOutCode(db(), { partnerId: otherPartnerId, serial: mine.id, ...input, now: new Date() }),
    ).rejects.toThrow(CodeNotFound);
    expect(
      (await getCode(db(), { partnerId, serial: mine.id, now: new Date() }))?.recipientName,
    ).toBeNull();
  });

  test("handed_out_at: kept while the recipient stays, renewed when it changes", async () => {
    const code = await freshCode();
    const first = await handOutCode(db(), {
      partnerId,
      serial: code.id,
      recipient: { name: "Anna", email: "anna@example.test" },
      lockToEmail: false,
      actor,
      now: new Date(),
    });
    await setCode(code.id, {
      handed_out_at: new Date("2026-01-01T00:00:00Z"),
      emailed_at: new Date("2026-01-01T00:05:00Z"),
    });
    const noteOnly = await handOutCode(db(), {
      partnerId,
      serial: code.id,
      recipient: { name: "Anna", email: "anna@example.test", note: "called her" },
      lockToEmail: true,
      actor,
      now: new Date(),
    });
    expect(noteOnly.handedOutAt?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(noteOnly.emailedAt?.toISOString()).toBe("2026-01-01T00:05:00.000Z");
    const someoneElse = await handOutCode(db(), {
      partnerId,
      serial: code.id,
      recipient: { name: "Ben", email: "ben@example.test" },
      lockToEmail: false,
      actor,
      now: new Date(),
    });
    expect(someoneElse.handedOutAt!.getTime()).toBeGreaterThan(
      new Date("2026-01-01T00:00:00Z").getTime(),
    );
    expect(someoneElse.emailedAt).toBeNull();
    expect(first.handedOutAt).toBeInstanceOf(Date);
  });

  test("email: one message with the code, link, content and expiry; emailed_at and audit set", async () => {
    const expiresAt = new Date("2031-03-15T23:59:59.999Z");
    const code = await freshCode({ prefix: "CAFE", expiresAt });
    await handOutCode(db(), {
      partnerId,
      serial: code.id,
      recipient: { name: "Anna Berg", email: "anna@example.test" },
      lockToEmail: true,
      actor,
      now: new Date(),
    });
    const row = await emailCode(db(), {
      partnerId,
      serial: code.id,
      actor,
      ip: "203.0.113.7",
      now: new Date(),
    });
    expect(row.emailedAt).toBeInstanceOf(Date);
    expect(testOutbox()).toHaveLength(1);
    const mail = only(testOutbox(), "email");
    const display = formatCode(code.code, "CAFE");
    const link = `${env.PUBLIC_URL}/redeem/${display}`;
    expect(mail.to).toBe("anna@example.test");
    expect(mail.subject).toContain(partnerName);
    expect(mail.link).toBe(link);
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain(display);
      expect(body).toContain(link);
      expect(body).toContain("2 staff seats");
      expect(body).toContain("1,000 card operations");
      expect(body).toContain("12 months");
      expect(body).toContain("March 15, 2031");
      expect(body).toContain("Anna Berg");
      expect(body).toContain(partnerName);
    }
    expect(mail.text).toContain(
      "only be redeemed by an account with the email address anna@example.test",
    );
    const audit = (await auditRows("code.emailed")).at(-1)!;
    expect(audit).toMatchObject({
      subject_id: String(code.id),
      partner_id: partnerId,
      ip: "203.0.113.7",
      after: { to: "anna@example.test" },
    });
  });

  test("email: needs a recipient email and a claimable code; nothing sent otherwise", async () => {
    const noEmail = await freshCode();
    await handOutCode(db(), {
      partnerId,
      serial: noEmail.id,
      recipient: { name: "Anna" },
      lockToEmail: false,
      actor,
      now: new Date(),
    });
    const before = await countRows(["audit_log"]);
    await expect(
      emailCode(db(), { partnerId, serial: noEmail.id, actor, now: new Date() }),
    ).rejects.toThrow(RecipientEmailMissing);
    const revoked = await freshCode();
    await handOutDirectly(revoked, "R", "r@example.test");
    await revokeDirectly(revoked);
    await expect(
      emailCode(db(), { partnerId, serial: revoked.id, actor, now: new Date() }),
    ).rejects.toMatchObject({
      code: "code_revoked",
    });
    const expired = await freshCode({ expiresAt: new Date(Date.now() - DAY) });
    await handOutDirectly(expired, "E", "e@example.test");
    await expect(
      emailCode(db(), { partnerId, serial: expired.id, actor, now: new Date() }),
    ).rejects.toMatchObject({
      code: "code_expired",
    });
    const generating = await createBatchWithCodes(bundle, { count: 1, status: "generating" });
    const pending = await db()
      .insertInto("activation_codes")
      .values({
        code: generateCode(),
        partner_id: partnerId,
        bundle_id: bundle.id,
        batch_id: generating.batch.id,
        expires_at: new Date(Date.now() + DAY),
        recipient_email: "p@example.test",
        handed_out_at: new Date(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await expect(
      emailCode(db(), { partnerId, serial: pending.id, actor, now: new Date() }),
    ).rejects.toMatchObject({
      code: "code_not_ready",
    });
    const mine = await freshCode();
    await handOutDirectly(mine, "M", "m@example.test");
    await expect(
      emailCode(db(), { partnerId: otherPartnerId, serial: mine.id, actor, now: new Date() }),
    ).rejects.toThrow(CodeNotFound);
    expect(testOutbox()).toHaveLength(0);
    expect(await countRows(["audit_log"])).toEqual(before);
  });

  test("history: created, handed out, emailed, revoked — oldest first, with who did it", async () => {
    const code = await freshCode({ label: "Spring fair" });
    await handOutCode(db(), {
      partnerId,
      serial: code.id,
      recipient: { name: "Anna", email: "anna@example.test" },
      lockToEmail: false,
      actor: { userId: null, label: "first@example.test" },
      now: new Date(),
    });
    await emailCode(db(), { partnerId, serial: code.id, actor, now: new Date() });
    await revokeCode(db(), {
      partnerId,
      serial: code.id,
      reason: "wrong person",
      actor,
      now: new Date(),
    });
    const history = await codeHistory(db(), { partnerId, serial: code.id });
    expect(history.map((h) => h.action)).toEqual([
      "code.created",
      "code.handed_out",
      "code.emailed",
      "code.revoked",
    ]);
    expect(at(history, 0, "history entry").details).toMatchObject({
      batchLabel: "Spring fair",
      batchSize: 1,
    });
    expect(at(history, 1, "history entry")).toMatchObject({
      actorLabel: "first@example.test",
      details: { name: "Anna", email: "anna@example.test" },
    });
    expect(at(history, 2, "history entry").details).toEqual({ to: "anna@example.test" });
    expect(at(history, 3, "history entry").details).toMatchObject({ reason: "wrong person" });
    for (let i = 1; i < history.length; i++) {
      expect(at(history, i, "history entry").at.getTime()).toBeGreaterThanOrEqual(
        at(history, i - 1, "history entry").at.getTime(),
      );
    }
    expect(await codeHistory(db(), { partnerId: otherPartnerId, serial: code.id })).toEqual([]);
  });
});
