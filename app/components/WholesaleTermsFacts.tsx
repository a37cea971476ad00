import { useTranslation } from "react-i18next";
import { formatBasisPoints } from "~/lib/format";

/**
 * The wholesale discount and tax rate as <dt>/<dd> pairs for a surrounding <dl>: the partner's
 * dashboard, its terms page and each statement show them the same way (a zero tax rate is
 * the reverse charge).
 */
export function WholesaleTermsFacts({
  discountBps,
  taxRateBps,
  locale,
}: {
  discountBps: number;
  taxRateBps: number;
  locale: string;
}) {
  const { t } = useTranslation("partner");
  return (
    <>
      <dt className="text-slate-600">{t("terms.discount")}</dt>
      <dd className="font-medium tabular-nums">{formatBasisPoints(discountBps, locale)}</dd>
      <dt className="text-slate-600">{t("terms.taxRate")}</dt>
      <dd className="font-medium tabular-nums">
        {taxRateBps === 0 ? t("terms.reverseCharge") : formatBasisPoints(taxRateBps, locale)}
      </dd>
    </>
  );
}
