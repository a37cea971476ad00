// One invoice as issued (issue 14): billed-to snapshot, lines, net, VAT, total, status; when
// void, when and why; the credit notes that credit it, or on a credit note the invoice it
// credits (ADR 037). The owner's only; another business's invoice id answers 404, and the
// linked documents are read within the same business.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { notFound, requireBusinessMember } from "~/auth/guards.server";
import { InvoiceFacts } from "~/components/billing/InvoiceFacts";
import { InvoiceLines } from "~/components/billing/InvoiceLines";
import { Card, PageHeader } from "~/components/Layout";
import { db } from "~/db.server";
import { getInvoice } from "~/domain/invoices/reads.server";
import { formatDate, formatDateTime, formatMoney } from "~/lib/format";
import { isUuid } from "~/lib/ids";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [{ title: "Invoice · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const { business } = await requireBusinessMember(args, args.params.businessId, "owner");
  const invoiceId = args.params.invoiceId;
  if (!isUuid(invoiceId)) throw notFound();
  const invoice = await getInvoice(db, { businessId: business.id, invoiceId });
  if (!invoice) throw notFound();
  return { business, invoice };
}

export default function InvoicePage() {
  const { t } = useTranslation(["invoices"]);
  const locale = useFormattingLocale();
  const { business, invoice } = useLoaderData<typeof loader>();
  const base = `/business/${business.id}/invoices`;
  const creditNote = invoice.kind === "credit_note";
  return (
    <>
      <PageHeader
        title={
          creditNote
            ? t("detail.creditNoteTitle", { number: invoice.number })
            : t("detail.title", { number: invoice.number })
        }
        actions={
          <div className="flex flex-wrap items-center gap-4">
            <a
              href={`/business/${business.id}/invoices/${invoice.id}.pdf`}
              className="text-sm font-medium text-brand-700 underline"
              download
            >
              {t("detail.download")}
            </a>
            <Link
              to={`/business/${business.id}/invoices`}
              className="text-sm font-medium text-brand-700 underline"
            >
              {t("detail.back")}
            </Link>
          </div>
        }
      />
      <div className="space-y-6">
        <Card>
          <InvoiceFacts
            invoice={invoice}
            locale={locale}
            statusDetail={
              invoice.status === "void" ? (
                <>
                  {invoice.statusChangedAt ? (
                    <span className="block font-normal text-slate-600">
                      {formatDateTime(invoice.statusChangedAt, locale)}
                    </span>
                  ) : null}
                  {invoice.statusReason ? (
                    <span className="block font-normal text-slate-600">
                      {t("detail.statusReason", { reason: invoice.statusReason })}
                    </span>
                  ) : null}
                </>
              ) : null
            }
          >
            {invoice.creditsInvoice ? (
              <div className="sm:col-span-4">
                <dt className="text-slate-600">{t("detail.credits")}</dt>
                <dd className="font-medium">
                  <Link
                    to={`${base}/${invoice.creditsInvoice.id}`}
                    className="text-brand-700 underline"
                  >
                    {invoice.creditsInvoice.number}
                  </Link>
                </dd>
              </div>
            ) : null}
          </InvoiceFacts>
          <InvoiceLines invoice={invoice} locale={locale} />
        </Card>
        {invoice.creditNotes.length > 0 ? (
          <Card title={t("detail.creditNotes")}>
            <ul className="divide-y divide-slate-100 text-sm">
              {invoice.creditNotes.map((note) => (
                <li key={note.id} className="flex flex-wrap justify-between gap-2 py-2">
                  <Link to={`${base}/${note.id}`} className="font-medium text-brand-700 underline">
                    {note.number}
                  </Link>
                  <span>{formatDate(note.issuedAt, locale)}</span>
                  <span className="tabular-nums">{formatMoney(note.totalCents, locale)}</span>
                  <a
                    href={`${base}/${note.id}.pdf`}
                    className="font-medium text-brand-700 underline"
                    download
                  >
                    {t("detail.creditNotePdf")}
                  </a>
                </li>
              ))}
            </ul>
          </Card>
        ) : null}
      </div>
    </>
  );
}
