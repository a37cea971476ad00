// Opaque keyset cursors: the last row's sort key, base64url-encoded JSON. A cursor a user
// tampered with decodes to null (first page), never to an error.
export function encodeCursor(key: unknown[]): string {
  const json = JSON.stringify(key);
  const bytes = new TextEncoder().encode(json);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(cursor: string | null | undefined, arity: number): unknown[] | null {
  if (!cursor || cursor.length > 500) return null;
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const key: unknown = JSON.parse(new TextDecoder().decode(bytes));
    // PostgreSQL text cannot hold NUL: a forged key with one is no cursor of ours.
    if (!Array.isArray(key) || key.length !== arity) return null;
    return key.some((part) => typeof part === "string" && part.includes("\u0000")) ? null : key;
  } catch {
    return null;
  }
}

/**
 * A page from a query that fetched limit + 1 rows: the extra row only tells that there
 * is a next page, whose cursor is the last shown row's sort key.
 */
export function keysetPage<T>(rows: T[], limit: number, keyOf: (row: T) => unknown[]) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
