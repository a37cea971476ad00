// RFC 9457 problem details for /api/v1: one response shape for every error, with a stable
// machine `code` (DESIGN.md §6). Domain errors map here once, generically.
import { DomainError, RateLimited } from "~/domain/errors.server";
import type { CardOperationResult } from "~/domain/usage.server";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** The stable codes of DESIGN.md §6 and what else the partner API answers with. */
export const problemTitles = {
  invalid_request: "The request is not valid",
  unauthenticated: "Authentication required",
  forbidden: "Not allowed",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  payload_too_large: "Request body too large",
  code_not_found: "Code not found",
  code_mistyped: "Code mistyped",
  code_not_revocable: "Code cannot be revoked",
  code_already_claimed: "Code already claimed",
  code_already_claimed_by_you: "Code already claimed by this business",
  code_not_ready: "Code not ready",
  code_locked: "Code locked to its recipient",
  partner_suspended: "Partner suspended",
  code_expired: "Code expired",
  code_revoked: "Code revoked",
  bundle_archived: "Bundle archived",
  batch_not_ready: "Batch not ready",
  limit_reached: "Limit reached",
  rate_limited: "Too many requests",
  idempotency_conflict: "Idempotency conflict",
  renderer_busy: "Too many PDFs being rendered",
  internal_error: "Internal error",
} as const;

export type ProblemCode = keyof typeof problemTitles;

export interface ProblemFieldError {
  /** The request field, as the API spells it (snake_case; dotted for nested fields). */
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: ProblemFieldError[];
}

export function problemType(code: string): string {
  return `urn:7stamp:problem:${code}`;
}

function titleOf(code: string): string {
  return (problemTitles as Record<string, string>)[code] ?? code.replace(/_/g, " ");
}

export function problemResponse(
  {
    code,
    status,
    detail,
    errors,
  }: { code: string; status: number; detail: string; errors?: ProblemFieldError[] },
  headers: HeadersInit = {},
): Response {
  const body: Problem = { type: problemType(code), title: titleOf(code), status, detail, code };
  if (errors?.length) body.errors = errors;
  const responseHeaders = new Headers(headers);
  responseHeaders.set("Content-Type", PROBLEM_CONTENT_TYPE);
  responseHeaders.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(body), { status, headers: responseHeaders });
}

/** A problem the route throws to end the request (and the handler returns). */
export class ApiProblem extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly detail: string,
    readonly errors?: ProblemFieldError[],
    readonly headers: HeadersInit = {},
  ) {
    super(detail);
    this.name = "ApiProblem";
  }

  toResponse(): Response {
    return problemResponse(this, this.headers);
  }
}

export function invalidRequest(detail: string, errors?: ProblemFieldError[]): ApiProblem {
  return new ApiProblem("invalid_request", 400, detail, errors);
}

export function notFoundProblem(detail = "There is no such resource."): ApiProblem {
  return new ApiProblem("not_found", 404, detail);
}

/** API field names are snake_case; domain errors name fields in camelCase. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Any DomainError as a problem: its code, status and message; its field as a field error. */
export function domainErrorToProblem(error: DomainError): ApiProblem {
  const headers: Record<string, string> = {};
  if (error instanceof RateLimited) headers["Retry-After"] = String(error.retryAfterSeconds);
  const errors = error.field ? [{ field: snakeCase(error.field), message: error.message }] : [];
  return new ApiProblem(error.code, error.status, error.message, errors, headers);
}

/** The problem a card operation that was not recorded answers with (single or in a batch). */
export function cardOperationProblem(
  result: Exclude<CardOperationResult, { outcome: "recorded" | "replayed" }>,
): ApiProblem {
  switch (result.outcome) {
    case "limit_reached":
      return new ApiProblem(
        "limit_reached",
        402,
        `The business has ${result.remaining} card operation${result.remaining === 1 ? "" : "s"} left and this operation needs ${result.quantity}. Nothing was recorded.`,
      );
    case "idempotency_conflict":
      return new ApiProblem(
        "idempotency_conflict",
        409,
        `The idempotency key ${JSON.stringify(result.idempotencyKey)} was already used with a different body.`,
        [{ field: "idempotency_key", message: "This key was already used with a different body." }],
      );
    case "business_not_found":
      return notFoundProblem("No business with this id.");
  }
}
