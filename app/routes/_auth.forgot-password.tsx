import { type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requestPasswordReset } from "~/auth/accounts.server";
import { getOptionalUser } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { Field, FormAlert } from "~/components/Field";
import { db } from "~/db.server";
import { RateLimited } from "~/domain/errors.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { parseForm } from "~/lib/forms";
import { emailField } from "~/lib/fields";
import { formFailure, rateLimitedFailure } from "~/lib/form-responses.server";
import { localeOfRequest } from "~/lib/request-locale.server";
import { passOnRetryAfter } from "~/lib/route-headers";

export const meta: MetaFunction = () => [{ title: "Reset your password · 7stamp Partner Portal" }];

export const headers = passOnRetryAfter;

const ForgotForm = z.object({ email: emailField });

export async function action(args: ActionFunctionArgs) {
  const { request, context } = args;
  const form = parseForm(ForgotForm, await request.formData());
  if (!form.success) return formFailure(form);
  const user = await getOptionalUser(args);
  const { language } = localeOfRequest(request, { user });
  try {
    await requestPasswordReset(db, { email: form.data.email, ip: context.clientIp, language });
  } catch (error) {
    if (error instanceof RateLimited) return rateLimitedFailure(error, form.data);
    throw error;
  }
  return redirectWithFlash(request, "/login", {
    kind: "info",
    key: "auth:forgot.sent",
    values: { email: form.data.email },
  });
}

export default function ForgotPassword() {
  const { t } = useTranslation("auth");
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">{t("forgot.title")}</h1>
      <p className="mt-1 text-sm text-slate-600">{t("forgot.subtitle")}</p>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormAlert message={actionData?.formError} />
        <Field
          label={t("fields.email")}
          name="email"
          type="email"
          required
          autoComplete="email"
          defaultValue={actionData?.values.email}
          error={actionData?.errors.email}
        />
        <Button type="submit" className="w-full" disabled={busy}>
          {t("forgot.submit")}
        </Button>
      </Form>
      <p className="mt-6 text-sm">
        <Link to="/login" className="text-brand-700 hover:underline">
          {t("forgot.back")}
        </Link>
      </p>
    </>
  );
}
