// Support's prices and plans: price-list versions and plan terms, each change with a reason.
// Its loader and action stay in app/routes/_app.support.pricing.tsx.
import { Form, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ReasonField } from "~/components/support/ReasonField";
import { Button } from "~/components/Button";
import { Field, FormAlert, SelectField } from "~/components/Field";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { type PlanRow } from "~/domain/pricing.server";
import { labelKey } from "~/lib/messages";
import { PLAN_INTERVALS, PLAN_LIMITS } from "~/lib/pricing-limits";
import {
  centsToDecimalString,
  formatDate,
  formatDateTime,
  formatMoney,
  formatNumber,
} from "~/lib/format";
import { useFormattingLocale } from "~/root";

import type { loader, action } from "~/routes/_app.support.pricing";

function useIntentFailure(intent: string, planId?: string) {
  const actionData = useActionData<typeof action>();
  if (!actionData || actionData.values.intent !== intent) return undefined;
  if (planId !== undefined && actionData.values.planId !== planId) return undefined;
  return actionData;
}

const stateTone = { current: "success", scheduled: "info", past: "neutral" } as const;

export function SupportPricingPage() {
  const { t } = useTranslation(["support"]);
  const { versions, plans } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  return (
    <>
      <PageHeader title={t("pricing.title")} description={t("pricing.subtitle")} />
      <div className="space-y-6">
        <Card title={t("pricing.priceList")}>
          <p className="mb-4 text-sm text-slate-600">{t("pricing.priceListIntro")}</p>
          {versions.length === 0 ? (
            <EmptyState title={t("pricing.noVersions")} />
          ) : (
            <Table
              stackOnPhone
              caption={t("pricing.priceList")}
              head={
                <tr>
                  <th className="px-4 py-2">{t("pricing.effectiveFrom")}</th>
                  <th className="px-4 py-2 text-right">{t("pricing.seatPrice")}</th>
                  <th className="px-4 py-2 text-right">{t("pricing.operationPrice")}</th>
                  <th className="px-4 py-2">{t("pricing.state")}</th>
                  <th className="px-4 py-2">{t("pricing.createdBy")}</th>
                  <th className="px-4 py-2">
                    <span className="sr-only">{t("pricing.actions")}</span>
                  </th>
                </tr>
              }
            >
              {versions.map((version) => (
                <tr key={version.id}>
                  <td data-label={t("pricing.effectiveFrom")} className="px-4 py-2">
                    {formatDateTime(version.effectiveFrom, locale)}
                  </td>
                  <td
                    data-label={t("pricing.seatPrice")}
                    className="px-4 py-2 text-right tabular-nums"
                  >
                    {formatMoney(version.staffSeatMonthCents, locale)}
                  </td>
                  <td
                    data-label={t("pricing.operationPrice")}
                    className="px-4 py-2 text-right tabular-nums"
                  >
                    {formatMoney(version.cardOperationCents, locale)}
                  </td>
                  <td data-label={t("pricing.state")} className="px-4 py-2">
                    <StatusBadge tone={stateTone[version.state]}>
                      {t(`pricing.states.${version.state}`)}
                    </StatusBadge>
                  </td>
                  <td data-label={t("pricing.createdBy")} className="px-4 py-2 text-sm">
                    {version.createdBy ?? t("pricing.initial")}
                    <span className="block text-xs text-slate-500">
                      {formatDate(version.createdAt, locale)}
                    </span>
                  </td>
                  <td className="px-4 py-2">
                    {version.state === "scheduled" ? <WithdrawForm versionId={version.id} /> : null}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Card>
        <PriceVersionForm />
        <Card title={t("plans.title")}>
          <p className="mb-4 text-sm text-slate-600">{t("plans.intro")}</p>
          <Table
            stackOnPhone
            caption={t("plans.title")}
            head={
              <tr>
                <th className="px-4 py-2">{t("plans.name")}</th>
                <th className="px-4 py-2 text-right">{t("plans.price")}</th>
                <th className="px-4 py-2">{t("plans.interval")}</th>
                <th className="px-4 py-2 text-right">{t("plans.operations")}</th>
                <th className="px-4 py-2 text-right">{t("plans.seats")}</th>
                <th className="px-4 py-2">{t("plans.status")}</th>
                <th className="px-4 py-2 text-right">{t("plans.businesses")}</th>
              </tr>
            }
          >
            {plans.map((plan) => (
              <tr key={plan.id}>
                <td data-label={t("plans.name")} className="px-4 py-2 font-medium">
                  {plan.name}
                  <span className="block font-mono text-xs text-slate-500">{plan.id}</span>
                </td>
                <td data-label={t("plans.price")} className="px-4 py-2 text-right tabular-nums">
                  {plan.byRequest
                    ? t("plans.setPerBusiness")
                    : formatMoney(plan.priceCents, locale)}
                  {plan.perLocation ? (
                    <span className="block text-xs text-slate-500">{t("plans.perLocation")}</span>
                  ) : null}
                </td>
                <td data-label={t("plans.interval")} className="px-4 py-2">
                  {t(labelKey("support:plans.intervals", plan.billingInterval))}
                </td>
                <td
                  data-label={t("plans.operations")}
                  className="px-4 py-2 text-right tabular-nums"
                >
                  {plan.cardOperationsPerMonth === null
                    ? t("plans.setPerBusiness")
                    : formatNumber(plan.cardOperationsPerMonth, locale)}
                </td>
                <td data-label={t("plans.seats")} className="px-4 py-2 text-right tabular-nums">
                  {plan.staffSeats === null
                    ? t("plans.setPerBusiness")
                    : formatNumber(plan.staffSeats, locale)}
                </td>
                <td data-label={t("plans.status")} className="px-4 py-2">
                  <StatusBadge tone={plan.active ? "success" : "neutral"}>
                    {plan.active ? t("plans.active") : t("plans.inactive")}
                  </StatusBadge>
                </td>
                <td
                  data-label={t("plans.businesses")}
                  className="px-4 py-2 text-right tabular-nums"
                >
                  {formatNumber(plan.businesses, locale)}
                </td>
              </tr>
            ))}
          </Table>
          <div className="mt-6 space-y-3">
            {plans.map((plan) => (
              <PlanEditForm key={plan.id} plan={plan} />
            ))}
          </div>
        </Card>
      </div>
    </>
  );
}

function WithdrawForm({ versionId }: { versionId: number }) {
  const { t } = useTranslation(["support"]);
  const actionData = useActionData<typeof action>();
  const failure =
    actionData?.values.intent === "withdraw" && actionData.values.versionId === String(versionId)
      ? actionData
      : undefined;
  return (
    <details open={failure ? true : undefined}>
      <summary className="cursor-pointer text-sm font-semibold text-red-700">
        {t("pricing.withdraw")}
      </summary>
      <Form method="post" className="mt-2 space-y-2" noValidate>
        <input type="hidden" name="intent" value="withdraw" />
        <input type="hidden" name="versionId" value={versionId} />
        <FormAlert message={failure?.formError} />
        <ReasonField
          autoComplete="off"
          defaultValue={failure?.values.reason}
          error={failure?.errors.reason}
        />
        <Button type="submit" variant="danger">
          {t("pricing.withdrawVersion")}
        </Button>
      </Form>
    </details>
  );
}

function PriceVersionForm() {
  const { t } = useTranslation(["support"]);
  const { today, versions } = useLoaderData<typeof loader>();
  const failure = useIntentFailure("price");
  const busy = useNavigation().state === "submitting";
  const location = useLocation();
  const values = failure?.values ?? {};
  const errors = failure?.errors ?? {};
  const current = versions.find((v) => v.state === "current");
  return (
    <Card title={t("pricing.addTitle")}>
      <p className="mb-4 text-sm text-slate-600">{t("pricing.addIntro")}</p>
      <Form key={location.key} method="post" className="grid gap-4 sm:grid-cols-3" noValidate>
        <input type="hidden" name="intent" value="price" />
        <FormAlert message={failure?.formError} />
        <Field
          label={t("pricing.effectiveOn")}
          name="effectiveOn"
          type="date"
          min={today}
          required
          hint={t("pricing.effectiveOnHint")}
          defaultValue={values.effectiveOn ?? today}
          error={errors.effectiveOn}
        />
        <Field
          label={t("pricing.seatPriceEuro")}
          name="staffSeatMonthPrice"
          inputMode="decimal"
          required
          autoComplete="off"
          defaultValue={
            values.staffSeatMonthPrice ??
            (current ? centsToDecimalString(current.staffSeatMonthCents) : "")
          }
          error={errors.staffSeatMonthPrice}
        />
        <Field
          label={t("pricing.operationPriceEuro")}
          name="cardOperationPrice"
          inputMode="decimal"
          required
          autoComplete="off"
          defaultValue={
            values.cardOperationPrice ??
            (current ? centsToDecimalString(current.cardOperationCents) : "")
          }
          error={errors.cardOperationPrice}
        />
        <ReasonField
          autoComplete="off"
          defaultValue={values.reason}
          error={errors.reason}
          className="sm:col-span-3"
        />
        <div className="sm:col-span-3">
          <Button type="submit" disabled={busy}>
            {t("pricing.add")}
          </Button>
        </div>
      </Form>
    </Card>
  );
}

function PlanEditForm({ plan }: { plan: PlanRow }) {
  const { t } = useTranslation(["support"]);
  const failure = useIntentFailure("plan", plan.id);
  const busy = useNavigation().state === "submitting";
  const location = useLocation();
  const values = failure?.values;
  const errors = failure?.errors ?? {};
  return (
    <details
      open={failure ? true : undefined}
      className="rounded-lg border border-slate-200 px-4 py-3"
    >
      <summary className="cursor-pointer text-sm font-semibold text-brand-700">
        {t("plans.edit", { plan: plan.name })}
      </summary>
      <Form key={location.key} method="post" className="mt-4 grid gap-4 sm:grid-cols-2" noValidate>
        <input type="hidden" name="intent" value="plan" />
        <input type="hidden" name="planId" value={plan.id} />
        <FormAlert message={failure?.formError} />
        <Field
          label={t("plans.name")}
          name="name"
          required
          maxLength={PLAN_LIMITS.nameLength}
          autoComplete="off"
          defaultValue={values?.name ?? plan.name}
          error={errors.name}
          className="sm:col-span-2"
        />
        {plan.byRequest ? (
          <p className="text-sm text-slate-600 sm:col-span-2">{t("plans.byRequestHint")}</p>
        ) : (
          <>
            <Field
              label={plan.perLocation ? t("plans.priceEuroPerLocation") : t("plans.priceEuro")}
              name="price"
              inputMode="decimal"
              required
              autoComplete="off"
              defaultValue={values?.price ?? centsToDecimalString(plan.priceCents)}
              error={errors.price}
            />
            <SelectField
              label={t("plans.interval")}
              name="billingInterval"
              defaultValue={values?.billingInterval ?? plan.billingInterval}
              error={errors.billingInterval}
              options={PLAN_INTERVALS.map((interval) => ({
                value: interval,
                label: t(`plans.intervals.${interval}`),
              }))}
            />
            <Field
              label={
                plan.perLocation ? t("plans.operationsPerLocation") : t("plans.operationsField")
              }
              name="cardOperationsPerMonth"
              inputMode="numeric"
              required
              autoComplete="off"
              defaultValue={
                values?.cardOperationsPerMonth ?? String(plan.cardOperationsPerMonth ?? 0)
              }
              error={errors.cardOperationsPerMonth}
            />
            <Field
              label={plan.perLocation ? t("plans.seatsPerLocation") : t("plans.seatsField")}
              name="staffSeats"
              inputMode="numeric"
              required
              autoComplete="off"
              defaultValue={values?.staffSeats ?? String(plan.staffSeats ?? 0)}
              error={errors.staffSeats}
            />
          </>
        )}
        <label className="flex items-center gap-2 text-sm sm:col-span-2">
          <input
            type="checkbox"
            name="active"
            value="on"
            defaultChecked={values ? values.active === "on" : plan.active}
            className="h-4 w-4"
          />
          {t("plans.activeField")}
        </label>
        <ReasonField
          autoComplete="off"
          hint={t("plans.nextPeriodHint")}
          defaultValue={values?.reason}
          error={errors.reason}
          className="sm:col-span-2"
        />
        <div className="sm:col-span-2">
          <Button type="submit" disabled={busy}>
            {t("plans.save")}
          </Button>
        </div>
      </Form>
    </details>
  );
}
