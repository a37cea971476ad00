// The new-bundle form with its live retail / wholesale / margin preview.
// Its loader and action stay in app/routes/_app.partner.$slug.bundles.new.tsx.
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useParams,
} from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Button, buttonClasses } from "~/components/Button";
import { Field } from "~/components/Field";
import { Card, PageHeader } from "~/components/Layout";
import { labelKey } from "~/lib/messages";
import { BUNDLE_LIMITS, previewBundlePrice } from "~/lib/bundle-pricing";
import { formatBasisPoints, formatMoney } from "~/lib/format";
import type { UnitPrices } from "~/lib/money";
import { useFormattingLocale } from "~/root";

import type { loader, action } from "~/routes/_app.partner.$slug.bundles.new";

type PricedFields = Parameters<typeof previewBundlePrice>[0];

function pricedFields(form: HTMLFormElement): PricedFields {
  const data = new FormData(form);
  const text = (name: string) => {
    const value = data.get(name);
    return typeof value === "string" ? value : "";
  };
  return {
    staffSeats: text("staffSeats"),
    cardOperations: text("cardOperations"),
    termMonths: text("termMonths"),
    resalePrice: text("resalePrice"),
  };
}

export function NewBundlePage() {
  const { t } = useTranslation(["bundles"]);
  const { prices, discountBps, source } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const { slug } = useParams();
  // What the user typed last wins, then the bundle being duplicated, then the defaults.
  const initial: Record<string, string> = {
    name: source
      ? t("form.copyName", { name: source.name }).slice(0, BUNDLE_LIMITS.nameLength)
      : "",
    staffSeats: source?.staffSeats ?? "",
    cardOperations: source?.cardOperations ?? "",
    termMonths: source?.termMonths ?? "12",
    codeValidityDays: source?.codeValidityDays ?? String(BUNDLE_LIMITS.codeValidityDays.default),
    resalePrice: source?.resalePrice ?? "",
    ...actionData?.values,
  };
  const [typed, setTyped] = useState<PricedFields>({
    staffSeats: initial.staffSeats ?? "",
    cardOperations: initial.cardOperations ?? "",
    termMonths: initial.termMonths ?? "",
    resalePrice: initial.resalePrice ?? "",
  });
  const errors = actionData?.errors ?? {};
  const field = (name: keyof typeof initial) => ({
    name,
    defaultValue: initial[name],
    error: errors[name],
    label: t(labelKey("bundles:form", name)),
    hint: t(labelKey("bundles:form", `${name}Hint`)),
  });
  return (
    <>
      <PageHeader
        title={source ? t("form.duplicateTitle", { name: source.name }) : t("form.title")}
        description={
          source ? t("form.duplicateSubtitle", { name: source.name }) : t("form.subtitle")
        }
      />
      <div className="grid items-start gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <Card title={t("form.contents")}>
            <Form
              method="post"
              noValidate
              className="space-y-4"
              onChange={(event: FormEvent<HTMLFormElement>) =>
                setTyped(pricedFields(event.currentTarget))
              }
            >
              <Field {...field("name")} required maxLength={BUNDLE_LIMITS.nameLength} />
              <div className="grid gap-4 sm:grid-cols-2">
                <Field {...field("staffSeats")} required inputMode="numeric" autoComplete="off" />
                <Field
                  {...field("cardOperations")}
                  required
                  inputMode="numeric"
                  autoComplete="off"
                />
                <Field {...field("termMonths")} required inputMode="numeric" autoComplete="off" />
                <Field {...field("codeValidityDays")} inputMode="numeric" autoComplete="off" />
              </div>
              <Field
                {...field("resalePrice")}
                inputMode="decimal"
                autoComplete="off"
                className="sm:w-1/2 sm:pr-2"
              />
              <div className="flex gap-3 pt-2">
                <Button type="submit" disabled={busy}>
                  {t("form.submit")}
                </Button>
                <Link to={`/partner/${slug}/bundles`} className={buttonClasses("ghost")}>
                  {t("form.cancel")}
                </Link>
              </div>
            </Form>
          </Card>
        </div>
        <div className="lg:sticky lg:top-6">
          <PricePanel typed={typed} prices={prices} discountBps={discountBps} />
        </div>
      </div>
    </>
  );
}

function PricePanel({
  typed,
  prices,
  discountBps,
}: {
  typed: PricedFields;
  prices: UnitPrices;
  discountBps: number;
}) {
  const { t } = useTranslation(["bundles"]);
  const locale = useFormattingLocale();
  const price = previewBundlePrice(typed, prices, discountBps);
  const money = (cents: number) => formatMoney(cents, locale);
  const hasResale = typed.resalePrice.trim() !== "";
  return (
    <Card title={t("price.title")}>
      {/* Announced as it changes, so a screen reader hears the price follow the typing. */}
      <div aria-live="polite" className="text-sm">
        {price === null ? (
          <p className="text-slate-600">{t("price.incomplete")}</p>
        ) : (
          <>
            <dl className="divide-y divide-slate-100">
              <PriceRow label={t("price.retail")} value={money(price.retailCents)} />
              <PriceRow
                label={t("price.discount", { percent: formatBasisPoints(discountBps, locale) })}
                value={`−${money(price.discountCents)}`}
              />
              <PriceRow label={t("price.wholesale")} value={money(price.wholesaleCents)} strong />
              {price.marginCents === null ? null : (
                <>
                  <PriceRow
                    label={t("price.resale")}
                    value={money(price.marginCents + price.wholesaleCents)}
                  />
                  <PriceRow
                    label={t("price.margin")}
                    value={money(price.marginCents)}
                    strong
                    tone={price.marginCents < 0 ? "negative" : "positive"}
                  />
                </>
              )}
            </dl>
            {price.marginCents === null && !hasResale ? (
              <p className="pt-3 text-slate-600">{t("price.noResale")}</p>
            ) : null}
            {price.marginCents !== null && price.marginCents < 0 ? (
              <p className="pt-2 text-red-700">{t("price.belowCost")}</p>
            ) : null}
          </>
        )}
      </div>
      <p className="mt-4 text-xs text-slate-500">
        {t("price.priceList", {
          seat: money(prices.staffSeatMonthCents),
          operation: money(prices.cardOperationCents),
        })}
      </p>
    </Card>
  );
}

function PriceRow({
  label,
  value,
  strong = false,
  tone,
}: {
  label: string;
  value: string;
  strong?: boolean;
  tone?: "positive" | "negative";
}) {
  const color =
    tone === "negative" ? "text-red-700" : tone === "positive" ? "text-emerald-700" : "";
  return (
    <div className="flex items-baseline justify-between gap-4 py-2">
      <dt className="text-slate-600">{label}</dt>
      <dd className={`tabular-nums ${strong ? "font-semibold" : ""} ${color}`}>{value}</dd>
    </div>
  );
}
