// Staff seats: an owner invites staff while a seat is free (plan seats plus claimed codes'),
// accepted members hold seats attributed to grants, a grant that ends leaves the later-joined
// members over the limit — kept, but unable to sign in or open the business — until a seat
// frees up; the minute sweep, removals and new grants hand seats back.
import { beforeEach, describe, expect, test } from "vitest";
import { acceptInvitation, createInvitation } from "~/auth/invitations.server";
import { SESSION_COOKIE } from "~/auth/session.server";
import { db } from "~/db.server";
import { DomainError } from "~/domain/errors.server";
import { claimCode } from "~/domain/redemption.server";
import { inviteStaff, listStaffSeats, NoFreeStaffSeat } from "~/domain/staff.server";
import { testOutbox } from "~/email/mailer.server";
import { sweepStaleSeats } from "~/jobs/seats.server";
import { action as loginAction } from "~/routes/_auth.login";
import { action, loader } from "~/routes/_app.business.$businessId.staff";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  addPartnerMember,
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartnerWithOwner,
  createUser,
  DEFAULT_PASSWORD,
  type TestUser,
} from "../factories.ts";
import { auditRows, countRows, sessionsOf, signInAs, signInThroughLogin } from "../helpers/auth.ts";
import {
  callRoute,
  findSetCookie,
  formRequest,
  getRequest,
  makeContext,
  type FormFailureBody,
} from "../helpers/remix.ts";
import { at, first } from "../helpers/rows.ts";

beforeEach(() => {
  testOutbox().length = 0;
});

const staffPage = (businessId: string) => `/business/${businessId}/staff`;

interface StaffPageBody {
  canManage: boolean;
  seats: { available: number; taken: number; overLimit: number; pending: number; free: number };
  members: { userId: string; email: string; role: string; seat: { kind: string } }[];
  pending: { email: string }[];
}

function post(businessId: string, cookie: string, fields: Record<string, string>) {
  return callRoute<FormFailureBody>(action, {
    request: formRequest(staffPage(businessId), fields, { cookie }),
    params: { businessId },
  });
}

function view(businessId: string, cookie: string) {
  return callRoute<StaffPageBody>(loader, {
    request: getRequest(staffPage(businessId), { cookie }),
    params: { businessId },
  });
}

/** The token at the end of the newest invitation link sent to `email`. */
function invitationToken(email: string): string {
  const mail = [...testOutbox()].reverse().find((m) => m.to === email);
  const match = /\/invitations\/([A-Za-z0-9_-]+)/.exec(mail?.text ?? "");
  if (!match) throw new Error(`no invitation mail to ${email}`);
  return at(match, 1, "invitation token");
}

/** Accepts the newest invitation to `email` as a new person and returns the account. */
async function accept(email: string): Promise<TestUser> {
  const { userId } = await acceptInvitation(db, {
    token: invitationToken(email),
    signedInUser: null,
    name: email.split("@")[0],
    password: DEFAULT_PASSWORD,
    ip: null,
    userAgent: "vitest",
    now: new Date(),
  });
  const user = await testDb()
    .db.selectFrom("users")
    .selectAll()
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  return { ...user, password: DEFAULT_PASSWORD };
}

async function memberRow(businessId: string, userId: string) {
  return testDb()
    .db.selectFrom("business_members")
    .select(["role", "seat_grant_id", "over_seat_limit_since"])
    .where("business_id", "=", businessId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

/** A business with a claimed code whose bundle gives `seats` staff seats. */
async function businessWithCode(seats = 2) {
  const { business, owner } = await createBusinessWithOwner();
  const { partner } = await createPartnerWithOwner();
  const bundle = await createBundle(partner.id, { staffSeats: seats, name: "Café Starter" });
  const { codes } = await createBatchWithCodes(bundle, { count: 1 });
  const claimed = await claimCode(db, {
    businessId: business.id,
    code: first(codes, "code").code,
    actor: { userId: owner.id, label: owner.email, email: owner.email },
    ip: null,
    now: new Date(),
  });
  const cookie = (await signInAs(owner)).cookie;
  return { business, owner, cookie, grantId: claimed.grantId, serial: claimed.serial };
}

/** Ends a grant in the past (starts before it ends, as the table requires). */
async function endGrant(grantId: string) {
  const day = 86_400_000;
  await testDb()
    .db.updateTable("grants")
    .set({ starts_at: new Date(Date.now() - 30 * day), ends_at: new Date(Date.now() - day) })
    .where("id", "=", grantId)
    .execute();
}

/** A support grant of `seats` seats in force now, written without re-attributing. */
async function addSupportGrant(businessId: string, seats: number): Promise<string> {
  const day = 86_400_000;
  const row = await testDb()
    .db.insertInto("grants")
    .values({
      business_id: businessId,
      source: "support",
      staff_seats: seats,
      card_operations: 0,
      starts_at: new Date(Date.now() - day),
      ends_at: new Date(Date.now() + 30 * day),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

function login(user: { email: string }) {
  return callRoute<FormFailureBody>(loginAction, {
    request: formRequest("/login", { email: user.email, password: DEFAULT_PASSWORD }),
    context: makeContext(),
  });
}

describe("inviting staff", () => {
  test("the free plan's one seat is the owner's: an invitation is refused with how to get more", async () => {
    const { business, owner } = await createBusinessWithOwner();
    const cookie = (await signInAs(owner)).cookie;
    const before = await countRows(["invitations", "audit_log"]);

    const result = await post(business.id, cookie, {
      intent: "invite",
      email: "  Barista@Example.test ",
    });
    expect(result.status).toBe(409);
    expect(result.body.errors.email).toEqual({
      key: "staff:invite.noFreeSeat",
      values: { count: 1 },
    });
    expect(result.body.values.email).toBe("Barista@Example.test");
    expect(await countRows(["invitations", "audit_log"])).toEqual(before);
    expect(testOutbox()).toHaveLength(0);

    const refusal = await inviteStaff(db, {
      businessId: business.id,
      inviter: owner,
      email: "barista@example.test",
      language: "en",
      ip: null,
      now: new Date(),
    }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(NoFreeStaffSeat);
    expect((refusal as DomainError).status).toBe(409);
    expect((refusal as DomainError).field).toBe("email");
    expect((refusal as DomainError).message).toBe(
      "Your 1 staff seat is taken. To add staff, upgrade your plan or redeem an activation code on the billing page.",
    );

    const page = await view(business.id, cookie);
    expect(page.body.seats).toEqual({ available: 1, taken: 1, overLimit: 0, pending: 0, free: 0 });
    expect(page.body.members).toEqual([
      expect.objectContaining({ userId: owner.id, role: "owner", seat: { kind: "plan" } }),
    ]);
  });

  test("a 2-seat code allows two invitations, refuses the third, and accepted members hold its seats", async () => {
    const { business, cookie, grantId, serial } = await businessWithCode(2);
    expect((await view(business.id, cookie)).body.seats).toMatchObject({ available: 3, free: 2 });

    for (const email of ["ana@example.test", "ben@example.test"]) {
      const sent = await post(business.id, cookie, { intent: "invite", email });
      expect(sent.status).toBe(302);
      expect(sent.location).toBe(staffPage(business.id));
    }
    const third = await post(business.id, cookie, { intent: "invite", email: "cat@example.test" });
    expect(third.status).toBe(409);
    expect(third.body.errors.email?.values).toEqual({ count: 3 });
    const refusal = await inviteStaff(db, {
      businessId: business.id,
      inviter: { id: "x", email: "x", name: "x" },
      email: "cat@example.test",
      language: "en",
      ip: null,
      now: new Date(),
    }).catch((error: unknown) => (error as Error).message);
    expect(refusal).toBe(
      "All 3 staff seats are taken. To add staff, upgrade your plan or redeem an activation code on the billing page.",
    );
    // Sending Ana's invitation again replaces the pending one: it needs no new seat.
    expect(
      (await post(business.id, cookie, { intent: "invite", email: "ana@example.test" })).status,
    ).toBe(302);

    const pendingPage = await view(business.id, cookie);
    expect(pendingPage.body.seats).toEqual({
      available: 3,
      taken: 1,
      overLimit: 0,
      pending: 2,
      free: 0,
    });
    expect(pendingPage.body.pending.map((p) => p.email).sort()).toEqual([
      "ana@example.test",
      "ben@example.test",
    ]);

    const ana = await accept("ana@example.test");
    const ben = await accept("ben@example.test");
    for (const member of [ana, ben]) {
      expect(await memberRow(business.id, member.id)).toEqual({
        role: "staff",
        seat_grant_id: grantId,
        over_seat_limit_since: null,
      });
    }
    const staff = await listStaffSeats(db, { businessId: business.id, now: new Date() });
    expect(staff!.seats).toEqual({ available: 3, taken: 3, overLimit: 0, pending: 0, free: 0 });
    expect(staff!.members.map((m) => [m.email, m.seat])).toEqual([
      [expect.any(String), { kind: "plan" }],
      ["ana@example.test", { kind: "code", serial, bundleName: "Café Starter" }],
      ["ben@example.test", { kind: "code", serial, bundleName: "Café Starter" }],
    ]);
    // Holding a seat, staff sign in.
    await signInThroughLogin(ana);
  });

  test("revoking a pending invitation frees its seat", async () => {
    const { business, cookie } = await businessWithCode(1);
    await post(business.id, cookie, { intent: "invite", email: "dan@example.test" });
    expect((await view(business.id, cookie)).body.seats.free).toBe(0);
    const revoked = await post(business.id, cookie, {
      intent: "revoke",
      email: "dan@example.test",
    });
    expect(revoked.status).toBe(302);
    const page = await view(business.id, cookie);
    expect(page.body.seats.free).toBe(1);
    expect(page.body.pending).toEqual([]);
    expect((await auditRows("invitation.revoked")).at(-1)).toMatchObject({
      business_id: business.id,
      subject_id: "dan@example.test",
    });
    // The link no longer works, and revoking again says there is nothing to revoke.
    await expect(accept("dan@example.test")).rejects.toThrow();
    const again = await post(business.id, cookie, { intent: "revoke", email: "dan@example.test" });
    expect(again.status).toBe(404);
    expect(again.body.formError?.key).toBe("staff:errors.staff_invitation_not_found");
  });

  test("an invitation accepted after the seats ran out leaves the newcomer over the limit", async () => {
    const { business, owner } = await createBusinessWithOwner();
    // Invited straight through createInvitation, as if a seat had been free then.
    await createInvitation(db, {
      inviter: owner,
      target: { businessId: business.id, role: "staff" },
      email: "late@example.test",
      language: "en",
      ip: null,
      now: new Date(),
    });
    const late = await accept("late@example.test");
    const row = await memberRow(business.id, late.id);
    expect(row?.seat_grant_id).toBeNull();
    expect(row?.over_seat_limit_since).toBeInstanceOf(Date);
  });
});

describe("when a grant ends", () => {
  async function staffedBusiness() {
    const setup = await businessWithCode(2);
    await post(setup.business.id, setup.cookie, {
      intent: "invite",
      email: `e-${setup.serial}@example.test`,
    });
    await post(setup.business.id, setup.cookie, {
      intent: "invite",
      email: `f-${setup.serial}@example.test`,
    });
    const early = await accept(`e-${setup.serial}@example.test`);
    const later = await accept(`f-${setup.serial}@example.test`);
    return { ...setup, early, later };
  }

  test("later-joined members are over the limit: kept, refused at sign-in, 403 in the business", async () => {
    const { business, owner, grantId, early, later } = await staffedBusiness();
    const laterSession = await signInAs(later);
    await endGrant(grantId);

    // The sign-in re-attributes first: no seat, no session, a clear message.
    const sessionsBefore = await sessionsOf(early.id);
    const refused = await login(early);
    expect(refused.status).toBe(403);
    expect(refused.body.formError).toEqual({ key: "staff:overLimit.body" });
    expect(findSetCookie(refused.setCookies, SESSION_COOKIE)).toBeUndefined();
    expect(await sessionsOf(early.id)).toEqual(sessionsBefore);
    expect((await auditRows("auth.sign_in_refused")).at(-1)).toMatchObject({
      actor_user_id: early.id,
      after: { reason: "over_seat_limit" },
    });

    // Both staff rows are still there, marked; the owner keeps the plan seat.
    for (const member of [early, later]) {
      const row = await memberRow(business.id, member.id);
      expect(row).toMatchObject({ role: "staff", seat_grant_id: null });
      expect(row?.over_seat_limit_since).toBeInstanceOf(Date);
    }
    expect(await memberRow(business.id, owner.id)).toMatchObject({ over_seat_limit_since: null });

    // A session from before is refused at the door of the business, with the reason.
    const page = await view(business.id, laterSession.cookie);
    expect(page.thrown).toBe(true);
    expect(page.status).toBe(403);
    expect(page.body).toMatchObject({
      code: "over_seat_limit",
      messageKey: "staff:overLimit.body",
      message:
        "Your business has no free staff seat for you right now. Ask its owner to free a seat or add seats.",
    });

    // The owner still gets in and sees who is over the limit.
    const ownerView = await view(business.id, (await signInAs(owner)).cookie);
    expect(ownerView.body.seats).toMatchObject({ available: 1, taken: 1, overLimit: 2, free: 0 });
    expect(ownerView.body.members.map((m) => m.seat.kind)).toEqual(["plan", "none", "none"]);
  });

  test("the guard decides on a seat whose grant just ended at once, and writes nothing (a GET)", async () => {
    const { business, grantId, early, later } = await staffedBusiness();
    const session = await signInAs(later);
    expect((await view(business.id, session.cookie)).status).toBe(200);
    await endGrant(grantId);
    // Nothing marked yet: the guard sees the ended grant through its one query.
    expect((await memberRow(business.id, later.id))?.over_seat_limit_since).toBeNull();
    const refused = await view(business.id, session.cookie);
    expect(refused.status).toBe(403);
    // Refused, but the stored attribution is the sweep's (or the next write's) to change.
    expect(await memberRow(business.id, later.id)).toMatchObject({
      seat_grant_id: grantId,
      over_seat_limit_since: null,
    });
    await sweepStaleSeats(db);
    expect((await memberRow(business.id, later.id))?.over_seat_limit_since).toBeInstanceOf(Date);

    // A seat comes back (support adds one, nothing re-attributed): the member who joined first
    // gets in at once, still without a write; the other is still refused.
    await addSupportGrant(business.id, 1);
    const before = await memberRow(business.id, early.id);
    expect((await view(business.id, (await signInAs(early)).cookie)).status).toBe(200);
    expect(await memberRow(business.id, early.id)).toEqual(before);
    expect((await view(business.id, session.cookie)).status).toBe(403);
  });

  test("the sweep job marks stale businesses and hands seats back in join order", async () => {
    const { business, grantId, early, later } = await staffedBusiness();
    await endGrant(grantId);
    expect(await sweepStaleSeats(db)).toBeGreaterThanOrEqual(2);
    for (const member of [early, later]) {
      expect((await memberRow(business.id, member.id))?.over_seat_limit_since).toBeInstanceOf(Date);
    }
    // Seats added without re-attribution (as support might): the sweep gives the one seat
    // to the member who joined first.
    const supportGrant = await addSupportGrant(business.id, 1);
    await sweepStaleSeats(db);
    expect(await memberRow(business.id, early.id)).toEqual({
      role: "staff",
      seat_grant_id: supportGrant,
      over_seat_limit_since: null,
    });
    expect((await memberRow(business.id, later.id))?.over_seat_limit_since).toBeInstanceOf(Date);
    await signInThroughLogin(early);
    expect((await login(later)).status).toBe(403);
    // Nothing left to do: a second sweep changes nobody here.
    const before = await memberRow(business.id, later.id);
    await sweepStaleSeats(db);
    expect(await memberRow(business.id, later.id)).toEqual(before);
  });

  test("removing a staff member frees the seat for one over the limit", async () => {
    const { business, cookie, grantId, early, later } = await staffedBusiness();
    await endGrant(grantId);
    const supportGrant = await addSupportGrant(business.id, 1);
    await sweepStaleSeats(db);
    const laterSession = await signInAs(later);
    expect((await view(business.id, laterSession.cookie)).status).toBe(403);

    const removed = await post(business.id, cookie, { intent: "remove", userId: early.id });
    expect(removed.status).toBe(302);
    expect(removed.location).toBe(staffPage(business.id));
    expect(await memberRow(business.id, early.id)).toBeUndefined();
    // The account stays; the member who waited got the seat in the same transaction.
    expect(
      await testDb()
        .db.selectFrom("users")
        .select("id")
        .where("id", "=", early.id)
        .executeTakeFirst(),
    ).toEqual({ id: early.id });
    expect(await memberRow(business.id, later.id)).toEqual({
      role: "staff",
      seat_grant_id: supportGrant,
      over_seat_limit_since: null,
    });
    expect((await view(business.id, laterSession.cookie)).status).toBe(200);
    expect((await auditRows("business.staff_removed")).at(-1)).toMatchObject({
      business_id: business.id,
      subject_id: early.id,
    });
    // The removed person is not a member any more: 403 with the page that says they no longer
    // have access (ADR 018), not the data of the business.
    const earlySession = await signInAs(early);
    const formerMember = await view(business.id, earlySession.cookie);
    expect(formerMember.status).toBe(403);
    expect(formerMember.body).not.toHaveProperty("members");
  });

  test("a member over the limit who also belongs to a partner still signs in", async () => {
    const { grantId, later } = await staffedBusiness();
    const { partner } = await createPartnerWithOwner();
    await addPartnerMember(partner.id, later.id, "member");
    await endGrant(grantId);
    await signInThroughLogin(later);
  });
});

describe("who may do what", () => {
  test("staff view the list read-only and get 403 for invite and remove", async () => {
    const { business, owner, cookie } = await businessWithCode(2);
    const staff = await createUser();
    await addBusinessMember(business.id, staff.id, "staff");
    await post(business.id, cookie, { intent: "invite", email: "gus@example.test" });
    const staffCookie = (await signInAs(staff)).cookie;

    const page = await view(business.id, staffCookie);
    expect(page.status).toBe(200);
    expect(page.body.canManage).toBe(false);
    expect(page.body.pending).toEqual([]);
    expect(page.body.members).toHaveLength(2);

    const before = await countRows(["invitations", "business_members", "audit_log"]);
    const attempts: Record<string, string>[] = [
      { intent: "invite", email: "hal@example.test" },
      { intent: "remove", userId: owner.id },
      { intent: "revoke", email: "gus@example.test" },
    ];
    for (const fields of attempts) {
      const result = await post(business.id, staffCookie, fields);
      expect(result.thrown).toBe(true);
      expect(result.status).toBe(403);
    }
    expect(await countRows(["invitations", "business_members", "audit_log"])).toEqual(before);
  });

  test("another business's id answers 404, to view and to act", async () => {
    const { business } = await businessWithCode(2);
    const other = await createBusinessWithOwner();
    const otherCookie = (await signInAs(other.owner)).cookie;
    expect((await view(business.id, otherCookie)).status).toBe(404);
    const result = await post(business.id, otherCookie, {
      intent: "invite",
      email: "ivy@example.test",
    });
    expect(result.status).toBe(404);
    expect((await view("not-a-uuid", otherCookie)).status).toBe(404);
  });

  test("the owner cannot be removed, and bad input is a 400 that keeps what was typed", async () => {
    const { business, owner, cookie } = await businessWithCode(2);
    const removed = await post(business.id, cookie, { intent: "remove", userId: owner.id });
    expect(removed.status).toBe(409);
    expect(removed.body.formError).toEqual({ key: "staff:errors.owner_not_removable" });
    expect(await memberRow(business.id, owner.id)).toMatchObject({ role: "owner" });

    const stranger = await createUser();
    const notMember = await post(business.id, cookie, { intent: "remove", userId: stranger.id });
    expect(notMember.status).toBe(404);

    const bad = await post(business.id, cookie, { intent: "invite", email: "not-an-email" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.email).toEqual({ key: "validation.email" });
    expect(bad.body.values.email).toBe("not-an-email");

    expect((await post(business.id, cookie, { intent: "remove", userId: "x" })).status).toBe(400);
    expect((await post(business.id, cookie, { intent: "fly" })).status).toBe(400);
  });
});
