// Fonts for documents in Thai and Ukrainian (ADR 035). The PDF built-in Helvetica writes
// WinAnsi only, so those documents embed Noto Sans instead, from the npm font packages
// (@fontsource/noto-sans, @fontsource/noto-sans-thai): their WOFF files, one per script
// subset, registered as separate families and listed as a fallback chain, so each character
// takes the first family that has it. pdfkit embeds each as a subset of the glyphs used.
// English documents keep Helvetica: their bytes do not change. Imports stay relative (the
// worker compiles this file with tsx).
import { createRequire } from "node:module";
import { Font } from "@react-pdf/renderer";

const require = createRequire(import.meta.url);

/** Family name → [package, file stem]; weights 400 and 700 of each. */
const FAMILIES = {
  NotoSansLatin: ["noto-sans", "noto-sans-latin"],
  NotoSansLatinExt: ["noto-sans", "noto-sans-latin-ext"],
  NotoSansCyrillic: ["noto-sans", "noto-sans-cyrillic"],
  NotoSansThai: ["noto-sans-thai", "noto-sans-thai-thai"],
} as const;

type Family = keyof typeof FAMILIES;
/** The order glyphs are looked for in: Latin (digits, €, punctuation) first. */
export const UNICODE_CHAIN: Family[] = [
  "NotoSansLatin",
  "NotoSansCyrillic",
  "NotoSansThai",
  "NotoSansLatinExt",
];

let registered = false;

export function registerUnicodeFonts(): void {
  if (registered) return;
  registered = true;
  for (const [family, [pkg, stem]] of Object.entries(FAMILIES)) {
    Font.register({
      family,
      fonts: [400, 700].map((fontWeight) => ({
        src: require.resolve(`@fontsource/${pkg}/files/${stem}-${fontWeight}-normal.woff`),
        fontWeight,
      })),
    });
  }
  Font.registerHyphenationCallback(wordParts);
}

const thaiWords = new Intl.Segmenter("th", { granularity: "word" });

/**
 * Where a space-separated "word" may break. Thai is written without spaces between words:
 * it breaks between the words Intl.Segmenter's dictionary finds, never inside one; anything
 * else stays whole (no hyphenation in any language).
 */
export function wordParts(word: string): string[] {
  return /[\u0e00-\u0e7f]/.test(word)
    ? [...thaiWords.segment(word)].map((part) => part.segment)
    : [word];
}

/** A font as fontkit loaded it: what pdfkit draws with and what the cells are measured with. */
export interface GlyphFont {
  unitsPerEm: number;
  ascent: number;
  hasGlyphForCodePoint(codePoint: number): boolean;
  layout(text: string): { advanceWidth: number };
}

/** The chain's fonts at one weight, loaded, in fallback order. */
export async function loadUnicodeChain(fontWeight: 400 | 700 = 400): Promise<GlyphFont[]> {
  registerUnicodeFonts();
  return Promise.all(
    UNICODE_CHAIN.map(async (fontFamily) => {
      const descriptor = { fontFamily, fontWeight, fontStyle: "normal" } as const;
      await Font.load(descriptor);
      const font = Font.getFont(descriptor)?.data as unknown as GlyphFont | undefined;
      if (!font || typeof font.layout !== "function") {
        throw new Error(`pdf fonts: ${fontFamily} did not load`);
      }
      if (fontFamily === "NotoSansThai") invisibleBreakMark(font);
      return font;
    }),
  );
}

/**
 * react-pdf's line breaker ends a line broken between two parts of a word with a hyphen
 * (U+002D) in the line's last font. Between Thai words there is no hyphen, and the Thai
 * font has none (a missing-glyph box would show): there it draws the font's space, which
 * prints nothing at the end of a line (its zero-width joiners have visible outlines).
 */
function invisibleBreakMark(font: GlyphFont): void {
  const patched = font as GlyphFont & {
    glyphForCodePoint(codePoint: number): unknown;
    breakMarkInvisible?: boolean;
  };
  if (patched.breakMarkInvisible) return;
  const glyphFor = patched.glyphForCodePoint.bind(patched);
  patched.glyphForCodePoint = (codePoint) => glyphFor(codePoint === 0x2d ? 0x20 : codePoint);
  patched.breakMarkInvisible = true;
}

/** Cuts text into runs of one font each: the first font of the chain that has the glyph. */
export function fontRuns(text: string, chain: GlyphFont[]): { text: string; font: GlyphFont }[] {
  const runs: { text: string; font: GlyphFont }[] = [];
  const [fallback] = chain;
  if (!fallback) throw new Error("fontRuns: the font chain is empty");
  for (const char of text) {
    const code = char.codePointAt(0)!;
    // Combining marks (Thai vowels and tones above and below) stay with their base.
    const previous = runs.at(-1);
    const font =
      previous && /\p{M}/u.test(char)
        ? previous.font
        : (chain.find((candidate) => candidate.hasGlyphForCodePoint(code)) ?? fallback);
    if (previous && previous.font === font) previous.text += char;
    else runs.push({ text: char, font });
  }
  return runs;
}

/**
 * Text for the Noto fonts: Intl's thin spaces become no-break spaces, and Thai SARA AM is
 * written as its two parts (NIKHAHIT + SARA AA), the glyphs shaping makes of it anyway, so
 * the line breaker's character offsets stay those of the glyphs (else a break lands one
 * character off, inside a word).
 */
export function unicodeText(text: string): string {
  return text
    .replace(/[\u2000-\u200a\u202f\u205f]/g, "\u00a0")
    .replace(/\u0e33/g, "\u0e4d\u0e32")
    .replace(/\t/g, " ");
}
