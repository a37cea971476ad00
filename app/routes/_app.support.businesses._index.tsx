import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireSupport } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { Field } from "~/components/Field";
import { EmptyState, PageHeader, Pager, StaleCursorNotice, Table } from "~/components/Layout";
import { db } from "~/db.server";
import { readPage } from "~/domain/paging.server";
import { searchBusinesses } from "~/domain/business-admin.server";
import { formatDate } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [{ title: "Businesses · 7stamp Partner Portal" }];

const Query = z.object({
  q: z.string().max(254).catch(""),
  cursor: z.string().max(500).nullable().catch(null),
});

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const params = new URL(args.request.url).searchParams;
  const query = Query.parse({ q: params.get("q") ?? "", cursor: params.get("cursor") });
  const page = await readPage(query.cursor, (cursor) =>
    searchBusinesses(db, { query: query.q, cursor, limit: 25 }),
  );
  return { ...page, q: query.q, isFirstPage: !query.cursor || page.staleCursor };
}

export default function SupportBusinesses() {
  const { t } = useTranslation(["support", "common"]);
  const { rows, nextCursor, isFirstPage, q, staleCursor } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  const withQuery = (extra: string) => `?${q ? `q=${encodeURIComponent(q)}&` : ""}${extra}`;
  return (
    <>
      <PageHeader title={t("businesses.title")} description={t("businesses.subtitle")} />
      <StaleCursorNotice show={staleCursor} />
      <Form method="get" className="mb-6 flex flex-wrap items-end gap-3" role="search">
        <Field
          label={t("businesses.search")}
          name="q"
          type="search"
          defaultValue={q}
          hint={t("businesses.searchHint")}
          className="min-w-[16rem] flex-1"
        />
        <Button type="submit" variant="secondary" className="mb-5">
          {t("businesses.searchButton")}
        </Button>
      </Form>
      {rows.length === 0 ? (
        <EmptyState title={q ? t("businesses.noMatch", { q }) : t("businesses.empty")} />
      ) : (
        <Table
          stackOnPhone
          caption={t("businesses.title")}
          head={
            <tr>
              <th className="px-4 py-2">{t("businesses.name")}</th>
              <th className="px-4 py-2">{t("businesses.owner")}</th>
              <th className="px-4 py-2">{t("businesses.plan")}</th>
              <th className="px-4 py-2 text-right">{t("businesses.members")}</th>
              <th className="px-4 py-2">{t("businesses.since")}</th>
            </tr>
          }
        >
          {rows.map((row) => (
            <tr key={row.id}>
              <td className="px-4 py-2">
                <Link
                  to={`/support/businesses/${row.id}`}
                  className="font-medium text-brand-700 hover:underline"
                >
                  {row.name}
                </Link>
              </td>
              <td data-label={t("businesses.owner")} className="px-4 py-2">
                {row.ownerEmail ?? "—"}
              </td>
              <td data-label={t("businesses.plan")} className="px-4 py-2">
                {row.planName}
              </td>
              <td
                data-label={t("businesses.members")}
                className="px-4 py-2 text-right tabular-nums"
              >
                {row.members}
              </td>
              <td data-label={t("businesses.since")} className="px-4 py-2">
                {formatDate(row.createdAt, locale)}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <Pager
        nextHref={nextCursor ? withQuery(`cursor=${nextCursor}`) : null}
        firstHref={isFirstPage ? null : withQuery("").replace(/[?&]$/, "") || "?"}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </>
  );
}
