// The owner's banner while a subscription is past due (ADR 038): which invoice failed, the
// date to pay by, and what happens after it. Shown on the billing and subscription pages.
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatLongDate } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export function PastDueBanner({
  businessId,
  pastDue,
}: {
  businessId: string;
  pastDue: { payBy: Date | string; invoiceNumbers: string[] } | null | undefined;
}) {
  const { t } = useTranslation(["invoices"]);
  const locale = useFormattingLocale();
  if (!pastDue) return null;
  return (
    <div
      role="alert"
      className="mb-6 rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900"
    >
      <p className="font-semibold">{t("pastDue.title")}</p>
      <p className="mt-1">
        {t("pastDue.body", {
          invoices: pastDue.invoiceNumbers.join(", ") || "—",
          date: formatLongDate(pastDue.payBy, locale),
        })}{" "}
        <Link to={`/business/${businessId}/invoices`} className="font-medium underline">
          {t("pastDue.link")}
        </Link>
      </p>
    </div>
  );
}
