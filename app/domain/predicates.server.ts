// The business's time predicates, each written once: the SQL clause a query composes
// (`.where(codeExpired("c", now))`) beside its TypeScript twin for a row already read.
// Both compare against the caller's `now` (ADR 025), never the database's own clock, so a
// list, a page and a check made in one request agree to the microsecond; a test holds each
// pair to the same answer at its boundaries on both backends.
//
// `table` is the table's name or alias in the query (the columns are the table's own names).
import { sql, type RawBuilder } from "kysely";

function column(table: string, name: string) {
  return sql.ref(`${table}.${name}`);
}

function instant(now: Date) {
  return sql`${now}::timestamptz`;
}

// ---- Activation codes ----------------------------------------------------------------------

/** A code's expiry has come at `now` (expires_at ≤ now), whatever its status. */
export function codeExpiryPassed(table: string, now: Date): RawBuilder<boolean> {
  return sql<boolean>`${column(table, "expires_at")} <= ${instant(now)}`;
}

export function isCodeExpiryPassed(code: { expiresAt: Date }, now: Date): boolean {
  return code.expiresAt.getTime() <= now.getTime();
}

/** An *expired* code: never claimed nor revoked, and past its expiry. */
export function codeExpired(table: string, now: Date): RawBuilder<boolean> {
  return sql<boolean>`(${column(table, "status")} = 'issued' and ${codeExpiryPassed(table, now)})`;
}

export function isCodeExpired(code: { status: string; expiresAt: Date }, now: Date): boolean {
  return code.status === "issued" && isCodeExpiryPassed(code, now);
}

/** An *outstanding* code: never claimed nor revoked, and not yet past its expiry. */
export function codeOutstanding(table: string, now: Date): RawBuilder<boolean> {
  return sql<boolean>`(${column(table, "status")} = 'issued' and ${column(table, "expires_at")} > ${instant(now)})`;
}

export function isCodeOutstanding(code: { status: string; expiresAt: Date }, now: Date): boolean {
  return code.status === "issued" && !isCodeExpiryPassed(code, now);
}

/** What a code shows: its stored status, or `expired` for an issued code past its expiry. */
export type CodeDisplayStatus = "issued" | "claimed" | "revoked" | "expired";

export function codeDisplayStatusSql(table: string, now: Date): RawBuilder<CodeDisplayStatus> {
  return sql<CodeDisplayStatus>`case when ${codeExpired(table, now)} then 'expired' else ${column(table, "status")} end`;
}

export function codeDisplayStatus(
  code: { status: "issued" | "claimed" | "revoked"; expiresAt: Date },
  now: Date,
): CodeDisplayStatus {
  return isCodeExpired(code, now) ? "expired" : code.status;
}

/** Where a code stands for counting: an issued code is outstanding or expired. */
export type CodeStanding = "outstanding" | "expired" | "claimed" | "revoked";

export function codeStandingSql(table: string, now: Date): RawBuilder<CodeStanding> {
  return sql<CodeStanding>`case when ${codeExpired(table, now)} then 'expired'
    when ${column(table, "status")} = 'issued' then 'outstanding' else ${column(table, "status")} end`;
}

export function codeStanding(
  code: { status: "issued" | "claimed" | "revoked"; expiresAt: Date },
  now: Date,
): CodeStanding {
  if (code.status !== "issued") return code.status;
  return isCodeExpiryPassed(code, now) ? "expired" : "outstanding";
}

// ---- Grants --------------------------------------------------------------------------------

/** A grant in force at `now`: started (inclusive) and not yet ended (exclusive). */
export function grantActive(table: string, now: Date): RawBuilder<boolean> {
  return sql<boolean>`(${column(table, "starts_at")} <= ${instant(now)} and ${column(table, "ends_at")} > ${instant(now)})`;
}

export function isGrantActive(grant: { startsAt: Date; endsAt: Date }, now: Date): boolean {
  return grant.startsAt.getTime() <= now.getTime() && now.getTime() < grant.endsAt.getTime();
}

/** A grant that has ended by `now` (ends_at ≤ now). */
export function grantEnded(table: string, now: Date): RawBuilder<boolean> {
  return sql<boolean>`${column(table, "ends_at")} <= ${instant(now)}`;
}

export function isGrantEnded(grant: { endsAt: Date }, now: Date): boolean {
  return grant.endsAt.getTime() <= now.getTime();
}

// ---- Invitations ---------------------------------------------------------------------------

/** An invitation still open at `now`: neither accepted nor revoked, and not yet expired. */
export function invitationPending(table: string, now: Date): RawBuilder<boolean> {
  return sql<boolean>`(${column(table, "accepted_at")} is null and ${column(table, "revoked_at")} is null and ${column(table, "expires_at")} > ${instant(now)})`;
}

export function isInvitationPending(
  invitation: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date },
  now: Date,
): boolean {
  return (
    invitation.acceptedAt === null &&
    invitation.revokedAt === null &&
    now.getTime() < invitation.expiresAt.getTime()
  );
}

// ---- Batch generation leases ---------------------------------------------------------------

/** No worker holds the batch at `now`: its lease was never taken or has lapsed. */
export function batchLeaseFree(table: string, now: Date): RawBuilder<boolean> {
  return sql<boolean>`(${column(table, "lease_expires_at")} is null or ${column(table, "lease_expires_at")} < ${instant(now)})`;
}

export function isBatchLeaseFree(batch: { leaseExpiresAt: Date | null }, now: Date): boolean {
  return batch.leaseExpiresAt === null || batch.leaseExpiresAt.getTime() < now.getTime();
}
