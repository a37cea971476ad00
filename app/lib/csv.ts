// CSV as the portal's exports write it (RFC 4180, CRLF line ends), and LIKE patterns for
// typed searches: one place for each, shared by the codes and clients exports.

export type CsvValue = string | number | boolean | null;

/**
 * One CSV cell: quoted when it holds a quote, comma or line break; a leading = + - @ (or tab,
 * carriage return) gets a ' so that a spreadsheet shows it as text rather than running it
 * (recipients and business names are typed by people outside the partner).
 */
export function csvCell(value: CsvValue): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: CsvValue[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** Typed text made literal inside a LIKE pattern (its \ % _ escaped). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A CSV download read in keyset chunks as the consumer pulls: the header first, then one
 * chunk of rows at a time, never more in memory however many rows match. `readChunk` gets
 * the key of the last row sent (null at first) and returns up to `chunkSize` rows; a short
 * chunk ends the file. `bom` starts it with a UTF-8 byte order mark, which spreadsheet
 * programs need to read non-ASCII names correctly.
 */
export function csvStream<Row, Key>({
  header,
  bom = false,
  chunkSize,
  readChunk,
  lineOf,
  keyOf,
}: {
  header: CsvValue[];
  bom?: boolean;
  chunkSize: number;
  readChunk: (after: Key | null, limit: number) => Promise<Row[]>;
  lineOf: (row: Row) => string;
  keyOf: (row: Row) => Key;
}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: Key | null = null;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(`${bom ? "\uFEFF" : ""}${csvLine(header)}`));
      },
      async pull(controller) {
        const rows = await readChunk(after, chunkSize);
        if (rows.length > 0) controller.enqueue(encoder.encode(rows.map(lineOf).join("")));
        const last = rows[rows.length - 1];
        if (rows.length < chunkSize || last === undefined) controller.close();
        else after = keyOf(last);
      },
    },
    // Nothing is read ahead: the next chunk is fetched only when the previous one was taken.
    { highWaterMark: 0 },
  );
}
