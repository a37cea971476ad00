// /support/referrals — the referral program's queue: qualified referrals whose rewards wait
// (over the threshold, or flagged as a possible self-referral, with why), approved or
// rejected with a reason, paged; decided ones for reference; and the approval threshold.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireSupport } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { Field, FormAlert } from "~/components/Field";
import { Card, EmptyState, PageHeader, Pager, Stat, StaleCursorNotice } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { ReasonField } from "~/components/support/ReasonField";
import { db } from "~/db.server";
import { DomainError } from "~/domain/errors.server";
import { readPage } from "~/domain/paging.server";
import {
  DecisionSchema,
  decideReferral,
  SettingsSchema,
  updateReferralSettings,
} from "~/domain/referrals/qualification.server";
import {
  referralQueue,
  referralQueueSummary,
  type QueueRow,
} from "~/domain/referrals/reads.server";
import { clock } from "~/lib/clock.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formatDateTime, formatMoney } from "~/lib/format";
import type { FieldErrors } from "~/lib/forms";
import { dispatchIntent, intentForm } from "~/lib/intents.server";
import { domainErrorMessage, type Message } from "~/lib/messages";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [
  { title: "Referral program · Support · 7stamp Partner Portal" },
];

const Query = z.object({
  view: z.enum(["waiting", "decided"]).catch("waiting"),
  cursor: z.string().max(500).nullable().catch(null),
});

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const params = new URL(args.request.url).searchParams;
  const query = Query.parse({
    view: params.get("view") ?? "waiting",
    cursor: params.get("cursor"),
  });
  const [page, summary] = await Promise.all([
    readPage(query.cursor, (cursor) => referralQueue(db, { filter: query.view, cursor })),
    referralQueueSummary(db),
  ]);
  return { ...page, summary, view: query.view, isFirstPage: !query.cursor || page.staleCursor };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const formData = await args.request.formData();
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const here = `/support/referrals${new URL(args.request.url).search}`;
  const decide = (decision: "approve" | "reject") =>
    intentForm(DecisionSchema, async ({ referralId, reason }, { fail }) => {
      try {
        await decideReferral(db, { referralId, decision, reason, actor, ip, now: clock() });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return fail(
          {
            values: { referralId, reason },
            formError: domainErrorMessage("referrals:errors", error.code),
          },
          error.status,
        );
      }
      return redirectWithFlash(args.request, here, {
        kind: "success",
        key: decision === "approve" ? "referrals:queue.approved" : "referrals:queue.rejected",
      });
    });
  return dispatchIntent(formData, {
    approve: decide("approve"),
    reject: decide("reject"),
    threshold: intentForm(SettingsSchema, async ({ autoApproveMaxCents }) => {
      await updateReferralSettings(db, { autoApproveMaxCents, actor, ip, now: clock() });
      return redirectWithFlash(args.request, here, {
        kind: "success",
        key: "referrals:queue.thresholdSaved",
      });
    }),
  });
}

interface Failure {
  values: Record<string, string>;
  errors?: FieldErrors;
  formError?: Message | null;
}

export default function SupportReferrals() {
  const { t } = useTranslation(["referrals", "common"]);
  const { rows, nextCursor, view, isFirstPage, staleCursor, summary } =
    useLoaderData<typeof loader>();
  const failure = useActionData<Failure>();
  const busy = useNavigation().state === "submitting";
  const thresholdFailure = failure?.values?.intent === "threshold" ? failure : undefined;
  return (
    <>
      <PageHeader title={t("queue.title")} description={t("queue.subtitle")} />
      <div className="mb-6 grid gap-4 md:grid-cols-3">
        <dl className="contents">
          <Stat label={t("queue.waitingCount")} value={summary.waiting} />
          <Stat label={t("queue.connectedAccounts")} value={summary.connectedAccounts} />
        </dl>
        <Card>
          <Form method="post" className="space-y-3" noValidate>
            <input type="hidden" name="intent" value="threshold" />
            <Field
              label={t("queue.threshold")}
              name="autoApproveMaxCents"
              inputMode="numeric"
              hint={t("queue.thresholdHint")}
              defaultValue={
                thresholdFailure?.values.autoApproveMaxCents ?? String(summary.autoApproveMaxCents)
              }
              error={thresholdFailure?.errors?.autoApproveMaxCents}
            />
            <Button type="submit" variant="secondary" disabled={busy}>
              {t("queue.saveThreshold")}
            </Button>
          </Form>
        </Card>
      </div>
      <nav aria-label={t("queue.title")} className="mb-4 flex flex-wrap gap-2">
        {(["waiting", "decided"] as const).map((filter) => (
          <Link
            key={filter}
            to={`?view=${filter}`}
            aria-current={filter === view ? "page" : undefined}
            className={`rounded-full px-3 py-1 text-sm ring-1 ${
              filter === view
                ? "bg-brand-600 text-white ring-brand-600"
                : "text-slate-700 ring-slate-300 hover:bg-slate-50"
            }`}
          >
            {t(`queue.${filter}`)}
          </Link>
        ))}
      </nav>
      <StaleCursorNotice show={staleCursor} />
      {rows.length === 0 ? (
        <EmptyState title={view === "waiting" ? t("queue.empty") : t("queue.emptyDecided")} />
      ) : (
        <ul className="space-y-4">
          {rows.map((row) => (
            <QueueItem key={row.id} row={row} failure={failure} />
          ))}
        </ul>
      )}
      <Pager
        nextHref={nextCursor ? `?view=${view}&cursor=${nextCursor}` : null}
        firstHref={isFirstPage ? null : `?view=${view}`}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </>
  );
}

function QueueItem({ row, failure }: { row: QueueRow; failure: Failure | undefined }) {
  const { t } = useTranslation(["referrals", "common"]);
  const locale = useFormattingLocale();
  const busy = useNavigation().state === "submitting";
  const mine = failure?.values?.referralId === row.id ? failure : undefined;
  const referrerHref = row.referrer.businessId
    ? `/support/businesses/${row.referrer.businessId}`
    : `/support/partners/${row.referrer.partnerSlug}`;
  const waiting = row.status === "pending" || row.status === "flagged";
  return (
    <li
      className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm"
      data-testid="referral-queue-item"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
          <div>
            <dt className="text-slate-600">{t("queue.referred")}</dt>
            <dd>
              <Link
                to={`/support/businesses/${row.referredBusinessId}`}
                className="font-medium text-brand-700 hover:underline"
              >
                {row.referredBusinessName}
              </Link>
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">{t("queue.referrer")}</dt>
            <dd>
              <Link to={referrerHref} className="font-medium text-brand-700 hover:underline">
                {row.referrer.name}
              </Link>
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">{t("queue.qualified")}</dt>
            <dd>
              {formatDateTime(row.qualifiedAt, locale)} · {t(`qualifiedBy.${row.qualifiedBy}`)}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">{t("queue.value")}</dt>
            <dd className="tabular-nums">{formatMoney(row.rewardValueCents, locale)}</dd>
          </div>
        </dl>
        <StatusBadge
          tone={
            row.status === "flagged"
              ? "danger"
              : row.status === "approved"
                ? "success"
                : row.status === "rejected"
                  ? "neutral"
                  : "warning"
          }
        >
          {t(`referralStatus.${row.status}`)}
        </StatusBadge>
      </div>
      <div className="mt-3 text-sm">
        <span className="font-medium text-slate-800">{t("queue.why")}: </span>
        {row.flags.length > 0 ? (
          <ul className="ml-5 list-disc text-red-800">
            {row.flags.map((flag) => (
              <li key={flag}>{t(`flags.${flag}`)}</li>
            ))}
          </ul>
        ) : (
          <span>{t("queue.overThreshold")}</span>
        )}
        {row.reason ? (
          <p className="mt-1 text-slate-700">
            {t("queue.reason")}: {row.reason}{" "}
            {row.decidedBy ? t("queue.decidedBy", { who: row.decidedBy }) : null}
          </p>
        ) : null}
      </div>
      {waiting ? (
        <Form method="post" className="mt-4 flex flex-wrap items-end gap-3" noValidate>
          <input type="hidden" name="referralId" value={row.id} />
          <FormAlert message={mine?.formError} />
          <ReasonField
            defaultValue={mine?.values.reason}
            error={mine?.errors?.reason}
            className="min-w-64 flex-1"
          />
          <Button type="submit" name="intent" value="approve" disabled={busy}>
            {t("queue.approve")}
          </Button>
          <Button type="submit" name="intent" value="reject" variant="danger" disabled={busy}>
            {t("queue.reject")}
          </Button>
        </Form>
      ) : null}
    </li>
  );
}
