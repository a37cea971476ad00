// A partner's clients: filters, sort, search, keyset paging, CSV.
// Its loader and action stay in app/routes/_app.partner.$slug.clients._index.tsx.
import { Form, Link, useLoaderData, useNavigation, useParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Button, buttonClasses } from "~/components/Button";
import { Field, SelectField } from "~/components/Field";
import { FilterDisclosure } from "~/components/FilterDisclosure";
import { EmptyState, PageHeader, Pager, StaleCursorNotice, Table } from "~/components/Layout";
import { ProgressBar } from "~/components/ProgressBar";
import { StatusBadge } from "~/components/StatusBadge";
import {
  type ClientQueryValues,
  type ClientSort,
  type SortDirection,
} from "~/domain/clients/model.server";
import { labelKey } from "~/lib/messages";
import { formatDate, formatNumber } from "~/lib/format";
import { useFormattingLocale } from "~/root";

import type { loader } from "~/routes/_app.partner.$slug.clients._index";

/** "?sort=usage&filter=active…" for these values (empty ones left out), with extras. */
function listQuery(values: ClientQueryValues, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...values, ...extra })) {
    if (value) params.set(name, value);
  }
  const query = params.toString();
  return query ? `?${query}` : "";
}

export function ClientsPage() {
  const { t } = useTranslation(["clients", "common"]);
  const loaded = useLoaderData<typeof loader>();
  const { rows, nextCursor, isFirstPage, hasClients, values, errors, sort, direction } = loaded;
  const locale = useFormattingLocale();
  const busy = useNavigation().state === "loading";
  const slug = useParams().slug;
  const base = `/partner/${slug}/clients`;
  const n = (value: number) => formatNumber(value, locale);
  // Links keep the search, filter and sort, but never a value that was refused.
  const kept: ClientQueryValues = Object.keys(errors).some((field) => field !== "cursor")
    ? {}
    : values;
  const filtered = Boolean(values.search || values.filter);
  const csvHref = `${base}.csv${listQuery(kept)}`;
  const sorting = { sort, direction, kept, defaultDirections: loaded.defaultDirections };

  return (
    <>
      <PageHeader
        title={t("list.title")}
        description={t("list.subtitle")}
        actions={
          hasClients ? (
            <a href={csvHref} className={buttonClasses("secondary")} title={t("list.exportHint")}>
              {t("list.exportCsv")}
            </a>
          ) : null
        }
      />

      <FilterDisclosure
        title={t("list.filtersTitle")}
        active={Boolean(
          filtered ||
          values.sort ||
          values.direction ||
          Object.keys(errors).some((field) => field !== "cursor"),
        )}
      >
        <Form method="get" role="search" aria-label={t("list.filtersTitle")}>
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <Field
              label={t("list.search")}
              name="search"
              placeholder={t("list.searchPlaceholder")}
              autoComplete="off"
              defaultValue={values.search}
              error={errors.search}
            />
            <SelectField
              label={t("list.filter")}
              name="filter"
              defaultValue={values.filter ?? ""}
              error={errors.filter}
              options={[
                { value: "", label: t("list.filterAll") },
                ...loaded.filters.map((filter) => ({
                  value: filter,
                  label: t(labelKey("clients:list.filters", filter)),
                })),
              ]}
            />
            <SelectField
              label={t("list.sort")}
              name="sort"
              defaultValue={values.sort ?? ""}
              error={errors.sort}
              options={[
                { value: "", label: t("list.sortDefault") },
                ...loaded.sorts.map((by) => ({ value: by, label: t(`list.sorts.${by}`) })),
              ]}
            />
            <SelectField
              label={t("list.direction")}
              name="direction"
              defaultValue={values.direction ?? ""}
              error={errors.direction}
              options={[
                { value: "", label: t("list.directionDefault") },
                { value: "asc", label: t("list.directions.asc") },
                { value: "desc", label: t("list.directions.desc") },
              ]}
            />
          </div>
          <div className="mt-4 flex flex-wrap items-center gap-3">
            <Button type="submit" variant="secondary" disabled={busy}>
              {t("list.apply")}
            </Button>
            {filtered || values.sort || values.direction ? (
              <Link to={base} className="text-sm font-semibold text-brand-700 hover:underline">
                {t("list.clear")}
              </Link>
            ) : null}
          </div>
        </Form>
      </FilterDisclosure>

      <StaleCursorNotice show={Boolean(errors.cursor)} />

      {!hasClients ? (
        <EmptyState title={t("list.emptyTitle")}>
          <p>{t("list.emptyBody")}</p>
          <Link
            to={`/partner/${slug}/codes`}
            className="mt-3 inline-block font-semibold text-brand-700 hover:underline"
          >
            {t("list.toCodes")}
          </Link>
        </EmptyState>
      ) : rows.length === 0 ? (
        <EmptyState title={t("list.noMatchTitle")}>{t("list.noMatchBody")}</EmptyState>
      ) : (
        <Table
          stackOnPhone
          caption={t("list.caption")}
          head={
            <tr>
              <SortHeader {...sorting} by="name" label={t("list.columns.business")} />
              <SortHeader
                {...sorting}
                by="codes"
                label={t("list.columns.codes")}
                className="text-right"
              />
              <th scope="col" className="whitespace-nowrap px-4 py-2">
                {t("list.columns.seats")}
              </th>
              <SortHeader
                {...sorting}
                by="used"
                label={t("list.columns.operations")}
                className="text-right"
              />
              <SortHeader {...sorting} by="usage" label={t("list.columns.usage")} />
              <SortHeader {...sorting} by="activity" label={t("list.columns.lastActivity")} />
              <SortHeader {...sorting} by="ends" label={t("list.columns.soonestEnd")} />
            </tr>
          }
        >
          {rows.map((row) => (
            <tr key={row.businessId} className="align-top hover:bg-slate-50">
              <td className="px-4 py-2">
                <Link
                  to={`${base}/${row.businessId}`}
                  className="font-semibold text-brand-700 hover:underline"
                >
                  {row.businessName}
                </Link>
                <div className="mt-1 flex flex-wrap gap-1">
                  {row.activeCodes === 0 ? (
                    <StatusBadge tone="neutral">{t("flags.ended")}</StatusBadge>
                  ) : null}
                  {row.nearlyUsedUp ? (
                    <StatusBadge tone="warning">{t("flags.nearlyUsedUp")}</StatusBadge>
                  ) : null}
                  {row.endsWithin30Days ? (
                    <StatusBadge tone="info">{t("flags.endsSoon")}</StatusBadge>
                  ) : null}
                </div>
              </td>
              <td
                data-label={t("list.columns.codes")}
                className="px-4 py-2 text-right tabular-nums"
              >
                {n(row.codesClaimed)}
                {row.activeCodes !== row.codesClaimed ? (
                  <span className="block text-xs text-slate-500">
                    {t("list.activeCodes", { formatted: n(row.activeCodes) })}
                  </span>
                ) : null}
              </td>
              <td
                data-label={t("list.columns.seats")}
                className="whitespace-nowrap px-4 py-2 tabular-nums"
              >
                {t("list.seatsValue", {
                  occupied: n(row.seatsOccupied),
                  granted: n(row.seatsGranted),
                })}
              </td>
              <td
                data-label={t("list.columns.operations")}
                className="whitespace-nowrap px-4 py-2 text-right tabular-nums"
              >
                {t("list.operationsValue", {
                  used: n(row.cardOperationsUsed),
                  granted: n(row.cardOperationsGranted),
                })}
                <span className="block text-xs text-slate-500">
                  {t("list.thisMonth", { formatted: n(row.cardOperationsUsedThisMonth) })}
                </span>
              </td>
              <td data-label={t("list.columns.usage")} className="min-w-44 px-4 py-2">
                {row.usagePercent === null ? (
                  <span className="text-slate-500">—</span>
                ) : (
                  <ProgressBar
                    label={t("list.usageValue", { percent: row.usagePercent })}
                    used={row.activeCardOperationsUsed}
                    available={row.activeCardOperationsGranted}
                  />
                )}
              </td>
              <td
                data-label={t("list.columns.lastActivity")}
                className="whitespace-nowrap px-4 py-2 tabular-nums"
              >
                {row.lastActivityAt ? (
                  formatDate(row.lastActivityAt, locale)
                ) : (
                  <span className="text-slate-500">{t("list.never")}</span>
                )}
              </td>
              <td
                data-label={t("list.columns.soonestEnd")}
                className="whitespace-nowrap px-4 py-2 tabular-nums"
              >
                {row.soonestEndsAt ? (
                  formatDate(row.soonestEndsAt, locale)
                ) : (
                  <span className="text-slate-500">—</span>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
      {rows.length > 0 ? <p className="mt-3 text-xs text-slate-500">{t("list.legend")}</p> : null}
      <Pager
        nextHref={nextCursor ? listQuery(kept, { cursor: nextCursor }) : null}
        firstHref={isFirstPage ? null : listQuery(kept) || "?"}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </>
  );
}

/** A column header that sorts by it: first in the sort's own direction, then the other way. */
function SortHeader({
  by,
  label,
  className = "",
  sort,
  direction,
  kept,
  defaultDirections,
}: {
  by: ClientSort;
  label: string;
  className?: string;
  sort: ClientSort;
  direction: SortDirection;
  kept: ClientQueryValues;
  defaultDirections: Record<ClientSort, SortDirection>;
}) {
  const { t } = useTranslation(["clients", "common"]);
  const current = sort === by;
  const next = current ? (direction === "asc" ? "desc" : "asc") : defaultDirections[by];
  return (
    <th
      scope="col"
      className={`whitespace-nowrap px-4 py-2 ${className}`}
      aria-sort={current ? (direction === "asc" ? "ascending" : "descending") : undefined}
    >
      <Link
        to={listQuery({ ...kept, sort: by, direction: next })}
        className="inline-flex items-center gap-1 hover:text-slate-900 hover:underline"
        title={t("list.sortBy", { column: label })}
      >
        {label}
        {current ? <span aria-hidden="true">{direction === "asc" ? "▲" : "▼"}</span> : null}
      </Link>
    </th>
  );
}
