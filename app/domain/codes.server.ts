// Activation codes after generation: finding them (filters, search, keyset pages, the
// streamed CSV), their history, and what a partner does with one — hand out, email, revoke.
import { sql, type Transaction } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import type { DB } from "~db/schema.ts";
import { codeHandOutMessage } from "~/email/messages.server";
import { sendMail } from "~/email/mailer.server";
import { env } from "~/env.server";
import { translatorFor } from "~/i18n";
import { formatCode, parseCode, parseSerial } from "~/lib/activation-code";
import { codeStatusFilters } from "~/lib/code-filter";
import { parseObject, fieldErrorsFrom } from "~/lib/forms";
import { isUuid } from "~/lib/ids";
import { defaultLanguage, type Language } from "~/lib/locale";
import { log } from "~/lib/log.server";
import { recordAudit, type AuditActor, type AuditSubject } from "./audit.server";
import { BatchNotFound } from "./batches.server";
import { DomainError } from "./errors.server";
import { keyset, pageSize, type Page } from "./paging.server";
import {
  codeDisplayStatusSql,
  codeExpired,
  codeExpiryPassed,
  codeOutstanding,
  type CodeDisplayStatus,
} from "./predicates.server";
import { rateLimitRules, reserveRateLimits } from "./rate-limits.server";
import { csvLine, csvStream, escapeLike } from "~/lib/csv";
import { storable } from "~/lib/storable-text";

// ---- Types --------------------------------------------------------------------------------

/** `expired` and `outstanding` are derived: issued and past / not past `expires_at`. */
export type CodeStatusFilter = "issued" | "claimed" | "revoked" | "expired" | "outstanding";

export interface CodeFilter {
  status?: CodeStatusFilter;
  bundleId?: string;
  batchId?: string;
  /** Part of the recipient's name or email, any case; only handed-out codes match. */
  recipient?: string;
  handedOut?: boolean;
  /** A code in any formatting (case, spaces, dashes, prefix), or a serial "#N" / "N". */
  search?: string;
}

export type { CodeDisplayStatus };

export interface CodeRow {
  serial: number;
  /** The 16 symbols as stored. */
  code: string;
  /** Grouped, after the batch prefix when there is one: "CAFE-ABCD-EFGH-JKMN-PQRS". */
  display: string;
  prefix: string | null;
  status: CodeDisplayStatus;
  bundleId: string;
  bundleName: string;
  /** What the code gives once claimed. */
  bundleContent: { staffSeats: number; cardOperations: number; termMonths: number };
  batchId: string;
  batchLabel: string | null;
  batchStatus: "generating" | "ready" | "failed";
  expiresAt: Date;
  createdAt: Date;
  recipientName: string | null;
  recipientEmail: string | null;
  recipientNote: string | null;
  handedOutAt: Date | null;
  lockedToEmail: boolean;
  emailedAt: Date | null;
  revokedAt: Date | null;
  revokeReason: string | null;
  /** When it was claimed, and by which business (the partner's client). */
  claimedAt: Date | null;
  claimedBy: { businessId: string; name: string } | null;
}

export interface HistoryEntry {
  /** "code.created", or the audit action: code.handed_out, code.emailed, code.revoked, batch.codes_revoked, … */
  action: string;
  at: Date;
  actorLabel: string;
  details: Record<string, string | number | boolean | null>;
}

// ---- Errors -------------------------------------------------------------------------------

export class CodeNotFound extends DomainError {
  constructor() {
    super("code_not_found", "No such code.", 404, "code");
  }
}

export class CodeMistyped extends DomainError {
  constructor(field = "code") {
    super(
      "code_mistyped",
      "The check symbol does not match: the code was probably mistyped.",
      400,
      field,
    );
  }
}

/** Only an unclaimed, unrevoked code can be revoked (an expired one can). */
export class CodeNotRevocable extends DomainError {
  constructor(readonly currentStatus: string) {
    super(
      "code_not_revocable",
      `Only unclaimed codes can be revoked; this code is ${currentStatus}.`,
      409,
      "code",
    );
  }
}

const notIssuedCodes = {
  claimed: ["code_already_claimed", "The code is already claimed."],
  revoked: ["code_revoked", "The code is revoked."],
  expired: ["code_expired", "The code has expired."],
  generating: ["code_not_ready", "The code's batch is still being generated."],
} as const;

/** Hand-out and email need a code that can still be claimed: issued, not expired, batch ready. */
export class CodeNotIssued extends DomainError {
  constructor(readonly reason: keyof typeof notIssuedCodes) {
    super(notIssuedCodes[reason][0], notIssuedCodes[reason][1], 409, "code");
  }
}

export class RecipientEmailMissing extends DomainError {
  constructor() {
    super(
      "recipient_email_missing",
      "The code has no recipient email: hand it out to an email address first.",
      400,
      "email",
    );
  }
}

/** A search that is neither a code nor a serial. */
export class InvalidCodeSearch extends DomainError {
  constructor() {
    super(
      "invalid_request",
      "Enter a code (XXXX-XXXX-XXXX-XXXX, any case, spaces allowed) or a serial like #12.",
      400,
      "search",
    );
  }
}

export class EmailNotSent extends DomainError {
  constructor() {
    super("email_not_sent", "The email could not be sent. Please try again later.", 502);
  }
}

// ---- Input schemas (form strings and API JSON alike) ---------------------------------------

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine(storable, { message: "validation.invalid" })
    .nullish()
    .transform((value) => value || null);

export const HandOutInputSchema = z
  .object({
    name: optionalText(120),
    email: z
      .string()
      .trim()
      .max(254)
      .refine((value) => value === "" || z.string().email().safeParse(value).success, {
        message: "validation.email",
      })
      .nullish()
      .transform((value) => (value ? value.toLowerCase() : null)),
    note: optionalText(500),
    // A checkbox sends "on"; JSON sends a boolean.
    lockToEmail: z
      .union([z.boolean(), z.enum(["on", "true", "false"])])
      .optional()
      .transform((value) => value === true || value === "on" || value === "true"),
  })
  .superRefine((input, ctx) => {
    if (input.lockToEmail && !input.email) {
      ctx.addIssue({ code: "custom", path: ["email"], message: "codes:handOut.lockNeedsEmail" });
    }
  });
export type HandOutInput = z.output<typeof HandOutInputSchema>;

export const RevokeInputSchema = z.object({
  reason: z.string().trim().min(1).max(200).refine(storable, { message: "validation.invalid" }),
});

const fieldLabels: Record<string, string> = {
  name: "codes:handOut.name",
  email: "codes:handOut.email",
  note: "codes:handOut.note",
  lockToEmail: "codes:handOut.lockToEmail",
  reason: "codes:revoke.reason",
};

/** Parses domain input; a failure is a DomainError naming the field, in plain English. */
function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const parsed = parseObject(schema, input);
  if (parsed.success) return parsed.data as z.output<S>;
  const [field, error] = Object.entries(fieldErrorsFrom(parsed.error))[0];
  const t = translatorFor(defaultLanguage);
  const label = fieldLabels[field] ? t(fieldLabels[field]) : field;
  throw new DomainError(
    "invalid_request",
    t(error.key, { ns: "common", field: label, ...error.values }),
    400,
    field,
  );
}

// ---- Reading ------------------------------------------------------------------------------

type Db = Database | Transaction<DB>;

/** The filter made ready for SQL; `none` when it cannot match anything (a foreign id shape). */
interface ResolvedFilter {
  none: boolean;
  status?: CodeStatusFilter;
  bundleId?: string;
  batchId?: string;
  recipientPattern?: string;
  handedOut?: boolean;
  code?: string;
  serial?: number;
}

/** Throws CodeMistyped (field "search") or InvalidCodeSearch for a search it cannot read. */
function resolveFilter(filter: CodeFilter): ResolvedFilter {
  const resolved: ResolvedFilter = {
    none: false,
    status: filter.status,
    handedOut: filter.handedOut,
  };
  if (filter.status && !(codeStatusFilters as readonly string[]).includes(filter.status))
    resolved.none = true;
  if (filter.bundleId) {
    if (isUuid(filter.bundleId)) resolved.bundleId = filter.bundleId;
    else resolved.none = true;
  }
  if (filter.batchId) {
    if (isUuid(filter.batchId)) resolved.batchId = filter.batchId;
    else resolved.none = true;
  }
  const recipient = filter.recipient?.trim();
  if (recipient) {
    if (storable(recipient)) resolved.recipientPattern = `%${escapeLike(recipient.toLowerCase())}%`;
    else resolved.none = true;
  }
  const search = filter.search?.trim();
  if (search) {
    const parsed = parseCode(search);
    if (parsed.kind === "code") resolved.code = parsed.code;
    else if (parsed.kind === "mistyped") throw new CodeMistyped("search");
    else {
      const serial = parseSerial(search);
      if (serial === null) throw new InvalidCodeSearch();
      resolved.serial = serial;
    }
  }
  return resolved;
}

/**
 * The serials a filter's codes can lie between, when the filter confines them to some of the
 * partner's batches: one batch or a bundle's batches. Two index probes per batch on
 * (batch_id, id). Null when the filter does not confine; "none" when no code can match.
 * (Expiry is per code — support may extend or shorten one — so it never narrows by batch;
 * the expired filter reads the partial index on unclaimed codes' expiry instead.)
 */
async function serialRange(
  db: Db,
  partnerId: string,
  filter: ResolvedFilter,
  beforeSerial: number | null,
): Promise<{ lowest: number; highest: number } | null | "none"> {
  if (!filter.batchId && !filter.bundleId) return null;
  const below = beforeSerial === null ? sql`` : sql`and a.id < ${beforeSerial}`;
  let batches = db
    .selectFrom("code_batches as cb")
    .select([
      sql<
        number | null
      >`min((select min(a.id) from activation_codes a where a.batch_id = cb.id))`.as("lowest"),
      sql<
        number | null
      >`max((select max(a.id) from activation_codes a where a.batch_id = cb.id ${below}))`.as(
        "highest",
      ),
    ])
    .where("cb.partner_id", "=", partnerId);
  if (filter.batchId) batches = batches.where("cb.id", "=", filter.batchId);
  if (filter.bundleId) batches = batches.where("cb.bundle_id", "=", filter.bundleId);
  const range = await batches.executeTakeFirst();
  if (range?.lowest == null || range.highest == null) return "none";
  return { lowest: Number(range.lowest), highest: Number(range.highest) };
}

/**
 * One keyset page of the partner's codes, newest first. The page's serials come first, from
 * activation_codes alone, so that the partner-leading indexes answer (often index-only); the
 * rows are then joined to their bundle and batch (small tables). Codes are made in batches,
 * so matches cluster, which PostgreSQL's estimates do not know: a filter confined to some
 * batches gets their serial range as literal bounds, and the scan starts at the first
 * candidate and stops after the last instead of walking every newer code.
 */
async function selectCodes(
  db: Db,
  partnerId: string,
  filter: ResolvedFilter,
  {
    beforeSerial,
    limit,
    readyBatchesOnly = false,
    now,
  }: { beforeSerial: number | null; limit: number; readyBatchesOnly?: boolean; now: Date },
): Promise<CodeRow[]> {
  const range = await serialRange(db, partnerId, filter, beforeSerial);
  if (range === "none") return [];
  let page = db
    .selectFrom("activation_codes as c")
    .select("c.id")
    .where("c.partner_id", "=", partnerId);
  // Lists and exports show a batch's codes once the whole batch is ready (ADR 017): codes of
  // a batch still generating cannot be claimed, and a partner must not hand them out.
  if (readyBatchesOnly) {
    page = page.where((eb) =>
      eb.exists(
        eb
          .selectFrom("code_batches as ready")
          .select("ready.id")
          .whereRef("ready.id", "=", "c.batch_id")
          .where("ready.status", "=", "ready"),
      ),
    );
  }
  if (beforeSerial !== null) page = page.where("c.id", "<", beforeSerial);
  if (range) page = page.where("c.id", ">=", range.lowest).where("c.id", "<=", range.highest);
  switch (filter.status) {
    case "claimed":
    case "revoked":
      page = page.where("c.status", "=", filter.status);
      break;
    case "issued":
      page = page.where("c.status", "=", "issued");
      break;
    case "expired":
      page = page.where(codeExpired("c", now));
      break;
    case "outstanding":
      page = page.where(codeOutstanding("c", now));
      break;
  }
  if (filter.bundleId) page = page.where("c.bundle_id", "=", filter.bundleId);
  if (filter.batchId) page = page.where("c.batch_id", "=", filter.batchId);
  if (filter.handedOut === true) page = page.where("c.handed_out_at", "is not", null);
  if (filter.handedOut === false) page = page.where("c.handed_out_at", "is", null);
  if (filter.recipientPattern) {
    const pattern = filter.recipientPattern;
    // `handed_out_at is not null` lets the planner use the partial hand-out index.
    page = page
      .where("c.handed_out_at", "is not", null)
      .where((eb) =>
        eb.or([
          eb(eb.fn("lower", ["c.recipient_name"]), "like", pattern),
          eb(eb.fn("lower", ["c.recipient_email"]), "like", pattern),
        ]),
      );
  }
  if (filter.code) page = page.where("c.code", "=", filter.code);
  if (filter.serial !== undefined) page = page.where("c.id", "=", filter.serial);

  // Expired codes are found through the partial index on unclaimed codes' expiry, then the
  // newest taken: `offset 0` keeps PostgreSQL from walking every code backwards by serial
  // looking for expired ones (measured: 1 s at a million codes, 3 ms fenced).
  const serials =
    filter.status === "expired"
      ? db.selectFrom(page.offset(0).as("e")).select("e.id").orderBy("e.id", "desc").limit(limit)
      : page.orderBy("c.id", "desc").limit(limit);

  const rows = await db
    .selectFrom(serials.as("p"))
    .innerJoin("activation_codes as c", "c.id", "p.id")
    .innerJoin("bundles as b", "b.id", "c.bundle_id")
    .innerJoin("code_batches as cb", "cb.id", "c.batch_id")
    // The claim's grant names the business; a rolled-back claim keeps it (the claim happened).
    .leftJoin("grants as g", "g.activation_code_id", "c.id")
    .leftJoin("businesses as cl", "cl.id", "g.business_id")
    .select([
      "c.id",
      "c.code",
      codeDisplayStatusSql("c", now).as("status"),
      "c.bundle_id",
      "b.name as bundle_name",
      "b.staff_seats",
      "b.card_operations",
      "b.term_months",
      "c.batch_id",
      "cb.label as batch_label",
      "cb.prefix",
      "cb.status as batch_status",
      "c.expires_at",
      "c.created_at",
      "c.recipient_name",
      "c.recipient_email",
      "c.recipient_note",
      "c.handed_out_at",
      "c.locked_to_email",
      "c.emailed_at",
      "c.revoked_at",
      "c.revoke_reason",
      "c.claimed_at",
      "g.business_id as claimed_by_id",
      "cl.name as claimed_by_name",
    ])
    .where("c.partner_id", "=", partnerId)
    .orderBy("c.id", "desc")
    .execute();
  return rows.map((row): CodeRow => ({
    serial: row.id,
    code: row.code,
    display: formatCode(row.code, row.prefix),
    prefix: row.prefix,
    status: row.status,
    bundleId: row.bundle_id,
    bundleName: row.bundle_name,
    bundleContent: {
      staffSeats: row.staff_seats,
      cardOperations: row.card_operations,
      termMonths: row.term_months,
    },
    batchId: row.batch_id,
    batchLabel: row.batch_label,
    batchStatus: row.batch_status,
    expiresAt: new Date(row.expires_at),
    createdAt: new Date(row.created_at),
    recipientName: row.recipient_name,
    recipientEmail: row.recipient_email,
    recipientNote: row.recipient_note,
    handedOutAt: row.handed_out_at ? new Date(row.handed_out_at) : null,
    lockedToEmail: row.locked_to_email,
    emailedAt: row.emailed_at ? new Date(row.emailed_at) : null,
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
    revokeReason: row.revoke_reason,
    claimedAt: row.claimed_at ? new Date(row.claimed_at) : null,
    claimedBy:
      row.claimed_by_id && row.claimed_by_name
        ? { businessId: row.claimed_by_id, name: row.claimed_by_name }
        : null,
  }));
}

// A code's serial is unique and only grows: it is the whole key.
export const codesPaging = keyset("codes", ["serial"]);

function validSerial(serial: unknown): serial is number {
  return typeof serial === "number" && Number.isSafeInteger(serial) && serial > 0;
}

/** The partner's codes, newest first, keyset paged on the serial. */
export async function listCodes(
  db: Database,
  {
    partnerId,
    filter = {},
    cursor,
    limit = 50,
    now,
  }: {
    partnerId: string;
    filter?: CodeFilter;
    cursor?: string | null;
    limit?: number;
    now: Date;
  },
): Promise<Page<CodeRow>> {
  const resolved = resolveFilter(filter);
  const size = pageSize(limit, 50, 500);
  const after = codesPaging.after(cursor);
  if (resolved.none) return { rows: [], nextCursor: null };
  const rows = await selectCodes(db, partnerId, resolved, {
    beforeSerial: after ? after[0] : null,
    limit: size + 1,
    readyBatchesOnly: true,
    now,
  });
  return codesPaging.page(rows, size, (row) => [row.serial]);
}

export async function getCode(
  db: Db,
  { partnerId, serial, now }: { partnerId: string; serial: number; now: Date },
): Promise<CodeRow | null> {
  if (!validSerial(serial)) return null;
  const [row] = await selectCodes(
    db,
    partnerId,
    { none: false, serial },
    { beforeSerial: null, limit: 1, now },
  );
  return row ?? null;
}

/**
 * A code typed in any formatting, or a serial ("#12", "12"). Null when it is not the
 * partner's or is neither; CodeMistyped when it looks like a code with a wrong check symbol.
 */
export async function findCode(
  db: Database,
  { partnerId, input, now }: { partnerId: string; input: string; now: Date },
): Promise<CodeRow | null> {
  const parsed = parseCode(input);
  if (parsed.kind === "mistyped") throw new CodeMistyped();
  if (parsed.kind === "code") {
    const [row] = await selectCodes(
      db,
      partnerId,
      { none: false, code: parsed.code },
      { beforeSerial: null, limit: 1, now },
    );
    return row ?? null;
  }
  const serial = parseSerial(input);
  return serial === null ? null : getCode(db, { partnerId, serial, now });
}

/** Created (from its batch), then every audited change, oldest first. */
export async function codeHistory(
  db: Database,
  { partnerId, serial }: { partnerId: string; serial: number },
): Promise<HistoryEntry[]> {
  if (!validSerial(serial)) return [];
  const code = await db
    .selectFrom("activation_codes as c")
    .innerJoin("code_batches as cb", "cb.id", "c.batch_id")
    .select([
      "c.created_at",
      "c.batch_id",
      "c.status",
      "cb.label",
      "cb.code_count",
      "cb.created_by_label",
    ])
    .where("c.id", "=", serial)
    .where("c.partner_id", "=", partnerId)
    .executeTakeFirst();
  if (!code) return [];
  const entries: HistoryEntry[] = [
    {
      action: "code.created",
      at: new Date(code.created_at),
      actorLabel: code.created_by_label,
      details: { batchLabel: code.label, batchSize: code.code_count },
    },
  ];
  const subject: AuditSubject = { type: "activation_code", id: String(serial) };
  const batch: AuditSubject = { type: "code_batch", id: code.batch_id };
  const ownEntries = db
    .selectFrom("audit_log")
    .leftJoin("businesses", "businesses.id", "audit_log.business_id")
    .select([
      "audit_log.id",
      "audit_log.action",
      "audit_log.occurred_at",
      "audit_log.actor_label",
      "audit_log.after",
      "businesses.name as business_name",
    ])
    .where("audit_log.subject_type", "=", subject.type)
    .where("audit_log.subject_id", "=", subject.id)
    .where("audit_log.partner_id", "=", partnerId);
  // A batch-wide revocation is audited once, on the batch; it revoked this code when it ran in
  // the same request that set this code's revoked_at (both are that request's `now`).
  const batchRevocation = db
    .selectFrom("audit_log")
    .select([
      "id",
      "action",
      "occurred_at",
      "actor_label",
      "after",
      sql<string | null>`null`.as("business_name"),
    ])
    .where("subject_type", "=", batch.type)
    .where("subject_id", "=", batch.id)
    .where("partner_id", "=", partnerId)
    .where("action", "=", "batch.codes_revoked")
    .where(
      "occurred_at",
      "=",
      db
        .selectFrom("activation_codes")
        .select("revoked_at")
        .where("id", "=", serial)
        .where("partner_id", "=", partnerId),
    );
  const audited = await (
    code.status === "revoked" ? ownEntries.unionAll(batchRevocation) : ownEntries
  )
    .orderBy("id")
    .execute();
  for (const row of audited) {
    const after =
      row.after && typeof row.after === "object" && !Array.isArray(row.after) ? row.after : {};
    // The business the entry was about (the claimant of a claim or a roll-back).
    const details: HistoryEntry["details"] = row.business_name
      ? { business: row.business_name }
      : {};
    for (const [key, value] of Object.entries(after)) {
      if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
        details[key] = value as string | number | boolean | null;
      }
    }
    entries.push({
      action: row.action,
      at: new Date(row.occurred_at),
      actorLabel: row.actor_label,
      details,
    });
  }
  return entries;
}

/** The link a recipient follows to claim the code: `${PUBLIC_URL}/redeem/PREFIX-XXXX-…`. */
export function redeemUrl(code: string, prefix?: string | null): string {
  return `${env.PUBLIC_URL}/redeem/${formatCode(code, prefix)}`;
}

// ---- CSV ----------------------------------------------------------------------------------

const CSV_HEADER = [
  "serial",
  "code",
  "status",
  "bundle",
  "batch_label",
  "expires_at",
  "recipient_name",
  "recipient_email",
  "handed_out_at",
  "revoked_at",
  "revoke_reason",
  "redeem_url",
  "claimed_at",
  "claimed_by_business",
  "claimed_by_business_id",
];

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

function codeCsvLine(row: CodeRow): string {
  return csvLine([
    row.serial,
    row.display,
    row.status,
    row.bundleName,
    row.batchLabel,
    iso(row.expiresAt),
    row.recipientName,
    row.recipientEmail,
    iso(row.handedOutAt),
    iso(row.revokedAt),
    row.revokeReason,
    redeemUrl(row.code, row.prefix),
    iso(row.claimedAt),
    row.claimedBy?.name ?? null,
    row.claimedBy?.businessId ?? null,
  ]);
}

/**
 * The filtered codes as CSV, newest first, read in keyset chunks as the consumer pulls: one
 * chunk of rows in memory at a time, however many codes match. A search it cannot read
 * throws here, before anything is streamed. `bom` starts the file with a UTF-8 byte order
 * mark, which spreadsheet programs need to read non-ASCII names correctly.
 */
export function codesCsv(
  db: Database,
  {
    partnerId,
    filter = {},
    chunkSize = 5000,
    bom = false,
    now,
  }: {
    partnerId: string;
    filter?: CodeFilter;
    chunkSize?: number;
    bom?: boolean;
    now: Date;
  },
): ReadableStream<Uint8Array> {
  const resolved = resolveFilter(filter);
  return csvStream({
    header: CSV_HEADER,
    bom,
    chunkSize,
    readChunk: async (beforeSerial: number | null, limit) =>
      resolved.none
        ? []
        : selectCodes(db, partnerId, resolved, {
            beforeSerial,
            limit,
            readyBatchesOnly: true,
            now,
          }),
    lineOf: codeCsvLine,
    keyOf: (row) => row.serial,
  });
}

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
        409,
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
        language,
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
