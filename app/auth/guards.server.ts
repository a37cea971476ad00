// Guards: every loader and action calls its own. A tenant the user does not belong to
// answers 404, exactly like one that does not exist.
import { redirect } from "@remix-run/node";
import { messageKey } from "~/lib/messages";
import { db } from "~/db.server";
import {
  formerBusinessMembership,
  formerPartnerMembership,
  type FormerMembership,
} from "~/domain/organisations.server";
import { isPartnerSlug, isUuid } from "~/lib/ids";
import type { RequestContext } from "./context.server";
import { overSeatLimitResponse, holdsSeatNow, seatNeedsReattribution } from "./seat-access.server";
import {
  readSessionToken,
  sessionCookie,
  validateSessionToken,
  type ValidSession,
} from "./session.server";
import { clock } from "~/lib/clock.server";

export interface GuardArgs {
  request: Request;
  context: RequestContext;
}

const sessionsByContext = new WeakMap<RequestContext, Promise<ValidSession | null>>();

/** The request's session, validated once per request however many loaders ask. */
export function getSession({ request, context }: GuardArgs): Promise<ValidSession | null> {
  let pending = sessionsByContext.get(context);
  if (!pending) {
    pending = (async () => {
      const token = readSessionToken(request.headers.get("cookie"));
      if (!token) return null;
      const session = await validateSessionToken(db, token);
      if (session?.renewed) context.appendSetCookie(sessionCookie(token, session.expiresAt));
      return session;
    })();
    sessionsByContext.set(context, pending);
  }
  return pending;
}

export async function getOptionalUser(args: GuardArgs) {
  return (await getSession(args))?.user ?? null;
}

export function notFound(): Response {
  return new Response("Not Found", { status: 404, statusText: "Not Found" });
}

export function forbidden(): Response {
  return new Response("Forbidden", { status: 403, statusText: "Forbidden" });
}

export const MEMBERSHIP_REMOVED = "membership_removed";

/**
 * A former member (ADR 018) is told they were removed and what to do, rather than "Page not
 * found": they knew the organisation, so naming it reveals nothing. 403, read by the
 * shell's error boundary.
 */
export function membershipRemovedResponse(former: FormerMembership): Response {
  return Response.json(
    {
      code: MEMBERSHIP_REMOVED,
      messageKey: messageKey(`errors.membershipRemoved.${former.kind}`),
      organisation: { kind: former.kind, name: former.name },
      removedAt: former.removedAt.toISOString(),
    },
    { status: 403, statusText: "Forbidden" },
  );
}

/**
 * Signed out: to sign-in, and back here afterwards. A redeem link goes to sign-up instead:
 * most people handed a code have no account yet (sign-in is one click away there).
 */
export async function requireUser(args: GuardArgs) {
  const session = await getSession(args);
  if (!session) {
    const url = new URL(args.request.url);
    const back = url.pathname + url.search;
    if (back === "/") throw redirect("/login");
    const entry = url.pathname.startsWith("/redeem/") ? "/signup" : "/login";
    throw redirect(`${entry}?redirectTo=${encodeURIComponent(back)}`);
  }
  return session.user;
}

export async function requireSupport(args: GuardArgs) {
  const user = await requireUser(args);
  if (!user.isSupport) throw notFound();
  return user;
}

export type PartnerRole = "owner" | "member";
export type BusinessRole = "owner" | "staff";

/**
 * The signed-in user's membership of one partner, by slug. Not a member → 404 (a former
 * member → 403 saying they were removed).
 * With role "owner", a member who is not the owner gets 403: they know the partner.
 */
export async function requirePartnerMember(
  args: GuardArgs,
  partnerSlug: string | undefined,
  role?: "owner",
) {
  const user = await requireUser(args);
  if (!isPartnerSlug(partnerSlug)) throw notFound();
  const membership = await db
    .selectFrom("partner_members")
    .innerJoin("partners", "partners.id", "partner_members.partner_id")
    .select([
      "partners.id",
      "partners.name",
      "partners.slug",
      "partners.status",
      "partners.type",
      "partner_members.role",
    ])
    .where("partners.slug", "=", partnerSlug)
    .where("partner_members.user_id", "=", user.id)
    .executeTakeFirst();
  if (!membership) {
    const former = await formerPartnerMembership(db, { userId: user.id, partnerSlug });
    throw former ? membershipRemovedResponse(former) : notFound();
  }
  if (role === "owner" && membership.role !== "owner") throw forbidden();
  const { role: memberRole, ...partner } = membership;
  return { user, partner, role: memberRole };
}

/**
 * The signed-in user's membership of one business, by id. Not a member → 404 (a former
 * member → 403 saying they were removed). A member over
 * the staff-seat limit → 403 with the reason. One query when the seat holds; when the
 * member is over the limit or their seat's grant has ended, the seats are re-attributed
 * first, so an ended grant takes effect at once and a seat that came back lets them in.
 */
export async function requireBusinessMember(
  args: GuardArgs,
  businessId: string | undefined,
  role?: "owner",
) {
  const user = await requireUser(args);
  if (!isUuid(businessId)) throw notFound();
  const membership = await db
    .selectFrom("business_members")
    .innerJoin("businesses", "businesses.id", "business_members.business_id")
    .leftJoin("grants", "grants.id", "business_members.seat_grant_id")
    .select([
      "businesses.id",
      "businesses.name",
      "business_members.role",
      "business_members.over_seat_limit_since",
      "grants.ends_at as seat_ends_at",
    ])
    .where("businesses.id", "=", businessId)
    .where("business_members.user_id", "=", user.id)
    .executeTakeFirst();
  if (!membership) {
    const former = await formerBusinessMembership(db, { userId: user.id, businessId });
    throw former ? membershipRemovedResponse(former) : notFound();
  }
  const now = clock();
  // A guard only reads (a GET must not write): when the stored attribution may be out of date,
  // the seat is worked out afresh without saving it. The seat sweep job, or the next write
  // that re-attributes the business's seats, stores it.
  if (
    seatNeedsReattribution(membership, now) &&
    !(await holdsSeatNow(db, { businessId, userId: user.id, now }))
  ) {
    throw overSeatLimitResponse();
  }
  if (role === "owner" && membership.role !== "owner") throw forbidden();
  const { id, name, role: memberRole } = membership;
  return { user, business: { id, name }, role: memberRole };
}
