// Shapes of identifiers that reach us in URLs and cursors. Checked before any query, so a
// malformed one is "not found" rather than a database error.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The partners.slug check constraint.
const PARTNER_SLUG = /^[a-z0-9][a-z0-9-]{1,47}$/;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

export function isPartnerSlug(value: unknown): value is string {
  return typeof value === "string" && PARTNER_SLUG.test(value);
}
