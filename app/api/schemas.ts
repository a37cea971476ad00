// The JSON shapes of /api/v1, once, as zod schemas: the serializers (serialize.server.ts) are
// typed from them, the OpenAPI document (openapi.server.ts) is generated from them, and the
// API tests parse every response with them. Request bodies are the domain's own schemas
// (bundles, batches, usage, redemption), so each limit is written in one place.
import "zod-openapi/extend";
import { z } from "zod";
import { errorCodeNames } from "~/domain/error-codes";
import { supportedLanguages } from "~/lib/locale";

const uuid = z.string().uuid();
const dateTime = z.string().datetime({ offset: true });
const count = z.number().int();
const euro = z.literal("EUR");

/** RFC 9457 problem details: the body of every error the API answers. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ description: "`urn:7stamp:problem:{code}`." }),
    title: z.string(),
    status: count,
    detail: z.string().openapi({ description: "What went wrong, for people." }),
    code: z.enum(errorCodeNames).openapi({ description: "A stable machine code." }),
    errors: z
      .array(
        z.object({
          field: z.string().openapi({
            description: "The field, as the request spells it (dotted when nested).",
          }),
          message: z.string(),
        }),
      )
      .optional()
      .openapi({ description: "For bad input: one entry per field that is wrong." }),
  })
  .openapi({ ref: "Problem", description: "RFC 9457 problem details." });

export type ProblemJson = z.infer<typeof ProblemSchema>;

/** The envelope of every keyset-paged list, written once. */
export function pageOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({
    data: z.array(item),
    next_cursor: z.string().nullable().openapi({
      description: "Pass it back as `cursor` for the next page; null on the last page.",
    }),
  });
}

export const BundleSchema = z
  .object({
    id: uuid,
    name: z.string(),
    staff_seats: count,
    card_operations: count,
    term_months: count,
    code_validity_days: count,
    resale_price_cents: count.nullable(),
    status: z.enum(["active", "archived"]),
    code_count: count,
    duplicated_from: uuid.nullable(),
    price: z
      .object({
        currency: euro,
        retail_cents: count,
        discount_cents: count,
        wholesale_cents: count,
        margin_cents: count.nullable(),
      })
      .openapi({ description: "At the current price list and the partner's current discount." }),
    created_at: dateTime,
    archived_at: dateTime.nullable(),
  })
  .openapi({ ref: "Bundle" });

export const BatchSchema = z
  .object({
    id: uuid,
    bundle_id: uuid,
    bundle_name: z.string(),
    status: z.enum(["generating", "ready", "failed"]),
    code_count: count,
    generated_count: count,
    progress_percent: count.min(0).max(100),
    prefix: z.string().nullable(),
    expires_at: dateTime,
    label: z.string().nullable(),
    recipient: z.string().nullable(),
    failure_reason: z.string().nullable(),
    created_by: z.string(),
    created_at: dateTime,
    completed_at: dateTime.nullable(),
    locale: z
      .enum(supportedLanguages)
      .openapi({ description: "The language the batch's printable code cards are written in." }),
    links: z.object({ self: z.string(), codes_csv: z.string() }),
  })
  .openapi({ ref: "Batch" });

const serial = count.openapi({ description: "Code #N." });
const shownCode = z.string().openapi({ description: "As shown: prefix and groups of four." });
const redeemUrl = z.string().openapi({ description: "The link that lands on the claim page." });

export const GeneratedCodeSchema = z
  .object({ serial, code: shownCode, redeem_url: redeemUrl })
  .openapi({ ref: "GeneratedCode" });

export const CodeSchema = z
  .object({
    serial,
    code: shownCode,
    status: z
      .enum(["issued", "claimed", "revoked", "expired"])
      .openapi({ description: "`expired`: issued and past expires_at." }),
    redeem_url: redeemUrl,
    bundle_id: uuid,
    bundle_name: z.string(),
    batch_id: uuid,
    batch_label: z.string().nullable(),
    expires_at: dateTime,
    created_at: dateTime,
    recipient_name: z.string().nullable(),
    recipient_email: z.string().nullable(),
    recipient_note: z.string().nullable(),
    handed_out_at: dateTime.nullable(),
    locked_to_email: z.boolean(),
    emailed_at: dateTime.nullable(),
    revoked_at: dateTime.nullable(),
    revoke_reason: z.string().nullable(),
  })
  .openapi({ ref: "Code" });

export const GeneratedBatchSchema = z.object({
  batch: BatchSchema,
  codes: z.array(GeneratedCodeSchema),
});

export const GeneratingBatchSchema = z.object({ batch: BatchSchema });

export const ClientSchema = z
  .object({
    business_id: uuid,
    business_name: z.string(),
    codes_claimed: count.openapi({
      description: "Every claim of the partner's codes, ended and rolled-back ones too.",
    }),
    active_codes: count,
    staff_seats_granted: count.openapi({ description: "Of the active codes." }),
    staff_seats_occupied: count.openapi({
      description: "Members holding a seat of the active codes.",
    }),
    card_operations_granted: count.openapi({ description: "All-time." }),
    card_operations_used: count.openapi({ description: "All-time." }),
    card_operations_used_this_month: count,
    active_card_operations_granted: count,
    active_card_operations_used: count,
    usage_percent: count.nullable().openapi({
      description: "Whole percent of the active card operations used (rounded down).",
    }),
    last_activity_at: dateTime.nullable(),
    soonest_ends_at: dateTime.nullable().openapi({ description: "Among the active codes." }),
    nearly_used_up: z.boolean(),
    ends_within_30_days: z.boolean(),
    links: z.object({ self: z.string() }),
  })
  .openapi({ ref: "Client" });

export const ClientCodeSchema = z.object({
  grant_id: uuid,
  code_serial: serial.nullable(),
  bundle_name: z.string().nullable(),
  state: z.enum(["active", "ended", "scheduled"]),
  staff_seats: z.object({ granted: count, occupied: count }),
  card_operations: z.object({
    granted: count,
    used: count,
    available: count.openapi({
      description: "What can still be drawn; 0 once the code has ended.",
    }),
  }),
  claimed_at: dateTime,
  starts_at: dateTime,
  ends_at: dateTime,
  rolled_back_at: dateTime.nullable(),
});

export const ClientDetailSchema = ClientSchema.extend({
  codes: z.array(ClientCodeSchema).openapi({
    description: "Active codes first, newest claim first; then ended ones.",
  }),
  daily_card_operations: z
    .array(
      z.object({
        date: z.string().date(),
        card_operations: count,
      }),
    )
    .openapi({
      description: "90 entries, oldest first, ending today (UTC); days without use are 0.",
    }),
}).openapi({ ref: "ClientDetail" });

export const StatementSchema = z
  .object({
    id: uuid.nullable().openapi({ description: "Null for a draft." }),
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
      .openapi({ description: "The calendar month (UTC), `YYYY-MM`." }),
    status: z.enum(["draft", "final"]).openapi({
      description: "`draft`: figures change until the month is finalised; `final`: never changes.",
    }),
    number: z.string().nullable().openapi({
      description: "`{PREFIX}-{YYYY}-{NNNN}`, gapless per partner and year; null for a draft.",
    }),
    period_start: dateTime.openapi({ description: "The month's first instant (UTC)." }),
    period_end: dateTime.openapi({ description: "The next month's first instant (exclusive)." }),
    issued_at: dateTime.nullable().openapi({ description: "Finalisation time; null for a draft." }),
    line_count: count.openapi({
      description: "Claim lines plus credit lines (claims rolled back in the month).",
    }),
    totals: z.object({
      currency: euro,
      retail_cents: count.openapi({ description: "Retail subtotal." }),
      discount_cents: count.openapi({ description: "The wholesale discount." }),
      net_cents: count.openapi({ description: "Retail − discount: the wholesale amount." }),
      tax_cents: count,
      total_cents: count.openapi({ description: "Net + tax: the total due." }),
    }),
    links: z.object({
      pdf: z.string().nullable().openapi({
        description: "`/api/v1/statements/{id}.pdf`; null for a draft (drafts have no PDF).",
      }),
    }),
  })
  .openapi({ ref: "Statement" });

export const StatementListSchema = z.object({ data: z.array(StatementSchema) });

export const EntitlementsSchema = z
  .object({
    business_id: uuid,
    plan: z.object({
      id: z.string(),
      name: z.string(),
      billing_interval: z.string().openapi({ example: "month" }),
      locations: count,
      started_at: dateTime,
      next_billing_at: dateTime.nullable(),
    }),
    period: z.object({ start: dateTime, end: dateTime }),
    seats: z.object({
      included: count,
      from_grants: count,
      available: count,
      taken: count,
      over_limit: count,
    }),
    operations: z.object({ used: count, limit: count, remaining: count }),
    plan_allowance: z.object({ used: count, included: count }),
    grants: z.array(
      z.object({
        id: uuid,
        source: z.enum(["plan", "code", "referral", "support"]),
        code_serial: serial.nullable(),
        partner_id: uuid.nullable(),
        bundle_name: z.string().nullable(),
        staff_seats: z.object({ included: count, taken: count }),
        card_operations: z.object({ used: count, limit: count, available: count }),
        starts_at: dateTime,
        ends_at: dateTime,
      }),
    ),
  })
  .openapi({ ref: "Entitlements" });

export const CardOperationSchema = z.object({
  id: count,
  business_id: uuid,
  idempotency_key: z.string(),
  kind: z.enum(["stamp", "voucher"]),
  quantity: count,
  occurred_at: dateTime,
  recorded_at: dateTime,
  drawn_from: z
    .array(z.object({ grant_id: uuid, quantity: count }))
    .openapi({ description: "The grants that paid for it (two when it was split)." }),
});

export const CardOperationResultSchema = z
  .object({
    operation: CardOperationSchema,
    remaining: count.openapi({ description: "Card operations left right after this one." }),
  })
  .openapi({ ref: "CardOperationResult" });

const batchEventRecorded = CardOperationResultSchema.extend({
  index: count,
  status: z.union([z.literal(200), z.literal(201)]),
});

const batchEventRefused = z.object({
  index: count,
  status: z.union([z.literal(402), z.literal(404), z.literal(409)]),
  code: z.enum(errorCodeNames),
  detail: z.string(),
});

export const CardOperationBatchResultSchema = z.object({
  results: z.array(z.union([batchEventRecorded, batchEventRefused])).openapi({
    description: "One result per event, in order, with the status its single call would answer.",
  }),
});

export const ClaimSchema = z
  .object({
    code_serial: serial,
    business_id: uuid,
    grant_id: uuid,
    partner_name: z.string(),
    bundle_name: z.string(),
    staff_seats: count,
    card_operations: count,
    claimed_at: dateTime,
    ends_at: dateTime,
  })
  .openapi({ ref: "Claim" });

/** The served document itself: an object (its own shape is OpenAPI's). */
export const OpenApiDocumentSchema = z
  .object({ openapi: z.string(), paths: z.record(z.unknown()).optional() })
  .passthrough();

/** A CSV or PDF body, read as text by the tests. */
export const FileSchema = z.string();

const webhookEvent = z.enum([
  "code.claimed",
  "entitlements.changed",
  "limit.reached",
  "statement.finalized",
  "invoice.issued",
  "invoice.paid",
  "invoice.payment_failed",
  "referral.qualified",
  "referral.rewarded",
  "referral.clawed_back",
  "invoice.voided",
  "credit_note.issued",
]);

export const WebhookEndpointSchema = z
  .object({
    id: uuid,
    url: z.string(),
    events: z.array(webhookEvent),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable().openapi({
      description: "Why it is off: turned off by someone, or failing for 3 days (automatic).",
    }),
    failing_since: dateTime.nullable().openapi({
      description: "The first failed attempt since the last success; null when healthy.",
    }),
    last_success_at: dateTime.nullable(),
    last_failure_at: dateTime.nullable(),
    created_at: dateTime,
  })
  .openapi({ ref: "WebhookEndpoint" });

export const CreatedWebhookEndpointSchema = WebhookEndpointSchema.extend({
  secret: z.string().openapi({
    description:
      'The signing secret (`whsec_…`), in this answer only: it cannot be read again. Verify `X-7stamp-Signature: t={unix},v1={hex HMAC-SHA256 of "t.body"}` with it.',
  }),
}).openapi({ ref: "CreatedWebhookEndpoint" });

export const DeletedWebhookEndpointSchema = z
  .object({ id: uuid, deleted: z.literal(true) })
  .openapi({ ref: "DeletedWebhookEndpoint" });

/** An event from the payment provider (POST /api/v1/payments/webhook). */
export const PaymentEventSchema = z
  .object({
    id: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .openapi({ description: "The provider's event id; an id seen before is ignored." }),
    type: z.string().trim().min(1).max(100).openapi({
      description:
        "`invoice.paid` marks the invoice paid; `invoice.payment_failed` makes its subscription past due. Other types are recorded and ignored.",
      example: "invoice.paid",
    }),
    data: z
      .object({
        invoice: z
          .string()
          .trim()
          .min(1)
          .max(40)
          .openapi({ description: "The invoice number.", example: "INV-2026-00001" }),
      })
      .strip(),
  })
  .strip()
  .openapi({ ref: "PaymentEvent" });

export const PaymentEventReceiptSchema = z
  .object({
    received: z.literal(true),
    event_id: z.string(),
    invoice: z.string(),
    outcome: z.enum(["paid", "already_settled", "past_due", "ignored"]).openapi({
      description:
        "`paid`: the invoice is now paid; `past_due`: the payment failure was recorded; `already_settled`: the invoice was no longer open, nothing changed; `ignored`: a type the portal does not handle.",
    }),
    replayed: z.boolean().openapi({
      description: "True when this event id was received before: nothing changed this time.",
    }),
  })
  .openapi({ ref: "PaymentEventReceipt" });
