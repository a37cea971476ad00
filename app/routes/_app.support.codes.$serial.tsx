import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
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
import { z } from "zod";
import { notFound, requireSupport } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { CodeStatusBadge } from "~/components/CodeStatusBadge";
import { Field, FormAlert } from "~/components/Field";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import { db } from "~/db.server";
import { DomainError } from "~/domain/errors.server";
import {
  ExtendExpirySchema,
  extendCodeExpiry,
  revokeCodeBySupport,
  rollBackClaimBySupport,
  SupportReasonSchema,
  supportCodePage,
} from "~/domain/support-codes.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import {
  formatBasisPoints,
  formatDate,
  formatDateTime,
  formatMoney,
  formatNumber,
} from "~/lib/format";
import { parseForm } from "~/lib/forms";
import { monthOf } from "~/lib/statement-months";
import { useFormattingLocale } from "~/root";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = ({ params }) => [
  { title: `Code #${params.serial} · Support · 7stamp Partner Portal` },
];

function serialOf(param: string | undefined): number {
  const serial = /^\d{1,15}$/.test(param ?? "") ? Number(param) : NaN;
  if (!Number.isSafeInteger(serial) || serial <= 0) throw notFound();
  return serial;
}

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const page = await supportCodePage(db, { serial: serialOf(args.params.serial), now: clock() });
  if (!page) throw notFound();
  return { page, today: new Date().toISOString().slice(0, 10) };
}

const Intent = z.object({ intent: z.enum(["revoke", "extend", "rollBack"]) });

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const serial = serialOf(args.params.serial);
  const formData = await args.request.formData();
  const intent = parseForm(Intent, formData);
  if (!intent.success) return formFailure(intent);
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const typed = Object.fromEntries(
    [...formData.entries()].map(([key, value]) => [key, String(value)]),
  );
  const here = `/support/codes/${serial}`;
  try {
    switch (intent.data.intent) {
      case "revoke": {
        const form = parseForm(SupportReasonSchema, formData);
        if (!form.success) return formFailure({ ...form, values: typed });
        await revokeCodeBySupport(db, {
          serial,
          reason: form.data.reason,
          actor,
          ip,
          now: clock(),
        });
        break;
      }
      case "extend": {
        const form = parseForm(ExtendExpirySchema, formData);
        if (!form.success) return formFailure({ ...form, values: typed });
        await extendCodeExpiry(db, { serial, ...form.data, actor, ip, now: clock() });
        break;
      }
      case "rollBack": {
        const form = parseForm(SupportReasonSchema, formData);
        if (!form.success) return formFailure({ ...form, values: typed });
        await rollBackClaimBySupport(db, {
          serial,
          reason: form.data.reason,
          actor,
          ip,
          now: clock(),
        });
        break;
      }
    }
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.status === 404) throw notFound();
    const message = { key: `support:errors.${error.code}` };
    // Refusals about the code's state are about the whole form, not one field of it.
    return error.field && error.field !== "code"
      ? formFailure({ values: typed, errors: { [error.field]: message } }, { status: error.status })
      : formFailure({ values: typed, formError: message }, { status: error.status });
  }
  return redirectWithFlash(args.request, here, {
    kind: "success",
    key: `support:codes.done.${intent.data.intent}`,
    values: { serial },
  });
}

function useIntentFailure(intent: string) {
  const actionData = useActionData<typeof action>();
  return actionData && actionData.values.intent === intent ? actionData : undefined;
}

export default function SupportCode() {
  const { t } = useTranslation("support");
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
  const { t } = useTranslation("support");
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
              <Field
                label={t("partner.reason")}
                name="reason"
                required
                defaultValue={extend?.values.reason}
                error={extend?.errors.reason}
              />
              <Button type="submit" disabled={busy}>
                {t("codes.extend")}
              </Button>
            </Form>
          </Card>
          <Card title={t("codes.revokeTitle")}>
            <Form key={location.key} method="post" className="space-y-3" noValidate>
              <input type="hidden" name="intent" value="revoke" />
              <Field
                label={t("partner.reason")}
                name="reason"
                required
                defaultValue={revoke?.values.reason}
                error={revoke?.errors.reason}
              />
              <Button type="submit" variant="danger" disabled={busy}>
                {t("codes.revoke")}
              </Button>
            </Form>
          </Card>
        </>
      ) : null}
      {claim && !rollback ? (
        <Card title={t("codes.rollBackTitle")}>
          <p className="mb-3 text-sm text-slate-600">{t("codes.rollBackIntro")}</p>
          <Form key={location.key} method="post" className="space-y-3" noValidate>
            <input type="hidden" name="intent" value="rollBack" />
            <Field
              label={t("partner.reason")}
              name="reason"
              required
              defaultValue={rollBack?.values.reason}
              error={rollBack?.errors.reason}
            />
            <Button type="submit" variant="danger" disabled={busy}>
              {t("codes.rollBack")}
            </Button>
          </Form>
        </Card>
      ) : null}
      {!unclaimed && !(claim && !rollback) ? (
        <p className="text-sm text-slate-600 lg:col-span-3">{t("codes.noActions")}</p>
      ) : null}
    </div>
  );
}
