import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { formatDate } from "~/lib/format";
import { labelKey } from "~/lib/messages";

interface InvoiceFactsProps {
  invoice: {
    snapshot: { legalName: string; address: string; country: string | null; vatId: string | null };
    issuedAt: Date | string;
    periodStart: Date | string | null;
    periodEnd: Date | string | null;
    status: "open" | "paid" | "void";
  };
  locale: string;
  /** More about the status under it (support: when it changed and why). */
  statusDetail?: ReactNode;
  /** Further rows of the list (support: the invoice a credit note credits, its credit notes). */
  children?: ReactNode;
}

/** An invoice's facts as the owner's and support's invoice pages show them: billed to, issued, period, status. */
export function InvoiceFacts({ invoice, locale, statusDetail, children }: InvoiceFactsProps) {
  const { t } = useTranslation(["invoices"]);
  return (
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
        <dd className="font-medium">
          {t(labelKey("invoices:status", invoice.status))}
          {statusDetail}
        </dd>
      </div>
      {children}
    </dl>
  );
}
