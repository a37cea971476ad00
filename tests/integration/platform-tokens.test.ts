// Platform tokens (`sk_platform_…`, DESIGN.md §6, §7): issued by the domain and by
// `npm run admin -- token create --platform --name NAME`, stored as SHA-256 only, accepted by
// requirePlatformToken / platformApiRoute; partner keys get 403 there, platform tokens get 403
// on partner endpoints, unknown or revoked tokens 401.
import { adminCli } from "../helpers/admin-cli.ts";
import { beforeAll, describe, expect, test } from "vitest";
import { requirePartnerKey, requirePlatformToken } from "~/api/auth.server";
import type { ApiRequest } from "~/api/exchange.server";
import { fromWebRequest } from "~/api/json.server";
import type { Endpoint } from "~/api/endpoints.server";
import { createApiRouter, jsonResponse, route } from "~/api/router.server";
import { z } from "zod";
import { ApiProblem } from "~/api/problem.server";
import {
  authenticateApiKey,
  createPlatformToken,
  hashApiToken,
  InvalidApiKeyName,
} from "~/domain/api-keys.server";
import { createTokenFromCli } from "../../scripts/admin-tokens.ts";
import { testDb } from "../db.ts";
import { createPartner } from "../factories.ts";
import { apiRequest, partnerKey, type ApiCall } from "../helpers/api.ts";
import { makeContext } from "../helpers/remix.ts";
import { auditRows, countRows } from "../helpers/auth.ts";
import { at } from "../helpers/rows.ts";
import { problemOf } from "../helpers/typed.ts";

const actor = { userId: null, label: "support@example.test" };

let partnerToken: string;

beforeAll(async () => {
  const partner = await createPartner();
  partnerToken = await partnerKey(partner.id, "Shop POS");
});

/** A platform-scope route that answers what the guard handed it. */
/** A platform-scope endpoint of the router's own kind, answering who called it. */
const echoEndpoint = {
  method: "GET",
  path: "/api/v1/test-echo",
  operationId: "testEcho",
  summary: "Who called",
  tag: "Test",
  auth: "platform",
  responses: { 200: { description: "The caller.", schema: z.object({}).passthrough() } },
  problems: {},
} as const satisfies Endpoint;

const echoRouter = createApiRouter([
  route(echoEndpoint, ({ auth }) =>
    Promise.resolve(jsonResponse({ key: auth.key, actor: auth.actor })),
  ),
]);

async function callApi(call: ApiCall) {
  const response = await echoRouter.handle(apiRequest(call), makeContext());
  return {
    status: response.status,
    headers: response.headers,

    body: (await response.json()) as unknown,
  };
}

const echo = (token: string | null, headers: Record<string, string> = {}) =>
  callApi({ path: "/api/v1/test-echo", token, headers });

function bearer(token: string): ApiRequest {
  return fromWebRequest(
    new Request("http://localhost/api/v1/anything", {
      headers: { Authorization: `Bearer ${token}` },
    }),
  );
}

async function lastUsedAt(keyId: string): Promise<Date | null> {
  const row = await testDb()
    .db.selectFrom("api_keys")
    .select("last_used_at")
    .where("id", "=", keyId)
    .executeTakeFirstOrThrow();
  return row.last_used_at;
}

async function revokeDirectly(keyId: string): Promise<void> {
  // No support page revokes platform tokens yet; the column is what authentication reads.
  await testDb()
    .db.updateTable("api_keys")
    .set({ revoked_at: new Date() })
    .where("id", "=", keyId)
    .execute();
}

function expectProblem(
  result: { status: number; headers: Headers; body: unknown },
  status: number,
  code: string,
) {
  expect(result.status).toBe(status);
  expect(result.headers.get("Content-Type")).toBe("application/problem+json");
  expect(result.body).toMatchObject({ type: `urn:7stamp:problem:${code}`, status, code });
}

describe("platform tokens (domain)", () => {
  test("sk_platform_ + 52 base32 symbols, no partner, stored only as its SHA-256, audited", async () => {
    const { key, token } = await createPlatformToken(testDb().db, {
      name: "  Core platform  ",
      actor,
      ip: "203.0.113.7",
    });
    expect(token).toMatch(/^sk_platform_[a-z2-7]{52}$/);
    expect(key).toMatchObject({ name: "Core platform", lastUsedAt: null, revokedAt: null });
    expect(key.prefix).toBe(`${token.slice(0, 18)}…`);
    const row = await testDb()
      .db.selectFrom("api_keys")
      .select(["token_hash", "token_prefix", "scope", "partner_id"])
      .where("id", "=", key.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      token_hash: hashApiToken(token),
      token_prefix: key.prefix,
      scope: "platform",
      partner_id: null,
    });
    const audit = (await auditRows("api_key.created")).find((r) => r.subject_id === key.id);
    expect(audit).toMatchObject({
      partner_id: null,
      subject_type: "api_key",
      actor_label: "support@example.test",
      ip: "203.0.113.7",
    });
    expect(JSON.stringify(audit)).not.toContain(token.slice(12));
  });

  test("a bad name is refused and writes nothing", async () => {
    const before = await countRows(["api_keys", "audit_log"]);
    for (const name of ["", "   ", "x".repeat(81), "nul\u0000"]) {
      await expect(createPlatformToken(testDb().db, { name, actor })).rejects.toBeInstanceOf(
        InvalidApiKeyName,
      );
    }
    expect(await countRows(["api_keys", "audit_log"])).toEqual(before);
  });

  test("authenticate: scope platform, no partner; last_used_at at most once a minute", async () => {
    const { key, token } = await createPlatformToken(testDb().db, { name: "usage", actor });
    const t0 = new Date("2026-12-01T10:00:00Z");
    expect(await authenticateApiKey(testDb().db, token, t0)).toEqual({
      keyId: key.id,
      scope: "platform",
      partnerId: null,
      name: "usage",
      partner: null,
    });
    expect(await lastUsedAt(key.id)).toEqual(t0);
    await authenticateApiKey(testDb().db, token, new Date(t0.getTime() + 30_000));
    expect(await lastUsedAt(key.id)).toEqual(t0);
    const t2 = new Date(t0.getTime() + 61_000);
    await authenticateApiKey(testDb().db, token, t2);
    expect(await lastUsedAt(key.id)).toEqual(t2);
  });
});

describe("requirePlatformToken and platformApiRoute", () => {
  test("a platform token is accepted: the key and its audit actor; last_used_at is set", async () => {
    const { key, token } = await createPlatformToken(testDb().db, { name: "Core", actor });
    const before = Date.now();
    const auth = await requirePlatformToken(bearer(token));
    expect(auth).toEqual({
      key: { id: key.id, name: "Core" },
      actor: { userId: null, label: 'API key "Core"' },
    });
    const used = await lastUsedAt(key.id);
    expect(used).toBeInstanceOf(Date);
    expect(used!.getTime()).toBeGreaterThanOrEqual(before - 1000);

    const result = await echo(token);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      key: { id: key.id, name: "Core" },
      actor: { userId: null, label: 'API key "Core"' },
    });
  });

  test("a partner key: 403 forbidden problem+json naming the platform token", async () => {
    await expect(requirePlatformToken(bearer(partnerToken))).rejects.toMatchObject({
      code: "forbidden",
      status: 403,
    });
    const result = await echo(partnerToken);
    expectProblem(result, 403, "forbidden");
    expect(problemOf(result).detail).toContain("sk_platform_");
    expect(result.headers.get("WWW-Authenticate")).toBeNull();
  });

  test("no header or a malformed one: 401 with WWW-Authenticate error=invalid_request", async () => {
    const missing = await echo(null);
    expectProblem(missing, 401, "unauthenticated");
    expect(problemOf(missing).detail).toContain("sk_platform_");
    expect(missing.headers.get("WWW-Authenticate")).toContain('error="invalid_request"');
    for (const authorization of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b"]) {
      const result = await echo(null, { Authorization: authorization });
      expectProblem(result, 401, "unauthenticated");
      expect(result.headers.get("WWW-Authenticate"), authorization).toContain(
        'error="invalid_request"',
      );
    }
  });

  test("an unknown or a revoked token: 401 with error=invalid_token", async () => {
    const { key, token } = await createPlatformToken(testDb().db, { name: "to revoke", actor });
    expect((await echo(token)).status).toBe(200);
    await revokeDirectly(key.id);
    for (const candidate of [token, "sk_platform_" + "a".repeat(52), "not-a-token"]) {
      const result = await echo(candidate);
      expectProblem(result, 401, "unauthenticated");
      expect(result.headers.get("WWW-Authenticate"), candidate).toContain('error="invalid_token"');
      await expect(requirePlatformToken(bearer(candidate))).rejects.toBeInstanceOf(ApiProblem);
    }
  });

  test("an unsupported method: 405 before authentication", async () => {
    const result = await callApi({
      method: "POST",
      path: "/api/v1/test-echo",
      token: null,
      body: {},
    });
    expectProblem(result, 405, "method_not_allowed");
    expect(result.headers.get("Allow")).toBe("GET, HEAD");
  });

  test("requirePartnerKey still answers a platform token with 403", async () => {
    const { token } = await createPlatformToken(testDb().db, { name: "Core", actor });
    await expect(requirePartnerKey(bearer(token))).rejects.toMatchObject({
      code: "forbidden",
      status: 403,
    });
  });
});

describe("admin CLI: token create --platform --name NAME", () => {
  test("prints the new token alone on its last line; it authenticates as a platform token", async () => {
    const result = await createTokenFromCli(testDb().db, { platform: true, name: "simulator" });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const last = at(result.lines, -1, "output line");
    expect(last).toBe(result.token);
    expect(last).toMatch(/^sk_platform_[a-z2-7]{52}$/);
    expect(result.lines.slice(0, -1).join("\n")).not.toContain(last);
    const key = await authenticateApiKey(testDb().db, last, new Date());
    expect(key).toMatchObject({ scope: "platform", partnerId: null, name: "simulator" });
    const audit = (await auditRows("api_key.created")).find((r) => r.subject_id === key!.keyId);
    expect(audit).toMatchObject({ actor_label: "admin CLI", partner_id: null });
  });

  test("both --partner and --platform, no --name, neither flag: a clear error, nothing written", async () => {
    const before = await countRows(["api_keys", "audit_log"]);
    for (const [args, message] of [
      [{ platform: true, partner: "brewline", name: "x" }, /either --partner .* or --platform/],
      [{ platform: true }, /--name/],
      [{ platform: true, name: "   " }, /--name/],
      [{ platform: true, name: "x".repeat(81) }, /--name/],
      [{ name: "x" }, /--partner.*--platform/],
    ] as const) {
      const result = await createTokenFromCli(testDb().db, args);
      expect(result.ok, JSON.stringify(args)).toBe(false);
      if (!result.ok) expect(result.error).toMatch(message);
    }
    expect(await countRows(["api_keys", "audit_log"])).toEqual(before);
  });

  test("the command itself: exit 0 with the token on the last line; bad flags exit 1", async () => {
    const cli = adminCli();
    const run = (args: string[]) => cli.run(args);
    try {
      const created = await run(["token", "create", "--platform", "--name", "simulator"]);
      expect(created.code, created.stderr).toBe(0);
      const lines = created.stdout.trimEnd().split("\n");
      expect(lines.at(-1)).toMatch(/^sk_platform_[a-z2-7]{52}$/);

      const both = await run(["token", "create", "--platform", "--partner", "x", "--name", "y"]);
      expect(both.code, both.stderr).toBe(1);
      expect(both.stderr).toContain("not both");
      expect(both.stdout).not.toMatch(/sk_(platform|partner)_/);
    } finally {
      cli.remove();
    }
  }, 120_000);
});
