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
import { requireBusinessMember, requireUser } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { FormAlert, SelectField } from "~/components/Field";
import { Card, PageHeader } from "~/components/Layout";
import { db } from "~/db.server";
import { listOrganisations } from "~/domain/organisations.server";
import { claimCode, previewCode, type CodePreview } from "~/domain/redemption.server";
import { formatCode, parseCode } from "~/lib/activation-code";
import { redirectWithFlash } from "~/lib/flash.server";
import { formatDate, formatNumber } from "~/lib/format";
import { formFailure } from "~/lib/form-responses.server";
import type { Message } from "~/lib/messages";
import { parseForm } from "~/lib/forms";
import { localeOfRequest } from "~/lib/request-locale.server";
import { claimedFlash, redemptionRefusal } from "~/lib/redemption-messages.server";
import { useFormattingLocale } from "~/root";
import { secretPageHeaders } from "~/lib/route-headers";
import { clock } from "~/lib/clock.server";

// A handed-out link, /redeem/{code}: the code filled in, what it gives, and one button. The
// code is a secret: the title never shows it (tabs, history), and the HTTP layer never logs
// this path with it.
export const meta: MetaFunction = () => [
  { title: "Redeem an activation code · 7stamp Partner Portal" },
];

export const headers = secretPageHeaders;

const ConfirmFormSchema = z.object({
  intent: z.literal("claim"),
  businessId: z.string().trim().min(1).max(64),
});

/** The code as it should look (ABCD-EFGH-…), or what was in the URL when it is no code. */
function displayOf(input: string): string {
  const parsed = parseCode(input);
  return parsed.kind === "code" ? formatCode(parsed.code, parsed.prefix) : input.slice(0, 40);
}

interface RedeemPage {
  display: string;
  email: string;
  /** The businesses this user owns, by name; only an owner can redeem. */
  businesses: { id: string; name: string }[];
  preview: CodePreview | null;
  refusal: Message | null;
}

export async function loader(args: LoaderFunctionArgs) {
  // Signed out: sign-up first (most recipients have no account), then back here.
  const user = await requireUser(args);
  const code = args.params.code ?? "";
  const businesses = (await listOrganisations(db, user.id))
    .filter((o) => o.kind === "business" && o.role === "owner")
    .map((o) => ({ id: o.id, name: o.name }));
  const page: RedeemPage = {
    display: displayOf(code),
    email: user.email,
    businesses,
    preview: null,
    refusal: null,
  };
  const [first] = businesses;
  if (!first) return data(page);
  try {
    page.preview = await previewCode(db, {
      businessId: first.id,
      code,
      email: user.email,
      ip: args.context.clientIp,
      now: clock(),
    });
    return data(page);
  } catch (error) {
    const locale = localeOfRequest(args.request, { user });
    const refusal = redemptionRefusal(error, { formattingLocale: locale.formattingLocale });
    if (!refusal) throw error;
    page.refusal = refusal.message;
    return data(page, { status: refusal.status, headers: refusal.headers });
  }
}

export async function action(args: ActionFunctionArgs) {
  await requireUser(args);
  const form = parseForm(ConfirmFormSchema, await args.request.formData());
  if (!form.success) return formFailure(form);
  const { user, business } = await requireBusinessMember(args, form.data.businessId, "owner");
  const locale = localeOfRequest(args.request, { user });
  try {
    const claimed = await claimCode(db, {
      businessId: business.id,
      code: args.params.code ?? "",
      actor: { userId: user.id, label: user.email, email: user.email },
      ip: args.context.clientIp,
      now: clock(),
    });
    return redirectWithFlash(
      args.request,
      `/business/${business.id}/billing`,
      claimedFlash(claimed, locale),
    );
  } catch (error) {
    const refusal = redemptionRefusal(error, { formattingLocale: locale.formattingLocale });
    if (!refusal) throw error;
    return formFailure(
      { values: { businessId: business.id }, formError: refusal.message },
      { status: refusal.status, headers: refusal.headers },
    );
  }
}

export default function Redeem() {
  const { t } = useTranslation("redeem");
  const page = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const { businesses, preview, refusal } = page;
  const [first] = businesses;
  const billing = first ? `/business/${first.id}/billing` : null;
  const failure = actionData?.formError ?? null;

  return (
    <div className="mx-auto max-w-2xl">
      <PageHeader title={t("title")} description={t("subtitle")} />
      <div className="space-y-6">
        <Card>
          <p className="text-sm font-medium text-slate-600">{t("code")}</p>
          <p
            className="mt-1 select-all break-all font-mono text-2xl font-semibold tracking-wider text-slate-900 sm:text-3xl"
            aria-label={t("code")}
          >
            {page.display}
          </p>
        </Card>

        {businesses.length === 0 ? (
          <NoBusiness email={page.email} />
        ) : refusal || failure ? (
          <Card title={t("refusedTitle")}>
            <FormAlert message={failure ?? refusal} />
            {billing ? (
              <Link
                to={billing}
                className="mt-4 inline-block text-sm font-semibold text-brand-700 hover:underline"
              >
                {t("toBilling")} →
              </Link>
            ) : null}
          </Card>
        ) : preview ? (
          <Card title={t("preview.title")}>
            <PreviewList preview={preview} />
            <Form method="post" className="mt-6 space-y-4 border-t border-slate-100 pt-5">
              <input type="hidden" name="intent" value="claim" />
              {businesses.length > 1 ? (
                <SelectField
                  label={t("business")}
                  name="businessId"
                  defaultValue={actionData?.values.businessId ?? first?.id}
                  options={businesses.map((b) => ({ value: b.id, label: b.name }))}
                  error={actionData?.errors.businessId}
                />
              ) : (
                <>
                  <input type="hidden" name="businessId" value={first?.id ?? ""} />
                  <p className="text-sm text-slate-700">
                    {t("forBusiness", { business: first?.name ?? "" })}
                  </p>
                </>
              )}
              <div className="flex flex-wrap items-center gap-4">
                <Button type="submit" disabled={busy}>
                  {t("confirm")}
                </Button>
                {billing ? (
                  <Link to={billing} className="text-sm text-slate-600 hover:underline">
                    {t("cancel")}
                  </Link>
                ) : null}
              </div>
            </Form>
          </Card>
        ) : null}
      </div>
    </div>
  );
}

function PreviewList({ preview }: { preview: CodePreview }) {
  const { t } = useTranslation("redeem");
  const locale = useFormattingLocale();
  const rows: [string, string][] = [
    [t("preview.partner"), preview.partnerName],
    [t("preview.bundle"), preview.bundleName],
    [t("preview.staffSeats"), formatNumber(preview.staffSeats, locale)],
    [t("preview.cardOperations"), formatNumber(preview.cardOperations, locale)],
    [t("preview.term"), t("preview.termValue", { count: preview.termMonths })],
    [t("preview.claimableUntil"), formatDate(preview.expiresAt, locale)],
  ];
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-3 text-sm">
      {rows.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-slate-600">{term}</dt>
          <dd className="font-medium tabular-nums text-slate-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function NoBusiness({ email }: { email: string }) {
  const { t } = useTranslation("redeem");
  // Sign-up needs a signed-out visitor; after it, the new owner comes back to this code.
  const here = useLocation().pathname;
  return (
    <Card title={t("noBusiness.title")}>
      <p className="text-sm text-slate-700">{t("noBusiness.body", { email })}</p>
      <Form method="post" action="/logout" className="mt-4 space-y-2">
        <input
          type="hidden"
          name="redirectTo"
          value={`/signup?redirectTo=${encodeURIComponent(here)}`}
        />
        <Button type="submit" variant="secondary">
          {t("noBusiness.signup")}
        </Button>
        <p className="text-xs text-slate-500">{t("noBusiness.hint")}</p>
      </Form>
    </Card>
  );
}
