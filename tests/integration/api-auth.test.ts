// Partner API authentication and the error shape (DESIGN.md §6, §8): bearer keys stored as
// SHA-256 only, 401 with WWW-Authenticate for a missing, malformed, unknown or revoked key,
// 403 for a platform token, problem+json for every error, 405 for other methods.
import { afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import {
  authenticateApiKey,
  createApiKey,
  hashApiToken,
  listApiKeys,
  revokeApiKey,
  ApiKeyNotFound,
  InvalidApiKeyName,
} from "~/domain/api-keys.server";
import { testDb } from "../db.ts";
import { createPartner } from "../factories.ts";
import { callApi, partnerKey, platformToken } from "../helpers/api.ts";
import { auditRows, countRows } from "../helpers/auth.ts";
import { anyInstance } from "../helpers/typed.ts";

const MISSING_UUID = "00000000-0000-4000-8000-000000000000";

let partnerA: Awaited<ReturnType<typeof createPartner>>;
let partnerB: Awaited<ReturnType<typeof createPartner>>;
let tokenA: string;

beforeAll(async () => {
  partnerA = await createPartner();
  partnerB = await createPartner();
  tokenA = await partnerKey(partnerA.id, "Shop POS");
});

afterEach(() => {
  vi.useRealTimers();
});

const actor = { userId: null, label: "test" };

function expectProblem(
  result: { status: number; headers: Headers; body: unknown },
  status: number,
  code: string,
) {
  expect(result.status).toBe(status);
  expect(result.headers.get("Content-Type")).toBe("application/problem+json");
  expect(result.body).toMatchObject({
    type: `urn:7stamp:problem:${code}`,
    title: anyInstance(String),
    status,
    detail: anyInstance(String),
    code,
  });
}

describe("API keys (domain)", () => {
  test("a new key: sk_partner_ + 52 base32 symbols, stored only as its SHA-256, audited", async () => {
    const { key, token } = await createApiKey(testDb().db, {
      partnerId: partnerA.id,
      name: "  Back office  ",
      actor: { userId: null, label: "owner@example.test" },
      ip: "203.0.113.9",
    });
    expect(token).toMatch(/^sk_partner_[a-z2-7]{52}$/);
    expect(key).toMatchObject({ name: "Back office", lastUsedAt: null, revokedAt: null });
    expect(key.prefix).toBe(`${token.slice(0, 17)}…`);
    const row = await testDb()
      .db.selectFrom("api_keys")
      .select(["token_hash", "token_prefix", "scope", "partner_id"])
      .where("id", "=", key.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      token_hash: hashApiToken(token),
      token_prefix: key.prefix,
      scope: "partner",
      partner_id: partnerA.id,
    });
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    // The token itself appears nowhere in the database's api_keys or audit rows.
    const audit = (await auditRows("api_key.created")).find((r) => r.subject_id === key.id);
    expect(audit).toMatchObject({
      partner_id: partnerA.id,
      subject_type: "api_key",
      actor_label: "owner@example.test",
      ip: "203.0.113.9",
    });
    expect(JSON.stringify(audit)).not.toContain(token.slice(11));
  });

  test("two keys never share a token", async () => {
    const a = await createApiKey(testDb().db, { partnerId: partnerA.id, name: "a", actor });
    const b = await createApiKey(testDb().db, { partnerId: partnerA.id, name: "b", actor });
    expect(a.token).not.toBe(b.token);
  });

  test("a bad name is refused and writes nothing", async () => {
    const before = await countRows(["api_keys", "audit_log"]);
    for (const name of ["", "   ", "x".repeat(81), "nul\u0000"]) {
      await expect(
        createApiKey(testDb().db, { partnerId: partnerA.id, name, actor }),
      ).rejects.toBeInstanceOf(InvalidApiKeyName);
    }
    expect(await countRows(["api_keys", "audit_log"])).toEqual(before);
  });

  test("list: only the partner's own keys, newest first", async () => {
    const own = await createApiKey(testDb().db, { partnerId: partnerB.id, name: "B only", actor });
    const keysOfB = await listApiKeys(testDb().db, { partnerId: partnerB.id });
    expect(keysOfB.map((k) => k.id)).toEqual([own.key.id]);
    const keysOfA = await listApiKeys(testDb().db, { partnerId: partnerA.id });
    expect(keysOfA.some((k) => k.id === own.key.id)).toBe(false);
    const times = keysOfA.map((k) => k.createdAt.getTime());
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });

  test("revoke: conditional, audited once, another partner's key is not found", async () => {
    const { key, token } = await createApiKey(testDb().db, {
      partnerId: partnerA.id,
      name: "to revoke",
      actor,
    });
    await expect(
      revokeApiKey(testDb().db, { partnerId: partnerB.id, keyId: key.id, actor, now: new Date() }),
    ).rejects.toBeInstanceOf(ApiKeyNotFound);
    await expect(
      revokeApiKey(testDb().db, {
        partnerId: partnerA.id,
        keyId: "not-a-uuid",
        actor,
        now: new Date(),
      }),
    ).rejects.toBeInstanceOf(ApiKeyNotFound);
    await expect(
      revokeApiKey(testDb().db, {
        partnerId: partnerA.id,
        keyId: MISSING_UUID,
        actor,
        now: new Date(),
      }),
    ).rejects.toBeInstanceOf(ApiKeyNotFound);
    expect(await authenticateApiKey(testDb().db, token, new Date())).not.toBeNull();

    const revoked = await revokeApiKey(testDb().db, {
      partnerId: partnerA.id,
      keyId: key.id,
      actor,
      now: new Date(),
    });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    const again = await revokeApiKey(testDb().db, {
      partnerId: partnerA.id,
      keyId: key.id,
      actor,
      now: new Date(),
    });
    expect(again.revokedAt).toEqual(revoked.revokedAt);
    expect(
      (await auditRows("api_key.revoked")).filter((r) => r.subject_id === key.id),
    ).toHaveLength(1);
    expect(await authenticateApiKey(testDb().db, token, new Date())).toBeNull();
  });

  test("authenticate: the key's partner and scope; last_used_at at most once a minute", async () => {
    const { key, token } = await createApiKey(testDb().db, {
      partnerId: partnerA.id,
      name: "usage",
      actor,
    });
    const lastUsed = async () =>
      (
        await testDb()
          .db.selectFrom("api_keys")
          .select("last_used_at")
          .where("id", "=", key.id)
          .executeTakeFirstOrThrow()
      ).last_used_at;
    const t0 = new Date("2026-12-01T10:00:00Z");
    const found = await authenticateApiKey(testDb().db, token, t0);
    expect(found).toMatchObject({
      keyId: key.id,
      scope: "partner",
      partnerId: partnerA.id,
      name: "usage",
      partner: { id: partnerA.id, slug: partnerA.slug },
    });
    expect(await lastUsed()).toEqual(t0);
    await authenticateApiKey(testDb().db, token, new Date(t0.getTime() + 30_000));
    expect(await lastUsed()).toEqual(t0);
    const t2 = new Date(t0.getTime() + 61_000);
    await authenticateApiKey(testDb().db, token, t2);
    expect(await lastUsed()).toEqual(t2);
  });

  test("authenticate: unknown, malformed and odd tokens are null without a query error", async () => {
    for (const token of [
      "",
      "sk_partner_",
      "sk_partner_" + "a".repeat(52),
      tokenA.toUpperCase(),
      tokenA + "a",
      "sk_partner_" + "\u0000".repeat(52),
      "x".repeat(10_000),
    ]) {
      expect(await authenticateApiKey(testDb().db, token, new Date())).toBeNull();
    }
  });
});

describe("bearer authentication on the endpoints", () => {
  const list = (token: string | null, headers: Record<string, string> = {}) =>
    callApi({ path: "/api/v1/bundles", token, headers });

  test("no Authorization header: 401 unauthenticated with WWW-Authenticate: Bearer", async () => {
    const result = await list(null);
    expectProblem(result, 401, "unauthenticated");
    expect(result.headers.get("WWW-Authenticate")).toMatch(/^Bearer /);
  });

  test("a malformed header, an unknown key, a session-like value: 401", async () => {
    for (const authorization of [
      "Basic dXNlcjpwYXNz",
      "Bearer",
      "Bearer ",
      `Token ${tokenA}`,
      `Bearer ${tokenA} extra`,
      "Bearer sk_partner_" + "b".repeat(52),
      "Bearer not-a-key",
    ]) {
      const result = await callApi({
        path: "/api/v1/bundles",
        token: null,
        headers: { Authorization: authorization },
      });
      expectProblem(result, 401, "unauthenticated");
      expect(result.headers.get("WWW-Authenticate"), authorization).toMatch(/^Bearer /);
    }
  });

  test("a revoked key: 401", async () => {
    const { key, token } = await createApiKey(testDb().db, {
      partnerId: partnerA.id,
      name: "old",
      actor,
    });
    expect((await list(token)).status).toBe(200);
    await revokeApiKey(testDb().db, {
      partnerId: partnerA.id,
      keyId: key.id,
      actor,
      now: new Date(),
    });
    const result = await list(token);
    expectProblem(result, 401, "unauthenticated");
    expect(result.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  });

  test("a platform token on a partner endpoint: 403 forbidden", async () => {
    const token = await platformToken();
    expectProblem(await list(token), 403, "forbidden");
    expectProblem(await callApi({ path: "/api/v1/codes", token }), 403, "forbidden");
  });

  test("a valid partner key: 200, and the scheme name is case-insensitive", async () => {
    expect((await list(tokenA)).status).toBe(200);
    const result = await callApi({
      path: "/api/v1/bundles",
      token: null,
      headers: { Authorization: `bearer ${tokenA}` },
    });
    expect(result.status).toBe(200);
    expect(result.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
  });

  test("a session cookie alone does not authenticate the API", async () => {
    const result = await list(null, { Cookie: "7s_session=whatever" });
    expectProblem(result, 401, "unauthenticated");
  });
});

describe("methods and unknown paths", () => {
  test("an unsupported method: 405 problem with Allow, before authentication", async () => {
    for (const method of ["PUT", "PATCH", "DELETE", "OPTIONS"]) {
      const result = await callApi({
        method,
        path: "/api/v1/bundles",
        token: null,
      });
      expectProblem(result, 405, "method_not_allowed");
      expect(result.headers.get("Allow")).toBe("GET, POST, HEAD");
    }
    const post = await callApi({
      method: "POST",
      path: "/api/v1/codes",
      token: tokenA,
    });
    expectProblem(post, 405, "method_not_allowed");
    expect(post.headers.get("Allow")).toBe("GET, HEAD");
  });

  test("HEAD is answered like GET", async () => {
    const result = await callApi({
      method: "HEAD",
      path: "/api/v1/bundles",
      token: tokenA,
    });
    expect(result.status).toBe(200);
  });

  test("an unknown /api path: 404 problem for any method", async () => {
    for (const method of ["GET", "POST", "DELETE"]) {
      const result = await callApi({
        method,
        path: "/api/v1/nothing-here",
        token: null,
        body: method === "GET" ? undefined : {},
      });
      expectProblem(result, 404, "not_found");
    }
  });

  test("openapi.json needs no key", async () => {
    const result = await callApi({ path: "/api/v1/openapi.json", token: null });
    expect(result.status).toBe(200);
  });
});
