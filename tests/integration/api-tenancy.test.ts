// Partner A's key never reads or changes partner B's bundles, batches or codes, on any
// endpoint: B's ids answer exactly what ids that do not exist answer (404), lists and
// filters never show B's rows, and nothing of B's is written.
import { beforeAll, describe, expect, test } from "vitest";
import { formatCode } from "~/lib/activation-code";
import { testDb } from "../db.ts";
import {
  claimByNewBusiness,
  createBatchWithCodes,
  createBundle,
  createPartner,
} from "../factories.ts";
import { callApi, partnerKey, type ApiResult } from "../helpers/api.ts";
import { countRows } from "../helpers/auth.ts";
import { at, first, only } from "../helpers/rows.ts";
import type { Bundle, Code, Page, StatementList } from "../helpers/typed.ts";

const MISSING_UUID = "00000000-0000-4000-8000-000000000000";
const MISSING_CODE = "0000000000000000"; // a well-formed code (check symbol 0) nobody has

interface Side {
  partner: Awaited<ReturnType<typeof createPartner>>;
  token: string;
  bundle: Awaited<ReturnType<typeof createBundle>>;
  batch: Awaited<ReturnType<typeof createBatchWithCodes>>["batch"];
  codes: Awaited<ReturnType<typeof createBatchWithCodes>>["codes"];
}

let a: Side;
let b: Side;

async function side(prefix: string): Promise<Side> {
  const partner = await createPartner();
  const token = await partnerKey(partner.id);
  const bundle = await createBundle(partner.id);
  const { batch, codes } = await createBatchWithCodes(bundle, { count: 3, prefix });
  return { partner, token, bundle, batch, codes };
}

beforeAll(async () => {
  a = await side("AAAA");
  b = await side("BBBB");
});

const everything = [
  "bundles",
  "code_batches",
  "activation_codes",
  "audit_log",
  "api_keys",
] as const;

/** B's id and a missing id get the same answer: status, code and detail. */
function expectSame404(other: ApiResult, missing: ApiResult, code = "not_found") {
  expect(other.status).toBe(404);
  expect(other.headers.get("Content-Type")).toBe("application/problem+json");
  expect(other.body).toMatchObject({ code });
  expect(other.body).toEqual(missing.body);
}

describe("partner A's key on partner B's resources", () => {
  test("GET /bundles and GET /bundles/{id}", async () => {
    const list = await callApi<Page<Bundle>>({
      path: "/api/v1/bundles?status=all",
      token: a.token,
    });
    const ids = list.body.data.map((x) => x.id);
    expect(ids).toContain(a.bundle.id);
    expect(ids).not.toContain(b.bundle.id);

    const get = (id: string) => callApi({ path: `/api/v1/bundles/${id}`, token: a.token });
    expectSame404(await get(b.bundle.id), await get(MISSING_UUID));
    expect((await get(a.bundle.id)).status).toBe(200);
  });

  test("POST /bundles creates for A only", async () => {
    const result = await callApi<Bundle>({
      method: "POST",
      path: "/api/v1/bundles",
      token: a.token,
      body: { name: "Mine", staff_seats: 1, card_operations: 0, term_months: 1 },
    });
    expect(result.status).toBe(201);
    const row = await testDb()
      .db.selectFrom("bundles")
      .select("partner_id")
      .where("id", "=", result.body.id)
      .executeTakeFirstOrThrow();
    expect(row.partner_id).toBe(a.partner.id);
  });

  test("POST /bundles/{id}/codes on B's bundle: 404, nothing written", async () => {
    const before = await countRows([...everything]);
    const generate = (id: string) =>
      callApi({
        method: "POST",
        path: `/api/v1/bundles/${id}/codes`,
        token: a.token,
        body: { count: 5 },
      });
    expectSame404(await generate(b.bundle.id), await generate(MISSING_UUID));
    // A large one too, which would otherwise go to the job.
    const large = await callApi({
      method: "POST",
      path: `/api/v1/bundles/${b.bundle.id}/codes`,
      token: a.token,
      body: { count: 50_000 },
    });
    expect(large.status).toBe(404);
    expect(await countRows([...everything])).toEqual(before);
  });

  test("GET /batches/{id} and /batches/{id}/codes.csv", async () => {
    for (const suffix of ["", "/codes.csv"]) {
      const get = (id: string) =>
        callApi({ path: `/api/v1/batches/${id}${suffix}`, token: a.token });
      expectSame404(await get(b.batch.id), await get(MISSING_UUID));
      expect((await get(a.batch.id)).status).toBe(200);
    }
  });

  test("GET /codes never lists B's codes, whatever the filter, and does list A's", async () => {
    const bSerials = new Set(b.codes.map((c) => c.id));
    const aSerials = new Set(a.codes.map((c) => c.id));
    for (const query of [
      "",
      "?status=issued",
      "?status=outstanding",
      `?bundle_id=${b.bundle.id}`,
      `?batch_id=${b.batch.id}`,
      "?limit=500",
    ]) {
      const result = await callApi<Page<Code>>({ path: `/api/v1/codes${query}`, token: a.token });
      expect(result.status, query).toBe(200);
      for (const code of result.body.data) expect(bSerials.has(code.serial), query).toBe(false);
      if (query.includes(b.bundle.id) || query.includes(b.batch.id)) {
        expect(result.body.data, query).toEqual([]);
      } else {
        // An endpoint that answered [] to everyone would pass the check above: A sees its own.
        const listed = result.body.data.map((code) => code.serial);
        expect(listed.filter((serial) => aSerials.has(serial)).length, query).toBe(aSerials.size);
      }
    }
  });

  test("GET /codes/{code}: B's code by text or #N is 404 like a missing one", async () => {
    const target = first(b.codes, "code of B");
    const get = (input: string) =>
      callApi({ path: `/api/v1/codes/${encodeURIComponent(input)}`, token: a.token });
    const missing = await get(MISSING_CODE);
    for (const input of [target.code, formatCode(target.code, "BBBB"), `#${target.id}`]) {
      expectSame404(await get(input), missing, "code_not_found");
    }
    expect(
      (
        await callApi({
          path: `/api/v1/codes/${encodeURIComponent(`#${target.id}`)}`,
          token: b.token,
        })
      ).status,
    ).toBe(200);
  });

  test("POST /codes/{code}/revoke on B's code: 404, the code stays issued, nothing written", async () => {
    const target = at(b.codes, 1, "code of B");
    const before = await countRows([...everything]);
    const revoke = (input: string) =>
      callApi({
        method: "POST",
        path: `/api/v1/codes/${encodeURIComponent(input)}/revoke`,
        token: a.token,
        body: { reason: "not yours" },
      });
    const missing = await revoke(MISSING_CODE);
    expectSame404(await revoke(target.code), missing, "code_not_found");
    expectSame404(await revoke(`#${target.id}`), missing, "code_not_found");
    const row = await testDb()
      .db.selectFrom("activation_codes")
      .select(["status", "revoked_at"])
      .where("id", "=", target.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "issued", revoked_at: null });
    expect(await countRows([...everything])).toEqual(before);
  });

  test("GET /statements lists A's own months only, never B's figures", async () => {
    // A claim of B's this month: B's running draft has a line, A's has none.
    const { codes } = await createBatchWithCodes(b.bundle, { count: 1 });
    await claimByNewBusiness(only(codes, "code"));
    const list = (token: string) => callApi<StatementList>({ path: "/api/v1/statements", token });
    const ofA = await list(a.token);
    expect(ofA.status).toBe(200);
    expect(ofA.body.data).toHaveLength(1);
    expect(ofA.body.data[0]).toMatchObject({
      status: "draft",
      line_count: 0,
      totals: { total_cents: 0 },
    });
    const ofB = await list(b.token);
    const draftOfB = first(ofB.body.data, "statement of B");
    expect(draftOfB).toMatchObject({ status: "draft", line_count: 1 });
    expect(draftOfB.totals.total_cents).toBeGreaterThan(0);
  });

  test("and the other way round: B's key does not see A's bundle", async () => {
    const result = await callApi({
      path: `/api/v1/bundles/${a.bundle.id}`,
      token: b.token,
    });
    expect(result.status).toBe(404);
  });
});
