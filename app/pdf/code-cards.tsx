/** @jsxRuntime automatic @jsxImportSource react */
// The printable code cards of a batch: A4 sheets of ten cards (2 × 5, 90 × 55 mm) with cut
// lines and crop marks. Pure layout: every string arrives translated and formatted, so this
// module runs in a worker thread without i18next or the app's environment.
// The worker compiles this file with tsx: imports stay bare (no "~/" aliases), and the
// pragma above keeps the automatic JSX runtime whatever tsconfig tsx finds.
import { Document, Line, Page, Path, Svg, Text, View, renderToBuffer } from "@react-pdf/renderer";
import { loadUnicodeChain, registerUnicodeFonts, UNICODE_CHAIN } from "./fonts";
import QRCode from "qrcode";

export interface CodeCard {
  /** "CAFE-ABCD-EFGH-JKMN-PQRS": prefix and grouped code, as the person types it. */
  code: string;
  /** "Code #123". */
  serialLabel: string;
  /** The /redeem/{code} link, printed as text and encoded in the QR code. */
  redeemUrl: string;
  /** "Redeem by 26 Nov 2027". */
  redeemBy: string;
}

export interface CodeCardsInput {
  /** PDF metadata title, e.g. "Activation codes · Café Starter". */
  title: string;
  /** PDF metadata author: the partner. */
  author: string;
  /**
   * PDF metadata creation date: the batch's, so that its cards are the same bytes on every
   * render. Without it, the time of rendering.
   */
  creationDate?: Date;
  partnerName: string;
  /** Noto Sans (Thai, Cyrillic, Latin) instead of Helvetica, for text WinAnsi cannot write. */
  unicodeFonts?: boolean;
  bundleName: string;
  /** ["2 staff seats", "1,000 card operations", "12 months"]: lines break only between them. */
  bundleContent: string[];
  /** Short line above the link: "Scan the QR code or open the link to redeem:". */
  redeemHint: string;
  cards: CodeCard[];
}

export const CARDS_PER_PAGE = 10;

/** Helvetica, or the Noto Sans chain of ./fonts.ts when the labels are Thai or Ukrainian. */
function textFont(input: CodeCardsInput, bold = false) {
  if (!input.unicodeFonts) return { fontFamily: bold ? "Helvetica-Bold" : "Helvetica" };
  registerUnicodeFonts();
  return { fontFamily: UNICODE_CHAIN, fontWeight: bold ? 700 : 400 };
}

/** For codes and links, which must never gain a hyphen ("re-deem"). */
const noHyphens = (word: string) => [word];

const MM = 72 / 25.4;
const PAGE_WIDTH = 210 * MM;
const PAGE_HEIGHT = 297 * MM;
const CARD_WIDTH = 90 * MM;
const CARD_HEIGHT = 55 * MM;
const COLUMNS = 2;
const ROWS = 5;
const MARGIN_X = (PAGE_WIDTH - COLUMNS * CARD_WIDTH) / 2;
const MARGIN_Y = (PAGE_HEIGHT - ROWS * CARD_HEIGHT) / 2;
// Content keeps clear of the cut by this much, so an imprecise cut never touches it.
const BLEED_SAFE = 4.5 * MM;
const QR_SIZE = 24 * MM;
const QR_QUIET_ZONE = 2; // modules; the card's white around it adds the rest
const CONTENT_WIDTH = CARD_WIDTH - 2 * BLEED_SAFE;
const TEXT_COLUMN_WIDTH = CONTENT_WIDTH - QR_SIZE - 4 * MM;
const CODE_WIDTH = CONTENT_WIDTH - 4 * MM;
const COURIER_ADVANCE = 0.6; // Courier is monospaced: every glyph is 0.6 em wide
const INK = "#111827";
const MUTED = "#4b5563";
const ACCENT = "#0f766e";
const CUT = "#9ca3af";
const TINT = "#f0fdfa";
const TINT_EDGE = "#99f6e4";

/** The QR code's dark modules as one SVG path: one rectangle per horizontal run. */
export function qrPath(text: string): { d: string; size: number } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const size = modules.size;
  const parts: string[] = [];
  for (let y = 0; y < size; y++) {
    let x = 0;
    while (x < size) {
      if (!modules.get(y, x)) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && modules.get(y, x)) x++;
      const qx = start + QR_QUIET_ZONE;
      const qy = y + QR_QUIET_ZONE;
      parts.push(`M${qx} ${qy}h${x - start}v1h${start - x}z`);
    }
  }
  return { d: parts.join(""), size: size + 2 * QR_QUIET_ZONE };
}

/** The largest Courier size, up to `max`, at which `text` fits `width` on one line. */
function monospaceFit(text: string, width: number, max: number): number {
  // A hair of slack: a line that fits exactly is still broken by the layout engine.
  return Math.min(max, (0.98 * width) / (text.length * COURIER_ADVANCE));
}

function Card({
  card,
  input,
  bundleContent,
}: {
  card: CodeCard;
  input: CodeCardsInput;
  bundleContent: string;
}) {
  const qr = qrPath(card.redeemUrl);
  return (
    <View
      wrap={false}
      style={{
        width: CARD_WIDTH,
        height: CARD_HEIGHT,
        padding: BLEED_SAFE,
        flexDirection: "column",
        justifyContent: "space-between",
      }}
    >
      <View style={{ flexDirection: "row", justifyContent: "space-between" }}>
        <View style={{ width: TEXT_COLUMN_WIDTH }}>
          <Text
            style={{
              ...textFont(input, true),
              fontSize: 7,
              // Spacing letters apart would pull Thai marks off their consonants.
              letterSpacing: input.unicodeFonts ? 0 : 0.8,
              color: ACCENT,
              textTransform: "uppercase",
              maxLines: 1,
              textOverflow: "ellipsis",
            }}
          >
            {input.partnerName}
          </Text>
          <Text
            style={{
              ...textFont(input, true),
              fontSize: 12,
              color: INK,
              marginTop: 3,
              maxLines: 2,
              textOverflow: "ellipsis",
            }}
          >
            {input.bundleName}
          </Text>
          <Text style={{ fontSize: 7.5, color: MUTED, marginTop: 2, lineHeight: 1.3 }}>
            {bundleContent}
          </Text>
          <Text style={{ fontSize: 7.5, color: INK, marginTop: 5 }}>{card.redeemBy}</Text>
          <Text style={{ fontSize: 6.5, color: MUTED, marginTop: 2 }}>{card.serialLabel}</Text>
        </View>
        <Svg
          width={QR_SIZE}
          height={QR_SIZE}
          viewBox={`0 0 ${qr.size} ${qr.size}`}
          style={{ marginTop: -1 * MM, marginRight: -1 * MM }}
        >
          <Path d={qr.d} fill={INK} />
        </Svg>
      </View>
      <View>
        <View
          style={{
            backgroundColor: TINT,
            borderRadius: 1.5 * MM,
            borderWidth: 0.5,
            borderColor: TINT_EDGE,
            paddingVertical: 1.6 * MM,
            alignItems: "center",
          }}
        >
          <Text
            hyphenationCallback={noHyphens}
            style={{
              fontFamily: "Courier-Bold",
              fontSize: monospaceFit(card.code, CODE_WIDTH, 13),
              color: INK,
            }}
          >
            {card.code}
          </Text>
        </View>
        <Text style={{ fontSize: 5.5, color: MUTED, marginTop: 2.5 }}>{input.redeemHint}</Text>
        {/* Monospaced so that it can be sized to fit one line: a link must never wrap. */}
        <Text
          hyphenationCallback={noHyphens}
          style={{
            fontFamily: "Courier",
            fontSize: monospaceFit(card.redeemUrl, CONTENT_WIDTH, 6.5),
            color: INK,
            marginTop: 1,
          }}
        >
          {card.redeemUrl}
        </Text>
      </View>
    </View>
  );
}

/** Light cut lines along every card edge, and crop marks out in the margins. */
function CutMarks() {
  const xs = Array.from({ length: COLUMNS + 1 }, (_, i) => MARGIN_X + i * CARD_WIDTH);
  const ys = Array.from({ length: ROWS + 1 }, (_, i) => MARGIN_Y + i * CARD_HEIGHT);
  const gap = 1.5 * MM;
  const thin = { stroke: CUT, strokeWidth: 0.3, strokeDasharray: "2 2" };
  const mark = { stroke: INK, strokeWidth: 0.4 };
  return (
    <Svg
      width={PAGE_WIDTH}
      height={PAGE_HEIGHT}
      style={{ position: "absolute", top: 0, left: 0 }}
      fixed
    >
      {xs.map((x) => (
        <Line key={`v${x}`} x1={x} y1={MARGIN_Y} x2={x} y2={PAGE_HEIGHT - MARGIN_Y} {...thin} />
      ))}
      {ys.map((y) => (
        <Line key={`h${y}`} x1={MARGIN_X} y1={y} x2={PAGE_WIDTH - MARGIN_X} y2={y} {...thin} />
      ))}
      {xs.flatMap((x) => [
        <Line key={`tv${x}`} x1={x} y1={gap} x2={x} y2={MARGIN_Y - gap} {...mark} />,
        <Line
          key={`bv${x}`}
          x1={x}
          y1={PAGE_HEIGHT - MARGIN_Y + gap}
          x2={x}
          y2={PAGE_HEIGHT - gap}
          {...mark}
        />,
      ])}
      {ys.flatMap((y) => [
        <Line key={`lh${y}`} x1={gap} y1={y} x2={MARGIN_X - gap} y2={y} {...mark} />,
        <Line
          key={`rh${y}`}
          x1={PAGE_WIDTH - MARGIN_X + gap}
          y1={y}
          x2={PAGE_WIDTH - gap}
          y2={y}
          {...mark}
        />,
      ])}
    </Svg>
  );
}

function Sheet({
  cards,
  input,
  bundleContent,
}: {
  cards: CodeCard[];
  input: CodeCardsInput;
  bundleContent: string;
}) {
  return (
    // The page keeps its A4 size: `wrap={false}` on a Page makes react-pdf size it to its
    // content (810 pt tall, losing the bottom margin and cut marks). Each card is unbreakable
    // instead, and ten of them fit one sheet exactly.
    <Page size="A4" style={{ ...textFont(input), paddingTop: MARGIN_Y, paddingLeft: MARGIN_X }}>
      <CutMarks />
      <View style={{ flexDirection: "row", flexWrap: "wrap", width: COLUMNS * CARD_WIDTH }}>
        {cards.map((card) => (
          <Card key={card.code} card={card} input={input} bundleContent={bundleContent} />
        ))}
      </View>
    </Page>
  );
}

export function CodeCardsDocument({ input }: { input: CodeCardsInput }) {
  // No-break spaces inside each part: "12 months" never splits into "12" and "months".
  const bundleContent = input.bundleContent.map((part) => part.replace(/ /g, "\u00a0")).join(" · ");
  const sheets: CodeCard[][] = [];
  for (let i = 0; i < input.cards.length; i += CARDS_PER_PAGE) {
    sheets.push(input.cards.slice(i, i + CARDS_PER_PAGE));
  }
  return (
    <Document
      title={input.title}
      author={input.author}
      creator="7stamp"
      producer="7stamp"
      creationDate={input.creationDate}
    >
      {sheets.map((cards, index) => (
        <Sheet key={index} cards={cards} input={input} bundleContent={bundleContent} />
      ))}
    </Document>
  );
}

/** Renders on the calling thread: call it from the worker (render.server.ts), not a request. */
export async function renderCodeCards(input: CodeCardsInput): Promise<Buffer> {
  // Loaded before layout: the Thai font then ends a line broken between words blank.
  if (input.unicodeFonts) await Promise.all([loadUnicodeChain(400), loadUnicodeChain(700)]);
  return renderToBuffer(<CodeCardsDocument input={input} />);
}
