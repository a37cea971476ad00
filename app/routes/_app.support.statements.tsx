// /support/statements — every partner's statements in one list (filters: month, partner,
// draft / final; keyset paged), each opening the statement page and PDF the partner sees,
// and "finalise now" for ended months: the CLI's and the monthly job's own code path.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireSupport } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { Field, FormAlert, SelectField } from "~/components/Field";
import { Card, EmptyState, PageHeader, Pager, StaleCursorNotice, Table } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { db } from "~/db.server";
import { DomainError } from "~/domain/errors.server";
import { readPage } from "~/domain/paging.server";
import { StatementFinalisationFailed } from "~/domain/statements/finalise.server";
import {
  FinaliseNowSchema,
  finaliseNow,
  listStatementsForSupport,
  SupportStatementFilterSchema,
} from "~/domain/support-statements.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import { formatDate, formatMoney, formatNumber } from "~/lib/format";
import { fieldErrorsFrom, parseForm, parseObject } from "~/lib/forms";
import { addMonths, formatStatementMonth, monthOf } from "~/lib/statement-months";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [{ title: "Statements · Support · 7stamp Partner Portal" }];

const FILTER_FIELDS = ["month", "partner", "status"] as const;

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const params = new URL(args.request.url).searchParams;
  const values = Object.fromEntries(
    FILTER_FIELDS.flatMap((field) => {
      const value = params.get(field);
      return value ? [[field, value]] : [];
    }),
  ) as Partial<Record<(typeof FILTER_FIELDS)[number], string>>;
  const now = new Date();
  const lastEnded = addMonths(monthOf(now), -1);
  const parsed = parseObject(SupportStatementFilterSchema, values);
  if (!parsed.success) {
    // A filter no form would send: the fields say what is wrong, the list stays empty.
    return data(
      {
        rows: [],
        nextCursor: null,
        staleCursor: false,
        values,
        errors: fieldErrorsFrom(parsed.error),
        isFirstPage: true,
        lastEnded,
      },
      { status: 400 },
    );
  }
  const cursor = z.string().max(500).nullable().catch(null).parse(params.get("cursor"));
  const page = await readPage(cursor, (after) =>
    listStatementsForSupport(db, { filter: parsed.data, cursor: after, limit: 25, now }),
  );
  return { ...page, values, errors: {}, isFirstPage: !cursor || page.staleCursor, lastEnded };
}

const Intent = z.object({ intent: z.literal("finalise") });

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const formData = await args.request.formData();
  const intent = parseForm(Intent, formData);
  if (!intent.success) return formFailure(intent);
  const form = parseForm(FinaliseNowSchema, formData);
  if (!form.success) return formFailure(form);
  const values = { intent: "finalise", month: form.data.month, partner: form.data.partner ?? "" };
  let created: number;
  try {
    const results = await finaliseNow(db, {
      ...form.data,
      actor: { userId: user.id, label: user.email },
      now: new Date(),
    });
    created = results.filter((result) => result.created).length;
  } catch (error) {
    if (error instanceof StatementFinalisationFailed) {
      return formFailure(
        {
          values,
          formError: {
            key: "support:statements.finaliseFailed",
            values: {
              partners: error.failures.map((failure) => failure.partnerSlug).join(", "),
              count: error.finalised.filter((result) => result.created).length,
            },
          },
        },
        { status: 409 },
      );
    }
    if (!(error instanceof DomainError)) throw error;
    return formFailure(
      { values, errors: { [error.field ?? "month"]: { key: `support:errors.${error.code}` } } },
      { status: error.status === 404 ? 400 : error.status },
    );
  }
  const back = new URL(args.request.url);
  return redirectWithFlash(args.request, `${back.pathname}${back.search}`, {
    kind: "success",
    key: created > 0 ? "support:statements.finalised" : "support:statements.alreadyFinal",
    values: { count: created, month: form.data.month },
  });
}

const head = "whitespace-nowrap px-3 py-2";
const numberCell = "whitespace-nowrap px-3 py-2 text-right tabular-nums";

export default function SupportStatements() {
  const { t } = useTranslation("support");
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
  const fieldErrors = errors as Record<string, { key: string } | undefined>;
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
              const form = new FormData(event.currentTarget);
              const question = t("statements.confirmFinaliseMonth", {
                month: String(form.get("month") ?? ""),
                partner: String(form.get("partner") ?? "") || t("statements.allPartners"),
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
