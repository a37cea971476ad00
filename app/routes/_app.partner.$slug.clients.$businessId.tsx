import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { notFound, requirePartnerMember } from "~/auth/guards.server";
import { ClaimedCodeBlock } from "~/components/ClaimedCodeBlock";
import { DailyUsageChart } from "~/components/DailyUsageChart";
import { Card, EmptyState, PageHeader, Stat } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { db } from "~/db.server";
import { ClientNotFound } from "~/domain/clients/model.server";
import { getClient } from "~/domain/clients/reads.server";
import { formatDate, formatDateTime, formatNumber } from "~/lib/format";
import { useFormattingLocale } from "~/root";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `${data.client.businessName} · Clients · 7stamp Partner Portal`
      : "Client · 7stamp Partner Portal",
  },
];

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  try {
    return await getClient(db, {
      partnerId: partner.id,
      businessId: args.params.businessId ?? "",
      now: clock(),
    });
  } catch (error) {
    // Not this partner's client is a page that does not exist, like an unknown id.
    if (error instanceof ClientNotFound) throw notFound();
    throw error;
  }
}

export default function PartnerClient() {
  const { t } = useTranslation("clients");
  const { client, codes, dailyUsage } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  const n = (value: number) => formatNumber(value, locale);
  const base = `/partner/${useParams().slug}/clients`;
  const ended = client.activeCodes === 0;

  return (
    <>
      <Link to={base} className="mb-2 inline-block text-sm text-brand-700 hover:underline">
        ← {t("detail.back")}
      </Link>
      <PageHeader
        title={client.businessName}
        description={
          <>
            {t("detail.subtitle", {
              count: client.codesClaimed,
              formatted: n(client.codesClaimed),
            })}
            <span className="ml-2 inline-flex flex-wrap gap-1 align-middle">
              {ended ? <StatusBadge tone="neutral">{t("flags.ended")}</StatusBadge> : null}
              {client.nearlyUsedUp ? (
                <StatusBadge tone="warning">{t("flags.nearlyUsedUp")}</StatusBadge>
              ) : null}
              {client.endsWithin30Days ? (
                <StatusBadge tone="info">{t("flags.endsSoon")}</StatusBadge>
              ) : null}
            </span>
          </>
        }
      />

      <section aria-labelledby="client-summary" className="mb-6">
        <h2 id="client-summary" className="sr-only">
          {t("detail.summaryTitle")}
        </h2>
        <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          <Stat
            label={t("detail.seats")}
            value={t("list.seatsValue", {
              occupied: n(client.seatsOccupied),
              granted: n(client.seatsGranted),
            })}
          />
          <Stat
            label={t("detail.operationsActive")}
            value={
              client.usagePercent === null
                ? "—"
                : t("detail.operationsActiveValue", {
                    used: n(client.activeCardOperationsUsed),
                    granted: n(client.activeCardOperationsGranted),
                    percent: client.usagePercent,
                  })
            }
          />
          <Stat label={t("detail.thisMonth")} value={n(client.cardOperationsUsedThisMonth)} />
          <Stat
            label={t("detail.total")}
            value={t("list.operationsValue", {
              used: n(client.cardOperationsUsed),
              granted: n(client.cardOperationsGranted),
            })}
          />
          <Stat
            label={t("detail.lastActivity")}
            value={
              client.lastActivityAt
                ? formatDateTime(client.lastActivityAt, locale)
                : t("list.never")
            }
          />
          <Stat
            label={t("detail.soonestEnd")}
            value={client.soonestEndsAt ? formatDate(client.soonestEndsAt, locale) : "—"}
          />
        </dl>
      </section>

      <div className="space-y-6">
        <Card title={t("detail.codesTitle")}>
          <p className="mb-4 text-sm text-slate-600">{t("detail.codesHint")}</p>
          {codes.length === 0 ? (
            <EmptyState title={t("detail.noCodes")} />
          ) : (
            <div className="space-y-4">
              {codes.map((code) => (
                <ClaimedCodeBlock
                  key={code.id}
                  grant={code}
                  badge={
                    code.rolledBackAt ? (
                      <StatusBadge tone="danger">
                        {t("detail.rolledBack", {
                          date: formatDate(code.rolledBackAt, locale),
                        })}
                      </StatusBadge>
                    ) : undefined
                  }
                />
              ))}
            </div>
          )}
        </Card>
        <Card title={t("detail.chartTitle")}>
          <p className="mb-4 text-sm text-slate-600">{t("detail.chartHint")}</p>
          <DailyUsageChart days={dailyUsage} />
        </Card>
      </div>
    </>
  );
}
