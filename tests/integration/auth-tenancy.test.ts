// Tenancy (DESIGN.md §8, CONVENTIONS anti-patterns): another organisation's id or slug
// answers 404 exactly like one that does not exist, malformed ids are 404 and not 500,
// support pages are invisible to everyone else, and only owners invite.
import { beforeAll, describe, expect, test } from "vitest";
import { requireBusinessMember, requirePartnerMember, requireSupport } from "~/auth/guards.server";
import { testOutbox } from "~/email/mailer.server";
import { loader as billingLoader } from "~/routes/_app.business.$businessId.billing";
import { loader as partnerDashboardLoader } from "~/routes/_app.partner.$slug._index";
import { loader as statementMonthLoader } from "~/routes/_app.partner.$slug.statements.$month";
import { loader as statementsLoader } from "~/routes/_app.partner.$slug.statements._index";
import { loader as termsLoader } from "~/routes/_app.partner.$slug.terms";
import { action as teamAction, loader as teamLoader } from "~/routes/_app.partner.$slug.team";
import { loader as supportAuditLoader } from "~/routes/_app.support.audit";
import { loader as supportBusinessesLoader } from "~/routes/_app.support.businesses._index";
import { loader as supportHomeLoader } from "~/routes/_app.support._index";
import { loader as supportPartnersLoader } from "~/routes/_app.support.partners._index";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  addPartnerMember,
  createBusiness,
  createPartner,
  createUser,
} from "../factories.ts";
import { countRows, signInAs } from "../helpers/auth.ts";
import {
  callRoute,
  formRequest,
  getRequest,
  makeContext,
  toRouteResult,
  type RouteResult,
} from "../helpers/remix.ts";

const MISSING_UUID = "00000000-0000-4000-8000-000000000000";

interface World {
  partnerA: Awaited<ReturnType<typeof createPartner>>;
  partnerB: Awaited<ReturnType<typeof createPartner>>;
  businessX: Awaited<ReturnType<typeof createBusiness>>;
  businessY: Awaited<ReturnType<typeof createBusiness>>;
  /** Owner of partner A. */
  ownerA: string;
  /** Plain member of partner A. */
  memberA: string;
  /** Owner of partner B. */
  ownerB: string;
  /** Staff of business X. */
  staffX: string;
  /** Owner of business Y. */
  ownerY: string;
  support: string;
}

let world: World;

beforeAll(async () => {
  const [partnerA, partnerB] = [await createPartner(), await createPartner()];
  const [businessX, businessY] = [await createBusiness(), await createBusiness()];
  const ownerA = await createUser();
  const memberA = await createUser();
  const ownerB = await createUser();
  const staffX = await createUser();
  const ownerY = await createUser();
  const support = await createUser({ isSupport: true });
  await addPartnerMember(partnerA.id, ownerA.id, "owner");
  await addPartnerMember(partnerA.id, memberA.id, "member");
  await addPartnerMember(partnerB.id, ownerB.id, "owner");
  await addBusinessMember(businessX.id, staffX.id, "staff");
  await addBusinessMember(businessY.id, ownerY.id, "owner");
  world = {
    partnerA,
    partnerB,
    businessX,
    businessY,
    ownerA: (await signInAs(ownerA)).cookie,
    memberA: (await signInAs(memberA)).cookie,
    ownerB: (await signInAs(ownerB)).cookie,
    staffX: (await signInAs(staffX)).cookie,
    ownerY: (await signInAs(ownerY)).cookie,
    support: (await signInAs(support)).cookie,
  };
});

/** Runs a guard like a loader would, and normalises what it threw. */
async function guard(run: () => Promise<unknown>): Promise<RouteResult> {
  try {
    return await toRouteResult(await run(), false);
  } catch (error) {
    return toRouteResult(error, true);
  }
}

function args(cookie: string | null, path = "/") {
  return { request: getRequest(path, { cookie }), context: makeContext() };
}

describe("requirePartnerMember", () => {
  test("a member of A gets A's partner and role", async () => {
    const result = await requirePartnerMember(args(world.memberA), world.partnerA.slug);
    expect(result.partner).toMatchObject({ id: world.partnerA.id, slug: world.partnerA.slug });
    expect(result.role).toBe("member");
  });

  test("a member of A asking for B's slug gets 404, the same as a slug that does not exist", async () => {
    const other = await guard(() => requirePartnerMember(args(world.ownerA), world.partnerB.slug));
    const missing = await guard(() => requirePartnerMember(args(world.ownerA), "no-such-partner"));
    expect(other).toMatchObject({ thrown: true, status: 404 });
    expect(missing).toMatchObject({ thrown: true, status: 404 });
    expect(other.body).toEqual(missing.body);
    expect([...other.headers]).toEqual([...missing.headers]);
  });

  test("an empty or odd slug is 404, not 500", async () => {
    for (const slug of [
      undefined,
      "",
      "%00",
      "\u0000",
      "nul\u0000byte",
      "a'; drop table partners; --",
      "x".repeat(5000),
    ]) {
      const result = await guard(() => requirePartnerMember(args(world.ownerA), slug));
      expect(result.status, String(slug).slice(0, 20)).toBe(404);
    }
  });

  test("role 'owner': an owner passes, a member of the same partner gets 403", async () => {
    const owner = await requirePartnerMember(args(world.ownerA), world.partnerA.slug, "owner");
    expect(owner.role).toBe("owner");
    const member = await guard(() =>
      requirePartnerMember(args(world.memberA), world.partnerA.slug, "owner"),
    );
    expect(member).toMatchObject({ thrown: true, status: 403 });
    // Someone outside the partner still gets 404 (403 would confirm it exists).
    const outsider = await guard(() =>
      requirePartnerMember(args(world.ownerB), world.partnerA.slug, "owner"),
    );
    expect(outsider).toMatchObject({ thrown: true, status: 404 });
  });

  test("without a session: redirect to sign in", async () => {
    const result = await guard(() =>
      requirePartnerMember(args(null, `/partner/${world.partnerA.slug}`), world.partnerA.slug),
    );
    expect(result).toMatchObject({ thrown: true, status: 302 });
    expect(result.location).toBe(
      `/login?redirectTo=${encodeURIComponent(`/partner/${world.partnerA.slug}`)}`,
    );
  });

  test("the partner dashboard loader answers 404 for another partner's slug", async () => {
    const own = await callRoute(partnerDashboardLoader, {
      request: getRequest(`/partner/${world.partnerB.slug}`, { cookie: world.ownerB }),
      params: { slug: world.partnerB.slug },
    });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ terms: { id: world.partnerB.id }, role: "owner" });

    const foreign = await callRoute(partnerDashboardLoader, {
      request: getRequest(`/partner/${world.partnerB.slug}`, { cookie: world.ownerA }),
      params: { slug: world.partnerB.slug },
    });
    expect(foreign).toMatchObject({ thrown: true, status: 404 });
  });
});

describe("the statements and terms pages", () => {
  const month = new Date().toISOString().slice(0, 7);
  const pages: {
    name: string;
    loader: Parameters<typeof callRoute>[0];
    path: string;
    params: Record<string, string>;
  }[] = [
    { name: "statements", loader: statementsLoader, path: "statements", params: {} },
    {
      name: "statement month",
      loader: statementMonthLoader,
      path: `statements/${month}`,
      params: { month },
    },
    { name: "terms", loader: termsLoader, path: "terms", params: {} },
  ];

  test("an owner and a member of A read A's; the owner of B gets 404, like a missing slug", async () => {
    for (const page of pages) {
      const call = (cookie: string, slug: string) =>
        callRoute(page.loader, {
          request: getRequest(`/partner/${slug}/${page.path}`, { cookie }),
          params: { slug, ...page.params },
        });
      for (const cookie of [world.ownerA, world.memberA]) {
        expect((await call(cookie, world.partnerA.slug)).status, page.name).toBe(200);
      }
      expect(await call(world.ownerB, world.partnerA.slug), page.name).toMatchObject({
        thrown: true,
        status: 404,
      });
      expect(await call(world.ownerB, "no-such-partner"), page.name).toMatchObject({
        thrown: true,
        status: 404,
      });
    }
  });
});

describe("requireBusinessMember and the billing loader", () => {
  function billing(cookie: string, businessId: string) {
    return callRoute(billingLoader, {
      request: getRequest(`/business/${businessId}/billing`, { cookie }),
      params: { businessId },
    });
  }

  test("a member reads their own business's billing", async () => {
    const result = await billing(world.staffX, world.businessX.id);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      role: "staff",
      business: { id: world.businessX.id, name: world.businessX.name },
    });
  });

  test("a member of X reading Y's billing gets 404, like a business that does not exist", async () => {
    const other = await billing(world.staffX, world.businessY.id);
    const missing = await billing(world.staffX, MISSING_UUID);
    expect(other).toMatchObject({ thrown: true, status: 404 });
    expect(missing).toMatchObject({ thrown: true, status: 404 });
    expect(other.body).toEqual(missing.body);
  });

  test("a partner owner is no member of a business", async () => {
    expect(await billing(world.ownerA, world.businessX.id)).toMatchObject({ status: 404 });
  });

  test("a malformed id is 404, not 500", async () => {
    for (const id of [
      "not-a-uuid",
      `${world.businessX.id}x`,
      world.businessX.id.slice(0, -1),
      `${world.businessX.id}' or '1'='1`,
      "",
    ]) {
      const result = await billing(world.staffX, id);
      expect(result.status, id).toBe(404);
    }
  });

  test("role 'owner': staff get 403, the owner passes", async () => {
    const staff = await guard(() =>
      requireBusinessMember(args(world.staffX), world.businessX.id, "owner"),
    );
    expect(staff).toMatchObject({ thrown: true, status: 403 });
    const owner = await requireBusinessMember(args(world.ownerY), world.businessY.id, "owner");
    expect(owner).toMatchObject({ role: "owner", business: { id: world.businessY.id } });
  });
});

describe("support pages", () => {
  const loaders = [
    ["/support", supportHomeLoader],
    ["/support/partners", supportPartnersLoader],
    ["/support/businesses", supportBusinessesLoader],
    ["/support/audit", supportAuditLoader],
  ] as const;

  test.each(loaders)("%s: 404 for a signed-in non-support user", async (path, loader) => {
    for (const cookie of [world.ownerA, world.staffX]) {
      const result = await callRoute(loader, { request: getRequest(path, { cookie }) });
      expect(result).toMatchObject({ thrown: true, status: 404 });
    }
  });

  test.each(loaders)("%s: sign in first without a session", async (path, loader) => {
    const result = await callRoute(loader, { request: getRequest(path) });
    expect(result).toMatchObject({ thrown: true, status: 302 });
    expect(result.location).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
  });

  test.each(loaders)("%s: 200 for support", async (path, loader) => {
    const result = await callRoute(loader, {
      request: getRequest(path, { cookie: world.support }),
    });
    expect(result.status).toBe(200);
  });

  test("requireSupport returns the support user", async () => {
    const user = await requireSupport(args(world.support));
    expect(user.isSupport).toBe(true);
    const refused = await guard(() => requireSupport(args(world.ownerB)));
    expect(refused.status).toBe(404);
  });
});

describe("the team invite action", () => {
  function invite(cookie: string, slug: string, email = "new-person@example.test") {
    return callRoute(teamAction, {
      request: formRequest(`/partner/${slug}/team`, { email, role: "member" }, { cookie }),
      params: { slug },
      context: makeContext(),
    });
  }

  test("a partner member (not owner) posting it gets 403 and nothing is written", async () => {
    testOutbox().length = 0;
    const before = await countRows(["invitations", "audit_log"]);
    const result = await invite(world.memberA, world.partnerA.slug);
    expect(result).toMatchObject({ thrown: true, status: 403 });
    expect(await countRows(["invitations", "audit_log"])).toEqual(before);
    expect(testOutbox()).toEqual([]);
  });

  test("an owner of another partner posting it gets 404", async () => {
    const before = await countRows(["invitations"]);
    const result = await invite(world.ownerB, world.partnerA.slug);
    expect(result).toMatchObject({ thrown: true, status: 404 });
    expect(await countRows(["invitations"])).toEqual(before);
  });

  test("the team loader hides pending invitations from members", async () => {
    await invite(world.ownerA, world.partnerA.slug, "pending-one@example.test");
    const asMember = await callRoute(teamLoader, {
      request: getRequest(`/partner/${world.partnerA.slug}/team`, { cookie: world.memberA }),
      params: { slug: world.partnerA.slug },
    });
    expect(asMember.body).toMatchObject({ pending: [], canInvite: false });
    const asOwner = await callRoute(teamLoader, {
      request: getRequest(`/partner/${world.partnerA.slug}/team`, { cookie: world.ownerA }),
      params: { slug: world.partnerA.slug },
    });
    expect(asOwner.body).toMatchObject({
      pending: [expect.objectContaining({ email: "pending-one@example.test" })],
      canInvite: true,
    });
  });

  test("partner B's invitations never show on partner A's team page", async () => {
    await invite(world.ownerB, world.partnerB.slug, "b-only@example.test");
    const asOwnerA = await callRoute(teamLoader, {
      request: getRequest(`/partner/${world.partnerA.slug}/team`, { cookie: world.ownerA }),
      params: { slug: world.partnerA.slug },
    });
    const emails = (asOwnerA.body as { pending: { email: string }[] }).pending.map((p) => p.email);
    expect(emails).not.toContain("b-only@example.test");
    const rows = await testDb()
      .db.selectFrom("invitations")
      .select("partner_id")
      .where("email", "=", "b-only@example.test")
      .execute();
    expect(rows).toEqual([{ partner_id: world.partnerB.id }]);
  });
});
