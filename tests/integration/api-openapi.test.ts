// The OpenAPI document covers exactly what exists: every implemented path and method is in
// it, nothing else is, every $ref resolves, and the problem codes are those the API uses.
import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { problemTitles } from "~/api/problem.server";
import * as batchCsvRoute from "~/routes/api.v1.batches.$id.codes[.]csv";
import * as batchRoute from "~/routes/api.v1.batches.$id";
import * as bundleCodesRoute from "~/routes/api.v1.bundles.$id.codes";
import * as bundleRoute from "~/routes/api.v1.bundles.$id";
import * as bundlesRoute from "~/routes/api.v1.bundles";
import * as codeRevokeRoute from "~/routes/api.v1.codes.$code.revoke";
import * as codeRoute from "~/routes/api.v1.codes.$code";
import * as codesRoute from "~/routes/api.v1.codes";
import * as openApiRoute from "~/routes/api.v1.openapi[.]json";
import * as entitlementsRoute from "~/routes/api.v1.businesses.$id.entitlements";
import * as operationsRoute from "~/routes/api.v1.businesses.$id.operations";
import * as redemptionsRoute from "~/routes/api.v1.businesses.$id.redemptions";
import * as operationsBatchRoute from "~/routes/api.v1.operations.batch";
import * as clientsRoute from "~/routes/api.v1.clients";
import * as clientRoute from "~/routes/api.v1.clients.$id";
import * as statementPdfRoute from "~/routes/api.v1.statements.$id[.]pdf";
import * as statementsRoute from "~/routes/api.v1.statements";
import { callApi } from "../helpers/api.ts";

type RouteModule = { loader: unknown; action: unknown };

/** Every /api/v1 route there is: its file, its OpenAPI path and the methods it answers. */
const implemented: { file: string; path: string; methods: string[]; route: RouteModule }[] = [
  {
    file: "api.v1.bundles.tsx",
    path: "/api/v1/bundles",
    methods: ["get", "post"],
    route: bundlesRoute,
  },
  {
    file: "api.v1.bundles.$id.tsx",
    path: "/api/v1/bundles/{id}",
    methods: ["get"],
    route: bundleRoute,
  },
  {
    file: "api.v1.bundles.$id.codes.tsx",
    path: "/api/v1/bundles/{id}/codes",
    methods: ["post"],
    route: bundleCodesRoute,
  },
  {
    file: "api.v1.batches.$id.tsx",
    path: "/api/v1/batches/{id}",
    methods: ["get"],
    route: batchRoute,
  },
  {
    file: "api.v1.batches.$id.codes[.]csv.tsx",
    path: "/api/v1/batches/{id}/codes.csv",
    methods: ["get"],
    route: batchCsvRoute,
  },
  { file: "api.v1.codes.tsx", path: "/api/v1/codes", methods: ["get"], route: codesRoute },
  {
    file: "api.v1.codes.$code.tsx",
    path: "/api/v1/codes/{code}",
    methods: ["get"],
    route: codeRoute,
  },
  {
    file: "api.v1.businesses.$id.entitlements.tsx",
    path: "/api/v1/businesses/{id}/entitlements",
    methods: ["get"],
    route: entitlementsRoute,
  },
  {
    file: "api.v1.businesses.$id.operations.tsx",
    path: "/api/v1/businesses/{id}/operations",
    methods: ["post"],
    route: operationsRoute,
  },
  {
    file: "api.v1.businesses.$id.redemptions.tsx",
    path: "/api/v1/businesses/{id}/redemptions",
    methods: ["post"],
    route: redemptionsRoute,
  },
  {
    file: "api.v1.operations.batch.tsx",
    path: "/api/v1/operations/batch",
    methods: ["post"],
    route: operationsBatchRoute,
  },
  {
    file: "api.v1.codes.$code.revoke.tsx",
    path: "/api/v1/codes/{code}/revoke",
    methods: ["post"],
    route: codeRevokeRoute,
  },
  { file: "api.v1.clients.tsx", path: "/api/v1/clients", methods: ["get"], route: clientsRoute },
  {
    file: "api.v1.clients.$id.tsx",
    path: "/api/v1/clients/{id}",
    methods: ["get"],
    route: clientRoute,
  },
  {
    file: "api.v1.statements.tsx",
    path: "/api/v1/statements",
    methods: ["get"],
    route: statementsRoute,
  },
  {
    file: "api.v1.statements.$id[.]pdf.tsx",
    path: "/api/v1/statements/{id}.pdf",
    methods: ["get"],
    route: statementPdfRoute,
  },
  {
    file: "api.v1.openapi[.]json.tsx",
    path: "/api/v1/openapi.json",
    methods: ["get"],
    route: openApiRoute,
  },
];

async function document() {
  const result = await callApi<string>(openApiRoute, { path: "/api/v1/openapi.json", token: null });
  expect(result.status).toBe(200);
  expect(result.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
  // callApi parses JSON bodies; a string here would mean it was not valid JSON.
  expect(typeof result.body).toBe("object");
  return result.body as unknown as {
    openapi: string;
    paths: Record<
      string,
      Record<string, { responses: Record<string, unknown>; security?: unknown[] }>
    >;
    components: { schemas: Record<string, { properties?: Record<string, { enum?: string[] }> }> };
    servers: { url: string }[];
  };
}

describe("GET /api/v1/openapi.json", () => {
  test("is OpenAPI 3.1 JSON with the bearer scheme and the public URL as server", async () => {
    const doc = await document();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers[0].url).toMatch(/^https?:\/\//);
    expect(JSON.stringify(doc)).toContain('"scheme":"bearer"');
  });

  test("lists exactly the implemented paths and methods", async () => {
    const doc = await document();
    expect(Object.keys(doc.paths).sort()).toEqual(implemented.map((r) => r.path).sort());
    for (const { path, methods } of implemented) {
      expect(Object.keys(doc.paths[path]).sort(), path).toEqual([...methods].sort());
    }
  });

  test("every /api/v1 route file is in the list above (so, in the document)", () => {
    const files = readdirSync("app/routes").filter((f) => f.startsWith("api.v1."));
    expect(files.sort()).toEqual(implemented.map((r) => r.file).sort());
  });

  test("the documented methods are answered (401 without a key), the others are 405", async () => {
    for (const { path, methods, route } of implemented) {
      if (path === "/api/v1/openapi.json") continue;
      for (const method of ["get", "post", "put", "patch", "delete"]) {
        const result = await callApi(route, {
          method: method.toUpperCase(),
          path: path.replace(/\{[a-z]+\}/g, "x"),
          params: { id: "x", code: "x" },
          token: null,
          body: method === "get" ? undefined : {},
        });
        expect(result.status, `${method} ${path}`).toBe(methods.includes(method) ? 401 : 405);
      }
    }
  });

  test("every $ref resolves and every problem code is documented", async () => {
    const doc = await document();
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const pointer = ref.slice(8, -1);
      expect(pointer.startsWith("#/")).toBe(true);
      let node: unknown = doc;
      for (const part of pointer.slice(2).split("/")) {
        node = (node as Record<string, unknown>)[part];
      }
      expect(node, pointer).toBeDefined();
    }
    expect(doc.components.schemas.Problem.properties?.code.enum?.sort()).toEqual(
      Object.keys(problemTitles).sort(),
    );
    for (const code of [
      "invalid_request",
      "unauthenticated",
      "forbidden",
      "not_found",
      "rate_limited",
    ]) {
      expect(Object.keys(problemTitles)).toContain(code);
    }
  });

  test("every authenticated operation documents 401 and 403", async () => {
    const doc = await document();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (operation.security && operation.security.length === 0) continue;
        expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(
          expect.arrayContaining(["401", "403"]),
        );
      }
    }
  });
});
