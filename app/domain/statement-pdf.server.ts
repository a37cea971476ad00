// A final statement's PDF: rendered once from the stored snapshot in a worker thread, then
// kept in statement_pdfs, so that every later download is the same bytes without a render.
// Drafts have no PDF: only a final statement is a document the partner can file.
import type { Database } from "~db/index.ts";
import {
  getStatement,
  listStatementLines,
  listStatementReferralLines,
} from "~/domain/statements/reads.server";
import {
  type Statement,
  type StatementLine,
  type StatementReferralLine,
} from "~/domain/statements/model.server";
import { translatorFor } from "~/i18n";
import { formatBasisPoints, formatDayRange, formatLongDate, formatNumber } from "~/lib/format";
import { resolveLocale } from "~/lib/locale";
import { renderStatementPdf, type StatementPdfInput } from "~/pdf/render.server";

export interface StatementPdf {
  pdf: Buffer<ArrayBuffer>;
  /** "BRW-2026-0004.pdf" */
  filename: string;
  number: string;
  pageCount: number;
  /** True when the bytes came from statement_pdfs (no render). */
  cached: boolean;
}

/** A statement's PDF, as the partner's locale writes it. */
interface Formatting {
  language: ReturnType<typeof resolveLocale>["language"];
  /** BCP 47: amounts in EUR, numbers and dates as the partner reads them (en-IE, de-DE…). */
  locale: string;
}

/**
 * The statement is written for the partner, whoever downloads it (and it is cached): its
 * snapshot's locale decides the formatting, the catalogue is the closest one we have.
 */
export function formattingOf(partnerLocale: string): Formatting {
  let locale = "en-IE";
  try {
    locale = Intl.getCanonicalLocales(partnerLocale)[0] ?? locale;
  } catch {
    // A malformed tag (the column's check makes this unlikely): keep the default.
  }
  return { language: resolveLocale(locale, null).language, locale };
}

/** Placeholders the document fills per page or per line: i18next leaves them as they are. */
const keep = (name: string) => `{{${name}}}`;

/** "1–31 October 2026": the period's first and last day, as the locale writes a range. */
function periodText(statement: Statement, locale: string): string {
  const lastDay = new Date(statement.periodEnd.getTime() - 86_400_000);
  return formatDayRange(statement.periodStart, lastDay, locale);
}

function longDate(date: Date, locale: string): string {
  return formatLongDate(date, locale);
}

/**
 * The rate of the tax column: the lines' own rates (terms may change within a month, and a
 * line keeps the rate of its claim); the partner's current rate when there are no lines.
 */
function taxRates(statement: Statement, lines: readonly StatementLine[]): number[] {
  const rates = new Set<number>();
  for (const line of lines) rates.add(line.taxRateBps);
  if (rates.size === 0) rates.add(statement.partner.taxRateBps);
  return [...rates].sort((a, b) => a - b);
}

/**
 * Everything the document prints, translated, with the statement-level values formatted;
 * the lines go as they are (the worker formats them). Cheap on the server's thread: a few
 * dozen strings and one pass over the lines for their tax rates.
 */
export function statementPdfInput(
  statement: Statement,
  lines: readonly StatementLine[],
  referralLines: readonly StatementReferralLine[] = [],
): StatementPdfInput {
  if (statement.status !== "final" || !statement.number || !statement.issuedAt) {
    throw new Error("statement-pdf: only a final statement has a PDF");
  }
  const { language, locale } = formattingOf(statement.partner.locale);
  const t = translatorFor(language);
  const number = (value: number) => formatNumber(value, locale);
  const rate = (bps: number) => formatBasisPoints(bps, locale);
  const { partner } = statement;
  const taxRate = partner.taxRateBps;
  const title = t("statements:pdf.title", { number: statement.number });
  return {
    title,
    author: "7stamp",
    creationDate: statement.issuedAt,
    locale,
    labels: {
      heading: t("statements:pdf.heading"),
      issuerHeading: t("statements:pdf.issuerHeading"),
      issuerLines: [
        t("statements:pdf.issuer.name"),
        ...t("statements:pdf.issuer.address").split("\n"),
      ],
      partnerHeading: t("statements:pdf.partnerHeading"),
      facts: [
        { label: t("statements:pdf.number"), value: statement.number },
        { label: t("statements:pdf.period"), value: periodText(statement, locale) },
        { label: t("statements:pdf.issued"), value: longDate(statement.issuedAt, locale) },
      ],
      termsHeading: t("statements:pdf.termsHeading"),
      terms: [
        { label: t("statements:pdf.discountRate"), value: rate(partner.discountBps) },
        {
          label: t("statements:pdf.taxRate"),
          value:
            taxRate === 0
              ? t("statements:pdf.reverseCharge", { rate: rate(taxRate) })
              : rate(taxRate),
        },
      ],
      specialTermsHeading: partner.specialTerms.trim() ? t("statements:pdf.specialTerms") : null,
      summaryHeading: t("statements:pdf.summaryHeading"),
      summaryColumns: {
        bundle: t("statements:pdf.summaryColumns.bundle"),
        claims: t("statements:pdf.summaryColumns.claims"),
        credits: t("statements:pdf.summaryColumns.credits"),
        retail: t("statements:pdf.summaryColumns.retail"),
        discount: t("statements:pdf.summaryColumns.discount"),
        net: t("statements:pdf.summaryColumns.net"),
        tax: t("statements:pdf.summaryColumns.tax"),
      },
      summaryTotal: t("statements:pdf.summaryTotal"),
      noBundles: t("statements:pdf.noBundles"),
      totalsHeading: t("statements:pdf.totalsHeading"),
      retailSubtotal: t("statements:pdf.retailSubtotal"),
      discount: t("statements:pdf.discount"),
      net: t("statements:pdf.net"),
      tax: t("statements:pdf.taxAt", { rate: taxRates(statement, lines).map(rate).join(", ") }),
      totalDue: t("statements:pdf.totalDue"),
      referrals: {
        heading: t("statements:pdf.referrals.heading"),
        total: t("statements:pdf.referrals.total"),
        legend: t("statements:pdf.referrals.legend"),
        columns: {
          line: t("statements:pdf.referrals.columns.line"),
          date: t("statements:pdf.referrals.columns.date"),
          description: t("statements:pdf.referrals.columns.description"),
          amount: t("statements:pdf.referrals.columns.amount"),
        },
      },
      codesHeading: t("statements:pdf.codesHeading"),
      codes: [
        { label: t("statements:pdf.codesIssued"), value: number(statement.codes.issued) },
        { label: t("statements:pdf.codesOutstanding"), value: number(statement.codes.outstanding) },
        { label: t("statements:pdf.codesRevoked"), value: number(statement.codes.revoked) },
      ],
      linesHeading: t("statements:pdf.linesHeading"),
      linesSummary: t("statements:pdf.linesSummary", {
        count: statement.lineCount,
        formatted: number(statement.lineCount),
        claims: number(statement.claimCount),
        credits: number(statement.creditCount),
      }),
      creditLegend: t("statements:pdf.creditLegend", { mark: t("statements:pdf.creditMark") }),
      noLines: t("statements:pdf.noLines"),
      lineColumns: {
        date: t("statements:pdf.lineColumns.date"),
        code: t("statements:pdf.lineColumns.code"),
        client: t("statements:pdf.lineColumns.client"),
        bundle: t("statements:pdf.lineColumns.bundle"),
        seats: t("statements:pdf.lineColumns.seats"),
        operations: t("statements:pdf.lineColumns.operations"),
        retail: t("statements:pdf.lineColumns.retail"),
        discount: t("statements:pdf.lineColumns.discount"),
        wholesale: t("statements:pdf.lineColumns.wholesale"),
        tax: t("statements:pdf.lineColumns.tax"),
      },
      codeNumber: t("statements:pdf.codeNumber", { serial: keep("serial") }),
      creditMark: t("statements:pdf.creditMark"),
      footer: t("statements:pdf.footer", { number: statement.number, partner: partner.name }),
      pageOf: t("statements:pdf.pageOf", { page: keep("page"), pages: keep("pages") }),
    },
    partner: {
      name: partner.name,
      contactName: partner.contactName,
      contactEmail: partner.contactEmail,
      specialTerms: partner.specialTerms.trim(),
    },
    bundles: statement.bundles.map((bundle) => ({
      bundleName: bundle.bundleName,
      claims: bundle.claims,
      credits: bundle.credits,
      retailCents: bundle.retailCents,
      discountCents: bundle.discountCents,
      netCents: bundle.netCents,
      taxCents: bundle.taxCents,
      totalCents: bundle.totalCents,
    })),
    totals: statement.totals,
    referrals: referralLines.map((line) => {
      const business = line.businessName || t("statements:pdf.referrals.referredBusiness");
      return {
        lineNo: line.lineNo,
        occurredAt: line.occurredAt.getTime(),
        description:
          line.kind === "referral_credit"
            ? t("statements:pdf.referrals.credit", { business })
            : t("statements:pdf.referrals.debit", { business }),
        amountCents: line.amountCents,
        debit: line.kind === "referral_debit",
      };
    }),
    lines,
  };
}

/** "BRW-2026-0004.pdf": the number, ASCII only, so every browser keeps the name. */
export function statementPdfFilename(number: string): string {
  return `${number.replace(/[^A-Za-z0-9._-]+/g, "-")}.pdf`;
}

/** Pg answers bytea as a Buffer, PGlite as a Uint8Array: one type for the callers (neither
 *  is ever backed by a SharedArrayBuffer). */
function asBuffer(bytes: Uint8Array): Buffer<ArrayBuffer> {
  return Buffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}

async function cachedPdf(
  db: Database,
  { partnerId, statementId }: { partnerId: string; statementId: string },
) {
  const row = await db
    .selectFrom("statement_pdfs as sp")
    .innerJoin("statements as s", "s.id", "sp.statement_id")
    .select(["sp.pdf", "sp.page_count"])
    .where("sp.statement_id", "=", statementId)
    .where("s.partner_id", "=", partnerId)
    .executeTakeFirst();
  return row ? { pdf: asBuffer(row.pdf), pageCount: row.page_count } : null;
}

/**
 * The PDF of one of the partner's final statements. The first download renders it in the
 * worker pool (RendererBusy when the pool is full) and stores it; later ones read the stored
 * bytes. Another partner's, a draft's or a malformed id is StatementNotFound (404).
 */
export async function getStatementPdf(
  db: Database,
  {
    partnerId,
    statementId,
    signal,
  }: { partnerId: string; statementId: string; signal?: AbortSignal },
): Promise<StatementPdf> {
  const statement = await getStatement(db, { partnerId, statementId });
  const id = statement.id!;
  const number = statement.number!;
  const filename = statementPdfFilename(number);
  const cached = await cachedPdf(db, { partnerId, statementId: id });
  if (cached) return { ...cached, filename, number, cached: true };

  // The lines load while the worker starts (renderStatementPdf calls this once it has a slot).
  const rendered = await renderStatementPdf(
    async () => {
      const [{ lines }, referralLines] = await Promise.all([
        listStatementLines(db, { partnerId, statement, limit: null }),
        listStatementReferralLines(db, { partnerId, statement }),
      ]);
      return statementPdfInput(statement, lines, referralLines);
    },
    { signal },
  );
  // Two first downloads at once both render; the first stored copy wins and both answer it.
  const stored = await db
    .insertInto("statement_pdfs")
    .values({ statement_id: id, pdf: rendered.pdf, page_count: rendered.pageCount })
    .onConflict((oc) => oc.column("statement_id").doNothing())
    .returning("statement_id")
    .executeTakeFirst();
  if (!stored) {
    const winner = await cachedPdf(db, { partnerId, statementId: id });
    if (winner) return { ...winner, filename, number, cached: true };
  }
  return { pdf: rendered.pdf, pageCount: rendered.pageCount, filename, number, cached: false };
}
