import { useId, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { labelKey } from "~/lib/messages";
import { formatDate } from "~/lib/format";
import { useFormattingLocale } from "~/root";
import { ProgressBar } from "./ProgressBar";

/** What a "Code #N — Claimed" block shows of a grant (a GrantEntitlement, as loaded). */
export interface ClaimedCodeGrant {
  source: string;
  code: { serial: number; partnerName: string; bundleName: string } | null;
  staffSeats: number;
  staffSeatsTaken: number;
  cardOperations: number;
  cardOperationsUsed: number;
  startsAt: Date | string;
  endsAt: Date | string;
  state: "active" | "ended" | "scheduled";
}

/**
 * One claimed code (or other grant) as the business's billing page shows it: its title, where
 * it came from, until when, and two bars — staff seats taken / available and card operations
 * used / available under it. The partner's client page shows the very same block, so both
 * sides read the same numbers. `badge` goes beside the title (e.g. "Rolled back").
 */
export function ClaimedCodeBlock({ grant, badge }: { grant: ClaimedCodeGrant; badge?: ReactNode }) {
  const { t } = useTranslation(["business"]);
  const locale = useFormattingLocale();
  const id = useId();
  const ended = grant.state === "ended";
  const title = grant.code
    ? t("codes.blockTitle", { serial: grant.code.serial })
    : t(labelKey("business:codes.source", grant.source));
  const validity = ended
    ? t("codes.endedOn", { date: formatDate(grant.endsAt, locale) })
    : grant.state === "scheduled"
      ? t("codes.startsOn", {
          start: formatDate(grant.startsAt, locale),
          end: formatDate(grant.endsAt, locale),
        })
      : t("codes.validUntil", { date: formatDate(grant.endsAt, locale) });
  const heading = (
    <h3 id={id} className={`font-semibold ${ended ? "text-slate-600" : "text-slate-900"}`}>
      {title}
    </h3>
  );
  return (
    <section
      aria-labelledby={id}
      className={`rounded-lg border p-4 ${
        ended
          ? "border-slate-200 bg-slate-50 text-slate-500 opacity-75"
          : "border-slate-200 bg-white"
      }`}
    >
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-1">
        <div>
          {badge ? (
            <div className="flex flex-wrap items-center gap-2">
              {heading}
              {badge}
            </div>
          ) : (
            heading
          )}
          {grant.code ? (
            <p className="text-sm text-slate-600">
              {t("codes.from", { bundle: grant.code.bundleName, partner: grant.code.partnerName })}
            </p>
          ) : null}
        </div>
        <p className={`text-sm ${ended ? "text-slate-500" : "font-medium text-slate-700"}`}>
          {validity}
        </p>
      </div>
      <div className="mt-4 grid gap-4 sm:grid-cols-2">
        <ProgressBar
          label={t("codes.staffSeats")}
          used={grant.staffSeatsTaken}
          available={grant.staffSeats}
        />
        <ProgressBar
          label={t("codes.cardOperations")}
          used={grant.cardOperationsUsed}
          available={grant.cardOperations}
        />
      </div>
    </section>
  );
}
