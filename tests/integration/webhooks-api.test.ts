// The partner API for webhook endpoints (issue 16): GET/POST /api/v1/webhook-endpoints and
// DELETE /api/v1/webhook-endpoints/{id}. Every answer is parsed with its declared schema
// (helpers/api.ts); the secret is in the creation answer only; bad input names its field and
// writes nothing; another partner's endpoint answers 404 like one that does not exist.
import { beforeAll, describe, expect, test } from "vitest";
import { CreatedWebhookEndpointSchema } from "~/api/schemas";
import { openApiDocument } from "~/api/openapi.server";
import { createPartner } from "../factories.ts";
import { callApi, partnerKey, type ApiResult } from "../helpers/api.ts";
import { auditRows, countRows } from "../helpers/auth.ts";

const MISSING_UUID = "00000000-0000-4000-8000-000000000000";
let token: string;
let otherToken: string;
let partnerId: string;

beforeAll(async () => {
  const partner = await createPartner();
  partnerId = partner.id;
  token = await partnerKey(partner.id, "Shop POS");
  otherToken = await partnerKey((await createPartner()).id, "Other");
});

type Problem = { code: string; errors?: { field: string; message: string }[] };

function fieldsOf(result: ApiResult) {
  return ((result.body as Problem).errors ?? []).map((e) => e.field).sort();
}

describe("/api/v1/webhook-endpoints", () => {
  test("create answers the secret once; list never shows it; delete removes it", async () => {
    const created = await callApi({
      method: "POST",
      path: "/api/v1/webhook-endpoints",
      token,
      body: { url: "https://hooks.example.com/7stamp", events: ["code.claimed", "limit.reached"] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const body = CreatedWebhookEndpointSchema.parse(created.body);
    expect(body).toMatchObject({
      url: "https://hooks.example.com/7stamp",
      events: ["code.claimed", "limit.reached"],
      enabled: true,
      failing_since: null,
    });
    expect(body.secret).toMatch(/^whsec_/);
    expect(created.headers.get("Location")).toBe(`/api/v1/webhook-endpoints/${body.id}`);
    const audit = (await auditRows("webhook_endpoint.created")).find(
      (r) => r.subject_id === body.id,
    );
    expect(audit).toMatchObject({ partner_id: partnerId });

    const list = await callApi({ path: "/api/v1/webhook-endpoints", token });
    expect(list.status).toBe(200);
    const listed = list.body as { data: { id: string }[] };
    expect(listed.data.map((e) => e.id)).toEqual([body.id]);
    expect(JSON.stringify(list.body)).not.toContain(body.secret);
    expect(JSON.stringify(list.body)).not.toContain("secret");

    const theirs = await callApi({ path: "/api/v1/webhook-endpoints", token: otherToken });
    expect((theirs.body as { data: unknown[] }).data).toEqual([]);
    const notTheirs = await callApi({
      method: "DELETE",
      path: `/api/v1/webhook-endpoints/${body.id}`,
      token: otherToken,
    });
    expect(notTheirs.status).toBe(404);

    const deleted = await callApi({
      method: "DELETE",
      path: `/api/v1/webhook-endpoints/${body.id}`,
      token,
    });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: body.id, deleted: true });
    const again = await callApi({
      method: "DELETE",
      path: `/api/v1/webhook-endpoints/${body.id}`,
      token,
    });
    expect(again.status).toBe(404);
    for (const id of [MISSING_UUID, "nope"]) {
      const missing = await callApi({
        method: "DELETE",
        path: `/api/v1/webhook-endpoints/${id}`,
        token,
      });
      expect(missing.status).toBe(404);
    }
  });

  test("bad input names its field and writes nothing", async () => {
    const before = await countRows(["webhook_endpoints", "audit_log"]);
    const cases: [unknown, string[]][] = [
      [{ url: "https://hooks.example.com/x", events: [] }, ["events"]],
      [{ url: "https://hooks.example.com/x", events: ["code.stolen"] }, ["events.0"]],
      // Invoice events go to the platform's endpoints only (they carry no partner).
      [
        { url: "https://hooks.example.com/x", events: ["code.claimed", "invoice.paid"] },
        ["events.1"],
      ],
      [{ url: "", events: ["code.claimed"] }, ["url"]],
      [{ url: "ftp://hooks.example.com/x", events: ["code.claimed"] }, ["url"]],
      [{ url: "https://10.0.0.1/x", events: ["code.claimed"] }, ["url"]],
      [{ url: "https://169.254.169.254/latest", events: ["code.claimed"] }, ["url"]],
      [{ url: "https://u:p@hooks.example.com/", events: ["code.claimed"] }, ["url"]],
      [{ events: ["code.claimed"] }, ["url"]],
      [{ url: "https://hooks.example.com/x" }, ["events"]],
      [{ url: "x".repeat(5000), events: ["code.claimed"] }, ["url"]],
    ];
    for (const [body, fields] of cases) {
      const result = await callApi({
        method: "POST",
        path: "/api/v1/webhook-endpoints",
        token,
        body,
      });
      expect(result.status, JSON.stringify(body).slice(0, 100)).toBe(400);
      expect((result.body as Problem).code).toBe("invalid_request");
      expect(fieldsOf(result)).toEqual(fields);
    }
    const put = await callApi({
      method: "PUT",
      path: "/api/v1/webhook-endpoints",
      token,
      body: {},
    });
    expect(put.status).toBe(405);
    expect(await countRows(["webhook_endpoints", "audit_log"])).toEqual(before);
  });

  test("the OpenAPI document has the three operations", () => {
    const doc = openApiDocument() as unknown as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    expect(doc.paths["/api/v1/webhook-endpoints"]?.get?.operationId).toBe("listWebhookEndpoints");
    expect(doc.paths["/api/v1/webhook-endpoints"]?.post?.operationId).toBe("createWebhookEndpoint");
    expect(doc.paths["/api/v1/webhook-endpoints/{id}"]?.delete?.operationId).toBe(
      "deleteWebhookEndpoint",
    );
  });
});
