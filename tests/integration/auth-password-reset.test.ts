// Password resets (forgot-password → email → reset-password/$token) and the support
// bootstrap's welcome link, which goes through the same one-time token table.
import { beforeEach, describe, expect, test } from "vitest";
import {
  completePasswordReset,
  findUsableResetToken,
  createSupportUser,
  PASSWORD_RESET_LIFETIME_MS,
  signIn,
} from "~/auth/accounts.server";
import { verifyPassword } from "~/auth/password.server";
import { hashToken } from "~/auth/tokens.server";
import { db } from "~/db.server";
import { testOutbox } from "~/email/mailer.server";
import { env } from "~/env.server";
import { action as forgotAction } from "~/routes/_auth.forgot-password";
import { action as resetAction, loader as resetLoader } from "~/routes/_auth.reset-password.$token";
import { testDb } from "../db.ts";
import { createUser, DEFAULT_PASSWORD } from "../factories.ts";
import { auditRows, countRows, sessionsOf, signInAs } from "../helpers/auth.ts";
import {
  callRoute,
  formRequest,
  getRequest,
  makeContext,
  type FormFailureBody,
} from "../helpers/remix.ts";
import { only } from "../helpers/rows.ts";

const NEW_PASSWORD = "a-brand-new-password-42";

beforeEach(() => {
  testOutbox().length = 0;
});

function requestReset(email: string, context = makeContext()) {
  return callRoute<FormFailureBody>(forgotAction, {
    request: formRequest("/forgot-password", { email }),
    context,
  });
}

function submitNewPassword(
  token: string,
  password = NEW_PASSWORD,
  confirmPassword: string = password,
) {
  return callRoute<FormFailureBody>(resetAction, {
    request: formRequest(`/reset-password/${token}`, { password, confirmPassword }),
    params: { token },
    context: makeContext({ clientIp: "203.0.113.9" }),
  });
}

/** The token at the end of the one link the latest email carries. */
function tokenFromLatestEmail(kind: "reset-password" = "reset-password"): string {
  const mail = testOutbox().at(-1);
  expect(mail?.link).toMatch(new RegExp(`^${env.PUBLIC_URL}/${kind}/[a-z2-7]{32}$`));
  return mail!.link!.split("/").at(-1)!;
}

async function passwordHashOf(userId: string) {
  const row = await testDb()
    .db.selectFrom("users")
    .select("password_hash")
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  return row.password_hash;
}

describe("requesting a reset", () => {
  test("emails a link; only the token's hash is stored", async () => {
    const user = await createUser();
    const result = await requestReset(user.email.toUpperCase());

    expect(result.status).toBe(302);
    expect(result.location).toBe("/login");
    expect(testOutbox()).toHaveLength(1);
    const mail = only(testOutbox(), "email");
    expect(mail.to).toBe(user.email);
    const token = tokenFromLatestEmail();
    expect(mail.text).toContain(mail.link);
    expect(mail.html).toContain(`href="${mail.link}"`);

    const rows = await testDb()
      .db.selectFrom("password_reset_tokens")
      .select(["token_hash", "user_id", "purpose", "used_at", "expires_at", "created_at"])
      .execute();
    expect(rows).toEqual([
      expect.objectContaining({
        token_hash: hashToken(token),
        user_id: user.id,
        purpose: "reset",
        used_at: null,
      }),
    ]);
    const lifetime = only(rows, "reset token").expires_at.getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(PASSWORD_RESET_LIFETIME_MS - 60_000);
    expect(lifetime).toBeLessThanOrEqual(PASSWORD_RESET_LIFETIME_MS);
    expect(await auditRows("auth.password_reset_requested")).toEqual([
      expect.objectContaining({ actor_user_id: user.id, subject_id: user.id }),
    ]);
  });

  test("an unknown email: the same response, no email, nothing stored", async () => {
    const user = await createUser();
    const known = await requestReset(user.email);
    testOutbox().length = 0;
    const before = await countRows(["password_reset_tokens", "audit_log"]);

    const unknown = await requestReset("nobody-here@example.test");

    expect(unknown.status).toBe(known.status);
    expect(unknown.location).toBe(known.location);
    expect(unknown.body).toEqual(known.body);
    expect(unknown.setCookies.map((c) => c.split("=")[0])).toEqual(
      known.setCookies.map((c) => c.split("=")[0]),
    );
    expect(testOutbox()).toEqual([]);
    expect(await countRows(["password_reset_tokens", "audit_log"])).toEqual(before);
  });

  test("a malformed email is a field error", async () => {
    const result = await requestReset("not-an-email");
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual({ email: { key: "validation.email" } });
    expect(testOutbox()).toEqual([]);
  });
});

describe("completing a reset", () => {
  test("the link works once: new password set, every session ended, audited", async () => {
    const user = await createUser();
    const phone = await signInAs(user);
    const laptop = await signInAs(user);
    await requestReset(user.email);
    const token = tokenFromLatestEmail();

    const page = await callRoute(resetLoader, {
      request: getRequest(`/reset-password/${token}`),
      params: { token },
    });
    expect(page).toMatchObject({
      status: 200,
      body: { usable: true, email: user.email, purpose: "reset" },
    });

    const result = await submitNewPassword(token);
    expect(result.status).toBe(302);
    expect(result.location).toBe("/login");

    const hash = await passwordHashOf(user.id);
    expect(await verifyPassword(hash!, NEW_PASSWORD)).toBe(true);
    expect(await verifyPassword(hash!, DEFAULT_PASSWORD)).toBe(false);
    expect(await sessionsOf(user.id)).toEqual([]);
    expect(phone.sessionId).not.toBe(laptop.sessionId);
    expect(await auditRows("auth.password_reset")).toEqual([
      expect.objectContaining({ actor_user_id: user.id, subject_id: user.id, ip: "203.0.113.9" }),
    ]);

    // The old password no longer works, the new one does.
    const signedIn = await signIn(db, {
      email: user.email,
      password: NEW_PASSWORD,
      ip: null,
      userAgent: null,
    });
    expect(signedIn.ok).toBe(true);

    // Second use: refused, and the password stays what the first use set.
    const again = await submitNewPassword(token, "yet-another-password-7");
    expect(again.status).toBe(302);
    expect(again.location).toBe("/forgot-password");
    expect(await passwordHashOf(user.id)).toBe(hash);
    const pageAgain = await callRoute(resetLoader, {
      request: getRequest(`/reset-password/${token}`),
      params: { token },
    });
    expect(pageAgain).toMatchObject({ status: 404, body: { usable: false } });
  });

  test("an expired link fails", async () => {
    const user = await createUser();
    await requestReset(user.email);
    const token = tokenFromLatestEmail();
    await testDb()
      .db.updateTable("password_reset_tokens")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("token_hash", "=", hashToken(token))
      .execute();
    const hash = await passwordHashOf(user.id);

    const page = await callRoute(resetLoader, {
      request: getRequest(`/reset-password/${token}`),
      params: { token },
    });
    expect(page.status).toBe(404);
    const result = await submitNewPassword(token);
    expect(result.location).toBe("/forgot-password");
    expect(await passwordHashOf(user.id)).toBe(hash);
  });

  test("a made-up token fails and changes nothing", async () => {
    const before = await countRows(["users", "sessions", "audit_log"]);
    const result = await submitNewPassword("a".repeat(32));
    expect(result.location).toBe("/forgot-password");
    expect(await countRows(["users", "sessions", "audit_log"])).toEqual(before);
  });

  test("two links: a reset with one ends the other too", async () => {
    const user = await createUser();
    await requestReset(user.email);
    const first = tokenFromLatestEmail();
    await requestReset(user.email);
    const second = tokenFromLatestEmail();
    expect(first).not.toBe(second);

    expect((await submitNewPassword(first)).location).toBe("/login");
    // The older request's link (maybe in an inbox someone else reads) is dead now.
    expect((await submitNewPassword(second)).location).toBe("/forgot-password");
    expect(await findUsableResetToken(db, second)).toBeUndefined();
  });

  test("the same link submitted twice at once succeeds only once", async () => {
    const user = await createUser();
    await requestReset(user.email);
    const token = tokenFromLatestEmail();
    const results = await Promise.all([
      completePasswordReset(db, { token, password: "first-password-123", ip: null }),
      completePasswordReset(db, { token, password: "second-password-123", ip: null }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  test("invalid input names the field and does not use up the link", async () => {
    const user = await createUser();
    await requestReset(user.email);
    const token = tokenFromLatestEmail();

    const short = await submitNewPassword(token, "short");
    expect(short.status).toBe(400);
    expect(short.body.errors.password).toEqual({
      key: "validation.tooShort",
      values: { limit: 10 },
    });
    expect(short.body.values).toEqual({});

    const mismatch = await submitNewPassword(token, NEW_PASSWORD, "something-else-entirely");
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors).toEqual({ confirmPassword: { key: "auth:reset.mismatch" } });

    expect((await submitNewPassword(token)).location).toBe("/login");
  });
});

describe("createSupportUser (the admin CLI's bootstrap)", () => {
  test("creates a support user without a password and a one-time welcome link", async () => {
    const { userId, link } = await createSupportUser(db, {
      email: "  Sam.Support@Example.TEST ",
      name: "Sam",
    });

    const user = await testDb()
      .db.selectFrom("users")
      .select(["email", "name", "is_support", "password_hash"])
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    expect(user).toEqual({
      email: "sam.support@example.test",
      name: "Sam",
      is_support: true,
      password_hash: null,
    });
    expect(link).toMatch(new RegExp(`^${env.PUBLIC_URL}/reset-password/[a-z2-7]{32}$`));
    expect(testOutbox()).toEqual([
      expect.objectContaining({ to: "sam.support@example.test", link }),
    ]);
    expect(await auditRows("support.user_created")).toEqual([
      expect.objectContaining({
        actor_user_id: null,
        actor_label: "admin-cli",
        subject_id: userId,
      }),
    ]);

    // No password yet: signing in is impossible.
    const attempt = await signIn(db, {
      email: "sam.support@example.test",
      password: "",
      ip: null,
      userAgent: null,
    });
    expect(attempt.ok).toBe(false);

    const token = link.split("/").at(-1)!;
    const page = await callRoute(resetLoader, {
      request: getRequest(`/reset-password/${token}`),
      params: { token },
    });
    expect(page.body).toEqual({
      usable: true,
      email: "sam.support@example.test",
      purpose: "welcome",
    });

    expect((await submitNewPassword(token)).location).toBe("/login");
    expect(await auditRows("auth.password_set")).toEqual([
      expect.objectContaining({ actor_user_id: userId }),
    ]);
    const signedIn = await signIn(db, {
      email: "sam.support@example.test",
      password: NEW_PASSWORD,
      ip: null,
      userAgent: null,
    });
    expect(signedIn).toMatchObject({ ok: true, user: { id: userId, isSupport: true } });

    // The link is spent.
    expect((await submitNewPassword(token, "another-password-99")).location).toBe(
      "/forgot-password",
    );
  });

  test("promotes an existing account instead of creating a second one", async () => {
    const existing = await createUser();
    const before = await countRows(["users"]);
    const { userId } = await createSupportUser(db, { email: existing.email });
    expect(userId).toBe(existing.id);
    expect(await countRows(["users"])).toEqual(before);
    const row = await testDb()
      .db.selectFrom("users")
      .select(["is_support", "password_hash"])
      .where("id", "=", existing.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ is_support: true, password_hash: existing.password_hash });
    expect(await auditRows("support.user_promoted")).toEqual([
      expect.objectContaining({ subject_id: existing.id }),
    ]);
  });
});
