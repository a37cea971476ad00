import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { signIn } from "~/auth/accounts.server";
import { getOptionalUser } from "~/auth/guards.server";
import { OVER_SEAT_LIMIT_MESSAGE_KEY } from "~/auth/seat-access.server";
import { sessionCookie } from "~/auth/session.server";
import { Button } from "~/components/Button";
import { Field, FormAlert } from "~/components/Field";
import { db } from "~/db.server";
import { RateLimited } from "~/domain/errors.server";
import { homePathFor } from "~/domain/organisations.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { parseForm } from "~/lib/forms";
import { emailField } from "~/lib/fields";
import { formFailure, rateLimitedFailure } from "~/lib/form-responses.server";
import { safeRedirectPath } from "~/lib/safe-redirect";
import { passOnRetryAfter } from "~/lib/route-headers";

export const meta: MetaFunction = () => [{ title: "Sign in · 7stamp Partner Portal" }];

export const headers = passOnRetryAfter;

const LoginForm = z.object({
  email: emailField,
  password: z.string().min(1).max(200),
  redirectTo: z.string().max(2000).optional(),
});

export async function loader(args: LoaderFunctionArgs) {
  const user = await getOptionalUser(args);
  if (user) {
    const redirectTo = new URL(args.request.url).searchParams.get("redirectTo");
    throw redirect(safeRedirectPath(redirectTo, await homePathFor(db, user)));
  }
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = parseForm(LoginForm, await request.formData());
  if (!form.success) return formFailure(form);
  try {
    const result = await signIn(db, {
      email: form.data.email,
      password: form.data.password,
      ip: context.clientIp,
      userAgent: request.headers.get("user-agent"),
    });
    if (!result.ok && result.reason === "over_seat_limit") {
      return formFailure(
        { values: { email: form.data.email }, formError: { key: OVER_SEAT_LIMIT_MESSAGE_KEY } },
        { status: 403 },
      );
    }
    if (!result.ok) {
      return formFailure({
        values: { email: form.data.email },
        formError: { key: "auth:login.invalid" },
      });
    }
    const home = await homePathFor(db, result.user);
    return redirectWithFlash(
      request,
      safeRedirectPath(form.data.redirectTo, home),
      {
        kind: "success",
        key: "auth:login.welcome",
        values: { name: result.user.name || result.user.email },
      },
      [sessionCookie(result.token, result.expiresAt)],
    );
  } catch (error) {
    if (error instanceof RateLimited) return rateLimitedFailure(error, { email: form.data.email });
    throw error;
  }
}

export default function Login() {
  const { t } = useTranslation("auth");
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const redirectTo = params.get("redirectTo");
  const signupHref = redirectTo
    ? `/signup?redirectTo=${encodeURIComponent(redirectTo)}`
    : "/signup";
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">{t("login.title")}</h1>
      <p className="mt-1 text-sm text-slate-600">{t("login.subtitle")}</p>
      {redirectTo?.startsWith("/redeem/") ? (
        <p className="mt-4 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900">
          {t("login.redeemNote")}
        </p>
      ) : null}
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormAlert message={actionData?.formError} />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
        <Field
          label={t("fields.email")}
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={actionData?.values.email}
          error={actionData?.errors.email}
        />
        <Field
          label={t("fields.password")}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={actionData?.errors.password}
        />
        <Button type="submit" className="w-full" disabled={busy}>
          {t("login.submit")}
        </Button>
      </Form>
      <div className="mt-6 flex flex-wrap justify-between gap-x-4 gap-y-2 text-sm">
        <Link to="/forgot-password" className="whitespace-nowrap text-brand-700 hover:underline">
          {t("login.forgot")}
        </Link>
        <Link to={signupHref} className="whitespace-nowrap text-brand-700 hover:underline">
          {t("login.signupLink")}
        </Link>
      </div>
    </>
  );
}
