// Invitations: a partner owner invites members, a business owner invites staff; the
// emailed link lets the invitee set a password (or, with an account, just accept).
import type { Database } from "~db/index.ts";
import { invitationPending } from "~/domain/predicates.server";
import { env } from "~/env.server";
import { recordAudit, type AuditActor } from "~/domain/audit.server";
import { reattributeSeats } from "~/domain/entitlements/seats.server";
import { DomainError } from "~/domain/errors.server";
import { rateLimitRules, reserveRateLimits } from "~/domain/rate-limits.server";
import { invitationEmail } from "~/email/messages.server";
import { sendMail } from "~/email/mailer.server";
import { recipientLanguage } from "~/email/recipient-language.server";
import type { Language } from "~/lib/locale";
import { normaliseEmail } from "./accounts.server";
import { hashPassword } from "./password.server";
import { createSession } from "./session.server";
import { generateToken, hashToken } from "./tokens.server";

export const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

export type InvitationTarget =
  { partnerId: string; role: "owner" | "member" } | { businessId: string; role: "owner" | "staff" };

export class AlreadyMember extends DomainError {
  constructor() {
    super("already_member", "This person is already a member.", "email");
  }
}

export class InvitationUnusable extends DomainError {
  constructor() {
    super("invitation_unusable", "This invitation link is invalid, used or expired.");
  }
}

export async function createInvitation(
  db: Database,
  {
    inviter,
    target,
    email,
    language,
    ip,
    now,
  }: {
    /** A support user, an owner, or the admin CLI (no user id). */
    inviter: { id: string | null; email: string; name: string };
    target: InvitationTarget;
    email: string;
    /** The sender's language: used when neither the recipient nor the partner names one. */
    language: Language;
    ip: string | null;
    now: Date;
  },
): Promise<{ link: string }> {
  const address = normaliseEmail(email);
  // Each invitation is an email from the portal's address: counted before anything else.
  await reserveRateLimits(
    db,
    [
      { key: `invite:user:${inviter.id}`, rule: rateLimitRules.invitationsPerUser },
      { key: `invite:ip:${ip ?? "unknown"}`, rule: rateLimitRules.invitationsPerIp },
    ],
    now,
  );
  const token = generateToken();
  const partnerId = "partnerId" in target ? target.partnerId : null;
  const businessId = "businessId" in target ? target.businessId : null;

  const organisation = await db.transaction().execute(async (trx) => {
    const member = partnerId
      ? await trx
          .selectFrom("partner_members")
          .innerJoin("users", "users.id", "partner_members.user_id")
          .select("users.id")
          .where("partner_members.partner_id", "=", partnerId)
          .where("users.email", "=", address)
          .executeTakeFirst()
      : await trx
          .selectFrom("business_members")
          .innerJoin("users", "users.id", "business_members.user_id")
          .select("users.id")
          .where("business_members.business_id", "=", businessId!)
          .where("users.email", "=", address)
          .executeTakeFirst();
    if (member) throw new AlreadyMember();

    // A newer invitation replaces an older pending one for the same person.
    let pending = trx
      .updateTable("invitations")
      .set({ revoked_at: now })
      .where("email", "=", address)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null);
    pending = partnerId
      ? pending.where("partner_id", "=", partnerId)
      : pending.where("business_id", "=", businessId!);
    await pending.execute();

    await trx
      .insertInto("invitations")
      .values({
        token_hash: hashToken(token),
        email: address,
        partner_id: partnerId,
        business_id: businessId,
        role: target.role,
        invited_by: inviter.id,
        expires_at: new Date(now.getTime() + INVITATION_LIFETIME_MS),
      })
      .execute();
    await recordAudit(trx, {
      actor: { userId: inviter.id, label: inviter.email },
      action: "invitation.created",
      partnerId,
      businessId,
      subject: { type: "invitation", id: address },
      after: { email: address, role: target.role },
      ip,
    });
    const org = partnerId
      ? await trx
          .selectFrom("partners")
          .select("name")
          .where("id", "=", partnerId)
          .executeTakeFirstOrThrow()
      : await trx
          .selectFrom("businesses")
          .select("name")
          .where("id", "=", businessId!)
          .executeTakeFirstOrThrow();
    return org.name;
  });

  const link = `${env.PUBLIC_URL}/invitations/${token}`;
  await sendMail(
    invitationEmail({
      to: address,
      link,
      language: await recipientLanguage(db, {
        email: address,
        partnerId,
        businessId,
        senderLanguage: language,
      }),
      organisation,
      organisationKind: "partnerId" in target ? "partner" : "business",
      inviter: inviter.name || inviter.email,
    }),
  );
  return { link };
}

export interface InvitationView {
  email: string;
  role: string;
  organisationKind: "partner" | "business";
  organisationName: string;
  /** An account with a password exists for the email: the invitee signs in to accept. */
  accountExists: boolean;
}

export async function findInvitation(
  db: Database,
  token: string,
  now: Date,
): Promise<InvitationView | null> {
  const row = await db
    .selectFrom("invitations")
    .leftJoin("partners", "partners.id", "invitations.partner_id")
    .leftJoin("businesses", "businesses.id", "invitations.business_id")
    .leftJoin("users", "users.email", "invitations.email")
    .select([
      "invitations.email",
      "invitations.role",
      "invitations.partner_id",
      "partners.name as partner_name",
      "businesses.name as business_name",
      "users.password_hash",
    ])
    .where("invitations.token_hash", "=", hashToken(token))
    .where(invitationPending("invitations", now))
    .executeTakeFirst();
  if (!row) return null;
  return {
    email: row.email,
    role: row.role,
    organisationKind: row.partner_id ? "partner" : "business",
    organisationName: row.partner_name ?? row.business_name ?? "",
    accountExists: Boolean(row.password_hash),
  };
}

/**
 * Accepts once (the conditional update decides). A new invitee sets name and password;
 * an existing account must be the one signed in. Returns a fresh session for new accounts.
 */
export async function acceptInvitation(
  db: Database,
  {
    token,
    signedInUser,
    name,
    password,
    ip,
    userAgent,
    now,
  }: {
    token: string;
    signedInUser: { id: string; email: string } | null;
    name?: string;
    password?: string;
    ip: string | null;
    userAgent: string | null;
    now: Date;
  },
): Promise<{ userId: string; session: { token: string; expiresAt: Date } | null; href: string }> {
  const passwordHash = password ? await hashPassword(password) : null;
  return db.transaction().execute(async (trx) => {
    const invitation = await trx
      .updateTable("invitations")
      .set({ accepted_at: now })
      .where("token_hash", "=", hashToken(token))
      .where(invitationPending("invitations", now))
      .returning(["email", "role", "partner_id", "business_id", "invited_by"])
      .executeTakeFirst();
    if (!invitation) throw new InvitationUnusable();

    const existing = await trx
      .selectFrom("users")
      .select(["id", "email", "password_hash"])
      .where("email", "=", invitation.email)
      .executeTakeFirst();

    let userId: string;
    let newSession: { token: string; expiresAt: Date } | null = null;
    if (existing?.password_hash) {
      if (!signedInUser || signedInUser.id !== existing.id) throw new InvitationUnusable();
      userId = existing.id;
    } else {
      if (!passwordHash || !name)
        throw new DomainError("password_required", "Set a name and a password.", "password");
      userId = existing
        ? (
            await trx
              .updateTable("users")
              .set({ name, password_hash: passwordHash, updated_at: now })
              .where("id", "=", existing.id)
              .returning("id")
              .executeTakeFirstOrThrow()
          ).id
        : (
            await trx
              .insertInto("users")
              .values({ email: invitation.email, name, password_hash: passwordHash })
              .returning("id")
              .executeTakeFirstOrThrow()
          ).id;
      newSession = await createSession(trx, { userId, ip, userAgent });
    }

    let href: string;
    if (invitation.partner_id) {
      if (invitation.role === "staff") throw new Error("A partner invitation is never for staff.");
      await trx
        .insertInto("partner_members")
        .values({ partner_id: invitation.partner_id, user_id: userId, role: invitation.role })
        .onConflict((oc) => oc.columns(["partner_id", "user_id"]).doNothing())
        .execute();
      const partner = await trx
        .selectFrom("partners")
        .select("slug")
        .where("id", "=", invitation.partner_id)
        .executeTakeFirstOrThrow();
      href = `/partner/${partner.slug}`;
    } else {
      if (invitation.role === "member")
        throw new Error("A business invitation is for owners or staff.");
      await trx
        .insertInto("business_members")
        .values({ business_id: invitation.business_id!, user_id: userId, role: invitation.role })
        .onConflict((oc) => oc.columns(["business_id", "user_id"]).doNothing())
        .execute();
      // The newcomer gets a free seat, or is marked over the limit (and cannot get in) when
      // the seats ran out since the invitation was sent.
      await reattributeSeats(trx, { businessId: invitation.business_id!, now });
      href = `/business/${invitation.business_id}/billing`;
    }
    await recordAudit(trx, {
      actor: { userId, label: invitation.email },
      action: "invitation.accepted",
      partnerId: invitation.partner_id,
      businessId: invitation.business_id,
      subject: { type: "user", id: userId },
      after: { role: invitation.role },
      ip,
    });
    return { userId, session: newSession, href };
  });
}

export interface PendingInvitation {
  email: string;
  role: string;
  expiresAt: Date;
  createdAt: Date;
}

export async function listPendingPartnerInvitations(
  db: Database,
  partnerId: string,
  now: Date,
): Promise<PendingInvitation[]> {
  const rows = await db
    .selectFrom("invitations")
    .select(["email", "role", "expires_at", "created_at"])
    .where("partner_id", "=", partnerId)
    .where(invitationPending("invitations", now))
    .orderBy("created_at", "desc")
    .execute();
  return rows.map((r) => ({
    email: r.email,
    role: r.role,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
  }));
}

/** One partner's pending invitation to a person, or null. */
async function pendingPartnerInvitation(db: Database, partnerId: string, email: string, now: Date) {
  return db
    .selectFrom("invitations")
    .select("role")
    .where("partner_id", "=", partnerId)
    .where("email", "=", normaliseEmail(email))
    .where(invitationPending("invitations", now))
    .executeTakeFirst();
}

export class InvitationNotPending extends DomainError {
  constructor() {
    super("invitation_not_pending", "There is no pending invitation for this email.", "email");
  }
}

/** Sends a pending invitation again with a fresh link and lifetime (the old link stops working). */
export async function resendPartnerInvitation(
  db: Database,
  {
    partnerId,
    email,
    inviter,
    language,
    ip,
    now,
  }: {
    partnerId: string;
    email: string;
    inviter: { id: string | null; email: string; name: string };
    language: Language;
    ip: string | null;
    now: Date;
  },
): Promise<{ link: string }> {
  const pending = await pendingPartnerInvitation(db, partnerId, email, now);
  if (!pending) throw new InvitationNotPending();
  const role = pending.role === "owner" ? "owner" : "member";
  return createInvitation(db, {
    inviter,
    target: { partnerId, role },
    email,
    language,
    ip,
    now,
  });
}

/**
 * Revokes the pending invitation of an email to a partner or a business: its link stops
 * working at once, and the audit entry keeps whom it was for and as what. False when none was
 * pending, which each page names its own way.
 */
export async function revokeInvitation(
  db: Database,
  {
    to,
    email,
    actor,
    ip,
    now,
  }: {
    to: { partnerId: string } | { businessId: string };
    email: string;
    actor: AuditActor;
    ip: string | null;
    now: Date;
  },
): Promise<boolean> {
  const address = normaliseEmail(email);
  return db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable("invitations")
      .set({ revoked_at: now })
      .where((eb) =>
        "partnerId" in to
          ? eb("partner_id", "=", to.partnerId)
          : eb("business_id", "=", to.businessId),
      )
      .where("email", "=", address)
      .where(invitationPending("invitations", now))
      .returning("role")
      .execute();
    const first = revoked[0];
    if (!first) return false;
    await recordAudit(trx, {
      actor,
      action: "invitation.revoked",
      ...to,
      subject: { type: "invitation", id: address },
      before: { email: address, role: first.role },
      ip,
    });
    return true;
  });
}

/** Support's revoke of a pending invitation to a partner. */
export async function revokePartnerInvitation(
  db: Database,
  {
    partnerId,
    ...revoke
  }: { partnerId: string; email: string; actor: AuditActor; ip: string | null; now: Date },
): Promise<void> {
  if (!(await revokeInvitation(db, { to: { partnerId }, ...revoke })))
    throw new InvitationNotPending();
}
