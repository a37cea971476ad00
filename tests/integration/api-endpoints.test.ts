// Every partner API endpoint on its happy path and with bad input (DESIGN.md §6): JSON in
// snake_case with ISO dates and cents, 201/202 for batches, the streamed CSV, and 400/404
// problems naming the field that write nothing.
import { beforeAll, describe, expect, test } from "vitest";
import { CODE_ALPHABET, formatCode } from "~/lib/activation-code";
import { testDb } from "../db.ts";
import { createBatchWithCodes, createBundle, createPartner } from "../factories.ts";
import { callApi, partnerKey, type ApiResult } from "../helpers/api.ts";
import {
  anyInstance,
  type Batch,
  type Bundle,
  type Code,
  type GeneratedBatch,
  type GeneratingBatch,
  type Page,
} from "../helpers/typed.ts";
import { auditRows, countRows } from "../helpers/auth.ts";
import { at, first, only } from "../helpers/rows.ts";

const MISSING_UUID = "00000000-0000-4000-8000-000000000000";
const WRITTEN = ["bundles", "code_batches", "activation_codes", "audit_log"] as const;

let partner: Awaited<ReturnType<typeof createPartner>>;
let token: string;
let bundle: Awaited<ReturnType<typeof createBundle>>;
let archived: Awaited<ReturnType<typeof createBundle>>;

beforeAll(async () => {
  partner = await createPartner({ discountBps: 3000 });
  token = await partnerKey(partner.id, "Shop POS");
  bundle = await createBundle(partner.id, {
    name: "Café Starter",
    staffSeats: 2,
    cardOperations: 1000,
    termMonths: 12,
    codeValidityDays: 90,
    resalePriceCents: 60_000,
  });
  archived = await createBundle(partner.id, { name: "Old", status: "archived" });
});

type Problem = {
  code: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
};

function expectProblem(result: ApiResult, status: number, code: string, fields?: string[]) {
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  expect(result.headers.get("Content-Type")).toBe("application/problem+json");
  const body = result.body as Problem;
  expect(body).toMatchObject({ status, code });
  if (fields) {
    expect(body.errors?.map((e) => e.field).sort()).toEqual([...fields].sort());
    for (const error of body.errors ?? []) {
      // A sentence a developer can act on, never a raw message key.
      expect(error.message).toMatch(/^\S.*[.!]$/);
      expect(error.message).not.toMatch(/^[a-zA-Z]+[:.][a-zA-Z.]+(\|\d+)?$/);
      if (process.env.SHOW_API_MESSAGES) console.log(`${error.field}: ${error.message}`);
    }
  }
  return body;
}

async function written() {
  return countRows([...WRITTEN]);
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("GET /api/v1/bundles", () => {
  test("the partner's active bundles, snake_case, prices in cents, ISO dates", async () => {
    const result = await callApi<Page<Bundle>>({ path: "/api/v1/bundles", token });
    expect(result.status).toBe(200);
    const names = result.body.data.map((b) => b.name);
    expect(names).toContain("Café Starter");
    expect(names).not.toContain("Old");
    const starter = only(
      result.body.data.filter((b) => b.id === bundle.id),
      "Café Starter bundle",
    );
    expect(starter).toMatchObject({
      id: bundle.id,
      name: "Café Starter",
      staff_seats: 2,
      card_operations: 1000,
      term_months: 12,
      code_validity_days: 90,
      resale_price_cents: 60_000,
      status: "active",
      price: {
        currency: "EUR",
        retail_cents: anyInstance(Number),
        discount_cents: anyInstance(Number),
        wholesale_cents: anyInstance(Number),
        margin_cents: anyInstance(Number),
      },
      archived_at: null,
    });
    expect(starter.created_at).toMatch(ISO);
    expect(starter.price.wholesale_cents).toBe(
      starter.price.retail_cents - starter.price.discount_cents,
    );
    expect(result.body).toHaveProperty("next_cursor");
  });

  test("status=all includes archived ones; keyset paging with limit and cursor", async () => {
    const all = await callApi<Page<Bundle>>({ path: "/api/v1/bundles?status=all", token });
    expect(all.body.data.map((b) => b.id)).toContain(archived.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?status=all&limit=1${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await callApi<Page<Bundle>>({ path: `/api/v1/bundles${query}`, token });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.data.map((b) => b.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(all.body.data.map((b) => b.id).sort());
  });

  test("bad query parameters: 400 naming them", async () => {
    for (const [query, field] of [
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["limit=abc", "limit"],
      ["limit=-1", "limit"],
      ["status=deleted", "status"],
    ] as const) {
      const result = await callApi({ path: `/api/v1/bundles?${query}`, token });
      expectProblem(result, 400, "invalid_request", [field]);
    }
  });
});

describe("POST /api/v1/bundles", () => {
  const valid = {
    name: "POS Pro",
    staff_seats: 5,
    card_operations: 20_000,
    term_months: 12,
    resale_price_cents: null,
  };

  test("201 with the bundle and its Location; audited as the API key", async () => {
    const result = await callApi<Bundle>({
      method: "POST",
      path: "/api/v1/bundles",
      token,
      body: valid,
    });
    expect(result.status).toBe(201);
    expect(result.body).toMatchObject({
      ...valid,
      code_validity_days: 365,
      status: "active",
      code_count: 0,
      price: { margin_cents: null },
    });
    expect(result.headers.get("Location")).toBe(`/api/v1/bundles/${result.body.id}`);
    const audit = (await auditRows("bundle.created")).find((r) => r.subject_id === result.body.id);
    expect(audit).toMatchObject({
      partner_id: partner.id,
      actor_user_id: null,
      actor_label: 'API key "Shop POS"',
    });
    const fetched = await callApi({
      path: result.headers.get("Location")!,
      token,
    });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(result.body);
  });

  test("bad bodies: 400 naming every wrong field, nothing written", async () => {
    const before = await written();
    const cases: [unknown, string[]][] = [
      [{}, ["name", "staff_seats", "card_operations", "term_months"]],
      [{ ...valid, name: "" }, ["name"]],
      [{ ...valid, name: "x".repeat(81) }, ["name"]],
      [{ ...valid, staff_seats: -1 }, ["staff_seats"]],
      [{ ...valid, staff_seats: 1001 }, ["staff_seats"]],
      [{ ...valid, staff_seats: 2.5 }, ["staff_seats"]],
      [{ ...valid, staff_seats: "5" }, ["staff_seats"]],
      [{ ...valid, card_operations: 10_000_001 }, ["card_operations"]],
      [{ ...valid, staff_seats: 0, card_operations: 0 }, ["staff_seats"]],
      [{ ...valid, term_months: 0 }, ["term_months"]],
      [{ ...valid, term_months: 37 }, ["term_months"]],
      [{ ...valid, code_validity_days: 0 }, ["code_validity_days"]],
      [{ ...valid, resale_price_cents: -100 }, ["resale_price_cents"]],
      [{ ...valid, resale_price_cents: "12.50" }, ["resale_price_cents"]],
      [{ ...valid, name: "nul\u0000" }, ["name"]],
      [{ ...valid, staffSeats: 5 }, ["staffSeats"]],
      [{ ...valid, term_months: 0, colour: "red" }, ["term_months", "colour"]],
    ];
    for (const [body, fields] of cases) {
      const result = await callApi({
        method: "POST",
        path: "/api/v1/bundles",
        token,
        body,
      });
      expectProblem(result, 400, "invalid_request", fields);
    }
    expect(await written()).toEqual(before);
  });

  test("malformed JSON, wrong content type, empty, non-object or oversized body: 400", async () => {
    const before = await written();
    const cases: { rawBody?: string; headers?: Record<string, string>; detail: RegExp }[] = [
      {
        rawBody: '{"name": "x",',
        headers: { "Content-Type": "application/json" },
        detail: /not valid JSON/,
      },
      {
        rawBody: JSON.stringify(valid),
        headers: { "Content-Type": "text/plain" },
        detail: /Content-Type: application\/json/,
      },
      {
        rawBody: new URLSearchParams({ name: "x" }).toString(),
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        detail: /Content-Type/,
      },
      { rawBody: JSON.stringify(valid), detail: /Content-Type/ },
      { rawBody: "", headers: { "Content-Type": "application/json" }, detail: /empty/ },
      { rawBody: "[1,2]", headers: { "Content-Type": "application/json" }, detail: /object/ },
      { rawBody: "null", headers: { "Content-Type": "application/json" }, detail: /object/ },
      {
        rawBody: JSON.stringify({ ...valid, name: "x".repeat(1024 * 1024) }),
        headers: { "Content-Type": "application/json" },
        detail: /larger than/,
      },
    ];
    for (const { rawBody, headers, detail } of cases) {
      const result = await callApi({
        method: "POST",
        path: "/api/v1/bundles",
        token,
        rawBody,
        headers,
      });
      const problem = expectProblem(result, 400, "invalid_request");
      expect(problem.detail).toMatch(detail);
    }
    expect(await written()).toEqual(before);
  });

  test("application/json with a charset is fine", async () => {
    const result = await callApi({
      method: "POST",
      path: "/api/v1/bundles",
      token,
      rawBody: JSON.stringify({ ...valid, name: "Charset" }),
      headers: { "Content-Type": "application/json; charset=utf-8" },
    });
    expect(result.status).toBe(201);
  });
});

describe("GET /api/v1/bundles/{id}", () => {
  test("missing or malformed id: 404", async () => {
    for (const id of [MISSING_UUID, "not-a-uuid", "1", "%00"]) {
      const result = await callApi({
        path: `/api/v1/bundles/${encodeURIComponent(id)}`,
        token,
      });
      expectProblem(result, 404, "not_found");
    }
  });
});

describe("POST /api/v1/bundles/{id}/codes", () => {
  const generate = <T = GeneratedBatch>(bundleId: string, body: unknown) =>
    callApi<T>({
      method: "POST",
      path: `/api/v1/bundles/${bundleId}/codes`,
      token,
      body,
    });

  test("up to 10,000: 201 with the ready batch and its codes", async () => {
    const result = await generate(bundle.id, {
      count: 5,
      prefix: "cafe",
      label: "Autumn fair",
      recipient: "Corner Coffee",
    });
    expect(result.status).toBe(201);
    const { batch, codes } = result.body;
    expect(batch).toMatchObject({
      bundle_id: bundle.id,
      bundle_name: "Café Starter",
      status: "ready",
      code_count: 5,
      generated_count: 5,
      progress_percent: 100,
      prefix: "CAFE",
      label: "Autumn fair",
      recipient: "Corner Coffee",
      created_by: 'API key "Shop POS"',
    });
    expect(batch.expires_at).toMatch(ISO);
    // The bundle's validity (90 days) is the default expiry.
    const days = (Date.parse(batch.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThanOrEqual(90);
    expect(result.headers.get("Location")).toBe(`/api/v1/batches/${batch.id}`);
    expect(codes).toHaveLength(5);
    for (const code of codes) {
      expect(code.code).toMatch(/^CAFE(-[0-9A-Z]{4}){4}$/);
      expect(code.redeem_url).toMatch(new RegExp(`/redeem/${code.code}$`));
      expect(Number.isSafeInteger(code.serial)).toBe(true);
    }
    const stored = await testDb()
      .db.selectFrom("activation_codes")
      .select(["id", "code", "partner_id"])
      .where("batch_id", "=", batch.id)
      .orderBy("id")
      .execute();
    expect(stored.map((c) => [c.id, formatCode(c.code, "CAFE")])).toEqual(
      codes.map((c) => [c.serial, c.code]),
    );
    const audit = (await auditRows("batch.generated")).find((r) => r.subject_id === batch.id);
    expect(audit).toMatchObject({ partner_id: partner.id, actor_label: 'API key "Shop POS"' });
  });

  test("an explicit expires_at is kept", async () => {
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const result = await generate(bundle.id, { count: 1, expires_at: expiresAt });
    expect(result.status).toBe(201);
    expect(result.body.batch.expires_at).toBe(expiresAt);
  });

  test("10,001 codes: 202 with the batch generating and its Location (the job makes them)", async () => {
    const result = await generate<GeneratingBatch>(bundle.id, { count: 10_001 });
    expect(result.status).toBe(202);
    expect(result.body).not.toHaveProperty("codes");
    expect(result.body.batch).toMatchObject({
      status: "generating",
      code_count: 10_001,
      generated_count: 0,
      progress_percent: 0,
      completed_at: null,
    });
    expect(result.headers.get("Location")).toBe(`/api/v1/batches/${result.body.batch.id}`);
    const polled = await callApi<Batch>({
      path: result.headers.get("Location")!,
      token,
    });
    expect(polled.status).toBe(200);
    expect(polled.body).toMatchObject({ status: "generating", code_count: 10_001 });
  });

  test("bad counts, prefixes, dates and fields: 400 naming the field, nothing written", async () => {
    const before = await written();
    const cases: [unknown, string[]][] = [
      [{}, ["count"]],
      [{ count: 0 }, ["count"]],
      [{ count: -5 }, ["count"]],
      [{ count: 1_000_001 }, ["count"]],
      [{ count: 1e12 }, ["count"]],
      [{ count: 2.5 }, ["count"]],
      [{ count: "10" }, ["count"]],
      [{ count: null }, ["count"]],
      [{ count: 5, prefix: "TOOLONGPREFIX" }, ["prefix"]],
      [{ count: 5, prefix: "CA-FE" }, ["prefix"]],
      [{ count: 5, prefix: "ÄÖÜ" }, ["prefix"]],
      [{ count: 5, prefix: 12 }, ["prefix"]],
      [{ count: 5, expires_at: "tomorrow" }, ["expires_at"]],
      [{ count: 5, expires_at: "2020-01-01T00:00:00Z" }, ["expires_at"]],
      [{ count: 5, expires_at: "2999-01-01T00:00:00Z" }, ["expires_at"]],
      [{ count: 5, label: "x".repeat(121) }, ["label"]],
      [{ count: 5, recipient: "x".repeat(201) }, ["recipient"]],
      [{ count: 5, colour: "red" }, ["colour"]],
      [{ count: 5, label: "nul\u0000" }, ["label"]],
    ];
    for (const [body, fields] of cases) {
      expectProblem(await generate(bundle.id, body), 400, "invalid_request", fields);
    }
    expect(await written()).toEqual(before);
  });

  test("unknown or malformed bundle: 404; archived bundle: 400 bundle_archived; nothing written", async () => {
    const before = await written();
    expectProblem(await generate(MISSING_UUID, { count: 5 }), 404, "not_found");
    expectProblem(await generate("not-a-uuid", { count: 5 }), 404, "not_found");
    const result = await generate(archived.id, { count: 5 });
    expectProblem(result, 400, "bundle_archived", ["bundle"]);
    expect(await written()).toEqual(before);
  });

  test("GET is not allowed here: 405 with Allow: POST", async () => {
    const result = await callApi({
      path: `/api/v1/bundles/${bundle.id}/codes`,
      token,
    });
    expectProblem(result, 405, "method_not_allowed");
    expect(result.headers.get("Allow")).toBe("POST");
  });
});

describe("GET /api/v1/batches/{id} and its codes.csv", () => {
  test("a ready batch: status, counts, progress and links", async () => {
    const { batch } = await createBatchWithCodes(bundle, { count: 3, label: "Fair" });
    const result = await callApi({
      path: `/api/v1/batches/${batch.id}`,
      token,
    });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      id: batch.id,
      status: "ready",
      code_count: 3,
      generated_count: 3,
      progress_percent: 100,
      label: "Fair",
      links: {
        self: `/api/v1/batches/${batch.id}`,
        codes_csv: `/api/v1/batches/${batch.id}/codes.csv`,
      },
    });
  });

  test("the CSV: a header and one row per code, text/csv, streamed", async () => {
    const { batch, codes } = await createBatchWithCodes(bundle, { count: 4, prefix: "FAIR" });
    const result = await callApi<string>({
      path: `/api/v1/batches/${batch.id}/codes.csv`,
      token,
    });
    expect(result.status).toBe(200);
    expect(result.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(result.headers.get("Content-Disposition")).toContain("attachment");
    const lines = result.body.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^serial,code,status/);
    expect(lines).toHaveLength(5);
    const csvCodes = lines.slice(1).map((line) => line.split(",")[1]);
    expect(csvCodes.sort()).toEqual(codes.map((c) => formatCode(c.code, "FAIR")).sort());
  });

  test("a batch still generating or failed: 409 batch_not_ready", async () => {
    for (const status of ["generating", "failed"] as const) {
      const { batch } = await createBatchWithCodes(bundle, { count: 20, status });
      const result = await callApi({
        path: `/api/v1/batches/${batch.id}/codes.csv`,
        token,
      });
      expectProblem(result, 409, "batch_not_ready");
    }
  });

  test("missing or malformed batch id: 404 on both", async () => {
    for (const id of [MISSING_UUID, "nope", "%00"]) {
      for (const path of [
        `/api/v1/batches/${encodeURIComponent(id)}`,
        `/api/v1/batches/${encodeURIComponent(id)}/codes.csv`,
      ]) {
        expectProblem(await callApi({ path, token }), 404, "not_found");
      }
    }
  });
});

describe("codes", () => {
  let batch: Awaited<ReturnType<typeof createBatchWithCodes>>["batch"];
  let codes: Awaited<ReturnType<typeof createBatchWithCodes>>["codes"];
  let otherBundle: Awaited<ReturnType<typeof createBundle>>;

  beforeAll(async () => {
    ({ batch, codes } = await createBatchWithCodes(bundle, { count: 6, prefix: "LIST" }));
    otherBundle = await createBundle(partner.id, { name: "Other" });
    await createBatchWithCodes(otherBundle, {
      count: 2,
      expiresAt: new Date(Date.now() - 86_400_000),
    });
  });

  test("GET /api/v1/codes: newest first, filters, keyset paging", async () => {
    const all = await callApi<Page<Code>>({ path: "/api/v1/codes", token });
    expect(all.status).toBe(200);
    const serials = all.body.data.map((c) => c.serial);
    expect([...serials].sort((a, b) => b - a)).toEqual(serials);

    const byBatch = await callApi<Page<Code>>({
      path: `/api/v1/codes?batch_id=${batch.id}`,
      token,
    });
    expect(byBatch.body.data).toHaveLength(6);
    const newest = at(codes, -1, "code");
    expect(byBatch.body.data[0]).toMatchObject({
      serial: newest.id,
      code: formatCode(newest.code, "LIST"),
      status: "issued",
      bundle_id: bundle.id,
      bundle_name: "Café Starter",
      batch_id: batch.id,
      locked_to_email: false,
      handed_out_at: null,
      revoked_at: null,
    });
    expect(first(byBatch.body.data, "code").expires_at).toMatch(ISO);

    const expired = await callApi<Page<Code>>({
      path: `/api/v1/codes?status=expired&bundle_id=${otherBundle.id}`,
      token,
    });
    expect(expired.body.data).toHaveLength(2);
    expect(expired.body.data.every((c) => c.status === "expired")).toBe(true);

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/v1/codes?batch_id=${batch.id}&limit=4${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await callApi<Page<Code>>({ path, token });
      seen.push(...page.body.data.map((c) => c.serial));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(byBatch.body.data.map((c) => c.serial));
  });

  test("GET /api/v1/codes with bad parameters: 400 naming them", async () => {
    for (const [query, field] of [
      ["status=lost", "status"],
      ["bundle_id=12", "bundle_id"],
      ["batch_id=x", "batch_id"],
      ["limit=0", "limit"],
      ["limit=501", "limit"],
    ] as const) {
      const result = await callApi({ path: `/api/v1/codes?${query}`, token });
      expectProblem(result, 400, "invalid_request", [field]);
    }
  });

  test("GET /api/v1/codes/{code}: any formatting, or #N", async () => {
    const target = first(codes, "code");
    const display = formatCode(target.code, "LIST");
    for (const input of [
      display,
      target.code,
      display.toLowerCase().replace(/-/g, " "),
      `#${target.id}`,
      String(target.id),
    ]) {
      const result = await callApi({
        path: `/api/v1/codes/${encodeURIComponent(input)}`,
        token,
      });
      expect(result.status, input).toBe(200);
      expect(result.body).toMatchObject({ serial: target.id, code: display, status: "issued" });
    }
  });

  test("GET /api/v1/codes/{code}: mistyped → 400 code_mistyped; malformed or unknown → 404", async () => {
    const target = first(codes, "code").code;
    const last = at([...target], -1, "character");
    const wrong = CODE_ALPHABET[(CODE_ALPHABET.indexOf(last) + 1) % CODE_ALPHABET.length];
    const mistyped = target.slice(0, -1) + wrong;
    expectProblem(
      await callApi({ path: `/api/v1/codes/${encodeURIComponent(mistyped)}`, token }),
      400,
      "code_mistyped",
      ["code"],
    );
    for (const input of ["nonsense", "#0", "#999999999", "\u0000", "x".repeat(500)]) {
      const result = await callApi({
        path: `/api/v1/codes/${encodeURIComponent(input)}`,
        token,
      });
      expectProblem(result, 404, "code_not_found");
    }
  });

  test("POST /api/v1/codes/{code}/revoke: revokes once, audited; then 409", async () => {
    const target = at(codes, 1, "code");
    const revoke = (body: unknown) =>
      callApi<Code>({
        method: "POST",
        path: `/api/v1/codes/${target.code}/revoke`,
        token,
        body,
      });
    const result = await revoke({ reason: "Lost at the fair" });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      serial: target.id,
      status: "revoked",
      revoke_reason: "Lost at the fair",
    });
    expect(result.body.revoked_at).toMatch(ISO);
    const audit = (await auditRows("code.revoked")).find((r) => r.subject_id === String(target.id));
    expect(audit).toMatchObject({ partner_id: partner.id, actor_label: 'API key "Shop POS"' });

    expectProblem(await revoke({ reason: "again" }), 409, "code_not_revocable");
  });

  test("POST revoke with bad input: 400 naming the field, nothing written", async () => {
    const target = at(codes, 2, "code");
    const before = await written();
    const revoke = (body: unknown) =>
      callApi({
        method: "POST",
        path: `/api/v1/codes/${target.code}/revoke`,
        token,
        body,
      });
    expectProblem(await revoke({}), 400, "invalid_request", ["reason"]);
    expectProblem(await revoke({ reason: "   " }), 400, "invalid_request", ["reason"]);
    expectProblem(await revoke({ reason: "x".repeat(201) }), 400, "invalid_request", ["reason"]);
    expectProblem(await revoke({ reason: 5 }), 400, "invalid_request", ["reason"]);
    expectProblem(await revoke({ reason: "ok", extra: 1 }), 400, "invalid_request", ["extra"]);
    expect(await written()).toEqual(before);
    const unknown = await callApi({
      method: "POST",
      path: "/api/v1/codes/nonsense/revoke",
      token,
      body: { reason: "x" },
    });
    expectProblem(unknown, 404, "code_not_found");
    expect(await written()).toEqual(before);
  });
});
