// A partner's team: removing a member, changing a member's role, withdrawing an invitation.
// The rule that a partner always keeps an owner is decided inside one transaction that holds
// the partner's row lock, so two owners demoting or removing each other at the same moment
// cannot both succeed.
import type { Transaction } from "kysely";
import type { Database } from "~db/index.ts";
import type { DB } from "~db/schema.ts";
import { revokeInvitation } from "~/auth/invitations.server";
import { recordAudit, type AuditActor } from "./audit.server";
import { DomainError } from "./errors.server";

export type PartnerRole = "owner" | "member";

export class TeamMemberNotFound extends DomainError {
  constructor() {
    super("team_member_not_found", "This person is not in the team.");
  }
}

export class LastOwner extends DomainError {
  constructor() {
    super(
      "last_owner",
      "A partner needs at least one owner: make someone else an owner first.",
      "role",
    );
  }
}

export class PartnerInvitationNotFound extends DomainError {
  constructor() {
    super("partner_invitation_not_found", "There is no pending invitation for this email.");
  }
}

/** Serialises every team change of one partner (the owner count is read under it). */
async function lockPartner(trx: Transaction<DB>, partnerId: string): Promise<void> {
  await trx.selectFrom("partners").select("id").where("id", "=", partnerId).forUpdate().execute();
}

async function otherOwners(trx: Transaction<DB>, partnerId: string, userId: string) {
  const row = await trx
    .selectFrom("partner_members")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("partner_id", "=", partnerId)
    .where("role", "=", "owner")
    .where("user_id", "<>", userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function memberOf(trx: Transaction<DB>, partnerId: string, userId: string) {
  const member = await trx
    .selectFrom("partner_members")
    .innerJoin("users", "users.id", "partner_members.user_id")
    .select(["users.email", "partner_members.role"])
    .where("partner_members.partner_id", "=", partnerId)
    .where("partner_members.user_id", "=", userId)
    .executeTakeFirst();
  if (!member) throw new TeamMemberNotFound();
  return member;
}

/** Takes a person off the team (their account stays). Never the last owner. */
export async function removePartnerMember(
  db: Database,
  {
    partnerId,
    userId,
    actor,
    ip,
  }: { partnerId: string; userId: string; actor: AuditActor; ip: string | null },
): Promise<{ email: string }> {
  return db.transaction().execute(async (trx) => {
    await lockPartner(trx, partnerId);
    const member = await memberOf(trx, partnerId, userId);
    if (member.role === "owner" && (await otherOwners(trx, partnerId, userId)) === 0) {
      throw new LastOwner();
    }
    await trx
      .deleteFrom("partner_members")
      .where("partner_id", "=", partnerId)
      .where("user_id", "=", userId)
      .execute();
    await recordAudit(trx, {
      actor,
      action: "partner.member_removed",
      partnerId,
      subject: { type: "user", id: userId },
      before: { email: member.email, role: member.role },
      ip,
    });
    return { email: member.email };
  });
}

/** Makes a member an owner or an owner a member. Never demotes the last owner. */
export async function changePartnerMemberRole(
  db: Database,
  {
    partnerId,
    userId,
    role,
    actor,
    ip,
  }: {
    partnerId: string;
    userId: string;
    role: PartnerRole;
    actor: AuditActor;
    ip: string | null;
  },
): Promise<{ email: string; changed: boolean }> {
  return db.transaction().execute(async (trx) => {
    await lockPartner(trx, partnerId);
    const member = await memberOf(trx, partnerId, userId);
    if (member.role === role) return { email: member.email, changed: false };
    if (role === "member" && (await otherOwners(trx, partnerId, userId)) === 0) {
      throw new LastOwner();
    }
    await trx
      .updateTable("partner_members")
      .set({ role })
      .where("partner_id", "=", partnerId)
      .where("user_id", "=", userId)
      .execute();
    await recordAudit(trx, {
      actor,
      action: "partner.member_role_changed",
      partnerId,
      subject: { type: "user", id: userId },
      before: { email: member.email, role: member.role },
      after: { role },
      ip,
    });
    return { email: member.email, changed: true };
  });
}

/** Withdraws a pending invitation to the partner: its link stops working. */
export async function revokePartnerInvitation(
  db: Database,
  {
    partnerId,
    ...revoke
  }: { partnerId: string; email: string; actor: AuditActor; ip: string | null; now: Date },
): Promise<void> {
  if (!(await revokeInvitation(db, { to: { partnerId }, ...revoke })))
    throw new PartnerInvitationNotFound();
}
