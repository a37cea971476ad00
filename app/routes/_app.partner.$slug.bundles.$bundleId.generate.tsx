import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { notFound, requirePartnerMember } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { Field, FormAlert, SelectField } from "~/components/Field";
import { Card, PageHeader } from "~/components/Layout";
import { db } from "~/db.server";
import {
  BatchFormSchema,
  cardLanguageOf,
  PartnerSuspendedFromGenerating,
  MAX_BATCH_SIZE,
  SYNC_BATCH_LIMIT,
} from "~/domain/batches/model.server";
import { generateBatch } from "~/domain/batches/generation.server";
import { getBundle } from "~/domain/bundles.server";
import { memberPartnerLocale } from "~/domain/partners.server";
import { supportedLanguages } from "~/lib/locale";
import { DomainError } from "~/domain/errors.server";
import { enqueueBatchGeneration } from "~/jobs/queue.server";
import { domainErrorMessage } from "~/lib/messages";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import { formatNumber } from "~/lib/format";
import { parseForm } from "~/lib/forms";
import { useFormattingLocale } from "~/root";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Generate codes · 7stamp Partner Portal" }];

/** Domain errors name API fields; the form's fields are named a little differently. */
const formFieldOf: Record<string, string> = { expires_at: "expiresOn", bundle: "form" };

export async function loader(args: LoaderFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug);
  const bundle = await getBundle(db, {
    partnerId: partner.id,
    bundleId: args.params.bundleId ?? "",
    now: clock(),
  });
  if (!bundle) throw notFound();
  const defaultExpiry = new Date(Date.now() + bundle.codeValidityDays * 86_400_000)
    .toISOString()
    .slice(0, 10);
  // The cards' language starts at the partner's, as a batch made without a choice gets it.
  const partnerLocale = await memberPartnerLocale(db, { userId: user.id, slug: partner.slug });
  const cardLanguage = cardLanguageOf(partnerLocale ?? "en");
  return {
    bundle,
    defaultExpiry,
    cardLanguage,
    syncLimit: SYNC_BATCH_LIMIT,
    maxSize: MAX_BATCH_SIZE,
  };
}

export async function action(args: ActionFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug);
  const form = parseForm(BatchFormSchema, await args.request.formData());
  if (!form.success) return formFailure(form);
  const values = {
    ...Object.fromEntries(
      Object.entries(form.data).map(([key, value]) => [key, value == null ? "" : String(value)]),
    ),
    locale: form.data.cardLanguage ?? "",
  };
  try {
    const { batch, codes } = await generateBatch(db, {
      partnerId: partner.id,
      bundleId: args.params.bundleId,
      input: form.data,
      actor: { userId: user.id, label: user.email },
      ip: args.context.clientIp,
      now: clock(),
    });
    if (!codes) await enqueueBatchGeneration(batch.id);
    return redirectWithFlash(args.request, `/partner/${partner.slug}/batches/${batch.id}`, {
      kind: "success",
      key: codes ? "batches:flash.generated" : "batches:flash.started",
      values: { count: batch.codeCount },
    });
  } catch (error) {
    if (error instanceof PartnerSuspendedFromGenerating) {
      return formFailure(
        { values, formError: { key: "batches:errors.partner_suspended" } },
        { status: 409 },
      );
    }
    if (error instanceof DomainError && error.status === 400) {
      const field = formFieldOf[error.field ?? ""] ?? error.field ?? "form";
      const message = domainErrorMessage("batches:errors", error.code);
      return field === "form"
        ? formFailure({ values, formError: message })
        : formFailure({ values, errors: { [field]: message } });
    }
    if (error instanceof DomainError && error.status === 404) throw notFound();
    throw error;
  }
}

export default function GenerateCodes() {
  const { t } = useTranslation("batches");
  const { bundle, defaultExpiry, cardLanguage, syncLimit, maxSize } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const locale = useFormattingLocale();
  const values = actionData?.values ?? {};
  return (
    <>
      <PageHeader
        title={t("generate.title")}
        description={t("generate.subtitle", {
          bundle: bundle.name,
          seats: formatNumber(bundle.staffSeats, locale),
          operations: formatNumber(bundle.cardOperations, locale),
          months: bundle.termMonths,
        })}
        actions={
          <Link
            to=".."
            relative="path"
            className="text-sm font-semibold text-brand-700 hover:underline"
          >
            {t("generate.backToBundle")}
          </Link>
        }
      />
      {bundle.status === "archived" ? (
        <Card>
          <p role="alert" className="text-sm text-amber-900">
            {t("errors.bundle_archived")}
          </p>
        </Card>
      ) : (
        <Card title={t("generate.formTitle")}>
          <Form method="post" className="grid max-w-2xl gap-4 md:grid-cols-2" noValidate>
            <div className="md:col-span-2">
              <FormAlert message={actionData?.formError} />
            </div>
            <Field
              label={t("fields.count")}
              name="count"
              inputMode="numeric"
              required
              defaultValue={values.count ?? "25"}
              error={actionData?.errors.count}
              hint={t("generate.countHint", {
                sync: formatNumber(syncLimit, locale),
                max: formatNumber(maxSize, locale),
              })}
            />
            <Field
              label={t("fields.prefix")}
              name="prefix"
              defaultValue={values.prefix}
              maxLength={8}
              autoCapitalize="characters"
              error={actionData?.errors.prefix}
              hint={t("generate.prefixHint")}
            />
            <Field
              label={t("fields.expiresOn")}
              name="expiresOn"
              type="date"
              defaultValue={values.expiresOn ?? defaultExpiry}
              error={actionData?.errors.expiresOn}
              hint={t("generate.expiryHint", { days: bundle.codeValidityDays })}
            />
            <Field
              label={t("fields.label")}
              name="label"
              defaultValue={values.label}
              maxLength={120}
              error={actionData?.errors.label}
              hint={t("generate.labelHint")}
            />
            <div className="md:col-span-2">
              <Field
                label={t("fields.recipient")}
                name="recipient"
                defaultValue={values.recipient}
                maxLength={200}
                error={actionData?.errors.recipient}
                hint={t("generate.recipientHint")}
              />
            </div>
            <SelectField
              label={t("fields.cardLanguage")}
              name="locale"
              defaultValue={values.locale ?? cardLanguage}
              error={actionData?.errors.locale}
              hint={t("generate.cardLanguageHint")}
              options={supportedLanguages.map((code) => ({
                value: code,
                label: t(`languages.${code}`, { ns: "common" }),
              }))}
            />
            <div className="md:col-span-2">
              <Button type="submit" disabled={busy}>
                {busy ? t("generate.working") : t("generate.submit")}
              </Button>
            </div>
          </Form>
        </Card>
      )}
    </>
  );
}
