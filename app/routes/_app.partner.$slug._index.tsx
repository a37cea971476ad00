import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requirePartnerMember } from "~/auth/guards.server";
import { Card, PageHeader } from "~/components/Layout";
import { db } from "~/db.server";
import { getPartnerTerms, listPartnerTeam } from "~/domain/partners.server";
import { formatBasisPoints, formatDate } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [{ title: "Partner dashboard · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const { partner, role } = await requirePartnerMember(args, args.params.slug);
  const [terms, team] = await Promise.all([
    getPartnerTerms(db, { partnerId: partner.id }),
    listPartnerTeam(db, { partnerId: partner.id }),
  ]);
  return { terms, teamSize: team.length, role };
}

export default function PartnerDashboard() {
  const { t } = useTranslation("partner");
  const { terms, teamSize, role } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  return (
    <>
      <PageHeader
        title={terms.name}
        description={t("dashboard.subtitle", {
          type: t(`common:partnerTypes.${terms.type}`),
          role: t(`common:roles.${role}`),
        })}
      />
      {terms.status === "suspended" ? (
        <div
          role="alert"
          className="mb-6 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900"
        >
          {t("dashboard.suspended")}
        </div>
      ) : null}
      <div className="grid gap-6 md:grid-cols-2">
        <Card title={t("terms.title")}>
          <dl className="grid grid-cols-2 gap-x-4 gap-y-3 text-sm">
            <dt className="text-slate-600">{t("terms.discount")}</dt>
            <dd className="font-medium tabular-nums">
              {formatBasisPoints(terms.discountBps, locale)}
            </dd>
            <dt className="text-slate-600">{t("terms.taxRate")}</dt>
            <dd className="font-medium tabular-nums">
              {terms.taxRateBps === 0
                ? t("terms.reverseCharge")
                : formatBasisPoints(terms.taxRateBps, locale)}
            </dd>
            <dt className="text-slate-600">{t("terms.statementPrefix")}</dt>
            <dd className="font-mono font-medium">{terms.statementPrefix}</dd>
            <dt className="text-slate-600">{t("terms.partnerSince")}</dt>
            <dd className="font-medium">{formatDate(terms.createdAt, locale)}</dd>
          </dl>
          {terms.specialTerms ? (
            <div className="mt-4 border-t border-slate-100 pt-4">
              <h3 className="text-sm font-medium text-slate-800">{t("terms.specialTerms")}</h3>
              <p className="mt-1 whitespace-pre-line text-sm text-slate-600">
                {terms.specialTerms}
              </p>
            </div>
          ) : null}
          <p className="mt-4 text-xs text-slate-500">{t("terms.readOnly")}</p>
        </Card>
        <Card
          title={t("team.title")}
          actions={
            <Link to="team" className="text-sm font-semibold text-brand-700 hover:underline">
              {t("dashboard.manageTeam")}
            </Link>
          }
        >
          <p className="text-sm text-slate-700">{t("dashboard.teamSize", { count: teamSize })}</p>
          {terms.contactEmail ? (
            <p className="mt-2 text-sm text-slate-600">
              {t("dashboard.contact", {
                name: terms.contactName || terms.contactEmail,
                email: terms.contactEmail,
              })}
            </p>
          ) : null}
        </Card>
      </div>
    </>
  );
}
