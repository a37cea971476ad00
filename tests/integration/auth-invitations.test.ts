// Invitations: an owner invites by email; the one-time link lets a new person set a name
// and password (and signs them in), or an existing account accept while signed in as itself.
import { beforeEach, describe, expect, test } from "vitest";
import {
  acceptInvitation,
  createInvitation,
  INVITATION_LIFETIME_MS,
  InvitationUnusable,
} from "~/auth/invitations.server";
import { requirePartnerMember } from "~/auth/guards.server";
import { SESSION_COOKIE } from "~/auth/session.server";
import { hashToken } from "~/auth/tokens.server";
import { verifyPassword } from "~/auth/password.server";
import { db } from "~/db.server";
import { listPartnerTeam } from "~/domain/partners.server";
import { testOutbox } from "~/email/mailer.server";
import { env } from "~/env.server";
import { action as teamAction } from "~/routes/_app.partner.$slug.team";
import {
  action as acceptAction,
  loader as invitationLoader,
} from "~/routes/_auth.invitations.$token";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  addPartnerMember,
  createBusiness,
  createPartner,
  createUser,
  type TestUser,
} from "../factories.ts";
import { auditRows, countRows, sessionCookieHeader, signInAs } from "../helpers/auth.ts";
import {
  callRoute,
  findSetCookie,
  formRequest,
  getRequest,
  makeContext,
  setCookieValue,
  type FormFailureBody,
} from "../helpers/remix.ts";
import { only } from "../helpers/rows.ts";
import { anyInstance } from "../helpers/typed.ts";

const NEW_PASSWORD = "my-own-new-password";

beforeEach(() => {
  testOutbox().length = 0;
});

async function partnerWithOwner() {
  const partner = await createPartner({ name: "Brewline Agency" });
  const owner = await createUser({ name: "Olivia Owner" });
  await addPartnerMember(partner.id, owner.id, "owner");
  return { partner, owner, cookie: (await signInAs(owner)).cookie };
}

function invite(slug: string, cookie: string, email: string, role = "member") {
  return callRoute<FormFailureBody>(teamAction, {
    request: formRequest(`/partner/${slug}/team`, { email, role }, { cookie }),
    params: { slug },
    context: makeContext({ clientIp: "203.0.113.9" }),
  });
}

function tokenFromLatestEmail(): string {
  const link = testOutbox().at(-1)?.link;
  expect(link).toMatch(new RegExp(`^${env.PUBLIC_URL}/invitations/[a-z2-7]{32}$`));
  return link!.split("/").at(-1)!;
}

function view(token: string, cookie: string | null = null) {
  return callRoute(invitationLoader, {
    request: getRequest(`/invitations/${token}`, { cookie }),
    params: { token },
  });
}

function accept(token: string, fields: Record<string, string>, cookie: string | null = null) {
  return callRoute<FormFailureBody>(acceptAction, {
    request: formRequest(`/invitations/${token}`, fields, { cookie }),
    params: { token },
    context: makeContext({ clientIp: "203.0.113.10" }),
  });
}

async function partnerRole(partnerId: string, userId: string) {
  const row = await testDb()
    .db.selectFrom("partner_members")
    .select("role")
    .where("partner_id", "=", partnerId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.role;
}

describe("an owner invites a new person", () => {
  test("email with a link; accepting creates account, membership and session", async () => {
    const { partner, owner, cookie } = await partnerWithOwner();

    const sent = await invite(partner.slug, cookie, "  New.Person@Example.TEST ");
    expect(sent.status).toBe(302);
    expect(sent.location).toBe(`/partner/${partner.slug}/team`);
    expect(testOutbox()).toHaveLength(1);
    const mail = only(testOutbox(), "email");
    expect(mail.to).toBe("new.person@example.test");
    expect(mail.text).toContain("Brewline Agency");
    const token = tokenFromLatestEmail();

    const stored = await testDb()
      .db.selectFrom("invitations")
      .select(["token_hash", "email", "role", "partner_id", "invited_by", "expires_at"])
      .execute();
    expect(stored).toEqual([
      {
        token_hash: hashToken(token),
        email: "new.person@example.test",
        role: "member",
        partner_id: partner.id,
        invited_by: owner.id,
        expires_at: anyInstance(Date),
      },
    ]);
    expect(only(stored, "invitation").expires_at.getTime() - Date.now()).toBeGreaterThan(
      INVITATION_LIFETIME_MS - 60_000,
    );
    expect(await auditRows("invitation.created")).toEqual([
      expect.objectContaining({ actor_user_id: owner.id, partner_id: partner.id }),
    ]);

    const page = await view(token);
    expect(page.status).toBe(200);
    expect(page.body).toEqual({
      invitation: {
        email: "new.person@example.test",
        role: "member",
        organisationKind: "partner",
        organisationName: "Brewline Agency",
        accountExists: false,
      },
      signedInAs: null,
    });

    const accepted = await accept(token, { name: "Nina New", password: NEW_PASSWORD });
    expect(accepted.status).toBe(302);
    expect(accepted.location).toBe(`/partner/${partner.slug}`);

    const user = await testDb()
      .db.selectFrom("users")
      .select(["id", "name", "password_hash"])
      .where("email", "=", "new.person@example.test")
      .executeTakeFirstOrThrow();
    expect(user.name).toBe("Nina New");
    expect(await verifyPassword(user.password_hash!, NEW_PASSWORD)).toBe(true);
    expect(await partnerRole(partner.id, user.id)).toBe("member");
    expect(await auditRows("invitation.accepted")).toEqual([
      expect.objectContaining({ actor_user_id: user.id, partner_id: partner.id }),
    ]);

    const setCookie = findSetCookie(accepted.setCookies, SESSION_COOKIE);
    expect(setCookie).toBeDefined();
    const sessionToken = setCookieValue(setCookie!);
    const session = await testDb()
      .db.selectFrom("sessions")
      .select("user_id")
      .where("id", "=", hashToken(sessionToken))
      .executeTakeFirst();
    expect(session).toEqual({ user_id: user.id });

    // Signed in as the new member of the partner.
    const membership = await requirePartnerMember(
      {
        request: getRequest("/", { cookie: sessionCookieHeader(sessionToken) }),
        context: makeContext(),
      },
      partner.slug,
    );
    expect(membership).toMatchObject({ role: "member", user: { id: user.id } });
  });

  test("accepting signs the newcomer in, and the team page shows that sign-in", async () => {
    const { partner, cookie } = await partnerWithOwner();
    await invite(partner.slug, cookie, "fresh@example.test");
    const before = Date.now();
    const accepted = await accept(tokenFromLatestEmail(), {
      name: "Fay Fresh",
      password: NEW_PASSWORD,
    });
    expect(accepted.status).toBe(302);
    const team = await listPartnerTeam(db, { partnerId: partner.id });
    const fresh = team.find((member) => member.email === "fresh@example.test");
    expect(fresh?.lastSignInAt?.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  test("the link cannot be used twice", async () => {
    const { partner, cookie } = await partnerWithOwner();
    await invite(partner.slug, cookie, "twice@example.test");
    const token = tokenFromLatestEmail();
    expect((await accept(token, { name: "First", password: NEW_PASSWORD })).status).toBe(302);
    const before = await countRows(["users", "partner_members", "sessions"]);

    expect(await view(token)).toMatchObject({ status: 404, body: { invitation: null } });
    const again = await accept(token, { name: "Second", password: "another-password-1" });
    expect(again.status).toBe(404);
    expect(again.body.formError).toEqual({ key: "auth:invitation.unusable" });
    expect(again.setCookies).toEqual([]);
    expect(await countRows(["users", "partner_members", "sessions"])).toEqual(before);
    const user = await testDb()
      .db.selectFrom("users")
      .select(["name"])
      .where("email", "=", "twice@example.test")
      .executeTakeFirstOrThrow();
    expect(user.name).toBe("First");
  });

  test("acceptInvitation itself accepts once, even when two submissions race", async () => {
    const { partner, cookie } = await partnerWithOwner();
    await invite(partner.slug, cookie, "racer@example.test");
    const token = tokenFromLatestEmail();
    const attempt = (name: string) =>
      acceptInvitation(db, {
        token,
        signedInUser: null,
        name,
        password: NEW_PASSWORD,
        ip: null,
        userAgent: null,
        now: new Date(),
      });
    const results = await Promise.allSettled([attempt("Racer One"), attempt("Racer Two")]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(InvitationUnusable);
    await expect(attempt("Racer Three")).rejects.toBeInstanceOf(InvitationUnusable);
    const members = await testDb()
      .db.selectFrom("partner_members")
      .innerJoin("users", "users.id", "partner_members.user_id")
      .select("users.name")
      .where("users.email", "=", "racer@example.test")
      .execute();
    expect(members).toHaveLength(1);
  });

  test("invalid name or password: field errors, and the link stays usable", async () => {
    const { partner, cookie } = await partnerWithOwner();
    await invite(partner.slug, cookie, "careful@example.test");
    const token = tokenFromLatestEmail();

    const bad = await accept(token, { name: " ", password: "short" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual({
      name: { key: "validation.required" },
      password: { key: "validation.tooShort", values: { limit: 10 } },
    });
    expect(bad.body.values).toEqual({ name: " " });

    expect((await accept(token, { name: "Careful", password: NEW_PASSWORD })).status).toBe(302);
  });

  test("an expired or a replaced link is unusable", async () => {
    const { partner, cookie } = await partnerWithOwner();
    await invite(partner.slug, cookie, "expired@example.test");
    const expired = tokenFromLatestEmail();
    await testDb()
      .db.updateTable("invitations")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("token_hash", "=", hashToken(expired))
      .execute();
    expect((await view(expired)).status).toBe(404);
    expect((await accept(expired, { name: "Late", password: NEW_PASSWORD })).status).toBe(404);

    await invite(partner.slug, cookie, "replaced@example.test");
    const older = tokenFromLatestEmail();
    await invite(partner.slug, cookie, "replaced@example.test", "owner");
    const newer = tokenFromLatestEmail();
    expect((await view(older)).status).toBe(404);
    expect(await view(newer)).toMatchObject({
      status: 200,
      body: { invitation: { role: "owner" } },
    });
  });

  test("inviting someone already on the team is a field error and sends nothing", async () => {
    const { partner, cookie } = await partnerWithOwner();
    const member = await createUser();
    await addPartnerMember(partner.id, member.id, "member");
    const before = await countRows(["invitations", "audit_log"]);

    const result = await invite(partner.slug, cookie, member.email.toUpperCase());
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual({ email: { key: "partner:team.alreadyMember" } });
    expect(testOutbox()).toEqual([]);
    expect(await countRows(["invitations", "audit_log"])).toEqual(before);
  });

  test("invalid invite input names the fields", async () => {
    const { partner, cookie } = await partnerWithOwner();
    const result = await invite(partner.slug, cookie, "not-an-email", "admin");
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual({
      email: { key: "validation.email" },
      role: { key: "validation.choice" },
    });
    expect(testOutbox()).toEqual([]);
  });
});

describe("an invitation for an email that has an account", () => {
  async function invitedExisting(): Promise<{
    partnerId: string;
    slug: string;
    invitee: TestUser;
    token: string;
  }> {
    const { partner, cookie } = await partnerWithOwner();
    const invitee = await createUser();
    await invite(partner.slug, cookie, invitee.email);
    return { partnerId: partner.id, slug: partner.slug, invitee, token: tokenFromLatestEmail() };
  }

  test("requires signing in as that account; a name and password do not take it over", async () => {
    const { partnerId, invitee, token } = await invitedExisting();

    const page = await view(token);
    expect(page.body).toMatchObject({ invitation: { accountExists: true }, signedInAs: null });

    const anonymous = await accept(token, { name: "Mallory", password: "mallory-password-1" });
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.formError).toEqual({
      key: "auth:invitation.wrongAccount",
      values: { email: invitee.email },
    });
    expect(anonymous.setCookies).toEqual([]);
    expect(await partnerRole(partnerId, invitee.id)).toBeUndefined();
    const after = await testDb()
      .db.selectFrom("users")
      .select(["name", "password_hash"])
      .where("id", "=", invitee.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ name: invitee.name, password_hash: invitee.password_hash });

    const someoneElse = await signInAs(await createUser());
    const wrong = await accept(token, {}, someoneElse.cookie);
    expect(wrong.status).toBe(400);
    expect(wrong.body.formError?.key).toBe("auth:invitation.wrongAccount");

    // The failed attempts did not use the link up.
    expect((await view(token)).status).toBe(200);
  });

  test("signed in as that account: accepted, no new session", async () => {
    const { partnerId, slug, invitee, token } = await invitedExisting();
    const session = await signInAs(invitee);

    const page = await view(token, session.cookie);
    expect(page.body).toMatchObject({ signedInAs: invitee.email });

    const accepted = await accept(token, {}, session.cookie);
    expect(accepted.status).toBe(302);
    expect(accepted.location).toBe(`/partner/${slug}`);
    expect(findSetCookie(accepted.setCookies, SESSION_COOKIE)).toBeUndefined();
    expect(await partnerRole(partnerId, invitee.id)).toBe("member");
    expect((await view(token)).status).toBe(404);

    // Removed from the team later, the old link cannot bring them back.
    await testDb()
      .db.deleteFrom("partner_members")
      .where("partner_id", "=", partnerId)
      .where("user_id", "=", invitee.id)
      .execute();
    await expect(
      acceptInvitation(db, {
        token,
        signedInUser: { id: invitee.id, email: invitee.email },
        ip: null,
        userAgent: null,
        now: new Date(),
      }),
    ).rejects.toBeInstanceOf(InvitationUnusable);
    expect(await partnerRole(partnerId, invitee.id)).toBeUndefined();
  });
});

describe("business staff invitations", () => {
  test("accepting adds the new person as staff of that business only", async () => {
    const business = await createBusiness({ name: "Corner Coffee" });
    const other = await createBusiness();
    const owner = await createUser();
    await addBusinessMember(business.id, owner.id, "owner");

    const { link } = await createInvitation(db, {
      inviter: owner,
      target: { businessId: business.id, role: "staff" },
      email: "barista@example.test",
      language: "en",
      ip: null,
      now: new Date(),
    });
    const token = link.split("/").at(-1)!;
    expect(testOutbox().at(-1)).toMatchObject({ to: "barista@example.test", link });
    // The email says who sent it: the business, on 7stamp; not "Partner Portal".
    const mail = testOutbox().at(-1)!;
    expect(mail.sender).toBe("Corner Coffee via 7stamp");
    expect(mail.text).toContain("join the staff of Corner Coffee on 7stamp");
    expect(mail.text).not.toContain("Partner Portal");
    expect((await view(token)).body).toMatchObject({
      invitation: { organisationKind: "business", organisationName: "Corner Coffee" },
    });

    const accepted = await accept(token, { name: "Barry", password: NEW_PASSWORD });
    expect(accepted.location).toBe(`/business/${business.id}/billing`);
    const memberships = await testDb()
      .db.selectFrom("business_members")
      .innerJoin("users", "users.id", "business_members.user_id")
      .select(["business_members.business_id", "business_members.role"])
      .where("users.email", "=", "barista@example.test")
      .execute();
    expect(memberships).toEqual([{ business_id: business.id, role: "staff" }]);
    expect(memberships.some((m) => m.business_id === other.id)).toBe(false);
  });
});
