// The audit log's shared vocabulary, for the server (recording, reading) and the pages
// (labels, links): one list of actions, one of subject types. Recording an action or a
// subject named any other way does not compile, and every action has a label in the
// catalogue (support.actions is typed as a record over AuditAction).

export const AUDIT_ACTIONS = [
  "api_key.created",
  "api_key.revoked",
  "auth.password_reset",
  "auth.password_reset_requested",
  "auth.password_set",
  "auth.sign_in_failed",
  "auth.sign_in_refused",
  "auth.signed_in",
  "auth.signed_out",
  "batch.codes_revoked",
  "batch.failed",
  "batch.generated",
  "batch.started",
  "bundle.archived",
  "bundle.created",
  "business.billing_details_changed",
  "business.locale_changed",
  "business.plan_changed",
  "business.signed_up",
  "business.staff_removed",
  "claim.rolled_back",
  "code.claimed",
  "code.emailed",
  "code.handed_out",
  "code.expiry_extended",
  "code.revoked",
  "demo.seeded",
  "enterprise.requested",
  "enterprise.request_handled",
  "grant.ended_early",
  "grant.support_created",
  "invitation.accepted",
  "invitation.created",
  "invitation.revoked",
  "partner.enrolled",
  "partner.member_removed",
  "partner.member_role_changed",
  "partner.reactivated",
  "partner.suspended",
  "partner.terms_changed",
  "plan.updated",
  "price_list.version_added",
  "price_list.version_withdrawn",
  "referral.account_connected",
  "referral.account_edited",
  "referral.account_status_changed",
  "referral.approved",
  "referral.attributed",
  "referral.clawed_back",
  "referral.flagged",
  "referral.qualified",
  "referral.rejected",
  "referral.rewarded",
  "referral.settings_changed",
  "invoice.issued",
  "invoice.paid",
  "invoice.payment_failed",
  "invoice.voided",
  "credit_note.issued",
  "statement.finalized",
  "subscription.change_scheduled",
  "subscription.renewed",
  "support.user_created",
  "support.user_promoted",
  "user.profile_updated",
  "webhook_endpoint.created",
  "webhook_endpoint.deleted",
  "webhook_endpoint.disabled",
  "webhook_endpoint.enabled",
  "webhook_endpoint.secret_rolled",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_SUBJECT_TYPES = [
  "user",
  "invitation",
  "business",
  "partner",
  "bundle",
  "code_batch",
  "activation_code",
  "statement",
  "api_key",
  "grant",
  "price_list",
  "plan",
  "enterprise_request",
  "webhook_endpoint",
  "referral_account",
  "referral",
] as const;

export type AuditSubjectType = (typeof AUDIT_SUBJECT_TYPES)[number];

/**
 * What an entry is about. An activation code's id is its serial (the N of "Code #N"); an
 * invitation's is the invited address.
 */
export interface AuditSubject {
  type: AuditSubjectType;
  id: string;
}

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}

export function isAuditSubjectType(value: string | null): value is AuditSubjectType {
  return value !== null && (AUDIT_SUBJECT_TYPES as readonly string[]).includes(value);
}

/** The one label every automatic actor is recorded with (jobs, the seed, sweeps). */
export const SYSTEM_ACTOR_LABEL = "system";

/** An audit row as the support pages get it: names resolved, ready for a label and a link. */
export interface AuditSubjectView {
  type: AuditSubjectType;
  id: string;
  /** The organisation the entry belongs to, for subjects that have no page of their own. */
  partner: { slug: string; name: string } | null;
  business: { id: string; name: string } | null;
  /** A user subject's email, when the account still exists. */
  userEmail: string | null;
  /** A statement subject's month ("YYYY-MM"), when the statement exists. */
  statementMonth?: string | null;
}

/**
 * The support page of an entry's subject: a code's own page, a business's or a partner's;
 * what lives inside a partner (bundle, batch, statement, key, invitation) opens the partner's
 * page, and a person opens the organisation the entry was about. Null: nothing to open.
 */
export function auditSubjectHref(subject: AuditSubjectView): string | null {
  switch (subject.type) {
    case "activation_code":
      return `/support/codes/${encodeURIComponent(subject.id)}`;
    case "business":
      return `/support/businesses/${encodeURIComponent(subject.id)}`;
    case "statement":
      if (subject.partner && subject.statementMonth) {
        return `/support/partners/${encodeURIComponent(subject.partner.slug)}/statements/${subject.statementMonth}`;
      }
      break;
    case "price_list":
    case "plan":
      return "/support/pricing";
    case "grant":
      if (subject.business) return `/support/businesses/${encodeURIComponent(subject.business.id)}`;
      break;
  }
  switch (subject.type) {
    default:
      if (subject.partner) return `/support/partners/${encodeURIComponent(subject.partner.slug)}`;
      if (subject.business) return `/support/businesses/${encodeURIComponent(subject.business.id)}`;
      return null;
  }
}

export interface AuditChange {
  /** A top-level field of before / after; "" when either side is not an object. */
  field: string;
  /** JSON text of the value on each side; null: the side does not have the field. */
  before: string | null;
  after: string | null;
  changed: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * An entry's before and after side by side, field by field (the union of both sides' fields,
 * in the order they first appear), each marked changed when the two sides differ.
 */
export function auditChanges(before: unknown, after: unknown): AuditChange[] {
  const text = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
  if (!isRecord(before ?? {}) || !isRecord(after ?? {})) {
    const [b, a] = [text(before ?? undefined), text(after ?? undefined)];
    return [{ field: "", before: b, after: a, changed: b !== a }];
  }
  const from = (before ?? {}) as Record<string, unknown>;
  const to = (after ?? {}) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(from), ...Object.keys(to)])];
  return fields.map((field) => {
    const b = field in from ? text(from[field]) : null;
    const a = field in to ? text(to[field]) : null;
    return { field, before: b, after: a, changed: b !== a };
  });
}
