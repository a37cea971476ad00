import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useLocation,
  useNavigation,
} from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getOptionalUser } from "~/auth/guards.server";
import { acceptInvitation, findInvitation, InvitationUnusable } from "~/auth/invitations.server";
import { sessionCookie } from "~/auth/session.server";
import { Button } from "~/components/Button";
import { Field, FormAlert } from "~/components/Field";
import { db } from "~/db.server";
import { labelKey } from "~/lib/messages";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import { parseForm } from "~/lib/forms";
import { newPasswordField } from "~/lib/fields";
import { NewPasswordField } from "~/components/NewPasswordField";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Accept invitation · 7stamp Partner Portal" }];

const NewAccountForm = z.object({
  name: z.string().trim().min(1).max(120),
  password: newPasswordField,
});

export async function loader(args: LoaderFunctionArgs) {
  const invitation = await findInvitation(db, args.params.token ?? "", clock());
  if (!invitation) return data({ invitation: null, signedInAs: null }, { status: 404 });
  const user = await getOptionalUser(args);
  return { invitation, signedInAs: user?.email ?? null };
}

export async function action(args: ActionFunctionArgs) {
  const { request, params, context } = args;
  const token = params.token ?? "";
  const invitation = await findInvitation(db, token, clock());
  if (!invitation)
    return formFailure({ formError: { key: "auth:invitation.unusable" } }, { status: 404 });
  const user = await getOptionalUser(args);
  let name: string | undefined;
  let password: string | undefined;
  if (!invitation.accountExists) {
    const form = parseForm(NewAccountForm, await request.formData());
    if (!form.success) return formFailure(form);
    ({ name, password } = form.data);
  }
  try {
    const accepted = await acceptInvitation(db, {
      token,
      signedInUser: user,
      name,
      password,
      ip: context.clientIp,
      userAgent: request.headers.get("user-agent"),
      now: clock(),
    });
    return redirectWithFlash(
      request,
      accepted.href,
      {
        kind: "success",
        key: "auth:invitation.accepted",
        values: { organisation: invitation.organisationName },
      },
      accepted.session ? [sessionCookie(accepted.session.token, accepted.session.expiresAt)] : [],
    );
  } catch (error) {
    if (error instanceof InvitationUnusable) {
      return formFailure({
        formError: { key: "auth:invitation.wrongAccount", values: { email: invitation.email } },
      });
    }
    throw error;
  }
}

export default function AcceptInvitation() {
  const { t } = useTranslation(["auth", "common"]);
  const { invitation, signedInAs } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const location = useLocation();
  const busy = useNavigation().state === "submitting";
  if (!invitation) {
    return (
      <>
        <h1 className="text-xl font-semibold text-slate-900">{t("invitation.unusableTitle")}</h1>
        <p className="mt-2 text-sm text-slate-600">{t("invitation.unusable")}</p>
      </>
    );
  }
  const role = t(labelKey("common:roles", invitation.role));
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">
        {t("invitation.title", { organisation: invitation.organisationName })}
      </h1>
      <p className="mt-1 text-sm text-slate-600">
        {t("invitation.subtitle", { email: invitation.email, role })}
      </p>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormAlert message={actionData?.formError} />
        {invitation.accountExists ? (
          signedInAs === invitation.email ? (
            <Button type="submit" className="w-full" disabled={busy}>
              {t("invitation.accept")}
            </Button>
          ) : (
            <p className="text-sm text-slate-700">
              {t("invitation.signInFirst", { email: invitation.email })}{" "}
              <Link
                className="font-semibold text-brand-700 hover:underline"
                to={`/login?redirectTo=${encodeURIComponent(location.pathname)}`}
              >
                {t("invitation.signInLink")}
              </Link>
            </p>
          )
        ) : (
          <>
            <Field
              label={t("fields.name")}
              name="name"
              required
              autoComplete="name"
              defaultValue={actionData?.values.name}
              error={actionData?.errors.name}
            />
            <NewPasswordField error={actionData?.errors.password} />
            <Button type="submit" className="w-full" disabled={busy}>
              {t("invitation.createAndAccept")}
            </Button>
          </>
        )}
      </Form>
    </>
  );
}
