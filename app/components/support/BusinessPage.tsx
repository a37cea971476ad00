// Support's page of one business: plan, grants, members, card operations and the corrections (grant, end a grant, plan change).
// Its loader and action stay in app/routes/_app.support.businesses.$businessId.tsx.
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useLocation,
  useNavigation,
} from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ReasonField } from "~/components/support/ReasonField";
import { AuditTable } from "~/components/AuditTable";
import { Button } from "~/components/Button";
import { DailyUsageChart } from "~/components/DailyUsageChart";
import { Field, FormAlert, SelectField } from "~/components/Field";
import { Card, EmptyState, PageHeader, Stat, Table } from "~/components/Layout";
import { ProgressBar } from "~/components/ProgressBar";
import { StatusBadge } from "~/components/StatusBadge";
import { labelKey } from "~/lib/messages";
import { formatDate, formatMoney, formatNumber } from "~/lib/format";
import { useFormattingLocale } from "~/root";

import type { loader, action } from "~/routes/_app.support.businesses.$businessId";

function useIntentFailure(intent: string) {
  const actionData = useActionData<typeof action>();
  return actionData && actionData.values.intent === intent ? actionData : undefined;
}

export function SupportBusinessPage() {
  const { t } = useTranslation(["support", "common", "invoices"]);
  const { page, audit, invoices } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  const n = (value: number) => formatNumber(value, locale);
  const endFailure = useIntentFailure("endGrant");
  const { plan } = page;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link to="/support/businesses" className="text-brand-700 hover:underline">
          ← {t("businesses.title")}
        </Link>
      </p>
      <PageHeader
        title={plan.businessName}
        description={
          <>
            <span className="font-mono text-xs">{plan.businessId}</span> ·{" "}
            {t("business.since", { date: formatDate(plan.businessCreatedAt, locale) })}
          </>
        }
      />
      <div className="space-y-6">
        <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Stat label={t("business.plan")} value={plan.name} />
          <Stat
            label={t("business.price")}
            value={
              plan.billingInterval === "custom"
                ? t("business.byArrangement")
                : plan.billingInterval === "none"
                  ? t("business.free")
                  : `${formatMoney(plan.priceCents, locale)} / ${t(labelKey("support:business.interval", plan.billingInterval))}`
            }
          />
          <Stat label={t("business.locations")} value={n(plan.locations)} />
          <Stat label={t("business.anchor")} value={formatDate(plan.anchorAt, locale)} />
        </dl>
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title={t("business.thisPeriod")}>
            <div className="space-y-4">
              <ProgressBar
                label={t("business.operationsUsed")}
                used={page.cardOperations.used}
                available={page.cardOperations.limit}
              />
              <ProgressBar
                label={t("business.seatsTaken")}
                used={page.staffSeats.taken}
                available={page.staffSeats.available}
              />
              <p className="text-sm text-slate-600">
                {t("business.period", {
                  from: formatDate(page.period.start, locale),
                  to: formatDate(page.period.end, locale),
                  included: n(page.planAllowance.included),
                })}
              </p>
            </div>
          </Card>
          <Card title={t("business.usage30")}>
            <DailyUsageChart days={page.dailyUsage} />
          </Card>
        </div>
        <Card title={t("business.grants")}>
          <FormAlert message={endFailure?.formError} />
          {page.grants.length === 0 ? (
            <EmptyState title={t("business.noGrants")} />
          ) : (
            <Table
              caption={t("business.grants")}
              head={
                <tr>
                  <th className="px-4 py-2">{t("business.grant")}</th>
                  <th className="px-4 py-2 text-right">{t("business.seats")}</th>
                  <th className="px-4 py-2 text-right">{t("business.operations")}</th>
                  <th className="px-4 py-2">{t("business.dates")}</th>
                  <th className="px-4 py-2">
                    <span className="sr-only">{t("business.actions")}</span>
                  </th>
                </tr>
              }
            >
              {page.grants.map((grant) => (
                <tr key={grant.id}>
                  <td className="px-4 py-2">
                    <span className="block font-medium">
                      {grant.code ? (
                        <Link
                          to={`/support/codes/${grant.code.serial}`}
                          className="text-brand-700 hover:underline"
                        >
                          {t("partner.codeSerial", { serial: grant.code.serial })}
                        </Link>
                      ) : (
                        t(`business.source.${grant.source}`)
                      )}{" "}
                      <StatusBadge tone={grant.state === "active" ? "success" : "neutral"}>
                        {t(`business.state.${grant.state}`)}
                      </StatusBadge>
                    </span>
                    {grant.code ? (
                      <span className="block text-xs text-slate-500">
                        {grant.code.bundleName} ·{" "}
                        {grant.partnerSlug ? (
                          <Link
                            to={`/support/partners/${grant.partnerSlug}`}
                            className="text-brand-700 hover:underline"
                          >
                            {grant.code.partnerName}
                          </Link>
                        ) : (
                          grant.code.partnerName
                        )}
                      </span>
                    ) : null}
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">
                    {n(grant.staffSeatsTaken)} / {n(grant.staffSeats)}
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">
                    {n(grant.cardOperationsUsed)} / {n(grant.cardOperations)}
                    <span className="block text-xs text-slate-500">
                      {t("business.available", { count: grant.cardOperationsAvailable })}
                    </span>
                  </td>
                  <td className="px-4 py-2 text-sm">
                    {formatDate(grant.startsAt, locale)} – {formatDate(grant.endsAt, locale)}
                  </td>
                  <td className="px-4 py-2">
                    {grant.state !== "ended" ? (
                      <details>
                        <summary className="cursor-pointer text-sm font-semibold text-red-700">
                          {t("business.endEarly")}
                        </summary>
                        <Form method="post" className="mt-2 space-y-2" noValidate>
                          <input type="hidden" name="intent" value="endGrant" />
                          <input type="hidden" name="grantId" value={grant.id} />
                          <ReasonField
                            error={
                              endFailure?.values.grantId === grant.id
                                ? endFailure.errors.reason
                                : undefined
                            }
                          />
                          <Button type="submit" variant="danger">
                            {t("business.endNow")}
                          </Button>
                        </Form>
                      </details>
                    ) : null}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Card>
        <div className="grid gap-6 lg:grid-cols-2">
          <GrantForm />
          <PlanForm />
        </div>
        <Card title={t("invoices:list.title")}>
          {invoices.length === 0 ? (
            <EmptyState title={t("invoices:list.empty")} />
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {invoices.map((invoice) => (
                <li key={invoice.id} className="flex flex-wrap justify-between gap-2 py-2">
                  <Link
                    to={`/support/invoices/${invoice.id}`}
                    className="font-medium text-brand-700 underline"
                  >
                    {invoice.number}
                  </Link>
                  <span>{formatDate(invoice.issuedAt, locale)}</span>
                  <span className="tabular-nums">{formatMoney(invoice.totalCents, locale)}</span>
                  <span>{t(labelKey("invoices:status", invoice.status))}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title={t("business.members")}>
          <Table
            caption={t("business.members")}
            head={
              <tr>
                <th className="px-4 py-2">{t("partner.member")}</th>
                <th className="px-4 py-2">{t("partner.role")}</th>
                <th className="px-4 py-2">{t("business.seat")}</th>
              </tr>
            }
          >
            {page.members.map((member) => (
              <tr key={member.userId}>
                <td className="px-4 py-2">
                  <span className="block font-medium">{member.name || "—"}</span>
                  <span className="block text-xs text-slate-500">{member.email}</span>
                </td>
                <td className="px-4 py-2">{t(labelKey("common:roles", member.role))}</td>
                <td className="px-4 py-2">
                  {member.seat === "plan"
                    ? t("business.seatPlan")
                    : member.seat
                      ? t("business.seatGrant")
                      : t("business.seatNone")}
                </td>
              </tr>
            ))}
          </Table>
        </Card>
        <Card
          title={t("partner.auditTrail")}
          actions={
            <Link
              to={`/support/audit?organisation=${encodeURIComponent(plan.businessId)}`}
              className="text-sm font-semibold text-brand-700 hover:underline"
            >
              {t("partner.allAudit")}
            </Link>
          }
        >
          <AuditTable rows={audit} />
        </Card>
      </div>
    </>
  );
}

function GrantForm() {
  const { t } = useTranslation(["support", "common"]);
  const { today } = useLoaderData<typeof loader>();
  const failure = useIntentFailure("grant");
  const busy = useNavigation().state === "submitting";
  const location = useLocation();
  const values = failure?.values ?? {};
  const errors = failure?.errors ?? {};
  return (
    <Card title={t("business.grantTitle")}>
      <p className="mb-4 text-sm text-slate-600">{t("business.grantIntro")}</p>
      <Form key={location.key} method="post" className="grid gap-4 sm:grid-cols-2" noValidate>
        <input type="hidden" name="intent" value="grant" />
        <FormAlert message={failure?.formError} />
        <Field
          label={t("business.addSeats")}
          name="staffSeats"
          inputMode="numeric"
          defaultValue={values.staffSeats ?? "0"}
          error={errors.staffSeats}
        />
        <Field
          label={t("business.addOperations")}
          name="cardOperations"
          inputMode="numeric"
          defaultValue={values.cardOperations ?? "0"}
          error={errors.cardOperations}
        />
        <Field
          label={t("business.startsOn")}
          name="startsOn"
          type="date"
          defaultValue={values.startsOn ?? today}
          error={errors.startsOn}
        />
        <Field
          label={t("business.endsOn")}
          name="endsOn"
          type="date"
          defaultValue={values.endsOn}
          error={errors.endsOn}
        />
        <ReasonField defaultValue={values.reason} error={errors.reason} className="sm:col-span-2" />
        <div className="sm:col-span-2">
          <Button type="submit" disabled={busy}>
            {t("business.grantSubmit")}
          </Button>
        </div>
      </Form>
    </Card>
  );
}

function PlanForm() {
  const { t } = useTranslation(["support", "common"]);
  const { page, plans } = useLoaderData<typeof loader>();
  const failure = useIntentFailure("plan");
  const busy = useNavigation().state === "submitting";
  const location = useLocation();
  const values = failure?.values ?? {};
  const errors = failure?.errors ?? {};
  const [planId, setPlanId] = useState(values.planId ?? page.plan.id);
  const chosen = plans.find((p) => p.id === planId);
  const locale = useFormattingLocale();
  return (
    <Card title={t("business.planTitle")}>
      <p className="mb-4 text-sm text-slate-600">{t("business.planIntro")}</p>
      <Form key={location.key} method="post" className="grid gap-4 sm:grid-cols-2" noValidate>
        <input type="hidden" name="intent" value="plan" />
        <FormAlert message={failure?.formError} />
        <SelectField
          label={t("business.plan")}
          name="planId"
          value={planId}
          onChange={(event) => setPlanId(event.target.value)}
          error={errors.planId}
          options={plans.map((p) => ({
            value: p.id,
            label:
              p.billingInterval === "custom"
                ? p.name
                : `${p.name} — ${formatMoney(p.priceCents, locale)}`,
          }))}
          className="sm:col-span-2"
        />
        {chosen?.perLocation ? (
          <Field
            label={t("business.locations")}
            name="locations"
            inputMode="numeric"
            defaultValue={values.locations ?? String(page.plan.locations)}
            error={errors.locations}
          />
        ) : null}
        {chosen?.billingInterval === "custom" ? (
          <>
            <Field
              label={t("business.customOperations")}
              name="customCardOperations"
              inputMode="numeric"
              defaultValue={values.customCardOperations}
              error={errors.customCardOperations}
            />
            <Field
              label={t("business.customSeats")}
              name="customStaffSeats"
              inputMode="numeric"
              defaultValue={values.customStaffSeats}
              error={errors.customStaffSeats}
            />
          </>
        ) : null}
        <ReasonField defaultValue={values.reason} error={errors.reason} className="sm:col-span-2" />
        <div className="sm:col-span-2">
          <Button type="submit" disabled={busy}>
            {t("business.planSubmit")}
          </Button>
        </div>
      </Form>
    </Card>
  );
}
