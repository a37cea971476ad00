// The business's invoices (issue 14): number, period, total, status; newest first, paged.
// The owner's only — staff see nothing of money.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireBusinessMember } from "~/auth/guards.server";
import { EmptyState, PageHeader, Pager, StaleCursorNotice } from "~/components/Layout";
import { db } from "~/db.server";
import { listInvoices } from "~/domain/invoices/reads.server";
import { readPage } from "~/domain/paging.server";
import { formatDate, formatMoney } from "~/lib/format";
import { labelKey } from "~/lib/messages";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [{ title: "Invoices · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const { business } = await requireBusinessMember(args, args.params.businessId, "owner");
  const cursor = new URL(args.request.url).searchParams.get("cursor");
  const page = await readPage(cursor?.slice(0, 200), (c) =>
    listInvoices(db, { businessId: business.id, cursor: c }),
  );
  return { business, ...page, isFirstPage: !cursor || page.staleCursor };
}

export default function InvoicesPage() {
  const { t } = useTranslation(["invoices", "subscription", "common"]);
  const locale = useFormattingLocale();
  const { business, rows, nextCursor, isFirstPage, staleCursor } = useLoaderData<typeof loader>();
  const base = `/business/${business.id}/invoices`;
  return (
    <>
      <PageHeader
        title={t("list.title")}
        description={t("list.subtitle", { business: business.name })}
        actions={
          <Link
            to={`/business/${business.id}/subscription`}
            className="text-sm font-medium text-brand-700 underline"
          >
            {t("subscription:page.title")}
          </Link>
        }
      />
      <StaleCursorNotice show={staleCursor} />
      <InvoiceTable businessId={business.id} rows={rows} locale={locale} />
      <Pager
        nextHref={nextCursor ? `${base}?cursor=${nextCursor}` : null}
        firstHref={isFirstPage ? null : base}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </>
  );
}

/** The invoice table, also on the Manage subscription page. */
export function InvoiceTable({
  businessId,
  rows,
  locale,
}: {
  businessId: string;
  rows: {
    id: string;
    number: string;
    issuedAt: Date | string;
    periodStart: Date | string | null;
    periodEnd: Date | string | null;
    totalCents: number;
    status: "open" | "paid" | "void";
  }[];
  locale: string;
}) {
  const { t } = useTranslation(["invoices"]);
  if (rows.length === 0)
    return <EmptyState title={t("list.empty")}>{t("list.emptyHint")}</EmptyState>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{t("list.caption")}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-slate-600">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">
              {t("list.number")}
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              {t("list.issued")}
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              {t("list.period")}
            </th>
            <th scope="col" className="px-4 py-2 text-right font-medium">
              {t("list.total")}
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              {t("list.status")}
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              {t("list.pdf")}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} className="border-b border-slate-100 last:border-0">
              <td className="px-4 py-2">
                <Link
                  to={`/business/${businessId}/invoices/${row.id}`}
                  className="font-medium text-brand-700 underline"
                >
                  {row.number}
                </Link>
              </td>
              <td className="px-4 py-2">{formatDate(row.issuedAt, locale)}</td>
              <td className="px-4 py-2">
                {row.periodStart && row.periodEnd
                  ? `${formatDate(row.periodStart, locale)} – ${formatDate(row.periodEnd, locale)}`
                  : ""}
              </td>
              <td className="px-4 py-2 text-right tabular-nums">
                {formatMoney(row.totalCents, locale)}
              </td>
              <td className="px-4 py-2">{t(labelKey("invoices:status", row.status))}</td>
              <td className="px-4 py-2">
                {/* A file, not a page: a plain link the browser downloads. */}
                <a
                  href={`/business/${businessId}/invoices/${row.id}.pdf`}
                  className="font-medium text-brand-700 underline"
                  aria-label={`${t("list.download")} ${row.number}`}
                  download
                >
                  {t("list.pdf")}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
