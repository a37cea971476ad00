import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireUser } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { Field, SelectField } from "~/components/Field";
import { Card, PageHeader } from "~/components/Layout";
import { db } from "~/db.server";
import { updateProfile } from "~/domain/users.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import { parseForm } from "~/lib/forms";
import { supportedLanguages } from "~/lib/locale";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Your account · 7stamp Partner Portal" }];

const ProfileForm = z.object({
  name: z.string().trim().min(1).max(120),
  locale: z.enum(["auto", ...supportedLanguages]),
});

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args);
  return { name: user.name, email: user.email, locale: user.locale ?? "auto" };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args);
  const form = parseForm(ProfileForm, await args.request.formData());
  if (!form.success) return formFailure(form);
  await updateProfile(db, {
    userId: user.id,
    name: form.data.name,
    locale: form.data.locale === "auto" ? null : form.data.locale,
    ip: args.context.clientIp,
    now: clock(),
  });
  return redirectWithFlash(args.request, "/account", {
    kind: "success",
    key: "common:account.saved",
  });
}

export default function Account() {
  const { t } = useTranslation();
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const location = useLocation();
  return (
    <>
      <PageHeader title={t("account.title")} description={data.email} />
      <div className="max-w-lg">
        <Card>
          {/* Keyed by the location: a successful save redirects, which empties the form. */}
          <Form key={location.key} method="post" className="space-y-4" noValidate>
            <Field
              label={t("account.name")}
              name="name"
              required
              defaultValue={actionData?.values.name ?? data.name}
              error={actionData?.errors.name}
            />
            <SelectField
              label={t("account.language")}
              name="locale"
              defaultValue={actionData?.values.locale ?? data.locale}
              error={actionData?.errors.locale}
              options={[
                { value: "auto", label: t("account.languageAuto") },
                ...supportedLanguages.map((code) => ({
                  value: code,
                  label: t(`languages.${code}`),
                })),
              ]}
            />
            <Button type="submit" disabled={busy}>
              {t("account.save")}
            </Button>
          </Form>
        </Card>
      </div>
    </>
  );
}
