// /support/invoices/:invoiceId — one invoice or credit note of any business, for support: its
// lines, totals, status, the credit notes that reference it and its PDF; and the corrections
// (ADR 037): void an open invoice, issue a credit note for a paid one, each with a reason.
// Not nested under a /support/invoices layout (the trailing underscore): the list is its own page.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { InvoiceFacts } from "~/components/billing/InvoiceFacts";
import { InvoiceLines } from "~/components/billing/InvoiceLines";
import { notFound, requireSupport } from "~/auth/guards.server";
import { FormAlert } from "~/components/Field";
import { Card, PageHeader } from "~/components/Layout";
import { ConfirmedReasonForm } from "~/components/support/ConfirmedReasonForm";
import { db } from "~/db.server";
import {
  InvoiceCorrectionSchema,
  issueCreditNote,
  voidInvoice,
} from "~/domain/invoices/corrections.server";
import { findInvoiceBusiness, getInvoice } from "~/domain/invoices/reads.server";
import { clock } from "~/lib/clock.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formatDate, formatDateTime, formatMoney } from "~/lib/format";
import { isUuid } from "~/lib/ids";
import { dispatchIntent, intentForm, supportRefusal } from "~/lib/intents.server";
import { useFormattingLocale } from "~/root";
import { formValues } from "~/lib/forms";

export const meta: MetaFunction = () => [{ title: "Invoice · Support · 7stamp Partner Portal" }];

async function loadInvoice(invoiceId: string | undefined) {
  if (!isUuid(invoiceId)) throw notFound();
  const business = await findInvoiceBusiness(db, { invoiceId });
  if (!business) throw notFound();
  const invoice = await getInvoice(db, { businessId: business.id, invoiceId });
  if (!invoice) throw notFound();
  return { business, invoice };
}

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  return loadInvoice(args.params.invoiceId);
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const { invoice } = await loadInvoice(args.params.invoiceId);
  const formData = await args.request.formData();
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const typed = formValues(formData);
  const here = `/support/invoices/${invoice.id}`;
  return dispatchIntent(formData, {
    void: intentForm(InvoiceCorrectionSchema, async ({ reason }, { fail }) => {
      try {
        await voidInvoice(db, { invoiceId: invoice.id, reason, actor, ip, now: clock() });
      } catch (error) {
        return supportRefusal(error, fail, typed, { formLevel: ["invoice"] });
      }
      return redirectWithFlash(args.request, here, {
        kind: "success",
        key: "invoices:support.done.void",
        values: { number: invoice.number },
      });
    }),
    creditNote: intentForm(InvoiceCorrectionSchema, async ({ reason }, { fail }) => {
      let creditNote: string;
      try {
        ({ number: creditNote } = await issueCreditNote(db, {
          invoiceId: invoice.id,
          reason,
          actor,
          ip,
          now: clock(),
        }));
      } catch (error) {
        return supportRefusal(error, fail, typed, { formLevel: ["invoice"] });
      }
      return redirectWithFlash(args.request, here, {
        kind: "success",
        key: "invoices:support.done.creditNote",
        values: { number: invoice.number, creditNote },
      });
    }),
  });
}

function useIntentFailure(intent: string) {
  const actionData = useActionData<typeof action>();
  return actionData && actionData.values.intent === intent ? actionData : undefined;
}

export default function SupportInvoicePage() {
  const { t } = useTranslation(["invoices", "support"]);
  const locale = useFormattingLocale();
  const { business, invoice } = useLoaderData<typeof loader>();
  const money = (cents: number) => formatMoney(cents, locale);
  const creditNote = invoice.kind === "credit_note";
  return (
    <>
      <PageHeader
        title={
          creditNote
            ? t("support.creditNoteTitle", { number: invoice.number })
            : t("detail.title", { number: invoice.number })
        }
        description={
          <Link
            to={`/support/businesses/${business.id}`}
            className="font-medium text-brand-700 underline"
          >
            {business.name}
          </Link>
        }
        actions={
          <a
            href={`/support/invoices/${invoice.id}.pdf`}
            className="text-sm font-medium text-brand-700 underline"
            download
          >
            {t("detail.download")}
          </a>
        }
      />
      <div className="space-y-6">
        <Card>
          <InvoiceFacts
            invoice={invoice}
            locale={locale}
            statusDetail={
              <>
                {invoice.statusChangedAt ? (
                  <span className="block font-normal text-slate-600">
                    {formatDateTime(invoice.statusChangedAt, locale)}
                  </span>
                ) : null}
                {invoice.statusReason ? (
                  <span className="block font-normal text-slate-600">
                    {t("support.reason", { reason: invoice.statusReason })}
                  </span>
                ) : null}
              </>
            }
          >
            {invoice.creditsInvoice ? (
              <div className="sm:col-span-4">
                <dt className="text-slate-600">{t("pdf.credits")}</dt>
                <dd className="font-medium">
                  <Link
                    to={`/support/invoices/${invoice.creditsInvoice.id}`}
                    className="text-brand-700 underline"
                  >
                    {invoice.creditsInvoice.number}
                  </Link>
                  {invoice.creditReason ? (
                    <span className="block font-normal text-slate-600">
                      {t("support.reason", { reason: invoice.creditReason })}
                    </span>
                  ) : null}
                </dd>
              </div>
            ) : null}
          </InvoiceFacts>
          <InvoiceLines invoice={invoice} locale={locale} />
        </Card>
        {creditNote ? null : (
          <Card title={t("support.creditNotes")}>
            {invoice.creditNotes.length === 0 ? (
              <p className="text-sm text-slate-600">{t("support.noCreditNotes")}</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {invoice.creditNotes.map((note) => (
                  <li key={note.id} className="flex flex-wrap justify-between gap-2 py-2">
                    <Link
                      to={`/support/invoices/${note.id}`}
                      className="font-medium text-brand-700 underline"
                    >
                      {note.number}
                    </Link>
                    <span>{formatDate(note.issuedAt, locale)}</span>
                    <span className="tabular-nums">{money(note.totalCents)}</span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        )}
        <Corrections />
      </div>
    </>
  );
}

function Corrections() {
  const { t } = useTranslation(["invoices", "support"]);
  const { invoice } = useLoaderData<typeof loader>();
  const voiding = useIntentFailure("void");
  const crediting = useIntentFailure("creditNote");
  const refusal = (voiding ?? crediting)?.formError;
  const canVoid = invoice.kind === "invoice" && invoice.status === "open";
  const canCredit =
    invoice.kind === "invoice" && invoice.status === "paid" && invoice.creditNotes.length === 0;
  return (
    <>
      <FormAlert message={refusal} />
      {canVoid ? (
        <Card title={t("support.voidTitle")}>
          <p className="mb-3 text-sm text-slate-600">{t("support.voidIntro")}</p>
          <ConfirmedReasonForm
            intent="void"
            confirm={t("support.voidConfirm", { number: invoice.number })}
            failure={voiding}
          >
            {t("support.void")}
          </ConfirmedReasonForm>
        </Card>
      ) : null}
      {canCredit ? (
        <Card title={t("support.creditNoteFormTitle")}>
          <p className="mb-3 text-sm text-slate-600">{t("support.creditNoteIntro")}</p>
          <ConfirmedReasonForm
            intent="creditNote"
            confirm={t("support.creditNoteConfirm", { number: invoice.number })}
            failure={crediting}
          >
            {t("support.issueCreditNote")}
          </ConfirmedReasonForm>
        </Card>
      ) : null}
      {!canVoid && !canCredit ? (
        <p className="text-sm text-slate-600">{t("support.noActions")}</p>
      ) : null}
    </>
  );
}
