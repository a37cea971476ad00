import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { completePasswordReset, findUsableResetToken } from "~/auth/accounts.server";
import { Button } from "~/components/Button";
import { Field } from "~/components/Field";
import { db } from "~/db.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { parseForm } from "~/lib/forms";
import { newPasswordField } from "~/lib/fields";
import { formFailure } from "~/lib/form-responses.server";
import { NewPasswordField } from "~/components/NewPasswordField";

export const meta: MetaFunction = () => [
  { title: "Choose a new password · 7stamp Partner Portal" },
];

const ResetForm = z
  .object({
    password: newPasswordField,
    confirmPassword: z.string().min(1),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "auth:reset.mismatch",
  });

export async function loader({ params }: LoaderFunctionArgs) {
  const token = await findUsableResetToken(db, params.token ?? "");
  if (!token) return data({ usable: false as const, email: null, purpose: null }, { status: 404 });
  return { usable: true as const, email: token.email, purpose: token.purpose };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = parseForm(ResetForm, await request.formData());
  if (!form.success) return formFailure(form);
  const result = await completePasswordReset(db, {
    token: params.token ?? "",
    password: form.data.password,
    ip: context.clientIp,
  });
  if (!result.ok) {
    return redirectWithFlash(request, "/forgot-password", {
      kind: "error",
      key: "auth:reset.unusable",
    });
  }
  return redirectWithFlash(request, "/login", { kind: "success", key: "auth:reset.done" });
}

export default function ResetPassword() {
  const { t } = useTranslation("auth");
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  if (!loaderData.usable) {
    return (
      <>
        <h1 className="text-xl font-semibold text-slate-900">{t("reset.unusableTitle")}</h1>
        <p className="mt-2 text-sm text-slate-600">{t("reset.unusable")}</p>
        <Link
          to="/forgot-password"
          className="mt-6 inline-block text-sm font-semibold text-brand-700 hover:underline"
        >
          {t("reset.requestNew")}
        </Link>
      </>
    );
  }
  const errors = actionData?.errors;
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">
        {loaderData.purpose === "welcome" ? t("reset.welcomeTitle") : t("reset.title")}
      </h1>
      <p className="mt-1 text-sm text-slate-600">
        {t("reset.subtitle", { email: loaderData.email })}
      </p>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <NewPasswordField label={t("fields.newPassword")} error={errors?.password} />
        <Field
          label={t("fields.confirmPassword")}
          name="confirmPassword"
          type="password"
          required
          autoComplete="new-password"
          error={errors?.confirmPassword}
        />
        <Button type="submit" className="w-full" disabled={busy}>
          {t("reset.submit")}
        </Button>
      </Form>
    </>
  );
}
