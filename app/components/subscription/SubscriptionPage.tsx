// The Manage subscription page: the running subscription, a change or cancellation with its
// preview, and (once issued) the invoices. Loader and action in
// app/routes/_app.business.$businessId.subscription.tsx.
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Button } from "~/components/Button";
import { Field, SelectField } from "~/components/Field";
import { Card, EmptyState, PageHeader } from "~/components/Layout";
import { PastDueBanner } from "~/components/billing/PastDueBanner";
import { ChangePreview, previewOf } from "~/components/subscription/ChangePreview";
import { formatDate, formatMoney } from "~/lib/format";
import { supportedLanguages } from "~/lib/locale";
import { labelKey } from "~/lib/messages";
import { useFormattingLocale } from "~/root";
import type { action, loader } from "~/routes/_app.business.$businessId.subscription";

export function SubscriptionPage() {
  const { t } = useTranslation(["subscription", "business", "invoices"]);
  const locale = useFormattingLocale();
  const {
    business,
    subscription,
    plans,
    billingDetails,
    invoices,
    businessLanguage,
    businessLanguageSet,
  } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const preview = previewOf(actionData);
  const busy = useNavigation().state === "submitting";
  const base = `/business/${business.id}/subscription`;
  const sent = actionData && !preview ? actionData : undefined;
  const ownForm = (intent: string) => sent?.values.intent === intent;
  const failure = ownForm("billing-details") || ownForm("business-locale") ? undefined : sent;
  const detailsFailure = ownForm("billing-details") ? sent : undefined;
  const languageFailure = ownForm("business-locale") ? sent : undefined;
  const detailValues = detailsFailure?.values ?? {
    legalName: billingDetails?.legalName ?? "",
    address: billingDetails?.address ?? "",
    country: billingDetails?.country ?? "",
    vatId: billingDetails?.vatId ?? "",
  };
  const money = (cents: number) => formatMoney(cents, locale);

  return (
    <>
      <PageHeader
        title={t("page.title")}
        description={t("page.subtitle", { business: business.name })}
        actions={
          <Link
            to={`/business/${business.id}/billing`}
            className="text-sm font-medium text-brand-700 underline"
          >
            {t("page.back")}
          </Link>
        }
      />
      <PastDueBanner businessId={business.id} pastDue={subscription?.pastDue} />
      <div className="space-y-6">
        <Card title={t("page.summaryTitle")}>
          {subscription ? (
            <>
              <dl className="grid gap-4 text-sm sm:grid-cols-3">
                <div>
                  <dt className="text-slate-600">{t("page.plan")}</dt>
                  <dd className="font-medium">{subscription.planName}</dd>
                </div>
                <div>
                  <dt className="text-slate-600">{t("page.interval")}</dt>
                  <dd className="font-medium">
                    {t(labelKey("subscription:interval", subscription.interval))}
                  </dd>
                </div>
                <div>
                  <dt className="text-slate-600">{t("page.locations")}</dt>
                  <dd className="font-medium">{subscription.quantity}</dd>
                </div>
                <div>
                  <dt className="text-slate-600">{t("page.status")}</dt>
                  <dd className="font-medium">
                    {t(labelKey("subscription:status", subscription.status))}
                  </dd>
                </div>
                <div>
                  <dt className="text-slate-600">{t("page.since")}</dt>
                  <dd className="font-medium">
                    {t("page.periodRange", {
                      start: formatDate(subscription.periodStart, locale),
                      end: formatDate(subscription.periodEnd, locale),
                    })}
                  </dd>
                </div>
                <div>
                  <dt className="text-slate-600">{t("page.nextCharge")}</dt>
                  <dd className="font-medium">
                    {subscription.nextChargeCents !== null && subscription.nextChargeAt
                      ? t("business:plan.nextChargeOn", {
                          amount: money(subscription.nextChargeCents),
                          date: formatDate(subscription.nextChargeAt, locale),
                        })
                      : t("business:plan.noCharge")}
                  </dd>
                </div>
              </dl>
              {subscription.pending ? (
                <p className="mt-4 rounded-md bg-slate-50 px-4 py-3 text-sm text-slate-700">
                  {t("page.pending", {
                    date: formatDate(subscription.periodEnd, locale),
                    plan: subscription.pending.planName,
                    locations: subscription.pending.quantity,
                  })}
                </p>
              ) : null}
              {subscription.status === "cancel_at_period_end" ? (
                <p className="mt-4 rounded-md bg-amber-50 px-4 py-3 text-sm text-amber-900">
                  {t("page.cancelling", { date: formatDate(subscription.periodEnd, locale) })}
                </p>
              ) : null}
            </>
          ) : (
            <EmptyState title={t("page.none")}>{t("page.noneHint")}</EmptyState>
          )}
        </Card>

        <Card title={t("page.changeTitle")}>
          {preview ? (
            <ChangePreview preview={preview} action={base} backHref={base} />
          ) : (
            <div className="space-y-6">
              <p className="text-sm text-slate-600">{t("page.changeHint")}</p>
              <Form method="post" action={base} noValidate className="grid gap-4 sm:grid-cols-3">
                <input type="hidden" name="intent" value="preview-plan" />
                <SelectField
                  label={t("page.plan")}
                  name="planId"
                  defaultValue={failure?.values.planId ?? subscription?.planId ?? "monthly"}
                  error={failure?.errors.planId}
                  options={plans.map((plan) => ({ value: plan.id, label: plan.name }))}
                />
                <Field
                  label={t("page.locations")}
                  name="locations"
                  inputMode="numeric"
                  autoComplete="off"
                  defaultValue={failure?.values.locations ?? String(subscription?.quantity ?? 1)}
                  error={failure?.errors.locations}
                />
                <div className="sm:pt-6">
                  <Button type="submit" disabled={busy}>
                    {t("preview.submit")}
                  </Button>
                </div>
              </Form>
              {subscription && subscription.status !== "cancel_at_period_end" ? (
                <Form method="post" action={base} className="border-t border-slate-100 pt-5">
                  <input type="hidden" name="intent" value="preview-plan" />
                  <input type="hidden" name="planId" value="free" />
                  <h3 className="text-sm font-semibold">{t("page.cancelTitle")}</h3>
                  <p className="mt-1 text-sm text-slate-600">{t("page.cancelHint")}</p>
                  <Button type="submit" variant="secondary" className="mt-3" disabled={busy}>
                    {t("page.cancelSubmit")}
                  </Button>
                </Form>
              ) : null}
            </div>
          )}
        </Card>

        <Card
          title={t("page.invoicesTitle")}
          actions={
            <Link
              to={`/business/${business.id}/invoices`}
              className="text-sm font-medium text-brand-700 underline"
            >
              {t("page.invoicesLink")}
            </Link>
          }
        >
          {invoices.length === 0 ? (
            <EmptyState title={t("invoices:list.empty")}>{t("invoices:list.emptyHint")}</EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {invoices.map((invoice) => (
                <li key={invoice.id} className="flex flex-wrap justify-between gap-2 py-2">
                  <Link
                    to={`/business/${business.id}/invoices/${invoice.id}`}
                    className="font-medium text-brand-700 underline"
                  >
                    {invoice.number}
                  </Link>
                  <span>{formatDate(invoice.issuedAt, locale)}</span>
                  <span className="tabular-nums">{money(invoice.totalCents)}</span>
                  <span>{t(labelKey("invoices:status", invoice.status))}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>

        <Card title={t("invoices:details.title")}>
          <p className="mb-4 text-sm text-slate-600">
            {billingDetails ? t("invoices:details.hint") : t("invoices:details.missing")}
          </p>
          <Form method="post" action={base} noValidate className="grid gap-4 sm:grid-cols-2">
            <input type="hidden" name="intent" value="billing-details" />
            <Field
              label={t("invoices:details.legalName")}
              name="legalName"
              autoComplete="organization"
              defaultValue={detailValues.legalName}
              error={detailsFailure?.errors.legalName}
            />
            <Field
              label={t("invoices:details.address")}
              name="address"
              autoComplete="street-address"
              defaultValue={detailValues.address}
              error={detailsFailure?.errors.address}
            />
            <Field
              label={t("invoices:details.country")}
              name="country"
              autoComplete="country"
              maxLength={2}
              hint={t("invoices:details.countryHint")}
              defaultValue={detailValues.country}
              error={detailsFailure?.errors.country}
            />
            <Field
              label={t("invoices:details.vatId")}
              name="vatId"
              autoComplete="off"
              hint={t("invoices:details.vatIdHint")}
              defaultValue={detailValues.vatId ?? ""}
              error={detailsFailure?.errors.vatId}
            />
            <div>
              <Button type="submit" disabled={busy}>
                {t("invoices:details.submit")}
              </Button>
            </div>
          </Form>
        </Card>

        <Card title={t("business:language.title")}>
          <p className="mb-4 text-sm text-slate-600">{t("business:language.hint")}</p>
          <Form method="post" action={base} noValidate className="grid gap-4 sm:grid-cols-2">
            <input type="hidden" name="intent" value="business-locale" />
            <SelectField
              label={t("business:language.label")}
              name="locale"
              defaultValue={
                languageFailure?.values.locale ?? (businessLanguageSet ? businessLanguage : "auto")
              }
              error={languageFailure?.errors.locale}
              options={[
                { value: "auto", label: t("business:language.auto") },
                ...supportedLanguages.map((code) => ({
                  value: code,
                  label: t(`languages.${code}`, { ns: "common" }),
                })),
              ]}
            />
            <div className="sm:col-span-2">
              <Button type="submit" disabled={busy}>
                {t("business:language.submit")}
              </Button>
            </div>
          </Form>
        </Card>
      </div>
    </>
  );
}
