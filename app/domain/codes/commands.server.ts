// What a partner does with one code or a batch's codes: hand out, email, revoke.
import { sql, type Transaction } from "kysely";
import type { Database } from "~db/index.ts";
import type { DB } from "~db/schema.ts";
import { codeHandOutMessage } from "~/email/messages.server";
import { sendMail } from "~/email/mailer.server";
import { isUuid } from "~/lib/ids";
import { recipientLanguage } from "~/email/recipient-language.server";
import { defaultLanguage, type Language } from "~/lib/locale";
import { log } from "~/lib/log.server";
import { recordAudit, type AuditActor } from "../audit.server";
import { BatchNotFound } from "../batches/model.server";
import { DomainError } from "../errors.server";
import { codeExpiryPassed } from "../predicates.server";
import { rateLimitRules, reserveRateLimits } from "../rate-limits.server";
import {
  CodeRow,
  CodeNotFound,
  CodeNotRevocable,
  CodeNotIssued,
  RecipientEmailMissing,
  EmailNotSent,
  HandOutInputSchema,
  RevokeInputSchema,
  parseInput,
} from "./model.server";
import { validSerial, getCode, redeemUrl } from "./reads.server";

// ---- Changes ------------------------------------------------------------------------------

/** The row's state before a change, locked for the rest of the transaction. */
async function lockCode(trx: Transaction<DB>, partnerId: string, serial: number, now: Date) {
  if (!validSerial(serial)) throw new CodeNotFound();
  const row = await trx
    .selectFrom("activation_codes as c")
    .innerJoin("code_batches as cb", "cb.id", "c.batch_id")
    .select([
      "c.status",
      codeExpiryPassed("c", now).as("expired"),
      "cb.status as batch_status",
      "c.recipient_name",
      "c.recipient_email",
      "c.recipient_note",
      "c.locked_to_email",
      "c.handed_out_at",
      "c.emailed_at",
    ])
    .where("c.id", "=", serial)
    .where("c.partner_id", "=", partnerId)
    .forUpdate("c")
    .executeTakeFirst();
  if (!row) throw new CodeNotFound();
  return row;
}

function requireClaimable(row: { status: string; expired: boolean; batch_status: string }) {
  if (row.status === "claimed") throw new CodeNotIssued("claimed");
  if (row.status === "revoked") throw new CodeNotIssued("revoked");
  if (row.expired) throw new CodeNotIssued("expired");
  if (row.batch_status !== "ready") throw new CodeNotIssued("generating");
}

async function requireCode(
  db: Database,
  partnerId: string,
  serial: number,
  now: Date,
): Promise<CodeRow> {
  const row = await getCode(db, { partnerId, serial, now });
  if (!row) throw new CodeNotFound();
  return row;
}

/** Revokes one unclaimed code (expired ones too). Claimed or revoked: CodeNotRevocable. */
export async function revokeCode(
  db: Database,
  {
    partnerId,
    serial,
    reason,
    actor,
    ip = null,
    now,
  }: {
    partnerId: string;
    serial: number;
    reason: string;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<CodeRow> {
  const input = parseInput(RevokeInputSchema, { reason });
  if (!validSerial(serial)) throw new CodeNotFound();
  await db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable("activation_codes")
      .set({ status: "revoked", revoked_at: now, revoke_reason: input.reason })
      .where("id", "=", serial)
      .where("partner_id", "=", partnerId)
      .where("status", "=", "issued")
      .returning("id")
      .executeTakeFirst();
    if (!revoked) {
      const current = await trx
        .selectFrom("activation_codes")
        .select("status")
        .where("id", "=", serial)
        .where("partner_id", "=", partnerId)
        .executeTakeFirst();
      if (!current) throw new CodeNotFound();
      throw new CodeNotRevocable(current.status);
    }
    await recordAudit(trx, {
      actor,
      action: "code.revoked",
      partnerId,
      subject: { type: "activation_code", id: String(serial) },
      before: { status: "issued" },
      after: { status: "revoked", reason: input.reason },
      ip,
    });
  });
  return requireCode(db, partnerId, serial, now);
}

/**
 * Revokes every unclaimed code of one of the partner's batches in one statement, audited
 * once on the batch. Returns how many codes it revoked (0 when none was left).
 */
export async function revokeUnclaimedCodesOfBatch(
  db: Database,
  {
    partnerId,
    batchId,
    reason,
    actor,
    ip = null,
    now,
  }: {
    partnerId: string;
    batchId: string;
    reason: string;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<number> {
  const input = parseInput(RevokeInputSchema, { reason });
  if (!isUuid(batchId)) throw new BatchNotFound();
  return db.transaction().execute(async (trx) => {
    // Locking the batch row holds off a generator that would add codes to it meanwhile.
    const batch = await trx
      .selectFrom("code_batches")
      .select(["status"])
      .where("id", "=", batchId)
      .where("partner_id", "=", partnerId)
      .forUpdate()
      .executeTakeFirst();
    if (!batch) throw new BatchNotFound();
    if (batch.status === "generating") {
      throw new DomainError(
        "batch_not_ready",
        "The batch is still being generated; revoke its codes once it is ready.",
        "batch",
      );
    }
    const result = await trx
      .updateTable("activation_codes")
      .set({ status: "revoked", revoked_at: now, revoke_reason: input.reason })
      .where("batch_id", "=", batchId)
      .where("partner_id", "=", partnerId)
      .where("status", "=", "issued")
      .executeTakeFirst();
    const count = Number(result.numUpdatedRows);
    await recordAudit(trx, {
      actor,
      action: "batch.codes_revoked",
      // The moment the codes' revoked_at records: the code's history finds this entry by it.
      occurredAt: now,
      partnerId,
      subject: { type: "code_batch", id: batchId },
      after: { count, reason: input.reason },
      ip,
    });
    return count;
  });
}

/**
 * Records who the code is for. handed_out_at is when it went to its current recipient: it
 * is set on the first hand-out and again when the name or email changes, not when only the
 * note or the lock changes. A new email clears emailed_at (that email went to someone else).
 */
export async function handOutCode(
  db: Database,
  {
    partnerId,
    serial,
    recipient,
    lockToEmail,
    actor,
    ip = null,
    now,
  }: {
    partnerId: string;
    serial: number;
    recipient: { name?: string | null; email?: string | null; note?: string | null };
    lockToEmail: boolean;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<CodeRow> {
  const input = parseInput(HandOutInputSchema, { ...recipient, lockToEmail });
  if (!validSerial(serial)) throw new CodeNotFound();
  await db.transaction().execute(async (trx) => {
    const before = await lockCode(trx, partnerId, serial, now);
    requireClaimable(before);
    const sameRecipient =
      before.handed_out_at !== null &&
      before.recipient_name === input.name &&
      before.recipient_email === input.email;
    await trx
      .updateTable("activation_codes")
      .set({
        recipient_name: input.name,
        recipient_email: input.email,
        recipient_note: input.note,
        locked_to_email: input.lockToEmail,
        handed_out_at: sameRecipient ? sql<Date>`handed_out_at` : now,
        emailed_at: before.recipient_email === input.email ? sql<Date>`emailed_at` : null,
      })
      .where("id", "=", serial)
      .where("partner_id", "=", partnerId)
      .execute();
    await recordAudit(trx, {
      actor,
      action: "code.handed_out",
      partnerId,
      subject: { type: "activation_code", id: String(serial) },
      before: {
        name: before.recipient_name,
        email: before.recipient_email,
        note: before.recipient_note,
        lockedToEmail: before.locked_to_email,
      },
      after: {
        name: input.name,
        email: input.email,
        note: input.note,
        lockedToEmail: input.lockToEmail,
      },
      ip,
    });
  });
  return requireCode(db, partnerId, serial, now);
}

/**
 * Emails the code to its recipient: the code, the redeem link, what the bundle gives and
 * until when. The change (emailed_at, audit) commits first; the mail goes out after, and if
 * it fails, emailed_at is put back and EmailNotSent is thrown.
 */
export async function emailCode(
  db: Database,
  {
    partnerId,
    serial,
    actor,
    ip = null,
    language = defaultLanguage,
    now,
  }: {
    partnerId: string;
    serial: number;
    actor: AuditActor;
    ip?: string | null;
    language?: Language;
    now: Date;
  },
): Promise<CodeRow> {
  if (!validSerial(serial)) throw new CodeNotFound();
  // Each send is an email from the portal's address with the partner's text: counted first.
  await reserveRateLimits(
    db,
    [
      { key: `code-email:code:${serial}`, rule: rateLimitRules.codeEmailsPerCode },
      { key: `code-email:partner:${partnerId}`, rule: rateLimitRules.codeEmailsPerPartner },
      { key: `code-email:ip:${ip ?? "unknown"}`, rule: rateLimitRules.codeEmailsPerIp },
    ],
    now,
  );
  const sent = await db.transaction().execute(async (trx) => {
    const before = await lockCode(trx, partnerId, serial, now);
    requireClaimable(before);
    const to = before.recipient_email;
    if (!to) throw new RecipientEmailMissing();
    await trx
      .updateTable("activation_codes")
      .set({ emailed_at: now })
      .where("id", "=", serial)
      .where("partner_id", "=", partnerId)
      .execute();
    await recordAudit(trx, {
      actor,
      action: "code.emailed",
      partnerId,
      subject: { type: "activation_code", id: String(serial) },
      after: { to },
      ip,
    });
    const partner = await trx
      .selectFrom("partners")
      .select("name")
      .where("id", "=", partnerId)
      .executeTakeFirstOrThrow();
    return { to, previous: before.emailed_at, partnerName: partner.name };
  });
  const code = await requireCode(db, partnerId, serial, now);
  try {
    await sendMail(
      codeHandOutMessage({
        to: sent.to,
        language: await recipientLanguage(db, {
          email: sent.to,
          partnerId,
          senderLanguage: language,
        }),
        partnerName: sent.partnerName,
        recipientName: code.recipientName,
        code: code.display,
        link: redeemUrl(code.code, code.prefix),
        staffSeats: code.bundleContent.staffSeats,
        cardOperations: code.bundleContent.cardOperations,
        termMonths: code.bundleContent.termMonths,
        expiresAt: code.expiresAt,
        lockedToEmail: code.lockedToEmail,
      }),
    );
  } catch (error) {
    log.warn(`email of code #${serial} to its recipient failed`, error);
    await db
      .updateTable("activation_codes")
      .set({ emailed_at: sent.previous })
      .where("id", "=", serial)
      .where("partner_id", "=", partnerId)
      .execute();
    throw new EmailNotSent();
  }
  return code;
}
