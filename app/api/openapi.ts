// The OpenAPI 3.1 document of the partner API, served at /api/v1/openapi.json. It describes
// what exists — nothing planned — and a test compares its paths with the routes.
import { problemTitles } from "./problem.server";

type Schema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  description?: string;
  schema: Schema;
}

interface MediaContent {
  [mediaType: string]: { schema: Schema; example?: unknown };
}

interface ResponseObject {
  description: string;
  headers?: Record<string, { description: string; schema: Schema }>;
  content?: MediaContent;
}

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required: boolean; content: MediaContent };
  responses: Record<string, ResponseObject | { $ref: string }>;
  security?: Record<string, string[]>[];
}

type PathItem = Partial<Record<"get" | "post", Operation>>;

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  security: Record<string, string[]>[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: {
    securitySchemes: Record<string, Schema>;
    schemas: Record<string, Schema>;
    responses: Record<string, ResponseObject>;
    parameters: Record<string, Parameter>;
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
const json = (schema: Schema): MediaContent => ({ "application/json": { schema } });
const uuid = { type: "string", format: "uuid" };
const dateTime = { type: "string", format: "date-time" };
const nullable = (schema: Schema) => ({ oneOf: [schema, { type: "null" }] });

/** The errors every authenticated endpoint can answer, plus those given. */
function errors(...statuses: ("400" | "404" | "409")[]) {
  const all: Record<string, { $ref: string }> = {
    "401": response("Unauthenticated"),
    "403": response("Forbidden"),
    "405": response("MethodNotAllowed"),
  };
  for (const status of statuses) {
    all[status] = response(
      { "400": "InvalidRequest", "404": "NotFound", "409": "Conflict" }[status],
    );
  }
  return all;
}

const idParameter = (what: string): Parameter => ({
  name: "id",
  in: "path",
  required: true,
  description: `The ${what}'s id (a UUID). Another partner's id answers 404.`,
  schema: uuid,
});

const codeParameter: Parameter = {
  name: "code",
  in: "path",
  required: true,
  description:
    "A code in any formatting (case, spaces and dashes do not matter; the batch prefix may be included), or `#N` / `N` for Code #N (URL-encode `#` as `%23`).",
  schema: { type: "string", maxLength: 64 },
};

const problemCodes = Object.keys(problemTitles);

const businessParameter: Parameter = {
  name: "id",
  in: "path",
  required: true,
  description: "The business's id (a UUID).",
  schema: uuid,
};

export const openApiDocument: OpenApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "7stamp Partner API",
    version: "1.0.0",
    description: [
      "The 7stamp API. Partner scope: bundles, code batches and activation codes of the partner that owns the key. Platform scope: what businesses have, the card operations they use, and redemptions on their behalf.",
      "",
      "Authenticate with `Authorization: Bearer sk_partner_…` (partner owners create keys on the portal's API keys page) or, for the platform scope, `Bearer sk_platform_…`.",
      "Bodies are JSON (`Content-Type: application/json`, at most 1 MB). Field names are snake_case, times are ISO 8601 in UTC, money is integer euro cents.",
      "Lists are keyset paged: pass `next_cursor` back as `cursor` until it is null. A cursor only continues the list (and filter, sort) it came from; any other answers 400 naming `cursor`.",
      "Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`; bad input answers 400 with `errors` naming each field. Another partner's id answers 404, exactly like an id that does not exist.",
    ].join("\n"),
  },
  servers: [{ url: "/" }],
  security: [{ bearerAuth: [] }],
  tags: [
    { name: "Bundles", description: "What a partner packs into its codes." },
    { name: "Batches", description: "Generation runs of codes." },
    { name: "Codes", description: "Activation codes." },
    {
      name: "Clients",
      description: "Businesses that claimed the partner's codes, and how they use them.",
    },
    {
      name: "Statements",
      description: "The partner's monthly wholesale statements.",
    },
    {
      name: "Platform",
      description: "The 7stamp core platform's scope: entitlements, card operations, redemptions.",
    },
    { name: "Meta", description: "This document." },
  ],
  paths: {
    "/api/v1/bundles": {
      get: {
        operationId: "listBundles",
        summary: "List bundles",
        tags: ["Bundles"],
        parameters: [
          {
            name: "status",
            in: "query",
            schema: { type: "string", enum: ["active", "archived", "all"], default: "active" },
          },
          { $ref: "#/components/parameters/Cursor" },
          { $ref: "#/components/parameters/Limit" },
        ],
        responses: {
          "200": {
            description: "A page of bundles, newest first.",
            content: json({
              type: "object",
              required: ["data", "next_cursor"],
              properties: {
                data: { type: "array", items: ref("Bundle") },
                next_cursor: nullable({ type: "string" }),
              },
            }),
          },
          ...errors("400"),
        },
      },
      post: {
        operationId: "createBundle",
        summary: "Create a bundle",
        tags: ["Bundles"],
        requestBody: { required: true, content: json(ref("BundleInput")) },
        responses: {
          "201": {
            description: "The new bundle.",
            headers: {
              Location: { description: "The bundle's URL.", schema: { type: "string" } },
            },
            content: json(ref("Bundle")),
          },
          ...errors("400"),
        },
      },
    },
    "/api/v1/bundles/{id}": {
      get: {
        operationId: "getBundle",
        summary: "Get a bundle",
        tags: ["Bundles"],
        parameters: [idParameter("bundle")],
        responses: {
          "200": { description: "The bundle.", content: json(ref("Bundle")) },
          ...errors("404"),
        },
      },
    },
    "/api/v1/bundles/{id}/codes": {
      post: {
        operationId: "generateCodes",
        summary: "Generate a batch of codes from a bundle",
        description:
          "Up to 10,000 codes are made in the request (201, with the codes). A larger batch (up to 1,000,000) is made by a background job: 202 with the batch, whose URL (Location) to poll until `status` is `ready`; then read its codes as CSV. Codes are claimable only once their batch is ready.",
        tags: ["Batches"],
        parameters: [idParameter("bundle")],
        requestBody: { required: true, content: json(ref("BatchInput")) },
        responses: {
          "201": {
            description: "The batch, ready, with its codes.",
            headers: {
              Location: { description: "The batch's URL.", schema: { type: "string" } },
            },
            content: json({
              type: "object",
              required: ["batch", "codes"],
              properties: {
                batch: ref("Batch"),
                codes: { type: "array", items: ref("GeneratedCode") },
              },
            }),
          },
          "202": {
            description: "The batch, generating in the background.",
            headers: {
              Location: { description: "The batch's URL, to poll.", schema: { type: "string" } },
            },
            content: json({
              type: "object",
              required: ["batch"],
              properties: { batch: ref("Batch") },
            }),
          },
          ...errors("400", "404"),
        },
      },
    },
    "/api/v1/batches/{id}": {
      get: {
        operationId: "getBatch",
        summary: "Get a batch (status and progress)",
        tags: ["Batches"],
        parameters: [idParameter("batch")],
        responses: {
          "200": { description: "The batch.", content: json(ref("Batch")) },
          ...errors("404"),
        },
      },
    },
    "/api/v1/batches/{id}/codes.csv": {
      get: {
        operationId: "getBatchCodesCsv",
        summary: "The batch's codes as CSV",
        description:
          "Streamed, newest first; a header row, then one row per code with the columns serial, code, status, bundle, batch_label, expires_at, recipient_name, recipient_email, handed_out_at, revoked_at, revoke_reason, redeem_url. Answers 409 `batch_not_ready` while the batch is generating or when it failed.",
        tags: ["Batches"],
        parameters: [idParameter("batch")],
        responses: {
          "200": {
            description: "The codes, as CSV (UTF-8).",
            content: { "text/csv": { schema: { type: "string" } } },
          },
          ...errors("404", "409"),
        },
      },
    },
    "/api/v1/statements": {
      get: {
        operationId: "listStatements",
        summary: "List statements",
        description:
          "The partner's monthly wholesale statements (calendar months, UTC), newest month first: a draft for every month since enrolment that is not final yet — the running month, and an ended month until the scheduled run on the 1st finalises it — then the final ones. A draft has no id, number, issue date or PDF, and its figures change until it is final; a final statement never changes. The whole list is one answer (twelve months a year), without paging.",
        tags: ["Statements"],
        responses: {
          "200": {
            description: "Every month's statement, newest first.",
            content: json({
              type: "object",
              required: ["data"],
              properties: { data: { type: "array", items: ref("Statement") } },
            }),
          },
          ...errors(),
        },
      },
    },
    "/api/v1/statements/{id}.pdf": {
      get: {
        operationId: "getStatementPdf",
        summary: "A final statement as PDF",
        description:
          "The statement's A4 PDF, the same bytes as the portal's download: rendered once from the final statement's snapshot, then served as stored. Drafts have no PDF (404). The first download of a long statement takes a few seconds; when too many PDFs are being rendered the answer is 503 `renderer_busy` with Retry-After.",
        tags: ["Statements"],
        parameters: [idParameter("statement")],
        responses: {
          "200": {
            description:
              'The PDF, with Content-Disposition: attachment; filename="{number}.pdf" (e.g. BRW-2026-0004.pdf).',
            headers: {
              "Content-Disposition": {
                description: 'attachment; filename="{number}.pdf"',
                schema: { type: "string" },
              },
            },
            content: { "application/pdf": { schema: { type: "string", format: "binary" } } },
          },
          ...errors("404"),
          "503": {
            ...problem(
              "Too many PDFs are being rendered (`renderer_busy`); retry after Retry-After seconds.",
            ),
            headers: {
              "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } },
            },
          },
        },
      },
    },
    "/api/v1/codes": {
      get: {
        operationId: "listCodes",
        summary: "List codes",
        tags: ["Codes"],
        parameters: [
          {
            name: "status",
            in: "query",
            description:
              "`expired`: issued and past its expiry; `outstanding`: issued and not expired.",
            schema: {
              type: "string",
              enum: ["issued", "claimed", "revoked", "expired", "outstanding"],
            },
          },
          { name: "bundle_id", in: "query", schema: uuid },
          { name: "batch_id", in: "query", schema: uuid },
          { $ref: "#/components/parameters/Cursor" },
          {
            name: "limit",
            in: "query",
            description: "Rows per page.",
            schema: { type: "integer", minimum: 1, maximum: 500, default: 50 },
          },
        ],
        responses: {
          "200": {
            description: "A page of codes, newest first.",
            content: json({
              type: "object",
              required: ["data", "next_cursor"],
              properties: {
                data: { type: "array", items: ref("Code") },
                next_cursor: nullable({ type: "string" }),
              },
            }),
          },
          ...errors("400"),
        },
      },
    },
    "/api/v1/codes/{code}": {
      get: {
        operationId: "getCode",
        summary: "Find a code",
        tags: ["Codes"],
        parameters: [codeParameter],
        responses: {
          "200": { description: "The code.", content: json(ref("Code")) },
          "400": {
            description:
              "`code_mistyped`: the code's check symbol does not match (a typing mistake), or the input is not a code at all (`invalid_request`).",
            content: { "application/problem+json": { schema: ref("Problem") } },
          },
          ...errors("404"),
        },
      },
    },
    "/api/v1/codes/{code}/revoke": {
      post: {
        operationId: "revokeCode",
        summary: "Revoke an unclaimed code",
        tags: ["Codes"],
        parameters: [codeParameter],
        requestBody: {
          required: true,
          content: json({
            type: "object",
            required: ["reason"],
            additionalProperties: false,
            properties: { reason: { type: "string", minLength: 1, maxLength: 200 } },
          }),
        },
        responses: {
          "200": { description: "The revoked code.", content: json(ref("Code")) },
          ...errors("400", "404", "409"),
        },
      },
    },
    "/api/v1/clients": {
      get: {
        operationId: "listClients",
        summary: "List clients",
        description:
          "Every business that claimed at least one of the partner's codes, with what those codes gave it and how that was used — never the business's plan or other partners' codes. Active: a grant in force now whose claim was not rolled back. Seats and `usage_percent` are about active grants; `card_operations_granted` / `card_operations_used` are all-time (a rolled-back claim counts as granted only what was used before the roll-back); this month is the calendar month in UTC.",
        tags: ["Clients"],
        parameters: [
          {
            name: "search",
            in: "query",
            description: "Part of the business name, any case.",
            schema: { type: "string", maxLength: 100 },
          },
          {
            name: "filter",
            in: "query",
            description:
              "`active`: has an active code; `ended`: none is active; `nearly_used_up`: ≥ 80% of the active card operations used; `ends_soon`: an active code ends within 30 days.",
            schema: { type: "string", enum: ["active", "ended", "nearly_used_up", "ends_soon"] },
          },
          {
            name: "sort",
            in: "query",
            description:
              "`name`, `codes` (claimed), `used` (card operations, all-time), `usage` (percent of active), `activity` (last card operation), `ends` (soonest end). Clients without a value (no activity, nothing active) come last either way.",
            schema: {
              type: "string",
              enum: ["name", "codes", "used", "usage", "activity", "ends"],
              default: "name",
            },
          },
          {
            name: "direction",
            in: "query",
            description: "Default: `asc` for name and ends, `desc` for the others.",
            schema: { type: "string", enum: ["asc", "desc"] },
          },
          { $ref: "#/components/parameters/Cursor" },
          {
            name: "limit",
            in: "query",
            description: "Rows per page.",
            schema: { type: "integer", minimum: 1, maximum: 500, default: 50 },
          },
        ],
        responses: {
          "200": {
            description:
              "A page of clients. A cursor only continues the search, filter and sort it came from; another answers 400.",
            content: json({
              type: "object",
              required: ["data", "next_cursor"],
              properties: {
                data: { type: "array", items: ref("Client") },
                next_cursor: nullable({ type: "string" }),
              },
            }),
          },
          ...errors("400"),
        },
      },
    },
    "/api/v1/clients/{id}": {
      get: {
        operationId: "getClient",
        summary: "Get a client",
        description:
          "The client's figures, each of the partner's codes it claimed (the numbers the business's own billing page shows) and its card operations per UTC day over the last 90 days, drawn from the partner's codes.",
        tags: ["Clients"],
        parameters: [
          {
            name: "id",
            in: "path",
            required: true,
            description:
              "The business's id (a UUID). A business that claimed none of the partner's codes answers 404.",
            schema: uuid,
          },
        ],
        responses: {
          "200": { description: "The client.", content: json(ref("ClientDetail")) },
          ...errors("404"),
        },
      },
    },
    "/api/v1/businesses/{id}/entitlements": {
      get: {
        operationId: "getEntitlements",
        summary: "What a business has right now",
        description:
          "Platform scope (`sk_platform_…`). The plan and its allowance for the current period, staff seats, card operations used / limit / remaining over every grant in force, and each grant in force with its own use.",
        tags: ["Platform"],
        security: [{ platformAuth: [] }],
        parameters: [businessParameter],
        responses: {
          "200": { description: "The entitlements.", content: json(ref("Entitlements")) },
          ...errors("404"),
        },
      },
    },
    "/api/v1/businesses/{id}/operations": {
      post: {
        operationId: "recordCardOperation",
        summary: "Report a card operation",
        description:
          "Platform scope. Draws from the plan's allowance for the period first, then from code grants ending soonest. Recorded whole or not at all. The same `idempotency_key` again answers 200 with the first answer; with a different body, 409 `idempotency_conflict`.",
        tags: ["Platform"],
        security: [{ platformAuth: [] }],
        parameters: [businessParameter],
        requestBody: { required: true, content: json(ref("CardOperationInput")) },
        responses: {
          "201": { description: "Recorded.", content: json(ref("CardOperationResult")) },
          "200": {
            description: "A repeated key: the first answer.",
            content: json(ref("CardOperationResult")),
          },
          "402": problem("`limit_reached`: not enough card operations left; nothing was recorded."),
          ...errors("400", "404", "409"),
        },
      },
    },
    "/api/v1/operations/batch": {
      post: {
        operationId: "recordCardOperationBatch",
        summary: "Report up to 1,000 card operations",
        description:
          "Platform scope. Recorded in the order given, each as its single call would be; one result per event, with the status the single call would answer.",
        tags: ["Platform"],
        security: [{ platformAuth: [] }],
        requestBody: {
          required: true,
          content: json({
            type: "object",
            required: ["events"],
            additionalProperties: false,
            properties: {
              events: {
                type: "array",
                minItems: 1,
                maxItems: 1000,
                items: {
                  allOf: [
                    ref("CardOperationInput"),
                    {
                      type: "object",
                      required: ["business_id"],
                      properties: { business_id: uuid },
                    },
                  ],
                },
              },
            },
          }),
        },
        responses: {
          "200": {
            description: "One result per event, in order.",
            content: json({
              type: "object",
              required: ["results"],
              properties: {
                results: {
                  type: "array",
                  items: {
                    type: "object",
                    required: ["index", "status"],
                    description:
                      "201/200: `operation` and `remaining` as for a single call; 402/404/409: `code` and `detail`.",
                    properties: {
                      index: { type: "integer" },
                      status: { type: "integer", enum: [200, 201, 402, 404, 409] },
                      operation: { type: "object" },
                      remaining: { type: "integer" },
                      code: { type: "string" },
                      detail: { type: "string" },
                    },
                  },
                },
              },
            }),
          },
          ...errors("400"),
        },
      },
    },
    "/api/v1/businesses/{id}/redemptions": {
      post: {
        operationId: "redeemCode",
        summary: "Claim a code for a business",
        description:
          "Platform scope. The same claim as the billing page: one transaction, the bundle becomes a grant. Refusals: `code_mistyped` (400), `code_not_found` (404), `code_already_claimed` / `code_already_claimed_by_you` / `code_expired` / `code_revoked` / `code_not_ready` / `partner_suspended` (409), `code_locked` (403, locked to another recipient than the business owner). Failed attempts count per business (10 an hour); past that, 429 `rate_limited` with Retry-After.",
        tags: ["Platform"],
        security: [{ platformAuth: [] }],
        parameters: [businessParameter],
        requestBody: {
          required: true,
          content: json({
            type: "object",
            required: ["code"],
            additionalProperties: false,
            properties: {
              code: {
                type: "string",
                minLength: 1,
                maxLength: 64,
                description: "In any formatting.",
              },
            },
          }),
        },
        responses: {
          "201": { description: "Claimed.", content: json(ref("Claim")) },
          "429": {
            description: "`rate_limited`: too many failed attempts.",
            headers: {
              "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } },
            },
            content: { "application/problem+json": { schema: ref("Problem") } },
          },
          ...errors("400", "404", "409"),
        },
      },
    },
    "/api/v1/openapi.json": {
      get: {
        operationId: "getOpenApi",
        summary: "This document",
        tags: ["Meta"],
        security: [],
        responses: {
          "200": { description: "The OpenAPI document.", content: json({ type: "object" }) },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearerAuth: {
        type: "http",
        scheme: "bearer",
        description: "A partner API key, `sk_partner_…`.",
      },
      platformAuth: {
        type: "http",
        scheme: "bearer",
        description:
          "A platform token, `sk_platform_…` (issued by support: `npm run admin -- token create --platform`).",
      },
    },
    parameters: {
      Cursor: {
        name: "cursor",
        in: "query",
        description:
          "The `next_cursor` of the previous page. A cursor of another list, or one that was altered, answers 400.",
        schema: { type: "string", maxLength: 500 },
      },
      Limit: {
        name: "limit",
        in: "query",
        description: "Rows per page.",
        schema: { type: "integer", minimum: 1, maximum: 100, default: 25 },
      },
    },
    schemas: {
      Problem: {
        type: "object",
        description: "RFC 9457 problem details.",
        required: ["type", "title", "status", "detail", "code"],
        properties: {
          type: { type: "string", description: "`urn:7stamp:problem:{code}`." },
          title: { type: "string" },
          status: { type: "integer" },
          detail: { type: "string", description: "What went wrong, for people." },
          code: {
            type: "string",
            description: "A stable machine code.",
            enum: problemCodes,
          },
          errors: {
            type: "array",
            description: "For bad input: one entry per field that is wrong.",
            items: {
              type: "object",
              required: ["field", "message"],
              properties: {
                field: {
                  type: "string",
                  description: "The field, as the request spells it (dotted when nested).",
                },
                message: { type: "string" },
              },
            },
          },
        },
      },
      CardOperationInput: {
        type: "object",
        required: ["idempotency_key", "kind"],
        properties: {
          idempotency_key: {
            type: "string",
            minLength: 1,
            maxLength: 200,
            description: "Unique per business; a retry sends the same one.",
          },
          kind: { type: "string", enum: ["stamp", "voucher"] },
          quantity: { type: "integer", minimum: 1, maximum: 1000, default: 1 },
          occurred_at: {
            ...dateTime,
            description: "When it happened at the till; now if left out.",
          },
        },
      },
      CardOperationResult: {
        type: "object",
        required: ["operation", "remaining"],
        properties: {
          operation: {
            type: "object",
            properties: {
              id: { type: "integer" },
              business_id: uuid,
              idempotency_key: { type: "string" },
              kind: { type: "string", enum: ["stamp", "voucher"] },
              quantity: { type: "integer" },
              occurred_at: dateTime,
              recorded_at: dateTime,
              drawn_from: {
                type: "array",
                description: "The grants that paid for it (two when it was split).",
                items: {
                  type: "object",
                  properties: { grant_id: uuid, quantity: { type: "integer" } },
                },
              },
            },
          },
          remaining: { type: "integer", description: "Card operations left right after this one." },
        },
      },
      Entitlements: {
        type: "object",
        properties: {
          business_id: uuid,
          plan: {
            type: "object",
            properties: {
              id: { type: "string" },
              name: { type: "string" },
              billing_interval: { type: "string", enum: ["none", "month", "year", "custom"] },
              locations: { type: "integer" },
              started_at: dateTime,
              next_billing_at: nullable(dateTime),
            },
          },
          period: { type: "object", properties: { start: dateTime, end: dateTime } },
          seats: {
            type: "object",
            properties: {
              included: { type: "integer" },
              from_grants: { type: "integer" },
              available: { type: "integer" },
              taken: { type: "integer" },
              over_limit: { type: "integer" },
            },
          },
          operations: {
            type: "object",
            properties: {
              used: { type: "integer" },
              limit: { type: "integer" },
              remaining: { type: "integer" },
            },
          },
          plan_allowance: {
            type: "object",
            properties: { used: { type: "integer" }, included: { type: "integer" } },
          },
          grants: {
            type: "array",
            items: {
              type: "object",
              properties: {
                id: uuid,
                source: { type: "string", enum: ["code", "referral", "support"] },
                code_serial: nullable({ type: "integer" }),
                partner_id: nullable(uuid),
                bundle_name: nullable({ type: "string" }),
                staff_seats: {
                  type: "object",
                  properties: { included: { type: "integer" }, taken: { type: "integer" } },
                },
                card_operations: {
                  type: "object",
                  properties: {
                    used: { type: "integer" },
                    limit: { type: "integer" },
                    available: { type: "integer" },
                  },
                },
                starts_at: dateTime,
                ends_at: dateTime,
              },
            },
          },
        },
      },
      Client: {
        type: "object",
        required: [
          "business_id",
          "business_name",
          "codes_claimed",
          "active_codes",
          "staff_seats_granted",
          "staff_seats_occupied",
          "card_operations_granted",
          "card_operations_used",
          "card_operations_used_this_month",
          "usage_percent",
          "last_activity_at",
          "soonest_ends_at",
          "nearly_used_up",
          "ends_within_30_days",
        ],
        properties: {
          business_id: uuid,
          business_name: { type: "string" },
          codes_claimed: {
            type: "integer",
            description: "Every claim of the partner's codes, ended and rolled-back ones too.",
          },
          active_codes: { type: "integer" },
          staff_seats_granted: { type: "integer", description: "Of the active codes." },
          staff_seats_occupied: {
            type: "integer",
            description: "Members holding a seat of the active codes.",
          },
          card_operations_granted: { type: "integer", description: "All-time." },
          card_operations_used: { type: "integer", description: "All-time." },
          card_operations_used_this_month: { type: "integer" },
          active_card_operations_granted: { type: "integer" },
          active_card_operations_used: { type: "integer" },
          usage_percent: nullable({
            type: "integer",
            description: "Whole percent of the active card operations used (rounded down).",
          }),
          last_activity_at: nullable(dateTime),
          soonest_ends_at: nullable({ ...dateTime, description: "Among the active codes." }),
          nearly_used_up: { type: "boolean" },
          ends_within_30_days: { type: "boolean" },
          links: { type: "object", properties: { self: { type: "string" } } },
        },
      },
      ClientDetail: {
        allOf: [
          ref("Client"),
          {
            type: "object",
            required: ["codes", "daily_card_operations"],
            properties: {
              codes: {
                type: "array",
                description: "Active codes first, newest claim first; then ended ones.",
                items: {
                  type: "object",
                  properties: {
                    grant_id: uuid,
                    code_serial: { type: "integer", description: "Code #N." },
                    bundle_name: { type: "string" },
                    state: { type: "string", enum: ["active", "ended", "scheduled"] },
                    staff_seats: {
                      type: "object",
                      properties: {
                        granted: { type: "integer" },
                        occupied: { type: "integer" },
                      },
                    },
                    card_operations: {
                      type: "object",
                      properties: {
                        granted: { type: "integer" },
                        used: { type: "integer" },
                        available: {
                          type: "integer",
                          description: "What can still be drawn; 0 once the code has ended.",
                        },
                      },
                    },
                    claimed_at: dateTime,
                    starts_at: dateTime,
                    ends_at: dateTime,
                    rolled_back_at: nullable(dateTime),
                  },
                },
              },
              daily_card_operations: {
                type: "array",
                description:
                  "90 entries, oldest first, ending today (UTC); days without use are 0.",
                items: {
                  type: "object",
                  required: ["date", "card_operations"],
                  properties: {
                    date: { type: "string", format: "date" },
                    card_operations: { type: "integer" },
                  },
                },
              },
            },
          },
        ],
      },
      Statement: {
        type: "object",
        required: [
          "id",
          "month",
          "status",
          "number",
          "period_start",
          "period_end",
          "issued_at",
          "line_count",
          "totals",
          "links",
        ],
        properties: {
          id: nullable({ ...uuid, description: "Null for a draft." }),
          month: {
            type: "string",
            pattern: "^\\d{4}-(0[1-9]|1[0-2])$",
            description: "The calendar month (UTC), `YYYY-MM`.",
          },
          status: {
            type: "string",
            enum: ["draft", "final"],
            description:
              "`draft`: figures change until the month is finalised; `final`: never changes.",
          },
          number: nullable({
            type: "string",
            description:
              "`{PREFIX}-{YYYY}-{NNNN}`, gapless per partner and year; null for a draft.",
          }),
          period_start: { ...dateTime, description: "The month's first instant (UTC)." },
          period_end: { ...dateTime, description: "The next month's first instant (exclusive)." },
          issued_at: nullable({ ...dateTime, description: "Finalisation time; null for a draft." }),
          line_count: {
            type: "integer",
            description: "Claim lines plus credit lines (claims rolled back in the month).",
          },
          totals: {
            type: "object",
            required: [
              "currency",
              "retail_cents",
              "discount_cents",
              "net_cents",
              "tax_cents",
              "total_cents",
            ],
            properties: {
              currency: { type: "string", enum: ["EUR"] },
              retail_cents: { type: "integer", description: "Retail subtotal." },
              discount_cents: { type: "integer", description: "The wholesale discount." },
              net_cents: {
                type: "integer",
                description: "Retail − discount: the wholesale amount.",
              },
              tax_cents: { type: "integer" },
              total_cents: { type: "integer", description: "Net + tax: the total due." },
            },
          },
          links: {
            type: "object",
            required: ["pdf"],
            properties: {
              pdf: nullable({
                type: "string",
                description:
                  "`/api/v1/statements/{id}.pdf`; null for a draft (drafts have no PDF).",
              }),
            },
          },
        },
      },
      Claim: {
        type: "object",
        properties: {
          code_serial: { type: "integer", description: "Code #N." },
          business_id: uuid,
          grant_id: uuid,
          partner_name: { type: "string" },
          bundle_name: { type: "string" },
          staff_seats: { type: "integer" },
          card_operations: { type: "integer" },
          claimed_at: dateTime,
          ends_at: dateTime,
        },
      },
      BundleInput: {
        type: "object",
        required: ["name", "staff_seats", "card_operations", "term_months"],
        additionalProperties: false,
        description: "At least one of staff_seats and card_operations must be above 0.",
        properties: {
          name: { type: "string", minLength: 1, maxLength: 80 },
          staff_seats: { type: "integer", minimum: 0, maximum: 1000 },
          card_operations: { type: "integer", minimum: 0, maximum: 10_000_000 },
          term_months: {
            type: "integer",
            minimum: 1,
            maximum: 36,
            description: "How long the services last after the claim.",
          },
          code_validity_days: {
            type: "integer",
            minimum: 1,
            maximum: 3650,
            default: 365,
            description: "How long an unclaimed code stays claimable.",
          },
          resale_price_cents: nullable({
            type: "integer",
            minimum: 0,
            maximum: 100_000_000_000,
            description: "What the partner charges its client, to show the margin.",
          }),
        },
      },
      Bundle: {
        type: "object",
        required: [
          "id",
          "name",
          "staff_seats",
          "card_operations",
          "term_months",
          "code_validity_days",
          "resale_price_cents",
          "status",
          "code_count",
          "price",
          "created_at",
        ],
        properties: {
          id: uuid,
          name: { type: "string" },
          staff_seats: { type: "integer" },
          card_operations: { type: "integer" },
          term_months: { type: "integer" },
          code_validity_days: { type: "integer" },
          resale_price_cents: nullable({ type: "integer" }),
          status: { type: "string", enum: ["active", "archived"] },
          code_count: { type: "integer" },
          duplicated_from: nullable(uuid),
          price: {
            type: "object",
            description: "At the current price list and the partner's current discount.",
            required: [
              "currency",
              "retail_cents",
              "discount_cents",
              "wholesale_cents",
              "margin_cents",
            ],
            properties: {
              currency: { type: "string", const: "EUR" },
              retail_cents: { type: "integer" },
              discount_cents: { type: "integer" },
              wholesale_cents: { type: "integer" },
              margin_cents: nullable({ type: "integer" }),
            },
          },
          created_at: dateTime,
          archived_at: nullable(dateTime),
        },
      },
      BatchInput: {
        type: "object",
        required: ["count"],
        additionalProperties: false,
        properties: {
          count: { type: "integer", minimum: 1, maximum: 1_000_000 },
          prefix: nullable({
            type: "string",
            pattern: "^[A-Za-z0-9]{1,8}$",
            description: "Shown before each code (upper-cased), e.g. CAFE.",
          }),
          expires_at: nullable({
            ...dateTime,
            description:
              "Default: now + the bundle's code_validity_days; at most 3,650 days ahead.",
          }),
          label: nullable({ type: "string", maxLength: 120 }),
          recipient: nullable({ type: "string", maxLength: 200 }),
        },
      },
      Batch: {
        type: "object",
        required: [
          "id",
          "bundle_id",
          "status",
          "code_count",
          "generated_count",
          "progress_percent",
          "expires_at",
          "created_at",
        ],
        properties: {
          id: uuid,
          bundle_id: uuid,
          bundle_name: { type: "string" },
          status: { type: "string", enum: ["generating", "ready", "failed"] },
          code_count: { type: "integer" },
          generated_count: { type: "integer" },
          progress_percent: { type: "integer", minimum: 0, maximum: 100 },
          prefix: nullable({ type: "string" }),
          expires_at: dateTime,
          label: nullable({ type: "string" }),
          recipient: nullable({ type: "string" }),
          failure_reason: nullable({ type: "string" }),
          created_by: { type: "string" },
          created_at: dateTime,
          completed_at: nullable(dateTime),
          links: {
            type: "object",
            properties: { self: { type: "string" }, codes_csv: { type: "string" } },
          },
        },
      },
      GeneratedCode: {
        type: "object",
        required: ["serial", "code", "redeem_url"],
        properties: {
          serial: { type: "integer", description: "Code #N." },
          code: { type: "string", description: "As shown: prefix and groups of four." },
          redeem_url: { type: "string", description: "The link that lands on the claim page." },
        },
      },
      Code: {
        type: "object",
        required: ["serial", "code", "status", "bundle_id", "batch_id", "expires_at", "created_at"],
        properties: {
          serial: { type: "integer", description: "Code #N." },
          code: { type: "string", description: "As shown: prefix and groups of four." },
          status: {
            type: "string",
            enum: ["issued", "claimed", "revoked", "expired"],
            description: "`expired`: issued and past expires_at.",
          },
          redeem_url: { type: "string", description: "The link that lands on the claim page." },
          bundle_id: uuid,
          bundle_name: { type: "string" },
          batch_id: uuid,
          batch_label: nullable({ type: "string" }),
          expires_at: dateTime,
          created_at: dateTime,
          recipient_name: nullable({ type: "string" }),
          recipient_email: nullable({ type: "string" }),
          recipient_note: nullable({ type: "string" }),
          handed_out_at: nullable(dateTime),
          locked_to_email: { type: "boolean" },
          emailed_at: nullable(dateTime),
          revoked_at: nullable(dateTime),
          revoke_reason: nullable({ type: "string" }),
        },
      },
    },
    responses: {
      InvalidRequest: problem(
        "Bad input (`invalid_request` and the field errors) or a rule of the domain.",
      ),
      Unauthenticated: problem(
        "No, a malformed, unknown or revoked key (`unauthenticated`); carries WWW-Authenticate: Bearer.",
      ),
      Forbidden: problem(
        "A platform token on a partner endpoint, or a partner key on a platform endpoint (`forbidden`).",
      ),
      NotFound: problem(
        "No such resource, or another partner's (`not_found`, `code_not_found`): the same answer.",
      ),
      MethodNotAllowed: problem(
        "The method is not supported here; see Allow (`method_not_allowed`).",
      ),
      Conflict: problem(
        "The resource's state does not allow this (e.g. `batch_not_ready`, `code_not_revocable`).",
      ),
    },
  },
};

function problem(description: string): ResponseObject {
  return { description, content: { "application/problem+json": { schema: ref("Problem") } } };
}
