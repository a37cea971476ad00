// The text of a PDF the portal rendered (react-pdf over pdfkit, the built-in fonts), page by
// page, without a PDF library: follow the page tree to each page's content stream, inflate
// it and decode the strings its text operators show. Enough for our own documents (WinAnsi
// strings, one flat page tree, no object streams), not a general PDF reader.
import { inflateSync } from "node:zlib";

// WinAnsi bytes 0x80–0x9F that are not Latin-1.
const WIN_ANSI: Record<number, string> = {
  0x80: "€",
  0x82: "‚",
  0x83: "ƒ",
  0x84: "„",
  0x85: "…",
  0x86: "†",
  0x87: "‡",
  0x88: "ˆ",
  0x89: "‰",
  0x8a: "Š",
  0x8b: "‹",
  0x8c: "Œ",
  0x8e: "Ž",
  0x91: "‘",
  0x92: "’",
  0x93: "“",
  0x94: "”",
  0x95: "•",
  0x96: "–",
  0x97: "—",
  0x98: "˜",
  0x99: "™",
  0x9a: "š",
  0x9b: "›",
  0x9c: "œ",
  0x9e: "ž",
  0x9f: "Ÿ",
};

function decodeBytes(bytes: number[]): string {
  let text = "";
  for (const byte of bytes) text += WIN_ANSI[byte] ?? String.fromCharCode(byte);
  // No-break spaces (Intl puts them in "1.234,56 €") read as plain spaces.
  return text.replace(/\u00a0/g, " ");
}

function hexBytes(hex: string): number[] {
  const clean = hex.replace(/\s+/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < clean.length; i += 2)
    bytes.push(parseInt(clean.slice(i, i + 2).padEnd(2, "0"), 16));
  return bytes;
}

function literalBytes(literal: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < literal.length; i++) {
    const char = literal.charAt(i);
    if (char !== "\\") {
      bytes.push(char.charCodeAt(0));
      continue;
    }
    // The string pattern (STRING) only matches a backslash followed by a character.
    const next = literal.charAt(++i);
    const escapes: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12 };
    const escaped = escapes[next];
    if (escaped !== undefined) bytes.push(escaped);
    else if (/[0-7]/.test(next)) {
      let octal = next;
      while (octal.length < 3 && /[0-7]/.test(literal.charAt(i + 1))) octal += literal.charAt(++i);
      bytes.push(parseInt(octal, 8));
    } else if (next !== "\n") bytes.push(next.charCodeAt(0));
  }
  return bytes;
}

const STRING = /<([0-9a-fA-F\s]*)>|\(((?:[^()\\]|\\[\s\S])*)\)/g;

function decodeStrings(operand: string): string {
  let text = "";
  for (const match of operand.matchAll(STRING)) {
    text += decodeBytes(match[1] !== undefined ? hexBytes(match[1]) : literalBytes(match[2] ?? ""));
  }
  return text;
}

/**
 * How far the graphics state stack drops between two text objects. react-pdf draws each run
 * of a line in its own q … Q after a horizontal move, and closes the line's (and its box's)
 * groups before the next line: a drop of more than one level means a new line.
 */
function stackDrop(between: string): number {
  let depth = 0;
  let lowest = 0;
  for (const op of between.matchAll(/(?:^|\s)([qQ])(?=\s|$)/g)) {
    depth += op[1] === "q" ? 1 : -1;
    lowest = Math.min(lowest, depth);
  }
  return -lowest;
}

/**
 * The strings shown in a content stream: one line per line of text on the page. react-pdf's
 * text runs all start at the same text matrix (it moves the page with cm instead), so their
 * nesting tells lines apart; text drawn with pdfkit's text() (the statement's line table)
 * carries its position in the matrix: another y is another line, another x another cell.
 */
export function contentStreamText(content: string): string {
  const lines: string[] = [];
  let line = "";
  let previousEnd = -1;
  let previousAt: [string, string] | null = null;
  for (const block of content.matchAll(/\bBT\b([\s\S]*?)\bET\b/g)) {
    let shown = "";
    // pdfkit shows text as hex strings (TJ arrays of strings and kerning numbers).
    const shows = /\[([^\]]*)\]\s*TJ|(<[0-9a-fA-F\s]*>|\((?:[^()\\]|\\[\s\S])*\))\s*(?:Tj|'|")/g;
    const body = block[1] ?? "";
    for (const show of body.matchAll(shows)) shown += decodeStrings(show[1] ?? show[2] ?? "");
    const matrix = /(-?[\d.]+)\s+(-?[\d.]+)\s+Tm/.exec(body);
    const at: [string, string] | null = matrix ? [matrix[1] ?? "", matrix[2] ?? ""] : null;
    let separator: string | null = null;
    if (previousEnd >= 0 && stackDrop(content.slice(previousEnd, block.index)) <= 1) {
      if (!at || !previousAt) separator = "";
      else if (at[1] === previousAt[1]) separator = at[0] === previousAt[0] ? "" : " ";
    }
    if (separator === null) {
      if (line) lines.push(line);
      line = shown;
    } else {
      line += separator + shown;
    }
    previousEnd = block.index + block[0].length;
    previousAt = at;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

interface PdfObject {
  dictionary: string;
  stream: Buffer | null;
}

/** Every `N 0 obj … endobj` of the file, with its stream's raw bytes. */
function readObjects(pdf: Buffer): Map<number, PdfObject> {
  const raw = pdf.toString("latin1");
  const objects = new Map<number, PdfObject>();
  const header = /(\d+) 0 obj\s*/g;
  for (let match = header.exec(raw); match; match = header.exec(raw)) {
    const start = match.index + match[0].length;
    const streamAt = raw.indexOf("stream", start);
    const endAt = raw.indexOf("endobj", start);
    if (streamAt !== -1 && streamAt < endAt) {
      const dictionary = raw.slice(start, streamAt);
      const length = /\/Length (\d+)(?!\s+\d+\s+R)/.exec(dictionary);
      let dataStart = streamAt + "stream".length;
      if (raw[dataStart] === "\r") dataStart++;
      if (raw[dataStart] === "\n") dataStart++;
      const dataEnd = length ? dataStart + Number(length[1]) : raw.indexOf("endstream", dataStart);
      objects.set(Number(match[1]), { dictionary, stream: pdf.subarray(dataStart, dataEnd) });
      header.lastIndex = raw.indexOf("endobj", dataEnd);
    } else {
      objects.set(Number(match[1]), { dictionary: raw.slice(start, endAt), stream: null });
      header.lastIndex = endAt;
    }
  }
  return objects;
}

function streamText(object: PdfObject | undefined): string {
  if (!object?.stream) return "";
  const bytes = /\/FlateDecode/.test(object.dictionary)
    ? inflateSync(object.stream)
    : object.stream;
  return bytes.toString("latin1");
}

const refs = (text: string) => [...text.matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));

/** The text of each page, in page order (lines of a page joined with "\n"). */
export function pdfPages(pdf: Buffer | Uint8Array): string[] {
  const bytes = Buffer.isBuffer(pdf)
    ? pdf
    : Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const objects = readObjects(bytes);
  const root = [...objects.values()].find((o) => /\/Type\s*\/Pages\b/.test(o.dictionary));
  if (!root) throw new Error("pdf-text: no page tree");
  const pages: string[] = [];
  const visit = (dictionary: string) => {
    const kids = /\/Kids\s*\[([^\]]*)\]/.exec(dictionary);
    for (const id of refs(kids?.[1] ?? "")) {
      const kid = objects.get(id);
      if (!kid) continue;
      if (/\/Type\s*\/Pages\b/.test(kid.dictionary)) {
        visit(kid.dictionary);
        continue;
      }
      const contents = /\/Contents\s*(\[[^\]]*\]|\d+ 0 R)/.exec(kid.dictionary);
      const text = refs(contents?.[1] ?? "")
        .map((ref) => contentStreamText(streamText(objects.get(ref))))
        .join("\n");
      pages.push(text);
    }
  };
  visit(root.dictionary);
  return pages;
}

/** The whole document's text: its pages joined with a form feed. */
export function pdfText(pdf: Buffer | Uint8Array): string {
  return pdfPages(pdf).join("\f");
}

/** The document information dictionary's entries (Title, Author, Producer, CreationDate…). */
export function pdfInfo(pdf: Buffer | Uint8Array): Record<string, string> {
  const bytes = Buffer.isBuffer(pdf)
    ? pdf
    : Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const objects = readObjects(bytes);
  const info: Record<string, string> = {};
  const holder = [...objects.values()].find((o) => /\/Producer\s*[(<\d]/.test(o.dictionary));
  if (!holder) return info;
  const string = /^\s*(?:<([0-9a-fA-F\s]*)>|\(((?:[^()\\]|\\[\s\S])*)\))/;
  for (const entry of holder.dictionary.matchAll(
    /\/(\w+)\s*(\d+ 0 R|<[0-9a-fA-F\s]*>|\((?:[^()\\]|\\[\s\S])*\))/g,
  )) {
    const [, key = "", operand = ""] = entry;
    // pdfkit writes each entry as an object of its own: follow the reference.
    const ref = /^(\d+) 0 R$/.exec(operand);
    const value = string.exec(ref ? (objects.get(Number(ref[1]))?.dictionary ?? "") : operand);
    if (!value) continue;
    const raw = value[1] !== undefined ? hexBytes(value[1]) : literalBytes(value[2] ?? "");
    // Text strings beyond ASCII come as UTF-16BE after a byte-order mark.
    info[key] =
      raw[0] === 0xfe && raw[1] === 0xff
        ? Buffer.from(raw.slice(2)).swap16().toString("utf16le")
        : decodeBytes(raw);
  }
  return info;
}
