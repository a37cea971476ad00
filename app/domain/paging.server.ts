// One paginator for every list (ADR 021). A list is read newest-first or by name, and a page
// ends at its last row; the next page starts strictly after that row's sort key *and id*, so
// rows that tie on the sort key are neither skipped nor repeated. Timestamps travel at full
// (microsecond) precision as text, never through a JavaScript Date (milliseconds).
//
// The cursor is opaque: base64url of JSON [list, ...key]. It names the list (and its sort), so
// a cursor from another list or sort is refused like a forged one. One policy for a cursor we
// did not make: `InvalidCursor` (400, field "cursor"). The API answers it as a problem; a page
// shows the first page and says the link was out of date (`readPage` in ~/lib/paging).
import { sql, type Expression } from "kysely";
import { isUuid } from "~/lib/ids";
import { DomainError } from "./errors.server";
import { storable } from "~/lib/storable-text";

export class InvalidCursor extends DomainError {
  constructor() {
    super(
      "invalid_request",
      "The cursor does not belong to this list; start again from the first page.",
      "cursor",
    );
  }
}

export interface Page<T> {
  rows: T[];
  nextCursor: string | null;
}

/** What one part of a key may hold, checked when a cursor is read back. */
export type KeyPart =
  | "timestamp" // full-precision timestamp text, from `fullPrecision()`
  | "uuid"
  | "serial" // a positive safe integer
  | "number" // any finite number (a computed sort key)
  | "number?" // the same, or null (a sort key that may be missing)
  | "text"; // bounded text without NUL

type PartValue<P extends KeyPart> = P extends "timestamp" | "uuid" | "text"
  ? string
  : P extends "serial" | "number"
    ? number
    : number | null;

export type KeyOf<Parts extends readonly KeyPart[]> = { [I in keyof Parts]: PartValue<Parts[I]> };

const MAX_CURSOR_LENGTH = 1500; // a 300-character name in any script fits
const MAX_TEXT_PART = 300;
// "2026-11-26T14:00:00.123456Z", as `fullPrecision()` writes it.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/;

function validTimestamp(value: string): boolean {
  const m = TIMESTAMP.exec(value);
  if (!m) return false;
  const [, y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Round-trips only when every field is in range (no 2026-02-31, no hour 25).
  return (
    y >= 1 &&
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s
  );
}

function partFits(part: KeyPart, value: unknown): boolean {
  switch (part) {
    case "timestamp":
      return typeof value === "string" && validTimestamp(value);
    case "uuid":
      return isUuid(value);
    case "serial":
      return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "number?":
      return value === null || (typeof value === "number" && Number.isFinite(value));
    case "text":
      return typeof value === "string" && value.length <= MAX_TEXT_PART && storable(value);
  }
}

function toBase64Url(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(cursor: string): unknown {
  const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
}

export interface Keyset<Parts extends readonly KeyPart[]> {
  /** The key the cursor carries, or null for the first page; a cursor we did not make throws. */
  after(cursor: string | null | undefined): KeyOf<Parts> | null;
  /** The cursor that starts after this key. */
  cursorAfter(key: KeyOf<Parts>): string;
  /**
   * A page from rows fetched with `limit + 1`: the extra row only tells that there is a next
   * page, whose cursor is the last shown row's key.
   */
  page<T>(rows: T[], limit: number, keyOf: (row: T) => KeyOf<Parts>): Page<T>;
}

/**
 * A list's keyset: its name (with the sort, where a list has several) and the kinds of its
 * key's parts, the last of which identifies a row (an id or a serial).
 */
export function keyset<const Parts extends readonly KeyPart[]>(
  list: string,
  parts: Parts,
): Keyset<Parts> {
  const cursorAfter = (key: KeyOf<Parts>) => toBase64Url(JSON.stringify([list, ...key]));
  return {
    after(cursor) {
      if (cursor === null || cursor === undefined || cursor === "") return null;
      if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
        throw new InvalidCursor();
      }
      let decoded: unknown;
      try {
        decoded = fromBase64Url(cursor);
      } catch {
        throw new InvalidCursor();
      }
      if (!Array.isArray(decoded) || decoded.length !== parts.length + 1) throw new InvalidCursor();
      const [name, ...key] = decoded as unknown[];
      if (name !== list || !parts.every((part, i) => partFits(part, key[i]))) {
        throw new InvalidCursor();
      }
      return key as KeyOf<Parts>;
    },
    cursorAfter,
    page(rows, limit, keyOf) {
      const shown = rows.slice(0, limit);
      const last = shown[shown.length - 1];
      return {
        rows: shown,
        nextCursor: rows.length > limit && last ? cursorAfter(keyOf(last)) : null,
      };
    },
  };
}

/** A page size from a caller's wish: whole, at least 1, at most `max`. */
export function pageSize(limit: number | null | undefined, fallback: number, max: number): number {
  const whole = Math.trunc(Number(limit));
  if (!Number.isFinite(whole) || whole < 1) return fallback;
  return Math.min(whole, max);
}

/**
 * A timestamp column as UTC text with all six fractional digits, for a cursor: a Date would
 * drop the microseconds and skip rows made in the same millisecond.
 */
export function fullPrecision(column: Expression<unknown>) {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** A timestamp cursor part, back in SQL. */
export function timestampParam(value: string) {
  return sql<Date>`${value}::timestamptz`;
}

/**
 * Rows strictly after `key` in the list's order: `(a, b, …) < (x, y, …)` newest first, `>`
 * in ascending order. Every part sorts in the same direction; values are parameters (or
 * expressions such as `timestampParam`).
 */
export function afterKey(
  columns: readonly Expression<unknown>[],
  values: readonly unknown[],
  direction: "asc" | "desc",
) {
  const operator = sql.raw(direction === "desc" ? "<" : ">");
  return sql<boolean>`(${sql.join(columns)}) ${operator} (${sql.join(values)})`;
}

/**
 * How a page reads a list: with the cursor of its link, or — when that link is out of date or
 * was not made by us — the first page, flagged so the page can say so (`StaleCursorNotice`).
 */
export async function readPage<T extends Page<unknown>>(
  cursor: string | null | undefined,
  read: (cursor: string | null) => Promise<T>,
): Promise<T & { staleCursor: boolean }> {
  try {
    return { ...(await read(cursor || null)), staleCursor: false };
  } catch (error) {
    if (!(error instanceof InvalidCursor)) throw error;
    return { ...(await read(null)), staleCursor: true };
  }
}
