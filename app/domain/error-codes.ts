// Every error code the portal answers with, once: the HTTP status it answers (a DomainError
// or ApiProblem that names no status gets this one) and the key of its English title in
// app/locales/en/common.ts (`problems`), which the API's problem details show. DomainError's
// code is typed from this list, so a code thrown anywhere must be here; a test checks that
// each has its message and is in the OpenAPI `code` enum. Not server-only: it holds no rule
// beyond names, so pages and the API read the same list.

interface ErrorCodeEntry {
  status: number;
  messageKey: `common:problems.${string}`;
}

function entry<C extends string>(code: C, status: number) {
  return { status, messageKey: `common:problems.${code}` } as const;
}

export const errorCodes = {
  // The API's own answers (request shape, authentication, routing).
  invalid_request: entry("invalid_request", 400),
  unauthenticated: entry("unauthenticated", 401),
  forbidden: entry("forbidden", 403),
  not_found: entry("not_found", 404),
  method_not_allowed: entry("method_not_allowed", 405),
  payload_too_large: entry("payload_too_large", 413),
  unsupported_media_type: entry("unsupported_media_type", 415),
  rate_limited: entry("rate_limited", 429),
  internal_error: entry("internal_error", 500),
  // Codes and claims.
  code_not_found: entry("code_not_found", 404),
  code_mistyped: entry("code_mistyped", 400),
  code_not_revocable: entry("code_not_revocable", 409),
  code_already_claimed: entry("code_already_claimed", 409),
  code_already_claimed_by_you: entry("code_already_claimed_by_you", 409),
  code_not_ready: entry("code_not_ready", 409),
  code_locked: entry("code_locked", 403),
  code_expired: entry("code_expired", 409),
  code_revoked: entry("code_revoked", 409),
  code_not_extendable: entry("code_not_extendable", 409),
  code_not_claimed: entry("code_not_claimed", 409),
  claim_already_rolled_back: entry("claim_already_rolled_back", 409),
  expiry_not_later: entry("expiry_not_later", 400),
  recipient_email_missing: entry("recipient_email_missing", 400),
  email_not_sent: entry("email_not_sent", 502),
  // Partners, bundles, batches, statements.
  partner_suspended: entry("partner_suspended", 409),
  partner_key_suspended: entry("partner_key_suspended", 403),
  partner_not_found: entry("partner_not_found", 404),
  unknown_partner: entry("unknown_partner", 400),
  partner_already_suspended: entry("partner_already_suspended", 409),
  partner_already_active: entry("partner_already_active", 409),
  slug_taken: entry("slug_taken", 400),
  prefix_taken: entry("prefix_taken", 400),
  bundle_archived: entry("bundle_archived", 400),
  batch_not_ready: entry("batch_not_ready", 409),
  nothing_to_print: entry("nothing_to_print", 409),
  statement_month_open: entry("statement_month_open", 409),
  statement_month_final: entry("statement_month_final", 409),
  statement_month_before_enrolment: entry("statement_month_before_enrolment", 404),
  render_failed: entry("render_failed", 500),
  renderer_busy: entry("renderer_busy", 503),
  // Card operations.
  limit_reached: entry("limit_reached", 402),
  idempotency_conflict: entry("idempotency_conflict", 409),
  // Businesses, plans, grants, staff.
  business_not_found: entry("business_not_found", 404),
  plan_not_available: entry("plan_not_available", 400),
  plan_by_request: entry("plan_by_request", 400),
  plan_unchanged: entry("plan_unchanged", 409),
  quote_changed: entry("quote_changed", 409),
  locations_required: entry("locations_required", 400),
  locations_out_of_range: entry("locations_out_of_range", 400),
  grant_dates: entry("grant_dates", 400),
  grant_not_endable: entry("grant_not_endable", 409),
  no_free_staff_seat: entry("no_free_staff_seat", 409),
  over_seat_limit: entry("over_seat_limit", 403),
  owner_not_removable: entry("owner_not_removable", 409),
  staff_member_not_found: entry("staff_member_not_found", 404),
  staff_invitation_not_found: entry("staff_invitation_not_found", 404),
  request_not_found: entry("request_not_found", 404),
  request_already_handled: entry("request_already_handled", 409),
  // Prices and plan terms (support).
  plan_not_found: entry("plan_not_found", 404),
  plan_terms_invalid: entry("plan_terms_invalid", 400),
  plan_edit_unchanged: entry("plan_edit_unchanged", 409),
  price_version_in_past: entry("price_version_in_past", 400),
  price_version_day_taken: entry("price_version_day_taken", 409),
  price_version_not_scheduled: entry("price_version_not_scheduled", 409),
  // Accounts, invitations, teams.
  email_taken: entry("email_taken", 400),
  password_required: entry("password_required", 400),
  already_member: entry("already_member", 400),
  invitation_unusable: entry("invitation_unusable", 404),
  invitation_not_pending: entry("invitation_not_pending", 409),
  team_member_not_found: entry("team_member_not_found", 404),
  partner_invitation_not_found: entry("partner_invitation_not_found", 404),
  last_owner: entry("last_owner", 409),
  // The referral program.
  referral_slug_taken: entry("referral_slug_taken", 400),
  referral_account_exists: entry("referral_account_exists", 409),
  referral_account_not_found: entry("referral_account_not_found", 404),
  referral_not_found: entry("referral_not_found", 404),
  referral_not_decidable: entry("referral_not_decidable", 409),
  referral_status_unchanged: entry("referral_status_unchanged", 409),
  // Invoices and payments.
  invoice_not_found: entry("invoice_not_found", 404),
  invoice_not_open: entry("invoice_not_open", 409),
  payment_signature_invalid: entry("payment_signature_invalid", 400),
  invoice_not_paid: entry("invoice_not_paid", 409),
  invoice_already_credited: entry("invoice_already_credited", 409),
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof errorCodes;

/** Every code, for an enum (zod, OpenAPI). */
export const errorCodeNames = Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCodes, code);
}
