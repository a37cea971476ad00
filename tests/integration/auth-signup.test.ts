// Business sign-up: one action creates the owner, the business on the free plan, the
// membership, an audit row and a session — or, on any problem, nothing at all.
import { describe, expect, test } from "vitest";
import { SESSION_COOKIE } from "~/auth/session.server";
import { hashToken } from "~/auth/tokens.server";
import { verifyPassword } from "~/auth/password.server";
import { db } from "~/db.server";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import { action as signupAction, loader as signupLoader } from "~/routes/_auth.signup";
import { loader as billingLoader } from "~/routes/_app.business.$businessId.billing";
import { testDb } from "../db.ts";
import { createUser } from "../factories.ts";
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
import { at, first } from "../helpers/rows.ts";
import { anyInstance } from "../helpers/typed.ts";

const VALID = {
  businessName: "Corner Coffee",
  name: "Cora Owner",
  email: "cora@corner-coffee.example",
  password: "espresso-every-morning",
};

const WRITTEN = ["users", "businesses", "business_members", "sessions", "audit_log"] as const;

function signup(fields: Record<string, string>, context = makeContext()) {
  return callRoute<FormFailureBody>(signupAction, {
    request: formRequest("/signup", fields, { headers: { "User-Agent": "vitest-browser" } }),
    context,
  });
}

describe("a successful sign-up", () => {
  test("creates user, free-plan business, owner membership, audit row and session", async () => {
    const context = makeContext({ clientIp: "203.0.113.9" });
    const result = await signup(
      { ...VALID, businessName: "  Corner Coffee ", email: " Cora@Corner-Coffee.example" },
      context,
    );

    expect(result.status).toBe(302);
    const user = await testDb()
      .db.selectFrom("users")
      .select(["id", "email", "name", "password_hash", "is_support"])
      .where("email", "=", VALID.email)
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({ email: VALID.email, name: VALID.name, is_support: false });
    expect(await verifyPassword(user.password_hash!, VALID.password)).toBe(true);

    const memberships = await testDb()
      .db.selectFrom("business_members")
      .innerJoin("businesses", "businesses.id", "business_members.business_id")
      .select(["businesses.id", "businesses.name", "businesses.plan_id", "business_members.role"])
      .where("business_members.user_id", "=", user.id)
      .execute();
    expect(memberships).toEqual([
      { id: anyInstance(String), name: VALID.businessName, plan_id: "free", role: "owner" },
    ]);
    const businessId = first(memberships, "membership").id;
    expect(result.location).toBe(`/business/${businessId}/billing`);

    expect(await auditRows("business.signed_up")).toEqual([
      expect.objectContaining({
        actor_user_id: user.id,
        actor_label: VALID.email,
        business_id: businessId,
        subject_type: "business",
        subject_id: businessId,
        ip: "203.0.113.9",
      }),
    ]);

    const setCookie = findSetCookie(result.setCookies, SESSION_COOKIE);
    expect(setCookie).toBeDefined();
    const token = setCookieValue(setCookie!);
    const sessions = await testDb()
      .db.selectFrom("sessions")
      .select(["id", "user_id", "ip", "user_agent"])
      .where("user_id", "=", user.id)
      .execute();
    expect(sessions).toEqual([
      { id: hashToken(token), user_id: user.id, ip: "203.0.113.9", user_agent: "vitest-browser" },
    ]);

    // The new session opens the business's billing page.
    const page = await callRoute(billingLoader, {
      request: getRequest(result.location!, { cookie: sessionCookieHeader(token) }),
      params: { businessId },
    });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      role: "owner",
      business: { id: businessId },
      entitlements: {
        plan: { businessId, id: "free", priceCents: 0, nextBillingAt: null },
        staffSeats: { taken: 1 },
      },
    });
  });

  test("the plan overview of a new free business", async () => {
    const result = await signup({ ...VALID, email: "overview@example.test" });
    const businessId = at(result.location!.split("/"), 2, "business id in the location");
    const entitlements = await getEntitlements(db, { businessId, now: new Date() });
    expect(entitlements).toMatchObject({
      plan: {
        id: "free",
        billingInterval: "none",
        perLocation: false,
        locations: 1,
        cardOperationsPerPeriod: 100,
        staffSeats: 1,
        nextBillingAt: null,
      },
      staffSeats: { included: 1, taken: 1 },
    });
  });
});

describe("a duplicate email", () => {
  test("is a field error on email and writes nothing", async () => {
    const existing = await createUser();
    const before = await countRows([...WRITTEN]);

    const result = await signup({ ...VALID, email: existing.email.toUpperCase() });

    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual({ email: { key: "auth:signup.emailTaken" } });
    expect(result.body.values).toEqual({
      businessName: VALID.businessName,
      name: VALID.name,
      // What the user typed, kept for the form.
      email: existing.email.toUpperCase(),
    });
    expect(result.setCookies).toEqual([]);
    expect(await countRows([...WRITTEN])).toEqual(before);
  });

  test("two sign-ups racing for one email: one wins, the other gets the field error", async () => {
    const email = "race@example.test";
    const results = await Promise.all([
      signup({ ...VALID, businessName: "Racer A", email }),
      signup({ ...VALID, businessName: "Racer B", email }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([302, 400]);
    const loser = results.find((r) => r.status === 400)!;
    expect(loser.body.errors.email).toEqual({ key: "auth:signup.emailTaken" });
    const businesses = await testDb()
      .db.selectFrom("businesses")
      .select("name")
      .where("name", "in", ["Racer A", "Racer B"])
      .execute();
    expect(businesses).toHaveLength(1);
  });
});

describe("invalid input", () => {
  test.each([
    [
      "empty business name",
      { businessName: "   " },
      { businessName: { key: "validation.required" } },
    ],
    ["bad email", { email: "cora-at-example" }, { email: { key: "validation.email" } }],
    [
      "short password",
      { password: "short" },
      { password: { key: "validation.tooShort", values: { limit: 10 } } },
    ],
    ["empty password", { password: "" }, { password: { key: "validation.required" } }],
    [
      "over-long name",
      { name: "x".repeat(121) },
      { name: { key: "validation.tooLong", values: { limit: 120 } } },
    ],
  ])("%s → 400 naming the field, nothing written", async (_label, change, errors) => {
    const before = await countRows([...WRITTEN]);
    const result = await signup({ ...VALID, ...change });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual(errors);
    expect(result.body.values).not.toHaveProperty("password");
    expect(result.setCookies).toEqual([]);
    expect(await countRows([...WRITTEN])).toEqual(before);
  });

  test("every field wrong at once: each is named", async () => {
    const before = await countRows([...WRITTEN]);
    const result = await signup({ businessName: "", name: "", email: "nope", password: "123" });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual({
      businessName: { key: "validation.required" },
      name: { key: "validation.required" },
      email: { key: "validation.email" },
      password: { key: "validation.tooShort", values: { limit: 10 } },
    });
    expect(result.body.values).toEqual({ businessName: "", name: "", email: "nope" });
    expect(await countRows([...WRITTEN])).toEqual(before);
  });

  test("missing fields are required, not a 500", async () => {
    const result = await signup({});
    expect(result.status).toBe(400);
    expect(Object.keys(result.body.errors).sort()).toEqual([
      "businessName",
      "email",
      "name",
      "password",
    ]);
  });
});

describe("the sign-up page when signed in", () => {
  test("redirects home", async () => {
    const user = await createUser();
    const { cookie } = await signInAs(user);
    const result = await callRoute(signupLoader, { request: getRequest("/signup", { cookie }) });
    expect(result).toMatchObject({ thrown: true, status: 302, location: "/account" });
  });
});
