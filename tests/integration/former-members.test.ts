// A person removed from an organisation is told so (403 with the organisation's name and
// what to do) instead of "Page not found" — and lands there after signing in when they
// belong nowhere any more. Someone who never belonged still gets the plain 404 (ADR 018).
import { beforeAll, describe, expect, test } from "vitest";
import { loader as billingLoader } from "~/routes/_app.business.$businessId.billing";
import {
  action as staffAction,
  loader as staffLoader,
} from "~/routes/_app.business.$businessId.staff";
import { loader as partnerDashboardLoader } from "~/routes/_app.partner.$slug._index";
import { action as teamAction } from "~/routes/_app.partner.$slug.team";
import { action as loginAction } from "~/routes/_auth.login";
import {
  addBusinessMember,
  addPartnerMember,
  createBusinessWithOwner,
  createPartnerWithOwner,
  createUser,
  type TestUser,
} from "../factories.ts";
import { signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, makeContext } from "../helpers/remix.ts";

let business: Awaited<ReturnType<typeof createBusinessWithOwner>>;
let partner: Awaited<ReturnType<typeof createPartnerWithOwner>>;
/** Was on the business's staff, removed by the owner; belongs nowhere now. */
let removedStaff: TestUser;
/** Was on the partner's team, removed; still on the business's staff. */
let removedPartnerMember: TestUser;
/** Never belonged to either. */
let stranger: TestUser;
let cookies: { removedStaff: string; removedPartnerMember: string; stranger: string };

beforeAll(async () => {
  business = await createBusinessWithOwner({
    name: "Corner Bakery",
    planId: "custom",
    customStaffSeats: 10,
    customCardOperationsPerMonth: 1000,
  });
  partner = await createPartnerWithOwner({ name: "Lantern Agency" });
  removedStaff = await createUser();
  removedPartnerMember = await createUser();
  stranger = await createUser();
  await addBusinessMember(business.business.id, removedStaff.id, "staff");
  await addBusinessMember(business.business.id, removedPartnerMember.id, "staff");
  await addPartnerMember(partner.partner.id, removedPartnerMember.id, "member");
  cookies = {
    removedStaff: (await signInAs(removedStaff)).cookie,
    removedPartnerMember: (await signInAs(removedPartnerMember)).cookie,
    stranger: (await signInAs(stranger)).cookie,
  };

  // Removed the way owners do it: from the staff page and the team page.
  const businessOwner = (await signInAs(business.owner)).cookie;
  const removal = await callRoute(staffAction, {
    request: formRequest(
      `/business/${business.business.id}/staff`,
      { intent: "remove", userId: removedStaff.id },
      { cookie: businessOwner },
    ),
    params: { businessId: business.business.id },
  });
  expect(removal.status).toBe(302);
  const partnerOwner = (await signInAs(partner.owner)).cookie;
  const teamRemoval = await callRoute(teamAction, {
    request: formRequest(
      `/partner/${partner.partner.slug}/team`,
      { intent: "remove", userId: removedPartnerMember.id },
      { cookie: partnerOwner },
    ),
    params: { slug: partner.partner.slug },
  });
  expect(teamRemoval.status).toBe(302);
});

function billing(cookie: string) {
  return callRoute(billingLoader, {
    request: getRequest(`/business/${business.business.id}/billing`, { cookie }),
    params: { businessId: business.business.id },
  });
}

describe("a business's former staff member", () => {
  test("is told they were removed, with the business's name: 403, not 404", async () => {
    const result = await billing(cookies.removedStaff);
    expect(result).toMatchObject({
      thrown: true,
      status: 403,
      body: {
        code: "membership_removed",
        messageKey: "errors.membershipRemoved.business",
        organisation: { kind: "business", name: "Corner Bakery" },
      },
    });
    const removedAt = (result.body as { removedAt: string }).removedAt;
    expect(Date.now() - new Date(removedAt).getTime()).toBeLessThan(60_000);
    // Every page of the business answers the same, whichever the guard protects.
    const staffPage = await callRoute(staffLoader, {
      request: getRequest(`/business/${business.business.id}/staff`, {
        cookie: cookies.removedStaff,
      }),
      params: { businessId: business.business.id },
    });
    expect(staffPage).toMatchObject({ status: 403, body: { code: "membership_removed" } });
  });

  test("a stranger still gets the plain 404, identical to a business that does not exist", async () => {
    const result = await billing(cookies.stranger);
    expect(result).toMatchObject({ thrown: true, status: 404, body: "Not Found" });
    const missing = await callRoute(billingLoader, {
      request: getRequest(`/business/00000000-0000-4000-8000-000000000000/billing`, {
        cookie: cookies.stranger,
      }),
      params: { businessId: "00000000-0000-4000-8000-000000000000" },
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(result.body);
  });

  test("signing in with no organisation left lands on the business that explains it", async () => {
    const result = await callRoute(loginAction, {
      request: formRequest("/login", {
        email: removedStaff.email,
        password: removedStaff.password ?? "",
      }),
      context: makeContext(),
    });
    expect(result.status).toBe(302);
    expect(result.location).toBe(`/business/${business.business.id}/billing`);
  });

  test("invited again and back on the staff, they get the page itself", async () => {
    const rejoined = await createUser();
    await addBusinessMember(business.business.id, rejoined.id, "staff");
    const cookie = (await signInAs(rejoined)).cookie;
    expect((await billing(cookie)).status).toBe(200);
  });
});

describe("a partner's former team member", () => {
  test("is told they were removed from the partner; a stranger gets 404", async () => {
    const call = (cookie: string) =>
      callRoute(partnerDashboardLoader, {
        request: getRequest(`/partner/${partner.partner.slug}`, { cookie }),
        params: { slug: partner.partner.slug },
      });
    expect(await call(cookies.removedPartnerMember)).toMatchObject({
      thrown: true,
      status: 403,
      body: {
        code: "membership_removed",
        messageKey: "errors.membershipRemoved.partner",
        organisation: { kind: "partner", name: "Lantern Agency" },
      },
    });
    expect(await call(cookies.stranger)).toMatchObject({ thrown: true, status: 404 });
  });

  test("signing in with an organisation left lands on it, not on the explanation", async () => {
    const result = await callRoute(loginAction, {
      request: formRequest("/login", {
        email: removedPartnerMember.email,
        password: removedPartnerMember.password ?? "",
      }),
      context: makeContext(),
    });
    expect(result.location).toBe(`/business/${business.business.id}/billing`);
    expect((await billing(cookies.removedPartnerMember)).status).toBe(200);
  });
});
