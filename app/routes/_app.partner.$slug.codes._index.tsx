import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation, useParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requirePartnerMember } from "~/auth/guards.server";
import { Button, buttonClasses } from "~/components/Button";
import { CodeStatusBadge } from "~/components/CodeStatusBadge";
import { Field, SelectField } from "~/components/Field";
import { FilterDisclosure } from "~/components/FilterDisclosure";
import { EmptyState, PageHeader, Pager, StaleCursorNotice, Table } from "~/components/Layout";
import { db } from "~/db.server";
import { readPage } from "~/domain/paging.server";
import { getBatch, listBatches } from "~/domain/batches/reads.server";
import { type Batch } from "~/domain/batches/model.server";
import { listBundles } from "~/domain/bundles.server";
import { CodeMistyped, InvalidCodeSearch, type CodeRow } from "~/domain/codes/model.server";
import { listCodes } from "~/domain/codes/reads.server";
import {
  codeStatusFilters,
  filterQuery,
  isFiltered,
  readCodeFilter,
  type FilterValues,
} from "~/lib/code-filter";
import { formatDate, formatNumber } from "~/lib/format";
import type { FieldErrors } from "~/lib/forms";
import { useFormattingLocale } from "~/root";
import { secretPageHeaders } from "~/lib/route-headers";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Codes · 7stamp Partner Portal" }];

export const headers = secretPageHeaders;

const PAGE_SIZE = 50;

/** Bundles and recent batches for the filter's selects (and the batch in the URL, if older). */
async function filterOptions(partnerId: string, batchId: string | undefined) {
  const [bundles, batches, chosenBatch] = await Promise.all([
    listBundles(db, { partnerId, status: "all", limit: 100, now: clock() }),
    listBatches(db, { partnerId, limit: 50 }),
    batchId ? getBatch(db, { partnerId, batchId }) : Promise.resolve(null),
  ]);
  const batchRows: Batch[] = batches.rows;
  if (chosenBatch && !batchRows.some((batch) => batch.id === chosenBatch.id)) {
    batchRows.unshift(chosenBatch);
  }
  return {
    bundles: bundles.rows.map((bundle) => ({ id: bundle.id, name: bundle.name })),
    batches: batchRows.map((batch) => ({
      id: batch.id,
      label: batch.label,
      prefix: batch.prefix,
      codeCount: batch.codeCount,
      createdAt: batch.createdAt,
    })),
  };
}

interface ListData {
  rows: CodeRow[];
  nextCursor: string | null;
  isFirstPage: boolean;
  /** The page link was out of date or forged: this is the first page instead. */
  staleCursor: boolean;
  /** False only when the partner has no codes at all (the first empty state). */
  hasCodes: boolean;
  values: FilterValues;
  errors: FieldErrors;
}

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const read = readCodeFilter(new URL(args.request.url).searchParams);
  const options = await filterOptions(partner.id, read.values.batch);
  const empty = {
    rows: [],
    nextCursor: null,
    isFirstPage: true,
    staleCursor: false,
    hasCodes: true,
    values: read.values,
  };
  if (!read.ok) {
    return data<ListData & typeof options>(
      { ...empty, errors: read.errors, ...options },
      { status: 400 },
    );
  }
  const hasAnyCode = async () =>
    (await listCodes(db, { partnerId: partner.id, limit: 1, now: clock() })).rows.length > 0;
  try {
    const page = await readPage(read.cursor, (cursor) =>
      listCodes(db, {
        partnerId: partner.id,
        filter: read.filter,
        cursor,
        limit: PAGE_SIZE,
        now: clock(),
      }),
    );
    // A search names one code: go straight to its page.
    if (read.filter.search && page.rows.length === 1) {
      throw redirect(`/partner/${partner.slug}/codes/${page.rows[0].serial}`);
    }
    const hasCodes = page.rows.length > 0 || (isFiltered(read.values) && (await hasAnyCode()));
    return data<ListData & typeof options>({
      ...page,
      isFirstPage: !read.cursor || page.staleCursor,
      hasCodes,
      values: read.values,
      errors: {},
      ...options,
    });
  } catch (error) {
    const searchError =
      error instanceof CodeMistyped
        ? "codes:list.mistyped"
        : error instanceof InvalidCodeSearch
          ? "codes:list.badSearch"
          : null;
    if (!searchError) throw error;
    // Only the search is refused: the list stays as the rest of the filter shows it.
    const page = await readPage(read.cursor, (cursor) =>
      listCodes(db, {
        partnerId: partner.id,
        filter: { ...read.filter, search: undefined },
        cursor,
        limit: PAGE_SIZE,
        now: clock(),
      }),
    );
    return data<ListData & typeof options>(
      {
        ...page,
        isFirstPage: !read.cursor || page.staleCursor,
        hasCodes: page.rows.length > 0 || (await hasAnyCode()),
        values: read.values,
        errors: { search: { key: searchError } },
        ...options,
      },
      { status: 400 },
    );
  }
}

export default function PartnerCodes() {
  const { t } = useTranslation("codes");
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
