// GET /api/v1/clients and /api/v1/clients/{id}: the key's partner's clients in snake_case,
// keyset paged through every sort; the detail with its codes and 90-day series; bad query
// values answer 400 problem+json naming the field; another partner's client answers 404.
import { beforeAll, describe, expect, test } from "vitest";
import { claimCode } from "~/domain/redemption.server";
import { recordCardOperations } from "~/domain/usage.server";
import { forgeCursor } from "../helpers/cursor";
import { testDb } from "../db.ts";
import {
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartner,
} from "../factories.ts";
import { callApi, partnerKey, platformToken, type ApiResult } from "../helpers/api.ts";
import { at, first } from "../helpers/rows.ts";
import {
  anyInstance,
  present,
  stringMatching,
  type Client,
  type ClientDetail,
  type Page,
} from "../helpers/typed.ts";

const MISSING_UUID = "00000000-0000-4000-8000-000000000000";
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let tokenA: string;
let tokenB: string;
let shared: string;
let onlyB: string;
const namesA = ["Anchor Bar", "Birch Bakery", "Cedar Café", "Dune Deli", "Elm Eatery"];
const idsA: string[] = [];

type Problem = { code: string; status: number; errors?: { field: string; message: string }[] };

function expectProblem(result: ApiResult, status: number, code: string, fields?: string[]) {
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  expect(result.headers.get("Content-Type")).toBe("application/problem+json");
  const body = result.body as Problem;
  expect(body).toMatchObject({ status, code });
  if (fields) expect(body.errors?.map((e) => e.field).sort()).toEqual([...fields].sort());
  return body;
}

async function claimFor(name: string, code: string) {
  const { business, owner } = await createBusinessWithOwner({
    name,
    planId: "custom",
    customCardOperationsPerMonth: 0,
    customStaffSeats: 0,
  });
  await claimCode(testDb().db, {
    businessId: business.id,
    code,
    actor: { userId: owner.id, label: owner.email, email: owner.email },
    ip: null,
    now: new Date(),
  });
  return business.id;
}

beforeAll(async () => {
  const partnerA = await createPartner({ name: "Brewline Agency" });
  const partnerB = await createPartner({ name: "Till Systems" });
  tokenA = await partnerKey(partnerA.id);
  tokenB = await partnerKey(partnerB.id);
  const bundleA = await createBundle(partnerA.id, {
    name: "Café Starter",
    staffSeats: 1,
    cardOperations: 100,
  });
  const bundleB = await createBundle(partnerB.id, { name: "POS Pro", cardOperations: 50 });
  const codesA = (await createBatchWithCodes(bundleA, { count: 6 })).codes;
  const codesB = (await createBatchWithCodes(bundleB, { count: 2 })).codes;
  for (const [index, name] of namesA.entries()) {
    idsA.push(await claimFor(name, at(codesA, index, "code").code));
    // Each uses a different number of operations: 0, 10, 20, …
    if (index > 0) {
      await recordCardOperations(testDb().db, {
        operations: [
          {
            businessId: at(idsA, index, "client"),
            idempotencyKey: `api-${index}`,
            kind: "stamp",
            quantity: index * 10,
            occurredAt: null,
          },
        ],
        now: new Date(),
      });
    }
  }
  // Shared: A's code and B's; onlyB: B's alone.
  shared = first(idsA, "client");
  const { db } = testDb();
  const owner = await db
    .selectFrom("business_members")
    .innerJoin("users", "users.id", "business_members.user_id")
    .select(["users.id", "users.email"])
    .where("business_members.business_id", "=", shared)
    .executeTakeFirstOrThrow();
  await claimCode(db, {
    businessId: shared,
    code: first(codesB, "code").code,
    actor: { userId: owner.id, label: owner.email, email: owner.email },
    ip: null,
    now: new Date(),
  });
  onlyB = await claimFor("Fig Foods", at(codesB, 1, "code").code);
});

function get(path: string, token: string | null = tokenA) {
  return callApi<Page<Client>>({ path, token });
}

function getOne(id: string, token: string | null = tokenA) {
  return callApi<ClientDetail>({ path: `/api/v1/clients/${id}`, token });
}

describe("GET /api/v1/clients", () => {
  test("the partner's clients in snake_case with ISO dates, by name", async () => {
    const result = await get("/api/v1/clients");
    expect(result.status).toBe(200);
    expect(result.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(result.body.data.map((c) => c.business_name)).toEqual(namesA);
    expect(result.body.next_cursor).toBeNull();
    const birch = at(result.body.data, 1, "client");
    expect(birch).toEqual({
      business_id: idsA[1],
      business_name: "Birch Bakery",
      codes_claimed: 1,
      active_codes: 1,
      staff_seats_granted: 1,
      staff_seats_occupied: 1,
      card_operations_granted: 100,
      card_operations_used: 10,
      card_operations_used_this_month: 10,
      active_card_operations_granted: 100,
      active_card_operations_used: 10,
      usage_percent: 10,
      last_activity_at: stringMatching(ISO),
      soonest_ends_at: stringMatching(ISO),
      nearly_used_up: false,
      ends_within_30_days: false,
      links: { self: `/api/v1/clients/${idsA[1]}` },
    });
    // A client shared with partner B shows only A's part to A.
    expect(result.body.data[0]).toMatchObject({ codes_claimed: 1, card_operations_granted: 100 });
  });

  test("keyset paging with limit and cursor, in every sort and direction", async () => {
    for (const sort of ["name", "codes", "used", "usage", "activity", "ends"]) {
      for (const direction of ["asc", "desc"]) {
        const whole = await get(`/api/v1/clients?sort=${sort}&direction=${direction}`);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const path: string = `/api/v1/clients?sort=${sort}&direction=${direction}&limit=2${
            cursor ? `&cursor=${cursor}` : ""
          }`;
          const page = await get(path);
          expect(page.status, path).toBe(200);
          seen.push(...page.body.data.map((c) => c.business_id));
          cursor = page.body.next_cursor;
        } while (cursor && seen.length < 20);
        expect(seen, `${sort} ${direction}`).toEqual(whole.body.data.map((c) => c.business_id));
      }
    }
    const byUse = await get("/api/v1/clients?sort=used");
    expect(byUse.body.data.map((c) => c.card_operations_used)).toEqual([40, 30, 20, 10, 0]);
  });

  test("search and filter", async () => {
    const bakery = await get("/api/v1/clients?search=BAKERY");
    expect(bakery.body.data.map((c) => c.business_name)).toEqual(["Birch Bakery"]);
    const ended = await get("/api/v1/clients?filter=ended");
    expect(ended.body.data).toEqual([]);
    const foreign = await get("/api/v1/clients?search=fig");
    expect(foreign.body.data).toEqual([]);
  });

  test("bad query values: 400 invalid_request naming each field", async () => {
    for (const [query, fields] of [
      ["sort=bogus", ["sort"]],
      ["direction=up", ["direction"]],
      ["filter=", ["filter"]],
      ["filter=everything", ["filter"]],
      ["limit=0", ["limit"]],
      ["limit=501", ["limit"]],
      ["limit=abc", ["limit"]],
      [`search=${"x".repeat(101)}`, ["search"]],
      ["search=a%00b", ["search"]],
      [`cursor=${"x".repeat(501)}`, ["cursor"]],
      ["sort=bogus&limit=-1", ["sort", "limit"]],
    ] as const) {
      expectProblem(await get(`/api/v1/clients?${query}`), 400, "invalid_request", [...fields]);
    }
  });

  test("a forged cursor, or one of another sort: 400 naming the cursor", async () => {
    const firstPage = await get("/api/v1/clients?limit=2");
    const nextCursor = present(firstPage.body.next_cursor, "next cursor");
    for (const [query, cursor] of [
      ["", "%%%"],
      ["", forgeCursor(["name", "asc", 0, 5, idsA[0]])],
      ["", forgeCursor(["name", "asc", 0, "a", "x"])],
      ["", forgeCursor([1, 2])],
      ["&sort=used", nextCursor],
      ["&direction=desc", nextCursor],
    ] as const) {
      expectProblem(
        await get(`/api/v1/clients?cursor=${encodeURIComponent(cursor)}${query}`),
        400,
        "invalid_request",
        ["cursor"],
      );
    }
  });

  test("authentication: no key 401, a platform token 403", async () => {
    expectProblem(await get("/api/v1/clients", null), 401, "unauthenticated");
    expectProblem(await get("/api/v1/clients", await platformToken()), 403, "forbidden");
  });
});

describe("GET /api/v1/clients/{id}", () => {
  test("the client, its codes of this partner and 90 days of use", async () => {
    const result = await getOne(at(idsA, 4, "client"));
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      business_id: at(idsA, 4, "client"),
      business_name: "Elm Eatery",
      card_operations_used: 40,
    });
    expect(result.body.codes).toEqual([
      {
        grant_id: anyInstance(String),
        code_serial: anyInstance(Number),
        bundle_name: "Café Starter",
        state: "active",
        staff_seats: { granted: 1, occupied: 1 },
        card_operations: { granted: 100, used: 40, available: 60 },
        claimed_at: stringMatching(ISO),
        starts_at: stringMatching(ISO),
        ends_at: stringMatching(ISO),
        rolled_back_at: null,
      },
    ]);
    const days = result.body.daily_card_operations;
    expect(days).toHaveLength(90);
    expect(days[89]).toEqual({ date: new Date().toISOString().slice(0, 10), card_operations: 40 });
    expect(days.slice(0, 89).every((d) => d.card_operations === 0)).toBe(true);
  });

  test("a business with both partners' codes: each key sees its own code only", async () => {
    const forA = await getOne(shared);
    const forB = await getOne(shared, tokenB);
    expect(forA.body.codes.map((c) => c.bundle_name)).toEqual(["Café Starter"]);
    expect(forB.body.codes.map((c) => c.bundle_name)).toEqual(["POS Pro"]);
    expect(forB.body).toMatchObject({ codes_claimed: 1, card_operations_granted: 50 });
  });

  test("another partner's client, an unknown or a malformed id: 404 not_found", async () => {
    for (const id of [onlyB, MISSING_UUID, "not-a-uuid", "%00"]) {
      expectProblem(await getOne(id), 404, "not_found");
    }
    expectProblem(await getOne(at(idsA, 1, "client"), tokenB), 404, "not_found");
    expectProblem(await getOne(at(idsA, 1, "client"), null), 401, "unauthenticated");
  });
});
