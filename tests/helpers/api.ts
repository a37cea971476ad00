// Calling /api/v1 the way a client would — a bearer token, a JSON body — through the same
// router the server mounts (app/api/routes.server.ts), and every answer parsed with the
// schema its endpoint declares for that status (app/api/endpoints.server.ts): an answer
// without a declared schema, or one that does not match it, fails the test.
import { responseSchema } from "~/api/endpoints.server";
import { apiRouter } from "~/api/routes.server";
import { ProblemSchema } from "~/api/schemas";
import { createApiKey, createPlatformToken } from "~/domain/api-keys.server";
import { testDb } from "../db.ts";
import { makeContext, TEST_ORIGIN, type TestContext } from "./remix.ts";

export interface ApiCall {
  method?: string;
  /** Path with query string, e.g. "/api/v1/codes?status=issued". */
  path: string;
  /** Bearer token; null sends no Authorization header. */
  token: string | null;
  /** Serialised as JSON (with Content-Type: application/json) unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  context?: TestContext;
}

export interface ApiResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export function apiRequest({
  method = "GET",
  path,
  token,
  body,
  rawBody,
  headers = {},
}: ApiCall): Request {
  const requestHeaders = new Headers(headers);
  if (token !== null) requestHeaders.set("Authorization", `Bearer ${token}`);
  let payload: string | undefined = rawBody;
  if (payload === undefined && body !== undefined) {
    payload = JSON.stringify(body);
    if (!requestHeaders.has("Content-Type")) requestHeaders.set("Content-Type", "application/json");
  }
  return new Request(new URL(path, TEST_ORIGIN), {
    method,
    headers: requestHeaders,
    body: method === "GET" || method === "HEAD" ? undefined : payload,
  });
}

/** The body as the tests read it: JSON when it is JSON, else text (CSV, PDF). */
async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  const type = response.headers.get("Content-Type") ?? "";
  return /json/.test(type) ? JSON.parse(text) : text;
}

/**
 * The schema this answer must match: its endpoint's for the status, or for a path no
 * endpoint has, a problem (404 or 405). Throws when none is declared.
 */
function schemaFor(request: Request, status: number) {
  const found = apiRouter.match(request.method, new URL(request.url).pathname);
  if (!found.route) {
    if (status === 404 || status === 405) return ProblemSchema;
    throw new Error(`${request.method} ${request.url}: ${status} from a path no endpoint has`);
  }
  const schema = responseSchema(found.route.endpoint, status);
  if (!schema) {
    throw new Error(
      `${found.route.endpoint.operationId} answered ${status}, which its contract does not declare`,
    );
  }
  return schema;
}

/**
 * Sends the call through the API router. The body is untyped by default: tests read the JSON
 * they assert on, after it has been checked against the endpoint's response schema.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function callApi<T = any>(call: ApiCall): Promise<ApiResult<T>> {
  const request = apiRequest(call);
  const response = await apiRouter.handle(request, call.context ?? makeContext());
  const body = request.method === "HEAD" ? "" : await readBody(response);
  if (request.method !== "HEAD") {
    const parsed = schemaFor(request, response.status).safeParse(body);
    if (!parsed.success) {
      throw new Error(
        `${request.method} ${new URL(request.url).pathname} → ${response.status}: the body does not match its schema: ${parsed.error.message}\n${JSON.stringify(body).slice(0, 2000)}`,
      );
    }
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

/** A partner key straight through the domain (actor: a test user label). */
export async function partnerKey(partnerId: string, name = "Test key"): Promise<string> {
  const { token } = await createApiKey(testDb().db, {
    partnerId,
    name,
    actor: { userId: null, label: "test" },
  });
  return token;
}

/** A platform token through the domain, as `token create --platform` issues one. */
export async function platformToken(name = "Core platform"): Promise<string> {
  const { token } = await createPlatformToken(testDb().db, {
    name,
    actor: { userId: null, label: "test" },
  });
  return token;
}
