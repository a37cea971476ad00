// Form parsing with zod: failures become field errors as message keys (translated where
// they are shown, with the field's own label), and the typed values come back to refill
// the form. Passwords are never echoed back.
import type { z } from "zod";
import { storable } from "./storable-text";
import type { Message, MessageKey, MessageValues } from "./messages";

/** A field's error: a catalogue key and its values, shown with the field's label. */
export type FieldError = Message;
export type FieldErrors = Record<string, FieldError>;

export type FormResult<T> =
  | { success: true; data: T }
  | { success: false; errors: FieldErrors; values: Record<string, string> };

// zod's own issues get this marker instead of its English sentence; fieldErrorOf reads
// what they mean from the issue itself (its code and limit), so nothing is encoded in text.
const ZOD_DEFAULT = "zod:default";
const errorMap: z.ZodErrorMap = () => ({ message: ZOD_DEFAULT });

/**
 * The field error an issue stands for. A schema's own message is a catalogue key (written
 * with messageKey() or a shared field of app/lib/fields.ts); zod's issues are read by code.
 */
export function fieldErrorOf(issue: z.ZodIssue): FieldError {
  if (issue.message !== ZOD_DEFAULT) {
    const key = issue.message as MessageKey;
    // A custom issue carries its values in params (see fieldIssue in app/lib/fields.ts); a
    // number's range check worded by the schema carries its limit.
    if (issue.code === "custom" && issue.params?.values)
      return { key, values: issue.params.values as MessageValues };
    if (issue.code === "too_small" && issue.type === "number")
      return { key, values: { limit: Number(issue.minimum) } };
    if (issue.code === "too_big" && issue.type === "number")
      return { key, values: { limit: Number(issue.maximum) } };
    return { key };
  }
  switch (issue.code) {
    case "invalid_type":
      return {
        key:
          issue.received === "undefined" || issue.received === "null"
            ? "validation.required"
            : "validation.invalid",
      };
    case "too_small": {
      const limit = Number(issue.minimum);
      if (issue.type === "string")
        return limit === 1
          ? { key: "validation.required" }
          : { key: "validation.tooShort", values: { limit } };
      return { key: "validation.tooSmall", values: { limit } };
    }
    case "too_big": {
      const limit = Number(issue.maximum);
      return issue.type === "string"
        ? { key: "validation.tooLong", values: { limit } }
        : { key: "validation.tooBig", values: { limit } };
    }
    case "invalid_string":
      return { key: issue.validation === "email" ? "validation.email" : "validation.invalid" };
    case "invalid_enum_value":
      return { key: "validation.choice" };
    default:
      return { key: "validation.invalid" };
  }
}

/** Errors of a zod parse as field errors (first error per field wins). */
export function fieldErrorsFrom(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.join(".") || "form";
    errors[field] ??= fieldErrorOf(issue);
  }
  return errors;
}

export function parseObject<S extends z.ZodTypeAny>(
  schema: S,
  input: unknown,
): z.SafeParseReturnType<z.input<S>, z.output<S>> {
  // Typed by the schema: a generic S's own safeParse answers `any` (ZodTypeAny's).
  return schema.safeParse(input, { errorMap });
}

/**
 * The text fields of a form as they were typed, to show them again beside a refusal (a file
 * field, which no portal form has, is left out).
 */
export function formValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of formData.entries()) {
    if (typeof value === "string") values[name] = value;
  }
  return values;
}

export function parseForm<S extends z.ZodTypeAny>(
  schema: S,
  formData: FormData,
): FormResult<z.infer<S>> {
  const raw = formValues(formData);
  const parsed = parseObject(schema, raw);
  // A field holding a NUL byte is invalid input, not a 500 (see storable-text).
  const withNul = Object.keys(raw).filter((name) => !storable(raw[name] ?? ""));
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
