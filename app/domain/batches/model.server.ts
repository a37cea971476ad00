// Code batches: turning a bundle into 1 to 1,000,000 activation codes. Small batches are
// made inside the request; larger ones by a job, chunk by chunk, resumable after a crash.
// A batch's codes are claimable only once it is `ready`, and `ready` requires every code.
//
// Code batches' limits, types, input schemas and errors.
import { z } from "zod";
import { PREFIX_PATTERN } from "~/lib/activation-code";
import { isCalendarDate } from "~/lib/forms";
import { chooseLocale, supportedLanguages, type Language } from "~/lib/locale";
import { DomainError } from "../errors.server";

/** Up to this many codes are made in the request; more go to the background job. */
export const SYNC_BATCH_LIMIT = 10_000;
export const MAX_BATCH_SIZE = 1_000_000;
/** Codes per insert statement (and per progress step) in the background job. */
export const DEFAULT_CHUNK_SIZE = 10_000;
/** How long a worker owns a generating batch without showing progress. */
export const LEASE_SECONDS = 30;
export const MAX_EXPIRY_DAYS = 3650;

export type BatchStatus = "generating" | "ready" | "failed";

export interface Batch {
  id: string;
  partnerId: string;
  bundleId: string;
  bundleName: string;
  codeCount: number;
  generatedCount: number;
  prefix: string | null;
  expiresAt: Date;
  label: string | null;
  recipient: string | null;
  status: BatchStatus;
  failureReason: string | null;
  createdAt: Date;
  completedAt: Date | null;
  createdByLabel: string;
  /** The tag its code cards print in: "th-TH", "uk", "en-GB" (cardLocale). */
  locale: string;
}

export interface BatchInput {
  count: number;
  prefix: string | null;
  expiresAt: Date | null;
  label: string | null;
  recipient: string | null;
  /** The language of the batch's code cards; null: the partner's (cardLocale). */
  cardLanguage?: Language | null;
}

export interface GeneratedCode {
  serial: number;
  code: string;
  display: string;
}

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((value) => (value === "" ? null : value))
    .nullish()
    .transform((value) => value ?? null);

const prefixSchema = z
  .string()
  .trim()
  .transform((value) => value.toUpperCase())
  .refine((value) => value === "" || PREFIX_PATTERN.test(value), { message: "batches:prefixRule" })
  .transform((value) => (value === "" ? null : value))
  .nullish()
  .transform((value) => value ?? null);

const countSchema = z.number().int().min(1).max(MAX_BATCH_SIZE);

const cardLanguageSchema = z.enum(supportedLanguages);

/**
 * The locale a batch's code cards print in. Without a choice, the partner's language (English
 * when the partner's locale has no catalogue, e.g. "de-DE"). The partner's own tag is kept
 * when it is in that language, so its region still decides the dates ("en-GB"); another
 * language is stored bare ("uk"), and gets its usual region when the cards are rendered.
 */
export function cardLocale(partnerLocale: string, chosen: Language | null): string {
  const partner = chooseLocale({ organisation: partnerLocale });
  const language = chosen ?? partner.language;
  return partnerLocale.split("-")[0] === language ? partnerLocale : language;
}

/** The catalogue language of a batch's stored locale (what its cards read in). */
export function cardLanguageOf(locale: string): Language {
  return chooseLocale({ organisation: locale }).language;
}

/** The API's body: `{count, prefix?, expires_at?, label?, recipient?}` (JSON numbers, ISO dates). */
export const BatchInputSchema = z
  .object({
    count: countSchema,
    prefix: prefixSchema,
    expires_at: z
      .string()
      .datetime({ offset: true })
      .refine(isCalendarDate, { message: "validation.calendarDate" })
      .transform((value) => new Date(value))
      .nullish(),
    label: optionalText(120),
    recipient: optionalText(200),
    locale: cardLanguageSchema.optional(),
  })
  .strict()
  .transform((body): BatchInput => ({
    count: body.count,
    prefix: body.prefix,
    expiresAt: body.expires_at ?? null,
    label: body.label,
    recipient: body.recipient,
    cardLanguage: body.locale ?? null,
  }));

/** The page's form: the same fields as text; expiry is a date (end of that day, UTC). */
export const BatchFormSchema = z
  .object({
    count: z
      .string()
      .trim()
      .min(1)
      .regex(/^\d+$/, { message: "validation.wholeNumber" })
      .transform(Number)
      .pipe(countSchema),
    prefix: prefixSchema,
    expiresOn: z
      .string()
      .trim()
      .refine((value) => value === "" || /^\d{4}-\d{2}-\d{2}$/.test(value), {
        message: "validation.date",
      })
      .refine((value) => value === "" || isCalendarDate(value), {
        message: "validation.calendarDate",
      })
      .optional(),
    label: optionalText(120),
    recipient: optionalText(200),
    // The select always sends one (an unknown value names the field); a POST without it
    // gets the partner's language, as through the API.
    locale: cardLanguageSchema.optional(),
  })
  .transform((form): BatchInput => ({
    count: form.count,
    prefix: form.prefix,
    expiresAt: form.expiresOn ? new Date(`${form.expiresOn}T23:59:59.999Z`) : null,
    label: form.label,
    recipient: form.recipient,
    cardLanguage: form.locale ?? null,
  }));

export class BatchExpiryOutOfRange extends DomainError {
  constructor() {
    super(
      "invalid_request",
      `The expiry must be in the future and at most ${MAX_EXPIRY_DAYS} days away.`,
      "expires_at",
    );
  }
}

/** A suspended partner makes no new codes, in the portal or through its API (ADR 015). */
export class PartnerSuspendedFromGenerating extends DomainError {
  constructor() {
    super(
      "partner_suspended",
      "This partner is suspended: it cannot generate codes until 7stamp support reactivates it.",
    );
  }
}

export class BatchNotFound extends DomainError {
  constructor() {
    super("not_found", "No such batch.", "batch");
  }
}
