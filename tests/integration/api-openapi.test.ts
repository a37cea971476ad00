// The OpenAPI document covers exactly what exists: every route of the router is in it and
// nothing else is, every $ref resolves, and the problem codes are the registry's.
import { describe, expect, test } from "vitest";
import { endpoints } from "~/api/endpoints.server";
import { apiRouter } from "~/api/routes.server";
import { errorCodeNames, errorCodes } from "~/domain/error-codes";
import { createI18n } from "~/i18n";
import { callApi } from "../helpers/api.ts";
import { first, get } from "../helpers/rows.ts";
import { problemOf } from "../helpers/typed.ts";

/** Every route the router serves: its OpenAPI path and method. */
const implemented = apiRouter.routes.map(({ endpoint }) => ({
  path: endpoint.path,
  method: endpoint.method.toLowerCase(),
}));

async function document() {
  const result = await callApi<string>({ path: "/api/v1/openapi.json", token: null });
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
    expect(first(doc.servers, "server").url).toMatch(/^https?:\/\//);
    expect(JSON.stringify(doc)).toContain('"scheme":"bearer"');
  });

  test("lists exactly the router's paths and methods", async () => {
    const doc = await document();
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(implemented.map((r) => `${r.method} ${r.path}`).sort());
    expect(implemented.length).toBe(Object.keys(endpoints).length);
  });

  test("the documented methods are answered (401 without a key), the others are 405", async () => {
    const paths = [...new Set(implemented.map((r) => r.path))];
    for (const path of paths) {
      if (path === "/api/v1/openapi.json") continue;
      const methods = implemented.filter((r) => r.path === path).map((r) => r.method);
      // The payment provider's webhook takes a signature, not a key: without one, 400 (ADR 038).
      const unauthenticated = path === "/api/v1/payments/webhook" ? 400 : 401;
      for (const method of ["get", "post", "put", "patch", "delete"]) {
        const result = await callApi({
          method: method.toUpperCase(),
          path: path.replace(/\{[a-z]+\}/g, "x"),
          token: null,
          body: method === "get" ? undefined : {},
        });
        expect(result.status, `${method} ${path}`).toBe(
          methods.includes(method) ? unauthenticated : 405,
        );
        if (result.status === 405) {
          expect(result.headers.get("Allow"), `${method} ${path}`).toContain(
            first(methods, "documented method").toUpperCase(),
          );
        }
      }
    }
  });

  test("an unknown /api/ path is a problem+json 404 whatever the method", async () => {
    for (const method of ["GET", "POST", "DELETE"]) {
      const result = await callApi({ method, path: "/api/v1/nothing/here", token: null });
      expect(result.status).toBe(404);
      expect(result.headers.get("Content-Type")).toBe("application/problem+json");
      expect(problemOf(result).code).toBe("not_found");
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
    expect(get(doc.components.schemas, "Problem", "schema").properties?.code?.enum?.sort()).toEqual(
      [...errorCodeNames].sort(),
    );
  });

  test("every authenticated operation documents 401 and 403", async () => {
    const doc = await document();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (operation.security && operation.security.length === 0) continue;
        if (JSON.stringify(operation.security) === JSON.stringify([{ paymentSignature: [] }])) {
          // Signed, not keyed: a missing or bad signature is its documented 400.
          expect(Object.keys(operation.responses), `${method} ${path}`).toContain("400");
          continue;
        }
        expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(
          expect.arrayContaining(["401", "403"]),
        );
      }
    }
  });
});

describe("the error registry", () => {
  const i18n = createI18n("en");

  test("every code has an English message", () => {
    for (const [code, { messageKey }] of Object.entries(errorCodes)) {
      expect(i18n.exists(messageKey), code).toBe(true);
      expect(i18n.t(messageKey), code).not.toBe(messageKey);
    }
  });

  test("every code's status is an error status", () => {
    for (const [code, { status }] of Object.entries(errorCodes)) {
      expect(status >= 400 && status < 600, code).toBe(true);
    }
  });
});
