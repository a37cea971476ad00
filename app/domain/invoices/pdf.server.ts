// An invoice's (or credit note's) PDF (ADR 037): rendered once from the stored snapshot in a
// worker thread, then kept in invoice_pdfs, so that every later download is the same bytes,
// whatever has changed since (the business's name, the plan's price, the owner's language,
// the invoice's status — which the document never prints).
import type { Database } from "~db/index.ts";
import { translatorFor } from "~/i18n";
import {
  formatBasisPoints,
  formatDate,
  formatDayRange,
  formatLongDate,
  moneyFormat,
} from "~/lib/format";
import { labelKey } from "~/lib/messages";
import { chooseLocale, type ResolvedLocale } from "~/lib/locale";
import type { InvoiceDocumentInput } from "~/pdf/invoice";
import { renderInvoicePdf } from "~/pdf/render.server";
import { getInvoice, type InvoiceDetail } from "./reads.server";

export interface InvoicePdf {
  pdf: Buffer<ArrayBuffer>;
  /** "INV-2026-00042.pdf" */
  filename: string;
  number: string;
  /** True when the bytes came from invoice_pdfs (no render). */
  cached: boolean;
}

const DAY_MS = 86_400_000;

/**
 * The business's language: its own setting (the owner chooses it on the business's page),
 * else its first owner's saved one, else English.
 * Decided once, at the first render: the stored PDF keeps it.
 */
async function businessLocale(db: Database, businessId: string): Promise<ResolvedLocale> {
  const row = await db
    .selectFrom("businesses as b")
    .select((eb) => [
      "b.locale as business_locale",
      eb
        .selectFrom("business_members as m")
        .innerJoin("users as u", "u.id", "m.user_id")
        .select("u.locale")
        .whereRef("m.business_id", "=", "b.id")
        .where("m.role", "=", "owner")
        .orderBy("m.created_at")
        .orderBy("m.user_id")
        .limit(1)
        .as("owner_locale"),
    ])
    .where("b.id", "=", businessId)
    .executeTakeFirst();
  // The business's own setting comes first: the invoice is the business's document, as a
  // statement is in its partner's locale whoever downloads it.
  return chooseLocale({ organisation: row?.business_locale ?? row?.owner_locale ?? null });
}

/** Everything the document prints, translated and formatted. */
export function invoiceDocumentInput(
  invoice: InvoiceDetail,
  { language, formattingLocale: locale }: ResolvedLocale,
): InvoiceDocumentInput {
  const t = translatorFor(language);
  const money = moneyFormat(locale);
  const creditNote = invoice.kind === "credit_note";
  const heading = creditNote ? t("invoices:pdf.creditNote") : t("invoices:pdf.invoice");
  const { snapshot } = invoice;
  const facts = [
    {
      label: creditNote ? t("invoices:pdf.creditNoteNumber") : t("invoices:pdf.number"),
      value: invoice.number,
    },
    { label: t("invoices:pdf.issued"), value: formatLongDate(invoice.issuedAt, locale) },
  ];
  if (invoice.periodStart && invoice.periodEnd)
    facts.push({
      label: t("invoices:pdf.period"),
      value: formatDayRange(
        invoice.periodStart,
        // The period ends at an instant; its last day is the one before.
        new Date(Math.max(invoice.periodStart.getTime(), invoice.periodEnd.getTime() - DAY_MS)),
        locale,
      ),
    });
  if (invoice.creditsInvoice)
    facts.push({ label: t("invoices:pdf.credits"), value: invoice.creditsInvoice.number });
  return {
    title: `${heading} ${invoice.number}`,
    author: t("invoices:pdf.seller"),
    creationDate: invoice.issuedAt,
    locale,
    heading,
    issuerHeading: t("invoices:pdf.issuerHeading"),
    issuerLines: [
      t("statements:pdf.issuer.name"),
      ...t("statements:pdf.issuer.address").split("\n"),
    ],
    billedToHeading: t("invoices:pdf.billedTo"),
    billedToLines: [
      snapshot.legalName,
      ...snapshot.address.split("\n"),
      snapshot.country ?? "",
      snapshot.vatId ? t("invoices:detail.vatId", { vatId: snapshot.vatId }) : "",
    ].filter((line) => line.trim() !== ""),
    facts,
    columns: { description: t("invoices:detail.description"), amount: t("invoices:detail.amount") },
    lines: invoice.lines.map((line) => ({
      description: t(labelKey("invoices:detail.line", line.kind), {
        plan: line.planName,
        quantity: line.quantity,
        days: line.days ?? 0,
        periodDays: line.periodDays ?? 0,
        start: formatDate(line.periodStart, locale),
        end: formatDate(line.periodEnd, locale),
      }),
      amount: money(line.amountCents),
    })),
    totals: [
      { label: t("invoices:detail.net"), value: money(invoice.netCents) },
      {
        label: t("invoices:detail.vat", { rate: formatBasisPoints(invoice.vatRateBps, locale) }),
        value: money(invoice.vatCents),
      },
      {
        label: creditNote ? t("invoices:pdf.totalCredited") : t("invoices:detail.total"),
        value: money(invoice.totalCents),
      },
    ],
    notes: invoice.reverseCharge ? [t("invoices:detail.reverseCharge")] : [],
    footer: t("invoices:pdf.footer", { document: heading, number: invoice.number }),
    pageOf: t("statements:pdf.pageOf", { page: "{{page}}", pages: "{{pages}}" }),
  };
}

/** "INV-2026-00042.pdf": the number, ASCII only, so every browser keeps the name. */
export function invoicePdfFilename(number: string): string {
  return `${number.replace(/[^A-Za-z0-9._-]+/g, "-")}.pdf`;
}

/** Pg answers bytea as a Buffer, PGlite as a Uint8Array: one type for the callers. */
function asBuffer(bytes: Uint8Array): Buffer<ArrayBuffer> {
  return Buffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}

async function storedPdf(db: Database, { businessId, invoiceId }: InvoiceRef) {
  const row = await db
    .selectFrom("invoice_pdfs as p")
    .innerJoin("invoices as i", "i.id", "p.invoice_id")
    .select(["p.pdf"])
    .where("p.invoice_id", "=", invoiceId)
    .where("i.business_id", "=", businessId)
    .executeTakeFirst();
  return row ? asBuffer(row.pdf) : null;
}

interface InvoiceRef {
  businessId: string;
  invoiceId: string;
}

/**
 * The PDF of one of the business's invoices or credit notes, or null when the business has no
 * such invoice. The first download renders it in the worker pool (RendererBusy when the pool is
 * full) and stores it; every later one reads the stored bytes.
 */
export async function getInvoicePdf(
  db: Database,
  { businessId, invoiceId, now, signal }: InvoiceRef & { now: Date; signal?: AbortSignal },
): Promise<InvoicePdf | null> {
  const invoice = await getInvoice(db, { businessId, invoiceId });
  if (!invoice) return null;
  const filename = invoicePdfFilename(invoice.number);
  const number = invoice.number;
  const stored = await storedPdf(db, { businessId, invoiceId: invoice.id });
  if (stored) return { pdf: stored, filename, number, cached: true };

  const locale = await businessLocale(db, businessId);
  const pdf = await renderInvoicePdf(invoiceDocumentInput(invoice, locale), { signal });
  // Two first downloads at once both render; the first stored copy wins and both answer it.
  const inserted = await db
    .insertInto("invoice_pdfs")
    .values({ invoice_id: invoice.id, pdf, rendered_at: now })
    .onConflict((oc) => oc.column("invoice_id").doNothing())
    .returning("invoice_id")
    .executeTakeFirst();
  if (!inserted) {
    const winner = await storedPdf(db, { businessId, invoiceId: invoice.id });
    if (winner) return { pdf: winner, filename, number, cached: true };
  }
  return { pdf, filename, number, cached: false };
}
