// /support/invoices — every invoice and credit note across businesses (issue 14): filters by
// status, kind, year and a search by number or business name, keyset paged; each open
// invoice can be marked paid by hand with a reason (money received outside the provider).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { notFound, requireSupport } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { Field, FormAlert, SelectField } from "~/components/Field";
import { EmptyState, PageHeader, Pager, StaleCursorNotice, Table } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { db } from "~/db.server";
import {
  InvoiceNotFound,
  InvoiceNotOpen,
  MarkInvoicePaidSchema,
  markInvoicePaidBySupport,
} from "~/domain/invoices/payments.server";
import {
  InvoiceListFilterSchema,
  listAllInvoices,
  type InvoiceListFilter,
  type SupportInvoiceRow,
} from "~/domain/invoices/support-list.server";
import { readPage } from "~/domain/paging.server";
import { clock } from "~/lib/clock.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import { formatDate, formatMoney } from "~/lib/format";
import { parseForm } from "~/lib/forms";
import { messageKey } from "~/lib/messages";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [{ title: "Invoices · Support · 7stamp Partner Portal" }];

const Cursor = z.string().max(500).nullable().catch(null);

function filterOf(params: URLSearchParams): InvoiceListFilter {
  return InvoiceListFilterSchema.parse({
    status: params.get("status") || null,
    kind: params.get("kind") || null,
    year: params.get("year") || null,
    q: params.get("q") ?? "",
  });
}

/** The filters as a query string (without the cursor), for links that keep them. */
function filterQuery(filter: InvoiceListFilter): string {
  const params = new URLSearchParams();
  if (filter.status) params.set("status", filter.status);
  if (filter.kind) params.set("kind", filter.kind);
  if (filter.year) params.set("year", String(filter.year));
  if (filter.q) params.set("q", filter.q);
  return params.toString();
}

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const params = new URL(args.request.url).searchParams;
  const filter = filterOf(params);
  const cursor = Cursor.parse(params.get("cursor"));
  const page = await readPage(cursor, (c) => listAllInvoices(db, { filter, cursor: c, limit: 25 }));
  return {
    ...page,
    filter,
    query: filterQuery(filter),
    isFirstPage: !cursor || page.staleCursor,
    years: yearsUpTo(clock().getUTCFullYear()),
  };
}

function yearsUpTo(year: number): number[] {
  return Array.from({ length: 5 }, (_, i) => year - i);
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const form = parseForm(MarkInvoicePaidSchema, await args.request.formData());
  if (!form.success) return formFailure(form);
  try {
    const invoice = await markInvoicePaidBySupport(db, {
      invoiceId: form.data.invoiceId,
      reason: form.data.reason,
      actor: { userId: user.id, label: user.email },
      ip: args.context.clientIp,
      now: clock(),
    });
    return redirectWithFlash(args.request, `/support/invoices${new URL(args.request.url).search}`, {
      kind: "success",
      key: "invoices:all.markedPaid",
      values: { number: invoice.number },
    });
  } catch (error) {
    if (error instanceof InvoiceNotFound) throw notFound();
    if (error instanceof InvoiceNotOpen)
      return formFailure(
        {
          values: { invoiceId: form.data.invoiceId, reason: form.data.reason },
          formError: { key: messageKey("problems.invoice_not_open") },
        },
        { status: 409 },
      );
    throw error;
  }
}

const statusTone = { open: "warning", paid: "success", void: "neutral" } as const;

export default function SupportInvoices() {
  const { t } = useTranslation(["invoices", "common"]);
  const { rows, nextCursor, isFirstPage, staleCursor, filter, query, years } =
    useLoaderData<typeof loader>();
  const withQuery = (extra: string) => `?${[query, extra].filter(Boolean).join("&")}`;
  const any = { value: "", label: t("all.any") };
  return (
    <>
      <PageHeader title={t("all.title")} description={t("all.subtitle")} />
      <StaleCursorNotice show={staleCursor} />
      <Form
        method="get"
        className="mb-6 flex flex-wrap items-end gap-3"
        role="search"
        aria-label={t("all.filters")}
      >
        <SelectField
          label={t("all.status")}
          name="status"
          defaultValue={filter.status ?? ""}
          options={[
            any,
            ...(["open", "paid", "void"] as const).map((s) => ({
              value: s,
              label: t(`status.${s}`),
            })),
          ]}
        />
        <SelectField
          label={t("all.kind")}
          name="kind"
          defaultValue={filter.kind ?? ""}
          options={[
            any,
            ...(["invoice", "credit_note"] as const).map((k) => ({
              value: k,
              label: t(`all.kinds.${k}`),
            })),
          ]}
        />
        <SelectField
          label={t("all.year")}
          name="year"
          defaultValue={filter.year ? String(filter.year) : ""}
          options={[any, ...years.map((y) => ({ value: String(y), label: String(y) }))]}
        />
        <Field
          label={t("all.search")}
          name="q"
          type="search"
          defaultValue={filter.q ?? ""}
          hint={t("all.searchHint")}
          className="min-w-[16rem] flex-1"
        />
        <Button type="submit" variant="secondary" className="mb-5">
          {t("all.apply")}
        </Button>
      </Form>
      {rows.length === 0 ? (
        <EmptyState title={t("all.empty")} />
      ) : (
        <Table
          stackOnPhone
          caption={t("all.caption")}
          head={
            <tr>
              <th className="px-4 py-2">{t("all.number")}</th>
              <th className="px-4 py-2">{t("all.business")}</th>
              <th className="px-4 py-2">{t("all.issued")}</th>
              <th className="px-4 py-2 text-right">{t("all.total")}</th>
              <th className="px-4 py-2">{t("all.statusColumn")}</th>
              <th className="px-4 py-2">{t("all.actions")}</th>
            </tr>
          }
        >
          {rows.map((row) => (
            <InvoiceRowView key={row.id} invoice={row} />
          ))}
        </Table>
      )}
      <Pager
        nextHref={nextCursor ? withQuery(`cursor=${nextCursor}`) : null}
        firstHref={isFirstPage ? null : withQuery("")}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </>
  );
}

type RowView = Omit<SupportInvoiceRow, "issuedAt" | "periodStart" | "periodEnd"> & {
  issuedAt: string | Date;
};

function InvoiceRowView({ invoice }: { invoice: RowView }) {
  const { t } = useTranslation(["invoices", "common"]);
  const locale = useFormattingLocale();
  const actionData = useActionData<typeof action>();
  const failure = actionData?.values.invoiceId === invoice.id ? actionData : undefined;
  const busy = useNavigation().state === "submitting";
  return (
    <tr>
      <td className="px-4 py-2">
        <Link
          to={`/support/invoices/${invoice.id}`}
          className="font-medium text-brand-700 tabular-nums hover:underline"
        >
          {invoice.number}
        </Link>
        {invoice.kind === "credit_note" ? (
          <span className="ml-2 text-xs text-slate-600">{t("all.kinds.credit_note")}</span>
        ) : null}
      </td>
      <td data-label={t("all.business")} className="px-4 py-2">
        <Link
          to={`/support/businesses/${invoice.businessId}`}
          className="text-brand-700 hover:underline"
        >
          {invoice.businessName}
        </Link>
      </td>
      <td data-label={t("all.issued")} className="px-4 py-2">
        {formatDate(invoice.issuedAt, locale)}
      </td>
      <td data-label={t("all.total")} className="px-4 py-2 text-right tabular-nums">
        {formatMoney(invoice.totalCents, locale)}
      </td>
      <td data-label={t("all.statusColumn")} className="px-4 py-2">
        <StatusBadge tone={statusTone[invoice.status]}>{t(`status.${invoice.status}`)}</StatusBadge>
        {invoice.status === "paid" && invoice.statusReason ? (
          <span className="mt-1 block max-w-xs truncate text-xs text-slate-600">
            {t("all.paidReason", { reason: invoice.statusReason })}
          </span>
        ) : null}
      </td>
      <td data-label={t("all.actions")} className="px-4 py-2">
        {invoice.status === "open" && invoice.kind === "invoice" ? (
          <Form method="post" className="flex flex-wrap items-end gap-2" noValidate>
            <FormAlert message={failure?.formError} />
            <input type="hidden" name="invoiceId" value={invoice.id} />
            <Field
              label={t("all.reason")}
              name="reason"
              required
              maxLength={500}
              hint={t("all.reasonHint")}
              defaultValue={failure?.values.reason}
              error={failure?.errors.reason}
              className="min-w-[12rem]"
            />
            <Button type="submit" variant="secondary" disabled={busy} className="mb-5">
              {t("all.markPaid")}
            </Button>
          </Form>
        ) : null}
      </td>
    </tr>
  );
}
