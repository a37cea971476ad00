// The referral program's first-touch cookie: the token of the first link visit, signed (so a
// visitor cannot name a visit they did not make), kept 60 days (ADR 034).
import { createCookie } from "@remix-run/node";
import { env } from "~/env.server";
import { ATTRIBUTION_WINDOW_DAYS } from "~/domain/referrals/model.server";

export const referralCookie = createCookie("7s_ref", {
  httpOnly: true,
  sameSite: "lax",
  path: "/",
  maxAge: ATTRIBUTION_WINDOW_DAYS * 24 * 60 * 60,
  secrets: [env.SESSION_SECRET],
  secure: env.secureCookies,
});

/** The token the request's first-touch cookie carries, or null (absent, forged, malformed). */
export async function referralTokenOf(request: Request): Promise<string | null> {
  const value: unknown = await referralCookie.parse(request.headers.get("cookie"));
  return typeof value === "string" && value.length <= 64 ? value : null;
}

/** Ends the cookie once a sign-up used it. */
export function clearReferralCookie(): Promise<string> {
  return referralCookie.serialize("", { maxAge: 0 });
}
