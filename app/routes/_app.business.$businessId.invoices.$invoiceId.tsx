// One invoice as issued (issue 14): billed-to snapshot, lines, net, VAT, total, status.
// The owner's only; another business's invoice id answers 404.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { notFound, requireBusinessMember } from "~/auth/guards.server";
import { Card, PageHeader } from "~/components/Layout";
import { db } from "~/db.server";
import { getInvoice } from "~/domain/invoices/reads.server";
import { formatBasisPoints, formatDate, formatMoney } from "~/lib/format";
import { isUuid } from "~/lib/ids";
import { labelKey } from "~/lib/messages";
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
  const money = (cents: number) => formatMoney(cents, locale);
  return (
    <>
      <PageHeader
        title={t("detail.title", { number: invoice.number })}
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
      <Card>
        <dl className="grid gap-4 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-slate-600">{t("detail.billedTo")}</dt>
            <dd className="whitespace-pre-line font-medium">
              {[invoice.snapshot.legalName, invoice.snapshot.address, invoice.snapshot.country]
                .filter(Boolean)
                .join("\n")}
              {invoice.snapshot.vatId ? (
                <span className="block font-normal text-slate-600">
                  {t("detail.vatId", { vatId: invoice.snapshot.vatId })}
                </span>
              ) : null}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">{t("detail.issued")}</dt>
            <dd className="font-medium">{formatDate(invoice.issuedAt, locale)}</dd>
          </div>
          <div>
            <dt className="text-slate-600">{t("detail.period")}</dt>
            <dd className="font-medium">
              {invoice.periodStart && invoice.periodEnd
                ? `${formatDate(invoice.periodStart, locale)} – ${formatDate(invoice.periodEnd, locale)}`
                : ""}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">{t("detail.status")}</dt>
            <dd className="font-medium">{t(labelKey("invoices:status", invoice.status))}</dd>
          </div>
        </dl>
        <div className="mt-6 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("detail.lines")}</caption>
            <thead className="border-b border-slate-200 text-slate-600">
              <tr>
                <th scope="col" className="py-2 pr-4 font-medium">
                  {t("detail.description")}
                </th>
                <th scope="col" className="py-2 text-right font-medium">
                  {t("detail.amount")}
                </th>
              </tr>
            </thead>
            <tbody>
              {invoice.lines.map((line, index) => (
                <tr key={index} className="border-b border-slate-100">
                  <td className="py-2 pr-4">
                    {t(labelKey("invoices:detail.line", line.kind), {
                      plan: line.planName,
                      quantity: line.quantity,
                      days: line.days ?? 0,
                      periodDays: line.periodDays ?? 0,
                      start: formatDate(line.periodStart, locale),
                      end: formatDate(line.periodEnd, locale),
                    })}
                  </td>
                  <td className="py-2 text-right tabular-nums">{money(line.amountCents)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" className="py-2 pr-4 text-left font-medium">
                  {t("detail.net")}
                </th>
                <td className="py-2 text-right tabular-nums">{money(invoice.netCents)}</td>
              </tr>
              <tr>
                <th scope="row" className="py-2 pr-4 text-left font-medium">
                  {t("detail.vat", { rate: formatBasisPoints(invoice.vatRateBps, locale) })}
                </th>
                <td className="py-2 text-right tabular-nums">{money(invoice.vatCents)}</td>
              </tr>
              <tr>
                <th scope="row" className="py-2 pr-4 text-left font-semibold">
                  {t("detail.total")}
                </th>
                <td className="py-2 text-right font-semibold tabular-nums">
                  {money(invoice.totalCents)}
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
        {invoice.reverseCharge ? (
          <p className="mt-4 text-sm text-slate-700">{t("detail.reverseCharge")}</p>
        ) : null}
      </Card>
    </>
  );
}
