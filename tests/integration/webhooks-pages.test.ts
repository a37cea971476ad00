// The partner "Webhooks" pages (issue 16): an owner adds an endpoint (its secret answered
// once, never listed), bad input gets field-named errors and writes nothing, a test event
// reaches a real receiver on 127.0.0.1 and shows in the delivery log with its attempt, a
// delivery is resent, the secret rolls, the endpoint is disabled, enabled and deleted.
// Members read but cannot change (403); another partner's owner gets 404.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runWebhookDelivery } from "~/jobs/webhooks.server";
import {
  action as listAction,
  loader as listLoader,
} from "~/routes/_app.partner.$slug.webhooks._index";
import {
  action as logAction,
  loader as logLoader,
} from "~/routes/_app.partner.$slug.webhooks.$endpointId";
import {
  action as supportAction,
  loader as supportLoader,
} from "~/routes/_app.support.webhooks._index";
import {
  action as supportLogAction,
  loader as supportLogLoader,
} from "~/routes/_app.support.webhooks.$endpointId";
import { verifySignature } from "../../docs/webhooks/verify-signature.mjs";
import { testDb } from "../db.ts";
import { addPartnerMember, createPartnerWithOwner, createUser } from "../factories.ts";
import { auditRows, countRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest } from "../helpers/remix.ts";
import { at } from "../helpers/rows.ts";

let server: Server;
let base: string;
const received: { path: string; body: string; signature: string }[] = [];

let world: {
  slug: string;
  partnerId: string;
  owner: string;
  member: string;
  otherOwner: string;
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      received.push({
        path: req.url ?? "/",
        body,
        signature: String(req.headers["x-7stamp-signature"] ?? ""),
      });
      res.writeHead(req.url === "/fails" ? 503 : 200).end("thanks");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { partner, owner } = await createPartnerWithOwner();
  const member = await createUser();
  await addPartnerMember(partner.id, member.id, "member");
  const other = await createPartnerWithOwner();
  world = {
    slug: partner.slug,
    partnerId: partner.id,
    owner: (await signInAs(owner)).cookie,
    member: (await signInAs(member)).cookie,
    otherOwner: (await signInAs(other.owner)).cookie,
  };
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const page = (slug = world.slug) => `/partner/${slug}/webhooks`;

interface ListBody {
  canChange: boolean;
  endpoints: { id: string; url: string; events: string[]; enabled: boolean; secret?: string }[];
}
interface ActionBody {
  errors: Record<string, { key: string }>;
  secret: { endpointId: string; url: string; secret: string; rolled: boolean } | null;
}
interface LogBody {
  deliveries: {
    id: number;
    eventId: number;
    type: string;
    status: string;
    log: { statusCode: number | null; durationMs: number; responseExcerpt: string }[];
  }[];
}

function load(cookie: string, slug = world.slug) {
  return callRoute<ListBody>(listLoader, {
    request: getRequest(page(slug), { cookie }),
    params: { slug },
  });
}
function post(cookie: string, fields: Record<string, string>, slug = world.slug) {
  return callRoute<ActionBody>(listAction, {
    request: formRequest(page(slug), fields, { cookie }),
    params: { slug },
  });
}
function loadLog(cookie: string, endpointId: string, query = "") {
  return callRoute<LogBody>(logLoader, {
    request: getRequest(`${page()}/${endpointId}${query}`, { cookie }),
    params: { slug: world.slug, endpointId },
  });
}
function postLog(cookie: string, endpointId: string, fields: Record<string, string>) {
  return callRoute<ActionBody>(logAction, {
    request: formRequest(`${page()}/${endpointId}`, fields, { cookie }),
    params: { slug: world.slug, endpointId },
  });
}

describe("the partner webhooks page", () => {
  let endpointId = "";
  let secret = "";

  test("bad input gets field-named errors and writes nothing", async () => {
    const before = await countRows(["webhook_endpoints", "audit_log"]);
    const cases: [Record<string, string>, string, string][] = [
      [{ url: "", "event:code.claimed": "on" }, "url", "validation.required"],
      [{ url: "not a url", "event:code.claimed": "on" }, "url", "webhooks:errors.url.invalid"],
      [
        { url: "ftp://example.com/x", "event:code.claimed": "on" },
        "url",
        "webhooks:errors.url.https",
      ],
      [
        { url: "http://10.0.0.1/x", "event:code.claimed": "on" },
        "url",
        "webhooks:errors.url.private",
      ],
      [
        { url: "https://u:p@example.com/", "event:code.claimed": "on" },
        "url",
        "webhooks:errors.url.credentials",
      ],
      [{ url: `${base}/a` }, "events", "webhooks:errors.events.none"],
      [
        { url: `${base}/a`, "event:code.claimed": "on", "event:invoice.paid": "on" },
        "events",
        "webhooks:errors.events.platformOnly",
      ],
      [{ url: "x".repeat(3000) }, "url", "validation.tooLong"],
    ];
    for (const [fields, field, key] of cases) {
      const result = await post(world.owner, { intent: "create", ...fields });
      expect(result.status, JSON.stringify(fields).slice(0, 80)).toBe(400);
      expect(result.body.errors[field]?.key).toBe(key);
      expect(result.body.secret ?? null).toBeNull();
    }
    expect(await countRows(["webhook_endpoints", "audit_log"])).toEqual(before);
  });

  test("an owner adds an endpoint: the secret is answered once and never listed", async () => {
    const result = await post(world.owner, {
      intent: "create",
      url: `${base}/hook`,
      "event:code.claimed": "on",
      "event:limit.reached": "on",
    });
    expect(result.status).toBe(200);
    expect(result.headers.get("Cache-Control")).toBe("no-store");
    const shown = result.body.secret!;
    expect(shown.secret).toMatch(/^whsec_/);
    expect(shown.rolled).toBe(false);
    endpointId = shown.endpointId;
    secret = shown.secret;
    const list = await load(world.owner);
    expect(list.status).toBe(200);
    expect(list.body.canChange).toBe(true);
    expect(list.body.endpoints).toHaveLength(1);
    expect(list.body.endpoints[0]).toMatchObject({
      id: endpointId,
      url: `${base}/hook`,
      events: ["code.claimed", "limit.reached"],
      enabled: true,
    });
    expect(JSON.stringify(list.body)).not.toContain(secret);
    const audit = (await auditRows("webhook_endpoint.created")).find(
      (r) => r.subject_id === endpointId,
    );
    expect(audit).toMatchObject({ partner_id: world.partnerId });
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  test("send test event: it reaches the receiver signed and shows in the log", async () => {
    const result = await post(world.owner, { intent: "test", endpointId });
    expect(result.status).toBe(302);
    expect(result.location).toBe(`${page()}/${endpointId}`);
    received.length = 0;
    await runWebhookDelivery(testDb().db);
    expect(received).toHaveLength(1);
    const delivered = at(received, 0, "received request");
    const body = JSON.parse(delivered.body) as { id: string; type: string };
    expect(body.type).toBe("webhook.test");
    expect(
      verifySignature({
        header: delivered.signature,
        body: delivered.body,
        secret,
        now: Date.now(),
      }),
    ).toBe(true);
    const log = await loadLog(world.owner, endpointId);
    expect(log.status).toBe(200);
    expect(log.body.deliveries).toHaveLength(1);
    expect(log.body.deliveries[0]).toMatchObject({ type: "webhook.test", status: "delivered" });
    expect(log.body.deliveries[0]?.log[0]).toMatchObject({
      statusCode: 200,
      responseExcerpt: "thanks",
    });
    const filtered = await loadLog(world.owner, endpointId, "?outcome=failed");
    expect(filtered.body.deliveries).toHaveLength(0);
    const garbage = await loadLog(world.owner, endpointId, "?outcome=nope&type=x&cursor=%00");
    expect(garbage.status).toBe(200);

    // Resend: the same event again, a second attempt in the log.
    const resend = await postLog(world.owner, endpointId, {
      intent: "resend",
      deliveryId: String(at(log.body.deliveries, 0, "delivery").id),
    });
    expect(resend.status).toBe(302);
    await runWebhookDelivery(testDb().db);
    expect(received).toHaveLength(2);
    const resentBody = JSON.parse(at(received, 1, "received request").body) as { id: string };
    expect(resentBody.id).toBe(body.id);
    const again = await loadLog(world.owner, endpointId);
    expect(again.body.deliveries[0]?.log).toHaveLength(2);
    expect(
      (await postLog(world.owner, endpointId, { intent: "resend", deliveryId: "999999" })).status,
    ).toBe(404);
    expect(
      (await postLog(world.owner, endpointId, { intent: "resend", deliveryId: "x" })).status,
    ).toBe(400);
  });

  test("roll, disable, enable and delete", async () => {
    const rolled = await post(world.owner, { intent: "roll", endpointId });
    expect(rolled.status).toBe(200);
    expect(rolled.body.secret).toMatchObject({ endpointId, rolled: true });
    expect(rolled.body.secret!.secret).not.toBe(secret);

    expect((await post(world.owner, { intent: "disable", endpointId })).status).toBe(302);
    expect((await load(world.owner)).body.endpoints[0]?.enabled).toBe(false);
    expect((await post(world.owner, { intent: "enable", endpointId })).status).toBe(302);
    expect((await load(world.owner)).body.endpoints[0]?.enabled).toBe(true);

    expect((await post(world.owner, { intent: "delete", endpointId: "not-a-uuid" })).status).toBe(
      404,
    );
    expect((await post(world.owner, { intent: "nope" })).status).toBe(400);
    expect((await post(world.owner, { intent: "delete", endpointId })).status).toBe(302);
    expect((await load(world.owner)).body.endpoints).toHaveLength(0);
    expect((await loadLog(world.owner, endpointId)).status).toBe(404);
  });

  test("members read only; another partner's owner gets 404", async () => {
    const created = await post(world.owner, {
      intent: "create",
      url: `${base}/member-view`,
      "event:code.claimed": "on",
    });
    const id = created.body.secret!.endpointId;
    const asMember = await load(world.member);
    expect(asMember.status).toBe(200);
    expect(asMember.body.canChange).toBe(false);
    expect(asMember.body.endpoints.map((e) => e.id)).toEqual([id]);
    expect((await loadLog(world.member, id)).status).toBe(200);
    expect((await post(world.member, { intent: "delete", endpointId: id })).status).toBe(403);
    expect((await postLog(world.member, id, { intent: "test" })).status).toBe(403);
    expect((await load(world.otherOwner)).status).toBe(404);
    expect((await loadLog(world.otherOwner, id)).status).toBe(404);
  });
});

describe("support's webhooks pages", () => {
  interface HealthBody {
    platform: { id: string; url: string }[];
    health: {
      id: string;
      partnerSlug: string | null;
      enabled: boolean;
      failingSince: string | null;
    }[];
    nextHref: string | null;
  }

  test("platform endpoints receive every event; health lists failing and disabled first", async () => {
    const support = (await signInAs(await createUser({ isSupport: true }))).cookie;
    const asSupport = (fields: Record<string, string>) =>
      callRoute<ActionBody>(supportAction, {
        request: formRequest("/support/webhooks", fields, { cookie: support }),
        params: {},
      });
    const created = await asSupport({
      intent: "create",
      url: `${base}/fails`,
      "event:code.claimed": "on",
      "event:statement.finalized": "on",
    });
    expect(created.status).toBe(200);
    const platformId = created.body.secret!.endpointId;

    // Its test event fails (the receiver answers 503): the endpoint is failing.
    expect((await asSupport({ intent: "test", endpointId: platformId })).status).toBe(302);
    await runWebhookDelivery(testDb().db);

    const page = await callRoute<HealthBody>(supportLoader, {
      request: getRequest("/support/webhooks", { cookie: support }),
      params: {},
    });
    expect(page.status).toBe(200);
    expect(page.body.platform.map((e) => e.id)).toEqual([platformId]);
    const ranks = page.body.health.map((e) => (!e.enabled ? 0 : e.failingSince ? 1 : 2));
    expect(ranks).toEqual([...ranks].sort());
    expect(page.body.health.find((e) => e.id === platformId)).toMatchObject({
      partnerSlug: null,
      enabled: true,
    });
    expect(page.body.health.find((e) => e.id === platformId)!.failingSince).not.toBeNull();

    // Support reads any partner's log too, and resends from it.
    const partnerEndpoint = page.body.health.find((e) => e.partnerSlug === world.slug)!;
    const log = await callRoute<LogBody>(supportLogLoader, {
      request: getRequest(`/support/webhooks/${partnerEndpoint.id}`, { cookie: support }),
      params: { endpointId: partnerEndpoint.id },
    });
    expect(log.status).toBe(200);
    const platformLog = await callRoute<LogBody>(supportLogLoader, {
      request: getRequest(`/support/webhooks/${platformId}`, { cookie: support }),
      params: { endpointId: platformId },
    });
    expect(platformLog.body.deliveries[0]).toMatchObject({
      type: "webhook.test",
      status: "pending",
    });
    expect(platformLog.body.deliveries[0]?.log[0]?.statusCode).toBe(503);
    const resent = await callRoute(supportLogAction, {
      request: formRequest(
        `/support/webhooks/${platformId}`,
        { intent: "resend", deliveryId: String(at(platformLog.body.deliveries, 0, "delivery").id) },
        { cookie: support },
      ),
      params: { endpointId: platformId },
    });
    expect(resent.status).toBe(302);

    // Partners never see the platform's endpoints; a partner owner is not support.
    expect((await load(world.owner)).body.endpoints.map((e) => e.id)).not.toContain(platformId);
    expect((await loadLog(world.owner, platformId)).status).toBe(404);
    const notSupport = await callRoute(supportLoader, {
      request: getRequest("/support/webhooks", { cookie: world.owner }),
      params: {},
    });
    expect([403, 404]).toContain(notSupport.status);
  });
});
