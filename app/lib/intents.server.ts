// One dispatcher for the pages with several forms (ADR 027): the `intent` field picks the form,
// its own schema parses the fields (field errors in the shape every page renders), and its
// handler runs with the typed input. An unknown or missing intent is a 400 naming the problem,
// never a 500.
import { z } from "zod";
import { notFound } from "~/auth/guards.server";
import { DomainError } from "~/domain/errors.server";
import { formFailure } from "./form-responses.server";
import { parseForm, type FieldErrors } from "./forms";
import { domainErrorMessage, type Message } from "./messages";

type FormFailureResponse = ReturnType<typeof formFailure>;

export interface IntentContext<I extends string = string> {
  intent: I;
  /**
   * A failure of this form after parsing (a domain refusal): status 400 unless given, and the
   * intent is echoed so the page shows the errors on the form that was sent. A function, not a
   * method (it has no `this`): handlers take it out as `{ fail }`.
   */
  fail: (
    failure: { errors?: FieldErrors; formError?: Message | null; values?: Record<string, string> },
    status?: number,
  ) => FormFailureResponse;
}

export interface IntentForm<S extends z.ZodTypeAny, R> {
  schema: S;
  handle: (input: z.output<S>, context: IntentContext) => Promise<R>;
}

/** One form of a page: its schema and what to do with what it parsed. */
export function intentForm<S extends z.ZodTypeAny, R>(
  schema: S,
  handle: (input: z.output<S>, context: IntentContext) => Promise<R>,
): IntentForm<S, R> {
  return { schema, handle };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each form's own types are kept by intentForm
type AnyIntentForm = IntentForm<any, unknown>;
type Result<F extends Record<string, AnyIntentForm>> = {
  [K in keyof F]: F[K] extends IntentForm<z.ZodTypeAny, infer R> ? R : never;
}[keyof F];

/** The schema of the intent alone: one literal per form of the page. */
function intentSchema(names: string[]) {
  const [first, ...rest] = names.map((name) => z.object({ intent: z.literal(name) }));
  if (!first) throw new Error("dispatchIntent needs at least one form");
  return z.discriminatedUnion("intent", [first, ...rest]);
}

/**
 * Parses the form that `intent` names and calls its handler. zod 3's discriminated union takes
 * plain objects only, so it picks the form; the form's schema (which may refine across
 * fields) then parses the fields.
 */
export async function dispatchIntent<F extends Record<string, AnyIntentForm>>(
  formData: FormData,
  forms: F,
  {
    failureFields = {},
  }: {
    /** Fields every answer of this page carries, so a failure has them too (e.g. `created`). */
    failureFields?: Record<string, unknown>;
  } = {},
): Promise<Result<F> | FormFailureResponse> {
  const picked = intentSchema(Object.keys(forms)).safeParse({ intent: formData.get("intent") });
  if (!picked.success) {
    return formFailure({
      errors: { intent: { key: "validation.choice" } },
      formError: { key: "forms.unknownIntent" },
    });
  }
  const intent = picked.data.intent;
  const form = forms[intent]!; // intentSchema admits only the keys of `forms`
  const parsed = parseForm(form.schema, formData);
  if (!parsed.success) {
    const failure = formFailure({ errors: parsed.errors, values: parsed.values });
    Object.assign(failure.data, failureFields);
    return failure;
  }
  const context: IntentContext = {
    intent,
    fail: (failure, status = 400) =>
      formFailure({ ...failure, values: { ...failure.values, intent } }, { status }),
  };
  return (await form.handle(parsed.data, context)) as Result<F>;
}

/**
 * A support correction refused by the domain, as its form's failure: on the field it names,
 * else (or for `formLevel` fields, about the record's state) above the whole form. A 404
 * stays a 404; anything that is not a DomainError is not a refusal and is rethrown.
 */
export function supportRefusal(
  error: unknown,
  fail: IntentContext["fail"],
  values: Record<string, string>,
  { formLevel = [] }: { formLevel?: string[] } = {},
): FormFailureResponse {
  if (!(error instanceof DomainError)) throw error;
  if (error.status === 404) throw notFound();
  const message = domainErrorMessage("support:errors", error.code);
  return error.field && !formLevel.includes(error.field)
    ? fail({ values, errors: { [error.field]: message } }, error.status)
    : fail({ values, formError: message }, error.status);
}
