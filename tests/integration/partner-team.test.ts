// The partner team page: an owner removes a member, changes a role and revokes an
// invitation; a partner never ends up without an owner, even when two owners act at once.
import { describe, expect, test } from "vitest";
import { createInvitation, findInvitation } from "~/auth/invitations.server";
import { changePartnerMemberRole, LastOwner } from "~/domain/partner-team.server";
import { action as teamAction } from "~/routes/_app.partner.$slug.team";
import { testDb } from "../db.ts";
import { addPartnerMember, createPartnerWithOwner, createUser } from "../factories.ts";
import { auditRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, type FormFailureBody } from "../helpers/remix.ts";

function post(slug: string, cookie: string, fields: Record<string, string>) {
  return callRoute<FormFailureBody>(teamAction, {
    request: formRequest(`/partner/${slug}/team`, fields, { cookie }),
    params: { slug },
  });
}

async function rolesOf(partnerId: string) {
  const rows = await testDb()
    .db.selectFrom("partner_members")
    .select(["user_id", "role"])
    .where("partner_id", "=", partnerId)
    .execute();
  return Object.fromEntries(rows.map((row) => [row.user_id, row.role]));
}

describe("partner team management", () => {
  test("the owner changes a member's role and removes a member; each audited", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const cookie = (await signInAs(owner)).cookie;
    const member = await createUser();
    await addPartnerMember(partner.id, member.id, "member");

    const promoted = await post(partner.slug, cookie, {
      intent: "change-role",
      userId: member.id,
      role: "owner",
    });
    expect(promoted.status).toBe(302);
    expect((await rolesOf(partner.id))[member.id]).toBe("owner");

    const removed = await post(partner.slug, cookie, { intent: "remove", userId: member.id });
    expect(removed).toMatchObject({ status: 302, location: `/partner/${partner.slug}/team` });
    expect((await rolesOf(partner.id))[member.id]).toBeUndefined();
    expect(await auditRows("partner.member_role_changed")).toHaveLength(1);
    expect(await auditRows("partner.member_removed")).toEqual([
      expect.objectContaining({ partner_id: partner.id, subject_id: member.id }),
    ]);
  });

  test("the last owner can be neither demoted nor removed: 409, nothing changes", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const cookie = (await signInAs(owner)).cookie;
    const demoted = await post(partner.slug, cookie, {
      intent: "change-role",
      userId: owner.id,
      role: "member",
    });
    expect(demoted.status).toBe(409);
    expect(demoted.body.formError).toEqual({ key: "partner:team.lastOwner" });
    const removed = await post(partner.slug, cookie, { intent: "remove", userId: owner.id });
    expect(removed.status).toBe(409);
    expect(await rolesOf(partner.id)).toEqual({ [owner.id]: "owner" });
  });

  test("two owners demoting each other at once: one wins, an owner is left", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const second = await createUser();
    await addPartnerMember(partner.id, second.id, "owner");
    const demote = (userId: string, by: { id: string; email: string }) =>
      changePartnerMemberRole(testDb().db, {
        partnerId: partner.id,
        userId,
        role: "member",
        actor: { userId: by.id, label: by.email },
        ip: null,
      });
    const results = await Promise.allSettled([demote(owner.id, second), demote(second.id, owner)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(LastOwner);
    expect(Object.values(await rolesOf(partner.id)).sort()).toEqual(["member", "owner"]);
  });

  test("the owner revokes a pending invitation: its link stops working", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const cookie = (await signInAs(owner)).cookie;
    const { link } = await createInvitation(testDb().db, {
      inviter: owner,
      target: { partnerId: partner.id, role: "member" },
      email: "later@example.test",
      language: "en",
      ip: null,
      now: new Date(),
    });
    const token = link.split("/").at(-1)!;
    expect(await findInvitation(testDb().db, token, new Date())).not.toBeNull();
    const revoked = await post(partner.slug, cookie, {
      intent: "revoke-invitation",
      email: "later@example.test",
    });
    expect(revoked.status).toBe(302);
    expect(await findInvitation(testDb().db, token, new Date())).toBeNull();
    const again = await post(partner.slug, cookie, {
      intent: "revoke-invitation",
      email: "later@example.test",
    });
    expect(again.status).toBe(404);
  });

  test("a member cannot manage the team; bad input names the field", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const member = await createUser();
    await addPartnerMember(partner.id, member.id, "member");
    const asMember = await post(partner.slug, (await signInAs(member)).cookie, {
      intent: "remove",
      userId: owner.id,
    });
    expect(asMember.status).toBe(403);
    const cookie = (await signInAs(owner)).cookie;
    const bad = await post(partner.slug, cookie, {
      intent: "change-role",
      userId: member.id,
      role: "king",
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors)).toEqual(["role"]);
    expect(await rolesOf(partner.id)).toEqual({ [owner.id]: "owner", [member.id]: "member" });
  });
});
