import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { domainErrorMessage } from "~/lib/messages";
import { useLiveLoaderData } from "~/lib/use-polling";
import { notFound, requirePartnerMember } from "~/auth/guards.server";
import { BatchStatusBadge } from "~/components/BatchStatusBadge";
import { Button, buttonClasses } from "~/components/Button";
import { Field, FormAlert } from "~/components/Field";
import { Card, PageHeader, Stat } from "~/components/Layout";
import { ProgressBar } from "~/components/ProgressBar";
import { db } from "~/db.server";
import { BatchNotFound, cardLanguageOf } from "~/domain/batches/model.server";
import { batchCodeCounts, getBatch } from "~/domain/batches/reads.server";
import { cardFileParts } from "~/domain/code-cards.server";
import { RevokeInputSchema } from "~/domain/codes/model.server";
import { revokeUnclaimedCodesOfBatch } from "~/domain/codes/commands.server";
import { DomainError } from "~/domain/errors.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import { formatDate, formatDateTime, formatNumber } from "~/lib/format";
import { parseForm } from "~/lib/forms";
import { useFormattingLocale } from "~/root";
import { batchProgressPercent } from "~/lib/batch-progress";
import { secretPageHeaders } from "~/lib/route-headers";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Batch · 7stamp Partner Portal" }];

export const headers = secretPageHeaders;

/** Up to this many card files are listed as links; more get a part-number field. */
const MAX_PART_LINKS = 12;

/** How often a generating batch's page asks for progress. */
const POLL_MS = 1000;

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const batch = await getBatch(db, { partnerId: partner.id, batchId: args.params.batchId });
  if (!batch) throw notFound();
  // Counting a large batch's codes is not free: not while it is still being made.
  const counts =
    batch.status === "ready"
      ? await batchCodeCounts(db, { partnerId: partner.id, batchId: batch.id, now: clock() })
      : null;
  // Cards print for outstanding codes, a bounded number per PDF file.
  const cardParts = counts && counts.outstanding > 0 ? cardFileParts(counts.outstanding) : 0;
  return {
    batch,
    counts,
    cardParts,
    cardLanguage: cardLanguageOf(batch.locale),
    slug: partner.slug,
  };
}

export async function action(args: ActionFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug);
  const form = parseForm(RevokeInputSchema, await args.request.formData());
  if (!form.success) return formFailure(form);
  const batchId = args.params.batchId ?? "";
  let revoked: number;
  try {
    revoked = await revokeUnclaimedCodesOfBatch(db, {
      partnerId: partner.id,
      batchId,
      reason: form.data.reason,
      actor: { userId: user.id, label: user.email },
      ip: args.context.clientIp,
      now: clock(),
    });
  } catch (error) {
    if (error instanceof BatchNotFound) throw notFound();
    // A batch still generating (a hand-made POST: the form only shows once it is ready).
    if (error instanceof DomainError) {
      return formFailure(
        { values: form.data, formError: domainErrorMessage("batches:errors", error.code) },
        { status: error.status },
      );
    }
    throw error;
  }
  return redirectWithFlash(args.request, `/partner/${partner.slug}/batches/${batchId}`, {
    kind: revoked > 0 ? "success" : "info",
    key: revoked > 0 ? "batches:flash.revoked" : "batches:flash.nothingToRevoke",
    values: { count: revoked },
  });
}

export default function BatchPage() {
  const { t } = useTranslation("batches");
  const { batch, counts, cardParts, cardLanguage, slug } = useLiveLoaderData<typeof loader>(
    POLL_MS,
    (data) => data.batch.status === "generating",
  );
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const locale = useFormattingLocale();
  const generating = batch.status === "generating";
  const codesHref = `/partner/${slug}/codes?batch=${batch.id}`;
  const title = batch.label || t("list.unlabelled", { prefix: batch.prefix ?? "—" });
  const unclaimed = counts ? counts.outstanding + counts.expired : 0;
  return (
    <>
      <PageHeader
        title={title}
        description={t("detail.subtitle", {
          count: batch.codeCount,
          formattedCount: formatNumber(batch.codeCount, locale),
          bundle: batch.bundleName,
        })}
        actions={<BatchStatusBadge status={batch.status} />}
      />
      <div className="space-y-6">
        <FormAlert message={actionData?.formError} />
        {generating ? (
          <Card title={t("detail.progressTitle")}>
            <ProgressBar
              kind="task"
              label={t("detail.progressLabel")}
              used={batch.generatedCount}
              available={batch.codeCount}
              percent={batchProgressPercent(batch)}
            />
            <p className="mt-3 text-sm text-slate-600" aria-live="polite">
              {t("detail.progressHint")}
            </p>
          </Card>
        ) : null}
        {batch.status === "failed" ? (
          <Card>
            <p role="alert" className="text-sm text-red-800">
              {t("detail.failed", { reason: batch.failureReason ?? "" })}
            </p>
          </Card>
        ) : null}
        {counts ? (
          <dl className="grid gap-4 sm:grid-cols-4">
            <Stat
              label={t("counts.outstanding")}
              value={formatNumber(counts.outstanding, locale)}
            />
            <Stat label={t("counts.claimed")} value={formatNumber(counts.claimed, locale)} />
            <Stat label={t("counts.expired")} value={formatNumber(counts.expired, locale)} />
            <Stat label={t("counts.revoked")} value={formatNumber(counts.revoked, locale)} />
          </dl>
        ) : null}
        <div className="grid gap-6 md:grid-cols-2">
          <Card title={t("detail.detailsTitle")}>
            <dl className="grid grid-cols-2 gap-x-4 gap-y-3 text-sm">
              <dt className="text-slate-600">{t("fields.bundle")}</dt>
              <dd className="font-medium">{batch.bundleName}</dd>
              <dt className="text-slate-600">{t("fields.count")}</dt>
              <dd className="font-medium tabular-nums">{formatNumber(batch.codeCount, locale)}</dd>
              <dt className="text-slate-600">{t("details.prefix")}</dt>
              <dd className="font-mono font-medium">{batch.prefix ?? "—"}</dd>
              <dt className="text-slate-600">{t("fields.expiresOn")}</dt>
              <dd className="font-medium">{formatDate(batch.expiresAt, locale)}</dd>
              <dt className="text-slate-600">{t("details.recipient")}</dt>
              <dd className="font-medium">{batch.recipient ?? "—"}</dd>
              <dt className="text-slate-600">{t("fields.cardLanguage")}</dt>
              <dd className="font-medium">{t(`languages.${cardLanguage}`, { ns: "common" })}</dd>
              <dt className="text-slate-600">{t("fields.created")}</dt>
              <dd className="font-medium">
                {formatDateTime(batch.createdAt, locale)}
                <div className="text-xs font-normal text-slate-500">{batch.createdByLabel}</div>
              </dd>
              {batch.completedAt ? (
                <>
                  <dt className="text-slate-600">{t("fields.completed")}</dt>
                  <dd className="font-medium">{formatDateTime(batch.completedAt, locale)}</dd>
                </>
              ) : null}
            </dl>
          </Card>
          {batch.status === "ready" ? (
            <Card title={t("detail.useTitle")}>
              <div className="flex flex-wrap gap-3">
                <Link to={codesHref} className={buttonClasses("secondary")}>
                  {t("detail.viewCodes")}
                </Link>
                <a
                  href={`/partner/${slug}/codes.csv?batch=${batch.id}`}
                  className={buttonClasses("secondary")}
                  download
                >
                  {t("detail.downloadCsv")}
                </a>
                {cardParts === 1 ? (
                  <a
                    href={`/partner/${slug}/batches/${batch.id}/cards.pdf`}
                    className={buttonClasses("secondary")}
                  >
                    {t("detail.printCards")}
                  </a>
                ) : null}
              </div>
              {cardParts > 1 ? (
                <div className="mt-4">
                  <h3 className="text-sm font-medium text-slate-800">{t("detail.cardParts")}</h3>
                  {cardParts <= MAX_PART_LINKS ? (
                    <ul className="mt-2 flex flex-wrap gap-2 text-sm">
                      {Array.from({ length: cardParts }, (_, index) => (
                        <li key={index}>
                          <a
                            href={`/partner/${slug}/batches/${batch.id}/cards.pdf?part=${index + 1}`}
                            className="rounded px-2 py-1 text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50"
                          >
                            {t("detail.cardPart", { part: index + 1, parts: cardParts })}
                          </a>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <form
                      method="get"
                      action={`/partner/${slug}/batches/${batch.id}/cards.pdf`}
                      className="mt-2 flex items-end gap-2"
                    >
                      <Field
                        label={t("detail.cardPartNumber", { parts: cardParts })}
                        name="part"
                        type="number"
                        min={1}
                        max={cardParts}
                        defaultValue="1"
                        className="w-32"
                      />
                      <Button type="submit" variant="secondary">
                        {t("detail.downloadPart")}
                      </Button>
                    </form>
                  )}
                </div>
              ) : null}
              <p className="mt-3 text-xs text-slate-500">{t("detail.useHint")}</p>
            </Card>
          ) : null}
        </div>
        {batch.status === "ready" && unclaimed > 0 ? (
          <Card title={t("revoke.title")}>
            <Form
              method="post"
              className="max-w-xl space-y-4"
              noValidate
              onSubmit={(event) => {
                // Thousands of codes at once, for good: the browser asks first (without
                // JavaScript the reason field is the deliberate step).
                const question = t("revoke.confirm", {
                  count: unclaimed,
                  formattedCount: formatNumber(unclaimed, locale),
                });
                if (!window.confirm(question)) event.preventDefault();
              }}
            >
              <p className="text-sm text-slate-600">
                {t("revoke.explain", {
                  count: unclaimed,
                  formattedCount: formatNumber(unclaimed, locale),
                })}
              </p>
              <Field
                label={t("revoke.reason")}
                name="reason"
                required
                maxLength={200}
                defaultValue={actionData?.values.reason}
                error={actionData?.errors.reason}
              />
              <Button type="submit" variant="danger" disabled={busy}>
                {t("revoke.submit", { count: unclaimed })}
              </Button>
            </Form>
          </Card>
        ) : null}
      </div>
    </>
  );
}
