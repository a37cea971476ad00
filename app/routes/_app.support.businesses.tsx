import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireSupport } from "~/auth/guards.server";
import { EmptyState, PageHeader, Pager, Table } from "~/components/Layout";
import { db } from "~/db.server";
import { listBusinesses } from "~/domain/partners.server";
import { formatDate } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [{ title: "Businesses · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const cursor = new URL(args.request.url).searchParams.get("cursor");
  return { ...(await listBusinesses(db, { cursor, limit: 25 })), isFirstPage: !cursor };
}

export default function SupportBusinesses() {
  const { t } = useTranslation("support");
  const { rows, nextCursor, isFirstPage } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  return (
    <>
      <PageHeader title={t("businesses.title")} description={t("businesses.subtitle")} />
      {rows.length === 0 ? (
        <EmptyState title={t("businesses.empty")} />
      ) : (
        <Table
          caption={t("businesses.title")}
          head={
            <tr>
              <th className="px-4 py-2">{t("businesses.name")}</th>
              <th className="px-4 py-2">{t("businesses.plan")}</th>
              <th className="px-4 py-2 text-right">{t("businesses.members")}</th>
              <th className="px-4 py-2">{t("businesses.since")}</th>
            </tr>
          }
        >
          {rows.map((row) => (
            <tr key={row.id}>
              <td className="px-4 py-2 font-medium">{row.name}</td>
              <td className="px-4 py-2">{row.planName}</td>
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
