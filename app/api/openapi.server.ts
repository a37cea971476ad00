// The OpenAPI 3.1 document of /api/v1, generated (zod-openapi) from the contract in
// endpoints.server.ts: the paths, parameters, bodies and responses are the schemas the
// router parses with and the tests check answers against. Served at /api/v1/openapi.json;
// `npm run openapi:lint` lints it with Redocly.
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
} from "zod-openapi";
import { endpoints, problemStatuses, type Endpoint } from "./endpoints.server";
import { ProblemSchema } from "./schemas";

const DESCRIPTION = [
  "The 7stamp API. Partner scope: bundles, code batches and activation codes of the partner that owns the key. Platform scope: what businesses have, the card operations they use, and redemptions on their behalf.",
  "",
  "Authenticate with `Authorization: Bearer sk_partner_…` (partner owners create keys on the portal's API keys page) or, for the platform scope, `Bearer sk_platform_…`.",
  "Bodies are JSON (`Content-Type: application/json`, at most 1 MB; larger ones answer 413 `payload_too_large`). Field names are snake_case, times are ISO 8601 in UTC, money is integer euro cents.",
  "Lists are keyset paged: pass `next_cursor` back as `cursor` until it is null. A cursor only continues the list (and filter, sort) it came from; any other answers 400 naming `cursor`.",
  "Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`; bad input answers 400 with `errors` naming each field. Another partner's id answers 404, exactly like an id that does not exist.",
].join("\n");

const TAGS = [
  { name: "Bundles", description: "What a partner packs into its codes." },
  { name: "Batches", description: "Generation runs of codes." },
  { name: "Codes", description: "Activation codes." },
  {
    name: "Clients",
    description: "Businesses that claimed the partner's codes, and how they use them.",
  },
  { name: "Statements", description: "The partner's monthly wholesale statements." },
  {
    name: "Platform",
    description: "The 7stamp core platform's scope: entitlements, card operations, redemptions.",
  },
  {
    name: "Webhooks",
    description:
      "Endpoints 7stamp posts signed events to. Verify a delivery: split `X-7stamp-Signature` on commas; `t` is the unix time it was signed (refuse it if more than 5 minutes off), and it is genuine when one of its `v1` values equals the hex HMAC-SHA256 of `${t}.${raw body}` under your secret (compare in constant time; two `v1` values appear for 24 hours after a secret is rolled). Example: docs/webhooks/verify-signature.mjs. Delivery is at least once: de-duplicate by `X-7stamp-Event-Id`. Referral events (a partner's endpoint receives those where the partner is the referrer): `referral.qualified` — `referral_id`, `business_id` (the referred business), `referrer_business_id`, `referrer_partner_id`, `qualified_by` (`code_claim` or `paid_plan`), `qualified_at`, `status` (`approved`, `pending`, `flagged`), `flags`, `rule_version`, `reward_value_cents`; `referral.rewarded` — `referral_id`, `rewards` (each: `beneficiary` `referred` or `referrer`, `business_id` or `partner_id`, `grant_id`, `card_operations`, `credit_cents` — a partner's credit is a line on its statement of that month), `ends_at` (of the bonus operations); `referral.clawed_back` — `referral_id`, `business_id`, `referrer_business_id`, `referrer_partner_id`, `clawed_back_at`, `rewards` (each: `beneficiary`, `grant_id`, `card_operations`, `card_operations_used`, `credit_cents` — a partner's credit becomes a debit line on its statement of that month).",
  },
  {
    name: "Payments",
    description:
      "Events in from the payment provider that collects business invoices, signed with a shared secret.",
  },
  { name: "Meta", description: "This document." },
];

const stringHeader = { schema: { type: "string" as const } };
const retryAfter = {
  "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" as const } },
};

function operation(endpoint: Endpoint): ZodOpenApiOperationObject {
  const responses: ZodOpenApiOperationObject["responses"] = {};
  for (const [status, spec] of Object.entries(endpoint.responses)) {
    responses[status as `2${string}`] = {
      description: spec.description,
      headers: spec.headers
        ? Object.fromEntries(
            Object.entries(spec.headers).map(([name, description]) => [
              name,
              { description, ...stringHeader },
            ]),
          )
        : undefined,
      content: { [spec.contentType ?? "application/json"]: { schema: spec.schema } },
    };
  }
  for (const [status, description] of Object.entries(problemStatuses(endpoint))) {
    responses[status as `4${string}`] = {
      description,
      headers: status === "429" || status === "503" ? retryAfter : undefined,
      content: { "application/problem+json": { schema: ProblemSchema } },
    };
  }
  return {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    description: endpoint.description,
    tags: [endpoint.tag],
    security:
      endpoint.auth === "public"
        ? []
        : endpoint.auth === "payment_signature"
          ? [{ paymentSignature: [] }]
          : [{ [endpoint.auth === "partner" ? "bearerAuth" : "platformAuth"]: [] }],
    requestParams: {
      ...(endpoint.params ? { path: endpoint.params } : {}),
      ...(endpoint.query ? { query: endpoint.query as never } : {}),
    },
    requestBody: endpoint.body
      ? { required: true, content: { "application/json": { schema: endpoint.body } } }
      : undefined,
    responses,
  };
}

let cached: ReturnType<typeof createDocument> | undefined;

/** The document (built once), with "/" as its server; the route puts the public URL there. */
export function openApiDocument(): ReturnType<typeof createDocument> {
  if (cached) return cached;
  const paths: ZodOpenApiPathsObject = {};
  for (const endpoint of Object.values(endpoints) as Endpoint[]) {
    const path = (paths[endpoint.path] ??= {});
    path[endpoint.method.toLowerCase() as "get" | "post" | "delete"] = operation(endpoint);
  }
  cached = createDocument(
    {
      openapi: "3.1.0",
      info: {
        title: "7stamp Partner API",
        version: "1.0.0",
        description: DESCRIPTION,
        license: { name: "Proprietary", identifier: "LicenseRef-7stamp" },
      },
      servers: [{ url: "/" }],
      security: [{ bearerAuth: [] }],
      tags: TAGS,
      paths,
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
          paymentSignature: {
            type: "apiKey",
            in: "header",
            name: "X-Payment-Signature",
            description:
              "The payment provider's signature of the raw body: `t={unix seconds},v1={hex HMAC-SHA256 of \"t.body\"}` under PAYMENT_WEBHOOK_SECRET, within 5 minutes of the portal's clock.",
          },
        },
      },
    },
    { defaultDateSchema: { type: "string", format: "date-time" } },
  );
  return cached;
}
