// The activation code format, and the only place that knows it: 15 random symbols of
// Crockford base32 plus one Luhn mod 32 check symbol, shown in groups of four after an
// optional batch prefix, and read back from whatever a person typed.
import { customAlphabet } from "nanoid";

/** Crockford base32: digits and letters without I, L, O and U. */
export const CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const CODE_LENGTH = 16;
const RANDOM_SYMBOLS = CODE_LENGTH - 1;
const RADIX = CODE_ALPHABET.length;

/** A batch prefix: up to 8 letters or digits, shown before the code ("CAFE-…"). */
export const PREFIX_PATTERN = /^[A-Z0-9]{1,8}$/;

const symbolValue = new Map([...CODE_ALPHABET].map((symbol, index) => [symbol, index]));

const randomBody = customAlphabet(CODE_ALPHABET, RANDOM_SYMBOLS);

/** Luhn mod 32 check symbol over a string of code symbols. */
export function checkSymbol(body: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    const symbol = body[i] ?? "";
    const value = symbolValue.get(symbol);
    if (value === undefined) throw new RangeError(`not a code symbol: ${symbol}`);
    const addend = factor * value;
    sum += Math.floor(addend / RADIX) + (addend % RADIX);
    factor = factor === 2 ? 1 : 2;
  }
  return CODE_ALPHABET[(RADIX - (sum % RADIX)) % RADIX]!;
}

/** True when the last symbol is the Luhn mod 32 check symbol of the rest. */
export function hasValidCheckSymbol(code: string): boolean {
  return code.length >= 2 && checkSymbol(code.slice(0, -1)) === code[code.length - 1];
}

/** A new code: 16 symbols, no prefix, no dashes (the form stored in the database). */
export function generateCode(): string {
  const body = randomBody();
  return body + checkSymbol(body);
}

/** "ABCDEFGHJKMNPQRS" → "ABCD-EFGH-JKMN-PQRS", after "PREFIX-" when there is one. */
export function formatCode(code: string, prefix?: string | null): string {
  const groups = code.match(/.{1,4}/g) ?? [code];
  return [prefix, ...groups].filter(Boolean).join("-");
}

export type ParsedCode =
  /** A well-formed code; `prefix` is what was typed before it, if anything. */
  | { kind: "code"; code: string; prefix: string | null }
  /** Looks like a code but the check symbol does not match: a typing mistake. */
  | { kind: "mistyped" }
  /** Not a code at all (too short, symbols outside the alphabet). */
  | { kind: "malformed" };

/**
 * Reads a typed code: case, spaces and dashes do not matter, O reads as 0 and I/L as 1.
 * Anything before the last 16 symbols is the batch prefix, which is only decoration:
 * the 16 symbols alone identify the code.
 */
export function parseCode(input: string): ParsedCode {
  const compact = input.toUpperCase().replace(/[\s\-‐-―]+/g, "");
  if (compact.length < CODE_LENGTH || compact.length > CODE_LENGTH + 8)
    return { kind: "malformed" };
  const prefixPart = compact.slice(0, compact.length - CODE_LENGTH);
  if (prefixPart && !PREFIX_PATTERN.test(prefixPart)) return { kind: "malformed" };
  const code = compact.slice(-CODE_LENGTH).replace(/O/g, "0").replace(/[IL]/g, "1");
  for (const symbol of code) if (!symbolValue.has(symbol)) return { kind: "malformed" };
  if (!hasValidCheckSymbol(code)) return { kind: "mistyped" };
  return { kind: "code", code, prefix: prefixPart || null };
}

/** "#123" or "123" as a Code #N serial, else null. */
export function parseSerial(input: string): number | null {
  const match = /^\s*#?\s*(\d{1,15})\s*$/.exec(input);
  if (!match) return null;
  const serial = Number(match[1]);
  return Number.isSafeInteger(serial) && serial > 0 ? serial : null;
}
