// Serves /api/v1 before Remix (ADR 023): a table of fetch-style handlers, one per endpoint of
// the contract (endpoints.server.ts). It matches the path, answers 404 / 405 (with Allow) as
// problem+json, checks the bearer token the endpoint takes, parses the query with the
// endpoint's schema, and turns every error into problem+json in one place.
import type { z } from "zod";
import type { Database } from "~db/index.ts";
import type { RequestContext } from "~/auth/context.server";
import { db as appDb } from "~/db.server";
import { inTransaction } from "~/domain/transaction.server";
import { DomainError } from "~/domain/errors.server";
import { log } from "~/lib/log.server";
import {
  requirePartnerKey,
  requirePlatformToken,
  type PartnerApiAuth,
  type PlatformApiAuth,
} from "./auth.server";
import type { ApiAuth, ApiMethod, Endpoint } from "./endpoints.server";
import { fromWebRequest, parseApiInput, queryObject, readJsonBody } from "./json.server";
import { ApiProblem, domainErrorToProblem, notFoundProblem, problemReply } from "./problem.server";
import {
  jsonReply,
  toResponse,
  type ApiAnswer,
  type ApiReply,
  type ApiRequest,
} from "./exchange.server";

type AuthOf<A extends ApiAuth> = A extends "partner"
  ? PartnerApiAuth
  : A extends "platform"
    ? PlatformApiAuth
    : null;

type Infer<S> = S extends z.ZodTypeAny ? z.infer<S> : undefined;
type ParamsOf<E extends Endpoint> = E["params"] extends z.AnyZodObject
  ? Record<keyof z.infer<E["params"]>, string>
  : object;

/** What a handler gets: typed by its endpoint's contract. */
export interface ApiCall<E extends Endpoint> {
  request: ApiRequest;
  context: RequestContext;
  auth: AuthOf<E["auth"]>;
  /**
   * The database to work through: for a `writeRoute`, the one transaction the key check ran
   * in (ADR 029); else the process's handle.
   */
  db: Database;
  params: ParamsOf<E>;
  query: Infer<E["query"]>;
  /** The JSON body parsed with the endpoint's schema; read when the handler is ready for it. */
  body: () => Promise<Infer<E["body"]>>;
}

export interface ApiRoute {
  endpoint: Endpoint;
  pattern: RegExp;
  paramNames: string[];
  /** A write route: the key check and the handler run in one transaction. */
  write?: boolean;
  handle: (call: ApiCall<Endpoint>) => Promise<ApiAnswer>;
}

function compile(path: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const source = path
    .split(/(\{[a-z_]+\})/)
    .map((part) => {
      const name = /^\{([a-z_]+)\}$/.exec(part)?.[1];
      if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      paramNames.push(name);
      return "([^/]+)";
    })
    .join("");
  return { pattern: new RegExp(`^${source}/?$`), paramNames };
}

/** A handler for an endpoint of the contract. */
export function route<E extends Endpoint>(
  endpoint: E,
  handle: (call: ApiCall<E>) => Promise<ApiAnswer>,
): ApiRoute {
  return {
    endpoint,
    ...compile(endpoint.path),
    handle: handle,
  };
}

/**
 * A handler for a write endpoint: the bearer-key check and the handler run in ONE database
 * transaction (ADR 029), which commits when the handler returns a Response (an error answer
 * it returns, such as a refused claim whose attempt count must stick, included) and rolls
 * back when it throws.
 */
export function writeRoute<E extends Endpoint>(
  endpoint: E,
  handle: (call: ApiCall<E>) => Promise<ApiAnswer>,
): ApiRoute {
  return { ...route(endpoint, handle), write: true };
}

/** A JSON answer whose body is checked against the endpoint's schema for that status. */
export function reply<E extends Endpoint, S extends keyof E["responses"] & number>(
  _endpoint: E,
  status: S,
  body: z.input<E["responses"][S]["schema"]>,
  headers: Record<string, string> = {},
): ApiReply {
  return jsonReply(body, status, headers);
}

/** A JSON answer as a Web Response (for a handler that must answer one). */
export function jsonResponse(
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return toResponse(jsonReply(body, init.status ?? 200, init.headers));
}

function methodNotAllowed(method: string, allowed: ApiMethod[]): ApiReply {
  const allow: string[] = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
  const last = allow[allow.length - 1];
  return problemReply(
    {
      code: "method_not_allowed",
      detail: `${method} is not supported here; use ${allow.slice(0, -1).join(", ")}${
        allow.length > 1 ? " or " : ""
      }${last}.`,
    },
    { Allow: allow.join(", ") },
  );
}

/**
 * What an error thrown by a handler answers. A failure of the portal (any 5xx) is logged at
 * `error` with its stack, under the route pattern (never the URL: paths carry codes), and
 * answered without its internals.
 */
export function errorResponse(error: unknown, where: string): ApiAnswer {
  if (error instanceof Response) return error;
  const known = error instanceof ApiProblem || error instanceof DomainError ? error : null;
  if (known && known.status < 500) return problemOf(known);
  if (known?.status === 503) {
    // Every PDF renderer busy: backpressure with Retry-After, not a failure.
    log.warn(`API ${where}: 503 ${known.code}`);
    return problemOf(known);
  }
  log.error(`API ${where} failed`, error);
  // A 502 (the email provider down) keeps its fixed sentence for the caller; a 500 says
  // nothing of its cause (a renderer's message, a database error).
  if (known && known.status !== 500) return problemOf(known);
  return problemReply({
    code: known ? known.code : "internal_error",
    detail: "Something went wrong on our side. The problem has been logged; please retry later.",
  });
}

function problemOf(error: ApiProblem | DomainError): ApiReply {
  return error instanceof ApiProblem ? error.toReply() : domainErrorToProblem(error).toReply();
}

async function authenticate(auth: ApiAuth, request: ApiRequest, db: Database) {
  if (auth === "partner") return requirePartnerKey(request, db);
  if (auth === "platform") return requirePlatformToken(request, db);
  return null;
}

export interface ApiRouter {
  routes: ApiRoute[];
  /** The route a method and path name (HEAD is GET), or why there is none. */
  match: (
    method: string,
    pathname: string,
  ) => { route: ApiRoute; params: Record<string, string> } | { route: null; allowed: ApiMethod[] };
  /** The answer to a request, as the HTTP layer writes it (ADR 042). A closure (no `this`). */
  answer: (request: ApiRequest, context: RequestContext) => Promise<ApiAnswer>;
  /** The same for a Web Request, answered as a Response (tests). A closure (no `this`). */
  handle: (request: Request, context: RequestContext) => Promise<Response>;
}

export function createApiRouter(routes: ApiRoute[]): ApiRouter {
  function match(method: string, pathname: string) {
    const wanted = method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase();
    const allowed: ApiMethod[] = [];
    for (const candidate of routes) {
      const found = candidate.pattern.exec(pathname);
      if (!found) continue;
      if (candidate.endpoint.method !== wanted) {
        allowed.push(candidate.endpoint.method);
        continue;
      }
      const params: Record<string, string> = {};
      try {
        candidate.paramNames.forEach((name, index) => {
          params[name] = decodeURIComponent(found[index + 1] ?? "");
        });
      } catch {
        // Not percent-encoded UTF-8 (the HTTP layer refuses such paths first): names nothing.
        return { route: null, allowed: [] };
      }
      return { route: candidate, params };
    }
    return { route: null, allowed };
  }

  async function answer(request: ApiRequest, context: RequestContext): Promise<ApiAnswer> {
    const started = performance.now();
    const { method, pathname } = request;
    const found = match(method, pathname);
    let response: ApiAnswer;
    let where: string;
    if (!found.route) {
      where = `${method} (no route)`;
      response = found.allowed.length
        ? methodNotAllowed(method, found.allowed)
        : notFoundProblem("There is no such API endpoint. See /api/v1/openapi.json.").toReply();
    } else {
      const matched = found.route;
      const { endpoint } = matched;
      where = `${method} ${endpoint.path}`;
      const run = async (db: Database) => {
        const auth = await authenticate(endpoint.auth, request, db);
        const query = endpoint.query
          ? parseApiInput(endpoint.query, queryObject(request))
          : undefined;
        const schema = endpoint.body;
        return matched.handle({
          request,
          context,
          auth,
          db,
          params: found.params,
          query,
          // Unknown here (the table erases each endpoint's type); the handler's ApiCall<E> has it.
          body: async (): Promise<unknown> =>
            schema ? parseApiInput(schema, await readJsonBody(request)) : undefined,
        });
      };
      try {
        response = matched.write ? await inTransaction(appDb, run) : await run(appDb);
      } catch (error) {
        response = errorResponse(error, where);
      }
    }
    // The route pattern, never the path: paths and query strings can carry codes.
    if (log.enabled("debug")) {
      log.debug(`API ${where} ${response.status} ${(performance.now() - started).toFixed(1)} ms`);
    }
    return response;
  }

  async function handle(request: Request, context: RequestContext): Promise<Response> {
    return toResponse(await answer(fromWebRequest(request), context));
  }

  return { routes, match, answer, handle };
}
