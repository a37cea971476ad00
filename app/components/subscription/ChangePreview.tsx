// What a plan change will do, before the owner confirms it (ADR 032): one sentence ("You
// will be charged €X today, then €Y every month from …"), today's lines, and the Confirm
// change form, which carries the amount shown so the server refuses a different one.
import { Form, Link, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ChargeLines } from "~/components/billing/ChargeLines";
import { Button, buttonClasses } from "~/components/Button";
import { formatDate, formatMoney } from "~/lib/format";
import { labelKey } from "~/lib/messages";
import type { ChangePreviewView } from "~/lib/plan-change-intents.server";
import { useFormattingLocale } from "~/root";

/** The preview an action answered with, if it did (its other answers are form failures). */
export function previewOf(actionData: unknown): ChangePreviewView | undefined {
  if (typeof actionData !== "object" || actionData === null || !("preview" in actionData))
    return undefined;
  return actionData.preview as ChangePreviewView;
}

export function ChangePreview({
  preview,
  action,
  backHref,
}: {
  preview: ChangePreviewView;
  action: string;
  backHref: string;
}) {
  const { t } = useTranslation(["subscription"]);
  const locale = useFormattingLocale();
  const busy = useNavigation().state === "submitting";
  const money = (cents: number) => formatMoney(cents, locale);
  const summary = t(labelKey("subscription:preview", preview.outcome), {
    today: money(preview.dueTodayCents),
    amount: preview.next ? money(preview.next.amountCents) : "",
    interval: preview.next ? t(labelKey("subscription:preview.every", preview.next.interval)) : "",
    date: formatDate(preview.next?.from ?? preview.effectiveAt, locale),
  });
  const cancelDate = formatDate(preview.effectiveAt, locale);
  return (
    <section aria-labelledby="change-preview-title" className="space-y-4">
      <h3 id="change-preview-title" className="text-base font-semibold">
        {t("subscription:preview.title")}
      </h3>
      <p
        role="status"
        className="rounded-md border border-brand-100 bg-brand-50 px-4 py-3 text-sm font-medium text-slate-900"
        data-testid="change-preview-summary"
      >
        {preview.outcome === "cancel"
          ? t("subscription:preview.cancel", { date: cancelDate })
          : summary}
      </p>
      {preview.lines.length > 0 ? (
        <ChargeLines
          caption={t("subscription:preview.linesTitle")}
          descriptionHeading={t("subscription:preview.linesTitle")}
          amountHeading={t("subscription:preview.amount")}
          lines={preview.lines}
          lineLabels="subscription:preview.line"
          totals={[
            { label: t("subscription:preview.total"), cents: preview.dueTodayCents, strong: true },
          ]}
        />
      ) : null}
      <Form method="post" action={action} className="flex flex-wrap items-center gap-3">
        <input type="hidden" name="intent" value="change-plan" />
        <input type="hidden" name="planId" value={preview.planId} />
        <input type="hidden" name="locations" value={preview.locations} />
        <input type="hidden" name="expectedDueTodayCents" value={String(preview.dueTodayCents)} />
        <Button type="submit" disabled={busy}>
          {t("subscription:preview.confirm")}
        </Button>
        <Link to={backHref} preventScrollReset className={buttonClasses("secondary")}>
          {t("subscription:preview.back")}
        </Link>
      </Form>
    </section>
  );
}
