// One invoice as issued (issue 14): billed-to snapshot, lines, net, VAT, total, status.
// The owner's only; another business's invoice id answers 404.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { notFound, requireBusinessMember } from "~/auth/guards.server";
import { InvoiceFacts } from "~/components/billing/InvoiceFacts";
import { InvoiceLines } from "~/components/billing/InvoiceLines";
import { Card, PageHeader } from "~/components/Layout";
import { db } from "~/db.server";
import { getInvoice } from "~/domain/invoices/reads.server";
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
        <InvoiceFacts invoice={invoice} locale={locale} />
        <InvoiceLines invoice={invoice} locale={locale} />
      </Card>
    </>
  );
}
