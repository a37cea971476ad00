// Signing in and out, password resets and the support bootstrap: the account rules.
import type { Database } from "~db/index.ts";
import { env } from "~/env.server";
import { recordAudit } from "~/domain/audit.server";
import { rateLimitRules, refundRateLimits, reserveRateLimits } from "~/domain/rate-limits.server";
import { passwordResetEmail, supportWelcomeEmail } from "~/email/messages.server";
import { sendMail } from "~/email/mailer.server";
import { accountEmailLanguage } from "~/email/recipient-language.server";
import { enqueuePasswordReset } from "~/jobs/queue.server";
import type { Language } from "~/lib/locale";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./password.server";
import { signInBlockedBySeats } from "./seat-access.server";
import { createSession, invalidateSession, invalidateUserSessions } from "./session.server";
import { generateToken, hashToken } from "./tokens.server";
import { clock } from "~/lib/clock.server";

export const PASSWORD_RESET_LIFETIME_MS = 60 * 60 * 1000;
export const WELCOME_LINK_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export type SignInResult =
  | {
      ok: true;
      token: string;
      expiresAt: Date;
      user: { id: string; email: string; name: string; isSupport: boolean };
    }
  | { ok: false; reason: "invalid_credentials" | "over_seat_limit" };

/**
 * Checks the password; failed attempts count per account and per IP, and past either
 * limit even the right password is refused until the window ends.
 */
export async function signIn(
  db: Database,
  {
    email,
    password,
    ip,
    userAgent,
  }: { email: string; password: string; ip: string | null; userAgent: string | null },
): Promise<SignInResult> {
  const address = normaliseEmail(email);
  const now = clock();
  const limits = [
    { key: `login:account:${address}`, rule: rateLimitRules.loginFailuresPerAccount },
    { key: `login:ip:${ip ?? "unknown"}`, rule: rateLimitRules.loginFailuresPerIp },
  ];
  // Counted before the password is checked, so parallel attempts cannot all slip past a
  // limit that was read before any of them was counted; a successful sign-in gives its
  // attempt back.
  await reserveRateLimits(db, limits, now);

  const user = await db
    .selectFrom("users")
    .select(["id", "email", "name", "is_support", "password_hash"])
    .where("email", "=", address)
    .executeTakeFirst();
  // Without an account (or a password) a dummy hash is still checked, so the answer takes
  // as long either way and timing does not tell who has an account.
  const valid = user?.password_hash
    ? await verifyPassword(user.password_hash, password)
    : (await verifyPassword(await dummyPasswordHash(), password), false);

  if (!user || !valid) {
    await recordAudit(db, {
      actor: user ? { userId: user.id, label: user.email } : { userId: null, label: address },
      action: "auth.sign_in_failed",
      subject: user ? { type: "user", id: user.id } : undefined,
      ip,
    });
    return { ok: false, reason: "invalid_credentials" };
  }

  await refundRateLimits(db, limits, now);

  // The right password, but every business they belong to has no seat for them: no session
  // (and no failed attempt counted), until a seat frees up.
  if (!user.is_support && (await signInBlockedBySeats(db, { userId: user.id }))) {
    await recordAudit(db, {
      actor: { userId: user.id, label: user.email },
      action: "auth.sign_in_refused",
      subject: { type: "user", id: user.id },
      after: { reason: "over_seat_limit" },
      ip,
    });
    return { ok: false, reason: "over_seat_limit" };
  }

  const session = await createSession(db, { userId: user.id, ip, userAgent });
  await recordAudit(db, {
    actor: { userId: user.id, label: user.email },
    action: "auth.signed_in",
    subject: { type: "user", id: user.id },
    ip,
  });
  return {
    ok: true,
    token: session.token,
    expiresAt: session.expiresAt,
    user: { id: user.id, email: user.email, name: user.name, isSupport: user.is_support },
  };
}

export async function signOut(
  db: Database,
  {
    sessionId,
    user,
    ip,
  }: { sessionId: string; user: { id: string; email: string }; ip: string | null },
): Promise<void> {
  await invalidateSession(db, sessionId);
  await recordAudit(db, {
    actor: { userId: user.id, label: user.email },
    action: "auth.signed_out",
    subject: { type: "user", id: user.id },
    ip,
  });
}

/**
 * Asks for a reset link. Answers the same way, in the same time, whether or not the email
 * has an account: only the limits are counted here; looking the account up and sending the
 * link happen after the answer, in a job (sendPasswordReset).
 */
export async function requestPasswordReset(
  db: Database,
  { email, ip, language }: { email: string; ip: string | null; language: Language },
): Promise<void> {
  const address = normaliseEmail(email);
  await reserveRateLimits(
    db,
    [
      { key: `reset:ip:${ip ?? "unknown"}`, rule: rateLimitRules.passwordResetsPerIp },
      { key: `reset:account:${address}`, rule: rateLimitRules.passwordResetsPerAccount },
    ],
    clock(),
  );
  const request: PasswordResetRequest = { email: address, ip, language };
  // Without a queue (tests, the admin CLI) the work runs here; web processes always have one.
  if (!(await enqueuePasswordReset(request))) await sendPasswordReset(db, request);
}

export interface PasswordResetRequest {
  email: string;
  ip: string | null;
  language: Language;
}

/** The job's work: a reset link to the account with this email, if there is one. */
export async function sendPasswordReset(
  db: Database,
  { email, ip, language }: PasswordResetRequest,
): Promise<void> {
  const user = await db
    .selectFrom("users")
    .select(["id", "email", "locale"])
    .where("email", "=", normaliseEmail(email))
    .executeTakeFirst();
  if (!user) return;
  const now = clock();
  const token = generateToken();
  await db
    .insertInto("password_reset_tokens")
    .values({
      token_hash: hashToken(token),
      user_id: user.id,
      purpose: "reset",
      expires_at: new Date(now.getTime() + PASSWORD_RESET_LIFETIME_MS),
    })
    .execute();
  await recordAudit(db, {
    actor: { userId: user.id, label: user.email },
    action: "auth.password_reset_requested",
    subject: { type: "user", id: user.id },
    ip,
  });
  const link = `${env.PUBLIC_URL}/reset-password/${token}`;
  const recipient = await accountEmailLanguage(db, { user, browserLanguage: language });
  await sendMail(passwordResetEmail({ to: user.email, link, language: recipient }));
}

/** Is this reset link still good? (For the page that shows the form.) */
export async function findUsableResetToken(db: Database, token: string) {
  return db
    .selectFrom("password_reset_tokens")
    .innerJoin("users", "users.id", "password_reset_tokens.user_id")
    .select(["users.email", "password_reset_tokens.purpose"])
    .where("token_hash", "=", hashToken(token))
    .where("used_at", "is", null)
    .where("expires_at", ">", clock())
    .executeTakeFirst();
}

/**
 * Uses a reset (or welcome) link once: the conditional update decides, so two tabs
 * submitting the same link cannot both succeed. Every other session of the user ends.
 */
export async function completePasswordReset(
  db: Database,
  { token, password, ip }: { token: string; password: string; ip: string | null },
): Promise<{ ok: true; userId: string } | { ok: false }> {
  const passwordHash = await hashPassword(password);
  const now = clock();
  return db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable("password_reset_tokens")
      .set({ used_at: now })
      .where("token_hash", "=", hashToken(token))
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .returning(["user_id", "purpose"])
      .executeTakeFirst();
    if (!used) return { ok: false } as const;
    const user = await trx
      .updateTable("users")
      .set({ password_hash: passwordHash, updated_at: now })
      .where("id", "=", used.user_id)
      .returning(["id", "email"])
      .executeTakeFirstOrThrow();
    // Any other link still out there (an earlier request, a welcome link) dies with this one.
    await trx
      .updateTable("password_reset_tokens")
      .set({ used_at: now })
      .where("user_id", "=", user.id)
      .where("used_at", "is", null)
      .execute();
    await invalidateUserSessions(trx, user.id);
    await recordAudit(trx, {
      actor: { userId: user.id, label: user.email },
      action: used.purpose === "welcome" ? "auth.password_set" : "auth.password_reset",
      subject: { type: "user", id: user.id },
      ip,
    });
    return { ok: true, userId: user.id } as const;
  });
}

/**
 * How a deployment gets its first support user: the account is created without a
 * password, and a one-time link (valid a week) lets its owner set one.
 */
export async function createSupportUser(
  db: Database,
  { email, name = "" }: { email: string; name?: string },
): Promise<{ userId: string; link: string }> {
  const address = normaliseEmail(email);
  const token = generateToken();
  const now = clock();
  const userId = await db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom("users")
      .select(["id"])
      .where("email", "=", address)
      .executeTakeFirst();
    const id = existing
      ? (
          await trx
            .updateTable("users")
            .set({ is_support: true, updated_at: now })
            .where("id", "=", existing.id)
            .returning("id")
            .executeTakeFirstOrThrow()
        ).id
      : (
          await trx
            .insertInto("users")
            .values({ email: address, name, is_support: true })
            .returning("id")
            .executeTakeFirstOrThrow()
        ).id;
    await trx
      .insertInto("password_reset_tokens")
      .values({
        token_hash: hashToken(token),
        user_id: id,
        purpose: "welcome",
        expires_at: new Date(now.getTime() + WELCOME_LINK_LIFETIME_MS),
      })
      .execute();
    await recordAudit(trx, {
      actor: { userId: null, label: "admin-cli" },
      action: existing ? "support.user_promoted" : "support.user_created",
      subject: { type: "user", id },
    });
    return id;
  });
  const link = `${env.PUBLIC_URL}/reset-password/${token}`;
  await sendMail(supportWelcomeEmail({ to: address, link, language: "en" }));
  return { userId, link };
}
