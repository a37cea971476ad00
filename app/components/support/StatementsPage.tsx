// Support's statements: every partner's, filtered, with finalise now for an ended month.
// Its loader and action stay in app/routes/_app.support.statements.tsx.
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Button } from "~/components/Button";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { Field, FormAlert, SelectField } from "~/components/Field";
import { Card, EmptyState, PageHeader, Pager, StaleCursorNotice, Table } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { formValues, type FieldErrors } from "~/lib/forms";
import { formatDate, formatMoney, formatNumber } from "~/lib/format";
import { formatStatementMonth } from "~/lib/statement-months";
import { useFormattingLocale } from "~/root";

import type { loader, action } from "~/routes/_app.support.statements";

const head = "whitespace-nowrap px-3 py-2";
const numberCell = "whitespace-nowrap px-3 py-2 text-right tabular-nums";

export function SupportStatementsPage() {
  const { t } = useTranslation(["support", "common"]);
  const { rows, nextCursor, isFirstPage, values, errors, lastEnded, staleCursor } =
    useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const locale = useFormattingLocale();
  const query = (extra: Record<string, string> = {}) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...values, ...extra })) {
      if (value) params.set(name, value);
    }
    const text = params.toString();
    return text ? `?${text}` : "?";
  };
  const money = (cents: number) => formatMoney(cents, locale);
  const fieldErrors: Partial<FieldErrors> = errors;
  return (
    <>
      <PageHeader title={t("statements.title")} description={t("statements.subtitle")} />
      {failure ? (
        // A row's "finalise now" was refused: say why where the row's button was pressed.
        <div className="mb-4">
          <FormAlert message={failure.formError ?? Object.values(failure.errors)[0]} />
        </div>
      ) : null}
      <Form method="get" className="mb-6 grid gap-3 sm:grid-cols-4 sm:items-start" role="search">
        <Field
          label={t("statements.month")}
          name="month"
          type="month"
          placeholder="YYYY-MM"
          defaultValue={values.month}
          error={fieldErrors.month}
        />
        <Field
          label={t("statements.partner")}
          name="partner"
          type="search"
          hint={t("statements.partnerHint")}
          defaultValue={values.partner}
          error={fieldErrors.partner}
        />
        <SelectField
          label={t("statements.status")}
          name="status"
          defaultValue={values.status ?? ""}
          error={fieldErrors.status}
          options={[
            { value: "", label: t("statements.anyStatus") },
            { value: "draft", label: t("statements.draft") },
            { value: "final", label: t("statements.final") },
          ]}
        />
        <div className="flex gap-2 sm:mt-6">
          <Button type="submit" variant="secondary">
            {t("statements.filter")}
          </Button>
          <Link to="/support/statements" className="self-center text-sm text-brand-700 underline">
            {t("statements.clear")}
          </Link>
        </div>
      </Form>

      <StaleCursorNotice show={staleCursor} />
      {rows.length === 0 ? (
        <EmptyState title={t("statements.empty")} />
      ) : (
        <Table
          stackOnPhone
          caption={t("statements.title")}
          head={
            <tr>
              <th scope="col" className={head}>
                {t("statements.period")}
              </th>
              <th scope="col" className={head}>
                {t("statements.partner")}
              </th>
              <th scope="col" className={head}>
                {t("statements.statement")}
              </th>
              <th scope="col" className={`${head} text-right`}>
                {t("statements.lines")}
              </th>
              <th scope="col" className={`${head} text-right`}>
                {t("statements.total")}
              </th>
              <th scope="col" className={`${head} relative`}>
                <span className="sr-only">{t("statements.actions")}</span>
              </th>
            </tr>
          }
        >
          {rows.map((row) => {
            const page = `/support/partners/${row.partnerSlug}/statements/${row.month}`;
            const period = formatStatementMonth(row.month, locale);
            return (
              <tr key={`${row.partnerId}-${row.month}`} className="align-top">
                <th
                  scope="row"
                  data-label={t("statements.period")}
                  className="whitespace-nowrap px-3 py-2 text-left font-medium"
                >
                  <Link to={page} className="text-brand-700 hover:underline">
                    {period}
                  </Link>
                </th>
                <td data-label={t("statements.partner")} className="px-3 py-2">
                  <Link
                    to={`/support/partners/${row.partnerSlug}`}
                    className="text-brand-700 hover:underline"
                  >
                    {row.partnerName}
                  </Link>
                  {row.partnerStatus === "suspended" ? (
                    <span className="ml-2 text-xs text-amber-800">
                      {t("common:partnerStatus.suspended")}
                    </span>
                  ) : null}
                </td>
                <td data-label={t("statements.statement")} className="whitespace-nowrap px-3 py-2">
                  {row.number ? <span className="mr-2 font-mono">{row.number}</span> : null}
                  {row.status === "final" ? (
                    <StatusBadge tone="success">{t("statements.final")}</StatusBadge>
                  ) : row.running ? (
                    <StatusBadge tone="info">{t("statements.running")}</StatusBadge>
                  ) : (
                    <StatusBadge tone="warning">{t("statements.awaiting")}</StatusBadge>
                  )}
                  {row.issuedAt ? (
                    <span className="mt-1 block text-xs text-slate-500">
                      {t("statements.issuedOn", { date: formatDate(row.issuedAt, locale) })}
                    </span>
                  ) : null}
                </td>
                <td data-label={t("statements.lines")} className={numberCell}>
                  {formatNumber(row.lineCount, locale)}
                </td>
                <td data-label={t("statements.total")} className={`${numberCell} font-semibold`}>
                  {money(row.totals.totalCents)}
                </td>
                <td className="whitespace-nowrap px-3 py-2">
                  <span className="flex flex-wrap items-center gap-3">
                    <Link
                      to={page}
                      className="font-semibold text-brand-700 hover:underline"
                      aria-label={t("statements.viewLabel", { period, partner: row.partnerName })}
                    >
                      {t("statements.view")}
                    </Link>
                    {row.statementId && row.number ? (
                      <a
                        href={`/support/partners/${row.partnerSlug}/statements/${row.statementId}.pdf`}
                        className="font-semibold text-brand-700 hover:underline"
                        aria-label={t("statements.pdfLabel", { number: row.number })}
                      >
                        {t("statements.pdf")}
                      </a>
                    ) : null}
                    {row.awaitingFinalisation ? (
                      <ConfirmedActionForm
                        intent="finalise"
                        fields={{ month: row.month, partner: row.partnerSlug }}
                        confirm={t("statements.confirmFinalise", {
                          period,
                          partner: row.partnerName,
                        })}
                        label={t("statements.finaliseLabel", { period, partner: row.partnerName })}
                        disabled={busy}
                      >
                        {t("statements.finaliseNow")}
                      </ConfirmedActionForm>
                    ) : null}
                  </span>
                </td>
              </tr>
            );
          })}
        </Table>
      )}
      <Pager
        nextHref={nextCursor ? query({ cursor: nextCursor }) : null}
        firstHref={isFirstPage ? null : query()}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />

      <div className="mt-8 max-w-xl">
        <Card title={t("statements.finaliseTitle")}>
          <p className="mb-3 text-sm text-slate-600">{t("statements.finaliseIntro")}</p>
          <Form
            method="post"
            className="space-y-3"
            noValidate
            onSubmit={(event) => {
              const form = formValues(new FormData(event.currentTarget));
              const question = t("statements.confirmFinaliseMonth", {
                month: form.month ?? "",
                partner: form.partner || t("statements.allPartners"),
              });
              if (!window.confirm(question)) event.preventDefault();
            }}
          >
            <input type="hidden" name="intent" value="finalise" />
            <Field
              label={t("statements.month")}
              name="month"
              type="month"
              placeholder="YYYY-MM"
              required
              defaultValue={failure?.values.month ?? lastEnded}
              error={failure?.errors.month}
            />
            <Field
              label={t("statements.finalisePartner")}
              name="partner"
              hint={t("statements.finalisePartnerHint")}
              defaultValue={failure?.values.partner}
              error={failure?.errors.partner}
            />
            <Button type="submit" disabled={busy}>
              {t("statements.finaliseNow")}
            </Button>
          </Form>
        </Card>
      </div>
    </>
  );
}
