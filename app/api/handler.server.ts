// One entry point for every /api/v1 route: method dispatch (others → 405), the bearer-key
// guard, and the one place errors become problem+json. Routes export its loader and action.
import type { ActionFunctionArgs } from "@remix-run/node";
import type { RequestContext } from "~/auth/context.server";
import { DomainError } from "~/domain/errors.server";
import { log } from "~/lib/log.server";
import {
  requirePartnerKey,
  requirePlatformToken,
  type PartnerApiAuth,
  type PlatformApiAuth,
} from "./auth.server";
import { ApiProblem, domainErrorToProblem, problemResponse } from "./problem.server";

type Method = "GET" | "POST";

interface ApiRequest {
  request: Request;
  params: Record<string, string | undefined>;
  context: RequestContext;
}

export interface PartnerApiRequest extends ApiRequest {
  auth: PartnerApiAuth;
}

export interface PlatformApiRequest extends ApiRequest {
  auth: PlatformApiAuth;
}

type Handler<A> = (args: ApiRequest & A) => Promise<Response>;

export function jsonResponse(body: unknown, init: { status?: number; headers?: HeadersInit } = {}) {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  headers.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(body), { status: init.status ?? 200, headers });
}

function methodNotAllowed(method: string, allowed: Method[]): Response {
  const allow = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
  return problemResponse(
    {
      code: "method_not_allowed",
      status: 405,
      detail: `${method} is not supported here; use ${allow.slice(0, -1).join(", ")}${
        allow.length > 1 ? " or " : ""
      }${allow[allow.length - 1]}.`,
    },
    { Allow: allow.join(", ") },
  );
}

/** What an error thrown by a handler answers. `route` names the route pattern in logs. */
export function errorResponse(error: unknown, route: string, method: string): Response {
  if (error instanceof ApiProblem) return error.toResponse();
  if (error instanceof DomainError) return domainErrorToProblem(error).toResponse();
  if (error instanceof Response) return error;
  // The pattern, never the URL: paths and query strings can carry codes (secrets).
  log.error(`API ${method} ${route} failed`, error);
  return problemResponse({
    code: "internal_error",
    status: 500,
    detail: "Something went wrong on our side. The problem has been logged; please retry later.",
  });
}

function dispatch<A>(
  route: string,
  handlers: Partial<Record<Method, Handler<A>>>,
  authenticate: (request: Request) => Promise<A>,
) {
  const allowed = Object.keys(handlers) as Method[];
  return async ({ request, params, context }: ActionFunctionArgs): Promise<Response> => {
    const method = request.method.toUpperCase() === "HEAD" ? "GET" : request.method.toUpperCase();
    const handler = handlers[method as Method];
    if (!handler) return methodNotAllowed(request.method.toUpperCase(), allowed);
    try {
      const extra = await authenticate(request);
      return await handler({ request, params, context, ...extra });
    } catch (error) {
      return errorResponse(error, route, method);
    }
  };
}

/**
 * A partner-scope route: every handler runs after requirePartnerKey and gets `auth`.
 * Export both as `loader` and `action`, so that every method gets a problem+json answer.
 */
export function partnerApiRoute(
  route: string,
  handlers: Partial<Record<Method, Handler<{ auth: PartnerApiAuth }>>>,
) {
  const run = dispatch(route, handlers, async (request) => ({
    auth: await requirePartnerKey(request),
  }));
  return { loader: run, action: run };
}

/**
 * A platform-scope route: every handler runs after requirePlatformToken and gets `auth`.
 * Export both as `loader` and `action`, so that every method gets a problem+json answer.
 */
export function platformApiRoute(
  route: string,
  handlers: Partial<Record<Method, Handler<{ auth: PlatformApiAuth }>>>,
) {
  const run = dispatch(route, handlers, async (request) => ({
    auth: await requirePlatformToken(request),
  }));
  return { loader: run, action: run };
}

/** A route anyone may read (the OpenAPI document, the 404 for unknown API paths). */
export function publicApiRoute(route: string, handlers: Partial<Record<Method, Handler<object>>>) {
  const run = dispatch(route, handlers, async () => ({}));
  return { loader: run, action: run };
}
