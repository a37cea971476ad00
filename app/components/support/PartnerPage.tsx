// Support's page of one partner: terms, members and invitations, suspension, bundles, batches, codes, clients, statements and audit.
// Its loader and action stay in app/routes/_app.support.partners.$slug.tsx.
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
import { labelKey } from "~/lib/messages";
import { AuditTable } from "~/components/AuditTable";
import { Button } from "~/components/Button";
import { CodeStatusBadge } from "~/components/CodeStatusBadge";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { Field, FormAlert, SelectField, TextAreaField } from "~/components/Field";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { formatDate, formatMoney, formatNumber } from "~/lib/format";
import { percentageInput } from "~/lib/money-input";
import { useFormattingLocale } from "~/root";

import type { loader, action } from "~/routes/_app.support.partners.$slug";

export function SupportPartnerPage() {
  const { t } = useTranslation(["support", "batches", "bundles", "common"]);
  const { page } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  const { terms } = page;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link to="/support/partners" className="text-brand-700 hover:underline">
          ← {t("partners.title")}
        </Link>
      </p>
      <PageHeader
        title={terms.name}
        description={
          <>
            <span className="font-mono">{terms.slug}</span> ·{" "}
            {t(labelKey("common:partnerTypes", terms.type))} ·{" "}
            {t("partner.enrolledOn", { date: formatDate(terms.createdAt, locale) })}
          </>
        }
        actions={
          <StatusBadge tone={terms.status === "active" ? "success" : "warning"}>
            {t(labelKey("common:partnerStatus", terms.status))}
          </StatusBadge>
        }
      />
      <div className="space-y-6">
        <div className="grid gap-6 lg:grid-cols-3">
          <div className="lg:col-span-2">
            <TermsForm />
          </div>
          <StatusCard />
        </div>
        <TeamCard />
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title={t("partner.bundles")}>
            {page.bundles.length === 0 ? (
              <EmptyState title={t("partner.noBundles")} />
            ) : (
              <SimpleTable
                caption={t("partner.bundles")}
                head={[t("partner.bundle"), t("partner.contents"), t("partner.codes")]}
              >
                {page.bundles.map((bundle) => (
                  <tr key={bundle.id}>
                    <td className="px-4 py-2">
                      {bundle.name}
                      {bundle.status === "archived" ? (
                        <span className="ml-2 text-xs text-slate-500">
                          {t("bundles:status.archived")}
                        </span>
                      ) : null}
                    </td>
                    <td className="px-4 py-2 text-slate-600">
                      {t("partner.bundleContents", {
                        seats: formatNumber(bundle.staffSeats, locale),
                        operations: formatNumber(bundle.cardOperations, locale),
                        months: bundle.termMonths,
                      })}
                    </td>
                    <td className="px-4 py-2 text-right tabular-nums">
                      {formatNumber(bundle.codeCount, locale)}
                    </td>
                  </tr>
                ))}
              </SimpleTable>
            )}
          </Card>
          <Card title={t("partner.batches")}>
            {page.batches.length === 0 ? (
              <EmptyState title={t("partner.noBatches")} />
            ) : (
              <SimpleTable
                caption={t("partner.batches")}
                head={[t("partner.created"), t("partner.bundle"), t("partner.codes")]}
              >
                {page.batches.map((batch) => (
                  <tr key={batch.id}>
                    <td className="px-4 py-2">{formatDate(batch.createdAt, locale)}</td>
                    <td className="px-4 py-2">
                      {batch.bundleName}
                      {batch.label ? (
                        <span className="ml-2 text-xs text-slate-500">{batch.label}</span>
                      ) : null}
                    </td>
                    <td className="px-4 py-2 text-right tabular-nums">
                      {formatNumber(batch.codeCount, locale)} ·{" "}
                      {t(`batches:status.${batch.status}`)}
                    </td>
                  </tr>
                ))}
              </SimpleTable>
            )}
          </Card>
          <Card title={t("partner.codes")}>
            {page.codes.length === 0 ? (
              <EmptyState title={t("partner.noCodes")} />
            ) : (
              <SimpleTable
                caption={t("partner.codes")}
                head={[t("partner.code"), t("partner.bundle"), t("partner.status")]}
              >
                {page.codes.map((code) => (
                  <tr key={code.serial}>
                    <td className="px-4 py-2 tabular-nums">
                      <Link
                        to={`/support/codes/${code.serial}`}
                        className="text-brand-700 hover:underline"
                      >
                        {t("partner.codeSerial", { serial: code.serial })}
                      </Link>
                    </td>
                    <td className="px-4 py-2">{code.bundleName}</td>
                    <td className="px-4 py-2">
                      <CodeStatusBadge status={code.status} />
                    </td>
                  </tr>
                ))}
              </SimpleTable>
            )}
          </Card>
          <Card title={t("partner.clients")}>
            {page.clients.length === 0 ? (
              <EmptyState title={t("partner.noClients")} />
            ) : (
              <SimpleTable
                caption={t("partner.clients")}
                head={[t("partner.business"), t("partner.codesClaimed"), t("partner.operations")]}
              >
                {page.clients.map((client) => (
                  <tr key={client.businessId}>
                    <td className="px-4 py-2">
                      <Link
                        to={`/support/businesses/${client.businessId}`}
                        className="text-brand-700 hover:underline"
                      >
                        {client.businessName}
                      </Link>
                    </td>
                    <td className="px-4 py-2 text-right tabular-nums">
                      {formatNumber(client.codesClaimed, locale)}
                    </td>
                    <td className="px-4 py-2 text-right tabular-nums">
                      {formatNumber(client.cardOperationsUsed, locale)} /{" "}
                      {formatNumber(client.cardOperationsGranted, locale)}
                    </td>
                  </tr>
                ))}
              </SimpleTable>
            )}
          </Card>
        </div>
        <Card
          title={t("partner.statements")}
          actions={
            <Link
              to={`/support/statements?partner=${encodeURIComponent(terms.slug)}`}
              className="text-sm font-semibold text-brand-700 hover:underline"
            >
              {t("partner.allStatements")}
            </Link>
          }
        >
          {page.statements.length === 0 ? (
            <EmptyState title={t("partner.noStatements")} />
          ) : (
            <SimpleTable
              caption={t("partner.statements")}
              head={[t("partner.month"), t("partner.number"), t("partner.total")]}
            >
              {page.statements.map((statement) => (
                <tr key={statement.month}>
                  <td className="px-4 py-2">
                    <Link
                      to={`/support/partners/${terms.slug}/statements/${statement.month}`}
                      className="text-brand-700 hover:underline"
                    >
                      {statement.month}
                    </Link>
                  </td>
                  <td className="px-4 py-2 font-mono">
                    {statement.id && statement.number ? (
                      <a
                        href={`/support/partners/${terms.slug}/statements/${statement.id}.pdf`}
                        className="text-brand-700 hover:underline"
                        aria-label={t("statements.pdfLabel", { number: statement.number })}
                      >
                        {statement.number}
                      </a>
                    ) : (
                      t("partner.draft")
                    )}
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">
                    {formatMoney(statement.totalCents, locale)}
                  </td>
                </tr>
              ))}
            </SimpleTable>
          )}
        </Card>
        <Card
          title={t("partner.auditTrail")}
          actions={
            <Link
              to={`/support/audit?organisation=${encodeURIComponent(terms.slug)}`}
              className="text-sm font-semibold text-brand-700 hover:underline"
            >
              {t("partner.allAudit")}
            </Link>
          }
        >
          <AuditTable rows={page.audit} />
        </Card>
      </div>
    </>
  );
}

function SimpleTable({
  caption,
  head,
  children,
}: {
  caption: string;
  head: string[];
  children: ReactNode;
}) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {head.map((label, index) => (
              <th
                key={label}
                scope="col"
                className={`px-4 py-2 ${index === head.length - 1 ? "text-right" : ""}`}
              >
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}

function useIntentFailure(intent: string) {
  const actionData = useActionData<typeof action>();
  return actionData && actionData.values.intent === intent ? actionData : undefined;
}

function TermsForm() {
  const { t } = useTranslation(["support", "batches", "bundles", "common"]);
  const { page, locales } = useLoaderData<typeof loader>();
  const failure = useIntentFailure("terms");
  const busy = useNavigation().state === "submitting";
  const location = useLocation();
  const { terms } = page;
  const values = failure?.values ?? {};
  const errors = failure?.errors ?? {};
  const localeOptions = [...new Set<string>([...locales, terms.locale])];
  return (
    <Card title={t("partner.termsTitle")}>
      <p className="mb-4 text-sm text-slate-600">{t("partner.termsIntro")}</p>
      <Form key={location.key} method="post" className="grid gap-4 md:grid-cols-2" noValidate>
        <input type="hidden" name="intent" value="terms" />
        <Field
          label={t("enrol.discount")}
          name="discount"
          inputMode="decimal"
          defaultValue={values.discount ?? percentageInput(terms.discountBps)}
          hint={t("enrol.percentHint")}
          error={errors.discount}
        />
        <Field
          label={t("enrol.taxRate")}
          name="taxRate"
          inputMode="decimal"
          defaultValue={values.taxRate ?? percentageInput(terms.taxRateBps)}
          hint={t("enrol.taxHint")}
          error={errors.taxRate}
        />
        <Field
          label={t("enrol.statementPrefix")}
          name="statementPrefix"
          defaultValue={values.statementPrefix ?? terms.statementPrefix}
          hint={t("partner.prefixHint")}
          error={errors.statementPrefix}
        />
        <SelectField
          label={t("enrol.locale")}
          name="locale"
          defaultValue={values.locale ?? terms.locale}
          error={errors.locale}
          options={localeOptions.map((tag) => ({ value: tag, label: tag }))}
        />
        <Field
          label={t("enrol.contactName")}
          name="contactName"
          defaultValue={values.contactName ?? terms.contactName}
          error={errors.contactName}
        />
        <Field
          label={t("enrol.contactEmail")}
          name="contactEmail"
          type="email"
          defaultValue={values.contactEmail ?? terms.contactEmail}
          error={errors.contactEmail}
        />
        <TextAreaField
          label={t("enrol.specialTerms")}
          name="specialTerms"
          defaultValue={values.specialTerms ?? terms.specialTerms}
          error={errors.specialTerms}
          className="md:col-span-2"
        />
        <Field
          label={t("partner.reasonOptional")}
          name="reason"
          defaultValue={values.reason}
          error={errors.reason}
          className="md:col-span-2"
        />
        <div className="md:col-span-2">
          <Button type="submit" disabled={busy}>
            {t("partner.saveTerms")}
          </Button>
        </div>
      </Form>
    </Card>
  );
}

function StatusCard() {
  const { t } = useTranslation(["support", "batches", "bundles", "common"]);
  const { page } = useLoaderData<typeof loader>();
  const suspend = useIntentFailure("suspend");
  const reactivate = useIntentFailure("reactivate");
  const failure = suspend ?? reactivate;
  const busy = useNavigation().state === "submitting";
  const location = useLocation();
  const suspended = page.terms.status === "suspended";
  return (
    <Card title={t("partner.statusTitle")}>
      <p className="mb-4 text-sm text-slate-600">
        {suspended ? t("partner.suspendedExplained") : t("partner.suspendExplained")}
      </p>
      <Form key={location.key} method="post" className="space-y-4" noValidate>
        <input type="hidden" name="intent" value={suspended ? "reactivate" : "suspend"} />
        <FormAlert message={failure?.formError} />
        <TextAreaField
          label={t("partner.reason")}
          name="reason"
          required
          defaultValue={failure?.values.reason}
          error={failure?.errors.reason}
        />
        <Button type="submit" variant={suspended ? "primary" : "danger"} disabled={busy}>
          {suspended ? t("partner.reactivate") : t("partner.suspend")}
        </Button>
      </Form>
    </Card>
  );
}

function TeamCard() {
  const { t } = useTranslation(["support", "batches", "bundles", "common"]);
  const { page } = useLoaderData<typeof loader>();
  const invite = useIntentFailure("invite");
  const resend = useIntentFailure("resend");
  const revoke = useIntentFailure("revoke");
  const invitationFailure = resend ?? revoke;
  const busy = useNavigation().state === "submitting";
  const location = useLocation();
  const locale = useFormattingLocale();
  return (
    <Card title={t("partner.teamTitle")}>
      <div className="grid gap-6 lg:grid-cols-2">
        <div>
          {page.team.length === 0 ? (
            <EmptyState title={t("partner.noMembers")} />
          ) : (
            <Table
              caption={t("partner.teamTitle")}
              head={
                <tr>
                  <th className="px-4 py-2">{t("partner.member")}</th>
                  <th className="px-4 py-2">{t("partner.role")}</th>
                  <th className="px-4 py-2">{t("partner.lastSignIn")}</th>
                </tr>
              }
            >
              {page.team.map((member) => (
                <tr key={member.userId}>
                  <td className="px-4 py-2">
                    <span className="block font-medium">{member.name || "—"}</span>
                    <span className="block text-xs text-slate-500">{member.email}</span>
                  </td>
                  <td className="px-4 py-2">{t(labelKey("common:roles", member.role))}</td>
                  <td className="px-4 py-2">
                    {member.lastSignInAt
                      ? formatDate(member.lastSignInAt, locale)
                      : t("partner.never")}
                  </td>
                </tr>
              ))}
            </Table>
          )}
          <h3 className="mb-2 mt-6 text-sm font-semibold text-slate-900">
            {t("partner.pendingTitle")}
          </h3>
          <FormAlert message={invitationFailure?.formError} />
          {page.pending.length === 0 ? (
            <p className="text-sm text-slate-500">{t("partner.noPending")}</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {page.pending.map((invitation) => (
                <li
                  key={invitation.email}
                  className="flex flex-wrap items-center justify-between gap-2 py-2"
                >
                  <span>
                    {invitation.email}
                    <span className="ml-2 text-slate-500">
                      {t(labelKey("common:roles", invitation.role))} ·{" "}
                      {t("partner.expires", { date: formatDate(invitation.expiresAt, locale) })}
                    </span>
                  </span>
                  <span className="flex gap-2">
                    <Form method="post">
                      <input type="hidden" name="intent" value="resend" />
                      <input type="hidden" name="email" value={invitation.email} />
                      <Button
                        type="submit"
                        variant="secondary"
                        aria-label={t("partner.resendFor", { email: invitation.email })}
                      >
                        {t("partner.resend")}
                      </Button>
                    </Form>
                    <ConfirmedActionForm
                      intent="revoke"
                      fields={{ email: invitation.email }}
                      confirm={t("partner.revokeConfirm", { email: invitation.email })}
                      label={t("partner.revokeFor", { email: invitation.email })}
                    >
                      {t("partner.revoke")}
                    </ConfirmedActionForm>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <Form key={location.key} method="post" className="space-y-4" noValidate>
          <h3 className="text-sm font-semibold text-slate-900">{t("partner.inviteTitle")}</h3>
          <input type="hidden" name="intent" value="invite" />
          <Field
            label={t("partner.email")}
            name="email"
            type="email"
            required
            defaultValue={invite?.values.email}
            error={invite?.errors.email}
          />
          <SelectField
            label={t("partner.role")}
            name="role"
            defaultValue={invite?.values.role ?? "member"}
            error={invite?.errors.role}
            options={[
              { value: "member", label: t("common:roles.member") },
              { value: "owner", label: t("common:roles.owner") },
            ]}
          />
          <Button type="submit" disabled={busy}>
            {t("partner.sendInvitation")}
          </Button>
        </Form>
      </div>
    </Card>
  );
}
