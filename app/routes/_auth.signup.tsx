import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useSearchParams,
} from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getOptionalUser } from "~/auth/guards.server";
import { NewPasswordField } from "~/components/NewPasswordField";
import { sessionCookie } from "~/auth/session.server";
import { Button } from "~/components/Button";
import { Field, FormAlert } from "~/components/Field";
import { db } from "~/db.server";
import { signUpBusiness } from "~/domain/businesses.server";
import { EmailTaken, RateLimited } from "~/domain/errors.server";
import { homePathFor } from "~/domain/organisations.server";
import { lockedRecipientEmail } from "~/domain/redemption.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { parseForm } from "~/lib/forms";
import { emailField, newPasswordField } from "~/lib/fields";
import { formFailure, rateLimitedFailure } from "~/lib/form-responses.server";
import { safeRedirectPath } from "~/lib/safe-redirect";
import { passOnRetryAfter } from "~/lib/route-headers";
import { clock } from "~/lib/clock.server";
import { attributableVisit } from "~/domain/referrals/attribution.server";
import { clearReferralCookie, referralTokenOf } from "~/lib/referral-cookie.server";

export const meta: MetaFunction = () => [{ title: "Sign up · 7stamp Partner Portal" }];

export const headers = passOnRetryAfter;

const SignupForm = z.object({
  businessName: z.string().trim().min(1).max(120),
  name: z.string().trim().min(1).max(120),
  email: emailField,
  password: newPasswordField,
  // Where to go after sign-up (a /redeem link the visitor followed); same-site paths only.
  redirectTo: z.string().max(2000).optional(),
});

export async function loader(args: LoaderFunctionArgs) {
  const user = await getOptionalUser(args);
  if (user) {
    const redirectTo = new URL(args.request.url).searchParams.get("redirectTo");
    throw redirect(safeRedirectPath(redirectTo, await homePathFor(db, user)));
  }
  const [email, invitation] = await Promise.all([
    redeemLinkEmail(new URL(args.request.url).searchParams.get("redirectTo")),
    attributableVisit(db, { token: await referralTokenOf(args.request), now: clock() }),
  ]);
  // Who invited the visitor, from the first-touch cookie of a referral link (ADR 034).
  return { email, invitedBy: invitation?.referrerName ?? null };
}

const REDEEM_PATH = /^\/redeem\/([^/?#]{1,100})$/;

/** Coming from a redeem link of a code locked to an address: that address, to pre-fill. */
async function redeemLinkEmail(redirectTo: string | null): Promise<string | null> {
  const code = redirectTo ? REDEEM_PATH.exec(redirectTo)?.[1] : undefined;
  if (!code) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(code);
  } catch {
    return null;
  }
  return lockedRecipientEmail(db, { code: decoded });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = parseForm(SignupForm, await request.formData());
  if (!form.success) return formFailure(form);
  const { password: _password, redirectTo, ...values } = form.data;
  const referralToken = await referralTokenOf(request);
  try {
    const { businessId, session } = await signUpBusiness(db, {
      referralToken,
      ...values,
      password: form.data.password,
      ip: context.clientIp,
      userAgent: request.headers.get("user-agent"),
      now: clock(),
    });
    return redirectWithFlash(
      request,
      safeRedirectPath(redirectTo, `/business/${businessId}/billing`),
      { kind: "success", key: "auth:signup.done", values: { business: form.data.businessName } },
      [
        sessionCookie(session.token, session.expiresAt),
        ...(referralToken ? [await clearReferralCookie()] : []),
      ],
    );
  } catch (error) {
    if (error instanceof EmailTaken) {
      return formFailure({ errors: { email: { key: "auth:signup.emailTaken" } }, values });
    }
    if (error instanceof RateLimited) return rateLimitedFailure(error, values);
    throw error;
  }
}

export default function Signup() {
  const { t } = useTranslation(["auth", "referrals"]);
  const { email: lockedEmail, invitedBy } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const [params] = useSearchParams();
  const redirectTo = params.get("redirectTo");
  const loginHref = redirectTo ? `/login?redirectTo=${encodeURIComponent(redirectTo)}` : "/login";
  const values: Record<string, string | undefined> = actionData?.values ?? {};
  const errors = actionData?.errors;
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">{t("signup.title")}</h1>
      <p className="mt-1 text-sm text-slate-600">{t("signup.subtitle")}</p>
      {invitedBy ? (
        <p
          className="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900"
          data-testid="invited-by"
        >
          {t("referrals:signup.invitedBy", { name: invitedBy })}
        </p>
      ) : null}
      {redirectTo?.startsWith("/redeem/") ? (
        <p className="mt-4 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900">
          {t("signup.redeemNote")}{" "}
          <Link to={loginHref} className="font-semibold underline">
            {t("signup.redeemHaveAccount")}
          </Link>
        </p>
      ) : null}
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormAlert message={actionData?.formError} />
        <input type="hidden" name="redirectTo" value={redirectTo ?? ""} />
        <Field
          label={t("fields.businessName")}
          name="businessName"
          required
          autoComplete="organization"
          defaultValue={values.businessName}
          error={errors?.businessName}
        />
        <Field
          label={t("fields.name")}
          name="name"
          required
          autoComplete="name"
          defaultValue={values.name}
          error={errors?.name}
        />
        <Field
          label={t("fields.email")}
          name="email"
          type="email"
          required
          autoComplete="email"
          defaultValue={values.email ?? lockedEmail ?? undefined}
          error={errors?.email}
        />
        <NewPasswordField error={errors?.password} />
        <Button type="submit" className="w-full" disabled={busy}>
          {t("signup.submit")}
        </Button>
        <p className="text-xs text-slate-500">{t("signup.freePlanNote")}</p>
      </Form>
      <p className="mt-6 text-sm text-slate-600">
        {t("signup.haveAccount")}{" "}
        <Link to={loginHref} className="font-medium text-brand-700 underline">
          {t("signup.loginLink")}
        </Link>
      </p>
    </>
  );
}
