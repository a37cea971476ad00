// Platform tokens from the support desk: created and shown once, used by the platform API,
// listed with their last use, revoked (audited) — the same tokens the admin CLI issues.
import { beforeAll, describe, expect, test } from "vitest";
import { action, loader } from "~/routes/_app.support.tokens";
import { testDb } from "../db.ts";
import { createBusinessWithOwner, createPartner, createUser } from "../factories.ts";
import { callApi, partnerKey } from "../helpers/api.ts";
import { auditRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest } from "../helpers/remix.ts";
import { first } from "../helpers/rows.ts";

let cookie: string;
let supportId: string;

beforeAll(async () => {
  const support = await createUser({ isSupport: true });
  supportId = support.id;
  cookie = (await signInAs(support)).cookie;
});

function post(fields: Record<string, string>) {
  return callRoute<{
    created: { id: string; token: string; prefix: string } | null;
    errors: Record<string, { key: string }>;
  }>(action, { request: formRequest("/support/tokens", fields, { cookie }) });
}

function list() {
  return callRoute<{
    tokens: { id: string; name: string; lastUsedAt: string | null; revokedAt: string | null }[];
  }>(loader, { request: getRequest("/support/tokens", { cookie }) });
}

describe("platform tokens in the portal", () => {
  test("create shows the token once; it works, shows its last use, and stops working when revoked", async () => {
    const { business } = await createBusinessWithOwner();
    const created = await post({ intent: "create", name: "Core platform (staging)" });
    expect(created.status).toBe(200);
    expect(created.headers.get("Cache-Control")).toBe("no-store");
    const token = created.body.created!.token;
    expect(token).toMatch(/^sk_platform_/);
    const [audit] = await auditRows("api_key.created");
    expect(audit).toMatchObject({ actor_user_id: supportId, partner_id: null });

    const listed = await list();
    expect(listed.body.tokens.map((t) => t.name)).toEqual(["Core platform (staging)"]);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(first(listed.body.tokens, "token").lastUsedAt).toBeNull();

    const call = () =>
      callApi({
        path: `/api/v1/businesses/${business.id}/entitlements`,
        token,
      });
    expect((await call()).status).toBe(200);
    expect(first((await list()).body.tokens, "token").lastUsedAt).not.toBeNull();

    const revoked = await post({ intent: "revoke", keyId: created.body.created!.id });
    expect(revoked.status).toBe(302);
    expect(await auditRows("api_key.revoked")).toHaveLength(1);
    expect((await call()).status).toBe(401);
    expect(first((await list()).body.tokens, "token").revokedAt).not.toBeNull();
  });

  test("a nameless token is a field error; a partner's key cannot be revoked here", async () => {
    const before = await testDb()
      .db.selectFrom("api_keys")
      .select(["id", "revoked_at"])
      .orderBy("id")
      .execute();
    const nameless = await post({ intent: "create", name: "  " });
    expect(nameless.status).toBe(400);
    expect(nameless.body.errors.name?.key).toBe("validation.required");

    const partner = await createPartner();
    await partnerKey(partner.id, "Shop POS");
    const key = await testDb()
      .db.selectFrom("api_keys")
      .select("id")
      .where("partner_id", "=", partner.id)
      .executeTakeFirstOrThrow();
    const refused = await post({ intent: "revoke", keyId: key.id });
    expect(refused.status).toBe(404);
    const after = await testDb()
      .db.selectFrom("api_keys")
      .select(["id", "revoked_at"])
      .where("id", "in", before.length ? before.map((k) => k.id) : [key.id])
      .orderBy("id")
      .execute();
    expect(after.filter((k) => before.some((b) => b.id === k.id))).toEqual(before);
    const stillActive = await testDb()
      .db.selectFrom("api_keys")
      .select("revoked_at")
      .where("id", "=", key.id)
      .executeTakeFirstOrThrow();
    expect(stillActive.revoked_at).toBeNull();
  });
});
