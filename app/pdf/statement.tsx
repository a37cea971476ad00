/** @jsxRuntime automatic @jsxImportSource react */
// A partner's wholesale statement as an A4 PDF: issuer and partner, number, period, terms,
// the summary per bundle, totals and code counts, then every line in a table whose column
// header repeats on each page, with "page N of M" in the footer. Pure layout, run in a
// worker thread (statement.worker.mjs): labels arrive translated, statement-level values
// formatted; the per-line formatting (amounts, dates, Code #N) happens here, in the worker,
// and the lines are drawn in bands rather than laid out cell by cell (see "Line table").
// The worker compiles this file with tsx: imports stay relative (no "~/" aliases), and the
// pragma above keeps the automatic JSX runtime whatever tsconfig tsx finds.
import { Canvas, Document, Font, Page, Text, View, renderToBuffer } from "@react-pdf/renderer";
import type { ReactNode } from "react";
import { dateFormat, moneyFormat, numberFormat } from "../lib/format";
import {
  fontRuns,
  loadUnicodeChain,
  registerUnicodeFonts,
  UNICODE_CHAIN,
  unicodeText,
  wordParts,
  type GlyphFont,
} from "./fonts";

/**
 * The statement's lines, one typed array (or string list) per column, so that handing
 * 10,000 lines to the worker is a transfer of a few buffers rather than a structured clone
 * of 10,000 objects on the server's thread (render.server.ts packs them).
 */
export interface StatementLineColumns {
  count: number;
  /** 1 on a credit line (a rolled-back claim), else 0. */
  credit: Uint8Array;
  /** Epoch milliseconds of the claim or roll-back. */
  occurredAt: Float64Array;
  /** Code #N. Serials stay far below 2^53, so a Float64Array holds them exactly. */
  serial: Float64Array;
  businessNames: string[];
  /** Index into bundleNames: a statement has a handful of bundles and thousands of lines. */
  bundle: Int32Array;
  bundleNames: string[];
  staffSeats: Int32Array;
  cardOperations: Int32Array;
  /**
   * Integer cents (negative on credit lines). Stored, never computed with: a Float64Array
   * holds every integer below 2^53 exactly; amounts become text via centsToDecimalString.
   */
  retailCents: Float64Array;
  discountCents: Float64Array;
  wholesaleCents: Float64Array;
  taxCents: Float64Array;
}

/** Amounts of a bundle's summary row or of the whole statement, in integer cents. */
export interface StatementAmounts {
  retailCents: number;
  discountCents: number;
  netCents: number;
  taxCents: number;
  totalCents: number;
}

/** The statement's totals: the bundles' amounts, the referral lines' sum, the total due. */
export interface StatementTotalAmounts extends StatementAmounts {
  /** Credits negative, debits positive; the total due includes it. */
  referralCents: number;
}

/** A referral credit or debit as the document prints it (ADR 039): few a month, not packed. */
export interface StatementReferralRow {
  lineNo: number;
  /** Epoch milliseconds (formatted here, like the lines' dates). */
  occurredAt: number;
  /** "Referral credit — Corner Coffee", translated. */
  description: string;
  amountCents: number;
  debit: boolean;
}

export interface StatementBundleRow extends StatementAmounts {
  bundleName: string;
  claims: number;
  credits: number;
}

export interface LabelledValue {
  label: string;
  value: string;
}

/** Every text of the document, translated; statement-level values already formatted. */
export interface StatementPdfLabels {
  /** "Wholesale statement" */
  heading: string;
  /** "Issued by" */
  issuerHeading: string;
  /** The issuer's name and address block, one line each. */
  issuerLines: string[];
  /** "Statement for" */
  partnerHeading: string;
  /** Statement number, period, issue date: label and formatted value. */
  facts: LabelledValue[];
  /** "Terms" */
  termsHeading: string;
  /** Discount and tax rate as they applied, formatted. */
  terms: LabelledValue[];
  /** "Special terms", or null when there are none. */
  specialTermsHeading: string | null;
  summaryHeading: string;
  summaryColumns: {
    bundle: string;
    claims: string;
    credits: string;
    retail: string;
    discount: string;
    net: string;
    tax: string;
  };
  /** Label of the summary's total row. */
  summaryTotal: string;
  noBundles: string;
  totalsHeading: string;
  retailSubtotal: string;
  discount: string;
  net: string;
  /** "Tax at 23%" */
  tax: string;
  totalDue: string;
  /** The referral credits' and debits' section and its row in the totals. */
  referrals: {
    heading: string;
    total: string;
    legend: string;
    columns: { line: string; date: string; description: string; amount: string };
  };
  codesHeading: string;
  /** Codes issued / outstanding / revoked: label and formatted count. */
  codes: LabelledValue[];
  linesHeading: string;
  /** "10,000 lines: 9,990 claims, 10 credits" */
  linesSummary: string;
  /** What marks a credit line, explained once above the table. */
  creditLegend: string;
  noLines: string;
  lineColumns: {
    date: string;
    code: string;
    client: string;
    bundle: string;
    seats: string;
    operations: string;
    retail: string;
    discount: string;
    wholesale: string;
    tax: string;
  };
  /** "Code #{{serial}}": filled in here, per line. */
  codeNumber: string;
  /** The mark after a credit line's code: "CR". */
  creditMark: string;
  /** Footer, left: "7stamp · Wholesale statement BRW-2026-0004 · Brewline Agency". */
  footer: string;
  /** Footer, right: "page {{page}} of {{pages}}": filled in per page. */
  pageOf: string;
}

export interface StatementDocumentInput {
  /** PDF metadata */
  title: string;
  author: string;
  /** The finalisation time: the PDF's creation date, so every render gives the same bytes. */
  creationDate: Date;
  /** BCP 47 tag of the partner: how amounts (EUR), numbers and dates are written. */
  locale: string;
  labels: StatementPdfLabels;
  partner: { name: string; contactName: string; contactEmail: string; specialTerms: string };
  bundles: StatementBundleRow[];
  totals: StatementTotalAmounts;
  referrals: StatementReferralRow[];
  lines: StatementLineColumns;
}

export interface StatementRenderOptions {
  /**
   * The new pagination engine (default): content is measured once and packed into pages
   * (10,000 lines: ~2.7 s against ~13 s with the default paginator, same bytes). False
   * renders the same document with the default paginator (the bench compares both).
   */
  experimentalPagination?: boolean;
}

/** Producer and creator in the metadata: constants, so bytes do not depend on versions. */
const PRODUCER = "7stamp Partner Portal";

const MM = 72 / 25.4;
const MARGIN_X = 15 * MM;
const MARGIN_TOP = 14 * MM;
const FOOTER_BOTTOM = 8 * MM;
const MARGIN_BOTTOM = 18 * MM;
const INK = "#111827";
const MUTED = "#4b5563";
const FAINT = "#6b7280";
const RULE = "#d1d5db";
const ACCENT = "#0f766e";
const STRIPE = "#f9fafb";
const CREDIT_TINT = "#fef2f2";
const CREDIT_INK = "#b91c1c";
const LINE_FONT_SIZE = 6.5;
/** The labels of the facts and terms ("Wholesale discount"). */
const FACT_LABEL_WIDTH = 96;
/** Room for "page 999 of 999" at the footer's right. */
const PAGE_OF_WIDTH = 90;

/** For codes, numbers and names, which must never gain a hyphen. */
const noHyphens = (word: string) => (unicodeFonts ? wordParts(word) : [word]);

// The PDF built-in fonts write WinAnsi (Latin-1 and a few more): Intl's narrow and thin
// spaces and the minus sign U+2212 have no glyph there, so they become their plain kin, and
// anything else outside WinAnsi a "?" rather than two wrong glyphs.
const WIN_ANSI_EXTRA = new Set([
  0x152, 0x153, 0x160, 0x161, 0x178, 0x17d, 0x17e, 0x192, 0x2c6, 0x2dc, 0x2013, 0x2014, 0x2018,
  0x2019, 0x201a, 0x201c, 0x201d, 0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a,
  0x20ac, 0x2122,
]);
const PLAIN = /^[\n\x20-\x7e\u00a0-\u00ff€]*$/;

export function printable(text: string): string {
  if (unicodeFonts) return unicodeText(text);
  if (PLAIN.test(text)) return text;
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code === 0x0a || (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff)) {
      out += char;
    } else if (WIN_ANSI_EXTRA.has(code)) {
      out += char;
    } else if ((code >= 0x2000 && code <= 0x200a) || code === 0x202f || code === 0x205f) {
      out += "\u00a0";
    } else if (code === 0x2212 || code === 0x2010 || code === 0x2011) {
      out += "-";
    } else if (code === 0x09) {
      out += " ";
    } else if (code >= 0x20) {
      out += "?";
    }
  }
  return out;
}

/**
 * The fonts of the document being rendered: Helvetica for English (bytes as before), the
 * Noto Sans chain of ./fonts.ts for Thai and Ukrainian. A worker renders one document
 * (render.server.ts), so the choice is made once per render, in renderStatement.
 */
let unicodeFonts = false;

function regularFont() {
  return unicodeFonts
    ? { fontFamily: UNICODE_CHAIN, fontWeight: 400 as const }
    : { fontFamily: "Helvetica" };
}

function boldFont() {
  return unicodeFonts
    ? { fontFamily: UNICODE_CHAIN, fontWeight: 700 as const }
    : { fontFamily: "Helvetica-Bold" };
}

/** Languages whose text Helvetica (WinAnsi) cannot write. */
export function needsUnicodeFonts(locale: string): boolean {
  return /^(th|uk)\b/i.test(locale);
}

/** Fills `{{name}}` placeholders that the labels builder left for the document. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (match, name: string) => values[name] ?? match);
}

/**
 * One Intl formatter per document: building one costs tens of microseconds, and a statement
 * of 10,000 lines writes 40,000 amounts and 10,000 dates. Amounts go to Intl as decimal
 * strings (centsToDecimalString, as formatMoney does), never as floats.
 */
function formattersFor(locale: string) {
  const currency = moneyFormat(locale);
  const integer = numberFormat(locale);
  const day = dateFormat(locale);
  const days = new Map<number, string>();
  return {
    money: (cents: number) => printable(currency(cents)),
    number: (value: number) => printable(integer(value)),
    /** Lines share days: each UTC day is formatted once. */
    date: (epochMs: number) => {
      const key = Math.floor(epochMs / 86_400_000);
      let text = days.get(key);
      if (text === undefined) {
        text = printable(day(new Date(epochMs)));
        days.set(key, text);
      }
      return text;
    },
  };
}

type Formatters = ReturnType<typeof formattersFor>;

// ---- Line table -----------------------------------------------------------------------------
//
// react-pdf lays out every <Text> through its full text engine (bidi, shaping, line breaking):
// about 0.4 ms a cell, so 10,000 lines of ten cells as <Text> take over a minute and more than
// a 1 GB heap. A cell here is one line of known width, so the lines are drawn instead: bands of
// BAND_ROWS rows, each a <Canvas> whose paint callback writes the cells with pdfkit's text() at
// measured positions (real, selectable text in the built-in font). A band is one unbreakable
// leaf for the paginator; the column header is an ordinary `fixed` row, repeated on every page.

interface Column {
  key: keyof StatementPdfLabels["lineColumns"];
  width?: number;
  numeric?: boolean;
}

const CONTENT_WIDTH = 210 * MM - 2 * MARGIN_X;
/** Rows drawn per canvas: the paginator moves whole bands, so a page ends at most a band early. */
const BAND_ROWS = 5;
/** A whole number of points: band boxes add up without rounding drift. */
const ROW_HEIGHT = 11;
const CELL_PADDING = 2;
/** pdfkit's text() takes the top of the line box; Helvetica's box is 0.925 em tall. */
const TEXT_TOP = (ROW_HEIGHT - 0.925 * LINE_FONT_SIZE) / 2;

/** Widths in points; the client's name takes what is left of the 180 mm. */
const FIXED_COLUMNS: Column[] = [
  { key: "date", width: 46 },
  { key: "code", width: 54 },
  { key: "client" },
  { key: "bundle", width: 66 },
  { key: "seats", width: 26, numeric: true },
  { key: "operations", width: 42, numeric: true },
  { key: "retail", width: 50, numeric: true },
  { key: "discount", width: 48, numeric: true },
  { key: "wholesale", width: 50, numeric: true },
  { key: "tax", width: 44, numeric: true },
];
const LINE_COLUMNS: (Required<Column> & { x: number })[] = [];
for (const column of FIXED_COLUMNS) {
  const previous = LINE_COLUMNS.at(-1);
  LINE_COLUMNS.push({
    numeric: false,
    ...column,
    x: previous ? previous.x + previous.width : 0,
    width:
      column.width ??
      CONTENT_WIDTH - FIXED_COLUMNS.reduce((sum, other) => sum + (other.width ?? 0), 0),
  });
}

/** The pdfkit calls a Canvas paint callback gets (react-pdf passes them through). */
interface Painter {
  font(src: string | GlyphFont): Painter;
  fontSize(size: number): Painter;
  fillColor(color: string): Painter;
  rect(x: number, y: number, width: number, height: number): Painter;
  fill(color?: string): Painter;
  text(text: string, x: number, y: number, options?: { lineBreak?: boolean }): Painter;
}

/** The built-in font's advance widths, as pdfkit (which draws the cells) computes them. */
interface FontMetrics {
  widthOfString(text: string, size: number): number;
}

/** The Noto chain as one measure: each run of the text in the font that draws it. */
function chainMetrics(chain: GlyphFont[]): FontMetrics {
  return {
    widthOfString: (text, size) =>
      fontRuns(text, chain).reduce(
        (sum, run) => sum + (run.font.layout(run.text).advanceWidth / run.font.unitsPerEm) * size,
        0,
      ),
  };
}

/** Helvetica as react-pdf loaded it: the metrics the line cells are measured with. */
async function lineFont(): Promise<FontMetrics> {
  const descriptor = { fontFamily: "Helvetica", fontWeight: 400, fontStyle: "normal" } as const;
  await Font.load(descriptor);
  const metrics = (Font.getFont(descriptor)?.data as { src?: FontMetrics } | null)?.src;
  if (!metrics || typeof metrics.widthOfString !== "function") {
    throw new Error("statement: no metrics for the built-in Helvetica");
  }
  return metrics;
}

/** Text that fits `width` at the line size: as it is, or cut with an ellipsis. */
function fitter(metrics: FontMetrics) {
  const widths = new Map<string, number>();
  const widthOf = (text: string) => {
    let width = widths.get(text);
    if (width === undefined) {
      width = metrics.widthOfString(text, LINE_FONT_SIZE);
      widths.set(text, width);
    }
    return width;
  };
  const fitted = new Map<string, string>();
  return {
    widthOf,
    fit: (text: string, width: number): string => {
      const key = `${width}\u0000${text}`;
      let result = fitted.get(key);
      if (result === undefined) {
        result = text;
        if (widthOf(text) > width) {
          let low = 0;
          let high = text.length;
          while (low < high) {
            const mid = Math.ceil((low + high) / 2);
            if (widthOf(`${text.slice(0, mid).trimEnd()}…`) <= width) low = mid;
            else high = mid - 1;
          }
          result = `${text.slice(0, low).trimEnd()}…`;
        }
        fitted.set(key, result);
      }
      return result;
    },
  };
}

interface DrawnRow {
  credit: boolean;
  cells: { text: string; x: number }[];
}

function LineHeader({ labels }: { labels: StatementPdfLabels }) {
  return (
    <View
      fixed
      // A header alone at a page's foot would head nothing: keep a band's height after it.
      minPresenceAhead={BAND_ROWS * ROW_HEIGHT}
      wrap={false}
      style={{
        flexDirection: "row",
        height: 13,
        paddingTop: 3,
        fontSize: LINE_FONT_SIZE,
        ...boldFont(),
        color: MUTED,
        borderBottomWidth: 0.75,
        borderBottomColor: INK,
      }}
    >
      {LINE_COLUMNS.map((column) => (
        <Text
          key={column.key}
          hyphenationCallback={noHyphens}
          style={{
            width: column.width,
            paddingHorizontal: CELL_PADDING,
            textAlign: column.numeric ? "right" : "left",
            maxLines: 1,
          }}
        >
          {labels.lineColumns[column.key]}
        </Text>
      ))}
    </View>
  );
}

/** Every line as its drawn cells: formatted, cut to fit, right-aligned where numeric. */
function drawnRows(input: StatementDocumentInput, format: Formatters, metrics: FontMetrics) {
  const { lines, labels } = input;
  const { fit, widthOf } = fitter(metrics);
  const [codePrefix, codeSuffix = ""] = labels.codeNumber.split("{{serial}}");
  const rows = new Array<DrawnRow>(lines.count);
  for (let i = 0; i < lines.count; i++) {
    const credit = lines.credit[i] === 1;
    const code = `${codePrefix}${lines.serial[i]}${codeSuffix}`;
    // Every column array holds `lines.count` entries (see render.server.ts).
    const values = [
      format.date(lines.occurredAt[i]!),
      credit ? `${code} ${labels.creditMark}` : code,
      printable(lines.businessNames[i]!),
      printable(lines.bundleNames[lines.bundle[i]!]!),
      format.number(lines.staffSeats[i]!),
      format.number(lines.cardOperations[i]!),
      format.money(lines.retailCents[i]!),
      format.money(lines.discountCents[i]!),
      format.money(lines.wholesaleCents[i]!),
      format.money(lines.taxCents[i]!),
    ];
    rows[i] = {
      credit,
      cells: values.map((value, index) => {
        const column = LINE_COLUMNS[index]!; // one value per column
        const text = fit(value, column.width - 2 * CELL_PADDING);
        const x = column.numeric
          ? column.x + column.width - CELL_PADDING - widthOf(text)
          : column.x + CELL_PADDING;
        return { text, x };
      }),
    };
  }
  return rows;
}

/** Helvetica's baseline below the top of its line box, at the line size. */
const BASELINE = TEXT_TOP + 0.718 * LINE_FONT_SIZE;

/** A cell in the Noto chain: run by run, each on the same baseline as Helvetica's would be. */
function paintRuns(painter: Painter, chain: GlyphFont[], text: string, x: number, y: number) {
  let left = x;
  for (const run of fontRuns(text, chain)) {
    const scale = LINE_FONT_SIZE / run.font.unitsPerEm;
    painter.font(run.font).fontSize(LINE_FONT_SIZE);
    painter.text(run.text, left, y + BASELINE - run.font.ascent * scale, { lineBreak: false });
    left += run.font.layout(run.text).advanceWidth * scale;
  }
}

function paintBand(rows: DrawnRow[], firstIndex: number, chain: GlyphFont[] | null) {
  return (painter: Painter) => {
    painter.font("Helvetica").fontSize(LINE_FONT_SIZE);
    rows.forEach((row, r) => {
      const y = r * ROW_HEIGHT;
      const tint = row.credit ? CREDIT_TINT : (firstIndex + r) % 2 === 1 ? STRIPE : null;
      if (tint) painter.rect(0, y, CONTENT_WIDTH, ROW_HEIGHT).fill(tint);
      painter.fillColor(row.credit ? CREDIT_INK : INK);
      for (const cell of row.cells) {
        if (chain) paintRuns(painter, chain, cell.text, cell.x, y);
        else painter.text(cell.text, cell.x, y + TEXT_TOP, { lineBreak: false });
      }
    });
    return null;
  };
}

function LineTable({
  rows,
  labels,
  chain,
}: {
  rows: DrawnRow[];
  labels: StatementPdfLabels;
  chain: GlyphFont[] | null;
}) {
  const bands: ReactNode[] = [];
  for (let first = 0; first < rows.length; first += BAND_ROWS) {
    const band = rows.slice(first, first + BAND_ROWS);
    bands.push(
      // A Canvas never wraps: the paginator moves the band whole.
      <Canvas
        key={first}
        style={{ width: CONTENT_WIDTH, height: band.length * ROW_HEIGHT }}
        paint={paintBand(band, first, chain)}
      />,
    );
  }
  // Top-level siblings, not a wrapping View: the header repeats where the flow continues.
  return (
    <>
      <LineHeader labels={labels} />
      {bands}
    </>
  );
}

// ---- First page ---------------------------------------------------------------------------

function SectionHeading({ children }: { children: string }) {
  return (
    <Text
      minPresenceAhead={40}
      style={{
        ...boldFont(),
        fontSize: 9,
        color: ACCENT,
        textTransform: "uppercase",
        // Spacing letters apart would pull Thai marks off their consonants.
        letterSpacing: unicodeFonts ? 0 : 0.6,
        marginTop: 14,
        marginBottom: 5,
      }}
    >
      {children}
    </Text>
  );
}

function Facts({ items, valueWidth }: { items: LabelledValue[]; valueWidth?: number }) {
  return (
    <View>
      {items.map((item) => (
        <View key={item.label} style={{ flexDirection: "row", marginBottom: 2 }} wrap={false}>
          <Text style={{ width: FACT_LABEL_WIDTH, flexShrink: 0, color: MUTED }}>
            {printable(item.label)}
          </Text>
          <Text
            style={{ width: valueWidth, flexGrow: valueWidth ? 0 : 1, color: INK }}
            hyphenationCallback={noHyphens}
          >
            {printable(item.value)}
          </Text>
        </View>
      ))}
    </View>
  );
}

function Parties({ input }: { input: StatementDocumentInput }) {
  const { labels, partner } = input;
  const small = { fontSize: 8.5, lineHeight: 1.35 };
  return (
    <View style={{ flexDirection: "row", justifyContent: "space-between" }}>
      <View style={{ width: "48%", ...small }}>
        <Text style={{ fontSize: 7, color: FAINT, textTransform: "uppercase", marginBottom: 3 }}>
          {labels.issuerHeading}
        </Text>
        {labels.issuerLines.map((line, index) => (
          <Text
            key={index}
            style={index === 0 ? { ...boldFont(), fontSize: 10, color: INK } : { color: MUTED }}
          >
            {printable(line)}
          </Text>
        ))}
        <Text
          style={{
            fontSize: 7,
            color: FAINT,
            textTransform: "uppercase",
            marginTop: 12,
            marginBottom: 3,
          }}
        >
          {labels.partnerHeading}
        </Text>
        <Text style={{ ...boldFont(), fontSize: 10, color: INK }}>{printable(partner.name)}</Text>
        {partner.contactName ? (
          <Text style={{ color: MUTED }}>{printable(partner.contactName)}</Text>
        ) : null}
        {partner.contactEmail ? (
          <Text style={{ color: MUTED }} hyphenationCallback={noHyphens}>
            {printable(partner.contactEmail)}
          </Text>
        ) : null}
      </View>
      <View style={{ width: "48%", ...small }}>
        <Text style={{ ...boldFont(), fontSize: 17, color: INK, marginBottom: 8 }}>
          {labels.heading}
        </Text>
        <Facts items={labels.facts} />
        <Text
          style={{
            fontSize: 7,
            color: FAINT,
            textTransform: "uppercase",
            marginTop: 10,
            marginBottom: 3,
          }}
        >
          {labels.termsHeading}
        </Text>
        <Facts items={labels.terms} />
        {labels.specialTermsHeading && partner.specialTerms ? (
          <View style={{ flexDirection: "row", marginTop: 1 }}>
            <Text style={{ width: FACT_LABEL_WIDTH, flexShrink: 0, color: MUTED }}>
              {labels.specialTermsHeading}
            </Text>
            {/* A zero basis: the text wraps inside the column instead of widening the row. */}
            <Text
              style={{ flexGrow: 1, flexShrink: 1, flexBasis: 0, color: INK }}
              hyphenationCallback={noHyphens}
            >
              {printable(partner.specialTerms)}
            </Text>
          </View>
        ) : null}
      </View>
    </View>
  );
}

const SUMMARY_WIDTHS = [null, 34, 34, 66, 62, 66, 60] as const;

function summaryCell(index: number, bold = false) {
  const width = SUMMARY_WIDTHS[index];
  return {
    width: width ?? undefined,
    flexGrow: width === null ? 1 : 0,
    flexShrink: width === null ? 1 : 0,
    paddingHorizontal: 3,
    textAlign: index === 0 ? ("left" as const) : ("right" as const),
    ...(bold ? boldFont() : regularFont()),
  };
}

function SummaryRow({ cells, bold, ruled }: { cells: string[]; bold?: boolean; ruled?: boolean }) {
  return (
    <View
      wrap={false}
      style={{
        flexDirection: "row",
        paddingVertical: 2.5,
        borderTopWidth: ruled ? 0.75 : 0,
        borderTopColor: INK,
        borderBottomWidth: ruled ? 0 : 0.5,
        borderBottomColor: RULE,
      }}
    >
      {cells.map((cell, index) => (
        <Text key={index} style={summaryCell(index, bold)} hyphenationCallback={noHyphens}>
          {cell}
        </Text>
      ))}
    </View>
  );
}

function BundleSummary({ input, format }: { input: StatementDocumentInput; format: Formatters }) {
  const { labels, bundles, totals } = input;
  const columns = labels.summaryColumns;
  if (bundles.length === 0) {
    return <Text style={{ fontSize: 8.5, color: MUTED }}>{labels.noBundles}</Text>;
  }
  const amounts = (row: StatementAmounts) => [
    format.money(row.retailCents),
    format.money(row.discountCents),
    format.money(row.netCents),
    format.money(row.taxCents),
  ];
  return (
    <View style={{ fontSize: 8 }}>
      <View
        wrap={false}
        style={{
          flexDirection: "row",
          paddingVertical: 2.5,
          borderBottomWidth: 0.75,
          borderBottomColor: INK,
          color: MUTED,
        }}
      >
        {[
          columns.bundle,
          columns.claims,
          columns.credits,
          columns.retail,
          columns.discount,
          columns.net,
          columns.tax,
        ].map((label, index) => (
          <Text key={index} style={summaryCell(index, true)}>
            {label}
          </Text>
        ))}
      </View>
      {bundles.map((bundle, index) => (
        <SummaryRow
          key={index}
          cells={[
            printable(bundle.bundleName),
            format.number(bundle.claims),
            format.number(bundle.credits),
            ...amounts(bundle),
          ]}
        />
      ))}
      <SummaryRow
        bold
        ruled
        cells={[
          labels.summaryTotal,
          format.number(bundles.reduce((sum, b) => sum + b.claims, 0)),
          format.number(bundles.reduce((sum, b) => sum + b.credits, 0)),
          ...amounts(totals),
        ]}
      />
    </View>
  );
}

function Totals({ input, format }: { input: StatementDocumentInput; format: Formatters }) {
  const { labels, totals } = input;
  const rows: [string, string][] = [
    [labels.retailSubtotal, format.money(totals.retailCents)],
    [labels.discount, format.money(-totals.discountCents)],
    [labels.net, format.money(totals.netCents)],
    [labels.tax, format.money(totals.taxCents)],
    ...(input.referrals.length > 0
      ? [[labels.referrals.total, format.money(totals.referralCents)] as [string, string]]
      : []),
  ];
  return (
    <View
      wrap={false}
      style={{ flexDirection: "row", justifyContent: "space-between", marginTop: 4 }}
    >
      <View style={{ width: "44%" }}>
        <SectionHeading>{labels.codesHeading}</SectionHeading>
        <View style={{ fontSize: 8 }}>
          {labels.codes.map((item) => (
            <View
              key={item.label}
              style={{
                flexDirection: "row",
                justifyContent: "space-between",
                paddingVertical: 2,
                borderBottomWidth: 0.5,
                borderBottomColor: RULE,
              }}
            >
              <Text style={{ color: MUTED, flexShrink: 1 }}>{item.label}</Text>
              <Text style={{ color: INK, marginLeft: 8 }}>{printable(item.value)}</Text>
            </View>
          ))}
        </View>
      </View>
      <View style={{ width: "48%" }}>
        <SectionHeading>{labels.totalsHeading}</SectionHeading>
        <View style={{ fontSize: 9 }}>
          {rows.map(([label, value]) => (
            <View
              key={label}
              style={{ flexDirection: "row", justifyContent: "space-between", paddingVertical: 2 }}
            >
              <Text style={{ color: MUTED }}>{label}</Text>
              <Text style={{ color: INK }} hyphenationCallback={noHyphens}>
                {value}
              </Text>
            </View>
          ))}
          <View
            style={{
              flexDirection: "row",
              justifyContent: "space-between",
              marginTop: 4,
              paddingVertical: 5,
              paddingHorizontal: 6,
              backgroundColor: "#f0fdfa",
              borderTopWidth: 1,
              borderTopColor: ACCENT,
              ...boldFont(),
              fontSize: 11,
            }}
          >
            <Text>{labels.totalDue}</Text>
            <Text hyphenationCallback={noHyphens}>{format.money(totals.totalCents)}</Text>
          </View>
        </View>
      </View>
    </View>
  );
}

const REFERRAL_WIDTHS = [34, 70, null, 80] as const;

function referralCell(index: number, bold = false) {
  const width = REFERRAL_WIDTHS[index];
  return {
    width: width ?? undefined,
    flexGrow: width === null ? 1 : 0,
    flexShrink: width === null ? 1 : 0,
    paddingHorizontal: 3,
    textAlign: index === 0 || index === 3 ? ("right" as const) : ("left" as const),
    ...(bold ? boldFont() : regularFont()),
  };
}

/** The referral credits and debits: a short table of their own, apart from the claim lines. */
function ReferralLines({ input, format }: { input: StatementDocumentInput; format: Formatters }) {
  const { labels, referrals } = input;
  if (referrals.length === 0) return null;
  const columns = labels.referrals.columns;
  return (
    <View>
      <SectionHeading>{labels.referrals.heading}</SectionHeading>
      <Text style={{ fontSize: 7.5, color: MUTED, marginBottom: 4 }}>
        {printable(labels.referrals.legend)}
      </Text>
      <View style={{ fontSize: 8 }}>
        <View
          wrap={false}
          style={{
            flexDirection: "row",
            paddingVertical: 2.5,
            borderBottomWidth: 0.75,
            borderBottomColor: INK,
            color: MUTED,
          }}
        >
          {[columns.line, columns.date, columns.description, columns.amount].map((label, index) => (
            <Text key={index} style={referralCell(index, true)}>
              {label}
            </Text>
          ))}
        </View>
        {referrals.map((row) => (
          <View
            key={row.lineNo}
            wrap={false}
            style={{
              flexDirection: "row",
              paddingVertical: 2.5,
              borderBottomWidth: 0.5,
              borderBottomColor: RULE,
              ...(row.debit ? { backgroundColor: CREDIT_TINT } : {}),
            }}
          >
            {[
              format.number(row.lineNo),
              format.date(row.occurredAt),
              printable(row.description),
              format.money(row.amountCents),
            ].map((cell, index) => (
              <Text key={index} style={referralCell(index)} hyphenationCallback={noHyphens}>
                {cell}
              </Text>
            ))}
          </View>
        ))}
      </View>
    </View>
  );
}

/**
 * On every page: a rule, the statement's name and number, and "page N of M". Separate
 * absolute pieces, each `fixed`, and the page numbers on a `fixed` Text's own render prop:
 * the form both paginators fill in on every page (inside a fixed View, the default paginator
 * would not give a nested Text its page).
 */
function Footer({ labels }: { labels: StatementPdfLabels }) {
  const base = { position: "absolute" as const, bottom: FOOTER_BOTTOM, fontSize: 7, color: FAINT };
  return (
    <>
      <View
        fixed
        style={{
          position: "absolute",
          left: MARGIN_X,
          right: MARGIN_X,
          bottom: FOOTER_BOTTOM + 11,
          borderTopWidth: 0.5,
          borderTopColor: RULE,
        }}
      />
      <Text
        fixed
        style={{ ...base, left: MARGIN_X, right: MARGIN_X + PAGE_OF_WIDTH, maxLines: 1 }}
        hyphenationCallback={noHyphens}
      >
        {printable(labels.footer)}
      </Text>
      <Text
        fixed
        style={{ ...base, right: MARGIN_X, width: PAGE_OF_WIDTH, textAlign: "right" }}
        render={({ pageNumber, totalPages }) =>
          fill(labels.pageOf, { page: String(pageNumber), pages: String(totalPages ?? "") })
        }
      />
    </>
  );
}

function StatementDocument({
  input,
  format,
  rows,
  chain,
  experimentalPagination = true,
}: {
  input: StatementDocumentInput;
  format: Formatters;
  rows: DrawnRow[];
  chain: GlyphFont[] | null;
} & StatementRenderOptions) {
  const { labels } = input;
  return (
    <Document
      title={printable(input.title)}
      author={printable(input.author)}
      subject={printable(input.title)}
      creator={PRODUCER}
      producer={PRODUCER}
      creationDate={input.creationDate}
      language={input.locale}
    >
      <Page
        size="A4"
        experimentalPagination={experimentalPagination}
        style={{
          ...regularFont(),
          fontSize: 9,
          color: INK,
          paddingTop: MARGIN_TOP,
          paddingBottom: MARGIN_BOTTOM,
          paddingHorizontal: MARGIN_X,
        }}
      >
        <Footer labels={labels} />
        <Parties input={input} />
        <SectionHeading>{labels.summaryHeading}</SectionHeading>
        <BundleSummary input={input} format={format} />
        <Totals input={input} format={format} />
        <ReferralLines input={input} format={format} />
        <SectionHeading>{labels.linesHeading}</SectionHeading>
        <Text style={{ fontSize: 7.5, color: MUTED, marginBottom: 4 }}>
          {`${labels.linesSummary} ${input.lines.count > 0 ? labels.creditLegend : ""}`.trim()}
        </Text>
        {rows.length > 0 ? (
          <LineTable rows={rows} labels={labels} chain={chain} />
        ) : (
          <Text style={{ fontSize: 8.5, color: MUTED }}>{labels.noLines}</Text>
        )}
      </Page>
    </Document>
  );
}

/** Pages of a rendered PDF: the page tree's /Count (pdfkit writes one flat tree). */
export function pdfPageCount(pdf: Uint8Array): number {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString("latin1");
  const match = /\/Type \/Pages[^>]{0,200}?\/Count (\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

/** Renders on the calling thread: call it from the worker (render.server.ts), not a request. */
export async function renderStatement(
  input: StatementDocumentInput,
  options: StatementRenderOptions = {},
): Promise<Buffer> {
  unicodeFonts = needsUnicodeFonts(input.locale);
  if (unicodeFonts) registerUnicodeFonts();
  const chain = unicodeFonts ? await loadUnicodeChain() : null;
  if (unicodeFonts) await loadUnicodeChain(700);
  const format = formattersFor(input.locale);
  const rows = drawnRows(input, format, chain ? chainMetrics(chain) : await lineFont());
  return renderToBuffer(
    <StatementDocument input={input} format={format} rows={rows} chain={chain} {...options} />,
  );
}
