// A business's staff and their seats: who holds which seat, inviting staff while a seat is
// free, removing staff and revoking invitations. The seat rule itself is entitlements'.
import type { Database } from "~db/index.ts";
import { invitationPending } from "./predicates.server";
import { normaliseEmail } from "~/auth/accounts.server";
import { AlreadyMember, createInvitation, revokeInvitation } from "~/auth/invitations.server";
import type { Language } from "~/lib/locale";
import { recordAudit } from "./audit.server";
import { freeStaffSeats, getEntitlements } from "./entitlements/answer.server";
import { lockBusinessPlans, type GrantSource } from "./entitlements/plan.server";
import { reattributeSeats } from "./entitlements/seats.server";
import { DomainError } from "./errors.server";

export class NoFreeStaffSeat extends DomainError {
  constructor(readonly seats: number) {
    super(
      "no_free_staff_seat",
      `${seats === 1 ? "Your 1 staff seat is" : `All ${seats} staff seats are`} taken. To add staff, upgrade your plan or redeem an activation code on the billing page.`,
      "email",
    );
  }
}

export class OwnerNotRemovable extends DomainError {
  constructor() {
    super("owner_not_removable", "The owner of a business cannot be removed.");
  }
}

export class StaffMemberNotFound extends DomainError {
  constructor() {
    super("staff_member_not_found", "This person is not a member of the business.");
  }
}

export class StaffInvitationNotFound extends DomainError {
  constructor() {
    super("staff_invitation_not_found", "There is no pending invitation for this email.");
  }
}

/** What a member's seat is, in words the page can show. */
export type StaffSeatLabel =
  | { kind: "plan" }
  | { kind: "code"; serial: number; bundleName: string }
  | { kind: "grant"; source: GrantSource }
  | { kind: "none" };

export interface StaffMember {
  userId: string;
  name: string;
  email: string;
  role: "owner" | "staff";
  joinedAt: Date;
  seat: StaffSeatLabel;
}

export interface PendingStaffInvitation {
  email: string;
  role: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface StaffSeats {
  seats: { available: number; taken: number; overLimit: number; pending: number; free: number };
  members: StaffMember[];
  pending: PendingStaffInvitation[];
}

/** The members with their seats (as attributed now) and the invitations not yet answered. */
export async function listStaffSeats(
  db: Database,
  { businessId, now }: { businessId: string; now: Date },
): Promise<StaffSeats | null> {
  const [entitlements, free, members, pending] = await Promise.all([
    getEntitlements(db, { businessId, now }),
    freeStaffSeats(db, { businessId, now }),
    db
      .selectFrom("business_members")
      .innerJoin("users", "users.id", "business_members.user_id")
      .select([
        "users.id",
        "users.name",
        "users.email",
        "business_members.role",
        "business_members.created_at",
      ])
      .where("business_members.business_id", "=", businessId)
      .execute(),
    db
      .selectFrom("invitations")
      .select(["email", "role", "created_at", "expires_at"])
      .where("business_id", "=", businessId)
      .where(invitationPending("invitations", now))
      .orderBy("created_at", "desc")
      .execute(),
  ]);
  if (!entitlements || !free) return null;
  const grants = new Map(entitlements.grants.map((g) => [g.id, g]));
  const seatOf = (userId: string): StaffSeatLabel => {
    const seat = entitlements.seats[userId] ?? { kind: "none" };
    if (seat.kind !== "grant") return seat;
    const grant = grants.get(seat.grantId);
    if (grant?.code)
      return { kind: "code", serial: grant.code.serial, bundleName: grant.code.bundleName };
    return { kind: "grant", source: grant?.source ?? "support" };
  };
  // The seat order: the owner first, then by the time they joined (as seats are attributed).
  const ordered = members.sort(
    (a, b) =>
      (a.role === "owner" ? 0 : 1) - (b.role === "owner" ? 0 : 1) ||
      a.created_at.getTime() - b.created_at.getTime() ||
      (a.id < b.id ? -1 : 1),
  );
  return {
    seats: {
      available: entitlements.staffSeats.available,
      taken: entitlements.staffSeats.taken,
      overLimit: entitlements.staffSeats.overLimit,
      pending: free.pending,
      free: free.free,
    },
    members: ordered.map((m) => ({
      userId: m.id,
      name: m.name,
      email: m.email,
      role: m.role === "owner" ? "owner" : "staff",
      joinedAt: m.created_at,
      seat: seatOf(m.id),
    })),
    pending: pending.map((p) => ({
      email: p.email,
      role: p.role,
      createdAt: p.created_at,
      expiresAt: p.expires_at,
    })),
  };
}

/**
 * Invites a person as staff while a seat is free (pending invitations hold theirs). A new
 * invitation for someone already invited replaces the old one, so it needs no extra seat.
 */
export async function inviteStaff(
  db: Database,
  {
    businessId,
    inviter,
    email,
    language,
    ip,
    now,
  }: {
    businessId: string;
    inviter: { id: string; email: string; name: string };
    email: string;
    language: Language;
    ip: string | null;
    now: Date;
  },
): Promise<{ link: string }> {
  const seats = await freeStaffSeats(db, { businessId, now });
  if (!seats) throw new StaffMemberNotFound();
  if (seats.free === 0) {
    const address = normaliseEmail(email);
    const [member, invited] = await Promise.all([
      db
        .selectFrom("business_members")
        .innerJoin("users", "users.id", "business_members.user_id")
        .select("users.id")
        .where("business_members.business_id", "=", businessId)
        .where("users.email", "=", address)
        .executeTakeFirst(),
      db
        .selectFrom("invitations")
        .select("email")
        .where("business_id", "=", businessId)
        .where("email", "=", address)
        .where(invitationPending("invitations", now))
        .executeTakeFirst(),
    ]);
    if (member) throw new AlreadyMember();
    if (!invited) throw new NoFreeStaffSeat(seats.available);
  }
  return createInvitation(db, {
    inviter,
    target: { businessId, role: "staff" },
    email,
    language,
    ip,
    now: now,
  });
}

/**
 * Removes a staff member from the business (their account stays) and hands the freed seat
 * on: a member over the limit may get it, in the same transaction.
 */
export async function removeStaff(
  db: Database,
  {
    businessId,
    userId,
    actor,
    ip,
    now,
  }: {
    businessId: string;
    userId: string;
    actor: { userId: string; label: string };
    ip: string | null;
    now: Date;
  },
): Promise<{ email: string }> {
  return db.transaction().execute(async (trx) => {
    // The business lock first, as reattributeSeats takes it: a concurrent acceptance or
    // removal then waits here instead of deadlocking on member rows.
    await lockBusinessPlans(trx, { businessIds: [businessId], now });
    const member = await trx
      .selectFrom("business_members")
      .innerJoin("users", "users.id", "business_members.user_id")
      .select(["users.email", "business_members.role", "business_members.seat_grant_id"])
      .where("business_members.business_id", "=", businessId)
      .where("business_members.user_id", "=", userId)
      .executeTakeFirst();
    if (!member) throw new StaffMemberNotFound();
    if (member.role === "owner") throw new OwnerNotRemovable();
    await trx
      .deleteFrom("business_members")
      .where("business_id", "=", businessId)
      .where("user_id", "=", userId)
      .execute();
    await reattributeSeats(trx, { businessId, now });
    await recordAudit(trx, {
      actor,
      action: "business.staff_removed",
      businessId,
      subject: { type: "user", id: userId },
      before: { email: member.email, role: member.role },
      ip,
    });
    return { email: member.email };
  });
}

/** Withdraws a pending staff invitation: its link stops working and its seat is free again. */
export async function revokeStaffInvitation(
  db: Database,
  {
    businessId,
    ...revoke
  }: {
    businessId: string;
    email: string;
    actor: { userId: string; label: string };
    ip: string | null;
    now: Date;
  },
): Promise<void> {
  if (!(await revokeInvitation(db, { to: { businessId }, ...revoke })))
    throw new StaffInvitationNotFound();
}
