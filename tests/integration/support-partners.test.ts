// Support runs partners from the portal: enrolment (form and CLI), terms with before/after,
// the team's invitations, and suspension with everything it implies — and undoes.
import { beforeAll, describe, expect, test } from "vitest";
import { acceptInvitation, findInvitation } from "~/auth/invitations.server";
import { finalizeStatements } from "~/domain/statements/finalise.server";
import { listOrganisations } from "~/domain/organisations.server";
import { updatePartnerTerms } from "~/domain/partner-admin.server";
import { testOutbox } from "~/email/mailer.server";
import { takeFlash } from "~/lib/flash.server";
import { action as billingAction } from "~/routes/_app.business.$businessId.billing";
import { action as generateAction } from "~/routes/_app.partner.$slug.bundles.$bundleId.generate";
import {
  action as enrolAction,
  loader as partnersLoader,
} from "~/routes/_app.support.partners._index";
import {
  action as partnerAction,
  loader as partnerLoader,
} from "~/routes/_app.support.partners.$slug";
import { testDb } from "../db.ts";
import {
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartner,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { adminCli } from "../helpers/admin-cli.ts";
import { callApi, partnerKey, platformToken } from "../helpers/api.ts";
import { auditRows, signInAs } from "../helpers/auth.ts";
import {
  callRoute,
  cookieHeader,
  formRequest,
  getRequest,
  makeContext,
  type FormFailureBody,
} from "../helpers/remix.ts";
import { at } from "../helpers/rows.ts";
import { problemOf } from "../helpers/typed.ts";

let support: { id: string; email: string; cookie: string };

beforeAll(async () => {
  const user = await createUser({ isSupport: true, name: "Sam Support" });
  support = { id: user.id, email: user.email, cookie: (await signInAs(user)).cookie };
});

const enrolment = (overrides: Record<string, string> = {}) => ({
  name: "Harbour Digital",
  slug: "",
  type: "marketing_agency",
  discount: "30",
  taxRate: "0",
  statementPrefix: "harb",
  locale: "en-IE",
  contactName: "Hannah Harbour",
  contactEmail: "Hannah@Harbour.example",
  specialTerms: "Payment within 30 days.",
  ...overrides,
});

function enrol(fields: Record<string, string>, cookie = support.cookie) {
  return callRoute<FormFailureBody>(enrolAction, {
    request: formRequest("/support/partners", fields, { cookie }),
  });
}

function partnerPost(slug: string, fields: Record<string, string>, cookie = support.cookie) {
  return callRoute<FormFailureBody>(partnerAction, {
    request: formRequest(`/support/partners/${slug}`, fields, { cookie }),
    params: { slug },
  });
}

async function flashOf(setCookies: string[]) {
  return takeFlash(getRequest("/", { cookie: cookieHeader(setCookies) }), makeContext());
}

async function partnerRow(slug: string) {
  return testDb()
    .db.selectFrom("partners")
    .select([
      "id",
      "name",
      "slug",
      "status",
      "discount_bps",
      "tax_rate_bps",
      "statement_prefix",
      "contact_email",
      "special_terms",
    ])
    .where("slug", "=", slug)
    .executeTakeFirst();
}

type Table =
  | "partners"
  | "invitations"
  | "audit_log"
  | "bundles"
  | "activation_codes"
  | "api_keys"
  | "partner_members"
  | "code_batches";

async function count(table: Table): Promise<number> {
  const row = await testDb()
    .db.selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function tokenOf(link: string): string {
  return link.slice(link.lastIndexOf("/") + 1);
}

describe("enrolling a partner", () => {
  test("creates the partner with its terms, audits it and invites the owner, who lands on the dashboard", async () => {
    const sentBefore = testOutbox().length;
    const result = await enrol(enrolment());
    expect(result.status).toBe(302);
    expect(result.location).toBe("/support/partners/harbour-digital");
    expect(await flashOf(result.setCookies)).toMatchObject({
      kind: "success",
      key: "support:enrol.enrolled",
    });

    const partner = await partnerRow("harbour-digital");
    expect(partner).toMatchObject({
      name: "Harbour Digital",
      status: "active",
      discount_bps: 3000,
      tax_rate_bps: 0,
      statement_prefix: "HARB",
      contact_email: "hannah@harbour.example",
      special_terms: "Payment within 30 days.",
    });
    const [audit] = await auditRows("partner.enrolled");
    expect(audit).toMatchObject({ actor_user_id: support.id, partner_id: partner!.id });

    const mail = testOutbox().slice(sentBefore);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.to).toBe("hannah@harbour.example");
    const token = tokenOf(at(mail, 0, "mail").link!);
    expect(await findInvitation(testDb().db, token, new Date())).toMatchObject({
      role: "owner",
      organisationName: "Harbour Digital",
      accountExists: false,
    });
    const accepted = await acceptInvitation(testDb().db, {
      token,
      signedInUser: null,
      name: "Hannah Harbour",
      password: "a long enough password",
      ip: null,
      userAgent: null,
      now: new Date(),
    });
    expect(accepted.href).toBe("/partner/harbour-digital");
    const membership = await testDb()
      .db.selectFrom("partner_members")
      .select("role")
      .where("partner_id", "=", partner!.id)
      .where("user_id", "=", accepted.userId)
      .executeTakeFirst();
    expect(membership?.role).toBe("owner");
  });

  test("each bad field is a field error naming it, and nothing is written", async () => {
    const taken = await createPartner({ slug: "taken-slug", statementPrefix: "TAKEN" });
    const cases: [Record<string, string>, string, string][] = [
      [{ slug: "taken-slug" }, "slug", "support:errors.slug_taken"],
      [
        { slug: "fresh-one", statementPrefix: "taken" },
        "statementPrefix",
        "support:errors.prefix_taken",
      ],
      [
        { slug: "fresh-two", statementPrefix: "TOOLONGPREFIX" },
        "statementPrefix",
        "support:validation.prefix",
      ],
      [
        { slug: "fresh-three", statementPrefix: "A" },
        "statementPrefix",
        "support:validation.prefix",
      ],
      [{ slug: "fresh-four", contactEmail: "not-an-email" }, "contactEmail", "validation.email"],
      [{ slug: "fresh-five", discount: "120" }, "discount", "support:validation.percentage"],
      [{ slug: "fresh-six", discount: "-5" }, "discount", "support:validation.percentage"],
      [{ slug: "fresh-seven", taxRate: "12.345" }, "taxRate", "support:validation.percentage"],
      [{ slug: "Bad Slug!" }, "slug", "support:validation.slug"],
      [{ slug: "fresh-eight", type: "bank" }, "type", "validation.choice"],
      [{ slug: "fresh-nine", locale: "xx-YY" }, "locale", "validation.choice"],
      [{ slug: "fresh-ten", name: "" }, "name", "validation.required"],
    ];
    const before = {
      partners: await count("partners"),
      invitations: await count("invitations"),
      audit: await count("audit_log"),
      mail: testOutbox().length,
    };
    for (const [overrides, field, key] of cases) {
      const result = await enrol(enrolment({ statementPrefix: "FRESH", ...overrides }));
      expect(result.status, JSON.stringify(overrides)).toBe(400);
      expect(result.body.errors[field]?.key, JSON.stringify(overrides)).toBe(key);
      expect(result.body.values.name).toBe(overrides.name ?? "Harbour Digital");
    }
    expect({
      partners: await count("partners"),
      invitations: await count("invitations"),
      audit: await count("audit_log"),
      mail: testOutbox().length,
    }).toEqual(before);
    expect((await partnerRow("taken-slug"))?.id).toBe(taken.id);
  });

  test("a prefix another partner printed on a statement is refused, even after it moved on", async () => {
    const { db } = testDb();
    const old = await createPartner({
      statementPrefix: "PRINTED",
      createdAt: new Date("2025-01-10T10:00:00Z"),
    });
    await finalizeStatements(db, {
      partnerId: old.id,
      month: "2025-01",
      actor: { userId: null, label: "test" },
      now: new Date("2025-02-01T01:00:00Z"),
    });
    await updatePartnerTerms(db, {
      partnerId: old.id,
      terms: {
        discount: 3000,
        taxRate: 0,
        statementPrefix: "MOVED",
        locale: "en-IE",
        contactName: "",
        contactEmail: "old@example.test",
        specialTerms: "",
        reason: "",
      },
      actor: { userId: null, label: "test" },
      now: new Date(),
    });
    const result = await enrol(enrolment({ slug: "copycat", statementPrefix: "PRINTED" }));
    expect(result.status).toBe(400);
    expect(result.body.errors.statementPrefix?.key).toBe("support:errors.prefix_taken");
    expect(await partnerRow("copycat")).toBeUndefined();
  });

  test("the enrol form and the partner pages are support's alone", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const ownerCookie = (await signInAs(owner)).cookie;
    expect(
      (await enrol(enrolment({ slug: "sneaky", statementPrefix: "SNEAK" }), ownerCookie)).status,
    ).toBe(404);
    expect(await partnerRow("sneaky")).toBeUndefined();
    const list = await callRoute(partnersLoader, {
      request: getRequest("/support/partners", { cookie: ownerCookie }),
    });
    expect(list.status).toBe(404);
    const page = await callRoute(partnerLoader, {
      request: getRequest(`/support/partners/${partner.slug}`, { cookie: ownerCookie }),
      params: { slug: partner.slug },
    });
    expect(page.status).toBe(404);
    const suspend = await partnerPost(
      partner.slug,
      { intent: "suspend", reason: "Trying it on" },
      ownerCookie,
    );
    expect(suspend.status).toBe(404);
    expect((await partnerRow(partner.slug))?.status).toBe("active");
  });

  test("`partner enrol` on the command line prints the invitation link alone on its last line", async () => {
    const cli = adminCli();
    try {
      const ok = await cli.run([
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
        "--locale",
        "de-DE",
      ]);
      expect(ok.code, ok.stderr).toBe(0);
      const lines = ok.stdout.trim().split("\n");
      expect(lines.at(-1)).toMatch(/^http:\/\/\S+\/invitations\/[A-Za-z0-9_-]+$/);

      const again = await cli.run([
        "partner",
        "enrol",
        "--name",
        "Harbour Again",
        "--slug",
        "harbour-digital",
        "--type",
        "other",
        "--discount",
        "150",
        "--prefix",
        "HARB2",
        "--owner-email",
        "x@harbour.example",
      ]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("--discount:");

      const duplicate = await cli.run([
        "partner",
        "enrol",
        "--name",
        "Harbour Again",
        "--slug",
        "harbour-digital",
        "--type",
        "other",
        "--discount",
        "20",
        "--prefix",
        "HARB2",
        "--owner-email",
        "x@harbour.example",
      ]);
      expect(duplicate.code).toBe(1);
      expect(duplicate.stderr).toContain("--slug: Another partner already has this slug.");
    } finally {
      cli.remove();
    }
  }, 180_000);
});

describe("a partner's terms", () => {
  const terms = (overrides: Record<string, string> = {}) => ({
    intent: "terms",
    discount: "30",
    taxRate: "0",
    statementPrefix: "TERMS",
    locale: "en-IE",
    contactName: "",
    contactEmail: "terms@example.test",
    specialTerms: "",
    reason: "",
    ...overrides,
  });

  test("a change is audited with before and after, and reaches claims made after it only", async () => {
    const partner = await createPartner({
      statementPrefix: "TERMS",
      contactEmail: "terms@example.test",
      discountBps: 3000,
    });
    const bundle = await createBundle(partner.id);
    const { codes } = await createBatchWithCodes(bundle, { count: 2 });
    const { claimByNewBusiness } = await import("../factories.ts");
    await claimByNewBusiness(at(codes, 0, "code"));

    const saved = await partnerPost(
      partner.slug,
      terms({ discount: "35.5", taxRate: "21", reason: "Renegotiated for 2027" }),
    );
    expect(saved.status).toBe(302);
    expect(await flashOf(saved.setCookies)).toMatchObject({ key: "support:partner.termsSaved" });
    const audit = (await auditRows("partner.terms_changed")).find(
      (row) => row.partner_id === partner.id,
    );
    expect(audit).toMatchObject({
      actor_user_id: support.id,
      partner_id: partner.id,
      reason: "Renegotiated for 2027",
      before: { discount: 3000, taxRate: 0 },
      after: { discount: 3550, taxRate: 2100 },
    });

    await claimByNewBusiness(at(codes, 1, "code"));
    const snapshots = await testDb()
      .db.selectFrom("activation_codes")
      .select(["id", "discount_bps", "tax_rate_bps"])
      .where("id", "in", [at(codes, 0, "code").id, at(codes, 1, "code").id])
      .orderBy("id")
      .execute();
    expect(snapshots.map((s) => [s.discount_bps, s.tax_rate_bps])).toEqual([
      [3000, 0],
      [3550, 2100],
    ]);

    const unchanged = await partnerPost(partner.slug, terms({ discount: "35.5", taxRate: "21" }));
    expect(await flashOf(unchanged.setCookies)).toMatchObject({
      key: "support:partner.termsUnchanged",
    });
    expect(
      (await auditRows("partner.terms_changed")).filter((row) => row.partner_id === partner.id),
    ).toHaveLength(1);
  });

  test("a new prefix is printed from the next statement on, and the year's numbering has no gap", async () => {
    const { db } = testDb();
    const partner = await createPartner({
      statementPrefix: "OLDP",
      contactEmail: "terms@example.test",
      createdAt: new Date("2025-03-05T10:00:00Z"),
    });
    const actor = { userId: null, label: "test" };
    const [march] = await finalizeStatements(db, {
      partnerId: partner.id,
      month: "2025-03",
      actor,
      now: new Date("2025-04-01T01:00:00Z"),
    });
    expect(march?.number).toBe("OLDP-2025-0001");
    const changed = await partnerPost(partner.slug, terms({ statementPrefix: "newp" }));
    expect(changed.status).toBe(302);
    const [april] = await finalizeStatements(db, {
      partnerId: partner.id,
      month: "2025-04",
      actor,
      now: new Date("2025-05-01T01:00:00Z"),
    });
    expect(april?.number).toBe("NEWP-2025-0002");
    const stored = await db
      .selectFrom("statements")
      .select("number")
      .where("partner_id", "=", partner.id)
      .orderBy("period_start")
      .execute();
    expect(stored.map((s) => s.number)).toEqual(["OLDP-2025-0001", "NEWP-2025-0002"]);

    // Another partner cannot take the old prefix: its numbers would collide with 0001.
    const other = await createPartner({ contactEmail: "terms@example.test" });
    const refused = await partnerPost(other.slug, terms({ statementPrefix: "OLDP" }));
    expect(refused.status).toBe(400);
    expect(refused.body.errors.statementPrefix?.key).toBe("support:errors.prefix_taken");
  });

  test("bad terms are field errors and change nothing", async () => {
    const partner = await createPartner({
      statementPrefix: "KEEP",
      contactEmail: "k@example.test",
    });
    const taken = await createPartner({ statementPrefix: "HELD" });
    const before = await partnerRow(partner.slug);
    for (const [fields, field, key] of [
      [{ discount: "101" }, "discount", "support:validation.percentage"],
      [
        { statementPrefix: taken.statement_prefix },
        "statementPrefix",
        "support:errors.prefix_taken",
      ],
      [{ contactEmail: "nope" }, "contactEmail", "validation.email"],
    ] as const) {
      const result = await partnerPost(partner.slug, terms({ statementPrefix: "KEEP", ...fields }));
      expect(result.status).toBe(400);
      expect(result.body.errors[field]?.key).toBe(key);
      expect(result.body.values.intent).toBe("terms");
    }
    expect(await partnerRow(partner.slug)).toEqual(before);
  });
});

describe("suspension", () => {
  test("refuses claims (page and API), code generation (portal and API) and the API key; reactivation restores all", async () => {
    const { partner, owner } = await createPartnerWithOwner({ name: "Paused Partner" });
    const ownerCookie = (await signInAs(owner)).cookie;
    const bundle = await createBundle(partner.id);
    const { codes } = await createBatchWithCodes(bundle, { count: 4 });
    const key = await partnerKey(partner.id);
    const platform = await platformToken();
    const shop = await createBusinessWithOwner();
    const shopCookie = (await signInAs(shop.owner)).cookie;

    const claimOnPage = (code: string) =>
      callRoute<FormFailureBody>(billingAction, {
        request: formRequest(
          `/business/${shop.business.id}/billing`,
          { intent: "claim", code },
          { cookie: shopCookie },
        ),
        params: { businessId: shop.business.id },
      });
    const claimByApi = (code: string) =>
      callApi({
        method: "POST",
        path: `/api/v1/businesses/${shop.business.id}/redemptions`,
        token: platform,
        body: { code },
      });
    const generateInPortal = () =>
      callRoute<FormFailureBody>(generateAction, {
        request: formRequest(
          `/partner/${partner.slug}/bundles/${bundle.id}/generate`,
          { count: "2" },
          { cookie: ownerCookie },
        ),
        params: { slug: partner.slug, bundleId: bundle.id },
      });
    const generateByApi = () =>
      callApi({
        method: "POST",
        path: `/api/v1/bundles/${bundle.id}/codes`,
        token: key,
        body: { count: 2 },
      });
    const listBundlesByApi = () => callApi({ path: "/api/v1/bundles", token: key });

    const missingReason = await partnerPost(partner.slug, { intent: "suspend", reason: "" });
    expect(missingReason.status).toBe(400);
    expect(missingReason.body.errors.reason?.key).toBe("validation.required");
    expect((await partnerRow(partner.slug))?.status).toBe("active");

    const suspended = await partnerPost(partner.slug, {
      intent: "suspend",
      reason: "Unpaid statements since August",
    });
    expect(suspended.status).toBe(302);
    const [audit] = await auditRows("partner.suspended");
    expect(audit).toMatchObject({
      actor_user_id: support.id,
      partner_id: partner.id,
      reason: "Unpaid statements since August",
      before: { status: "active" },
      after: { status: "suspended" },
    });
    const kept = {
      bundles: await count("bundles"),
      codes: await count("activation_codes"),
      keys: await count("api_keys"),
      members: await count("partner_members"),
    };

    const onPage = await claimOnPage(at(codes, 0, "code").code);
    expect(onPage.status).toBe(409);
    expect(onPage.body.errors.code?.key).toBe("redeem:errors.partner_suspended");
    const byApi = await claimByApi(at(codes, 1, "code").code);
    expect(byApi.status).toBe(409);
    expect(problemOf(byApi).code).toBe("partner_suspended");

    const batchesBefore = await count("code_batches");
    const inPortal = await generateInPortal();
    expect(inPortal.status).toBe(409);
    expect(inPortal.body.formError?.key).toBe("batches:errors.partner_suspended");
    const generatedByApi = await generateByApi();
    expect(generatedByApi.status).toBe(403);
    expect(problemOf(generatedByApi).code).toBe("partner_key_suspended");
    expect((await listBundlesByApi()).status).toBe(403);
    expect(await count("code_batches")).toBe(batchesBefore);

    const organisations = await listOrganisations(testDb().db, owner.id);
    expect(organisations.find((o) => o.id === partner.id)?.status).toBe("suspended");

    const twice = await partnerPost(partner.slug, { intent: "suspend", reason: "Again" });
    expect(twice.status).toBe(409);
    expect(twice.body.formError?.key).toBe("support:errors.partner_already_suspended");
    expect(await auditRows("partner.suspended")).toHaveLength(1);

    expect({
      bundles: await count("bundles"),
      codes: await count("activation_codes"),
      keys: await count("api_keys"),
      members: await count("partner_members"),
    }).toEqual(kept);

    const reactivated = await partnerPost(partner.slug, {
      intent: "reactivate",
      reason: "Paid in full",
    });
    expect(reactivated.status).toBe(302);
    expect(await auditRows("partner.reactivated")).toHaveLength(1);
    expect((await claimOnPage(at(codes, 0, "code").code)).status).toBe(302);
    expect((await claimByApi(at(codes, 1, "code").code)).status).toBe(201);
    expect((await generateInPortal()).status).toBe(302);
    expect((await generateByApi()).status).toBe(201);
    expect((await listBundlesByApi()).status).toBe(200);
    const again = await listOrganisations(testDb().db, owner.id);
    expect(again.find((o) => o.id === partner.id)?.status).toBe("active");
  });
});

describe("members and invitations", () => {
  test("support invites, resends (the old link stops working) and revokes, each audited", async () => {
    const { partner } = await createPartnerWithOwner();
    const invited = await partnerPost(partner.slug, {
      intent: "invite",
      email: "new.member@example.test",
      role: "member",
    });
    expect(invited.status).toBe(302);
    const firstLink = testOutbox().at(-1)!.link!;
    const resent = await partnerPost(partner.slug, {
      intent: "resend",
      email: "new.member@example.test",
    });
    expect(resent.status).toBe(302);
    const secondLink = testOutbox().at(-1)!.link!;
    expect(secondLink).not.toBe(firstLink);
    expect(await findInvitation(testDb().db, tokenOf(firstLink), new Date())).toBeNull();
    expect(await findInvitation(testDb().db, tokenOf(secondLink), new Date())).toMatchObject({
      role: "member",
    });

    const revoked = await partnerPost(partner.slug, {
      intent: "revoke",
      email: "new.member@example.test",
    });
    expect(revoked.status).toBe(302);
    expect(await findInvitation(testDb().db, tokenOf(secondLink), new Date())).toBeNull();
    const [audit] = await auditRows("invitation.revoked");
    expect(audit).toMatchObject({ actor_user_id: support.id, partner_id: partner.id });

    const gone = await partnerPost(partner.slug, {
      intent: "resend",
      email: "new.member@example.test",
    });
    expect(gone.status).toBe(409);
    expect(gone.body.formError?.key).toBe("support:errors.invitation_not_pending");
  });

  test("the page shows terms, team, pending invitations, and 404s for an unknown slug", async () => {
    const { partner, owner } = await createPartnerWithOwner({ name: "Shown Partner" });
    await partnerPost(partner.slug, { intent: "invite", email: "p@example.test", role: "owner" });
    const page = await callRoute<{
      page: {
        terms: { name: string };
        team: { email: string }[];
        pending: { email: string; role: string }[];
      };
    }>(partnerLoader, {
      request: getRequest(`/support/partners/${partner.slug}`, { cookie: support.cookie }),
      params: { slug: partner.slug },
    });
    expect(page.status).toBe(200);
    expect(page.body.page.terms.name).toBe("Shown Partner");
    expect(page.body.page.team.map((m) => m.email)).toEqual([owner.email]);
    expect(page.body.page.pending).toMatchObject([{ email: "p@example.test", role: "owner" }]);
    const missing = await callRoute(partnerLoader, {
      request: getRequest("/support/partners/no-such-partner", { cookie: support.cookie }),
      params: { slug: "no-such-partner" },
    });
    expect(missing.status).toBe(404);
  });
});
