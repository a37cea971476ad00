// Form parsing with zod: failures become field errors as message keys (translated where
// they are shown, with the field's own label), and the typed values come back to refill
// the form. Passwords are never echoed back.
import type { z } from "zod";
import { storable } from "./storable-text";

export interface FieldError {
  key: string;
  values?: Record<string, string | number>;
}
export type FieldErrors = Record<string, FieldError>;

export type FormResult<T> =
  | { success: true; data: T }
  | { success: false; errors: FieldErrors; values: Record<string, string> };

const errorMap: z.ZodErrorMap = (issue) => {
  // A custom message set on the schema is already a key.
  if (issue.message) return { message: issue.message };
  switch (issue.code) {
    case "invalid_type":
      return {
        message:
          issue.received === "undefined" || issue.received === "null"
            ? "validation.required"
            : "validation.invalid",
      };
    case "too_small":
      if (issue.type === "string")
        return {
          message:
            issue.minimum === 1 ? "validation.required" : `validation.tooShort|${issue.minimum}`,
        };
      return { message: `validation.tooSmall|${issue.minimum}` };
    case "too_big":
      if (issue.type === "string") return { message: `validation.tooLong|${issue.maximum}` };
      return { message: `validation.tooBig|${issue.maximum}` };
    case "invalid_string":
      if (issue.validation === "email") return { message: "validation.email" };
      return { message: "validation.invalid" };
    case "invalid_enum_value":
      return { message: "validation.choice" };
    default:
      return { message: "validation.invalid" };
  }
};

function toFieldError(message: string): FieldError {
  const [key, limit] = message.split("|");
  return limit === undefined ? { key } : { key, values: { limit: Number(limit) } };
}

/** Errors of a zod parse as field errors (first error per field wins). */
export function fieldErrorsFrom(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.join(".") || "form";
    errors[field] ??= toFieldError(issue.message);
  }
  return errors;
}

export function parseObject<S extends z.ZodTypeAny>(schema: S, input: unknown) {
  return schema.safeParse(input, { errorMap });
}

export function parseForm<S extends z.ZodTypeAny>(
  schema: S,
  formData: FormData,
): FormResult<z.infer<S>> {
  const raw: Record<string, string> = {};
  for (const [name, value] of formData.entries()) {
    if (typeof value === "string") raw[name] = value;
  }
  const parsed = parseObject(schema, raw);
  // A field holding a NUL byte is invalid input, not a 500 (see storable-text).
  const withNul = Object.keys(raw).filter((name) => !storable(raw[name]));
  if (parsed.success && withNul.length === 0) return { success: true, data: parsed.data };
  const values = Object.fromEntries(
    Object.entries(raw).filter(([name]) => !/password/i.test(name)),
  );
  const errors = parsed.success ? {} : fieldErrorsFrom(parsed.error);
  for (const name of withNul) errors[name] ??= { key: "validation.invalid" };
  return { success: false, errors, values };
}

/**
 * Is "YYYY-MM-DD" (the start of a date or an ISO date-time) a day that exists? JavaScript's
 * Date rolls 2027-02-30 over to 2 March instead of refusing it.
 */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}
