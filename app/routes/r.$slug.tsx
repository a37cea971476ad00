// A personal referral link, /r/{slug}: records the visit, sets the first-touch cookie unless
// an earlier visit through a link still attributes (first touch wins), and sends the visitor
// to sign up. An unknown, paused or disconnected slug answers the same redirect and the same
// cookie shape (a token that matches nothing), so the answer never says whether it exists.
// Recording a visit on GET is the link's purpose (the one GET that writes, ADR 034).
import { type LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { attributableVisit, recordVisit } from "~/domain/referrals/attribution.server";
import { clock } from "~/lib/clock.server";
import { referralCookie, referralTokenOf } from "~/lib/referral-cookie.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const now = clock();
  const url = new URL(request.url);
  const slug = (params.slug ?? "").slice(0, 60);
  const existing = await referralTokenOf(request);
  const kept = existing ? await attributableVisit(db, { token: existing, now }) : null;
  const visit = await recordVisit(db, {
    slug,
    ip: context.clientIp,
    userAgent: request.headers.get("user-agent"),
    landingPage: `${url.pathname}${url.search}`.slice(0, 500),
    now,
  });
  const headers = new Headers({
    Location: "/signup",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
  });
  if (!kept) headers.append("Set-Cookie", await referralCookie.serialize(visit.token));
  return new Response(null, { status: 302, headers });
}
