// Which organisations a user belongs to, and where they land after signing in.
import type { Database } from "~db/index.ts";
import type { AuditAction, AuditSubjectType } from "~/lib/audit";

export interface OrganisationLink {
  kind: "partner" | "business";
  id: string;
  name: string;
  role: string;
  href: string;
  /** A partner's status: its members see a banner while it is suspended. */
  status: "active" | "suspended";
}

export async function listOrganisations(db: Database, userId: string): Promise<OrganisationLink[]> {
  const [partners, businesses] = await Promise.all([
    db
      .selectFrom("partner_members")
      .innerJoin("partners", "partners.id", "partner_members.partner_id")
      .select([
        "partners.id",
        "partners.name",
        "partners.slug",
        "partners.status",
        "partner_members.role",
      ])
      .where("partner_members.user_id", "=", userId)
      .orderBy("partners.name")
      .execute(),
    db
      .selectFrom("business_members")
      .innerJoin("businesses", "businesses.id", "business_members.business_id")
      .select(["businesses.id", "businesses.name", "business_members.role"])
      .where("business_members.user_id", "=", userId)
      .orderBy("businesses.name")
      .execute(),
  ]);
  return [
    ...partners.map((p) => ({
      kind: "partner" as const,
      id: p.id,
      name: p.name,
      role: p.role,
      href: `/partner/${p.slug}`,
      status: p.status,
    })),
    ...businesses.map((b) => ({
      kind: "business" as const,
      id: b.id,
      name: b.name,
      role: b.role,
      href: `/business/${b.id}/billing`,
      status: "active" as const,
    })),
  ];
}

/**
 * Support lands on the support desk; everyone else on their first organisation. Someone who
 * belongs nowhere any more lands on the organisation they were last removed from, which tells
 * them so and what to do (ADR 018); anyone else without an organisation on their account.
 */
export async function homePathFor(
  db: Database,
  user: { id: string; isSupport: boolean },
): Promise<string> {
  if (user.isSupport) return "/support";
  const [first] = await listOrganisations(db, user.id);
  if (first) return first.href;
  return (await latestFormerMembership(db, user.id))?.href ?? "/account";
}

/**
 * An organisation the user was taken off (ADR 018): removal deletes the membership row, and
 * its audit entry — `business.staff_removed` / `partner.member_removed` with the user as
 * subject — is the record that they once belonged. Someone who never belonged has no such
 * entry, so the guards still answer them 404 exactly as for an organisation that does not
 * exist.
 */
export interface FormerMembership {
  kind: "partner" | "business";
  name: string;
  href: string;
  removedAt: Date;
}

function businessRemovals(db: Database, userId: string) {
  return db
    .selectFrom("audit_log")
    .innerJoin("businesses", "businesses.id", "audit_log.business_id")
    .select([
      "businesses.id",
      "businesses.name",
      "audit_log.occurred_at as removedAt",
      "audit_log.id as entryId",
    ])
    .where("audit_log.subject_type", "=", "user" satisfies AuditSubjectType)
    .where("audit_log.subject_id", "=", userId)
    .where("audit_log.action", "=", "business.staff_removed" satisfies AuditAction);
}

function partnerRemovals(db: Database, userId: string) {
  return db
    .selectFrom("audit_log")
    .innerJoin("partners", "partners.id", "audit_log.partner_id")
    .select([
      "partners.slug",
      "partners.name",
      "audit_log.occurred_at as removedAt",
      "audit_log.id as entryId",
    ])
    .where("audit_log.subject_type", "=", "user" satisfies AuditSubjectType)
    .where("audit_log.subject_id", "=", userId)
    .where("audit_log.action", "=", "partner.member_removed" satisfies AuditAction);
}

/** The user's removal from this business, when they are no longer on its staff. */
export async function formerBusinessMembership(
  db: Database,
  { userId, businessId }: { userId: string; businessId: string },
): Promise<FormerMembership | null> {
  const removal = await businessRemovals(db, userId)
    .where("audit_log.business_id", "=", businessId)
    .orderBy("audit_log.id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!removal) return null;
  return {
    kind: "business",
    name: removal.name,
    href: `/business/${removal.id}/billing`,
    removedAt: removal.removedAt,
  };
}

/** The user's removal from this partner's team, when they are no longer on it. */
export async function formerPartnerMembership(
  db: Database,
  { userId, partnerSlug }: { userId: string; partnerSlug: string },
): Promise<FormerMembership | null> {
  const removal = await partnerRemovals(db, userId)
    .where("partners.slug", "=", partnerSlug)
    .orderBy("audit_log.id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!removal) return null;
  return {
    kind: "partner",
    name: removal.name,
    href: `/partner/${removal.slug}`,
    removedAt: removal.removedAt,
  };
}

/**
 * The organisation the user was most recently removed from and has not rejoined: where
 * someone who belongs nowhere any more lands after signing in, to be told why.
 */
export async function latestFormerMembership(
  db: Database,
  userId: string,
): Promise<FormerMembership | null> {
  const [business, partner] = await Promise.all([
    businessRemovals(db, userId)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("business_members")
              .select("business_members.user_id")
              .whereRef("business_members.business_id", "=", "audit_log.business_id")
              .where("business_members.user_id", "=", userId),
          ),
        ),
      )
      .orderBy("audit_log.id", "desc")
      .limit(1)
      .executeTakeFirst(),
    partnerRemovals(db, userId)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("partner_members")
              .select("partner_members.user_id")
              .whereRef("partner_members.partner_id", "=", "audit_log.partner_id")
              .where("partner_members.user_id", "=", userId),
          ),
        ),
      )
      .orderBy("audit_log.id", "desc")
      .limit(1)
      .executeTakeFirst(),
  ]);
  const latest =
    business && (!partner || business.entryId > partner.entryId)
      ? {
          kind: "business" as const,
          name: business.name,
          href: `/business/${business.id}/billing`,
          removedAt: business.removedAt,
        }
      : partner
        ? {
            kind: "partner" as const,
            name: partner.name,
            href: `/partner/${partner.slug}`,
            removedAt: partner.removedAt,
          }
        : null;
  return latest;
}
