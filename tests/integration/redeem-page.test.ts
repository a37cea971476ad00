// /redeem/{code}, the handed-out link: anonymous visitors sign in or sign up first and come
// back; an owner sees what the code gives and confirms; owners of several businesses choose
// one; anyone owning none is told why not. The code never reaches the logs.
import { format } from "node:util";
import type { Selectable } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { handleError } from "~/entry.server";
import { formatCode, generateCode } from "~/lib/activation-code";
import { takeFlash } from "~/lib/flash.server";
import { action as signupAction, loader as signupLoader } from "~/routes/_auth.signup";
import { loader as loginLoader } from "~/routes/_auth.login";
import { action as logoutAction } from "~/routes/logout";
import { action, loader } from "~/routes/_app.redeem.$code";
import type { ActivationCodes, Businesses, Bundles, Partners } from "~db/schema.ts";
import { allowConsoleError } from "../console.ts";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  addPartnerMember,
  createBatchWithCodes,
  createBundle,
  createBusiness,
  createBusinessWithOwner,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { countRows, signInAs } from "../helpers/auth.ts";
import { at } from "../helpers/rows.ts";
import {
  callRoute,
  cookieHeader,
  formRequest,
  getRequest,
  makeContext,
  type FormFailureBody,
} from "../helpers/remix.ts";

type Code = Selectable<ActivationCodes>;
type Page = Awaited<ReturnType<typeof loader>>["data"];

let partner: Selectable<Partners>;
let bundle: Selectable<Bundles>;
let codes: Code[];
let nextCode = 0;

beforeAll(async () => {
  partner = (await createPartnerWithOwner({ name: "Brewline Agency" })).partner;
  bundle = await createBundle(partner.id, {
    name: "Café Starter",
    staffSeats: 2,
    cardOperations: 1000,
    termMonths: 6,
  });
  codes = (await createBatchWithCodes(bundle, { count: 12, prefix: "CAFE" })).codes;
});

function freshCode(): Code {
  return at(codes, nextCode++, "unused code");
}

/** The code as the link carries it: CAFE-XXXX-XXXX-XXXX-XXXX. */
function linkCode(code: Code): string {
  return formatCode(code.code, "CAFE");
}

function open(code: string, cookie?: string) {
  return callRoute<Page>(loader, {
    request: getRequest(`/redeem/${encodeURIComponent(code)}`, { cookie }),
    params: { code },
  });
}

function confirm(code: string, cookie: string, businessId: string) {
  return callRoute<FormFailureBody>(action, {
    request: formRequest(
      `/redeem/${encodeURIComponent(code)}`,
      { intent: "claim", businessId },
      { cookie },
    ),
    params: { code },
  });
}

async function grantsOf(businessId: string) {
  return testDb()
    .db.selectFrom("grants")
    .select(["activation_code_id", "staff_seats", "card_operations"])
    .where("business_id", "=", businessId)
    .where("source", "=", "code")
    .execute();
}

describe("signed out", () => {
  test("the link sends the visitor to sign up (most have no account), and back to the code afterwards", async () => {
    const code = linkCode(freshCode());
    const result = await open(code);
    expect(result).toMatchObject({ thrown: true, status: 302 });
    expect(result.location).toBe(`/signup?redirectTo=${encodeURIComponent(`/redeem/${code}`)}`);
  });

  test("sign-up from the link of a code locked to an address pre-fills that address", async () => {
    const locked = freshCode();
    await testDb()
      .db.updateTable("activation_codes")
      .set({ recipient_email: "recipient@example.test", locked_to_email: true })
      .where("id", "=", locked.id)
      .execute();
    const signup = (code: Code) =>
      callRoute<{ email: string | null; invitedBy: string | null }>(signupLoader, {
        request: getRequest(
          `/signup?redirectTo=${encodeURIComponent(`/redeem/${linkCode(code)}`)}`,
        ),
      });
    expect((await signup(locked)).body).toEqual({
      email: "recipient@example.test",
      invitedBy: null,
    });
    // Not locked: nothing to pre-fill, and nothing about the code is told.
    expect((await signup(freshCode())).body).toEqual({ email: null, invitedBy: null });
    const nonsense = await callRoute<{ email: string | null; invitedBy: string | null }>(
      signupLoader,
      {
        request: getRequest(`/signup?redirectTo=${encodeURIComponent("/redeem/%E0%A4%A")}`),
      },
    );
    expect(nonsense.body).toEqual({ email: null, invitedBy: null });
  });

  test("sign-up honours a same-site redirectTo and ignores any other", async () => {
    const back = `/redeem/${linkCode(freshCode())}`;
    const signedUp = await callRoute(signupAction, {
      request: formRequest("/signup", {
        businessName: "Bakery Blum",
        name: "Bea Blum",
        email: "bea@blum.example",
        password: "fresh-bread-daily",
        redirectTo: back,
      }),
    });
    expect(signedUp.status).toBe(302);
    expect(signedUp.location).toBe(back);

    const elsewhere = await callRoute(signupAction, {
      request: formRequest("/signup", {
        businessName: "Salon Nova",
        name: "Nova",
        email: "desk@nova.example",
        password: "fresh-bread-daily",
        redirectTo: "//evil.example/steal",
      }),
    });
    expect(elsewhere.location).toMatch(/^\/business\/[0-9a-f-]{36}\/billing$/);
  });

  test("a signed-in visitor of /login?redirectTo= goes straight there", async () => {
    const { owner } = await createBusinessWithOwner();
    const back = `/redeem/${linkCode(freshCode())}`;
    const result = await callRoute(loginLoader, {
      request: getRequest(`/login?redirectTo=${encodeURIComponent(back)}`, {
        cookie: (await signInAs(owner)).cookie,
      }),
    });
    expect(result).toMatchObject({ status: 302, location: back });
  });
});

describe("an owner of one business", () => {
  let business: Selectable<Businesses>;
  let cookie: string;

  beforeAll(async () => {
    const created = await createBusinessWithOwner({ name: "Corner Coffee" });
    business = created.business;
    cookie = (await signInAs(created.owner)).cookie;
  });

  test("sees the code formatted and what it gives, typed any way in the link", async () => {
    const code = freshCode();
    const typed = formatCode(code.code, "cafe").toLowerCase();
    const result = await open(typed, cookie);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      display: linkCode(code),
      businesses: [{ id: business.id, name: "Corner Coffee" }],
      refusal: null,
      preview: {
        serial: code.id,
        partnerName: "Brewline Agency",
        bundleName: "Café Starter",
        staffSeats: 2,
        cardOperations: 1000,
        termMonths: 6,
      },
    });
    expect(result.body.preview!.expiresAt.getTime()).toBe(code.expires_at.getTime());
    // Looking writes nothing.
    expect(await grantsOf(business.id)).toEqual([]);
  });

  test("confirms: the grant, and the billing page with a flash", async () => {
    const code = freshCode();
    const result = await confirm(linkCode(code), cookie, business.id);
    expect(result.status).toBe(302);
    expect(result.location).toBe(`/business/${business.id}/billing`);
    const flash = await takeFlash(
      getRequest("/", { cookie: cookieHeader(result.setCookies) }),
      makeContext(),
    );
    expect(flash).toMatchObject({
      key: "business:claim.done",
      values: { serial: code.id, gives: "2 staff seats and 1,000 card operations" },
    });
    expect(await grantsOf(business.id)).toContainEqual({
      activation_code_id: code.id,
      staff_seats: 2,
      card_operations: 1000,
    });

    // Opened again: the same message the billing page gives, and no button.
    const again = await open(linkCode(code), cookie);
    expect(again.status).toBe(409);
    expect(again.body.preview).toBeNull();
    expect(again.body.refusal).toEqual({
      key: "redeem:errors.code_already_claimed_by_you",
      values: { serial: code.id },
    });
  });

  test("a refused preview shows its own message and status", async () => {
    const body = freshCode().code;
    const mistyped = body.slice(0, 15) + (body[15] === "0" ? "1" : "0");
    const cases: [string, number, string][] = [
      [mistyped, 400, "code_mistyped"],
      [generateCode(), 404, "code_not_found"],
      ["hello", 404, "code_not_found"],
    ];
    for (const [typed, status, key] of cases) {
      const result = await open(typed, cookie);
      expect(result.status, typed).toBe(status);
      expect(result.body.refusal, typed).toEqual({ key: `redeem:errors.${key}`, values: {} });
      expect(result.body.preview).toBeNull();
    }
    // Something that is no code at all is shown as typed (shortened), never interpreted.
    const odd = await open("<b>" + "x".repeat(100), cookie);
    expect(odd.body.display).toBe(("<b>" + "x".repeat(100)).slice(0, 40));
  });

  test("claimed by someone else between preview and confirm: the message, nothing written", async () => {
    const code = freshCode();
    expect((await open(linkCode(code), cookie)).status).toBe(200);
    const other = await createBusinessWithOwner();
    expect(
      (await confirm(linkCode(code), (await signInAs(other.owner)).cookie, other.business.id))
        .status,
    ).toBe(302);
    const before = await countRows(["grants", "audit_log", "outbox_events"]);
    const late = await confirm(linkCode(code), cookie, business.id);
    expect(late.status).toBe(409);
    expect(late.body.formError).toEqual({ key: "redeem:errors.code_already_claimed", values: {} });
    expect(await countRows(["grants", "audit_log", "outbox_events"])).toEqual(before);
  });
});

describe("an owner of several businesses", () => {
  test("chooses among the businesses they own; staff membership and others' do not count", async () => {
    const user = await createUser();
    const bakery = await createBusiness({ name: "B Bakery" });
    const cafe = await createBusiness({ name: "A Café" });
    const salon = await createBusiness({ name: "C Salon", planId: "monthly", locations: 3 });
    const stranger = await createBusiness();
    await addBusinessMember(bakery.id, user.id, "owner");
    await addBusinessMember(cafe.id, user.id, "owner");
    await addBusinessMember(salon.id, user.id, "staff");
    const cookie = (await signInAs(user)).cookie;
    const code = freshCode();

    const page = await open(linkCode(code), cookie);
    expect(page.status).toBe(200);
    expect(page.body.businesses).toEqual([
      { id: cafe.id, name: "A Café" },
      { id: bakery.id, name: "B Bakery" },
    ]);
    expect(page.body.preview).toMatchObject({ serial: code.id });

    const before = await countRows(["grants"]);
    expect(await confirm(linkCode(code), cookie, salon.id)).toMatchObject({
      thrown: true,
      status: 403,
    });
    expect(await confirm(linkCode(code), cookie, stranger.id)).toMatchObject({
      thrown: true,
      status: 404,
    });
    expect(await confirm(linkCode(code), cookie, "not-a-uuid")).toMatchObject({ status: 404 });
    const missing = await confirm(linkCode(code), cookie, "");
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual({ businessId: { key: "validation.required" } });
    expect(await countRows(["grants"])).toEqual(before);

    const chosen = await confirm(linkCode(code), cookie, bakery.id);
    expect(chosen.location).toBe(`/business/${bakery.id}/billing`);
    expect(await grantsOf(bakery.id)).toHaveLength(1);
    expect(await grantsOf(cafe.id)).toHaveLength(0);
  });
});

describe("someone owning no business", () => {
  test("a staff member or a partner user gets the explanation, no preview", async () => {
    const staff = await createUser();
    const { business } = await createBusinessWithOwner({ planId: "monthly", locations: 2 });
    await addBusinessMember(business.id, staff.id, "staff");
    const partnerUser = await createUser();
    await addPartnerMember(partner.id, partnerUser.id, "member");
    const code = freshCode();

    for (const user of [staff, partnerUser]) {
      const page = await open(linkCode(code), (await signInAs(user)).cookie);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({
        display: linkCode(code),
        email: user.email,
        businesses: [],
        preview: null,
        refusal: null,
      });
    }
    const staffCookie = (await signInAs(staff)).cookie;
    expect(await confirm(linkCode(code), staffCookie, business.id)).toMatchObject({
      status: 403,
    });
    expect(await grantsOf(business.id)).toEqual([]);
  });

  test("signing out can go on to sign-up (same-site only), which comes back to the code", async () => {
    const user = await createUser();
    const back = `/signup?redirectTo=${encodeURIComponent("/redeem/CAFE-XXXX")}`;
    const result = await callRoute(logoutAction, {
      request: formRequest(
        "/logout",
        { redirectTo: back },
        {
          cookie: (await signInAs(user)).cookie,
        },
      ),
    });
    expect(result).toMatchObject({ status: 302, location: back });
    const unsafe = await callRoute(logoutAction, {
      request: formRequest("/logout", { redirectTo: "https://evil.example/" }),
    });
    expect(unsafe.location).toBe("/login");
  });
});

describe("logs", () => {
  test("an unhandled error on a /redeem page is logged without the code", () => {
    const calls = allowConsoleError();
    const code = linkCode(at(codes, -1, "code"));
    handleError(new Error("boom"), {
      request: new Request(`http://localhost/redeem/${code}?x=1`),
    });
    handleError(new Error("boom"), {
      request: new Request(`http://localhost/redeem/${code}.data`),
    });
    const logged = calls.map((args) => format(...args)).join("\n");
    expect(logged).toContain("unhandled error on GET /redeem/[code]");
    expect(logged).not.toContain(code);
    expect(logged).not.toContain(code.slice(5, 9));
  });
});
