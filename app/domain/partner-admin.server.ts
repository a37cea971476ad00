// Support's changes to partners: enrolment (which invites the owner), terms, and suspension.
// The same schemas serve the support pages and `npm run admin -- partner enrol`.
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { createInvitation } from "~/auth/invitations.server";
import { emailField, optionalReasonField } from "~/lib/fields";
import { parsePercentageBps } from "~/lib/money-input";
import { resolveLocale } from "~/lib/locale";
import { suggestSlug } from "~/lib/slug";
import { recordAudit, type AuditActor } from "./audit.server";
import { DomainError } from "./errors.server";

export const PARTNER_TYPES = [
  "marketing_agency",
  "loyalty_consultant",
  "restaurant_consultant",
  "pos_vendor",
  "other",
] as const;

/** The formats a partner's statements can be printed in (amounts are always EUR). */
export const PARTNER_LOCALES = [
  "en-IE",
  "en-GB",
  "de-DE",
  "de-AT",
  "fr-FR",
  "nl-NL",
  "es-ES",
  "it-IT",
  "pl-PL",
  "th-TH",
  "uk-UA",
] as const;

const percentage = z
  .string()
  .trim()
  .min(1)
  .transform((text, ctx) => {
    const bps = parsePercentageBps(text);
    if (bps === null || bps > 10_000) {
      ctx.addIssue({ code: "custom", message: "support:validation.percentage" });
      return z.NEVER;
    }
    return bps;
  });

const SlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{1,47}$/, "support:validation.slug");
const PrefixSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{2,8}$/, "support:validation.prefix");
const LocaleSchema = z.enum(PARTNER_LOCALES);

const TermsFields = {
  discount: percentage,
  taxRate: percentage,
  statementPrefix: PrefixSchema,
  locale: LocaleSchema,
  contactName: z.string().trim().max(120),
  contactEmail: emailField,
  specialTerms: z.string().trim().max(2000),
};

/** The enrolment form; the contact email is the owner's, who is invited. */
export const EnrolPartnerSchema = z.preprocess(
  (raw) => {
    // Without JavaScript the slug field is not filled in from the name: suggest it here.
    if (typeof raw !== "object" || raw === null) return raw;
    const fields = raw as Record<string, unknown>;
    const slug = typeof fields.slug === "string" ? fields.slug.trim() : "";
    const name = typeof fields.name === "string" ? fields.name : "";
    return slug ? fields : { ...fields, slug: suggestSlug(name) };
  },
  z.object({
    name: z.string().trim().min(1).max(120),
    slug: SlugSchema,
    type: z.enum(PARTNER_TYPES),
    ...TermsFields,
    contactName: z.string().trim().max(120).default(""),
    specialTerms: z.string().trim().max(2000).default(""),
    taxRate: percentage.default("0"),
    locale: LocaleSchema.default("en-IE"),
  }),
);
export type EnrolPartnerInput = z.infer<typeof EnrolPartnerSchema>;

export const PartnerTermsSchema = z.object({
  ...TermsFields,
  reason: optionalReasonField,
});
export type PartnerTermsInput = z.infer<typeof PartnerTermsSchema>;

export class SlugTaken extends DomainError {
  constructor() {
    super("slug_taken", "Another partner already has this slug.", "slug");
  }
}

export class StatementPrefixTaken extends DomainError {
  constructor() {
    super(
      "prefix_taken",
      "Another partner uses this statement prefix, or has statements numbered with it.",
      "statementPrefix",
    );
  }
}

export class PartnerNotFound extends DomainError {
  constructor() {
    super("partner_not_found", "No such partner.");
  }
}

export class PartnerStatusUnchanged extends DomainError {
  constructor(status: "active" | "suspended") {
    super(
      status === "suspended" ? "partner_already_suspended" : "partner_already_active",
      status === "suspended"
        ? "The partner is already suspended."
        : "The partner is already active.",
    );
  }
}

function violatedConstraint(error: unknown): string | null {
  if (typeof error !== "object" || error === null) return null;
  if ((error as { code?: unknown }).code !== "23505") return null;
  const { message } = error as { message?: unknown };
  if (typeof message !== "string") return "unique";
  return /"([^"]+)"/.exec(message)?.[1] ?? "unique";
}

/**
 * A prefix is free for a partner when no other partner holds it now and none has a statement
 * numbered with it: statement numbers are unique, so a prefix another partner once printed
 * would collide with its numbers of the same year (ADR 015).
 */
async function assertPrefixFree(
  db: Database,
  prefix: string,
  partnerId: string | null,
): Promise<void> {
  let holder = db.selectFrom("partners").select("id").where("statement_prefix", "=", prefix);
  if (partnerId) holder = holder.where("id", "<>", partnerId);
  let printed = db.selectFrom("statements").select("id").where("number", "like", `${prefix}-%`);
  if (partnerId) printed = printed.where("partner_id", "<>", partnerId);
  const [current, history] = await Promise.all([
    holder.executeTakeFirst(),
    printed.limit(1).executeTakeFirst(),
  ]);
  if (current || history) throw new StatementPrefixTaken();
}

function mapUniqueViolation(error: unknown): never {
  const constraint = violatedConstraint(error);
  if (constraint === "partners_slug_key") throw new SlugTaken();
  if (constraint === "partners_statement_prefix_key") throw new StatementPrefixTaken();
  throw error;
}

export interface EnrolledPartner {
  id: string;
  slug: string;
  name: string;
  invitationLink: string;
}

/**
 * Creates the partner and invites its owner (the contact email) through the ordinary
 * invitations. The invitation is sent after the partner is committed: an email never goes out
 * for a partner that does not exist, and a failed send leaves a partner support can re-invite
 * from its page.
 */
export async function enrolPartner(
  db: Database,
  {
    input,
    actor,
    ip = null,
    now,
  }: {
    input: EnrolPartnerInput;
    actor: { id: string | null; email: string; name: string };
    ip?: string | null;
    now: Date;
  },
): Promise<EnrolledPartner> {
  const partner = await db
    .transaction()
    .execute(async (trx) => {
      const slugHolder = await trx
        .selectFrom("partners")
        .select("id")
        .where("slug", "=", input.slug)
        .executeTakeFirst();
      if (slugHolder) throw new SlugTaken();
      await assertPrefixFree(trx, input.statementPrefix, null);
      const row = await trx
        .insertInto("partners")
        .values({
          name: input.name,
          slug: input.slug,
          type: input.type,
          discount_bps: input.discount,
          tax_rate_bps: input.taxRate,
          statement_prefix: input.statementPrefix,
          locale: input.locale,
          contact_name: input.contactName,
          contact_email: input.contactEmail.toLowerCase(),
          special_terms: input.specialTerms,
        })
        .returning(["id", "slug", "name"])
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: { userId: actor.id, label: actor.email },
        action: "partner.enrolled",
        partnerId: row.id,
        subject: { type: "partner", id: row.id },
        after: {
          name: input.name,
          slug: input.slug,
          type: input.type,
          discountBps: input.discount,
          taxRateBps: input.taxRate,
          statementPrefix: input.statementPrefix,
          locale: input.locale,
          contactName: input.contactName,
          contactEmail: input.contactEmail.toLowerCase(),
          specialTerms: input.specialTerms,
        },
        ip,
      });
      return row;
    })
    .catch(mapUniqueViolation);
  const { link } = await createInvitation(db, {
    inviter: actor,
    target: { partnerId: partner.id, role: "owner" },
    email: input.contactEmail,
    language: resolveLocale(input.locale, null).language,
    ip,
    now: now,
  });
  return { ...partner, invitationLink: link };
}

const TERM_COLUMNS = {
  discount: "discount_bps",
  taxRate: "tax_rate_bps",
  statementPrefix: "statement_prefix",
  locale: "locale",
  contactName: "contact_name",
  contactEmail: "contact_email",
  specialTerms: "special_terms",
} as const;
type TermKey = keyof typeof TERM_COLUMNS;

/**
 * Changes a partner's terms. Claims after the change are priced with the new terms (the claim
 * reads the partner row in its own transaction); statements finalised after it print the new
 * prefix and continue the year's sequence (ADR 015). Returns the fields that changed (none:
 * nothing written).
 */
export async function updatePartnerTerms(
  db: Database,
  {
    partnerId,
    terms,
    actor,
    ip = null,
    now,
  }: {
    partnerId: string;
    terms: PartnerTermsInput;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<TermKey[]> {
  return db
    .transaction()
    .execute(async (trx) => {
      // The row lock orders this change against a finalisation of the partner's statements
      // (which locks the same row): a statement is made entirely before or after it.
      const current = await trx
        .selectFrom("partners")
        .select([
          "discount_bps",
          "tax_rate_bps",
          "statement_prefix",
          "locale",
          "contact_name",
          "contact_email",
          "special_terms",
        ])
        .where("id", "=", partnerId)
        .forUpdate()
        .executeTakeFirst();
      if (!current) throw new PartnerNotFound();
      const next = { ...terms, contactEmail: terms.contactEmail.toLowerCase() };
      const changed = (Object.keys(TERM_COLUMNS) as TermKey[]).filter(
        (key) => current[TERM_COLUMNS[key]] !== next[key],
      );
      if (changed.length === 0) return changed;
      if (changed.includes("statementPrefix")) {
        await assertPrefixFree(trx, next.statementPrefix, partnerId);
      }
      const before: Record<string, string | number> = {};
      const after: Record<string, string | number> = {};
      const set: Record<string, string | number> = {};
      for (const key of changed) {
        before[key] = current[TERM_COLUMNS[key]];
        after[key] = next[key];
        set[TERM_COLUMNS[key]] = next[key];
      }
      await trx
        .updateTable("partners")
        .set({ ...set, updated_at: now })
        .where("id", "=", partnerId)
        .execute();
      await recordAudit(trx, {
        actor,
        action: "partner.terms_changed",
        partnerId,
        subject: { type: "partner", id: partnerId },
        before,
        after,
        reason: terms.reason || null,
        ip,
      });
      return changed;
    })
    .catch((error: unknown) => {
      if (error instanceof DomainError) throw error;
      return mapUniqueViolation(error);
    });
}

/**
 * Suspends or reactivates a partner. Nothing is deleted: a suspended partner's codes refuse
 * claims (`partner_suspended`), it cannot generate codes, its API keys are refused, and its
 * members see a banner; reactivating restores all of it.
 */
export async function setPartnerStatus(
  db: Database,
  {
    partnerId,
    status,
    reason,
    actor,
    ip = null,
    now,
  }: {
    partnerId: string;
    status: "active" | "suspended";
    reason: string;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("partners")
      .set({ status, updated_at: now })
      .where("id", "=", partnerId)
      .where("status", "<>", status)
      .returning("id")
      .executeTakeFirst();
    if (!updated) {
      const exists = await trx
        .selectFrom("partners")
        .select("id")
        .where("id", "=", partnerId)
        .executeTakeFirst();
      throw exists ? new PartnerStatusUnchanged(status) : new PartnerNotFound();
    }
    await recordAudit(trx, {
      actor,
      action: status === "suspended" ? "partner.suspended" : "partner.reactivated",
      partnerId,
      subject: { type: "partner", id: partnerId },
      before: { status: status === "suspended" ? "active" : "suspended" },
      after: { status },
      reason,
      ip,
    });
  });
}

/** A partner by slug for the support pages (any status), or null. */
export async function findPartnerForSupport(
  db: Database,
  slug: string,
): Promise<{ id: string; slug: string; name: string; status: string } | null> {
  const row = await db
    .selectFrom("partners")
    .select(["id", "slug", "name", "status"])
    .where("slug", "=", slug)
    .executeTakeFirst();
  return row ?? null;
}
