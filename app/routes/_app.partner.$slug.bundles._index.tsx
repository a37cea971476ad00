import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requirePartnerMember } from "~/auth/guards.server";
import { BundleStatusBadge } from "~/components/BundleStatusBadge";
import { buttonClasses } from "~/components/Button";
import { EmptyState, PageHeader, Pager, StaleCursorNotice, Table } from "~/components/Layout";
import { db } from "~/db.server";
import { readPage } from "~/domain/paging.server";
import { listBundles } from "~/domain/bundles.server";
import { formatMoney, formatNumber } from "~/lib/format";
import { useFormattingLocale } from "~/root";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Bundles · 7stamp Partner Portal" }];

// A forged query string falls back to the default view rather than failing.
const ListQuery = z.object({
  status: z.enum(["active", "archived"]).catch("active"),
  cursor: z.string().max(500).nullable().catch(null),
});

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const params = new URL(args.request.url).searchParams;
  // Every field falls back (.catch), so this parse cannot fail.
  const { status, cursor } = ListQuery.parse({
    status: params.get("status"),
    cursor: params.get("cursor"),
  });
  const page = await readPage(cursor, (after) =>
    listBundles(db, { partnerId: partner.id, status, cursor: after, limit: 25, now: clock() }),
  );
  return { ...page, status, isFirstPage: !cursor || page.staleCursor };
}

export default function BundleList() {
  const { t } = useTranslation(["bundles", "common"]);
  const { rows, nextCursor, status, isFirstPage, staleCursor } = useLoaderData<typeof loader>();
  const { slug } = useParams();
  const locale = useFormattingLocale();
  const base = `/partner/${slug}/bundles`;
  const statusQuery = status === "archived" ? "status=archived" : "";
  const newBundle = (
    <Link to={`${base}/new`} className={buttonClasses("primary")}>
      {t("list.create")}
    </Link>
  );
  return (
    <>
      <PageHeader title={t("list.title")} description={t("list.subtitle")} actions={newBundle} />
      <StaleCursorNotice show={staleCursor} />
      <nav aria-label={t("list.filterLabel")} className="mb-4 flex gap-1 text-sm">
        {(["active", "archived"] as const).map((option) => (
          <Link
            key={option}
            to={option === "archived" ? "?status=archived" : "?"}
            aria-current={option === status ? "page" : undefined}
            className={`rounded-md px-3 py-1.5 font-medium ${
              option === status
                ? "bg-slate-900 text-white"
                : "text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-white"
            }`}
          >
            {t(`list.${option}`)}
          </Link>
        ))}
      </nav>
      {rows.length === 0 ? (
        status === "archived" ? (
          <EmptyState title={t("list.emptyArchivedTitle")}>
            {t("list.emptyArchivedBody")}
          </EmptyState>
        ) : (
          <EmptyState title={t("list.emptyTitle")}>
            <p className="mx-auto max-w-md">{t("list.emptyBody")}</p>
            <Link to={`${base}/new`} className={buttonClasses("primary", "mt-4")}>
              {t("list.emptyAction")}
            </Link>
          </EmptyState>
        )
      ) : (
        <Table
          stackOnPhone
          caption={t("list.caption")}
          head={
            <tr>
              <th className="px-4 py-2">{t("columns.name")}</th>
              <th className="px-4 py-2 text-right">{t("columns.staffSeats")}</th>
              <th className="px-4 py-2 text-right">{t("columns.cardOperations")}</th>
              <th className="px-4 py-2 text-right">{t("columns.term")}</th>
              <th className="px-4 py-2 text-right">{t("columns.retail")}</th>
              <th className="px-4 py-2 text-right">{t("columns.wholesale")}</th>
              <th className="px-4 py-2 text-right">{t("columns.resaleMargin")}</th>
              <th className="px-4 py-2 text-right">{t("columns.codes")}</th>
              <th className="px-4 py-2">{t("columns.status")}</th>
            </tr>
          }
        >
          {rows.map((bundle) => (
            <tr key={bundle.id} className="hover:bg-slate-50">
              <td className="min-w-40 px-4 py-2">
                <Link
                  to={`${base}/${bundle.id}`}
                  className="font-medium text-brand-700 hover:underline"
                >
                  {bundle.name}
                </Link>
              </td>
              <td
                data-label={t("columns.staffSeats")}
                className="px-4 py-2 text-right tabular-nums"
              >
                {formatNumber(bundle.staffSeats, locale)}
              </td>
              <td
                data-label={t("columns.cardOperations")}
                className="px-4 py-2 text-right tabular-nums"
              >
                {formatNumber(bundle.cardOperations, locale)}
              </td>
              <td
                data-label={t("columns.term")}
                className="px-4 py-2 text-right tabular-nums whitespace-nowrap"
              >
                {t("months", { count: bundle.termMonths })}
              </td>
              <td data-label={t("columns.retail")} className="px-4 py-2 text-right tabular-nums">
                {formatMoney(bundle.price.retailCents, locale)}
              </td>
              <td data-label={t("columns.wholesale")} className="px-4 py-2 text-right tabular-nums">
                {formatMoney(bundle.price.wholesaleCents, locale)}
              </td>
              <td
                data-label={t("columns.resaleMargin")}
                className="px-4 py-2 text-right tabular-nums"
              >
                {bundle.resalePriceCents === null || bundle.price.marginCents === null ? (
                  <span className="text-slate-500">{t("noResale")}</span>
                ) : (
                  <>
                    {formatMoney(bundle.resalePriceCents, locale)}
                    <span
                      className={`block text-xs ${
                        bundle.price.marginCents < 0 ? "text-red-700" : "text-slate-500"
                      }`}
                    >
                      {t("marginShort", { margin: formatMoney(bundle.price.marginCents, locale) })}
                    </span>
                  </>
                )}
              </td>
              <td data-label={t("columns.codes")} className="px-4 py-2 text-right tabular-nums">
                {formatNumber(bundle.codeCount, locale)}
              </td>
              <td data-label={t("columns.status")} className="px-4 py-2">
                <BundleStatusBadge status={bundle.status} />
              </td>
            </tr>
          ))}
        </Table>
      )}
      <Pager
        nextHref={
          nextCursor ? `?${statusQuery ? `${statusQuery}&` : ""}cursor=${nextCursor}` : null
        }
        firstHref={isFirstPage ? null : `?${statusQuery}`}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </>
  );
}
