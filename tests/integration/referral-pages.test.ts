// The referral program end to end through its routes (issue 15): the /r/{slug} link (visit,
// first-touch cookie, the same answer for unknown slugs), sign-up attribution and its "invited
// by" line, support's panel on business and partner pages, the queue, the referrer's page and
// the admin CLI's `referral connect`.
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { loader as linkLoader } from "~/routes/r.$slug";
import { action as signupAction, loader as signupLoader } from "~/routes/_auth.signup";
import {
  action as businessAction,
  loader as businessLoader,
} from "~/routes/_app.support.businesses.$businessId";
import {
  action as partnerAction,
  loader as partnerLoader,
} from "~/routes/_app.support.partners.$slug";
import { action as queueAction, loader as queueLoader } from "~/routes/_app.support.referrals";
import { loader as businessReferrals } from "~/routes/_app.business.$businessId.referrals";
import { loader as partnerReferrals } from "~/routes/_app.partner.$slug.referrals";
import { claimCode } from "~/domain/redemption.server";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  createBatchWithCodes,
  createBundle,
  createBusiness,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { adminCli } from "../helpers/admin-cli.ts";
import { auditRows, signInAs } from "../helpers/auth.ts";
import {
  callRoute,
  findSetCookie,
  formRequest,
  getRequest,
  makeContext,
  type FormFailureBody,
} from "../helpers/remix.ts";
import { at, first } from "../helpers/rows.ts";

async function supportUser() {
  const user = await createUser({ isSupport: true });
  return { ...user, cookie: (await signInAs(user)).cookie };
}

async function businessAt(name?: string) {
  const business = await createBusiness(name ? { name } : {});
  const owner = await createUser({
    email: `o-${randomUUID().slice(0, 8)}@d${randomUUID().slice(0, 6)}.test`,
  });
  await addBusinessMember(business.id, owner.id, "owner");
  return { business, owner };
}

function cookiePair(setCookie: string | undefined): string {
  return first((setCookie ?? "").split(";"), "cookie pair");
}

async function visit(slug: string, cookie?: string, ip = "192.0.2.10") {
  return callRoute(linkLoader, {
    request: getRequest(`/r/${slug}`, { cookie, headers: { "user-agent": "Mozilla/5.0 (X11)" } }),
    params: { slug },
    context: makeContext({ clientIp: ip }),
  });
}

async function connectThroughPage(businessId: string, cookie: string, slug: string) {
  return callRoute<FormFailureBody>(businessAction, {
    request: formRequest(
      `/support/businesses/${businessId}`,
      { intent: "referralConnect", slug },
      { cookie },
    ),
    params: { businessId },
  });
}

describe("support's panel", () => {
  test("connects a business with a suggested slug, refuses a bad or taken slug naming the field", async () => {
    const support = await supportUser();
    const { business } = await businessAt(`Panel Café ${randomUUID().slice(0, 4)}`);
    const page = await callRoute<{ referral: { account: unknown; suggestedSlug: string } }>(
      businessLoader,
      {
        request: getRequest(`/support/businesses/${business.id}`, { cookie: support.cookie }),
        params: { businessId: business.id },
      },
    );
    expect(page.body.referral.account).toBeNull();
    expect(page.body.referral.suggestedSlug).toMatch(/^panel-caf/);

    const bad = await connectThroughPage(business.id, support.cookie, "No Spaces!");
    expect(bad.status).toBe(400);
    expect(bad.body.errors.slug).toBeDefined();
    expect(
      await testDb()
        .db.selectFrom("referral_accounts")
        .select("id")
        .where("business_id", "=", business.id)
        .execute(),
    ).toHaveLength(0);

    const slug = `panel-${randomUUID().slice(0, 8)}`;
    const ok = await connectThroughPage(business.id, support.cookie, slug);
    expect(ok.status).toBe(302);
    const other = await businessAt();
    const taken = await connectThroughPage(other.business.id, support.cookie, slug);
    expect(taken.status).toBe(400);
    expect(taken.body.errors.slug?.key).toBe("referrals:errors.referral_slug_taken");

    const account = await testDb()
      .db.selectFrom("referral_accounts")
      .select(["id", "slug"])
      .where("business_id", "=", business.id)
      .executeTakeFirstOrThrow();
    const edit = await callRoute<FormFailureBody>(businessAction, {
      request: formRequest(
        `/support/businesses/${business.id}`,
        {
          intent: "referralEdit",
          accountId: account.id,
          slug,
          referredOperations: "250",
          referrerOperations: "-1",
          bonusMonths: "12",
          reason: "Campaign",
        },
        { cookie: support.cookie },
      ),
      params: { businessId: business.id },
    });
    expect(edit.status).toBe(400);
    expect(edit.body.errors.referrerOperations).toBeDefined();
    // Another organisation's page cannot touch this account.
    const foreign = await callRoute(businessAction, {
      request: formRequest(
        `/support/businesses/${other.business.id}`,
        { intent: "referralStatus", accountId: account.id, status: "paused", reason: "Wrong page" },
        { cookie: support.cookie },
      ),
      params: { businessId: other.business.id },
    });
    expect(foreign.status).toBe(404);
    const paused = await callRoute(businessAction, {
      request: formRequest(
        `/support/businesses/${business.id}`,
        {
          intent: "referralStatus",
          accountId: account.id,
          status: "paused",
          reason: "Owner asked",
        },
        { cookie: support.cookie },
      ),
      params: { businessId: business.id },
    });
    expect(paused.status).toBe(302);
    expect((await auditRows("referral.account_status_changed")).length).toBeGreaterThan(0);
  });

  test("connects a partner from its support page; its owner sees the link and the empty list", async () => {
    const support = await supportUser();
    const { partner, owner } = await createPartnerWithOwner({});
    const before = await callRoute<{ dashboard: { account: unknown } }>(partnerReferrals, {
      request: getRequest(`/partner/${partner.slug}/referrals`, {
        cookie: (await signInAs(owner)).cookie,
      }),
      params: { slug: partner.slug },
    });
    expect(before.body.dashboard.account).toBeNull();
    const connected = await callRoute(partnerAction, {
      request: formRequest(
        `/support/partners/${partner.slug}`,
        { intent: "referralConnect", slug: "" },
        { cookie: support.cookie },
      ),
      params: { slug: partner.slug },
    });
    expect(connected.status).toBe(302);
    const page = await callRoute<{ referral: { account: { slug: string; link: string } } }>(
      partnerLoader,
      {
        request: getRequest(`/support/partners/${partner.slug}`, { cookie: support.cookie }),
        params: { slug: partner.slug },
      },
    );
    expect(page.body.referral.account.link).toMatch(/\/r\/[a-z0-9-]+$/);
    const after = await callRoute<{
      dashboard: { account: { link: string }; funnel: { visits: number } };
      qrSvg: string;
    }>(partnerReferrals, {
      request: getRequest(`/partner/${partner.slug}/referrals`, {
        cookie: (await signInAs(owner)).cookie,
      }),
      params: { slug: partner.slug },
    });
    expect(after.body.dashboard.account.link).toBe(page.body.referral.account.link);
    expect(after.body.dashboard.funnel.visits).toBe(0);
    expect(after.body.qrSvg).toContain("<svg");
  });
});

describe("the link, the cookie and sign-up", () => {
  test("first touch wins; unknown slugs answer the same redirect and cookie; sign-up is attributed and says who invited", async () => {
    const support = await supportUser();
    const referrer = await businessAt(`Inviting Bakery ${randomUUID().slice(0, 4)}`);
    const other = await businessAt();
    const slugA = `first-${randomUUID().slice(0, 8)}`;
    const slugB = `second-${randomUUID().slice(0, 8)}`;
    await connectThroughPage(referrer.business.id, support.cookie, slugA);
    await connectThroughPage(other.business.id, support.cookie, slugB);

    const unknown = await visit("no-such-link-anywhere");
    const known = await visit(slugA);
    for (const answer of [unknown, known]) {
      expect(answer.status).toBe(302);
      expect(answer.location).toBe("/signup");
      expect(cookiePair(findSetCookie(answer.setCookies, "7s_ref"))).toMatch(/^7s_ref=.+/);
      expect(findSetCookie(answer.setCookies, "7s_ref")).toMatch(/Max-Age=5184000/);
    }
    const firstTouch = cookiePair(findSetCookie(known.setCookies, "7s_ref"));
    // A later visit through another link records a visit but keeps the first touch.
    const later = await visit(slugB, firstTouch);
    expect(later.status).toBe(302);
    expect(findSetCookie(later.setCookies, "7s_ref")).toBeUndefined();
    const visitsB = await testDb()
      .db.selectFrom("referral_visits as v")
      .innerJoin("referral_accounts as a", "a.id", "v.account_id")
      .select("v.id")
      .where("a.slug", "=", slugB)
      .execute();
    expect(visitsB).toHaveLength(1);

    const signupPage = await callRoute<{ invitedBy: string | null }>(signupLoader, {
      request: getRequest("/signup", { cookie: firstTouch }),
    });
    expect(signupPage.body.invitedBy).toBe(referrer.business.name);
    const noCookie = await callRoute<{ invitedBy: string | null }>(signupLoader, {
      request: getRequest("/signup"),
    });
    expect(noCookie.body.invitedBy).toBeNull();

    const email = `new-${randomUUID().slice(0, 8)}@gmail.com`;
    const signedUp = await callRoute(signupAction, {
      request: formRequest(
        "/signup",
        { businessName: "Referred Deli", name: "Dee", email, password: "a-long-enough-password-1" },
        { cookie: firstTouch },
      ),
      context: makeContext({ clientIp: "192.0.2.99" }),
    });
    expect(signedUp.status).toBe(302);
    expect(findSetCookie(signedUp.setCookies, "7s_ref")).toMatch(/Max-Age=0/);
    const referral = await testDb()
      .db.selectFrom("referrals as r")
      .innerJoin("referral_accounts as a", "a.id", "r.account_id")
      .innerJoin("businesses as b", "b.id", "r.referred_business_id")
      .select(["a.slug", "b.name", "r.referred_business_id", "r.signup_ip_hash"])
      .where("b.name", "=", "Referred Deli")
      .executeTakeFirstOrThrow();
    expect(referral.slug).toBe(slugA);
    expect(referral.signup_ip_hash).not.toContain("192.0.2.99");

    // The referrer sees the sign-up, unnamed until it qualifies; then named and rewarded.
    const ownerCookie = (await signInAs(referrer.owner)).cookie;
    const read = () =>
      callRoute<{
        dashboard: {
          funnel: Record<string, number>;
          referred: { rows: { businessName: string | null; rewardState: string }[] };
        };
      }>(businessReferrals, {
        request: getRequest(`/business/${referrer.business.id}/referrals`, { cookie: ownerCookie }),
        params: { businessId: referrer.business.id },
      });
    const first = await read();
    expect(first.body.dashboard.funnel).toMatchObject({ visits: 1, signUps: 1, qualified: 0 });
    expect(first.body.dashboard.referred.rows[0]).toMatchObject({
      businessName: null,
      rewardState: "none",
    });
    const { partner } = await createPartnerWithOwner({});
    const bundle = await createBundle(partner.id);
    const { codes } = await createBatchWithCodes(bundle, { count: 1 });
    const owner = await testDb()
      .db.selectFrom("users")
      .select(["id", "email"])
      .where("email", "=", email)
      .executeTakeFirstOrThrow();
    await claimCode(testDb().db, {
      businessId: referral.referred_business_id,
      code: at(codes, 0, "code").code,
      actor: { userId: owner.id, label: owner.email, email: owner.email },
      ip: null,
      now: new Date(),
    });
    const second = await read();
    expect(second.body.dashboard.funnel).toMatchObject({ qualified: 1, rewarded: 1, pending: 0 });
    expect(second.body.dashboard.referred.rows[0]).toMatchObject({
      businessName: "Referred Deli",
      rewardState: "granted",
    });
  });

  test("a business's staff member cannot open the referrals page (owners only)", async () => {
    const { business } = await businessAt();
    const staff = await createUser();
    await addBusinessMember(business.id, staff.id, "staff");
    const answer = await callRoute(businessReferrals, {
      request: getRequest(`/business/${business.id}/referrals`, {
        cookie: (await signInAs(staff)).cookie,
      }),
      params: { businessId: business.id },
    });
    expect(answer.status).toBe(403);
  });
});

describe("support's queue", () => {
  test("lists a waiting referral with why; a missing reason is a field error; approve grants once", async () => {
    const support = await supportUser();
    const { db } = testDb();
    await db.updateTable("referral_settings").set({ auto_approve_max_cents: 0 }).execute();
    try {
      const referrer = await businessAt();
      const slug = `queue-${randomUUID().slice(0, 8)}`;
      await connectThroughPage(referrer.business.id, support.cookie, slug);
      const link = await visit(slug);
      const cookie = cookiePair(findSetCookie(link.setCookies, "7s_ref"));
      const email = `q-${randomUUID().slice(0, 8)}@gmail.com`;
      await callRoute(signupAction, {
        request: formRequest(
          "/signup",
          { businessName: "Queued Shop", name: "Q", email, password: "a-long-enough-password-1" },
          { cookie },
        ),
      });
      const referred = await db
        .selectFrom("referrals as r")
        .innerJoin("businesses as b", "b.id", "r.referred_business_id")
        .select(["r.id", "b.id as business_id"])
        .where("b.name", "=", "Queued Shop")
        .executeTakeFirstOrThrow();
      const { partner } = await createPartnerWithOwner({});
      const { codes } = await createBatchWithCodes(await createBundle(partner.id), { count: 1 });
      const owner = await db
        .selectFrom("users")
        .select(["id", "email"])
        .where("email", "=", email)
        .executeTakeFirstOrThrow();
      await claimCode(db, {
        businessId: referred.business_id,
        code: first(codes, "code").code,
        actor: { userId: owner.id, label: owner.email, email: owner.email },
        ip: null,
        now: new Date(),
      });

      const queue = await callRoute<{ rows: { id: string; flags: string[]; status: string }[] }>(
        queueLoader,
        {
          request: getRequest("/support/referrals", { cookie: support.cookie }),
        },
      );
      expect(queue.body.rows.find((r) => r.id === referred.id)).toMatchObject({
        status: "pending",
        flags: [],
      });
      const missing = await callRoute<FormFailureBody>(queueAction, {
        request: formRequest(
          "/support/referrals",
          { intent: "approve", referralId: referred.id, reason: "" },
          { cookie: support.cookie },
        ),
      });
      expect(missing.status).toBe(400);
      expect(missing.body.errors.reason).toBeDefined();
      const approve = () =>
        callRoute<FormFailureBody>(queueAction, {
          request: formRequest(
            "/support/referrals",
            { intent: "approve", referralId: referred.id, reason: "Checked" },
            { cookie: support.cookie },
          ),
        });
      expect((await approve()).status).toBe(302);
      const again = await approve();
      expect(again.status).toBe(409);
      expect(again.body.formError?.key).toBe("referrals:errors.referral_not_decidable");
      const grants = await db
        .selectFrom("grants")
        .select("id")
        .where("business_id", "=", referred.business_id)
        .where("source", "=", "referral")
        .execute();
      expect(grants).toHaveLength(1);
      const threshold = await callRoute<FormFailureBody>(queueAction, {
        request: formRequest(
          "/support/referrals",
          { intent: "threshold", autoApproveMaxCents: "lots" },
          { cookie: support.cookie },
        ),
      });
      expect(threshold.status).toBe(400);
      expect(threshold.body.errors.autoApproveMaxCents).toBeDefined();
    } finally {
      await db.updateTable("referral_settings").set({ auto_approve_max_cents: 5000 }).execute();
    }
  });

  test("a non-support user gets 404 on the queue", async () => {
    const user = await createUser();
    const answer = await callRoute(queueLoader, {
      request: getRequest("/support/referrals", { cookie: (await signInAs(user)).cookie }),
    });
    expect(answer.status).toBe(404);
  });
});

describe("the admin CLI", () => {
  test("`referral connect --partner` prints the personal link alone on its last line", async () => {
    const cli = adminCli();
    try {
      const enrolled = await cli.run([
        "partner",
        "enrol",
        "--name",
        "Harbour Digital",
        "--slug",
        "harbour-digital",
        "--type",
        "marketing_agency",
        "--discount",
        "30",
        "--prefix",
        "HARB",
        "--owner-email",
        "owner@harbour.example",
      ]);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      const ok = await cli.run([
        "referral",
        "connect",
        "--partner",
        "harbour-digital",
        "--slug",
        "harbour",
      ]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout.trim().split("\n").pop()).toMatch(/^https?:\/\/[^ ]+\/r\/harbour$/);
      const twice = await cli.run(["referral", "connect", "--partner", "harbour-digital"]);
      expect(twice.code).toBe(1);
      expect(twice.stderr).toMatch(/already/);
      const neither = await cli.run(["referral", "connect"]);
      expect(neither.code).toBe(1);
      expect(neither.stderr).toMatch(/--business ID or --partner SLUG/);
    } finally {
      cli.remove();
    }
  }, 120_000);
});
