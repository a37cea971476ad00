// RFC 9457 problem details for /api/v1: one response shape for every error, with a stable
// machine `code` from the registry (app/domain/error-codes.ts). Domain errors map here once.
import { errorCodes, type ErrorCode } from "~/domain/error-codes";
import { DomainError, RateLimited } from "~/domain/errors.server";
import { createI18n } from "~/i18n";
import type { CardOperationResult } from "~/domain/usage.server";
import type { ProblemJson } from "./schemas";
import { jsonReply, toResponse, type ApiReply } from "./exchange.server";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

const i18n = createI18n("en");

/** A code's title, in English: the message its registry entry names. */
export function problemTitle(code: ErrorCode): string {
  return i18n.t(errorCodes[code].messageKey);
}

export interface ProblemFieldError {
  /** The request field, as the API spells it (snake_case; dotted for nested fields). */
  field: string;
  message: string;
}

export function problemType(code: ErrorCode): string {
  return `urn:7stamp:problem:${code}`;
}

/** A problem's JSON body. */
export function problemBody({
  code,
  detail,
  errors,
}: {
  code: ErrorCode;
  detail: string;
  errors?: ProblemFieldError[];
}): ProblemJson {
  const body: ProblemJson = {
    type: problemType(code),
    title: problemTitle(code),
    status: errorCodes[code].status,
    detail,
    code,
  };
  if (errors?.length) body.errors = errors;
  return body;
}

/** A problem as the router answers it (app/api/exchange.server.ts). */
export function problemReply(
  problem: { code: ErrorCode; detail: string; errors?: ProblemFieldError[] },
  headers: Record<string, string> = {},
): ApiReply {
  const body = problemBody(problem);
  return jsonReply(body, body.status, headers, PROBLEM_CONTENT_TYPE);
}

export function problemResponse(
  problem: { code: ErrorCode; detail: string; errors?: ProblemFieldError[] },
  headers: Record<string, string> = {},
): Response {
  return toResponse(problemReply(problem, headers));
}

/** A problem the route throws to end the request (and the handler returns). Its status is its
 * code's, from the registry (error-codes.ts), the one place a status is written. */
export class ApiProblem extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: ProblemFieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = "ApiProblem";
  }

  get status(): number {
    return errorCodes[this.code].status;
  }

  toReply(): ApiReply {
    return problemReply(this, this.headers);
  }

  toResponse(): Response {
    return toResponse(this.toReply());
  }
}

export function invalidRequest(detail: string, errors?: ProblemFieldError[]): ApiProblem {
  return new ApiProblem("invalid_request", detail, errors);
}

export function notFoundProblem(detail = "There is no such resource."): ApiProblem {
  return new ApiProblem("not_found", detail);
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
  return new ApiProblem(error.code, error.message, errors, headers);
}

/** The problem a card operation that was not recorded answers with (single or in a batch). */
export function cardOperationProblem(
  result: Exclude<CardOperationResult, { outcome: "recorded" | "replayed" }>,
): ApiProblem {
  switch (result.outcome) {
    case "limit_reached":
      return new ApiProblem(
        "limit_reached",
        `The business has ${result.remaining} card operation${result.remaining === 1 ? "" : "s"} left and this operation needs ${result.quantity}. Nothing was recorded.`,
      );
    case "idempotency_conflict":
      return new ApiProblem(
        "idempotency_conflict",
        `The idempotency key ${JSON.stringify(result.idempotencyKey)} was already used with a different body.`,
        [{ field: "idempotency_key", message: "This key was already used with a different body." }],
      );
    case "business_not_found":
      return notFoundProblem("No business with this id.");
  }
}
