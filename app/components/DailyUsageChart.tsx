import { useTranslation } from "react-i18next";
import { formatDate, formatNumber } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export interface DailyUsagePoint {
  /** The UTC day, YYYY-MM-DD. */
  date: string;
  cardOperations: number;
}

const WIDTH = 720;
const HEIGHT = 180;
const AXIS = 20;
/** Room above the top grid line for its label. */
const TOP = 16;

/** A round top for the y axis: 1, 2 or 5 times a power of ten, at least the peak. */
function axisTop(peak: number): number {
  if (peak <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(peak));
  return [1, 2, 5, 10].map((step) => step * power).find((top) => top >= peak) ?? peak;
}

/**
 * Card operations per day as an SVG bar chart. Screen readers get a one-sentence summary
 * (role="img" with its label); everyone can open the table of the numbers under it.
 */
export function DailyUsageChart({ days }: { days: DailyUsagePoint[] }) {
  const { t } = useTranslation("clients");
  const locale = useFormattingLocale();
  const n = (value: number) => formatNumber(value, locale);
  const total = days.reduce((sum, day) => sum + day.cardOperations, 0);
  const peak = days.reduce<DailyUsagePoint | null>(
    (best, day) => (day.cardOperations > (best?.cardOperations ?? 0) ? day : best),
    null,
  );
  const top = axisTop(peak?.cardOperations ?? 0);
  const plotHeight = HEIGHT - AXIS;
  const gridLines = [0, 0.5, 1].map((share) => ({
    share,
    y: plotHeight - share * (plotHeight - TOP),
  }));
  const slot = WIDTH / Math.max(days.length, 1);
  const barWidth = Math.max(1, slot * 0.7);
  const first = days[0]?.date;
  const last = days[days.length - 1]?.date;
  const summary =
    first && last
      ? peak
        ? t("chart.summary", {
            days: days.length,
            total: n(total),
            from: formatDate(first, locale),
            to: formatDate(last, locale),
            peak: n(peak.cardOperations),
            peakDate: formatDate(peak.date, locale),
          })
        : t("chart.summaryNone", {
            days: days.length,
            from: formatDate(first, locale),
            to: formatDate(last, locale),
          })
      : t("chart.noDays");
  // Month starts label the x axis, and the first day when no month starts close to it.
  const monthStarts = days
    .map((day, index) => ({ day, index }))
    .filter(({ day }) => day.date.endsWith("-01"));
  const firstDay = days[0];
  const labels =
    firstDay && (monthStarts[0]?.index ?? Infinity) > 12
      ? [{ day: firstDay, index: 0 }, ...monthStarts]
      : monthStarts;

  return (
    <figure>
      <svg
        role="img"
        aria-label={summary}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="h-auto w-full"
        preserveAspectRatio="xMidYMid meet"
      >
        {gridLines.map(({ share, y }) => (
          <line
            key={share}
            x1={0}
            x2={WIDTH}
            y1={y}
            y2={y}
            aria-hidden="true"
            className="stroke-slate-200"
            strokeWidth={1}
          />
        ))}
        {days.map((day, index) => {
          const height = (day.cardOperations / top) * (plotHeight - TOP);
          return (
            <rect
              key={day.date}
              x={index * slot + (slot - barWidth) / 2}
              y={plotHeight - height}
              width={barWidth}
              height={height}
              rx={1}
              className="fill-brand-500"
            >
              <title>
                {t("chart.bar", {
                  date: formatDate(day.date, locale),
                  count: day.cardOperations,
                  formatted: n(day.cardOperations),
                })}
              </title>
            </rect>
          );
        })}
        {/* Labels over the bars, with a white halo so that a tall bar never hides them. */}
        {gridLines
          .filter(({ share }) => share > 0)
          .map(({ share, y }) => (
            <text
              key={share}
              x={2}
              y={y - 3}
              aria-hidden="true"
              paintOrder="stroke"
              strokeWidth={3}
              className="fill-slate-500 stroke-white text-[10px]"
            >
              {n(Math.round(top * share))}
            </text>
          ))}
        {labels.map(({ day, index }) => (
          <text
            key={day.date}
            x={index * slot}
            y={HEIGHT - 5}
            textAnchor={index * slot > WIDTH - 80 ? "end" : "start"}
            aria-hidden="true"
            className="fill-slate-500 text-[10px]"
          >
            {formatDate(day.date, locale)}
          </text>
        ))}
      </svg>
      <figcaption className="mt-2 text-sm text-slate-600">
        {peak
          ? t("chart.caption", { total: n(total), count: total, days: days.length })
          : t("chart.empty", { days: days.length })}
      </figcaption>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer font-medium text-brand-700">
          {t("chart.showNumbers")}
        </summary>
        <div className="mt-2 max-h-72 overflow-y-auto rounded-md border border-slate-200">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">{t("chart.tableCaption")}</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-1.5">
                  {t("chart.day")}
                </th>
                <th scope="col" className="px-3 py-1.5 text-right">
                  {t("chart.operations")}
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {days.map((day) => (
                <tr key={day.date}>
                  <td className="px-3 py-1 tabular-nums">
                    <time dateTime={day.date}>{formatDate(day.date, locale)}</time>
                  </td>
                  <td className="px-3 py-1 text-right tabular-nums">{n(day.cardOperations)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
