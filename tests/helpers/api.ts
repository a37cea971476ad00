// Calling /api/v1 routes the way a client would: a bearer token, a JSON body, and the
// response read back as JSON (or text for CSV).
import { createApiKey, createPlatformToken } from "~/domain/api-keys.server";
import { testDb } from "../db.ts";
import { callRoute, makeContext, TEST_ORIGIN, type TestContext } from "./remix.ts";

type RouteModule = { loader: unknown; action: unknown };

export interface ApiCall {
  method?: string;
  /** Path with query string, e.g. "/api/v1/codes?status=issued". */
  path: string;
  params?: Record<string, string>;
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

/**
 * Runs the route as Remix would (GET/HEAD → loader, anything else → action). The body is
 * untyped by default: tests read the JSON they assert on.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function callApi<T = any>(route: RouteModule, call: ApiCall): Promise<ApiResult<T>> {
  const request = apiRequest(call);
  const method = request.method;
  const fn = (method === "GET" || method === "HEAD" ? route.loader : route.action) as Parameters<
    typeof callRoute
  >[0];
  const result = await callRoute<T>(fn, {
    request,
    params: call.params ?? {},
    context: call.context ?? makeContext(),
  });
  return { status: result.status, headers: result.headers, body: result.body };
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
