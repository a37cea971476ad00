// Sessions as in the Lucia guide: a random token in the cookie, its SHA-256 as the row id,
// 30-day expiry that slides forward once less than half of it is left.
import type { Database } from "~db/index.ts";
import { env } from "~/env.server";
import { generateToken, hashToken } from "./tokens.server";
import { clock } from "~/lib/clock.server";

export const SESSION_COOKIE = "7s_session";
export const SESSION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
const RENEW_BELOW_MS = SESSION_LIFETIME_MS / 2;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  isSupport: boolean;
  locale: string | null;
}

export interface ValidSession {
  id: string;
  expiresAt: Date;
  user: SessionUser;
  /** True when this validation pushed the expiry forward (the cookie must be re-sent). */
  renewed: boolean;
}

export async function createSession(
  db: Database,
  {
    userId,
    ip,
    userAgent,
    now = clock(),
  }: { userId: string; ip?: string | null; userAgent?: string | null; now?: Date },
): Promise<{ token: string; expiresAt: Date }> {
  const token = generateToken();
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await db
    .insertInto("sessions")
    .values({
      id: hashToken(token),
      user_id: userId,
      expires_at: expiresAt,
      created_at: now,
      ip: ip ?? null,
      user_agent: userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  // A new session is a sign-in, however it came about (password, sign-up, an accepted
  // invitation): "Last sign-in" is kept here so no way in can forget it.
  await db.updateTable("users").set({ last_sign_in_at: now }).where("id", "=", userId).execute();
  return { token, expiresAt };
}

export async function validateSessionToken(
  db: Database,
  token: string,
  now = clock(),
): Promise<ValidSession | null> {
  const id = hashToken(token);
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select([
      "sessions.id",
      "sessions.expires_at",
      "users.id as user_id",
      "users.email",
      "users.name",
      "users.is_support",
      "users.locale",
    ])
    .where("sessions.id", "=", id)
    .executeTakeFirst();
  if (!row) return null;
  if (row.expires_at.getTime() <= now.getTime()) {
    await db.deleteFrom("sessions").where("id", "=", id).execute();
    return null;
  }
  let expiresAt = row.expires_at;
  let renewed = false;
  if (expiresAt.getTime() - now.getTime() < RENEW_BELOW_MS) {
    expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
    await db.updateTable("sessions").set({ expires_at: expiresAt }).where("id", "=", id).execute();
    renewed = true;
  }
  return {
    id,
    expiresAt,
    renewed,
    user: {
      id: row.user_id,
      email: row.email,
      name: row.name,
      isSupport: row.is_support,
      locale: row.locale,
    },
  };
}

export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", sessionId).execute();
}

export async function invalidateUserSessions(db: Database, userId: string): Promise<void> {
  await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

function serializeSessionCookie(value: string, lifetime: string): string {
  const parts = [`${SESSION_COOKIE}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", lifetime];
  if (env.secureCookies) parts.push("Secure");
  return parts.join("; ");
}

export function sessionCookie(token: string, expiresAt: Date): string {
  return serializeSessionCookie(token, `Expires=${expiresAt.toUTCString()}`);
}

export function blankSessionCookie(): string {
  return serializeSessionCookie("", "Max-Age=0");
}

export function readSessionToken(cookieHeader: string | null): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SESSION_COOKIE) {
      const value = rest.join("=");
      return /^[a-z2-7]{20,64}$/.test(value) ? value : null;
    }
  }
  return null;
}
