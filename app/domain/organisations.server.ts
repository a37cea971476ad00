// Which organisations a user belongs to, and where they land after signing in.
import type { Database } from "~db/index.ts";

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
      status: p.status === "suspended" ? ("suspended" as const) : ("active" as const),
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

/** Support lands on the support desk; everyone else on their first organisation. */
export async function homePathFor(
  db: Database,
  user: { id: string; isSupport: boolean },
): Promise<string> {
  if (user.isSupport) return "/support";
  const [first] = await listOrganisations(db, user.id);
  return first?.href ?? "/account";
}
