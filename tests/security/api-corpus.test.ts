// Bad input over every API endpoint, generated from the served OpenAPI document: for each
// operation, a body built valid from its schema is sent once, then every property is broken
// in turn (wrong type, out of range, too long, a lone surrogate, a NUL, an impossible date)
// next to the request-level cases (not JSON, not an object, nested too deep, unknown field)
// and bad path and query values. Each must answer 4xx, and nothing may be written.
import { beforeAll, describe, expect, test } from "vitest";
import { testDb } from "../db.ts";
import {
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartnerWithOwner,
} from "../factories.ts";
import { apiRouter } from "~/api/routes.server";
import { callApi, partnerKey, platformToken } from "../helpers/api.ts";
import { makeContext } from "../helpers/remix.ts";
import { tableCounts } from "./written.ts";
import { at, get } from "../helpers/rows.ts";
import { present } from "../helpers/typed.ts";

type Schema = Record<string, unknown>;
/** Every path the API router serves. */
const routes = new Set(apiRouter.routes.map((route) => route.endpoint.path));

let doc: {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; parameters: Record<string, Parameter> };
};

interface Parameter {
  name: string;
  in: "path" | "query";
  schema?: Schema;
}

interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: Record<string, string[]>[];
}

const fixtures = {
  partnerKey: "",
  platformToken: "",
  /** Real ids, so a broken body is judged by its body and not refused for its path. */
  params: {} as Record<string, Record<string, string>>,
  businessId: "",
};

beforeAll(async () => {
  const { partner } = await createPartnerWithOwner();
  const bundle = await createBundle(partner.id);
  const { batch, codes } = await createBatchWithCodes(bundle, { count: 3 });
  const { business } = await createBusinessWithOwner();
  fixtures.partnerKey = await partnerKey(partner.id);
  fixtures.platformToken = await platformToken();
  fixtures.businessId = business.id;
  fixtures.params = {
    "/api/v1/bundles/{id}": { id: bundle.id },
    "/api/v1/bundles/{id}/codes": { id: bundle.id },
    "/api/v1/batches/{id}": { id: batch.id },
    "/api/v1/batches/{id}/codes.csv": { id: batch.id },
    "/api/v1/codes/{code}": { code: at(codes, 0, "code").code },
    "/api/v1/codes/{code}/revoke": { code: at(codes, 1, "code").code },
    "/api/v1/businesses/{id}/entitlements": { id: business.id },
    "/api/v1/businesses/{id}/operations": { id: business.id },
    "/api/v1/businesses/{id}/redemptions": { id: business.id },
  };
  const served = await callApi<typeof doc>({ path: "/api/v1/openapi.json", token: null });
  expect(served.status).toBe(200);
  doc = served.body;
});

function resolve<T>(value: T | { $ref: string }): T {
  if (value && typeof value === "object" && "$ref" in value) {
    const [, , section = "", name = ""] = value.$ref.split("/");
    const components = doc.components as unknown as Record<string, Record<string, T>>;
    return resolve(get(get(components, section, "components section"), name, value.$ref));
  }
  return value;
}

/**
 * One schema without references, alternatives narrowed to the first non-null one (also
 * OpenAPI 3.1's `type: ["integer", "null"]`).
 */
function flatten(schema: Schema): Schema {
  const s = resolve(schema);
  if (Array.isArray(s.type)) {
    return { ...s, type: (s.type as string[]).find((t) => t !== "null") ?? s.type[0] };
  }
  const choices = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (choices) {
    return flatten(
      choices.find((c) => resolve(c).type !== "null") ?? at(choices, 0, "schema alternative"),
    );
  }
  if (s.allOf) {
    const parts = (s.allOf as Schema[]).map(flatten);
    return {
      type: "object",
      required: parts.flatMap((p) => (p.required as string[]) ?? []),
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
    };
  }
  return s;
}

/** A value the schema accepts (the smallest sensible one). */
function validValue(schema: Schema, name = ""): unknown {
  const s = flatten(schema);
  if (s.enum) return (s.enum as unknown[])[0];
  switch (s.type) {
    case "object": {
      const result: Record<string, unknown> = {};
      for (const [key, property] of Object.entries((s.properties ?? {}) as Record<string, Schema>))
        result[key] = validValue(property, key);
      return result;
    }
    case "array":
      return [validValue(s.items as Schema)];
    case "integer":
    case "number":
      return Math.max(Number(s.minimum ?? 1), 1);
    case "boolean":
      return false;
    default:
      if (s.format === "uuid")
        return name === "business_id" ? fixtures.businessId : crypto.randomUUID();
      if (s.format === "date-time") return new Date(Date.now() + 30 * 86_400_000).toISOString();
      return `${name || "value"}-${crypto.randomUUID().slice(0, 8)}`.slice(
        0,
        Number(s.maxLength ?? 64),
      );
  }
}

/** Broken versions of one value, each named. */
function brokenValues(schema: Schema): [string, unknown][] {
  const s = flatten(schema);
  const cases: [string, unknown][] = [["an object", { nested: true }]];
  switch (s.type) {
    case "integer":
    case "number":
      cases.push(["text", "twelve"], ["a fraction", 1.5], ["a huge number", 1e300]);
      if (s.minimum !== undefined) cases.push(["below the minimum", Number(s.minimum) - 1]);
      if (s.maximum !== undefined) cases.push(["above the maximum", Number(s.maximum) + 1]);
      break;
    case "array":
      cases.push(["text", "x"], ["an empty list", []]);
      break;
    case "object":
      cases.push(["text", "x"]);
      break;
    case "boolean":
      cases.push(["text", "yes"]);
      break;
    default:
      cases.push(
        ["a number", 12345],
        ["a lone surrogate", "x\ud800"],
        ["a lone low surrogate", "\udc00x"],
        ["a NUL", "a\u0000b"],
        ["100,000 characters", "x".repeat(100_000)],
      );
      if (s.format === "date-time") cases.push(["an impossible date", "2027-02-30T12:00:00Z"]);
      if (s.enum) cases.push(["not one of the choices", "none-of-these"]);
  }
  return cases;
}

/** A path parameter as a client could send it (a lone surrogate as its UTF-8-less bytes). */
function encodeLoosely(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return "x%ED%A0%80";
  }
}

function deeplyNested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

function tokenFor(operation: Operation): string | null {
  const scheme = Object.keys((operation.security ?? [{ bearerAuth: [] }])[0] ?? {})[0];
  if (scheme === undefined) return null;
  return scheme === "platformAuth" ? fixtures.platformToken : fixtures.partnerKey;
}

/** A 4xx, or for a batch a 2xx whose every result is a 4xx (each event answers alone). */
function refused(status: number, body: unknown): boolean {
  if (status >= 400 && status < 500) return true;
  const results = (body as { results?: { status: number }[] } | null)?.results;
  return (
    status < 300 &&
    Array.isArray(results) &&
    results.every((r) => r.status >= 400 && r.status < 500)
  );
}

describe("every API operation in the OpenAPI document", () => {
  test("the document and the routes match", () => {
    for (const path of Object.keys(doc.paths)) expect(routes.has(path), path).toBe(true);
  });

  test("bad input answers 4xx and writes nothing", async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const token = tokenFor(operation);
        const params = fixtures.params[path] ?? {};
        const send = async (
          what: string,
          call: {
            params?: Record<string, string>;
            query?: string;
            body?: unknown;
            rawBody?: string;
            headers?: Record<string, string>;
          },
        ) => {
          cases += 1;
          const usedParams = call.params ?? params;
          let url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
            encodeLoosely(usedParams[name] ?? "x"),
          );
          if (call.query) url += `?${call.query}`;
          try {
            const answer = await callApi({
              method: method.toUpperCase(),
              path: url,
              token,
              body: call.body,
              rawBody: call.rawBody,
              headers: call.headers,
              context: makeContext(),
            });
            if (!refused(answer.status, answer.body))
              failures.push(`${method.toUpperCase()} ${path} ${what}: ${answer.status}`);
          } catch (error) {
            failures.push(
              `${method.toUpperCase()} ${path} ${what}: threw ${String(error).slice(0, 200)}`,
            );
          }
        };

        const bodySchema = operation.requestBody?.content["application/json"]?.schema;
        const baseline = bodySchema ? (validValue(bodySchema) as Record<string, unknown>) : null;
        const before = await tableCounts();

        // Path parameters that name nothing, or are not even well-formed.
        for (const name of Object.keys(params)) {
          for (const bad of [
            "nope",
            "0",
            "-1",
            "00000000-0000-0000-0000-000000000000",
            "9".repeat(40),
            "' or 1=1 --",
            "x\u0000y",
            "x\ud800",
            "%E0%A4%A",
            "x".repeat(5000),
          ]) {
            await send(`path ${name}=${JSON.stringify(bad.slice(0, 20))}`, {
              params: { ...params, [name]: bad },
              body: baseline ?? undefined,
            });
          }
        }

        // Query parameters with values no one should send.
        for (const parameter of (operation.parameters ?? []).map((p) => resolve<Parameter>(p))) {
          if (parameter.in !== "query") continue;
          for (const bad of [
            "-1",
            "abc",
            "9".repeat(30),
            "\u0000",
            "x\ud800",
            "x".repeat(5000),
            "2027-02-30",
          ]) {
            cases += 1;
            const url = `${path.replace(/\{(\w+)\}/g, (_, n: string) => encodeLoosely(params[n] ?? "x"))}?${parameter.name}=${bad}`;
            try {
              const answer = await callApi({
                method: method.toUpperCase(),
                path: url,
                token,
                context: makeContext(),
              });
              // A value a filter does not know may simply match nothing; it must never fail.
              if (answer.status >= 500)
                failures.push(
                  `${method.toUpperCase()} ${path} ?${parameter.name}=${JSON.stringify(bad.slice(0, 20))}: ${answer.status}`,
                );
            } catch (error) {
              failures.push(
                `${method.toUpperCase()} ${path} ?${parameter.name}: threw ${String(error).slice(0, 200)}`,
              );
            }
          }
        }

        if (baseline) {
          // Request-level cases.
          await send("a body that is not JSON", {
            rawBody: "{",
            headers: { "Content-Type": "application/json" },
          });
          await send("a JSON list", { body: [] });
          await send("JSON null", {
            rawBody: "null",
            headers: { "Content-Type": "application/json" },
          });
          await send("a JSON string", { body: "x" });
          await send("nested 5,000 deep", {
            rawBody: deeplyNested(5000),
            headers: { "Content-Type": "application/json" },
          });
          await send("the wrong content type", {
            rawBody: JSON.stringify(baseline),
            headers: { "Content-Type": "text/plain" },
          });
          await send("an unknown field", { body: { ...baseline, not_a_field: 1 } });
          await send("a lone surrogate in a member name", {
            body: { ...baseline, ["k\ud800"]: "v" },
          });

          // Each property broken in turn, the others valid; one level into lists of objects.
          const properties = (flatten(bodySchema!).properties ?? {}) as Record<string, Schema>;
          for (const [name, property] of Object.entries(properties)) {
            for (const [what, value] of brokenValues(property)) {
              await send(`${name} = ${what}`, { body: { ...baseline, [name]: value } });
            }
            const flat = flatten(property);
            if (flat.type === "array" && flatten(flat.items as Schema).type === "object") {
              const item = validValue(flat.items as Schema) as Record<string, unknown>;
              const itemProperties = (flatten(flat.items as Schema).properties ?? {}) as Record<
                string,
                Schema
              >;
              for (const [itemName, itemProperty] of Object.entries(itemProperties)) {
                for (const [what, value] of brokenValues(itemProperty)) {
                  await send(`${name}[0].${itemName} = ${what}`, {
                    body: { ...baseline, [name]: [{ ...item, [itemName]: value }] },
                  });
                }
              }
            }
          }
        }

        const after = await tableCounts();
        if (JSON.stringify(after) !== JSON.stringify(before)) {
          failures.push(
            `${method.toUpperCase()} ${path}: rows written ${JSON.stringify(diff(before, after))}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(300);
  }, 300_000);
});

function diff(before: Record<string, number>, after: Record<string, number>) {
  return Object.fromEntries(
    Object.entries(after)
      .filter(([table, count]) => count !== before[table])
      .map(([table, count]) => [table, count - (before[table] ?? 0)]),
  );
}

test("the baseline bodies are valid where they can be (so the cases above test the field)", async () => {
  // A bundle made from the generated baseline proves the generator builds accepted bodies.
  const post = get(get(doc.paths, "/api/v1/bundles", "path"), "post", "operation");
  const content = present(post.requestBody, "request body of POST /api/v1/bundles").content;
  const schema = get(content, "application/json", "JSON request body").schema;
  const body = validValue(schema) as Record<string, unknown>;
  const answer = await callApi({
    method: "POST",
    path: "/api/v1/bundles",
    token: fixtures.partnerKey,
    body,
  });
  expect(answer.status).toBe(201);
  expect(testDb().backend).toBeDefined();
});
