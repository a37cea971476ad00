// Support's code look-up: any code of any partner, by the code in any formatting or by its
// Code #N, with its whole history, and the corrections support makes on it — revoke (the
// partner's own rule), extend the expiry of an unclaimed code, roll the claim back (the same
// function as `npm run admin -- claims roll-back`).
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { parseCode, parseSerial } from "~/lib/activation-code";
import { reasonField } from "~/lib/fields";
import { recordAudit, type AuditActor } from "./audit.server";
import { rollBackClaim } from "./claim-rollbacks.server";
import { codeHistory, getCode } from "./codes/reads.server";
import { CodeMistyped, CodeNotFound } from "./codes/model.server";
import { revokeCode } from "./codes/commands.server";
import { DomainError } from "./errors.server";

const DAY_MS = 86_400_000;
/** The furthest an extension may reach: as far as a new batch's expiry may (ADR 007). */
const MAX_EXTENSION_DAYS = 3650;

/** The code a support person typed, as its serial and partner; null when there is none. */
export async function locateCode(
  db: Database,
  input: string,
): Promise<{ serial: number; partnerId: string } | null> {
  const parsed = parseCode(input);
  if (parsed.kind === "mistyped") throw new CodeMistyped("q");
  let query = db.selectFrom("activation_codes").select(["id", "partner_id"]);
  if (parsed.kind === "code") {
    query = query.where("code", "=", parsed.code);
  } else {
    const serial = parseSerial(input);
    if (serial === null) return null;
    query = query.where("id", "=", serial);
  }
  const row = await query.executeTakeFirst();
  return row ? { serial: row.id, partnerId: row.partner_id } : null;
}

async function partnerOfCode(db: Database, serial: number): Promise<string> {
  if (!Number.isSafeInteger(serial) || serial <= 0) throw new CodeNotFound();
  const row = await db
    .selectFrom("activation_codes")
    .select("partner_id")
    .where("id", "=", serial)
    .executeTakeFirst();
  if (!row) throw new CodeNotFound();
  return row.partner_id;
}

/** Everything the code's support page shows, or null for an unknown Code #N. */
export async function supportCodePage(
  db: Database,
  { serial, now }: { serial: number; now: Date },
) {
  if (!Number.isSafeInteger(serial) || serial <= 0) return null;
  const located = await db
    .selectFrom("activation_codes as c")
    .innerJoin("partners as p", "p.id", "c.partner_id")
    .leftJoin("grants as g", "g.activation_code_id", "c.id")
    .leftJoin("businesses as b", "b.id", "g.business_id")
    .leftJoin("claim_rollbacks as r", "r.activation_code_id", "c.id")
    .select([
      "c.partner_id",
      "p.name as partner_name",
      "p.slug as partner_slug",
      "p.status as partner_status",
      "c.claimed_at",
      "c.retail_cents",
      "c.discount_bps",
      "c.discount_cents",
      "c.wholesale_cents",
      "c.tax_rate_bps",
      "c.tax_cents",
      "g.id as grant_id",
      "g.business_id",
      "b.name as business_name",
      "g.starts_at as grant_starts_at",
      "g.ends_at as grant_ends_at",
      "g.staff_seats as grant_staff_seats",
      "g.card_operations as grant_card_operations",
      "g.card_operations_used as grant_card_operations_used",
      "r.rolled_back_at",
      "r.reason as rollback_reason",
      "r.rolled_back_by_label",
    ])
    .where("c.id", "=", serial)
    .executeTakeFirst();
  if (!located) return null;
  const [code, history] = await Promise.all([
    getCode(db, { partnerId: located.partner_id, serial, now }),
    codeHistory(db, { partnerId: located.partner_id, serial }),
  ]);
  if (!code) return null;
  const operations = located.grant_id
    ? await db
        .selectFrom("card_operation_draws as d")
        .innerJoin("card_operations as o", "o.id", "d.card_operation_id")
        .select(["o.id", "o.kind", "o.recorded_at", "d.quantity"])
        .where("d.grant_id", "=", located.grant_id)
        .orderBy("o.id", "desc")
        .limit(20)
        .execute()
    : [];
  return {
    code,
    history,
    partner: {
      id: located.partner_id,
      name: located.partner_name,
      slug: located.partner_slug,
      status: located.partner_status,
    },
    claim:
      located.claimed_at && located.grant_id
        ? {
            claimedAt: located.claimed_at,
            businessId: located.business_id!,
            businessName: located.business_name!,
            retailCents: Number(located.retail_cents),
            discountBps: located.discount_bps!,
            discountCents: Number(located.discount_cents),
            wholesaleCents: Number(located.wholesale_cents),
            taxRateBps: located.tax_rate_bps ?? 0,
            taxCents: Number(located.tax_cents ?? 0),
            grant: {
              startsAt: located.grant_starts_at!,
              endsAt: located.grant_ends_at!,
              staffSeats: located.grant_staff_seats!,
              cardOperations: located.grant_card_operations!,
              cardOperationsUsed: located.grant_card_operations_used!,
            },
          }
        : null,
    rollback: located.rolled_back_at
      ? {
          at: located.rolled_back_at,
          reason: located.rollback_reason ?? "",
          by: located.rolled_back_by_label ?? "",
        }
      : null,
    operations: operations.map((o) => ({
      id: o.id,
      kind: o.kind,
      recordedAt: o.recorded_at,
      quantity: o.quantity,
    })),
  };
}

export const SupportReasonSchema = z.object({ reason: reasonField });
export const ExtendExpirySchema = z.object({
  expiresOn: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "validation.date")
    .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), "validation.date"),
  reason: reasonField,
});

export class ExpiryNotLater extends DomainError {
  constructor() {
    super(
      "expiry_not_later",
      "The new expiry must be later than the current one, in the future, and at most 10 years away.",
      "expiresOn",
    );
  }
}

export class CodeNotExtendable extends DomainError {
  constructor(status: string) {
    super(
      "code_not_extendable",
      `Only an unclaimed code's expiry can be extended; this code is ${status}.`,
    );
  }
}

/** Revokes an unclaimed code of any partner: the partner's own rule, support as the actor. */
export async function revokeCodeBySupport(
  db: Database,
  {
    serial,
    reason,
    actor,
    ip = null,
    now,
  }: { serial: number; reason: string; actor: AuditActor; ip?: string | null; now: Date },
) {
  const partnerId = await partnerOfCode(db, serial);
  return revokeCode(db, { partnerId, serial, reason, actor, ip, now });
}

/**
 * Moves an unclaimed code's expiry later (to the end of `expiresOn`, UTC). An expired code
 * becomes claimable again; a claimed or revoked one is refused, as is an earlier date.
 */
export async function extendCodeExpiry(
  db: Database,
  {
    serial,
    expiresOn,
    reason,
    actor,
    ip = null,
    now,
  }: {
    serial: number;
    expiresOn: string;
    reason: string;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<void> {
  const partnerId = await partnerOfCode(db, serial);
  const expiresAt = new Date(Date.parse(`${expiresOn}T00:00:00Z`) + DAY_MS - 1);
  if (expiresAt <= now || expiresAt.getTime() > now.getTime() + MAX_EXTENSION_DAYS * DAY_MS)
    throw new ExpiryNotLater();
  await db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("activation_codes")
      .select(["status", "expires_at"])
      .where("id", "=", serial)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (current.status !== "issued") throw new CodeNotExtendable(current.status);
    if (expiresAt <= current.expires_at) throw new ExpiryNotLater();
    // The row lock above keeps a claim from slipping in between: a claim updates this row.
    await trx
      .updateTable("activation_codes")
      .set({ expires_at: expiresAt })
      .where("id", "=", serial)
      .where("status", "=", "issued")
      .execute();
    await recordAudit(trx, {
      actor,
      action: "code.expiry_extended",
      partnerId,
      subject: { type: "activation_code", id: String(serial) },
      before: { expires_at: current.expires_at.toISOString() },
      after: { expires_at: expiresAt.toISOString() },
      reason,
      ip,
    });
  });
}

/** The CLI's roll-back, from the code's page. */
export async function rollBackClaimBySupport(
  db: Database,
  {
    serial,
    reason,
    actor,
    ip = null,
    now,
  }: { serial: number; reason: string; actor: AuditActor; ip?: string | null; now: Date },
) {
  await partnerOfCode(db, serial);
  return rollBackClaim(db, { activationCodeId: serial, reason, actor, ip, now });
}
