// The one shape every form action answers with when it does not redirect: field errors,
// what the user typed (never passwords), and an optional message about the whole form.
import { data } from "@remix-run/node";
import type { RateLimited } from "~/domain/errors.server";
import type { FieldErrors } from "./forms";
import type { Message } from "./messages";

export interface FormFailure {
  errors: FieldErrors;
  values: Record<string, string>;
  /** A message about the whole form (shown by FormAlert). */
  formError: Message | null;
}

export function formFailure(
  failure: Partial<FormFailure>,
  init: { status?: number; headers?: Record<string, string> } = {},
) {
  const body: FormFailure = {
    errors: failure.errors ?? {},
    values: failure.values ?? {},
    formError: failure.formError ?? null,
  };
  return data(body, { status: init.status ?? 400, headers: init.headers });
}

export function rateLimitedFailure(error: RateLimited, values: Record<string, string> = {}) {
  return formFailure(
    {
      values,
      formError: {
        key: "common:rateLimited",
        values: { minutes: Math.ceil(error.retryAfterSeconds / 60) },
      },
    },
    { status: 429, headers: { "Retry-After": String(error.retryAfterSeconds) } },
  );
}
