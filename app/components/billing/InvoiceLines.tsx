// An issued invoice's (or credit note's) lines as the owner's and support's invoice pages show
// them: the shared ChargeLines table with the invoice's words and its net, VAT and total, and
// the reverse-charge note when it applies.
import { useTranslation } from "react-i18next";
import { formatBasisPoints } from "~/lib/format";
import { ChargeLines, type ChargeLine } from "./ChargeLines";

export function InvoiceLines({
  invoice,
  locale,
}: {
  invoice: {
    lines: readonly ChargeLine[];
    netCents: number;
    vatRateBps: number;
    vatCents: number;
    totalCents: number;
    reverseCharge: boolean;
  };
  locale: string;
}) {
  const { t } = useTranslation(["invoices"]);
  return (
    <>
      <ChargeLines
        className="mt-6 overflow-x-auto"
        caption={t("detail.lines")}
        descriptionHeading={t("detail.description")}
        amountHeading={t("detail.amount")}
        lines={invoice.lines}
        lineLabels="invoices:detail.line"
        totals={[
          { label: t("detail.net"), cents: invoice.netCents },
          {
            label: t("detail.vat", { rate: formatBasisPoints(invoice.vatRateBps, locale) }),
            cents: invoice.vatCents,
          },
          { label: t("detail.total"), cents: invoice.totalCents, strong: true },
        ]}
      />
      {invoice.reverseCharge ? (
        <p className="mt-4 text-sm text-slate-700">{t("detail.reverseCharge")}</p>
      ) : null}
    </>
  );
}
