// Support's page of one code: its history and the corrections (revoke, extend expiry, roll back the claim).
// Its loader and action stay in app/routes/_app.support.codes.$serial.tsx.
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useLocation,
  useNavigation,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ConfirmedReasonForm } from "~/components/support/ConfirmedReasonForm";
import { ReasonField } from "~/components/support/ReasonField";
import { Button } from "~/components/Button";
import { CodeStatusBadge } from "~/components/CodeStatusBadge";
import { Field, FormAlert } from "~/components/Field";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import {
  formatBasisPoints,
  formatDate,
  formatDateTime,
  formatMoney,
  formatNumber,
} from "~/lib/format";
import { monthOf } from "~/lib/statement-months";
import { useFormattingLocale } from "~/root";

import type { loader, action } from "~/routes/_app.support.codes.$serial";

function useIntentFailure(intent: string) {
  const actionData = useActionData<typeof action>();
  return actionData && actionData.values.intent === intent ? actionData : undefined;
}

export function SupportCodePage() {
  const { t } = useTranslation(["support", "batches", "common"]);
  const { page } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  const { code, claim, rollback, partner } = page;
  const money = (cents: number) => formatMoney(cents, locale);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link to="/support/codes" className="text-brand-700 hover:underline">
          ← {t("codes.title")}
        </Link>
      </p>
      <PageHeader
        title={t("partner.codeSerial", { serial: code.serial })}
        description={<span className="font-mono">{code.display}</span>}
        actions={<CodeStatusBadge status={code.status} />}
      />
      <div className="space-y-6">
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title={t("codes.facts")}>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
              <Fact label={t("codes.partner")}>
                <Link
                  to={`/support/partners/${partner.slug}`}
                  className="text-brand-700 hover:underline"
                >
                  {partner.name}
                </Link>
                {partner.status === "suspended" ? (
                  <span className="ml-2 text-xs text-amber-800">
                    {t("common:partnerStatus.suspended")}
                  </span>
                ) : null}
              </Fact>
              <Fact label={t("codes.bundle")}>
                {code.bundleName} ·{" "}
                {t("partner.bundleContents", {
                  seats: formatNumber(code.bundleContent.staffSeats, locale),
                  operations: formatNumber(code.bundleContent.cardOperations, locale),
                  months: code.bundleContent.termMonths,
                })}
              </Fact>
              <Fact label={t("codes.batch")}>
                {code.batchLabel ?? "—"} ({t(`batches:status.${code.batchStatus}`)})
              </Fact>
              <Fact label={t("codes.created")}>{formatDateTime(code.createdAt, locale)}</Fact>
              <Fact label={t("codes.expires")}>{formatDateTime(code.expiresAt, locale)}</Fact>
              <Fact label={t("codes.handOut")}>
                {code.handedOutAt
                  ? `${code.recipientName ?? ""} ${code.recipientEmail ? `<${code.recipientEmail}>` : ""} · ${formatDate(code.handedOutAt, locale)}${code.lockedToEmail ? ` · ${t("codes.locked")}` : ""}`
                  : t("codes.notHandedOut")}
              </Fact>
              {code.revokedAt ? (
                <Fact label={t("codes.revoked")}>
                  {formatDateTime(code.revokedAt, locale)} · {code.revokeReason}
                </Fact>
              ) : null}
            </dl>
          </Card>
          <Card title={t("codes.claim")}>
            {claim ? (
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
                <Fact label={t("codes.business")}>
                  <Link
                    to={`/support/businesses/${claim.businessId}`}
                    className="text-brand-700 hover:underline"
                  >
                    {claim.businessName}
                  </Link>
                </Fact>
                <Fact label={t("codes.claimedAt")}>
                  {formatDateTime(claim.claimedAt, locale)} ·{" "}
                  <Link
                    to={`/support/partners/${partner.slug}/statements/${monthOf(new Date(claim.claimedAt))}`}
                    className="text-brand-700 hover:underline"
                  >
                    {t("codes.onStatement", { month: monthOf(new Date(claim.claimedAt)) })}
                  </Link>
                </Fact>
                <Fact label={t("codes.price")}>
                  {t("codes.priceSnapshot", {
                    retail: money(claim.retailCents),
                    discount: formatBasisPoints(claim.discountBps, locale),
                    discountAmount: money(claim.discountCents),
                    wholesale: money(claim.wholesaleCents),
                    taxRate: formatBasisPoints(claim.taxRateBps, locale),
                    tax: money(claim.taxCents),
                  })}
                </Fact>
                <Fact label={t("codes.grant")}>
                  {formatDate(claim.grant.startsAt, locale)} –{" "}
                  {formatDate(claim.grant.endsAt, locale)}
                </Fact>
                <Fact label={t("codes.operationsDrawn")}>
                  {formatNumber(claim.grant.cardOperationsUsed, locale)} /{" "}
                  {formatNumber(claim.grant.cardOperations, locale)}
                </Fact>
                {rollback ? (
                  <Fact label={t("codes.rolledBack")}>
                    {formatDateTime(rollback.at, locale)} · {rollback.by} · {rollback.reason} ·{" "}
                    <Link
                      to={`/support/partners/${partner.slug}/statements/${monthOf(new Date(rollback.at))}`}
                      className="text-brand-700 hover:underline"
                    >
                      {t("codes.creditOnStatement", { month: monthOf(new Date(rollback.at)) })}
                    </Link>
                  </Fact>
                ) : null}
              </dl>
            ) : (
              <EmptyState title={t("codes.notClaimed")} />
            )}
          </Card>
        </div>
        <Actions />
        <Card
          title={t("codes.history")}
          actions={
            <Link
              to={`/support/audit?subjectType=activation_code&subjectId=${code.serial}`}
              className="text-sm font-semibold text-brand-700 hover:underline"
            >
              {t("codes.inAuditLog")}
            </Link>
          }
        >
          <ol className="space-y-2 text-sm">
            {page.history.map((entry, index) => (
              <li key={index} className="flex flex-wrap gap-x-3">
                <span className="tabular-nums text-slate-500">
                  {formatDateTime(entry.at, locale)}
                </span>
                <span className="font-medium">
                  {entry.action === "code.created"
                    ? t("codes.generated")
                    : t(`actions.${entry.action}`, { defaultValue: entry.action })}
                </span>
                <span className="text-slate-600">{entry.actorLabel}</span>
              </li>
            ))}
          </ol>
        </Card>
        {page.operations.length > 0 ? (
          <Card title={t("codes.operations")}>
            <Table
              caption={t("codes.operations")}
              head={
                <tr>
                  <th className="px-4 py-2">{t("codes.recorded")}</th>
                  <th className="px-4 py-2">{t("codes.kind")}</th>
                  <th className="px-4 py-2 text-right">{t("codes.quantity")}</th>
                </tr>
              }
            >
              {page.operations.map((operation) => (
                <tr key={operation.id}>
                  <td className="px-4 py-2">{formatDateTime(operation.recordedAt, locale)}</td>
                  <td className="px-4 py-2">{operation.kind}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{operation.quantity}</td>
                </tr>
              ))}
            </Table>
          </Card>
        ) : null}
      </div>
    </>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="text-slate-900">{children}</dd>
    </>
  );
}

function Actions() {
  const { t } = useTranslation(["support", "batches", "common"]);
  const { page, today } = useLoaderData<typeof loader>();
  const location = useLocation();
  const busy = useNavigation().state === "submitting";
  const revoke = useIntentFailure("revoke");
  const extend = useIntentFailure("extend");
  const rollBack = useIntentFailure("rollBack");
  const { code, claim, rollback } = page;
  const unclaimed = code.status === "issued" || code.status === "expired";
  const refusal = (revoke ?? extend ?? rollBack)?.formError;
  return (
    <div className="grid gap-6 lg:grid-cols-3">
      {refusal ? (
        <div className="lg:col-span-3">
          <FormAlert message={refusal} />
        </div>
      ) : null}
      {unclaimed ? (
        <>
          <Card title={t("codes.extendTitle")}>
            <Form key={location.key} method="post" className="space-y-3" noValidate>
              <input type="hidden" name="intent" value="extend" />
              <Field
                label={t("codes.newExpiry")}
                name="expiresOn"
                type="date"
                min={today}
                defaultValue={extend?.values.expiresOn}
                error={extend?.errors.expiresOn}
              />
              <ReasonField defaultValue={extend?.values.reason} error={extend?.errors.reason} />
              <Button type="submit" disabled={busy}>
                {t("codes.extend")}
              </Button>
            </Form>
          </Card>
          <Card title={t("codes.revokeTitle")}>
            <ConfirmedReasonForm intent="revoke" failure={revoke}>
              {t("codes.revoke")}
            </ConfirmedReasonForm>
          </Card>
        </>
      ) : null}
      {claim && !rollback ? (
        <Card title={t("codes.rollBackTitle")}>
          <p className="mb-3 text-sm text-slate-600">{t("codes.rollBackIntro")}</p>
          <ConfirmedReasonForm intent="rollBack" failure={rollBack}>
            {t("codes.rollBack")}
          </ConfirmedReasonForm>
        </Card>
      ) : null}
      {!unclaimed && !(claim && !rollback) ? (
        <p className="text-sm text-slate-600 lg:col-span-3">{t("codes.noActions")}</p>
      ) : null}
    </div>
  );
}
