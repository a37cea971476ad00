// `npm run admin -- partner enrol …`: scripted onboarding, through the same schema and domain
// function as the support desk's enrolment form, so that tests run exactly this.
import type { Database } from "../db/index.ts";
import { enrolPartner, EnrolPartnerSchema } from "../app/domain/partner-admin.server.ts";
import { DomainError } from "../app/domain/errors.server.ts";
import { parseObject } from "../app/lib/forms.ts";
import type { CliOutcome } from "./admin-statements.ts";
import { cliActor } from "./admin-tokens.ts";

/** The command's flags by the form field they fill. */
const FLAGS: Record<string, string> = {
  name: "--name",
  slug: "--slug",
  type: "--type",
  discount: "--discount",
  taxRate: "--tax-rate",
  statementPrefix: "--prefix",
  contactEmail: "--owner-email",
  contactName: "--contact-name",
  locale: "--locale",
};

const HINTS: Record<string, string> = {
  name: 'give the partner\'s name, e.g. --name "Harbour Digital"',
  slug: "2–48 lower-case letters, digits or dashes, e.g. --slug harbour-digital",
  type: "one of marketing_agency, loyalty_consultant, restaurant_consultant, pos_vendor, other",
  discount: "a percentage from 0 to 100, e.g. --discount 30",
  taxRate: "a percentage from 0 to 100, e.g. --tax-rate 0",
  statementPrefix: "2–8 upper-case letters or digits, e.g. --prefix HARB",
  contactEmail: "the owner's email address, who is invited",
  contactName: "at most 120 characters",
  locale: "one of en-IE, en-GB, de-DE, de-AT, fr-FR, nl-NL, es-ES, it-IT, pl-PL",
};

export async function enrolPartnerFromCli(
  db: Database,
  flags: {
    name?: string;
    slug?: string;
    type?: string;
    discount?: string;
    taxRate?: string;
    prefix?: string;
    ownerEmail?: string;
    contactName?: string;
    locale?: string;
  },
): Promise<CliOutcome> {
  const raw: Record<string, string> = {};
  const fields: [string, string | undefined][] = [
    ["name", flags.name],
    ["slug", flags.slug],
    ["type", flags.type],
    ["discount", flags.discount],
    ["taxRate", flags.taxRate],
    ["statementPrefix", flags.prefix],
    ["contactEmail", flags.ownerEmail],
    ["contactName", flags.contactName],
    ["locale", flags.locale],
  ];
  for (const [field, value] of fields) if (value !== undefined) raw[field] = value;
  // The slug is required here: a script should say what it creates.
  if (raw.slug === undefined) raw.slug = "-";
  const parsed = parseObject(EnrolPartnerSchema, raw);
  if (!parsed.success) {
    const fieldsInError = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
    return {
      ok: false,
      error: fieldsInError.map((field) => `${FLAGS[field] ?? field}: ${HINTS[field]}`).join("\n"),
    };
  }
  try {
    const partner = await enrolPartner(db, {
      input: parsed.data,
      actor: { id: cliActor.userId, email: cliActor.label, name: "7stamp" },
      now: new Date(),
    });
    return {
      ok: true,
      lines: [
        `Partner ${partner.name} (${partner.slug}) is enrolled; its owner ${parsed.data.contactEmail} was invited.`,
        "Invitation link (valid 7 days):",
        partner.invitationLink,
      ],
    };
  } catch (error) {
    if (error instanceof DomainError && error.field) {
      return { ok: false, error: `${FLAGS[error.field] ?? error.field}: ${error.message}` };
    }
    throw error;
  }
}
