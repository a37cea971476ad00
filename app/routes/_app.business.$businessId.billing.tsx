import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireBusinessMember } from "~/auth/guards.server";
import { Card, PageHeader } from "~/components/Layout";
import { ProgressBar } from "~/components/ProgressBar";
import { db } from "~/db.server";
import { getBusinessPlanOverview } from "~/domain/businesses.server";
import { formatDate, formatMoney, formatNumber } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [{ title: "Billing & invoices · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const { business, role } = await requireBusinessMember(args, args.params.businessId);
  const overview = await getBusinessPlanOverview(db, { businessId: business.id });
  return { overview, role };
}

export default function BusinessBilling() {
  const { t } = useTranslation("business");
  const { overview, role } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  const { plan } = overview;
  const price =
    plan.billingInterval === "none"
      ? t("plan.foreverFree")
      : plan.billingInterval === "custom"
        ? t("plan.byArrangement")
        : t(`plan.pricePer.${plan.billingInterval}`, {
            price: formatMoney(plan.priceCents, locale),
          });
  return (
    <>
      <PageHeader
        title={t("billing.title")}
        description={t("billing.subtitle", { business: overview.businessName })}
      />
      {role === "staff" ? (
        <p className="mb-6 rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600">
          {t("billing.readOnly")}
        </p>
      ) : null}
      <div className="space-y-6">
        <Card title={t("plan.sectionTitle")}>
          <div className="rounded-lg border border-brand-100 bg-brand-50 p-5">
            <p className="text-xs font-semibold uppercase tracking-wide text-brand-700">
              {t("plan.current")}
            </p>
            <p className="mt-1 text-xl font-semibold text-slate-900">{plan.name}</p>
            <p className="text-sm text-slate-700">{price}</p>
            <dl className="mt-4 grid gap-3 text-sm sm:grid-cols-2">
              <div>
                <dt className="text-slate-600">{t("plan.billingDate")}</dt>
                <dd className="font-medium">
                  {overview.nextBillingAt
                    ? formatDate(overview.nextBillingAt, locale)
                    : t("plan.noCharge")}
                </dd>
              </div>
              <div>
                <dt className="text-slate-600">{t("plan.created")}</dt>
                <dd className="font-medium">{formatDate(overview.planStartedAt, locale)}</dd>
              </div>
            </dl>
          </div>
          <p className="mt-4 text-sm text-slate-600">{t("plan.tip")}</p>
        </Card>
        <Card title={t("services.sectionTitle")}>
          <div className="grid gap-6 md:grid-cols-2">
            <div>
              <h3 className="text-sm font-semibold text-slate-900">
                {t("services.cardOperations")}
              </h3>
              <p className="mt-1 text-sm text-slate-600">
                {overview.cardOperationsIncludedPerMonth === null
                  ? t("services.setBySupport")
                  : t("services.includedPerMonth", {
                      count: overview.cardOperationsIncludedPerMonth,
                      formatted: formatNumber(overview.cardOperationsIncludedPerMonth, locale),
                    })}
              </p>
              <p className="mt-1 text-xs text-slate-500">
                {t("services.periodResets", {
                  date: formatDate(overview.allowancePeriod.end, locale),
                })}
              </p>
            </div>
            <div>
              <ProgressBar
                label={t("services.staffSeats")}
                used={overview.staffSeatsTaken}
                available={overview.staffSeatsIncluded ?? 0}
              />
              <p className="mt-2 text-sm text-slate-600">
                {t("services.seatsIncluded", { count: overview.staffSeatsIncluded ?? 0 })} ·{" "}
                {t("services.seatsTaken", { count: overview.staffSeatsTaken })}
              </p>
            </div>
          </div>
        </Card>
      </div>
    </>
  );
}
