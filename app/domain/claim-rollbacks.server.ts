// Claim roll-backs: support undoes a claim (a code sold by mistake, a refund agreed with the
// partner). The grant ends, seats move on, and the claim's price snapshot comes back as a
// credit line on the partner's statement of the month the roll-back happens in.
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { parseCode } from "~/lib/activation-code";
import { monthOf } from "~/lib/statement-months";
import { recordAudit, type AuditActor } from "./audit.server";
import { CodeMistyped, CodeNotFound } from "./codes/model.server";
import { lockBusinessPlans } from "./entitlements/plan.server";
import { reattributeSeats } from "./entitlements/seats.server";
import { DomainError } from "./errors.server";
import { codeExpiryPassed } from "./predicates.server";
import { recordOutboxEvent } from "./outbox.server";
import { clawBackReferral } from "./referrals/qualification.server";
import { storable } from "~/lib/storable-text";

/** Why support rolls the claim back: kept with the roll-back and shown in its history. */
export const RollbackReasonSchema = z.string().trim().min(1).max(500).refine(storable);

export class RollbackReasonInvalid extends DomainError {
  constructor() {
    super("invalid_request", "Give the reason for the roll-back, 1 to 500 characters.", "reason");
  }
}

export class CodeNotClaimed extends DomainError {
  constructor(serial: number, state: string) {
    super(
      "code_not_claimed",
      `Only a claimed code can be rolled back; Code #${serial} is ${state}.`,
      "code",
    );
  }
}

export class ClaimAlreadyRolledBack extends DomainError {
  constructor(serial: number, rolledBackAt: Date) {
    super(
      "claim_already_rolled_back",
      `The claim of Code #${serial} was already rolled back on ${rolledBackAt.toISOString().slice(0, 10)}.`,
      "code",
    );
  }
}

/** A roll-back dated in a month whose statement is final already (only a backdated clock). */
export class RollbackMonthFinal extends DomainError {
  constructor(month: string) {
    super(
      "statement_month_final",
      `The partner's statement for ${month} is final; a roll-back can only be dated in an open month.`,
    );
  }
}

export interface RolledBackClaim {
  /** Code #N */
  serial: number;
  partnerId: string;
  partnerSlug: string;
  businessId: string;
  businessName: string;
  grantId: string;
  rolledBackAt: Date;
  reason: string;
  /** When the grant stops counting: the roll-back, or its own earlier end. */
  grantEndsAt: Date;
  /** The month whose statement carries the credit line ("YYYY-MM", UTC). */
  statementMonth: string;
  /** What the credit line gives back: the claim's snapshot, positive here, negated on the line. */
  credit: { retailCents: number; discountCents: number; wholesaleCents: number; taxCents: number };
}

/** Which code: as typed (any formatting), or its Code #N. */
export type RollbackTarget = { code: string } | { activationCodeId: number };

function codeBody(input: string): string {
  const parsed = parseCode(input);
  if (parsed.kind === "mistyped") throw new CodeMistyped();
  if (parsed.kind === "malformed") throw new CodeNotFound();
  return parsed.code;
}

/**
 * Rolls a claim back, in one transaction: the code row is locked (as a claim locks it), then
 * the partner row for share (a finalisation of the partner's month waits, so the credit lands
 * on a statement that is still open), then the business (as seat changes lock it); the roll-back
 * row is inserted (its primary key, one per code, decides concurrent roll-backs), the grant
 * ends at `now`, seats are re-attributed, and audit entry and outbox event are written.
 *
 * The code keeps status `claimed`: the claim happened, and the final statement of its month
 * keeps its line; the credit line is on the statement of the roll-back's month.
 *
 * Age: any claim can be rolled back, however old, and whether or not its grant has ended or
 * its units were used. Support decides (a partner's refund agreed months later is normal for
 * a reseller); the credit is always the whole snapshot, and an ended grant keeps its own end.
 */
export async function rollBackClaim(
  db: Database,
  {
    reason,
    actor,
    ip = null,
    now,
    ...target
  }: RollbackTarget & { reason: string; actor: AuditActor; ip?: string | null; now: Date },
): Promise<RolledBackClaim> {
  const parsedReason = RollbackReasonSchema.safeParse(reason);
  if (!parsedReason.success) throw new RollbackReasonInvalid();
  let lookup: { column: "ac.code"; value: string } | { column: "ac.id"; value: number };
  if ("code" in target) {
    lookup = { column: "ac.code", value: codeBody(target.code) };
  } else {
    const serial = target.activationCodeId;
    if (!Number.isSafeInteger(serial) || serial <= 0) throw new CodeNotFound();
    lookup = { column: "ac.id", value: serial };
  }

  return db.transaction().execute(async (trx) => {
    const code = await trx
      .selectFrom("activation_codes as ac")
      .innerJoin("partners as p", "p.id", "ac.partner_id")
      .leftJoin("grants as g", "g.activation_code_id", "ac.id")
      .leftJoin("businesses as biz", "biz.id", "g.business_id")
      .select([
        "ac.id",
        "ac.status",
        "ac.claimed_at",
        "ac.retail_cents",
        "ac.discount_cents",
        "ac.wholesale_cents",
        "ac.tax_cents",
        codeExpiryPassed("ac", now).as("expired"),
        "p.id as partner_id",
        "p.slug as partner_slug",
        "g.id as grant_id",
        "g.business_id",
        "g.ends_at",
        "biz.name as business_name",
      ])
      .where(lookup.column, "=", lookup.value)
      .forUpdate("ac")
      .executeTakeFirst();
    if (!code) throw new CodeNotFound();
    if (code.status !== "claimed") {
      const state =
        code.status === "revoked"
          ? "revoked"
          : code.expired
            ? "expired, never claimed"
            : "unclaimed";
      throw new CodeNotClaimed(code.id, state);
    }
    if (!code.grant_id || !code.business_id || !code.ends_at || !code.claimed_at) {
      throw new Error(`claim roll-back: Code #${code.id} is claimed but has no grant`);
    }
    const previous = await trx
      .selectFrom("claim_rollbacks")
      .select("rolled_back_at")
      .where("activation_code_id", "=", code.id)
      .executeTakeFirst();
    if (previous) throw new ClaimAlreadyRolledBack(code.id, previous.rolled_back_at);
    if (now < code.claimed_at) {
      throw new Error(`claim roll-back: Code #${code.id} cannot be rolled back before its claim`);
    }

    // FOR SHARE: claims and other roll-backs go on; a finalisation (FOR NO KEY UPDATE) waits.
    await trx
      .selectFrom("partners")
      .select("id")
      .where("id", "=", code.partner_id)
      .forShare()
      .executeTakeFirstOrThrow();
    const final = await trx
      .selectFrom("statements")
      .select("period_start")
      .where("partner_id", "=", code.partner_id)
      .where("period_end", ">", now)
      .orderBy("period_start")
      .executeTakeFirst();
    if (final) throw new RollbackMonthFinal(monthOf(final.period_start));

    await lockBusinessPlans(trx, { businessIds: [code.business_id], now });
    const inserted = await trx
      .insertInto("claim_rollbacks")
      .values({
        activation_code_id: code.id,
        partner_id: code.partner_id,
        business_id: code.business_id,
        grant_id: code.grant_id,
        rolled_back_at: now,
        reason: parsedReason.data,
        rolled_back_by: actor.userId,
        rolled_back_by_label: actor.label,
      })
      .onConflict((oc) => oc.column("activation_code_id").doNothing())
      .returning("rolled_back_at")
      .executeTakeFirst();
    if (!inserted) {
      // The code row's lock makes this unreachable today; the primary key is the last word.
      const winner = await trx
        .selectFrom("claim_rollbacks")
        .select("rolled_back_at")
        .where("activation_code_id", "=", code.id)
        .executeTakeFirstOrThrow();
      throw new ClaimAlreadyRolledBack(code.id, winner.rolled_back_at);
    }

    // An ended grant keeps its own end: a roll-back never lengthens what a business had.
    const grant = await trx
      .updateTable("grants")
      .set({ ends_at: sql<Date>`least(ends_at, ${now}::timestamptz)` })
      .where("id", "=", code.grant_id)
      .where("business_id", "=", code.business_id)
      .returning("ends_at")
      .executeTakeFirstOrThrow();
    await reattributeSeats(trx, { businessId: code.business_id, now });

    const credit = {
      retailCents: code.retail_cents ?? 0,
      discountCents: code.discount_cents ?? 0,
      wholesaleCents: code.wholesale_cents ?? 0,
      taxCents: code.tax_cents ?? 0,
    };
    const statementMonth = monthOf(now);
    const after = {
      serial: code.id,
      reason: parsedReason.data,
      grant_id: code.grant_id,
      grant_ends_at: grant.ends_at.toISOString(),
      statement_month: statementMonth,
      credit_retail_cents: credit.retailCents,
      credit_discount_cents: credit.discountCents,
      credit_wholesale_cents: credit.wholesaleCents,
      credit_tax_cents: credit.taxCents,
    };
    await recordAudit(trx, {
      actor,
      action: "claim.rolled_back",
      partnerId: code.partner_id,
      businessId: code.business_id,
      subject: { type: "activation_code", id: String(code.id) },
      before: { status: "claimed", grant_ends_at: code.ends_at.toISOString() },
      after,
      reason: parsedReason.data,
      ip,
    });
    // A claim that qualified a referral takes the referral's rewards back with it (ADR 034).
    await clawBackReferral(trx, {
      activationCodeId: code.id,
      reason: parsedReason.data,
      actor,
      ip,
      now,
    });
    // What the business may use changed: the platform and the partner hear it as such.
    await recordOutboxEvent(trx, {
      topic: "entitlements.changed",
      businessId: code.business_id,
      partnerId: code.partner_id,
      payload: {
        business_id: code.business_id,
        partner_id: code.partner_id,
        reason: "claim_rolled_back",
        serial: code.id,
        grant_id: code.grant_id,
        grant_ends_at: grant.ends_at.toISOString(),
        changed_at: now.toISOString(),
      },
    });
    return {
      serial: code.id,
      partnerId: code.partner_id,
      partnerSlug: code.partner_slug,
      businessId: code.business_id,
      businessName: code.business_name ?? "",
      grantId: code.grant_id,
      rolledBackAt: now,
      reason: parsedReason.data,
      grantEndsAt: grant.ends_at,
      statementMonth,
      credit,
    };
  });
}
