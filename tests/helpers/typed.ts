// Typed reads for tests under the type-aware lint rules (issue 10).
//
// The bodies of /api/v1 answers as the tests read them: the types the endpoint
// schemas (app/api/schemas.ts) infer, to pass as callApi's type argument, e.g.
// `callApi<Page<Bundle>>(…)`. callApi has already parsed the body with the endpoint's schema
// for its status, so the type says what the test may read without a cast at every use.
import { expect } from "vitest";
import type { z } from "zod";
import { ProblemSchema } from "~/api/schemas";
import type {
  BatchSchema,
  BundleSchema,
  CardOperationBatchResultSchema,
  CardOperationResultSchema,
  ClaimSchema,
  ClientDetailSchema,
  ClientSchema,
  CodeSchema,
  CreatedWebhookEndpointSchema,
  EntitlementsSchema,
  GeneratedBatchSchema,
  GeneratingBatchSchema,
  StatementListSchema,
  WebhookEndpointSchema,
} from "~/api/schemas";

export type Problem = z.infer<typeof ProblemSchema>;
export type Bundle = z.infer<typeof BundleSchema>;
export type Batch = z.infer<typeof BatchSchema>;
export type GeneratedBatch = z.infer<typeof GeneratedBatchSchema>;
export type GeneratingBatch = z.infer<typeof GeneratingBatchSchema>;
export type Code = z.infer<typeof CodeSchema>;
export type Client = z.infer<typeof ClientSchema>;
export type ClientDetail = z.infer<typeof ClientDetailSchema>;
export type StatementList = z.infer<typeof StatementListSchema>;
export type Entitlements = z.infer<typeof EntitlementsSchema>;
export type CardOperationResult = z.infer<typeof CardOperationResultSchema>;
export type CardOperationBatchResult = z.infer<typeof CardOperationBatchResultSchema>;
export type Claim = z.infer<typeof ClaimSchema>;
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;
export type CreatedWebhookEndpoint = z.infer<typeof CreatedWebhookEndpointSchema>;

/** A keyset-paged list (pageOf in app/api/schemas.ts). */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** A list without paging (webhook endpoints). */
export interface List<T> {
  data: T[];
}

/**
 * `expect.any(type)` as an `unknown` rather than an `any`, for the matchers inside an object
 * given to toEqual/toMatchObject: the same asymmetric matcher, without an untyped value.
 */
export function anyInstance(type: unknown): unknown {
  return expect.any(type);
}

/** `expect.stringMatching(pattern)` as an `unknown` (see anyInstance). */
export function stringMatching(pattern: string | RegExp): unknown {
  return expect.stringMatching(pattern);
}

/**
 * The body of an answer that must be a problem (RFC 9457), to read its code, detail or errors
 * when the call's type is its success body; fails the test, with the status, when it is not.
 */
export function problemOf(result: { status: number; body: unknown }): Problem {
  const parsed = ProblemSchema.safeParse(result.body);
  if (!parsed.success) {
    throw new Error(
      `expected a problem, got ${result.status}: ${JSON.stringify(result.body).slice(0, 500)}`,
    );
  }
  return parsed.data;
}

/** The value, which must be neither null nor undefined; fails the test with a message. */
export function present<T>(value: T | null | undefined, what = "value"): T {
  if (value === null || value === undefined)
    throw new Error(`expected a ${what}, got ${value === null ? "null" : "undefined"}`);
  return value;
}
