// /support/pricing — the retail price list (versions by effective day: history, the one in
// force, scheduled ones; add one for today or later) and the plan table, editable with a
// reason. ADR 019 says when each change takes effect.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { requireSupport } from "~/auth/guards.server";
import { db } from "~/db.server";
import {
  addPriceVersion,
  listPlanTable,
  listPriceVersions,
  PlanEditSchema,
  PlanTermsInvalid,
  PriceVersionSchema,
  updatePlan,
  WithdrawPriceVersionSchema,
  withdrawPriceVersion,
} from "~/domain/pricing.server";
import { redirectWithFlash, type Flash } from "~/lib/flash.server";
import { dispatchIntent, intentForm, supportRefusal } from "~/lib/intents.server";
import { fieldErrorsFrom, formValues } from "~/lib/forms";
import { SupportPricingPage } from "~/components/support/PricingPage";

export const meta: MetaFunction = () => [
  { title: "Prices and plans · Support · 7stamp Partner Portal" },
];

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const now = new Date();
  const [versions, plans] = await Promise.all([listPriceVersions(db, { now }), listPlanTable(db)]);
  return { versions, plans, today: now.toISOString().slice(0, 10) };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const formData = await args.request.formData();
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const now = new Date();
  const typed = formValues(formData);

  /** A change of prices or plans: done, it says so; refused, on its form. */
  const change = <S extends z.ZodTypeAny>(
    schema: S,
    apply: (input: z.output<S>) => Promise<Flash>,
  ) =>
    intentForm(schema, async (input, { fail }) => {
      let flash: Flash;
      try {
        flash = await apply(input);
      } catch (error) {
        if (error instanceof PlanTermsInvalid) {
          return fail({ values: typed, errors: fieldErrorsFrom(error.issues) });
        }
        return supportRefusal(error, fail, typed);
      }
      return redirectWithFlash(args.request, "/support/pricing", flash);
    });

  return dispatchIntent(formData, {
    price: change(PriceVersionSchema, async (input) => {
      const version = await addPriceVersion(db, { input, actor, ip, now });
      return {
        kind: "success",
        key: "support:pricing.versionAdded",
        values: { date: version.effectiveFrom.toISOString().slice(0, 10) },
      };
    }),
    withdraw: change(WithdrawPriceVersionSchema, async (input) => {
      const withdrawn = await withdrawPriceVersion(db, { ...input, actor, ip, now });
      return {
        kind: "success",
        key: "support:pricing.withdrawn",
        values: { date: withdrawn.effectiveFrom.toISOString().slice(0, 10) },
      };
    }),
    plan: change(PlanEditSchema, async (input) => {
      const edit = await updatePlan(db, { input, actor, ip, now });
      return {
        kind: "success",
        key: edit.termsChanged ? "support:plans.savedNextPeriod" : "support:plans.saved",
        values: { plan: edit.name },
      };
    }),
  });
}

export default function SupportPricing() {
  return <SupportPricingPage />;
}
