import { useTranslation } from "react-i18next";
import { numberFormat } from "~/lib/format";

/** Share at which a bar turns amber, and red at 100%. */
export const NEAR_LIMIT_RATIO = 0.8;

export function progressTone(used: number, available: number): "ok" | "near" | "full" {
  if (available <= 0) return used > 0 ? "full" : "ok";
  const ratio = used / available;
  return ratio >= 1 ? "full" : ratio >= NEAR_LIMIT_RATIO ? "near" : "ok";
}

const tones = { ok: "bg-brand-500", near: "bg-amber-500", full: "bg-red-600" } as const;

/**
 * An accessible bar: "used / available" with role=progressbar and its values. A `limit`
 * bar warns near and at the limit; a `task` bar (work in progress) is simply complete at 100%.
 */
export function ProgressBar({
  label,
  used,
  available,
  kind = "limit",
  tone: toneOverride,
  percent: percentOverride,
}: {
  label: string;
  used: number;
  available: number;
  kind?: "limit" | "task";
  /** The colour when more than this bar decides it (see planAllowanceTone). */
  tone?: "ok" | "near" | "full";
  /** The bar's fill when a rule decides it (a batch is 100% only once ready). */
  percent?: number;
}) {
  const { i18n } = useTranslation();
  const tone = toneOverride ?? (kind === "task" ? "ok" : progressTone(used, available));
  const percent =
    percentOverride ??
    (available > 0 ? Math.min(100, Math.round((used / available) * 100)) : used > 0 ? 100 : 0);
  const number = { format: numberFormat(i18n.language) };
  return (
    <div>
      <div className="flex items-baseline justify-between text-sm">
        <span className="font-medium text-slate-800">{label}</span>
        <span className="tabular-nums text-slate-600">
          {number.format(used)} / {number.format(available)}
        </span>
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={available}
        aria-valuenow={Math.min(used, available)}
        aria-valuetext={`${number.format(used)} / ${number.format(available)}`}
        data-tone={tone}
        className="mt-1 h-2.5 w-full overflow-hidden rounded-full bg-slate-200"
      >
        <div className={`h-full rounded-full ${tones[tone]}`} style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
