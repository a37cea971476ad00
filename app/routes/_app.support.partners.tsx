import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireSupport } from "~/auth/guards.server";
import { EmptyState, PageHeader, Pager, Table } from "~/components/Layout";
import { db } from "~/db.server";
import { listPartners } from "~/domain/partners.server";
import { formatBasisPoints, formatDate } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [{ title: "Partners · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const cursor = new URL(args.request.url).searchParams.get("cursor");
  return { ...(await listPartners(db, { cursor, limit: 25 })), isFirstPage: !cursor };
}

export default function SupportPartners() {
  const { t } = useTranslation("support");
  const { rows, nextCursor, isFirstPage } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  return (
    <>
      <PageHeader title={t("partners.title")} description={t("partners.subtitle")} />
      {rows.length === 0 ? (
        <EmptyState title={t("partners.empty")} />
      ) : (
        <Table
          caption={t("partners.title")}
          head={
            <tr>
              <th className="px-4 py-2">{t("partners.name")}</th>
              <th className="px-4 py-2">{t("partners.type")}</th>
              <th className="px-4 py-2">{t("partners.status")}</th>
              <th className="px-4 py-2 text-right">{t("partners.discount")}</th>
              <th className="px-4 py-2 text-right">{t("partners.members")}</th>
              <th className="px-4 py-2">{t("partners.since")}</th>
            </tr>
          }
        >
          {rows.map((row) => (
            <tr key={row.id}>
              <td className="px-4 py-2">
                <span className="font-medium">{row.name}</span>
                <span className="ml-2 font-mono text-xs text-slate-500">{row.slug}</span>
              </td>
              <td className="px-4 py-2">{t(`common:partnerTypes.${row.type}`)}</td>
              <td className="px-4 py-2">{t(`common:partnerStatus.${row.status}`)}</td>
              <td className="px-4 py-2 text-right tabular-nums">
                {formatBasisPoints(row.discountBps, locale)}
              </td>
              <td className="px-4 py-2 text-right tabular-nums">{row.members}</td>
              <td className="px-4 py-2">{formatDate(row.createdAt, locale)}</td>
            </tr>
          ))}
        </Table>
      )}
      <Pager
        nextHref={nextCursor ? `?cursor=${nextCursor}` : null}
        firstHref={isFirstPage ? null : "?"}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </>
  );
}
