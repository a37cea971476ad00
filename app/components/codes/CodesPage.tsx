// A partner's codes: filters, search, keyset paging, CSV export.
// Its loader and action stay in app/routes/_app.partner.$slug.codes._index.tsx.
import { Form, Link, useLoaderData, useNavigation, useParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Button, buttonClasses } from "~/components/Button";
import { CodeStatusBadge } from "~/components/CodeStatusBadge";
import { Field, SelectField } from "~/components/Field";
import { FilterDisclosure } from "~/components/FilterDisclosure";
import { EmptyState, PageHeader, Pager, StaleCursorNotice, Table } from "~/components/Layout";
import { codeStatusFilters, filterQuery, isFiltered } from "~/lib/code-filter";
import { formatDate, formatNumber } from "~/lib/format";
import { useFormattingLocale } from "~/root";

import type { loader } from "~/routes/_app.partner.$slug.codes._index";

export function CodesPage() {
  const { t } = useTranslation(["codes", "common"]);
  const loaded = useLoaderData<typeof loader>();
  const { rows, nextCursor, isFirstPage, staleCursor, hasCodes, values, errors, bundles, batches } =
    loaded;
  const locale = useFormattingLocale();
  const busy = useNavigation().state === "loading";
  const filtered = isFiltered(values);
  // Paging links carry the filter, but not a search that was refused.
  const pagingValues = errors.search ? { ...values, search: undefined } : values;
  const base = `/partner/${useParams().slug}`;
  const csvHref = `${base}/codes.csv${filterQuery(pagingValues)}`;
  const batchOptionLabel = (batch: (typeof batches)[number]) => {
    const date = formatDate(batch.createdAt, locale);
    const name = [batch.label, batch.prefix ? `${batch.prefix}-…` : null].filter(Boolean).join(" ");
    return name
      ? t("list.batchOption", { label: name, count: formatNumber(batch.codeCount, locale), date })
      : t("list.batchOption", {
          label: t("list.batchUnlabelled", { date }),
          count: formatNumber(batch.codeCount, locale),
          date,
        });
  };
  const filterErrorKeys = Object.keys(errors).filter((field) => field !== "search");

  return (
    <>
      <PageHeader
        title={t("list.title")}
        description={t("list.subtitle")}
        actions={
          hasCodes ? (
            <a href={csvHref} className={buttonClasses("secondary")} title={t("list.exportHint")}>
              {t("list.exportCsv")}
            </a>
          ) : null
        }
      />
      <StaleCursorNotice show={staleCursor} />

      <div className="mb-6 space-y-4">
        {/* The search is its own form: it looks one code up, whatever the filter. */}
        <Form method="get" className="flex flex-wrap items-start gap-3" role="search">
          <Field
            className="min-w-64 flex-1"
            label={t("list.searchTitle")}
            name="search"
            placeholder={t("list.search")}
            autoComplete="off"
            spellCheck={false}
            defaultValue={values.search}
            error={errors.search}
            hint={t("list.searchHint")}
          />
          <Button type="submit" className="mt-6" disabled={busy}>
            {t("list.find")}
          </Button>
        </Form>

        <FilterDisclosure
          title={t("list.filtersTitle")}
          active={filtered || filterErrorKeys.length > 0}
        >
          <Form method="get" aria-label={t("list.filtersTitle")}>
            <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5">
              <SelectField
                label={t("list.status")}
                name="status"
                defaultValue={values.status ?? ""}
                error={errors.status}
                options={[
                  { value: "", label: t("list.statusAny") },
                  ...codeStatusFilters.map((status) => ({
                    value: status,
                    label: t(`list.statusOptions.${status}`),
                  })),
                ]}
              />
              <SelectField
                label={t("list.bundle")}
                name="bundle"
                defaultValue={values.bundle ?? ""}
                error={errors.bundle}
                options={[
                  { value: "", label: t("list.bundleAny") },
                  ...bundles.map((bundle) => ({ value: bundle.id, label: bundle.name })),
                ]}
              />
              <SelectField
                label={t("list.batch")}
                name="batch"
                defaultValue={values.batch ?? ""}
                error={errors.batch}
                options={[
                  { value: "", label: t("list.batchAny") },
                  ...batches.map((batch) => ({ value: batch.id, label: batchOptionLabel(batch) })),
                ]}
              />
              <Field
                label={t("list.recipient")}
                name="recipient"
                placeholder={t("list.recipientHint")}
                defaultValue={values.recipient}
                error={errors.recipient}
              />
              <SelectField
                label={t("list.handedOut")}
                name="handedOut"
                defaultValue={values.handedOut ?? ""}
                error={errors.handedOut}
                options={[
                  { value: "", label: t("list.handedOutAny") },
                  { value: "yes", label: t("list.handedOutYes") },
                  { value: "no", label: t("list.handedOutNo") },
                ]}
              />
            </div>
            <div className="mt-4 flex flex-wrap items-center gap-3">
              <Button type="submit" variant="secondary" disabled={busy}>
                {t("list.apply")}
              </Button>
              {filtered ? (
                <Link
                  to={`${base}/codes`}
                  className="text-sm font-semibold text-brand-700 hover:underline"
                >
                  {t("list.clear")}
                </Link>
              ) : null}
              {filterErrorKeys.length > 0 ? (
                <p className="text-sm text-red-700">{t("list.badFilter")}</p>
              ) : null}
            </div>
          </Form>
        </FilterDisclosure>
      </div>

      {!hasCodes ? (
        <EmptyState title={t("list.emptyTitle")}>
          <p>{t("list.emptyBody")}</p>
          <Link
            to={`${base}/bundles`}
            className="mt-3 inline-block font-semibold text-brand-700 hover:underline"
          >
            {t("list.toBundles")}
          </Link>
        </EmptyState>
      ) : rows.length === 0 ? (
        values.search && !errors.search ? (
          <EmptyState title={t("list.notFoundTitle", { search: values.search })}>
            {t("list.notFoundBody")}
          </EmptyState>
        ) : (
          <EmptyState title={t("list.noMatchTitle")}>{t("list.noMatchBody")}</EmptyState>
        )
      ) : (
        <Table
          stackOnPhone
          caption={t("list.title")}
          head={
            <tr>
              <th className="whitespace-nowrap px-4 py-2">{t("list.serial")}</th>
              <th className="px-4 py-2">{t("list.code")}</th>
              <th className="px-4 py-2">{t("list.status")}</th>
              <th className="px-4 py-2">{t("list.bundleColumn")}</th>
              <th className="px-4 py-2">{t("list.batchColumn")}</th>
              <th className="px-4 py-2">{t("list.recipientColumn")}</th>
              <th className="px-4 py-2">{t("list.expires")}</th>
            </tr>
          }
        >
          {rows.map((row) => (
            <tr key={row.serial} className="hover:bg-slate-50">
              <td className="whitespace-nowrap px-4 py-2">
                <Link
                  to={`${base}/codes/${row.serial}`}
                  className="font-semibold tabular-nums text-brand-700 hover:underline"
                >
                  #{row.serial}
                </Link>
              </td>
              <td
                data-label={t("list.code")}
                className="whitespace-nowrap px-4 py-2 font-mono text-xs text-slate-800"
              >
                {row.display}
              </td>
              <td data-label={t("list.status")} className="px-4 py-2">
                <CodeStatusBadge status={row.status} />
              </td>
              <td data-label={t("list.bundleColumn")} className="px-4 py-2">
                {row.bundleName}
              </td>
              <td data-label={t("list.batchColumn")} className="px-4 py-2 text-slate-600">
                {row.batchLabel ?? "—"}
              </td>
              <td data-label={t("list.recipientColumn")} className="max-w-56 px-4 py-2">
                {row.recipientName || row.recipientEmail ? (
                  <>
                    <span className="block truncate">
                      {row.recipientName ?? row.recipientEmail}
                    </span>
                    {row.recipientName && row.recipientEmail ? (
                      <span className="block truncate text-xs text-slate-500">
                        {row.recipientEmail}
                      </span>
                    ) : null}
                    {row.lockedToEmail ? (
                      <span className="block text-xs text-slate-500">
                        {t("list.lockedToEmail")}
                      </span>
                    ) : null}
                  </>
                ) : (
                  <span className="text-slate-500">—</span>
                )}
              </td>
              <td
                data-label={t("list.expires")}
                className="whitespace-nowrap px-4 py-2 tabular-nums"
              >
                {formatDate(row.expiresAt, locale)}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <Pager
        nextHref={nextCursor ? filterQuery(pagingValues, { cursor: nextCursor }) : null}
        firstHref={isFirstPage ? null : filterQuery(pagingValues) || "?"}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </>
  );
}
