// /partner/:slug/statements — the partner's wholesale statements, one row per month since
// enrolment, newest first: drafts for the months not final yet, then the final ones.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requirePartnerMember } from "~/auth/guards.server";
import { EmptyState, PageHeader, Table } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { db } from "~/db.server";
import { getPartnerTerms } from "~/domain/partners.server";
import { formattingOf } from "~/domain/statement-pdf.server";
import { listStatements } from "~/domain/statements/reads.server";
import { formatDate, formatMoney, formatNumber } from "~/lib/format";
import { formatStatementMonth, monthOf } from "~/lib/statement-months";

export const meta: MetaFunction = () => [{ title: "Statements · 7stamp Partner Portal" }];

// No paging: a partner has twelve months a year, and every month not final yet is one draft
// computation (normally only the running month, since the 1st's run finalises the last one).
// A partner of ten years is 120 short rows — one page reads better than "Older" links.
export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const now = new Date();
  const [statements, terms] = await Promise.all([
    listStatements(db, { partnerId: partner.id, now }),
    getPartnerTerms(db, { partnerId: partner.id }),
  ]);
  return {
    statements,
    runningMonth: monthOf(now),
    // Amounts and dates as the partner's statements (and their PDFs) write them.
    locale: formattingOf(terms.locale).locale,
  };
}

const head = "whitespace-nowrap px-3 py-2";
const numberCell = "whitespace-nowrap px-3 py-2 text-right tabular-nums";

export default function PartnerStatements() {
  const { t } = useTranslation("statements");
  const { statements, runningMonth, locale } = useLoaderData<typeof loader>();
  const base = `/partner/${useParams().slug}/statements`;
  const money = (cents: number) => formatMoney(cents, locale);

  return (
    <>
      <PageHeader title={t("list.title")} description={t("list.subtitle")} />
      {statements.length === 0 ? (
        <EmptyState title={t("list.emptyTitle")}>{t("list.emptyBody")}</EmptyState>
      ) : (
        <Table
          stackOnPhone
          caption={t("list.caption")}
          head={
            <tr>
              <th scope="col" className={head}>
                {t("list.columns.period")}
              </th>
              <th scope="col" className={head}>
                {t("list.columns.statement")}
              </th>
              <th scope="col" className={`${head} text-right`}>
                {t("list.columns.lines")}
              </th>
              <th scope="col" className={`${head} text-right`}>
                {t("list.columns.retail")}
              </th>
              <th scope="col" className={`${head} text-right`}>
                {t("list.columns.discount")}
              </th>
              <th scope="col" className={`${head} text-right`}>
                {t("list.columns.net")}
              </th>
              <th scope="col" className={`${head} text-right`}>
                {t("list.columns.tax")}
              </th>
              <th scope="col" className={`${head} text-right`}>
                {t("list.columns.totalDue")}
              </th>
              {/* Relative: the visually hidden name stays inside the scrolling table. */}
              <th scope="col" className={`${head} relative`}>
                <span className="sr-only">{t("list.columns.actions")}</span>
              </th>
            </tr>
          }
        >
          {statements.map((statement) => {
            const period = formatStatementMonth(statement.month, locale);
            const final = statement.status === "final";
            return (
              <tr key={statement.month} className="align-top hover:bg-slate-50">
                <th scope="row" className="whitespace-nowrap px-3 py-2 text-left font-medium">
                  <Link
                    to={`${base}/${statement.month}`}
                    className="text-brand-700 hover:underline"
                  >
                    {period}
                  </Link>
                </th>
                <td
                  data-label={t("list.columns.statement")}
                  className="whitespace-nowrap px-3 py-2"
                >
                  {/* The number (or Draft), then where the statement stands. */}
                  {statement.number ? (
                    <span className="font-mono">{statement.number}</span>
                  ) : (
                    <StatusBadge tone="neutral">{t("status.draft")}</StatusBadge>
                  )}
                  <span className="mt-1 flex items-center gap-2 text-xs text-slate-500">
                    {final ? (
                      <>
                        <StatusBadge tone="success">{t("status.final")}</StatusBadge>
                        {statement.issuedAt
                          ? t("list.issuedOn", { date: formatDate(statement.issuedAt, locale) })
                          : null}
                      </>
                    ) : statement.month === runningMonth ? (
                      <StatusBadge tone="info">{t("status.running")}</StatusBadge>
                    ) : (
                      <StatusBadge tone="warning">{t("status.awaiting")}</StatusBadge>
                    )}
                  </span>
                </td>
                <td data-label={t("list.columns.lines")} className={numberCell}>
                  {formatNumber(statement.lineCount, locale)}
                </td>
                <td data-label={t("list.columns.retail")} className={numberCell}>
                  {money(statement.totals.retailCents)}
                </td>
                <td data-label={t("list.columns.discount")} className={numberCell}>
                  {money(statement.totals.discountCents)}
                </td>
                <td data-label={t("list.columns.net")} className={numberCell}>
                  {money(statement.totals.netCents)}
                </td>
                <td data-label={t("list.columns.tax")} className={numberCell}>
                  {money(statement.totals.taxCents)}
                </td>
                <td
                  data-label={t("list.columns.totalDue")}
                  className={`${numberCell} font-semibold text-slate-900`}
                >
                  {money(statement.totals.totalCents)}
                </td>
                <td className="whitespace-nowrap px-3 py-2">
                  <span className="flex items-center gap-3">
                    <Link
                      to={`${base}/${statement.month}`}
                      className="font-semibold text-brand-700 hover:underline"
                      aria-label={t("list.viewLabel", { period })}
                    >
                      {t("list.view")}
                    </Link>
                    {final && statement.id && statement.number ? (
                      // A file download: a plain link, not a client-side navigation.
                      <a
                        href={`${base}/${statement.id}.pdf`}
                        className="font-semibold text-brand-700 hover:underline"
                        aria-label={t("list.downloadLabel", { number: statement.number })}
                      >
                        {t("list.downloadPdf")}
                      </a>
                    ) : null}
                  </span>
                </td>
              </tr>
            );
          })}
        </Table>
      )}
    </>
  );
}
