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
import {
  AlreadyMember,
  createInvitation,
  InvitationNotPending,
  resendPartnerInvitation,
  revokePartnerInvitation,
} from "~/auth/invitations.server";
import { AuditTable } from "~/components/AuditTable";
import { Button } from "~/components/Button";
import { CodeStatusBadge } from "~/components/CodeStatusBadge";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { Field, FormAlert, SelectField, TextAreaField } from "~/components/Field";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { db } from "~/db.server";
import { DomainError } from "~/domain/errors.server";
import {
  findPartnerForSupport,
  PARTNER_LOCALES,
  PartnerTermsSchema,
  ReasonSchema,
  setPartnerStatus,
  updatePartnerTerms,
} from "~/domain/partner-admin.server";
import { supportPartnerPage } from "~/domain/support-partner-page.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import { formatDate, formatMoney, formatNumber } from "~/lib/format";
import { parseForm } from "~/lib/forms";
import { resolveLocale } from "~/lib/locale";
import { percentageInput } from "~/lib/money-input";
import { isPartnerSlug } from "~/lib/ids";
import { useFormattingLocale } from "~/root";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.page.terms.name ?? "Partner"} · Support · 7stamp Partner Portal` },
];

async function partnerOf(slug: string | undefined) {
  if (!isPartnerSlug(slug)) throw notFound();
  const partner = await findPartnerForSupport(db, slug);
  if (!partner) throw notFound();
  return partner;
}

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const partner = await partnerOf(args.params.slug);
  const page = await supportPartnerPage(db, { partnerId: partner.id, now: clock() });
  return { page, locales: PARTNER_LOCALES };
}

const Intent = z.object({
  intent: z.enum(["terms", "suspend", "reactivate", "invite", "resend", "revoke"]),
});
const StatusForm = z.object({ reason: ReasonSchema });
const InviteForm = z.object({
  email: z.string().trim().min(1).max(254).email(),
  role: z.enum(["member", "owner"]),
});
const InvitationForm = z.object({ email: z.string().trim().min(1).max(254) });

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const partner = await partnerOf(args.params.slug);
  const formData = await args.request.formData();
  const intent = parseForm(Intent, formData);
  if (!intent.success) return formFailure(intent);
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const here = `/support/partners/${partner.slug}`;
  const language = resolveLocale(user.locale, args.request.headers.get("accept-language")).language;
  const withIntent = (
    failure: {
      errors?: Record<string, { key: string }>;
      values?: Record<string, string>;
      formError?: { key: string };
    },
    status = 400,
  ) =>
    formFailure(
      { ...failure, values: { ...failure.values, intent: intent.data.intent } },
      { status },
    );

  switch (intent.data.intent) {
    case "terms": {
      const form = parseForm(PartnerTermsSchema, formData);
      if (!form.success) return withIntent(form);
      try {
        const changed = await updatePartnerTerms(db, {
          partnerId: partner.id,
          terms: form.data,
          actor,
          ip,
          now: clock(),
        });
        return redirectWithFlash(args.request, here, {
          kind: changed.length ? "success" : "info",
          key: changed.length ? "support:partner.termsSaved" : "support:partner.termsUnchanged",
        });
      } catch (error) {
        if (error instanceof DomainError && error.status === 400 && error.field) {
          const values = Object.fromEntries(
            [...formData.entries()].map(([key, value]) => [key, String(value)]),
          );
          return withIntent({
            values,
            errors: { [error.field]: { key: `support:errors.${error.code}` } },
          });
        }
        throw error;
      }
    }
    case "suspend":
    case "reactivate": {
      const form = parseForm(StatusForm, formData);
      if (!form.success) return withIntent(form);
      const status = intent.data.intent === "suspend" ? "suspended" : "active";
      try {
        await setPartnerStatus(db, {
          partnerId: partner.id,
          status,
          reason: form.data.reason,
          actor,
          ip,
          now: clock(),
        });
      } catch (error) {
        if (error instanceof DomainError && error.status === 409) {
          return withIntent({ formError: { key: `support:errors.${error.code}` } }, 409);
        }
        throw error;
      }
      return redirectWithFlash(args.request, here, {
        kind: "success",
        key: status === "suspended" ? "support:partner.suspended" : "support:partner.reactivated",
        values: { name: partner.name },
      });
    }
    case "invite": {
      const form = parseForm(InviteForm, formData);
      if (!form.success) return withIntent(form);
      try {
        await createInvitation(db, {
          inviter: user,
          target: { partnerId: partner.id, role: form.data.role },
          email: form.data.email,
          language,
          ip,
          now: clock(),
        });
      } catch (error) {
        if (error instanceof AlreadyMember) {
          return withIntent({
            values: form.data,
            errors: { email: { key: "partner:team.alreadyMember" } },
          });
        }
        throw error;
      }
      return redirectWithFlash(args.request, here, {
        kind: "success",
        key: "partner:team.invited",
        values: { email: form.data.email },
      });
    }
    case "resend":
    case "revoke": {
      const form = parseForm(InvitationForm, formData);
      if (!form.success) return withIntent(form);
      try {
        if (intent.data.intent === "resend") {
          await resendPartnerInvitation(db, {
            partnerId: partner.id,
            email: form.data.email,
            inviter: user,
            language,
            ip,
            now: clock(),
          });
        } else {
          await revokePartnerInvitation(db, {
            partnerId: partner.id,
            email: form.data.email,
            actor,
            ip,
            now: clock(),
          });
        }
      } catch (error) {
        if (error instanceof InvitationNotPending) {
          return withIntent({ formError: { key: "support:errors.invitation_not_pending" } }, 409);
        }
        throw error;
      }
      return redirectWithFlash(args.request, here, {
        kind: "success",
        key:
          intent.data.intent === "resend"
            ? "support:partner.invitationResent"
            : "support:partner.invitationRevoked",
        values: { email: form.data.email },
      });
    }
  }
}

export default function SupportPartner() {
  const { t } = useTranslation("support");
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
            {t(`common:partnerTypes.${terms.type}`)} ·{" "}
            {t("partner.enrolledOn", { date: formatDate(terms.createdAt, locale) })}
          </>
        }
        actions={
          <StatusBadge tone={terms.status === "active" ? "success" : "warning"}>
            {t(`common:partnerStatus.${terms.status}`)}
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
  const { t } = useTranslation("support");
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
  const { t } = useTranslation("support");
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
  const { t } = useTranslation("support");
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
                  <td className="px-4 py-2">{t(`common:roles.${member.role}`)}</td>
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
                      {t(`common:roles.${invitation.role}`)} ·{" "}
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
