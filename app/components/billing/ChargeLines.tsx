// The lines of a charge, one table for an issued invoice and for a plan change's preview
// (what will be charged today): a description of each line, its amount, and the totals.
import { useTranslation } from "react-i18next";
import { formatDate, formatMoney } from "~/lib/format";
import { labelKey } from "~/lib/messages";
import { useFormattingLocale } from "~/root";

export interface ChargeLine {
  kind: "plan" | "proration" | "credit";
  planName: string;
  quantity: number;
  days: number | null;
  periodDays: number | null;
  amountCents: number;
  periodStart: string | Date;
  periodEnd: string | Date;
}

/** A row under the lines: net, VAT, total; the strong one is what is paid. */
export interface ChargeTotal {
  label: string;
  cents: number;
  strong?: boolean;
}

export function ChargeLines({
  caption,
  descriptionHeading,
  amountHeading,
  lines,
  lineLabels,
  totals,
  className = "overflow-x-auto",
}: {
  caption: string;
  descriptionHeading: string;
  amountHeading: string;
  lines: readonly ChargeLine[];
  /** Where each kind of line has its description: the invoice's words or the preview's. */
  lineLabels: "invoices:detail.line" | "subscription:preview.line";
  totals: readonly ChargeTotal[];
  className?: string;
}) {
  const { t } = useTranslation(["invoices", "subscription"]);
  const locale = useFormattingLocale();
  const money = (cents: number) => formatMoney(cents, locale);
  return (
    <div className={className}>
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 text-slate-600">
          <tr>
            <th scope="col" className="py-2 pr-4 font-medium">
              {descriptionHeading}
            </th>
            <th scope="col" className="py-2 text-right font-medium">
              {amountHeading}
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line, index) => (
            <tr key={index} className="border-b border-slate-100">
              <td className="py-2 pr-4">
                {t(labelKey(lineLabels, line.kind), {
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
          {totals.map((total) => (
            <tr key={total.label}>
              <th
                scope="row"
                className={`py-2 pr-4 text-left ${total.strong ? "font-semibold" : "font-medium"}`}
              >
                {total.label}
              </th>
              <td className={`py-2 text-right tabular-nums${total.strong ? " font-semibold" : ""}`}>
                {money(total.cents)}
              </td>
            </tr>
          ))}
        </tfoot>
      </table>
    </div>
  );
}
