// Partners: their terms, their team, and the support desk's list of them.
import { sql } from "kysely";
import type { Database } from "~db/index.ts";
import { afterKey, keyset, pageSize, type Page } from "./paging.server";

export interface PartnerTerms {
  id: string;
  name: string;
  slug: string;
  type: string;
  status: string;
  discountBps: number;
  taxRateBps: number;
  statementPrefix: string;
  specialTerms: string;
  contactName: string;
  contactEmail: string;
  /** BCP 47 tag the partner's statements are formatted in (amounts, dates). */
  locale: string;
  createdAt: Date;
}

export async function getPartnerTerms(
  db: Database,
  { partnerId }: { partnerId: string },
): Promise<PartnerTerms> {
  const row = await db
    .selectFrom("partners")
    .select([
      "id",
      "name",
      "slug",
      "type",
      "status",
      "discount_bps",
      "tax_rate_bps",
      "statement_prefix",
      "special_terms",
      "contact_name",
      "contact_email",
      "locale",
      "created_at",
    ])
    .where("id", "=", partnerId)
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    type: row.type,
    status: row.status,
    discountBps: row.discount_bps,
    taxRateBps: row.tax_rate_bps,
    statementPrefix: row.statement_prefix,
    specialTerms: row.special_terms,
    contactName: row.contact_name,
    contactEmail: row.contact_email,
    locale: row.locale,
    createdAt: row.created_at,
  };
}

export interface TeamMember {
  userId: string;
  name: string;
  email: string;
  role: string;
  joinedAt: Date;
  lastSignInAt: Date | null;
}

export async function listPartnerTeam(
  db: Database,
  { partnerId }: { partnerId: string },
): Promise<TeamMember[]> {
  const rows = await db
    .selectFrom("partner_members")
    .innerJoin("users", "users.id", "partner_members.user_id")
    .select([
      "users.id",
      "users.name",
      "users.email",
      "partner_members.role",
      "partner_members.created_at",
      "users.last_sign_in_at",
    ])
    .where("partner_members.partner_id", "=", partnerId)
    .orderBy("partner_members.role", "desc")
    .orderBy("users.email")
    .execute();
  return rows.map((r) => ({
    userId: r.id,
    name: r.name,
    email: r.email,
    role: r.role,
    joinedAt: r.created_at,
    lastSignInAt: r.last_sign_in_at,
  }));
}

const partnersPaging = keyset("partners", ["text", "uuid"]);

export interface PartnerListRow {
  id: string;
  name: string;
  slug: string;
  type: string;
  status: string;
  discountBps: number;
  members: number;
  createdAt: Date;
}

/** Support's list of partners, by name, keyset paged. */
export async function listPartners(
  db: Database,
  { cursor, limit = 25 }: { cursor?: string | null; limit?: number },
): Promise<Page<PartnerListRow>> {
  const size = pageSize(limit, 25, 100);
  const after = partnersPaging.after(cursor);
  let query = db
    .selectFrom("partners")
    .select((eb) => [
      "partners.id",
      "partners.name",
      "partners.slug",
      "partners.type",
      "partners.status",
      "partners.discount_bps",
      "partners.created_at",
      eb
        .selectFrom("partner_members")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("partner_members.partner_id", "=", "partners.id")
        .as("members"),
    ])
    .orderBy("partners.name")
    .orderBy("partners.id")
    .limit(size + 1);
  if (after) {
    query = query.where(afterKey([sql.ref("partners.name"), sql.ref("partners.id")], after, "asc"));
  }
  const rows = await query.execute();
  const page = partnersPaging.page(rows, size, (r) => [r.name, r.id]);
  return {
    rows: page.rows.map((r) => ({
      id: r.id,
      name: r.name,
      slug: r.slug,
      type: r.type,
      status: r.status,
      discountBps: r.discount_bps,
      members: Number(r.members ?? 0),
      createdAt: r.created_at,
    })),
    nextCursor: page.nextCursor,
  };
}

export async function supportOverview(db: Database) {
  const [partners, businesses, users] = await Promise.all([
    db
      .selectFrom("partners")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("businesses")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { partners: Number(partners.n), businesses: Number(businesses.n), users: Number(users.n) };
}

/** A partner's locale, only for one of its members (the language fallback on its pages). */
export async function memberPartnerLocale(
  db: Database,
  { userId, slug }: { userId: string; slug: string },
): Promise<string | null> {
  const row = await db
    .selectFrom("partners")
    .innerJoin("partner_members", "partner_members.partner_id", "partners.id")
    .select("partners.locale")
    .where("partners.slug", "=", slug)
    .where("partner_members.user_id", "=", userId)
    .executeTakeFirst();
  return row?.locale ?? null;
}
