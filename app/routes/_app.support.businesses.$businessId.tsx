import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { notFound, requireSupport } from "~/auth/guards.server";
import { db } from "~/db.server";
import { listAudit } from "~/domain/audit.server";
import {
  createSupportGrant,
  EndGrantSchema,
  endGrantEarly,
  SupportGrantSchema,
  SupportPlanSchema,
  supportBusinessPage,
} from "~/domain/business-admin.server";
import { changePlan, listPlans } from "~/domain/plans.server";
import { redirectWithFlash, type Flash } from "~/lib/flash.server";
import { dispatchIntent, intentForm, supportRefusal } from "~/lib/intents.server";
import { isUuid } from "~/lib/ids";
import { listInvoices } from "~/domain/invoices/reads.server";
import { SupportBusinessPage } from "~/components/support/BusinessPage";
import { clock } from "~/lib/clock.server";
import { SupportReferralPanel } from "~/components/referrals/SupportReferralPanel";
import { supportReferralPanel } from "~/domain/referrals/reads.server";
import { referralIntents } from "~/lib/referral-intents.server";
import { formValues } from "~/lib/forms";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.page.plan.businessName ?? "Business"} · Support · 7stamp Partner Portal` },
];

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const businessId = args.params.businessId;
  if (!isUuid(businessId)) throw notFound();
  const [page, plans, audit, invoices] = await Promise.all([
    supportBusinessPage(db, { businessId, now: clock() }),
    listPlans(db),
    listAudit(db, { businessId }, { limit: 20 }),
    listInvoices(db, { businessId, limit: 20 }),
  ]);
  if (!page) throw notFound();
  const today = new Date().toISOString().slice(0, 10);
  const referral = await supportReferralPanel(db, {
    owner: { businessId },
    name: page.plan.businessName,
  });
  return { page, plans, audit: audit.rows, today, invoices: invoices.rows, referral };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const businessId = args.params.businessId;
  if (!isUuid(businessId)) throw notFound();
  const formData = await args.request.formData();
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const here = `/support/businesses/${businessId}`;
  const typed = formValues(formData);

  /** A correction of the business: done, it says so; refused, the refusal is shown on its form. */
  const correction = <S extends z.ZodTypeAny>(
    schema: S,
    correct: (input: z.output<S>) => Promise<Flash>,
  ) =>
    intentForm(schema, async (input, { fail }) => {
      let flash: Flash;
      try {
        flash = await correct(input);
      } catch (error) {
        return supportRefusal(error, fail, typed);
      }
      return redirectWithFlash(args.request, here, flash);
    });

  return dispatchIntent(formData, {
    grant: correction(SupportGrantSchema, async (input) => {
      await createSupportGrant(db, { now: clock(), businessId, input, actor, ip });
      return { kind: "success", key: "support:business.grantCreated" };
    }),
    endGrant: correction(EndGrantSchema, async ({ grantId, reason }) => {
      await endGrantEarly(db, { now: clock(), businessId, grantId, reason, actor, ip });
      return { kind: "success", key: "support:business.grantEnded" };
    }),
    plan: correction(SupportPlanSchema, async (form) => {
      const change = await changePlan(db, {
        now: clock(),
        businessId,
        planId: form.planId,
        locations: form.locations || null,
        custom:
          form.planId === "custom"
            ? {
                cardOperationsPerMonth: form.customCardOperations,
                staffSeats: form.customStaffSeats,
              }
            : null,
        reason: form.reason,
        actor,
        ip,
      });
      return {
        kind: "success",
        key: "support:business.planChanged",
        values: { plan: change.after.planName },
      };
    }),
    ...referralIntents({
      request: args.request,
      formData,
      owner: { businessId },
      referrer: { businessId },
      here,
      actor,
      ip,
    }),
  });
}

export default function SupportBusiness() {
  return (
    <>
      <SupportBusinessPage />
      <div className="mt-6">
        <SupportReferralPanel />
      </div>
    </>
  );
}
