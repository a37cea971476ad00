// Webhooks out (issue 16, stage 1): a real receiver on 127.0.0.1 gets each outbox event once
// per matching endpoint, signed (checked with docs/webhooks/verify-signature.mjs); a partner
// never gets another partner's events; failures are retried with growing backoff and logged;
// a hanging receiver times out; SSRF targets are refused; an endpoint failing for days is
// disabled and its owner emailed; a rolled secret signs beside the new one for 24 hours.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { DomainError } from "~/domain/errors.server";
import { recordOutboxEvent } from "~/domain/outbox.server";
import { deliverDue, fanOutOutbox, MAX_ATTEMPTS } from "~/domain/webhooks/delivery.server";
import { createWebhookEndpoint, rollWebhookSecret } from "~/domain/webhooks/endpoints.server";
import { postWebhook } from "~/domain/webhooks/send.server";
import { checkWebhookUrl } from "~/domain/webhooks/ssrf.server";
import { testOutbox } from "~/email/mailer.server";
import { verifySignature } from "../../docs/webhooks/verify-signature.mjs";
import { testDb } from "../db.ts";
import { createPartnerWithOwner } from "../factories.ts";
import { at, first, only } from "../helpers/rows.ts";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The event a delivery carried, as a receiver reads its JSON body. */
function eventIn(delivery: Received) {
  return JSON.parse(delivery.body) as { id: string; type: string; data: unknown };
}

let server: Server;
let base: string;
const received: Received[] = [];
/** Per path: statuses to answer in turn (the last one repeats); "hang" never answers. */
const script = new Map<string, (number | "hang")[]>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, headers: req.headers, body });
      const plan = script.get(path) ?? [200];
      const status = plan.length > 1 ? plan.shift()! : first(plan, "scripted status");
      if (status === "hang") return;
      res.writeHead(status, { "content-type": "text/plain" }).end(`answer ${status} `.repeat(200));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  received.length = 0;
  testOutbox().length = 0;
  // Each test's endpoints start clean: earlier tests' endpoints take no more deliveries.
  await testDb()
    .db.updateTable("webhook_endpoints")
    .set({ enabled: false, disabled_reason: "earlier test" })
    .execute();
});

const db = () => testDb().db;

async function attemptsOf(endpointId: string) {
  return db()
    .selectFrom("webhook_attempts as a")
    .innerJoin("webhook_deliveries as d", "d.id", "a.delivery_id")
    .select([
      "a.status_code",
      "a.attempted_at",
      "a.next_attempt_at",
      "a.error",
      "a.response_excerpt",
      "d.status",
    ])
    .where("d.endpoint_id", "=", endpointId)
    .orderBy("a.id")
    .execute();
}

describe("delivery", () => {
  test("each event reaches each matching endpoint once, signed; never another partner's", async () => {
    const now = new Date();
    const { partner: a } = await createPartnerWithOwner();
    const { partner: b } = await createPartnerWithOwner();
    const epA = await createWebhookEndpoint(db(), {
      partnerId: a.id,
      url: `${base}/a`,
      events: ["code.claimed", "limit.reached"],
    });
    const epB = await createWebhookEndpoint(db(), {
      partnerId: b.id,
      url: `${base}/b`,
      events: ["code.claimed"],
    });
    const platform = await createWebhookEndpoint(db(), {
      partnerId: null,
      url: `${base}/platform`,
      events: ["code.claimed", "entitlements.changed"],
    });
    await recordOutboxEvent(db(), {
      topic: "code.claimed",
      partnerId: a.id,
      payload: { code: "A1" },
    });
    await recordOutboxEvent(db(), {
      topic: "code.claimed",
      partnerId: b.id,
      payload: { code: "B1" },
    });
    await recordOutboxEvent(db(), {
      topic: "entitlements.changed",
      partnerId: a.id,
      payload: { n: 1 },
    });

    expect(await fanOutOutbox(db(), { now })).toBe(3);
    expect(await fanOutOutbox(db(), { now })).toBe(0);
    expect(await deliverDue(db(), { now })).toBe(5);
    expect(await deliverDue(db(), { now })).toBe(0);

    const at = (path: string) => received.filter((r) => r.path === path);
    expect(at("/a").map((r) => eventIn(r).data)).toEqual([{ code: "A1" }]);
    expect(at("/b").map((r) => eventIn(r).data)).toEqual([{ code: "B1" }]);
    expect(
      at("/platform")
        .map((r) => eventIn(r).type)
        .sort(),
    ).toEqual(["code.claimed", "code.claimed", "entitlements.changed"]);
    for (const [path, secret] of [
      ["/a", epA.secret],
      ["/b", epB.secret],
      ["/platform", platform.secret],
    ] as const) {
      for (const r of at(path)) {
        const header = r.headers["x-7stamp-signature"] as string;
        expect(verifySignature({ header, body: r.body, secret, now: now.getTime() })).toBe(true);
        expect(
          verifySignature({
            header,
            body: r.body,
            secret: epB.secret === secret ? epA.secret : epB.secret,
            now: now.getTime(),
          }),
        ).toBe(false);
        expect(r.headers["x-7stamp-event-id"]).toBe(eventIn(r).id);
      }
    }
    const log = await attemptsOf(epA.id);
    expect(log).toHaveLength(1);
    const attempt = only(log, "attempt");
    expect(attempt).toMatchObject({ status_code: 200, status: "delivered", error: null });
    expect(attempt.response_excerpt.length).toBeLessThanOrEqual(1024);
  });

  test("500 three times then 200: four attempts, growing backoff, each logged", async () => {
    const { partner } = await createPartnerWithOwner();
    const ep = await createWebhookEndpoint(db(), {
      partnerId: partner.id,
      url: `${base}/flaky`,
      events: ["code.claimed"],
    });
    script.set("/flaky", [500, 500, 500, 200]);
    await recordOutboxEvent(db(), { topic: "code.claimed", partnerId: partner.id, payload: {} });
    let now = new Date();
    await fanOutOutbox(db(), { now });
    for (let i = 0; i < 4; i++) {
      expect(await deliverDue(db(), { now })).toBe(1);
      const next = (await attemptsOf(ep.id)).at(-1)!.next_attempt_at;
      expect(await deliverDue(db(), { now })).toBe(0);
      if (next) now = new Date(next);
    }
    const log = await attemptsOf(ep.id);
    expect(log.map((r) => r.status_code)).toEqual([500, 500, 500, 200]);
    expect(log.at(-1)!.status).toBe("delivered");
    const gaps = log
      .slice(1)
      .map(
        (r, i) =>
          new Date(r.attempted_at).getTime() -
          new Date(at(log, i, "attempt").attempted_at).getTime(),
      );
    expect(gaps[0]).toBeGreaterThan(0);
    expect(gaps[1]).toBeGreaterThan(at(gaps, 0, "gap"));
    expect(gaps[2]).toBeGreaterThan(at(gaps, 1, "gap"));
    expect(received.filter((r) => r.path === "/flaky")).toHaveLength(4);
  });

  test("gives up after the last attempt", async () => {
    const { partner } = await createPartnerWithOwner();
    const ep = await createWebhookEndpoint(db(), {
      partnerId: partner.id,
      url: `${base}/down`,
      events: ["code.claimed"],
    });
    script.set("/down", [503]);
    await recordOutboxEvent(db(), { topic: "code.claimed", partnerId: partner.id, payload: {} });
    let now = new Date();
    await fanOutOutbox(db(), { now });
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      expect(await deliverDue(db(), { now })).toBe(1);
      const next = (await attemptsOf(ep.id)).at(-1)!.next_attempt_at;
      if (next) now = new Date(next);
    }
    const log = await attemptsOf(ep.id);
    expect(log).toHaveLength(MAX_ATTEMPTS);
    expect(log.at(-1)).toMatchObject({ status: "failed", next_attempt_at: null });
    const span =
      new Date(log.at(-1)!.attempted_at).getTime() -
      new Date(first(log, "attempt").attempted_at).getTime();
    expect(span).toBeGreaterThan(18 * 3600_000);
    expect(span).toBeLessThan(30 * 3600_000);
  });

  test("a receiver that does not answer times out and is retried", async () => {
    const { partner } = await createPartnerWithOwner();
    const ep = await createWebhookEndpoint(db(), {
      partnerId: partner.id,
      url: `${base}/hang`,
      events: ["code.claimed"],
    });
    script.set("/hang", ["hang"]);
    await recordOutboxEvent(db(), { topic: "code.claimed", partnerId: partner.id, payload: {} });
    const now = new Date();
    await fanOutOutbox(db(), { now });
    const started = Date.now();
    expect(await deliverDue(db(), { now, timeoutMs: 300 })).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    const attempt = first(await attemptsOf(ep.id), "attempt");
    expect(attempt).toMatchObject({ status_code: null, status: "pending" });
    expect(attempt.error).toMatch(/timeout/);
    expect(attempt.next_attempt_at).not.toBeNull();
  });

  test("an endpoint failing for days is disabled and its owner emailed", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const ep = await createWebhookEndpoint(db(), {
      partnerId: partner.id,
      url: `${base}/broken`,
      events: ["code.claimed"],
    });
    script.set("/broken", [500]);
    const now = new Date();
    await db()
      .updateTable("webhook_endpoints")
      .set({ failing_since: new Date(now.getTime() - 4 * 24 * 3600_000), consecutive_failures: 30 })
      .where("id", "=", ep.id)
      .execute();
    await recordOutboxEvent(db(), { topic: "code.claimed", partnerId: partner.id, payload: {} });
    await fanOutOutbox(db(), { now });
    expect(await deliverDue(db(), { now })).toBe(1);
    const row = await db()
      .selectFrom("webhook_endpoints")
      .selectAll()
      .where("id", "=", ep.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ enabled: false, consecutive_failures: 31 });
    expect(row.disabled_reason).toMatch(/HTTP 500/);
    expect(testOutbox().map((m) => m.to)).toEqual([owner.email]);
    const email = first(testOutbox(), "email");
    expect(email.subject).toContain(ep.url);
    expect(email.text).not.toContain(ep.secret);
    // Disabled: new events are not fanned out to it, pending ones not sent.
    await recordOutboxEvent(db(), { topic: "code.claimed", partnerId: partner.id, payload: {} });
    await fanOutOutbox(db(), { now });
    expect(await deliverDue(db(), { now: new Date(now.getTime() + 86_400_000) })).toBe(0);
  });
});

describe("SSRF", () => {
  test.each([
    "http://10.0.0.1/hook",
    "http://169.254.169.254/latest/meta-data",
    "https://[::1]/x",
    "https://192.168.1.5/",
  ])("%s is refused as an endpoint", (url) => {
    expect(() => checkWebhookUrl(url, { production: false, allowLoopback: false })).toThrow(
      DomainError,
    );
  });

  test("http and credentials are refused in production; the message names the field", () => {
    expect(() =>
      checkWebhookUrl("http://example.com/hook", { production: true, allowLoopback: false }),
    ).toThrow(/^url: /);
    expect(() =>
      checkWebhookUrl("https://u:p@example.com/hook", { production: true, allowLoopback: false }),
    ).toThrow(/^url: /);
    expect(
      checkWebhookUrl("https://example.com/hook", { production: true, allowLoopback: false }).host,
    ).toBe("example.com");
  });

  test("bad input is refused before anything is written", async () => {
    const before = await db()
      .selectFrom("webhook_endpoints")
      .select(db().fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    await expect(
      createWebhookEndpoint(db(), { partnerId: null, url: "ftp://x", events: ["code.claimed"] }),
    ).rejects.toMatchObject({ field: "url" });
    await expect(
      createWebhookEndpoint(db(), { partnerId: null, url: `${base}/x`, events: ["nope"] }),
    ).rejects.toMatchObject({ field: "events" });
    const after = await db()
      .selectFrom("webhook_endpoints")
      .select(db().fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toEqual(before.n);
  });

  test.each([
    "http://10.0.0.1:9/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://localhost:PORT/a",
    "http://127.0.0.1:PORT/a",
  ])("a delivery to %s is refused without loopback allowed", async (template) => {
    const url = template.replace("PORT", new URL(base).port);
    const outcome = await postWebhook(url, "{}", {}, { timeoutMs: 2_000, allowLoopback: false });
    expect(outcome.statusCode).toBeNull();
    expect(outcome.error).toMatch(/^refused: /);
    expect(received).toHaveLength(0);
  });

  test("an endpoint stored with a private address is refused at delivery and logged", async () => {
    const { partner } = await createPartnerWithOwner();
    const ep = await db()
      .insertInto("webhook_endpoints")
      .values({
        partner_id: partner.id,
        url: "http://10.0.0.1/hook",
        events: ["code.claimed"],
        secret: "whsec_x",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordOutboxEvent(db(), { topic: "code.claimed", partnerId: partner.id, payload: {} });
    const now = new Date();
    await fanOutOutbox(db(), { now });
    expect(await deliverDue(db(), { now, allowLoopback: false })).toBe(1);
    const attempt = first(await attemptsOf(ep.id), "attempt");
    expect(attempt.error).toMatch(/^refused: /);
  });
});

describe("secret roll", () => {
  test("both signatures verify during the overlap, only the new one after", async () => {
    const { partner } = await createPartnerWithOwner();
    const ep = await createWebhookEndpoint(db(), {
      partnerId: partner.id,
      url: `${base}/roll`,
      events: ["code.claimed"],
    });
    const t0 = new Date();
    const fresh = await rollWebhookSecret(db(), {
      endpointId: ep.id,
      partnerId: partner.id,
      now: t0,
    });
    await recordOutboxEvent(db(), {
      topic: "code.claimed",
      partnerId: partner.id,
      payload: { n: 1 },
    });
    await fanOutOutbox(db(), { now: t0 });
    await deliverDue(db(), { now: t0 });
    const during = received.at(-1)!;
    const check = (r: Received, secret: string, now: Date) =>
      verifySignature({
        header: r.headers["x-7stamp-signature"] as string,
        body: r.body,
        secret,
        now: now.getTime(),
      });
    expect(check(during, fresh, t0)).toBe(true);
    expect(check(during, ep.secret, t0)).toBe(true);

    const later = new Date(t0.getTime() + 25 * 3600_000);
    await recordOutboxEvent(db(), {
      topic: "code.claimed",
      partnerId: partner.id,
      payload: { n: 2 },
    });
    await fanOutOutbox(db(), { now: later });
    await deliverDue(db(), { now: later });
    const after = received.at(-1)!;
    expect(eventIn(after).data).toEqual({ n: 2 });
    expect(check(after, fresh, later)).toBe(true);
    expect(check(after, ep.secret, later)).toBe(false);

    await expect(
      rollWebhookSecret(db(), { endpointId: ep.id, partnerId: null, now: t0 }),
    ).rejects.toMatchObject({ status: 404 });
  });
});
