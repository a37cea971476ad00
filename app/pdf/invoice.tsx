/** @jsxRuntime automatic @jsxImportSource react */
// A business invoice or credit note as an A4 PDF: issuer, billed-to (the stored snapshot),
// number, dates, the lines, net, VAT, total and the reverse-charge note, "page N of M" in the
// footer. Pure layout, run in a worker thread (invoice.worker.mjs): every text arrives
// translated and formatted (an invoice has a handful of lines). Always in the embedded Noto
// Sans chain: a billed-to name may be Thai or Cyrillic whatever language the document is in.
// The status is never printed (ADR 037): the bytes stay those of the first render.
// The worker compiles this file with tsx: imports stay relative (no "~/" aliases).
import { Document, Page, Text, View, renderToBuffer } from "@react-pdf/renderer";
import {
  loadUnicodeChain,
  registerUnicodeFonts,
  UNICODE_CHAIN,
  unicodeText,
  wordParts,
} from "./fonts";

export interface LabelledValue {
  label: string;
  value: string;
}

export interface InvoiceDocumentInput {
  /** PDF metadata */
  title: string;
  author: string;
  /** The issue instant: the PDF's creation date, so every render gives the same bytes. */
  creationDate: Date;
  /** BCP 47 tag of the document's language (PDF metadata). */
  locale: string;
  /** "Invoice" or "Credit note" */
  heading: string;
  issuerHeading: string;
  /** The issuer's name and address block, one line each. */
  issuerLines: string[];
  billedToHeading: string;
  /** Legal name first, then the address lines, country and VAT id. */
  billedToLines: string[];
  /** Number, issue date, period, the invoice a credit note credits: label and value. */
  facts: LabelledValue[];
  columns: { description: string; amount: string };
  lines: { description: string; amount: string }[];
  /** Net and VAT rows; the last row (the total) is printed bold. */
  totals: LabelledValue[];
  /** Notes under the totals (the reverse charge). */
  notes: string[];
  /** Footer, left: "7stamp · Invoice INV-2026-00042". */
  footer: string;
  /** Footer, right: "page {{page}} of {{pages}}": filled in per page. */
  pageOf: string;
}

const PRODUCER = "7stamp Partner Portal";
const MM = 72 / 25.4;
const MARGIN_X = 18 * MM;
const FOOTER_BOTTOM = 10 * MM;
const INK = "#111827";
const MUTED = "#4b5563";
const FAINT = "#6b7280";
const RULE = "#d1d5db";
const ACCENT = "#0f766e";
const FACT_LABEL_WIDTH = 110;
const AMOUNT_WIDTH = 90;

const regular = { fontFamily: UNICODE_CHAIN, fontWeight: 400 as const };
const bold = { fontFamily: UNICODE_CHAIN, fontWeight: 700 as const };
/** Numbers, codes and names never gain a hyphen; Thai breaks between words only. */
const noHyphens = (word: string) => wordParts(word);
const text = unicodeText;

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (match, name: string) => values[name] ?? match);
}

function Caption({ children }: { children: string }) {
  return (
    <Text style={{ fontSize: 7, color: FAINT, textTransform: "uppercase", marginBottom: 3 }}>
      {text(children)}
    </Text>
  );
}

function Parties({ input }: { input: InvoiceDocumentInput }) {
  return (
    <View style={{ flexDirection: "row", justifyContent: "space-between", fontSize: 9 }}>
      <View style={{ width: "48%", lineHeight: 1.1 }}>
        <Caption>{input.issuerHeading}</Caption>
        {input.issuerLines.map((line, index) => (
          <Text
            key={index}
            style={index === 0 ? { ...bold, fontSize: 11, color: INK } : { color: MUTED }}
          >
            {text(line)}
          </Text>
        ))}
        <View style={{ marginTop: 14 }}>
          <Caption>{input.billedToHeading}</Caption>
          {input.billedToLines.map((line, index) => (
            <Text
              key={index}
              style={index === 0 ? { ...bold, fontSize: 11, color: INK } : { color: MUTED }}
              hyphenationCallback={noHyphens}
            >
              {text(line)}
            </Text>
          ))}
        </View>
      </View>
      <View style={{ width: "48%", lineHeight: 1.1 }}>
        <Text style={{ ...bold, fontSize: 18, color: INK, marginBottom: 8 }}>
          {text(input.heading)}
        </Text>
        {input.facts.map((fact) => (
          <View key={fact.label} style={{ flexDirection: "row", marginBottom: 2 }} wrap={false}>
            <Text style={{ width: FACT_LABEL_WIDTH, flexShrink: 0, color: MUTED }}>
              {text(fact.label)}
            </Text>
            <Text
              style={{ flexGrow: 1, flexShrink: 1, color: INK }}
              hyphenationCallback={noHyphens}
            >
              {text(fact.value)}
            </Text>
          </View>
        ))}
      </View>
    </View>
  );
}

function Lines({ input }: { input: InvoiceDocumentInput }) {
  return (
    <View style={{ marginTop: 24, fontSize: 9 }}>
      <View
        fixed
        style={{
          flexDirection: "row",
          paddingVertical: 3,
          borderBottomWidth: 0.75,
          borderBottomColor: INK,
          color: MUTED,
          ...bold,
        }}
      >
        <Text style={{ flexGrow: 1, flexShrink: 1 }}>{text(input.columns.description)}</Text>
        <Text style={{ width: AMOUNT_WIDTH, textAlign: "right" }}>
          {text(input.columns.amount)}
        </Text>
      </View>
      {input.lines.map((line, index) => (
        <View
          key={index}
          wrap={false}
          style={{
            flexDirection: "row",
            paddingVertical: 4,
            borderBottomWidth: 0.5,
            borderBottomColor: RULE,
          }}
        >
          <Text style={{ flexGrow: 1, flexShrink: 1, flexBasis: 0, paddingRight: 8 }}>
            {text(line.description)}
          </Text>
          <Text style={{ width: AMOUNT_WIDTH, textAlign: "right" }} hyphenationCallback={noHyphens}>
            {text(line.amount)}
          </Text>
        </View>
      ))}
    </View>
  );
}

function Totals({ input }: { input: InvoiceDocumentInput }) {
  const last = input.totals.length - 1;
  return (
    <View wrap={false} style={{ marginTop: 10, marginLeft: "45%", fontSize: 9.5 }}>
      {input.totals.map((row, index) => (
        <View
          key={row.label}
          style={
            index === last
              ? {
                  flexDirection: "row",
                  justifyContent: "space-between",
                  marginTop: 4,
                  paddingVertical: 5,
                  paddingHorizontal: 6,
                  backgroundColor: "#f0fdfa",
                  borderTopWidth: 1,
                  borderTopColor: ACCENT,
                  ...bold,
                  fontSize: 11.5,
                }
              : { flexDirection: "row", justifyContent: "space-between", paddingVertical: 2 }
          }
        >
          <Text style={index === last ? {} : { color: MUTED }}>{text(row.label)}</Text>
          <Text hyphenationCallback={noHyphens}>{text(row.value)}</Text>
        </View>
      ))}
    </View>
  );
}

function Footer({ input }: { input: InvoiceDocumentInput }) {
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
      <Text fixed style={{ ...base, left: MARGIN_X, right: MARGIN_X + 100, maxLines: 1 }}>
        {text(input.footer)}
      </Text>
      <Text
        fixed
        style={{ ...base, right: MARGIN_X, width: 100, textAlign: "right" }}
        render={({ pageNumber, totalPages }) =>
          text(fill(input.pageOf, { page: String(pageNumber), pages: String(totalPages ?? "") }))
        }
      />
    </>
  );
}

function InvoiceDocument({ input }: { input: InvoiceDocumentInput }) {
  return (
    <Document
      title={text(input.title)}
      author={text(input.author)}
      subject={text(input.title)}
      creator={PRODUCER}
      producer={PRODUCER}
      creationDate={input.creationDate}
      language={input.locale}
    >
      <Page
        size="A4"
        style={{
          ...regular,
          fontSize: 9,
          color: INK,
          paddingTop: 16 * MM,
          paddingBottom: 22 * MM,
          paddingHorizontal: MARGIN_X,
        }}
      >
        <Footer input={input} />
        <Parties input={input} />
        <Lines input={input} />
        <Totals input={input} />
        {input.notes.map((note, index) => (
          <Text key={index} style={{ marginTop: 12, fontSize: 8.5, color: MUTED }}>
            {text(note)}
          </Text>
        ))}
      </Page>
    </Document>
  );
}

/** Renders on the calling thread: call it from the worker (render.server.ts), not a request. */
export async function renderInvoice(input: InvoiceDocumentInput): Promise<Buffer> {
  registerUnicodeFonts();
  await loadUnicodeChain(400);
  await loadUnicodeChain(700);
  return renderToBuffer(<InvoiceDocument input={input} />);
}
