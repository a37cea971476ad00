// Activation codes after generation: finding them (filters, search, keyset pages, the
// streamed CSV), their history, and what a partner does with one — hand out, email, revoke.
//
// Activation codes: their types, errors and input schemas, shared by the reads and the commands.
import { z } from "zod";
import { translatorFor } from "~/i18n";
import { parseObject, fieldErrorsFrom } from "~/lib/forms";
import type { MessageKey } from "~/lib/messages";
import { defaultLanguage } from "~/lib/locale";
import { DomainError } from "../errors.server";
import { type CodeDisplayStatus } from "../predicates.server";
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
    super("code_not_found", "No such code.", "code");
  }
}

export class CodeMistyped extends DomainError {
  constructor(field = "code") {
    super(
      "code_mistyped",
      "The check symbol does not match: the code was probably mistyped.",
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
    super(notIssuedCodes[reason][0], notIssuedCodes[reason][1], "code");
  }
}

export class RecipientEmailMissing extends DomainError {
  constructor() {
    super(
      "recipient_email_missing",
      "The code has no recipient email: hand it out to an email address first.",
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
      "search",
    );
  }
}

export class EmailNotSent extends DomainError {
  constructor() {
    super("email_not_sent", "The email could not be sent. Please try again later.");
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

const fieldLabels: Record<string, MessageKey> = {
  name: "codes:handOut.name",
  email: "codes:handOut.email",
  note: "codes:handOut.note",
  lockToEmail: "codes:handOut.lockToEmail",
  reason: "codes:revoke.reason",
};

/** Parses domain input; a failure is a DomainError naming the field, in plain English. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const parsed = parseObject(schema, input);
  if (parsed.success) return parsed.data;
  const first = Object.entries(fieldErrorsFrom(parsed.error))[0];
  if (!first) throw new Error("parseInput: a failed parse named no field");
  const [field, error] = first;
  const t = translatorFor(defaultLanguage);
  const label = fieldLabels[field] ? t(fieldLabels[field]) : field;
  throw new DomainError("invalid_request", t(error.key, { field: label, ...error.values }), field);
}
