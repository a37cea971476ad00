// The JSON the partner API answers with: snake_case, ISO 8601 dates (UTC), money in
// integer cents. One function per resource, so every endpoint shows a resource the same way;
// each returns the type of its schema (schemas.ts), so the document and the answer agree.
import type { z } from "zod";
import { cardLanguageOf, type Batch, type GeneratedCode } from "~/domain/batches/model.server";
import type { Bundle } from "~/domain/bundles.server";
import type { ClientCode, ClientRow } from "~/domain/clients/model.server";
import type { getClient } from "~/domain/clients/reads.server";
import { redeemUrl } from "~/domain/codes/reads.server";
import { type CodeRow } from "~/domain/codes/model.server";
import type { Entitlements } from "~/domain/entitlements/answer.server";
import type { ClaimedCode } from "~/domain/redemption.server";
import type { StatementListEntry } from "~/domain/statements/reads.server";
import type { RecordedCardOperation } from "~/domain/usage.server";
import type { WebhookEndpointSummary } from "~/domain/webhooks/reads.server";
import { batchProgressPercent } from "~/lib/batch-progress";
import { statementPeriod } from "~/lib/statement-months";
import type {
  BatchSchema,
  BundleSchema,
  CardOperationResultSchema,
  ClaimSchema,
  ClientCodeSchema,
  ClientDetailSchema,
  ClientSchema,
  CodeSchema,
  EntitlementsSchema,
  GeneratedCodeSchema,
  StatementSchema,
  WebhookEndpointSchema,
} from "./schemas";

export const API_BASE = "/api/v1";

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

export function bundleJson(bundle: Bundle): z.infer<typeof BundleSchema> {
  return {
    id: bundle.id,
    name: bundle.name,
    staff_seats: bundle.staffSeats,
    card_operations: bundle.cardOperations,
    term_months: bundle.termMonths,
    code_validity_days: bundle.codeValidityDays,
    resale_price_cents: bundle.resalePriceCents,
    status: bundle.status,
    code_count: bundle.codeCount,
    duplicated_from: bundle.duplicatedFrom,
    price: {
      currency: "EUR",
      retail_cents: bundle.price.retailCents,
      discount_cents: bundle.price.discountCents,
      wholesale_cents: bundle.price.wholesaleCents,
      margin_cents: bundle.price.marginCents,
    },
    created_at: bundle.createdAt.toISOString(),
    archived_at: iso(bundle.archivedAt),
  };
}

export function batchUrl(batchId: string): string {
  return `${API_BASE}/batches/${batchId}`;
}

export function batchJson(batch: Batch): z.infer<typeof BatchSchema> {
  return {
    id: batch.id,
    bundle_id: batch.bundleId,
    bundle_name: batch.bundleName,
    status: batch.status,
    code_count: batch.codeCount,
    generated_count: batch.generatedCount,
    progress_percent: batchProgressPercent(batch),
    prefix: batch.prefix,
    expires_at: batch.expiresAt.toISOString(),
    label: batch.label,
    recipient: batch.recipient,
    failure_reason: batch.failureReason,
    created_by: batch.createdByLabel,
    created_at: batch.createdAt.toISOString(),
    completed_at: iso(batch.completedAt),
    locale: cardLanguageOf(batch.locale),
    links: {
      self: batchUrl(batch.id),
      codes_csv: `${batchUrl(batch.id)}/codes.csv`,
    },
  };
}

export function generatedCodeJson(
  code: GeneratedCode,
  batch: Pick<Batch, "prefix">,
): z.infer<typeof GeneratedCodeSchema> {
  return {
    serial: code.serial,
    code: code.display,
    redeem_url: redeemUrl(code.code, batch.prefix),
  };
}

export function codeJson(code: CodeRow): z.infer<typeof CodeSchema> {
  return {
    serial: code.serial,
    code: code.display,
    status: code.status,
    redeem_url: redeemUrl(code.code, code.prefix),
    bundle_id: code.bundleId,
    bundle_name: code.bundleName,
    batch_id: code.batchId,
    batch_label: code.batchLabel,
    expires_at: code.expiresAt.toISOString(),
    created_at: code.createdAt.toISOString(),
    recipient_name: code.recipientName,
    recipient_email: code.recipientEmail,
    recipient_note: code.recipientNote,
    handed_out_at: iso(code.handedOutAt),
    locked_to_email: code.lockedToEmail,
    emailed_at: iso(code.emailedAt),
    revoked_at: iso(code.revokedAt),
    revoke_reason: code.revokeReason,
  };
}

export function entitlementsJson(entitlements: Entitlements): z.infer<typeof EntitlementsSchema> {
  const { plan, period, staffSeats, cardOperations, planAllowance } = entitlements;
  return {
    business_id: plan.businessId,
    plan: {
      id: plan.id,
      name: plan.name,
      billing_interval: plan.billingInterval,
      locations: plan.locations,
      started_at: plan.startedAt.toISOString(),
      next_billing_at: iso(plan.nextBillingAt),
    },
    period: { start: period.start.toISOString(), end: period.end.toISOString() },
    seats: {
      included: staffSeats.included,
      from_grants: staffSeats.fromGrants,
      available: staffSeats.available,
      taken: staffSeats.taken,
      over_limit: staffSeats.overLimit,
    },
    operations: cardOperations,
    plan_allowance: { used: planAllowance.used, included: planAllowance.included },
    grants: entitlements.grants
      .filter((grant) => grant.state === "active")
      .map((grant) => ({
        id: grant.id,
        source: grant.source,
        code_serial: grant.code?.serial ?? null,
        partner_id: grant.code?.partnerId ?? null,
        bundle_name: grant.code?.bundleName ?? null,
        staff_seats: { included: grant.staffSeats, taken: grant.staffSeatsTaken },
        card_operations: {
          used: grant.cardOperationsUsed,
          limit: grant.cardOperations,
          available: grant.cardOperationsAvailable,
        },
        starts_at: grant.startsAt.toISOString(),
        ends_at: grant.endsAt.toISOString(),
      })),
  };
}

export function cardOperationJson(
  operation: RecordedCardOperation,
): z.infer<typeof CardOperationResultSchema> {
  return {
    operation: {
      id: operation.id,
      business_id: operation.businessId,
      idempotency_key: operation.idempotencyKey,
      kind: operation.kind,
      quantity: operation.quantity,
      occurred_at: operation.occurredAt.toISOString(),
      recorded_at: operation.recordedAt.toISOString(),
      drawn_from: operation.draws.map((d) => ({ grant_id: d.grantId, quantity: d.quantity })),
    },
    remaining: operation.remaining,
  };
}

export function claimJson(claim: ClaimedCode): z.infer<typeof ClaimSchema> {
  return {
    code_serial: claim.serial,
    business_id: claim.businessId,
    grant_id: claim.grantId,
    partner_name: claim.partnerName,
    bundle_name: claim.bundleName,
    staff_seats: claim.staffSeats,
    card_operations: claim.cardOperations,
    claimed_at: claim.claimedAt.toISOString(),
    ends_at: claim.endsAt.toISOString(),
  };
}

export function clientJson(client: ClientRow): z.infer<typeof ClientSchema> {
  return {
    business_id: client.businessId,
    business_name: client.businessName,
    codes_claimed: client.codesClaimed,
    active_codes: client.activeCodes,
    staff_seats_granted: client.seatsGranted,
    staff_seats_occupied: client.seatsOccupied,
    card_operations_granted: client.cardOperationsGranted,
    card_operations_used: client.cardOperationsUsed,
    card_operations_used_this_month: client.cardOperationsUsedThisMonth,
    active_card_operations_granted: client.activeCardOperationsGranted,
    active_card_operations_used: client.activeCardOperationsUsed,
    usage_percent: client.usagePercent,
    last_activity_at: client.lastActivityAt?.toISOString() ?? null,
    soonest_ends_at: client.soonestEndsAt?.toISOString() ?? null,
    nearly_used_up: client.nearlyUsedUp,
    ends_within_30_days: client.endsWithin30Days,
    links: { self: `${API_BASE}/clients/${client.businessId}` },
  };
}

/** A statement in the list: a month's final statement, or its draft (no id, number or PDF). */
export function statementJson(statement: StatementListEntry): z.infer<typeof StatementSchema> {
  const period = statementPeriod(statement.month);
  return {
    id: statement.id,
    month: statement.month,
    status: statement.status,
    number: statement.number,
    period_start: period.start.toISOString(),
    period_end: period.end.toISOString(),
    issued_at: iso(statement.issuedAt),
    line_count: statement.lineCount,
    totals: {
      currency: "EUR",
      retail_cents: statement.totals.retailCents,
      discount_cents: statement.totals.discountCents,
      net_cents: statement.totals.netCents,
      tax_cents: statement.totals.taxCents,
      total_cents: statement.totals.totalCents,
    },
    links: { pdf: statement.id ? `${API_BASE}/statements/${statement.id}.pdf` : null },
  };
}

function clientCodeJson(code: ClientCode): z.infer<typeof ClientCodeSchema> {
  return {
    grant_id: code.id,
    code_serial: code.code?.serial ?? null,
    bundle_name: code.code?.bundleName ?? null,
    state: code.state,
    staff_seats: { granted: code.staffSeats, occupied: code.staffSeatsTaken },
    card_operations: {
      granted: code.cardOperations,
      used: code.cardOperationsUsed,
      // What can still be drawn: nothing once the code has ended.
      available: code.state === "ended" ? 0 : code.cardOperationsAvailable,
    },
    claimed_at: code.claimedAt.toISOString(),
    starts_at: code.startsAt.toISOString(),
    ends_at: code.endsAt.toISOString(),
    rolled_back_at: code.rolledBackAt?.toISOString() ?? null,
  };
}

/** One client with each of the partner's codes it claimed and its daily card operations. */
export function clientDetailJson({
  client,
  codes,
  dailyUsage,
}: Awaited<ReturnType<typeof getClient>>): z.infer<typeof ClientDetailSchema> {
  return {
    ...clientJson(client),
    codes: codes.map(clientCodeJson),
    daily_card_operations: dailyUsage.map((day) => ({
      date: day.date,
      card_operations: day.cardOperations,
    })),
  };
}

export function webhookEndpointJson(
  endpoint: WebhookEndpointSummary,
): z.infer<typeof WebhookEndpointSchema> {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events as z.infer<typeof WebhookEndpointSchema>["events"],
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabledReason,
    failing_since: iso(endpoint.failingSince),
    last_success_at: iso(endpoint.lastSuccessAt),
    last_failure_at: iso(endpoint.lastFailureAt),
    created_at: endpoint.createdAt.toISOString(),
  };
}
