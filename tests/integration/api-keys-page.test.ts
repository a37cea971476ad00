// The API keys page (owners only) and `npm run admin -- token create`: a new key is shown
// once and only its SHA-256 is kept; the list shows prefixes; revoke works; members get
// 403, other partners 404.
import { adminCli } from "../helpers/admin-cli.ts";
import { beforeAll, describe, expect, test } from "vitest";
import { authenticateApiKey, hashApiToken } from "~/domain/api-keys.server";
import { action, loader } from "~/routes/_app.partner.$slug.api-keys";
import { createPartnerKeyFromCli, createTokenFromCli } from "../../scripts/admin-tokens.ts";
import { testDb } from "../db.ts";
import { addPartnerMember, createPartnerWithOwner, createUser } from "../factories.ts";
import { auditRows, countRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest } from "../helpers/remix.ts";
import { at, first } from "../helpers/rows.ts";
import { stringMatching } from "../helpers/typed.ts";

let world: {
  slug: string;
  partnerId: string;
  owner: string;
  ownerEmail: string;
  member: string;
  otherOwner: string;
  otherSlug: string;
  otherPartnerId: string;
};

beforeAll(async () => {
  const { partner, owner } = await createPartnerWithOwner();
  const member = await createUser();
  await addPartnerMember(partner.id, member.id, "member");
  const other = await createPartnerWithOwner();
  world = {
    slug: partner.slug,
    partnerId: partner.id,
    owner: (await signInAs(owner)).cookie,
    ownerEmail: owner.email,
    member: (await signInAs(member)).cookie,
    otherOwner: (await signInAs(other.owner)).cookie,
    otherSlug: other.partner.slug,
    otherPartnerId: other.partner.id,
  };
});

const page = (slug: string) => `/partner/${slug}/api-keys`;

interface KeyListBody {
  keys: {
    id: string;
    name: string;
    prefix: string;
    revokedAt: Date | null;
    lastUsedAt: Date | null;
  }[];
}

interface CreateBody {
  errors: Record<string, { key: string }>;
  created: { id: string; name: string; prefix: string; token: string } | null;
}

function load(cookie: string, slug = world.slug) {
  return callRoute<KeyListBody>(loader, {
    request: getRequest(page(slug), { cookie }),
    params: { slug },
  });
}

function post(cookie: string, fields: Record<string, string>, slug = world.slug) {
  return callRoute<CreateBody>(action, {
    request: formRequest(page(slug), fields, { cookie }),
    params: { slug },
  });
}

describe("the API keys page", () => {
  test("an owner creates a key: shown once in the answer, listed by prefix only", async () => {
    const result = await post(world.owner, { intent: "create", name: "Shop POS" });
    expect(result.status).toBe(200);
    expect(result.headers.get("Cache-Control")).toBe("no-store");
    expect(result.setCookies).toEqual([]);
    const created = result.body.created!;
    expect(created.token).toMatch(/^sk_partner_[a-z2-7]{52}$/);
    expect(created.prefix).toBe(`${created.token.slice(0, 17)}…`);
    expect(await authenticateApiKey(testDb().db, created.token, new Date())).toMatchObject({
      partnerId: world.partnerId,
      name: "Shop POS",
    });
    const audit = (await auditRows("api_key.created")).find((r) => r.subject_id === created.id);
    expect(audit).toMatchObject({ partner_id: world.partnerId, actor_label: world.ownerEmail });

    const list = await load(world.owner);
    expect(list.status).toBe(200);
    const listed = list.body.keys.find((k) => k.id === created.id);
    expect(listed).toMatchObject({ name: "Shop POS", prefix: created.prefix, revokedAt: null });
    // The list never carries the token or its hash.
    const serialised = JSON.stringify(list.body);
    expect(serialised).not.toContain(created.token);
    expect(serialised).not.toContain(created.token.slice(17));
    expect(serialised).not.toContain(hashApiToken(created.token));
  });

  test("a bad name: 400 with the field error, nothing written", async () => {
    const before = await countRows(["api_keys", "audit_log"]);
    for (const name of ["", "   ", "x".repeat(81)]) {
      const result = await post(world.owner, { intent: "create", name });
      expect(result.status).toBe(400);
      expect(result.body.errors.name).toBeDefined();
      expect(result.body.created).toBeNull();
    }
    expect(await countRows(["api_keys", "audit_log"])).toEqual(before);
  });

  test("an owner revokes a key: redirect with a message, the key stops working", async () => {
    const created = (await post(world.owner, { intent: "create", name: "Temp" })).body.created!;
    const result = await post(world.owner, { intent: "revoke", keyId: created.id });
    expect(result.status).toBe(302);
    expect(result.location).toBe(page(world.slug));
    expect(result.setCookies.some((c) => c.startsWith("7s_flash="))).toBe(true);
    expect(await authenticateApiKey(testDb().db, created.token, new Date())).toBeNull();
    const listed = (await load(world.owner)).body.keys.find((k) => k.id === created.id);
    expect(listed?.revokedAt).toBeInstanceOf(Date);
    expect((await auditRows("api_key.revoked")).some((r) => r.subject_id === created.id)).toBe(
      true,
    );
  });

  test("revoking another partner's key or a malformed id: 404, nothing changes", async () => {
    const other = await post(world.otherOwner, { intent: "create", name: "B's" }, world.otherSlug);
    const otherKey = other.body.created!;
    const before = await countRows(["api_keys", "audit_log"]);
    for (const keyId of [otherKey.id, "not-a-uuid", "00000000-0000-4000-8000-000000000000"]) {
      const result = await post(world.owner, { intent: "revoke", keyId });
      expect(result.status, keyId).toBe(404);
    }
    expect(await authenticateApiKey(testDb().db, otherKey.token, new Date())).not.toBeNull();
    expect(await countRows(["api_keys", "audit_log"])).toEqual(before);
  });

  test("a member gets 403 on the page and on both actions; nothing written", async () => {
    const before = await countRows(["api_keys", "audit_log"]);
    expect((await load(world.member)).status).toBe(403);
    expect((await post(world.member, { intent: "create", name: "Sneaky" })).status).toBe(403);
    const key = first((await load(world.owner)).body.keys, "api key");
    expect((await post(world.member, { intent: "revoke", keyId: key.id })).status).toBe(403);
    expect(await countRows(["api_keys", "audit_log"])).toEqual(before);
  });

  test("another partner's owner gets 404; signed out is sent to sign in", async () => {
    expect((await load(world.otherOwner)).status).toBe(404);
    expect((await post(world.otherOwner, { intent: "create", name: "x" })).status).toBe(404);
    const signedOut = await callRoute(loader, {
      request: getRequest(page(world.slug)),
      params: { slug: world.slug },
    });
    expect(signedOut.status).toBe(302);
    expect(signedOut.location).toMatch(/^\/login/);
  });
});

describe("admin CLI: token create --partner SLUG --name NAME", () => {
  test("prints the new key alone on its last line; the key works for that partner", async () => {
    const result = await createPartnerKeyFromCli(testDb().db, {
      partner: world.slug,
      name: "Nightly export",
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const last = at(result.lines, -1, "line of output");
    expect(last).toBe(result.token);
    expect(last).toMatch(/^sk_partner_[a-z2-7]{52}$/);
    expect(await authenticateApiKey(testDb().db, last, new Date())).toMatchObject({
      partnerId: world.partnerId,
      name: "Nightly export",
    });
    const audit = (await auditRows("api_key.created")).at(-1);
    expect(audit).toMatchObject({ actor_label: "admin CLI", partner_id: world.partnerId });
  });

  test("an unknown slug, a missing partner or name: a clear error, nothing written", async () => {
    const before = await countRows(["api_keys", "audit_log"]);
    for (const [args, message] of [
      [{ partner: "no-such-partner", name: "x" }, /no partner has the slug "no-such-partner"/],
      [{ partner: "Bad Slug!", name: "x" }, /no partner has the slug/],
      [{ name: "x" }, /--partner/],
      [{ partner: world.slug }, /--name/],
      [{ partner: world.slug, name: "x".repeat(81) }, /--name/],
    ] as const) {
      const result = await createPartnerKeyFromCli(testDb().db, args);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(message);
    }
    expect(await countRows(["api_keys", "audit_log"])).toEqual(before);
  });

  test("token create without --platform is the partner key; with both flags it refuses", async () => {
    const result = await createTokenFromCli(testDb().db, { partner: world.slug, name: "Till" });
    expect(result.ok && result.token).toMatch(/^sk_partner_[a-z2-7]{52}$/);
    const before = await countRows(["api_keys", "audit_log"]);
    const both = await createTokenFromCli(testDb().db, {
      partner: world.slug,
      platform: true,
      name: "Till",
    });
    expect(both).toEqual({ ok: false, error: stringMatching(/not both/) });
    expect(await countRows(["api_keys", "audit_log"])).toEqual(before);
  });

  test("the command itself: an unknown slug exits 1 with the error on stderr", async () => {
    const cli = adminCli();
    try {
      const { code, stdout, stderr } = await cli.run([
        "token",
        "create",
        "--partner",
        "nobody",
        "--name",
        "x",
      ]);
      expect(code, stderr).toBe(1);
      expect(stderr).toContain('no partner has the slug "nobody"');
      expect(stdout).not.toMatch(/sk_partner_/);
    } finally {
      cli.remove();
    }
  }, 120_000);
});
