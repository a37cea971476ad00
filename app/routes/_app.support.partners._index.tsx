import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { requireSupport } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { Field, FormAlert, SelectField, TextAreaField } from "~/components/Field";
import { Card, EmptyState, PageHeader, Pager, StaleCursorNotice, Table } from "~/components/Layout";
import { db } from "~/db.server";
import { readPage } from "~/domain/paging.server";
import { DomainError } from "~/domain/errors.server";
import {
  EnrolPartnerSchema,
  enrolPartner,
  PARTNER_LOCALES,
  PARTNER_TYPES,
} from "~/domain/partner-admin.server";
import { listPartners } from "~/domain/partners.server";
import { labelKey, domainErrorMessage } from "~/lib/messages";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import { formValues, parseForm } from "~/lib/forms";
import { formatBasisPoints, formatDate } from "~/lib/format";
import { suggestSlug } from "~/lib/slug";
import { useFormattingLocale } from "~/root";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Partners · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const cursor = new URL(args.request.url).searchParams.get("cursor");
  const page = await readPage(cursor, (after) => listPartners(db, { cursor: after, limit: 25 }));
  return {
    ...page,
    isFirstPage: !cursor || page.staleCursor,
    types: PARTNER_TYPES,
    locales: PARTNER_LOCALES,
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const formData = await args.request.formData();
  const form = parseForm(EnrolPartnerSchema, formData);
  if (!form.success) return formFailure(form);
  try {
    const partner = await enrolPartner(db, {
      input: form.data,
      actor: user,
      ip: args.context.clientIp,
      now: clock(),
    });
    return redirectWithFlash(args.request, `/support/partners/${partner.slug}`, {
      kind: "success",
      key: "support:enrol.enrolled",
      values: { name: partner.name, email: form.data.contactEmail },
    });
  } catch (error) {
    if (error instanceof DomainError && error.status === 400 && error.field) {
      const values = formValues(formData);
      return formFailure({
        values,
        errors: { [error.field]: domainErrorMessage("support:errors", error.code) },
      });
    }
    throw error;
  }
}

export default function SupportPartners() {
  const { t } = useTranslation(["support", "common"]);
  const { rows, nextCursor, isFirstPage, types, locales, staleCursor } =
    useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  return (
    <>
      <PageHeader title={t("partners.title")} description={t("partners.subtitle")} />
      <StaleCursorNotice show={staleCursor} />
      <div className="space-y-8">
        {rows.length === 0 ? (
          <EmptyState title={t("partners.empty")} />
        ) : (
          <Table
            stackOnPhone
            caption={t("partners.title")}
            head={
              <tr>
                <th className="px-4 py-2">{t("partners.name")}</th>
                <th className="px-4 py-2">{t("partners.type")}</th>
                <th className="px-4 py-2">{t("partners.status")}</th>
                <th className="px-4 py-2 text-right">{t("partners.discount")}</th>
                <th className="px-4 py-2 text-right">{t("partners.members")}</th>
                <th className="px-4 py-2">{t("partners.since")}</th>
              </tr>
            }
          >
            {rows.map((row) => (
              <tr key={row.id}>
                <td className="px-4 py-2">
                  <Link
                    to={`/support/partners/${row.slug}`}
                    className="font-medium text-brand-700 hover:underline"
                  >
                    {row.name}
                  </Link>
                  <span className="ml-2 font-mono text-xs text-slate-500">{row.slug}</span>
                </td>
                <td data-label={t("partners.type")} className="px-4 py-2">
                  {t(labelKey("common:partnerTypes", row.type))}
                </td>
                <td data-label={t("partners.status")} className="px-4 py-2">
                  {t(labelKey("common:partnerStatus", row.status))}
                </td>
                <td
                  data-label={t("partners.discount")}
                  className="px-4 py-2 text-right tabular-nums"
                >
                  {formatBasisPoints(row.discountBps, locale)}
                </td>
                <td
                  data-label={t("partners.members")}
                  className="px-4 py-2 text-right tabular-nums"
                >
                  {row.members}
                </td>
                <td data-label={t("partners.since")} className="px-4 py-2">
                  {formatDate(row.createdAt, locale)}
                </td>
              </tr>
            ))}
          </Table>
        )}
        <Pager
          nextHref={nextCursor ? `?cursor=${nextCursor}` : null}
          firstHref={isFirstPage ? null : "?"}
          labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
        />
        <EnrolForm types={types} locales={locales} />
      </div>
    </>
  );
}

function EnrolForm({ types, locales }: { types: readonly string[]; locales: readonly string[] }) {
  const { t } = useTranslation(["support", "common"]);
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const values = actionData?.values ?? {};
  const errors = actionData?.errors ?? {};
  const [name, setName] = useState(values.name ?? "");
  // The slug follows the name until support edits it.
  const [slug, setSlug] = useState<string | null>(values.slug ?? null);
  return (
    <Card title={t("enrol.title")}>
      <p className="mb-4 text-sm text-slate-600">{t("enrol.intro")}</p>
      <Form method="post" className="grid gap-4 md:grid-cols-2" noValidate>
        <FormAlert message={actionData?.formError} />
        <Field
          label={t("enrol.name")}
          name="name"
          required
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={errors.name}
        />
        <Field
          label={t("enrol.slug")}
          name="slug"
          required
          value={slug ?? suggestSlug(name)}
          onChange={(event) => setSlug(event.target.value)}
          hint={t("enrol.slugHint")}
          error={errors.slug}
        />
        <SelectField
          label={t("enrol.type")}
          name="type"
          defaultValue={values.type ?? "marketing_agency"}
          error={errors.type}
          options={types.map((type) => ({
            value: type,
            label: t(labelKey("common:partnerTypes", type)),
          }))}
        />
        <Field
          label={t("enrol.statementPrefix")}
          name="statementPrefix"
          required
          defaultValue={values.statementPrefix}
          hint={t("enrol.prefixHint")}
          error={errors.statementPrefix}
          autoCapitalize="characters"
        />
        <Field
          label={t("enrol.discount")}
          name="discount"
          inputMode="decimal"
          required
          defaultValue={values.discount ?? "30"}
          hint={t("enrol.percentHint")}
          error={errors.discount}
        />
        <Field
          label={t("enrol.taxRate")}
          name="taxRate"
          inputMode="decimal"
          defaultValue={values.taxRate ?? "0"}
          hint={t("enrol.taxHint")}
          error={errors.taxRate}
        />
        <SelectField
          label={t("enrol.locale")}
          name="locale"
          defaultValue={values.locale ?? "en-IE"}
          error={errors.locale}
          options={locales.map((tag) => ({ value: tag, label: tag }))}
        />
        <Field
          label={t("enrol.contactName")}
          name="contactName"
          defaultValue={values.contactName}
          error={errors.contactName}
        />
        <Field
          label={t("enrol.contactEmail")}
          name="contactEmail"
          type="email"
          required
          defaultValue={values.contactEmail}
          hint={t("enrol.contactEmailHint")}
          error={errors.contactEmail}
        />
        <TextAreaField
          label={t("enrol.specialTerms")}
          name="specialTerms"
          defaultValue={values.specialTerms}
          error={errors.specialTerms}
          className="md:col-span-2"
        />
        <div className="md:col-span-2">
          <Button type="submit" disabled={busy}>
            {t("enrol.submit")}
          </Button>
        </div>
      </Form>
    </Card>
  );
}
