// Round trips per /api/v1 write (ADR 029): the bearer-key check and the write run in ONE
// database transaction — a claim, a refused claim (its attempt count commits with it), a
// single card operation and a batch. Counted at the driver (pg's Client#query on
// PostgreSQL, the PGlite instance's query on PGlite), so every statement and every
// BEGIN/COMMIT the request sends is seen.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCode } from "~/lib/activation-code";
import { testDb } from "../db.ts";
import {
  claimByNewBusiness,
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartnerWithOwner,
} from "../factories.ts";
import { callApi, platformToken } from "../helpers/api.ts";
import { at } from "../helpers/rows.ts";

let recording: string[] | null = null;
let restore: () => void = () => undefined;

beforeAll(() => {
  const { backend, pglite } = testDb();
  if (backend === "pglite" && pglite) {
    const original = pglite.query.bind(pglite);
    pglite.query = ((text: string, ...rest: unknown[]) => {
      recording?.push(text);
      return (original as (...args: unknown[]) => unknown)(text, ...rest);
    }) as typeof pglite.query;
    restore = () => {
      pglite.query = original;
    };
  } else {
    // The property as it is (reading the method alone is an unbound method), to put back after.
    const descriptor = Object.getOwnPropertyDescriptor(pg.Client.prototype, "query");
    if (!descriptor) throw new Error("pg.Client.prototype has no own query to count");
    const original = descriptor.value as (this: pg.Client, ...a: unknown[]) => unknown;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0] as string | { text: string };
      recording?.push(typeof first === "string" ? first : first.text);
      return original.apply(this, args);
    } as typeof pg.Client.prototype.query;
    restore = () => {
      Object.defineProperty(pg.Client.prototype, "query", descriptor);
    };
  }
});

afterAll(() => restore());

async function counted<T>(fn: () => Promise<T>) {
  recording = [];
  try {
    const result = await fn();
    const sent = recording;
    const control = (s: string) => /^\s*(begin|commit|rollback)\b/i.test(s);
    return {
      result,
      begins: sent.filter((s) => /^\s*begin\b/i.test(s)).length,
      commits: sent.filter((s) => /^\s*commit\b/i.test(s)).length,
      rollbacks: sent.filter((s) => /^\s*rollback\b/i.test(s)).length,
      statements: sent.filter((s) => !control(s)).length,
      sent,
    };
  } finally {
    recording = null;
  }
}

async function setUp() {
  const token = await platformToken();
  const { partner } = await createPartnerWithOwner();
  const bundle = await createBundle(partner.id, { staffSeats: 2, cardOperations: 50 });
  const { codes } = await createBatchWithCodes(bundle, { count: 4, prefix: "RTT" });
  const { business } = await createBusinessWithOwner();
  return { token, codes, business };
}

describe("round trips per API write", () => {
  it("a claim: one transaction", async () => {
    const { token, codes, business } = await setUp();
    const run = await counted(() =>
      callApi({
        method: "POST",
        path: `/api/v1/businesses/${business.id}/redemptions`,
        token,
        body: { code: formatCode(at(codes, 0, "code").code, "RTT") },
      }),
    );
    expect(run.result.status).toBe(201);
    expect({ begins: run.begins, commits: run.commits, rollbacks: run.rollbacks }).toEqual({
      begins: 1,
      commits: 1,
      rollbacks: 0,
    });
    expect(run.statements, run.sent.join("\n")).toBe(CLAIM_STATEMENTS);
  });

  it("a refused claim: one transaction, and its attempt count commits", async () => {
    const { token, business } = await setUp();
    const run = await counted(() =>
      callApi({
        method: "POST",
        path: `/api/v1/businesses/${business.id}/redemptions`,
        token,
        body: { code: "RTT-2222-2222-2222" },
      }),
    );
    expect(run.result.status).toBe(404);
    expect({ begins: run.begins, commits: run.commits, rollbacks: run.rollbacks }).toEqual({
      begins: 1,
      commits: 1,
      rollbacks: 0,
    });
    expect(run.statements, run.sent.join("\n")).toBe(FAILED_CLAIM_STATEMENTS);
    const counters = await testDb()
      .db.selectFrom("rate_limit_counters")
      .select(["key", "hits"])
      .where("key", "like", `%${business.id}%`)
      .execute();
    expect(counters.map((c) => c.hits)).toEqual([1]);
  });

  it("a single card operation: one transaction", async () => {
    const { token, codes } = await setUp();
    const { business } = await claimByNewBusiness(at(codes, 1, "code"));
    const run = await counted(() =>
      callApi({
        method: "POST",
        path: `/api/v1/businesses/${business.id}/operations`,
        token,
        body: { idempotency_key: "rt-1", kind: "stamp", quantity: 1 },
      }),
    );
    expect(run.result.status).toBe(201);
    expect({ begins: run.begins, commits: run.commits, rollbacks: run.rollbacks }).toEqual({
      begins: 1,
      commits: 1,
      rollbacks: 0,
    });
    expect(run.statements, run.sent.join("\n")).toBe(OPERATION_STATEMENTS);
  });

  it("a batch of operations: one transaction", async () => {
    const { token, codes } = await setUp();
    const one = await claimByNewBusiness(at(codes, 2, "code"));
    const two = await claimByNewBusiness(at(codes, 3, "code"));
    const run = await counted(() =>
      callApi({
        method: "POST",
        path: "/api/v1/operations/batch",
        token,
        body: {
          events: [
            { business_id: one.business.id, idempotency_key: "b-1", kind: "stamp" },
            { business_id: two.business.id, idempotency_key: "b-1", kind: "voucher" },
            { business_id: one.business.id, idempotency_key: "b-2", kind: "stamp" },
          ],
        },
      }),
    );
    expect(run.result.status).toBe(200);
    expect({ begins: run.begins, commits: run.commits, rollbacks: run.rollbacks }).toEqual({
      begins: 1,
      commits: 1,
      rollbacks: 0,
    });
    expect(run.statements, run.sent.join("\n")).toBe(BATCH_STATEMENTS);
  });

  it("a refused key: nothing past the one statement of the check", async () => {
    const { business } = await setUp();
    const run = await counted(() =>
      callApi({
        method: "POST",
        path: `/api/v1/businesses/${business.id}/operations`,
        token: "sk_platform_" + "a".repeat(52),
        body: { idempotency_key: "rt-x", kind: "stamp" },
      }),
    );
    expect(run.result.status).toBe(401);
    expect(run.statements).toBeLessThanOrEqual(1);
  });
});

// Statements besides BEGIN/COMMIT, measured (the same on PGlite and PostgreSQL). The key check
// is one of them; an operation's and a batch's include the period's plan grant, opened on the
// first operation of a period. Before ADR 029 these requests took 5 (claim), 6 (refused
// claim), 3 (operation) and 3 (batch) transactions. ADR 041 took a claim from 14 statements to
// 6 (the key; the business's owner; ONE read of the attempt counters, the price in force, the
// code and whether a referral awaits qualification; ONE write of the code, grant, audit entry
// and event; the business lock with its plan's versions; the seat holders with the grants) —
// a referred business's claim adds the referral's — and an operation or a batch from 6 to 5
// (the plan's versions ride on the business lock). ADR 043 read the owner with the claim (5);
// ADR 044 took the business lock in the claim's read, so the plan, seat holders and grants
// after the write are one statement (4).
const CLAIM_STATEMENTS = 4;
const FAILED_CLAIM_STATEMENTS = 4;
const OPERATION_STATEMENTS = 5;
const BATCH_STATEMENTS = 5;
