// The fields forms share, each written once (Epic Stack's user-validation.ts): an email, a
// password, support's reason for a correction, a name, a whole number or a euro amount as
// people type them. Forms and the domain's input schemas compose these; each failure is a
// catalogue key with its values (app/lib/forms.ts renders nothing as text).
import { z } from "zod";
import type { MessageKey, MessageValues } from "./messages";
import { parseEuroCents, parseWholeNumber } from "./money-input";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password-policy";
import { storable } from "./storable-text";

/** Reports a field error (a typed key and its values) from a refinement or transform. */
export function fieldIssue(
  ctx: z.RefinementCtx,
  key: MessageKey,
  options: { values?: MessageValues; path?: (string | number)[] } = {},
): void {
  ctx.addIssue({
    code: "custom",
    message: key,
    ...(options.values ? { params: { values: options.values } } : {}),
    ...(options.path ? { path: options.path } : {}),
  });
}

/** An email address someone types (sign-up, invitations, a partner's contact). */
export const emailField = z.string().trim().min(1).max(254).email();

/** A password someone chooses (sign-up, reset, invitation). Empty reads as "required". */
export const newPasswordField = z.string().min(1).min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);

/** Why support made a correction: required, and more than a keystroke (ADR 015). */
export const reasonField = z.string().trim().min(1).min(3).max(500);

/** Why support changed a partner's terms: optional, at most 500 characters. */
export const optionalReasonField = z.string().trim().max(500).default("");

/** A name (of a person, a partner, a bundle or a plan): required, at most `max` characters. */
export function nameField(max: number) {
  return z.string().trim().min(1).max(max).refine(storable, "validation.invalid");
}

interface WholeNumberOptions {
  min: number;
  max: number;
  /** What an empty field means: "required" (the default) or a number it stands for. */
  empty?: "required" | number;
  /** The catalogue keys, when a page words them its own way. */
  messages?: { notWhole?: MessageKey; tooSmall?: MessageKey; tooBig?: MessageKey };
}

/** A whole number as people type it ("2,000", "2 000"), within min…max. */
export function wholeNumberField({
  min,
  max,
  empty = "required",
  messages = {},
}: WholeNumberOptions) {
  const text = empty === "required" ? z.string().trim().min(1) : z.string().trim();
  return text.transform((typed, ctx) => {
    if (typed === "" && empty !== "required") return empty;
    const value = parseWholeNumber(typed);
    if (value === null) {
      fieldIssue(ctx, messages.notWhole ?? "validation.wholeNumber");
      return z.NEVER;
    }
    if (value < min) {
      fieldIssue(ctx, messages.tooSmall ?? "validation.tooSmall", { values: { limit: min } });
      return z.NEVER;
    }
    if (value > max) {
      fieldIssue(ctx, messages.tooBig ?? "validation.tooBig", { values: { limit: max } });
      return z.NEVER;
    }
    return value;
  });
}

interface EuroOptions {
  /** The largest amount, in cents. */
  maxCents: number;
  /** The catalogue keys of the page's wording: not an amount, negative, too large. */
  messages: { format: MessageKey; negative: MessageKey; tooBig: MessageKey };
}

function euroCents(typed: string, ctx: z.RefinementCtx, { maxCents, messages }: EuroOptions) {
  const parsed = parseEuroCents(typed);
  if (!parsed.ok) {
    fieldIssue(ctx, parsed.reason === "negative" ? messages.negative : messages.format);
    return z.NEVER;
  }
  if (parsed.cents > maxCents) {
    fieldIssue(ctx, messages.tooBig);
    return z.NEVER;
  }
  return parsed.cents;
}

/** A euro amount typed as text ("1.50", "0,05", "€29"), required, as integer cents. */
export function euroCentsField(options: EuroOptions) {
  return z
    .string()
    .trim()
    .min(1)
    .transform((typed, ctx) => euroCents(typed, ctx, options));
}

/** A euro amount typed as text, or nothing (null) when the field is left empty. */
export function optionalEuroCentsField(options: EuroOptions) {
  return z
    .string()
    .optional()
    .transform((typed, ctx) =>
      typed === undefined || typed.trim() === "" ? null : euroCents(typed, ctx, options),
    );
}
