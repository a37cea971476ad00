// Request bodies and query strings of /api/v1, read defensively: a wrong content type,
// malformed JSON, an oversized body or a value the schema refuses is a 400 problem naming
// what is wrong — never a 500, and nothing is written.
import "zod-openapi/extend";
import { z } from "zod";
import { createI18n } from "~/i18n";
import { fieldErrorOf, parseObject } from "~/lib/forms";
import { MAX_JSON_BODY_BYTES, MAX_JSON_DEPTH } from "~/lib/request-limits";
import { invalidRequest, snakeCase, type ProblemFieldError } from "./problem.server";
import { storable } from "~/lib/storable-text";
import type { ApiRequest } from "./exchange.server";

function isJsonContentType(header: string | null): boolean {
  if (!header) return false;
  const mediaType = (header.split(";")[0] ?? "").trim().toLowerCase();
  return mediaType === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/** The body as UTF-8 text, at most `maxBytes` (a larger one is refused before it is all read). */
export function readBodyText(request: ApiRequest, maxBytes: number): Promise<string> {
  return request.bodyText(maxBytes);
}

export function bodyTooLarge(maxBytes: number) {
  return invalidRequest(`The request body is larger than ${maxBytes} bytes.`);
}

/** Bytes as UTF-8 text; bytes that are not UTF-8 are a 400. */
export function utf8Text(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalidRequest("The request body is not valid UTF-8.");
  }
}

/** A Web Request as the router reads it (tests, and any caller holding a Request). */
export function fromWebRequest(request: Request): ApiRequest {
  const url = new URL(request.url);
  return {
    method: request.method.toUpperCase(),
    pathname: url.pathname,
    searchParams: url.searchParams,
    header: (name) => request.headers.get(name),
    signal: request.signal,
    async bodyText(maxBytes) {
      const declared = request.headers.get("content-length");
      if (declared && Number(declared) > maxBytes) throw bodyTooLarge(maxBytes);
      if (!request.body) return "";
      const reader = request.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          await reader.cancel();
          throw bodyTooLarge(maxBytes);
        }
        chunks.push(value);
      }
      const bytes = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
      }
      return utf8Text(bytes);
    },
  };
}

/** Deeper than MAX_JSON_DEPTH? Read from the text, before parsing, without recursion. */
function nestsTooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** A UTF-16 surrogate without its partner: text no database or UTF-8 encoder can store. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

interface StringProblems {
  /** Paths (dotted) of strings holding a NUL byte, which PostgreSQL text cannot store. */
  nul: string[];
  /** Paths of strings (or member names) that are not well-formed Unicode. */
  illFormed: string[];
}

/** Every string and member name of a parsed body, checked without recursion. */
function stringProblems(root: unknown): StringProblems {
  const found: StringProblems = { nul: [], illFormed: [] };
  const pending: [unknown, string][] = [[root, ""]];
  const check = (text: string, path: string) => {
    if (!storable(text)) found.nul.push(path || "body");
    if (LONE_SURROGATE.test(text)) found.illFormed.push(path || "body");
  };
  while (pending.length) {
    const [value, path] = pending.pop()!;
    if (typeof value === "string") check(value, path);
    else if (Array.isArray(value)) {
      value.forEach((item, index) =>
        pending.push([item, path ? `${path}.${index}` : String(index)]),
      );
    } else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        const itemPath = path ? `${path}.${key}` : key;
        check(key, itemPath);
        pending.push([item, itemPath]);
      }
    }
  }
  return found;
}

/**
 * The request's JSON body. `optional`: an empty body reads as `{}` (for actions whose
 * fields are all optional).
 */
export async function readJsonBody(
  request: ApiRequest,
  { maxBytes = MAX_JSON_BODY_BYTES, optional = false } = {},
): Promise<unknown> {
  const contentType = request.header("content-type");
  const text = await request.bodyText(maxBytes);
  if (!text.trim() && optional) return {};
  return parseJsonText(text, contentType);
}

/**
 * A JSON object from body text already read (a signed webhook reads its bytes first to check
 * the signature): the same refusals as readJsonBody.
 */
export function parseJsonText(text: string, contentType: string | null): unknown {
  if (!text.trim()) {
    throw invalidRequest("The request body is empty: send a JSON object.");
  }
  if (!isJsonContentType(contentType)) {
    throw invalidRequest(
      `Send the body as JSON with Content-Type: application/json (got ${
        contentType ? JSON.stringify(contentType.slice(0, 100)) : "none"
      }).`,
    );
  }
  if (nestsTooDeep(text)) {
    throw invalidRequest(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidRequest("The request body must be a JSON object.");
  }
  const problems = stringProblems(value);
  if (problems.nul.length) {
    throw invalidRequest(
      "The request contains a NUL character.",
      problems.nul.map((field) => ({
        field,
        message: `${field} must not contain a NUL character.`,
      })),
    );
  }
  if (problems.illFormed.length) {
    throw invalidRequest(
      "The request contains text that is not well-formed Unicode (a lone surrogate).",
      problems.illFormed.map((field) => ({
        field,
        message: `${field} must be well-formed Unicode text (no lone surrogate such as \\ud800).`,
      })),
    );
  }
  return value;
}

const i18n = createI18n("en");

function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/**
 * The message of an issue: the field error the pages would show (app/lib/forms.ts), read
 * here in English with the API's field name.
 */
function messageFor(issue: z.ZodIssue, field: string): string {
  if (issue.code === "invalid_type" && issue.received !== "undefined") {
    const expected = issue.expected === "integer" ? "a whole number" : withArticle(issue.expected);
    const received = issue.received === "null" ? "null" : withArticle(issue.received);
    return `${field} must be ${expected}, not ${received}.`;
  }
  if (issue.code === "invalid_string") {
    if (issue.validation === "uuid") return `${field} must be a UUID.`;
    if (issue.validation === "datetime") {
      return `${field} must be an ISO 8601 date and time with a time zone, like 2027-01-31T23:59:59Z.`;
    }
  }
  const { key, values } = fieldErrorOf(issue);
  if (i18n.exists(key, { ns: "common" })) return i18n.t(key, { field, ...values });
  return `${field} is not valid.`;
}

export function zodFieldErrors(error: z.ZodError): ProblemFieldError[] {
  const errors: ProblemFieldError[] = [];
  const seen = new Set<string>();
  const add = (field: string, message: string) => {
    if (seen.has(field)) return;
    seen.add(field);
    errors.push({ field, message });
  };
  for (const issue of error.issues) {
    const path = issue.path.map((part) => snakeCase(String(part)));
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const field = [...path, key].join(".");
        add(field, `${field} is not a field of this request.`);
      }
      continue;
    }
    const field = path.join(".") || "body";
    add(field, messageFor(issue, field));
  }
  return errors;
}

/**
 * Parses input with a schema or throws a 400 problem listing every field that is wrong.
 * Schemas for request bodies are strict: a misspelt optional field is an error.
 */
export function parseApiInput<S extends z.ZodTypeAny>(schema: S, input: unknown): z.infer<S> {
  const parsed = parseObject(schema, input);
  if (parsed.success) return parsed.data;
  const errors = zodFieldErrors(parsed.error);
  throw invalidRequest(errors.map((e) => e.message).join(" "), errors);
}

/** A query string as an object of its first values (repeated parameters: the first wins). */
export function queryObject(request: ApiRequest): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of request.searchParams) {
    if (!(name in result)) result[name] = value;
  }
  return result;
}

/** A list's `limit` query parameter: a whole number from 1 to `max`, `fallback` when absent. */
export function pageLimit(max: number, fallback: number) {
  return (
    z
      .string()
      .regex(/^\d{1,4}$/, "validation.wholeNumber")
      .transform(Number)
      .pipe(z.number().int().min(1).max(max))
      .default(String(fallback))
      // Read from the query string as text; documented as the number it stands for.
      .openapi({
        type: "integer",
        minimum: 1,
        maximum: max,
        default: fallback,
        description: "Rows per page.",
      })
  );
}
