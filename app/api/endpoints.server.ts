// The contract of /api/v1, one entry per endpoint: method, path, who may call it, its
// request (path, query, body) and each response with its schema. The router
// (router.server.ts) serves exactly these, the OpenAPI document is generated from them
// (openapi.server.ts), and the API tests parse every response with the schema declared
// here for its status. Request schemas are the domain's, so limits live in one place.
import "zod-openapi/extend";
import { z } from "zod";
import { BatchInputSchema } from "~/domain/batches/model.server";
import { BundleInputSchema } from "~/domain/bundles.server";
import { ClientListQuerySchema } from "~/domain/clients/model.server";
import { RevokeInputSchema } from "~/domain/codes/model.server";
import { RedemptionBodySchema } from "~/domain/redemption.server";
import { CardOperationBatchSchema, cardOperationBodySchema } from "~/domain/usage.server";
import { WebhookEndpointInputSchema } from "~/domain/webhooks/endpoints.server";
import { pageLimit } from "./json.server";
import {
  BatchSchema,
  BundleSchema,
  CardOperationBatchResultSchema,
  CardOperationResultSchema,
  ClaimSchema,
  ClientDetailSchema,
  ClientSchema,
  CodeSchema,
  EntitlementsSchema,
  FileSchema,
  GeneratedBatchSchema,
  GeneratingBatchSchema,
  OpenApiDocumentSchema,
  pageOf,
  ProblemSchema,
  StatementListSchema,
  CreatedWebhookEndpointSchema,
  DeletedWebhookEndpointSchema,
  PaymentEventReceiptSchema,
  PaymentEventSchema,
  WebhookEndpointSchema,
} from "./schemas";

export type ApiMethod = "GET" | "POST" | "DELETE";
/**
 * Which bearer token an endpoint takes: a partner key, a platform token, or none; or no
 * token but a signature on the body (the payment provider's webhook, checked by its handler).
 */
export type ApiAuth = "partner" | "platform" | "public" | "payment_signature";

export interface ResponseSpec {
  description: string;
  schema: z.ZodTypeAny;
  /** application/json unless given (CSV, PDF). */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Endpoint {
  method: ApiMethod;
  /** OpenAPI spelling: /api/v1/bundles/{id}. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  auth: ApiAuth;
  /** Path parameters; they are matched as any text, and handlers answer 404 for no match. */
  params?: z.AnyZodObject;
  query?: z.AnyZodObject | z.ZodEffects<z.AnyZodObject>;
  body?: z.ZodTypeAny;
  responses: Record<number, ResponseSpec>;
  /** Problem statuses besides those every endpoint can answer (401, 403, 405, 500). */
  problems: Partial<Record<number, string>>;
}

// ---- Shared pieces ------------------------------------------------------------------------

const uuidParam = (what: string) =>
  z.string().openapi({
    format: "uuid",
    description: `The ${what}'s id (a UUID). Another partner's id, or any other text, answers 404.`,
  });

const idParams = (what: string) => z.object({ id: uuidParam(what) });

const codeParams = z.object({
  code: z.string().max(64).openapi({
    description:
      "A code in any formatting (case, spaces and dashes do not matter; the batch prefix may be included), or `#N` / `N` for Code #N (URL-encode `#` as `%23`).",
  }),
});

const businessParams = z.object({
  id: z.string().openapi({ format: "uuid", description: "The business's id (a UUID)." }),
});

const cursor = z.string().max(500).optional().openapi({
  description:
    "The `next_cursor` of the previous page. A cursor of another list, or one that was altered, answers 400.",
});

const BundleListQuery = z.object({
  status: z.enum(["active", "archived", "all"]).default("active"),
  cursor,
  limit: pageLimit(100, 25),
});

const CodeListQuery = z.object({
  status: z.enum(["issued", "claimed", "revoked", "expired", "outstanding"]).optional().openapi({
    description: "`expired`: issued and past its expiry; `outstanding`: issued and not expired.",
  }),
  bundle_id: z.string().uuid().optional(),
  batch_id: z.string().uuid().optional(),
  cursor,
  limit: pageLimit(500, 50),
});

const ClientListQuery = ClientListQuerySchema.extend({ cursor, limit: pageLimit(500, 50) });

const invalid = "Bad input: `invalid_request` with `errors` naming each field.";
const notFound = "No such resource, or another partner's: the same answer.";

// ---- The endpoints --------------------------------------------------------------------------

export const endpoints = {
  listBundles: {
    method: "GET",
    path: "/api/v1/bundles",
    operationId: "listBundles",
    summary: "List bundles",
    tag: "Bundles",
    auth: "partner",
    query: BundleListQuery,
    responses: {
      200: { description: "A page of bundles, newest first.", schema: pageOf(BundleSchema) },
    },
    problems: { 400: invalid },
  },
  createBundle: {
    method: "POST",
    path: "/api/v1/bundles",
    operationId: "createBundle",
    summary: "Create a bundle",
    description: "At least one of staff_seats and card_operations must be above 0.",
    tag: "Bundles",
    auth: "partner",
    body: BundleInputSchema,
    responses: {
      201: {
        description: "The new bundle.",
        schema: BundleSchema,
        headers: { Location: "The bundle's URL." },
      },
    },
    problems: { 400: invalid },
  },
  getBundle: {
    method: "GET",
    path: "/api/v1/bundles/{id}",
    operationId: "getBundle",
    summary: "Get a bundle",
    tag: "Bundles",
    auth: "partner",
    params: idParams("bundle"),
    responses: { 200: { description: "The bundle.", schema: BundleSchema } },
    problems: { 404: notFound },
  },
  generateCodes: {
    method: "POST",
    path: "/api/v1/bundles/{id}/codes",
    operationId: "generateCodes",
    summary: "Generate a batch of codes from a bundle",
    description:
      "Up to 10,000 codes are made in the request (201, with the codes). A larger batch (up to 1,000,000) is made by a background job: 202 with the batch, whose URL (Location) to poll until `status` is `ready`; then read its codes as CSV. Codes are claimable only once their batch is ready. `locale` (`en`, `th`, `uk`) is the language of the batch's printable code cards; without it, the partner's locale (English when it is none of these).",
    tag: "Batches",
    auth: "partner",
    params: idParams("bundle"),
    body: BatchInputSchema,
    responses: {
      201: {
        description: "The batch, ready, with its codes.",
        schema: GeneratedBatchSchema,
        headers: { Location: "The batch's URL." },
      },
      202: {
        description: "The batch, generating in the background.",
        schema: GeneratingBatchSchema,
        headers: { Location: "The batch's URL, to poll." },
      },
    },
    problems: {
      400: `${invalid} Also \`bundle_archived\`.`,
      404: notFound,
      409: "`partner_suspended`: a suspended partner generates no codes.",
    },
  },
  getBatch: {
    method: "GET",
    path: "/api/v1/batches/{id}",
    operationId: "getBatch",
    summary: "Get a batch (status and progress)",
    tag: "Batches",
    auth: "partner",
    params: idParams("batch"),
    responses: { 200: { description: "The batch.", schema: BatchSchema } },
    problems: { 404: notFound },
  },
  getBatchCodesCsv: {
    method: "GET",
    path: "/api/v1/batches/{id}/codes.csv",
    operationId: "getBatchCodesCsv",
    summary: "The batch's codes as CSV",
    description:
      "Streamed, newest first; a header row, then one row per code with the columns serial, code, status, bundle, batch_label, expires_at, recipient_name, recipient_email, handed_out_at, revoked_at, revoke_reason, redeem_url.",
    tag: "Batches",
    auth: "partner",
    params: idParams("batch"),
    responses: {
      200: {
        description: "The codes, as CSV (UTF-8).",
        schema: FileSchema,
        contentType: "text/csv",
      },
    },
    problems: {
      404: notFound,
      409: "`batch_not_ready`: the batch is still generating, or it failed.",
    },
  },
  listStatements: {
    method: "GET",
    path: "/api/v1/statements",
    operationId: "listStatements",
    summary: "List statements",
    description:
      "The partner's monthly wholesale statements (calendar months, UTC), newest month first: a draft for every month since enrolment that is not final yet — the running month, and an ended month until the scheduled run on the 1st finalises it — then the final ones. A draft has no id, number, issue date or PDF, and its figures change until it is final; a final statement never changes. The whole list is one answer (twelve months a year), without paging.",
    tag: "Statements",
    auth: "partner",
    responses: {
      200: { description: "Every month's statement, newest first.", schema: StatementListSchema },
    },
    problems: {},
  },
  getStatementPdf: {
    method: "GET",
    path: "/api/v1/statements/{id}.pdf",
    operationId: "getStatementPdf",
    summary: "A final statement as PDF",
    description:
      "The statement's A4 PDF, the same bytes as the portal's download: rendered once from the final statement's snapshot, then served as stored. Drafts have no PDF (404). The first download of a long statement takes a few seconds.",
    tag: "Statements",
    auth: "partner",
    params: idParams("statement"),
    responses: {
      200: {
        description:
          'The PDF, with Content-Disposition: attachment; filename="{number}.pdf" (e.g. BRW-2026-0004.pdf).',
        schema: FileSchema.openapi({ format: "binary" }),
        contentType: "application/pdf",
        headers: { "Content-Disposition": 'attachment; filename="{number}.pdf"' },
      },
    },
    problems: {
      404: notFound,
      503: "`renderer_busy`: too many PDFs are being rendered; retry after Retry-After seconds.",
    },
  },
  listCodes: {
    method: "GET",
    path: "/api/v1/codes",
    operationId: "listCodes",
    summary: "List codes",
    tag: "Codes",
    auth: "partner",
    query: CodeListQuery,
    responses: {
      200: { description: "A page of codes, newest first.", schema: pageOf(CodeSchema) },
    },
    problems: { 400: invalid },
  },
  getCode: {
    method: "GET",
    path: "/api/v1/codes/{code}",
    operationId: "getCode",
    summary: "Find a code",
    tag: "Codes",
    auth: "partner",
    params: codeParams,
    responses: { 200: { description: "The code.", schema: CodeSchema } },
    problems: {
      400: "`code_mistyped`: the check symbol does not match (a typing mistake), or the input is not a code at all (`invalid_request`).",
      404: "`code_not_found`: no such code, or another partner's.",
    },
  },
  revokeCode: {
    method: "POST",
    path: "/api/v1/codes/{code}/revoke",
    operationId: "revokeCode",
    summary: "Revoke an unclaimed code",
    tag: "Codes",
    auth: "partner",
    params: codeParams,
    body: RevokeInputSchema.strict(),
    responses: { 200: { description: "The revoked code.", schema: CodeSchema } },
    problems: {
      400: invalid,
      404: "`code_not_found`: no such code, or another partner's.",
      409: "`code_not_revocable`: only an unclaimed code can be revoked.",
    },
  },
  listClients: {
    method: "GET",
    path: "/api/v1/clients",
    operationId: "listClients",
    summary: "List clients",
    description:
      "Every business that claimed at least one of the partner's codes, with what those codes gave it and how that was used — never the business's plan or other partners' codes. Active: a grant in force now whose claim was not rolled back. Seats and `usage_percent` are about active grants; `card_operations_granted` / `card_operations_used` are all-time (a rolled-back claim counts as granted only what was used before the roll-back); this month is the calendar month in UTC. Filters: `active` (has an active code), `ended` (none is active), `nearly_used_up` (≥ 80% of the active card operations used), `ends_soon` (an active code ends within 30 days). Sorts: `name`, `codes` (claimed), `used` (card operations, all-time), `usage` (percent of active), `activity` (last card operation), `ends` (soonest end); clients without a value come last either way; the default direction is `asc` for name and ends, `desc` for the others. A cursor only continues the search, filter and sort it came from; another answers 400.",
    tag: "Clients",
    auth: "partner",
    query: ClientListQuery,
    responses: { 200: { description: "A page of clients.", schema: pageOf(ClientSchema) } },
    problems: { 400: invalid },
  },
  getClient: {
    method: "GET",
    path: "/api/v1/clients/{id}",
    operationId: "getClient",
    summary: "Get a client",
    description:
      "The client's figures, each of the partner's codes it claimed (the numbers the business's own billing page shows) and its card operations per UTC day over the last 90 days, drawn from the partner's codes. A business that claimed none of the partner's codes answers 404.",
    tag: "Clients",
    auth: "partner",
    params: idParams("business"),
    responses: { 200: { description: "The client.", schema: ClientDetailSchema } },
    problems: { 404: notFound },
  },
  getEntitlements: {
    method: "GET",
    path: "/api/v1/businesses/{id}/entitlements",
    operationId: "getEntitlements",
    summary: "What a business has right now",
    description:
      "Platform scope (`sk_platform_…`). The plan and its allowance for the current period, staff seats, card operations used / limit / remaining over every grant in force, and each grant in force with its own use.",
    tag: "Platform",
    auth: "platform",
    params: businessParams,
    responses: { 200: { description: "The entitlements.", schema: EntitlementsSchema } },
    problems: { 404: "No business with this id." },
  },
  recordCardOperation: {
    method: "POST",
    path: "/api/v1/businesses/{id}/operations",
    operationId: "recordCardOperation",
    summary: "Report a card operation",
    description:
      "Platform scope. Draws from the plan's allowance for the period first, then from code grants ending soonest. Recorded whole or not at all. The same `idempotency_key` again answers 200 with the first answer; with a different body, 409 `idempotency_conflict`.",
    tag: "Platform",
    auth: "platform",
    params: businessParams,
    body: cardOperationBodySchema(""),
    responses: {
      201: { description: "Recorded.", schema: CardOperationResultSchema },
      200: { description: "A repeated key: the first answer.", schema: CardOperationResultSchema },
    },
    problems: {
      400: invalid,
      402: "`limit_reached`: not enough card operations left; nothing was recorded.",
      404: "No business with this id.",
      409: "`idempotency_conflict`: the key was used with a different body.",
    },
  },
  recordCardOperationBatch: {
    method: "POST",
    path: "/api/v1/operations/batch",
    operationId: "recordCardOperationBatch",
    summary: "Report up to 1,000 card operations",
    description:
      "Platform scope. Recorded in the order given, each as its single call would be; one result per event, with the status the single call would answer.",
    tag: "Platform",
    auth: "platform",
    body: CardOperationBatchSchema,
    responses: {
      200: {
        description: "One result per event, in order.",
        schema: CardOperationBatchResultSchema,
      },
    },
    problems: { 400: invalid },
  },
  redeemCode: {
    method: "POST",
    path: "/api/v1/businesses/{id}/redemptions",
    operationId: "redeemCode",
    summary: "Claim a code for a business",
    description:
      "Platform scope. The same claim as the billing page: one transaction, the bundle becomes a grant. Refusals: `code_mistyped` (400), `code_not_found` (404), `code_already_claimed` / `code_already_claimed_by_you` / `code_expired` / `code_revoked` / `code_not_ready` / `partner_suspended` (409), `code_locked` (403, locked to another recipient than the business owner). Failed attempts count per business (10 an hour); past that, 429 `rate_limited` with Retry-After.",
    tag: "Platform",
    auth: "platform",
    params: businessParams,
    body: RedemptionBodySchema,
    responses: { 201: { description: "Claimed.", schema: ClaimSchema } },
    problems: {
      400: `${invalid} Also \`code_mistyped\`.`,
      404: "No business with this id, or no such code (`code_not_found`).",
      409: "The code cannot be claimed (see above).",
      429: "`rate_limited`: too many failed attempts; see Retry-After.",
    },
  },
  listWebhookEndpoints: {
    method: "GET",
    path: "/api/v1/webhook-endpoints",
    operationId: "listWebhookEndpoints",
    summary: "List webhook endpoints",
    description:
      "The partner's endpoints, oldest first, with their health. Secrets are never listed.",
    tag: "Webhooks",
    auth: "partner",
    responses: {
      200: {
        description: "Every endpoint of the partner (at most 20).",
        schema: z.object({ data: z.array(WebhookEndpointSchema) }),
      },
    },
    problems: {},
  },
  createWebhookEndpoint: {
    method: "POST",
    path: "/api/v1/webhook-endpoints",
    operationId: "createWebhookEndpoint",
    summary: "Add a webhook endpoint",
    description:
      'The URL must be https (in production) and resolve to a public address; `events` chooses what it receives. The answer carries the signing secret, this once. Deliveries are POSTs of `{id, type, created_at, data}` with `X-7stamp-Signature: t={unix},v1={hex HMAC-SHA256 of "t.body"}` and `X-7stamp-Event-Id`; delivery is at least once, so de-duplicate by the event id.',
    tag: "Webhooks",
    auth: "partner",
    body: WebhookEndpointInputSchema,
    responses: {
      201: {
        description: "The new endpoint, with its secret.",
        schema: CreatedWebhookEndpointSchema,
        headers: { Location: "The endpoint's URL." },
      },
    },
    problems: {
      400: `${invalid} \`url\` that is not https, names a private, loopback or metadata address, or carries credentials; \`events\` empty or unknown; more than 20 endpoints.`,
    },
  },
  deleteWebhookEndpoint: {
    method: "DELETE",
    path: "/api/v1/webhook-endpoints/{id}",
    operationId: "deleteWebhookEndpoint",
    summary: "Delete a webhook endpoint",
    description: "Deletes the endpoint with its delivery log; nothing more is sent to it.",
    tag: "Webhooks",
    auth: "partner",
    params: idParams("webhook endpoint"),
    responses: { 200: { description: "Deleted.", schema: DeletedWebhookEndpointSchema } },
    problems: { 404: notFound },
  },
  receivePaymentEvent: {
    method: "POST",
    path: "/api/v1/payments/webhook",
    operationId: "receivePaymentEvent",
    summary: "Receive a payment provider's event",
    description:
      "For the payment provider, not for API keys. No bearer token: the request is authenticated by `X-Payment-Signature: t={unix seconds},v1={hex HMAC-SHA256 of \"t.body\"}` under the portal's PAYMENT_WEBHOOK_SECRET, over the raw body (at most 64 kB); the signing time must be within 5 minutes of the portal's clock, and the digest is compared in constant time. `invoice.paid` marks the open invoice paid (and a past-due subscription active again once no failed invoice is left open); `invoice.payment_failed` makes its subscription past due. Each event id is applied once: a replayed id (even delivered in parallel) answers 200 with `replayed: true` and changes nothing. A bad signature or an old timestamp answers 400 `payment_signature_invalid`, an unknown invoice 404 `invoice_not_found`, and nothing is recorded.",
    tag: "Payments",
    auth: "payment_signature",
    body: PaymentEventSchema,
    responses: {
      200: { description: "Received (or received before).", schema: PaymentEventReceiptSchema },
    },
    problems: {
      400: `\`payment_signature_invalid\`: no, a malformed, wrong or expired signature. ${invalid}`,
      404: "`invoice_not_found`: no invoice with this number; nothing was recorded.",
    },
  },
  getOpenApi: {
    method: "GET",
    path: "/api/v1/openapi.json",
    operationId: "getOpenApi",
    summary: "This document",
    tag: "Meta",
    auth: "public",
    responses: { 200: { description: "The OpenAPI document.", schema: OpenApiDocumentSchema } },
    problems: {},
  },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof endpoints;

/** Every problem status an endpoint can answer, with what it means there. */
export function problemStatuses(endpoint: Endpoint): Record<number, string> {
  const common: Record<number, string> =
    endpoint.auth === "public" || endpoint.auth === "payment_signature"
      ? {}
      : {
          401: "No, a malformed, unknown or revoked key (`unauthenticated`); carries WWW-Authenticate: Bearer.",
          403: `A key of the other scope (\`forbidden\`)${endpoint.auth === "partner" ? ", or a suspended partner's (`partner_key_suspended`)" : ""}.`,
        };
  return {
    ...common,
    ...endpoint.problems,
    405: "The method is not supported here; see Allow (`method_not_allowed`).",
    500: "A failure on 7stamp's side (`internal_error`); it is logged, retry later.",
  };
}

/** The schema a response of this endpoint with this status must match, if one is declared. */
export function responseSchema(endpoint: Endpoint, status: number): z.ZodTypeAny | undefined {
  const success = endpoint.responses[status];
  if (success) return success.schema;
  return status in problemStatuses(endpoint) ? ProblemSchema : undefined;
}
