import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requirePartnerMember } from "~/auth/guards.server";
import { BatchStatusBadge } from "~/components/BatchStatusBadge";
import { buttonClasses } from "~/components/Button";
import { EmptyState, PageHeader, Pager, StaleCursorNotice, Table } from "~/components/Layout";
import { db } from "~/db.server";
import { readPage } from "~/domain/paging.server";
import { listBatches } from "~/domain/batches/reads.server";
import { batchProgressPercent } from "~/lib/batch-progress";
import { formatDateTime, formatNumber } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [{ title: "Batches · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const cursor = new URL(args.request.url).searchParams.get("cursor");
  const page = await readPage(cursor, (after) =>
    listBatches(db, { partnerId: partner.id, cursor: after }),
  );
  return { ...page, paged: Boolean(cursor) && !page.staleCursor, slug: partner.slug };
}

export default function Batches() {
  const { t } = useTranslation(["batches", "common"]);
  const { rows, nextCursor, paged, slug, staleCursor } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  const { pathname } = useLocation();
  return (
    <>
      <PageHeader
        title={t("list.title")}
        description={t("list.subtitle")}
        actions={
          <Link to={`/partner/${slug}/bundles`} className={buttonClasses("secondary")}>
            {t("list.chooseBundle")}
          </Link>
        }
      />
      <StaleCursorNotice show={staleCursor} />
      {rows.length === 0 ? (
        <EmptyState title={t("list.empty")}>
          {t("list.emptyHint")}{" "}
          <Link to={`/partner/${slug}/bundles`} className="font-semibold text-brand-700 underline">
            {t("list.chooseBundle")}
          </Link>
        </EmptyState>
      ) : (
        <Table
          stackOnPhone
          caption={t("list.title")}
          head={
            <tr>
              <th className="px-4 py-2">{t("fields.label")}</th>
              <th className="px-4 py-2">{t("fields.bundle")}</th>
              <th className="px-4 py-2 text-right">{t("fields.count")}</th>
              <th className="px-4 py-2">{t("fields.status")}</th>
              <th className="px-4 py-2">{t("fields.created")}</th>
            </tr>
          }
        >
          {rows.map((batch) => (
            <tr key={batch.id}>
              <td className="px-4 py-2">
                <Link
                  to={`/partner/${slug}/batches/${batch.id}`}
                  className="font-medium text-brand-700 hover:underline"
                >
                  {batch.label || t("list.unlabelled", { prefix: batch.prefix ?? "—" })}
                </Link>
                {batch.recipient ? (
                  <div className="text-xs text-slate-500">
                    {t("list.for", { recipient: batch.recipient })}
                  </div>
                ) : null}
              </td>
              <td data-label={t("fields.bundle")} className="px-4 py-2">
                {batch.bundleName}
              </td>
              <td data-label={t("fields.count")} className="px-4 py-2 text-right tabular-nums">
                {formatNumber(batch.codeCount, locale)}
              </td>
              <td data-label={t("fields.status")} className="px-4 py-2">
                <BatchStatusBadge status={batch.status} />
                {batch.status === "generating" ? (
                  <span className="ml-2 text-xs tabular-nums text-slate-500">
                    {batchProgressPercent(batch)}%
                  </span>
                ) : null}
              </td>
              <td data-label={t("fields.created")} className="px-4 py-2 text-slate-600">
                {formatDateTime(batch.createdAt, locale)}
                <div className="text-xs text-slate-500">{batch.createdByLabel}</div>
              </td>
            </tr>
          ))}
        </Table>
      )}
      <Pager
        nextHref={nextCursor ? `${pathname}?cursor=${encodeURIComponent(nextCursor)}` : null}
        firstHref={paged ? pathname : null}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </>
  );
}
