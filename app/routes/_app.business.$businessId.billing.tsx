import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { notFound, requireBusinessMember } from "~/auth/guards.server";
import { domainErrorMessage } from "~/lib/messages";
import { db } from "~/db.server";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import { EnterpriseRequestSchema, requestEnterprise } from "~/domain/enterprise-requests.server";
import { DomainError, RateLimited } from "~/domain/errors.server";
import { changePlan, listPlans } from "~/domain/plans.server";
import { claimCode } from "~/domain/redemption.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure, rateLimitedFailure } from "~/lib/form-responses.server";
import { parseForm } from "~/lib/forms";
import { localeOfRequest } from "~/lib/request-locale.server";
import { claimedFlash, redemptionRefusal } from "~/lib/redemption-messages.server";
import { BillingPage } from "~/components/billing/BillingPage";
import { passOnRetryAfter } from "~/lib/route-headers";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Billing & invoices · 7stamp Partner Portal" }];

export const headers = passOnRetryAfter;

/** The code field, on the page or in the plan dialog (`place` tells where to show errors). */
const ClaimFormSchema = z.object({
  intent: z.literal("claim"),
  code: z.string().trim().min(1).max(100),
  place: z.enum(["section", "dialog"]).default("section"),
});

const ChangePlanFormSchema = z.object({
  intent: z.literal("change-plan"),
  planId: z.string().trim().min(1).max(40),
  // Only per-location plans read it; empty means "not given".
  locations: z
    .string()
    .trim()
    .max(7)
    .regex(/^\d*$/, { message: "validation.wholeNumber" })
    .optional()
    .transform((text) => (text ? Number(text) : null)),
});

export async function loader(args: LoaderFunctionArgs) {
  const { business, role } = await requireBusinessMember(args, args.params.businessId);
  const [entitlements, plans] = await Promise.all([
    getEntitlements(db, { businessId: business.id, now: clock() }),
    role === "owner" ? listPlans(db) : Promise.resolve([]),
  ]);
  if (!entitlements) throw notFound();
  // Who holds which seat is for the staff page, not this one.
  const { seats: _seats, ...shown } = entitlements;
  return { business, role, entitlements: shown, plans };
}

export async function action(args: ActionFunctionArgs) {
  const { user, business } = await requireBusinessMember(args, args.params.businessId, "owner");
  const formData = await args.request.formData();
  const intent = String(formData.get("intent") ?? "");
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const back = `/business/${business.id}/billing`;
  const locale = localeOfRequest(args.request, { user });

  if (intent === "claim") {
    const form = parseForm(ClaimFormSchema, formData);
    if (!form.success) return formFailure(form);
    const { code, place } = form.data;
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
        { errors: { code: refusal.message }, values: { intent, code, place } },
        { status: refusal.status, headers: refusal.headers },
      );
    }
  }

  if (intent === "change-plan") {
    const form = parseForm(ChangePlanFormSchema, formData);
    if (!form.success) return formFailure(form);
    try {
      const change = await changePlan(db, {
        businessId: business.id,
        planId: form.data.planId,
        locations: form.data.locations,
        actor,
        ip,
        now: clock(),
      });
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "business:planChange.done",
        values: { plan: change.after.planName },
      });
    } catch (error) {
      if (!(error instanceof DomainError) || !error.field) throw error;
      return formFailure(
        {
          errors: { [error.field]: domainErrorMessage("business:planChange.errors", error.code) },
          values: {
            intent,
            planId: form.data.planId,
            locations: form.data.locations === null ? "" : String(form.data.locations),
          },
        },
        { status: error.status },
      );
    }
  }

  if (intent === "enterprise-request") {
    const form = parseForm(EnterpriseRequestSchema, formData);
    if (!form.success) return formFailure(form);
    try {
      await requestEnterprise(db, {
        businessId: business.id,
        input: form.data,
        actor,
        ip,
        now: new Date(),
      });
    } catch (error) {
      if (!(error instanceof RateLimited)) throw error;
      return rateLimitedFailure(error, {
        intent,
        locations: String(form.data.locations),
        cardOperationsPerMonth: String(form.data.cardOperationsPerMonth),
        message: form.data.message,
      });
    }
    return redirectWithFlash(args.request, back, {
      kind: "success",
      key: "business:enterprise.sent",
    });
  }

  return formFailure({ errors: { intent: { key: "validation.choice" } }, values: { intent } });
}

export default function BusinessBilling() {
  return <BillingPage />;
}
