// Manage subscription (issue 14): the owner's paid plan — plan, interval, locations, next
// billing date — and its change or cancellation, previewed before it is confirmed; the
// business's details (billing details, its language) are edited here too.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { requireBusinessMember } from "~/auth/guards.server";
import { db } from "~/db.server";
import { listPlans } from "~/domain/plans.server";
import {
  BusinessLocaleSchema,
  getBusinessLocale,
  setBusinessLocale,
} from "~/domain/businesses.server";
import { getSubscriptionSummary } from "~/domain/subscriptions/reads.server";
import { clock } from "~/lib/clock.server";
import { env } from "~/env.server";
import { dispatchIntent, intentForm } from "~/lib/intents.server";
import { redirectWithFlash } from "~/lib/flash.server";
import {
  BillingDetailsSchema,
  getBillingDetails,
  saveBillingDetails,
} from "~/domain/invoices/billing-details.server";
import { listInvoices } from "~/domain/invoices/reads.server";
import { chooseLocale } from "~/lib/locale";
import { localeOfRequest } from "~/lib/request-locale.server";
import { planChangeIntents } from "~/lib/plan-change-intents.server";
import { SubscriptionPage } from "~/components/subscription/SubscriptionPage";

export const meta: MetaFunction = () => [{ title: "Manage subscription · 7stamp Partner Portal" }];

// Money is the owner's: staff see nothing of it.
export async function loader(args: LoaderFunctionArgs) {
  const { business } = await requireBusinessMember(args, args.params.businessId, "owner");
  const now = clock();
  const [subscription, plans, billingDetails, invoices, businessLocale] = await Promise.all([
    getSubscriptionSummary(db, {
      businessId: business.id,
      now,
      daysPastDue: env.PAYMENT_DAYS_PAST_DUE,
    }),
    listPlans(db),
    getBillingDetails(db, { businessId: business.id }),
    listInvoices(db, { businessId: business.id, limit: 5 }),
    getBusinessLocale(db, { businessId: business.id }),
  ]);
  return {
    business,
    subscription,
    plans: plans.filter((plan) => plan.selectable),
    billingDetails,
    invoices: invoices.rows,
    // The form's value: a language we have, else "auto".
    businessLanguage: chooseLocale({ organisation: businessLocale ?? "" }).language,
    businessLanguageSet: businessLocale !== null,
  };
}

export async function action(args: ActionFunctionArgs) {
  const { user, business } = await requireBusinessMember(args, args.params.businessId, "owner");
  const formData = await args.request.formData();
  const locale = localeOfRequest(args.request, { user });
  const actor = { userId: user.id, label: user.email };
  const back = `/business/${business.id}/subscription`;
  return dispatchIntent(formData, {
    ...planChangeIntents({
      request: args.request,
      businessId: business.id,
      actor,
      ip: args.context.clientIp,
      back,
      formattingLocale: locale.formattingLocale,
    }),
    "billing-details": intentForm(BillingDetailsSchema, async (input) => {
      await saveBillingDetails(db, {
        businessId: business.id,
        input,
        actor,
        ip: args.context.clientIp,
        now: clock(),
      });
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "invoices:details.saved",
      });
    }),
    "business-locale": intentForm(BusinessLocaleSchema, async (input) => {
      await setBusinessLocale(db, {
        businessId: business.id,
        locale: input.locale,
        actor,
        ip: args.context.clientIp,
      });
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "business:language.saved",
      });
    }),
  });
}

export default function ManageSubscription() {
  return <SubscriptionPage />;
}
