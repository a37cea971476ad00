import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requirePartnerMember } from "~/auth/guards.server";
import { BatchStatusBadge } from "~/components/BatchStatusBadge";
import { WholesaleTermsFacts } from "~/components/WholesaleTermsFacts";
import { Card, EmptyState, PageHeader, Stat } from "~/components/Layout";
import { db } from "~/db.server";
import { listBatches } from "~/domain/batches/reads.server";
import { partnerCodeSummary } from "~/domain/partner-dashboard.server";
import { getPartnerTerms, listPartnerTeam } from "~/domain/partners.server";
import { formattingOf } from "~/domain/statement-pdf.server";
import { runningMonthTotals } from "~/domain/statements/reads.server";
import { labelKey } from "~/lib/messages";
import { formatDate, formatMoney, formatNumber } from "~/lib/format";
import { formatStatementMonth } from "~/lib/statement-months";
import { useFormattingLocale } from "~/root";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Partner dashboard · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const { partner, role } = await requirePartnerMember(args, args.params.slug);
  const [terms, team, codes, batches, thisMonth] = await Promise.all([
    getPartnerTerms(db, { partnerId: partner.id }),
    listPartnerTeam(db, { partnerId: partner.id }),
    partnerCodeSummary(db, { partnerId: partner.id, now: clock() }),
    listBatches(db, { partnerId: partner.id, limit: 5 }),
    // One draft computation: the running month's per-bundle sums, nothing else.
    runningMonthTotals(db, { partnerId: partner.id, now: clock() }),
  ]);
  return {
    terms,
    teamSize: team.length,
    role,
    codes,
    latestBatches: batches.rows,
    thisMonth,
    // Amounts as the partner's statements write them.
    statementLocale: formattingOf(terms.locale).locale,
  };
}

export default function PartnerDashboard() {
  const { t } = useTranslation(["partner", "common"]);
  const { terms, teamSize, role, codes, latestBatches, thisMonth, statementLocale } =
    useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  const n = (value: number) => formatNumber(value, locale);
  return (
    <>
      <PageHeader
        title={terms.name}
        description={t("dashboard.subtitle", {
          type: t(labelKey("common:partnerTypes", terms.type)),
          role: t(labelKey("common:roles", role)),
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
      <section aria-labelledby="codes-heading" className="mb-6">
        <h2 id="codes-heading" className="sr-only">
          {t("dashboard.codesTitle")}
        </h2>
        <dl className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4">
          <Stat label={t("dashboard.clients")} value={n(codes.clients)} />
          <Stat label={t("dashboard.issued")} value={n(codes.issued)} />
          <Stat label={t("dashboard.claimed")} value={n(codes.claimed)} />
          <Stat label={t("dashboard.outstanding")} value={n(codes.outstanding)} />
          <Stat label={t("dashboard.revoked")} value={n(codes.revoked)} />
          <Stat label={t("dashboard.expired")} value={n(codes.expired)} />
          <Stat label={t("dashboard.handedOut")} value={n(codes.handedOut)} />
          <Stat label={t("dashboard.seatsClaimed")} value={n(codes.staffSeatsClaimed)} />
          <Stat label={t("dashboard.operationsClaimed")} value={n(codes.cardOperationsClaimed)} />
        </dl>
      </section>
      <div className="mb-6">
        <Card
          title={t("dashboard.thisMonthTitle")}
          actions={
            <Link
              to={`statements/${thisMonth.month}`}
              className="text-sm font-semibold text-brand-700 hover:underline"
            >
              {t("dashboard.thisMonthView")}
            </Link>
          }
        >
          <div className="flex flex-wrap items-end justify-between gap-4">
            <dl>
              <dt className="text-sm text-slate-600">{t("dashboard.thisMonthTotal")}</dt>
              <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">
                {formatMoney(thisMonth.totals.totalCents, statementLocale)}
              </dd>
            </dl>
            <div className="text-right text-sm text-slate-600">
              <p>
                {t("dashboard.thisMonthPeriod", {
                  period: formatStatementMonth(thisMonth.month, statementLocale),
                })}
              </p>
              <p className="tabular-nums">
                {t("dashboard.thisMonthClaims", {
                  count: thisMonth.claimCount,
                  formatted: n(thisMonth.claimCount),
                })}
                {thisMonth.creditCount > 0
                  ? ` · ${t("dashboard.thisMonthCredits", {
                      count: thisMonth.creditCount,
                      formatted: n(thisMonth.creditCount),
                    })}`
                  : null}
              </p>
            </div>
          </div>
        </Card>
      </div>
      <div className="mb-6">
        <Card
          title={t("dashboard.latestBatches")}
          actions={
            <Link to="batches" className="text-sm font-semibold text-brand-700 hover:underline">
              {t("dashboard.allBatches")}
            </Link>
          }
        >
          {latestBatches.length === 0 ? (
            <EmptyState title={t("dashboard.noBatches")}>
              <Link to="bundles" className="font-semibold text-brand-700 underline">
                {t("dashboard.startWithBundle")}
              </Link>
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {latestBatches.map((batch) => (
                <li key={batch.id} className="flex items-center justify-between gap-4 py-2">
                  <Link
                    to={`batches/${batch.id}`}
                    className="font-medium text-brand-700 hover:underline"
                  >
                    {batch.label || batch.bundleName}
                  </Link>
                  <span className="flex items-center gap-3 text-slate-600">
                    <span className="tabular-nums">
                      {t("dashboard.batchCodes", {
                        count: batch.codeCount,
                        formatted: n(batch.codeCount),
                      })}
                    </span>
                    <span>{formatDate(batch.createdAt, locale)}</span>
                    <BatchStatusBadge status={batch.status} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      <div className="grid gap-6 md:grid-cols-2">
        <Card
          title={t("terms.title")}
          actions={
            <Link to="terms" className="text-sm font-semibold text-brand-700 hover:underline">
              {t("terms.viewAll")}
            </Link>
          }
        >
          <dl className="grid grid-cols-2 gap-x-4 gap-y-3 text-sm">
            <WholesaleTermsFacts
              discountBps={terms.discountBps}
              taxRateBps={terms.taxRateBps}
              locale={locale}
            />
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
