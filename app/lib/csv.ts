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
