// /support/audit — the whole audit log: filters (actor, organisation, action, subject, date
// range), keyset paging over (occurred_at, id), each entry opening its before / after, and
// the current filter as a CSV download.
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireSupport } from "~/auth/guards.server";
import { AuditTable } from "~/components/AuditTable";
import { Button, buttonClasses } from "~/components/Button";
import { Field, SelectField } from "~/components/Field";
import { PageHeader, Pager, StaleCursorNotice } from "~/components/Layout";
import { db } from "~/db.server";
import { listAudit } from "~/domain/audit.server";
import { readPage } from "~/domain/paging.server";
import type { FieldErrors } from "~/lib/forms";
import { AUDIT_ACTIONS, AUDIT_SUBJECT_TYPES } from "~/lib/audit";
import { auditFilterQuery, isAuditFiltered, readAuditFilter } from "~/lib/audit-filter";

export const meta: MetaFunction = () => [{ title: "Audit log · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const read = readAuditFilter(new URL(args.request.url).searchParams);
  if (!read.ok) {
    // A filter no form would send: the fields say what is wrong, nothing is listed.
    return data(
      {
        rows: [],
        nextCursor: null,
        staleCursor: false,
        values: read.values,
        errors: read.errors,
        isFirstPage: true,
      },
      { status: 400 },
    );
  }
  const page = await readPage(read.cursor, (cursor) =>
    listAudit(db, read.filter, { cursor, limit: 50 }),
  );
  return {
    ...page,
    values: read.values,
    errors: {},
    isFirstPage: !read.cursor || page.staleCursor,
  };
}

export default function SupportAudit() {
  const { t } = useTranslation(["support", "common"]);
  const { rows, nextCursor, isFirstPage, values, errors, staleCursor } =
    useLoaderData<typeof loader>();
  const fieldErrors: Partial<FieldErrors> = errors;
  return (
    <>
      <PageHeader
        title={t("audit.title")}
        description={t("audit.subtitle")}
        actions={
          // A file download: a plain link, not a client-side navigation.
          <a
            href={`/support/audit.csv${auditFilterQuery(values)}`}
            className={buttonClasses("secondary")}
          >
            {t("audit.csv")}
          </a>
        }
      />
      <Form
        method="get"
        className="mb-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-4"
        role="search"
        aria-label={t("audit.filterLabel")}
      >
        <Field
          label={t("audit.filterActor")}
          name="actor"
          type="search"
          defaultValue={values.actor}
          error={fieldErrors.actor}
        />
        <Field
          label={t("audit.filterOrganisation")}
          name="organisation"
          type="search"
          hint={t("audit.filterOrganisationHint")}
          defaultValue={values.organisation}
          error={fieldErrors.organisation}
        />
        <SelectField
          label={t("audit.filterAction")}
          name="action"
          defaultValue={values.action ?? ""}
          error={fieldErrors.action}
          options={[
            { value: "", label: t("audit.anyAction") },
            ...AUDIT_ACTIONS.map((action) => ({ value: action, label: t(`actions.${action}`) })),
          ]}
        />
        <SelectField
          label={t("audit.filterSubjectType")}
          name="subjectType"
          defaultValue={values.subjectType ?? ""}
          error={fieldErrors.subjectType}
          options={[
            { value: "", label: t("audit.anySubject") },
            ...AUDIT_SUBJECT_TYPES.map((type) => ({
              value: type,
              label: t(`audit.subjectTypes.${type}`),
            })),
          ]}
        />
        <Field
          label={t("audit.filterSubjectId")}
          name="subjectId"
          defaultValue={values.subjectId}
          error={fieldErrors.subjectId}
        />
        <Field
          label={t("audit.filterFrom")}
          name="from"
          type="date"
          defaultValue={values.from}
          error={fieldErrors.from}
        />
        <Field
          label={t("audit.filterTo")}
          name="to"
          type="date"
          defaultValue={values.to}
          error={fieldErrors.to}
        />
        <div className="flex items-end gap-3 pb-1">
          <Button type="submit" variant="secondary">
            {t("audit.filter")}
          </Button>
          {isAuditFiltered(values) ? (
            <Link to="/support/audit" className="mb-2 text-sm text-brand-700 underline">
              {t("audit.clear")}
            </Link>
          ) : null}
        </div>
      </Form>
      <StaleCursorNotice show={staleCursor} />
      <AuditTable rows={rows} />
      <Pager
        nextHref={nextCursor ? auditFilterQuery(values, { cursor: nextCursor }) : null}
        firstHref={isFirstPage ? null : auditFilterQuery(values) || "?"}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </>
  );
}
