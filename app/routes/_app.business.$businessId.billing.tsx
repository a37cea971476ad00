import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { notFound, requireBusinessMember } from "~/auth/guards.server";
import { db } from "~/db.server";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import { EnterpriseRequestSchema, requestEnterprise } from "~/domain/enterprise-requests.server";
import { RateLimited } from "~/domain/errors.server";
import { listPlans } from "~/domain/plans.server";
import { getSubscriptionSummary } from "~/domain/subscriptions/reads.server";
import { claimCode } from "~/domain/redemption.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure, rateLimitedFailure } from "~/lib/form-responses.server";
import { dispatchIntent, intentForm } from "~/lib/intents.server";
import { planChangeIntents } from "~/lib/plan-change-intents.server";
import { localeOfRequest } from "~/lib/request-locale.server";
import { claimedFlash, redemptionRefusal } from "~/lib/redemption-messages.server";
import { BillingPage } from "~/components/billing/BillingPage";
import { passOnRetryAfter } from "~/lib/route-headers";
import { clock } from "~/lib/clock.server";
import { env } from "~/env.server";

export const meta: MetaFunction = () => [{ title: "Billing & invoices · 7stamp Partner Portal" }];

export const headers = passOnRetryAfter;

/** The code field, on the page or in the plan dialog (`place` tells where to show errors). */
const ClaimFormSchema = z.object({
  intent: z.literal("claim"),
  code: z.string().trim().min(1).max(100),
  place: z.enum(["section", "dialog"]).default("section"),
});

export async function loader(args: LoaderFunctionArgs) {
  const { business, role } = await requireBusinessMember(args, args.params.businessId);
  const now = clock();
  const [entitlements, plans, subscription] = await Promise.all([
    getEntitlements(db, { businessId: business.id, now }),
    role === "owner" ? listPlans(db) : Promise.resolve([]),
    getSubscriptionSummary(db, {
      businessId: business.id,
      now,
      daysPastDue: env.PAYMENT_DAYS_PAST_DUE,
    }),
  ]);
  if (!entitlements) throw notFound();
  // Who holds which seat is for the staff page, not this one.
  const { seats: _seats, ...shown } = entitlements;
  // A failed payment is the owner's business: staff see no invoice of it.
  const shownSubscription =
    subscription && role !== "owner" ? { ...subscription, pastDue: null } : subscription;
  return { business, role, entitlements: shown, plans, subscription: shownSubscription };
}

export async function action(args: ActionFunctionArgs) {
  const { user, business } = await requireBusinessMember(args, args.params.businessId, "owner");
  const formData = await args.request.formData();
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const back = `/business/${business.id}/billing`;
  const locale = localeOfRequest(args.request, { user });

  return dispatchIntent(formData, {
    claim: intentForm(ClaimFormSchema, async (input) => {
      const { code, place } = input;
      try {
        const claimed = await claimCode(db, {
          businessId: business.id,
          code,
          actor: { ...actor, email: user.email },
          ip,
          now: clock(),
        });
        return redirectWithFlash(args.request, back, claimedFlash(claimed, locale));
      } catch (error) {
        const refusal = redemptionRefusal(error, { formattingLocale: locale.formattingLocale });
        if (!refusal) throw error;
        return formFailure(
          { errors: { code: refusal.message }, values: { intent: input.intent, code, place } },
          { status: refusal.status, headers: refusal.headers },
        );
      }
    }),
    ...planChangeIntents({
      request: args.request,
      businessId: business.id,
      actor,
      ip,
      back,
      formattingLocale: locale.formattingLocale,
    }),
    "enterprise-request": intentForm(EnterpriseRequestSchema, async (input) => {
      try {
        await requestEnterprise(db, {
          businessId: business.id,
          input,
          actor,
          ip,
          now: clock(),
        });
      } catch (error) {
        if (!(error instanceof RateLimited)) throw error;
        return rateLimitedFailure(error, {
          intent: "enterprise-request",
          locations: String(input.locations),
          cardOperationsPerMonth: String(input.cardOperationsPerMonth),
          message: input.message,
        });
      }
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "business:enterprise.sent",
      });
    }),
  });
}

export default function BusinessBilling() {
  return <BillingPage />;
}
