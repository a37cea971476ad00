// Calling route loaders and actions directly, the way Remix would: a Request, the load
// context the HTTP layer builds (server/http.ts), and one normalised view of whatever the
// route returned or threw (a Response, a single-fetch `data()` result, or plain data).
import type { ActionFunctionArgs, AppLoadContext } from "@remix-run/node";
// The RequestContext members of AppLoadContext are declared there.
import "~/auth/context.server";

export const TEST_ORIGIN = "http://localhost:3000";

let ipCounter = 0;
/**
 * A fresh client address for each context, so that per-IP rate limits of one test never
 * count another's attempts (each test file has its own database, so per file is enough).
 */
export function uniqueIp(): string {
  ipCounter += 1;
  return `198.18.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
}

export interface TestContext extends AppLoadContext {
  /** Every cookie a guard appended through appendSetCookie (session renewal, flash). */
  cookies: string[];
}

export function makeContext({ clientIp }: { clientIp?: string | null } = {}): TestContext {
  const cookies: string[] = [];
  return {
    cspNonce: "",
    clientIp: clientIp === undefined ? uniqueIp() : clientIp,
    appendSetCookie: (cookie) => {
      cookies.push(cookie);
    },
    cookies,
  };
}

export interface RequestOptions {
  /** A Cookie header, e.g. from signInAs() or cookieHeader(). */
  cookie?: string | null;
  headers?: Record<string, string>;
}

function headersFor({ cookie, headers = {} }: RequestOptions): Headers {
  const result = new Headers(headers);
  if (cookie) result.set("Cookie", cookie);
  return result;
}

/** A GET request for a path of the portal (query string included). */
export function getRequest(path: string, options: RequestOptions = {}): Request {
  return new Request(new URL(path, TEST_ORIGIN), { method: "GET", headers: headersFor(options) });
}

/** A POST of a url-encoded form, as a browser submits it. */
export function formRequest(
  path: string,
  fields: Record<string, string>,
  options: RequestOptions = {},
): Request {
  return new Request(new URL(path, TEST_ORIGIN), {
    method: "POST",
    headers: headersFor(options),
    body: new URLSearchParams(fields),
  });
}

export interface RouteResult<T = unknown> {
  /** The route threw (a redirect or an error Response) rather than returning. */
  thrown: boolean;
  status: number;
  headers: Headers;
  /** The Location header of a redirect, else null. */
  location: string | null;
  /** Set-Cookie headers of the response itself. */
  setCookies: string[];
  /** Cookies the request appended through the load context (e.g. session renewal). */
  contextCookies: string[];
  /** data() / plain data as returned; a Response's body as JSON when it parses, else text. */
  body: T;
}

type RouteFunction = (args: ActionFunctionArgs) => unknown;

interface DataWithResponseInit {
  type: "DataWithResponseInit";
  data: unknown;
  init: ResponseInit | null;
}

function isDataWithResponseInit(value: unknown): value is DataWithResponseInit {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { type?: unknown }).type === "DataWithResponseInit" &&
    "data" in value
  );
}

async function responseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Normalises anything a loader or action returned or threw. Other errors propagate. */
export async function toRouteResult<T = unknown>(
  value: unknown,
  thrown: boolean,
  context?: TestContext,
): Promise<RouteResult<T>> {
  const contextCookies = context ? [...context.cookies] : [];
  if (value instanceof Response) {
    return {
      thrown,
      status: value.status,
      headers: value.headers,
      location: value.headers.get("Location"),
      setCookies: value.headers.getSetCookie(),
      contextCookies,
      body: (await responseBody(value)) as T,
    };
  }
  if (thrown) throw value;
  if (isDataWithResponseInit(value)) {
    const headers = new Headers(value.init?.headers);
    return {
      thrown,
      status: value.init?.status ?? 200,
      headers,
      location: headers.get("Location"),
      setCookies: headers.getSetCookie(),
      contextCookies,
      body: value.data as T,
    };
  }
  return {
    thrown,
    status: 200,
    headers: new Headers(),
    location: null,
    setCookies: [],
    contextCookies,
    body: value as T,
  };
}

/**
 * Runs a loader or action and normalises its outcome; thrown Responses (redirects, 404s)
 * are results, anything else thrown fails the test.
 */
export async function callRoute<T = unknown>(
  route: RouteFunction,
  {
    request,
    params = {},
    context = makeContext(),
  }: { request: Request; params?: Record<string, string>; context?: TestContext },
): Promise<RouteResult<T>> {
  let value: unknown;
  let thrown = false;
  try {
    value = await route({ request, params, context });
  } catch (error) {
    value = error;
    thrown = true;
  }
  return toRouteResult<T>(value, thrown, context);
}

/** The Set-Cookie header (of a list) for one cookie name, or undefined. */
export function findSetCookie(setCookies: string[], name: string): string | undefined {
  return setCookies.find((c) => c.startsWith(`${name}=`));
}

/** A cookie's value from its Set-Cookie header. */
export function setCookieValue(setCookie: string): string {
  const pair = setCookie.split(";")[0] ?? "";
  return pair.slice(pair.indexOf("=") + 1);
}

/** The Cookie header a browser would send back after these Set-Cookie headers. */
export function cookieHeader(setCookies: string[]): string {
  return setCookies
    .filter((c) => !/;\s*max-age=0/i.test(c) && setCookieValue(c) !== "")
    .map((c) => c.split(";")[0])
    .join("; ");
}

/** The shape of formFailure() (app/lib/form-responses.server.ts), for typed assertions. */
export interface FormFailureBody {
  errors: Record<string, { key: string; values?: Record<string, string | number> }>;
  values: Record<string, string>;
  formError: { key: string; values?: Record<string, string | number> } | null;
}
