// A partner's page of one code: its state, hand-out, revoke and history.
// Its loader and action stay in app/routes/_app.partner.$slug.codes.$serial.tsx.
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useLocation,
  useNavigation,
  useParams,
} from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { labelKey } from "~/lib/messages";
import { Button } from "~/components/Button";
import { CodeStatusBadge } from "~/components/CodeStatusBadge";
import { Field, FormAlert } from "~/components/Field";
import { Card, PageHeader } from "~/components/Layout";
import { type HistoryEntry } from "~/domain/codes/model.server";
import { formatDate, formatDateTime, formatNumber } from "~/lib/format";
import { useFormattingLocale } from "~/root";

import type { loader, action } from "~/routes/_app.partner.$slug.codes.$serial";

export function PartnerCodePage() {
  const { t } = useTranslation(["codes"]);
  const { code, history, redeemUrl } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const location = useLocation();
  const busy = useNavigation().state === "submitting";
  const locale = useFormattingLocale();
  const failedIntent = actionData?.values.intent;
  const failure = (intent: string) => (failedIntent === intent ? actionData : undefined);
  const claimable = code.status === "issued" && code.batchStatus === "ready";
  const revocable = code.status === "issued" || code.status === "expired";
  const { staffSeats, cardOperations, termMonths } = code.bundleContent;
  const gives = [
    staffSeats > 0
      ? t("detail.seats", { count: staffSeats, formatted: formatNumber(staffSeats, locale) })
      : null,
    cardOperations > 0
      ? t("detail.operations", {
          count: cardOperations,
          formatted: formatNumber(cardOperations, locale),
        })
      : null,
  ]
    .filter(Boolean)
    .join(" · ");
  const base = `/partner/${useParams().slug}`;
  const handOutFailure = failure("handOut");
  const revokeFailure = failure("revoke");
  const emailFailure = failure("email");

  return (
    <>
      <PageHeader
        title={t("detail.title", { serial: code.serial })}
        description={t("detail.subtitle", {
          bundle: code.bundleName,
          batch: code.batchLabel ?? t("detail.unlabelled"),
        })}
        actions={
          <Link
            to={`${base}/codes`}
            className="text-sm font-semibold text-brand-700 hover:underline"
          >
            ← {t("detail.back")}
          </Link>
        }
      />
      <div className="grid gap-6 lg:grid-cols-5">
        <div className="space-y-6 lg:col-span-3">
          <Card>
            <div className="flex flex-wrap items-center justify-between gap-3">
              <p
                className="select-all break-words font-mono text-2xl font-semibold tracking-wider text-slate-900 sm:text-3xl"
                aria-label={t("detail.code")}
              >
                {code.display}
              </p>
              <CodeStatusBadge status={code.status} />
            </div>
            {code.status === "expired" ? (
              <p className="mt-3 text-sm text-amber-800">{t("detail.expiredNote")}</p>
            ) : null}
            {code.claimedAt ? (
              <p className="mt-3 text-sm text-emerald-800">
                {code.claimedBy ? (
                  <>
                    {t("detail.claimedBy")}{" "}
                    <Link
                      to={`${base}/clients/${code.claimedBy.businessId}`}
                      className="font-semibold underline"
                    >
                      {code.claimedBy.name}
                    </Link>{" "}
                  </>
                ) : (
                  `${t("detail.claimedNote")} `
                )}
                {t("detail.claimedOn", { date: formatDateTime(code.claimedAt, locale) })}
              </p>
            ) : null}
            {code.status === "revoked" && code.revokedAt ? (
              <p className="mt-3 text-sm text-red-800">
                {t("detail.revokedNote", {
                  date: formatDateTime(code.revokedAt, locale),
                  reason: code.revokeReason ?? "",
                })}
              </p>
            ) : null}
            {code.batchStatus !== "ready" && code.status === "issued" ? (
              <p className="mt-3 text-sm text-amber-800">{t("detail.notReadyNote")}</p>
            ) : null}
            <dl className="mt-5 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-3 border-t border-slate-100 pt-4 text-sm">
              <dt className="text-slate-600">{t("detail.bundle")}</dt>
              <dd>
                <Link
                  to={`${base}/bundles/${code.bundleId}`}
                  className="font-medium text-brand-700 hover:underline"
                >
                  {code.bundleName}
                </Link>
              </dd>
              <dt className="text-slate-600">{t("detail.gives")}</dt>
              <dd className="font-medium">
                {gives} {t("detail.term", { count: termMonths })}
              </dd>
              <dt className="text-slate-600">{t("detail.batch")}</dt>
              <dd>
                <Link
                  to={`${base}/batches/${code.batchId}`}
                  className="font-medium text-brand-700 hover:underline"
                >
                  {code.batchLabel ?? t("detail.unlabelled")}
                </Link>
              </dd>
              <dt className="text-slate-600">{t("detail.expires")}</dt>
              <dd className="font-medium tabular-nums">{formatDate(code.expiresAt, locale)}</dd>
              <dt className="text-slate-600">{t("detail.created")}</dt>
              <dd className="tabular-nums">{formatDateTime(code.createdAt, locale)}</dd>
            </dl>
          </Card>

          {claimable ? <RedeemLink url={redeemUrl} /> : null}

          <Card title={t("detail.historyTitle")}>
            <HistoryList entries={history} />
          </Card>
        </div>

        <div className="space-y-6 lg:col-span-2">
          {/* A refusal whose form is no longer shown (the code changed state meanwhile). */}
          {actionData?.formError && !(claimable || (failedIntent === "revoke" && revocable)) ? (
            <FormAlert message={actionData.formError} />
          ) : null}
          {claimable ? (
            <Card title={t("handOut.title")}>
              <p className="mb-4 text-sm text-slate-600">
                {code.handedOutAt
                  ? code.recipientName || code.recipientEmail
                    ? t("handOut.current", {
                        recipient: [code.recipientName, code.recipientEmail]
                          .filter(Boolean)
                          .join(" · "),
                        date: formatDate(code.handedOutAt, locale),
                      })
                    : t("handOut.currentNobody", { date: formatDate(code.handedOutAt, locale) })
                  : t("handOut.notYet")}
              </p>
              {/* Keyed by the location: after a save the fields show what was stored. */}
              <Form key={location.key} method="post" className="space-y-4" noValidate>
                <input type="hidden" name="intent" value="handOut" />
                <FormAlert message={handOutFailure?.formError} />
                <Field
                  label={t("handOut.name")}
                  name="name"
                  autoComplete="off"
                  defaultValue={handOutFailure?.values.name ?? code.recipientName ?? ""}
                  error={handOutFailure?.errors.name}
                />
                <Field
                  label={t("handOut.email")}
                  name="email"
                  type="email"
                  autoComplete="off"
                  defaultValue={handOutFailure?.values.email ?? code.recipientEmail ?? ""}
                  error={handOutFailure?.errors.email}
                />
                <Field
                  label={t("handOut.note")}
                  name="note"
                  autoComplete="off"
                  hint={t("handOut.noteHint")}
                  defaultValue={handOutFailure?.values.note ?? code.recipientNote ?? ""}
                  error={handOutFailure?.errors.note}
                />
                <div className="flex gap-3">
                  <input
                    id="lock-to-email"
                    type="checkbox"
                    name="lockToEmail"
                    aria-describedby="lock-to-email-hint"
                    defaultChecked={
                      handOutFailure
                        ? handOutFailure.values.lockToEmail === "on"
                        : code.lockedToEmail
                    }
                    className="mt-0.5 h-4 w-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500"
                  />
                  <div className="text-sm">
                    <label htmlFor="lock-to-email" className="font-medium text-slate-800">
                      {t("handOut.lockToEmail")}
                    </label>
                    <p id="lock-to-email-hint" className="text-xs text-slate-500">
                      {t("handOut.lockHint")}
                    </p>
                  </div>
                </div>
                <Button type="submit" disabled={busy}>
                  {t("handOut.save")}
                </Button>
              </Form>
            </Card>
          ) : null}

          {claimable ? (
            <Card title={t("email.title")}>
              <Form method="post" className="space-y-3">
                <input type="hidden" name="intent" value="email" />
                <FormAlert message={emailFailure?.formError} />
                <p className="text-sm text-slate-600" id="email-code-help">
                  {code.recipientEmail
                    ? t("email.body", { email: code.recipientEmail })
                    : t("email.noEmail")}
                </p>
                {code.emailedAt ? (
                  <p className="text-sm text-slate-600">
                    {t("email.lastSent", { date: formatDateTime(code.emailedAt, locale) })}
                  </p>
                ) : null}
                <Button
                  type="submit"
                  variant="secondary"
                  disabled={busy || !code.recipientEmail}
                  aria-describedby="email-code-help"
                >
                  {t("email.send")}
                </Button>
              </Form>
            </Card>
          ) : null}

          {revocable ? (
            <Card title={t("revoke.title")}>
              <Form
                key={location.key}
                method="post"
                className="space-y-4"
                noValidate
                onSubmit={(event) => {
                  if (!window.confirm(t("revoke.confirm", { serial: code.serial }))) {
                    event.preventDefault();
                  }
                }}
              >
                <input type="hidden" name="intent" value="revoke" />
                <FormAlert message={revokeFailure?.formError} />
                <p className="text-sm text-slate-600">{t("revoke.body")}</p>
                <Field
                  label={t("revoke.reason")}
                  name="reason"
                  required
                  maxLength={200}
                  autoComplete="off"
                  hint={t("revoke.reasonHint")}
                  defaultValue={revokeFailure?.values.reason ?? ""}
                  error={revokeFailure?.errors.reason}
                />
                <Button type="submit" variant="danger" disabled={busy}>
                  {t("revoke.submit")}
                </Button>
              </Form>
            </Card>
          ) : null}
        </div>
      </div>
    </>
  );
}

/** The link as a selectable field (works without JavaScript) and a copy button. */
function RedeemLink({ url }: { url: string }) {
  const { t } = useTranslation(["codes"]);
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [canCopy, setCanCopy] = useState(false);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  useEffect(() => setCanCopy(typeof navigator !== "undefined" && Boolean(navigator.clipboard)), []);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(null), 2500);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied("yes");
    } catch {
      input.current?.select();
      setCopied("failed");
    }
  };
  return (
    <Card title={t("detail.redeemTitle")}>
      <label htmlFor={id} className="sr-only">
        {t("detail.redeemLabel")}
      </label>
      <div className="flex gap-2">
        <input
          id={id}
          ref={input}
          readOnly
          value={url}
          onFocus={(event) => event.currentTarget.select()}
          aria-describedby={`${id}-hint`}
          className="block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm text-slate-800 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100"
        />
        {canCopy ? (
          <Button variant="secondary" onClick={() => void copy()} className="shrink-0">
            {copied === "yes" ? t("detail.copied") : t("detail.copy")}
          </Button>
        ) : null}
      </div>
      <p id={`${id}-hint`} className="mt-2 text-xs text-slate-500" aria-live="polite">
        {copied === "failed" ? t("detail.copyFailed") : t("detail.redeemHint")}
      </p>
    </Card>
  );
}

function HistoryList({ entries }: { entries: HistoryEntry[] }) {
  const { t, i18n } = useTranslation(["codes"]);
  const locale = useFormattingLocale();
  const text = (entry: HistoryEntry): string => {
    const d = entry.details;
    switch (entry.action) {
      case "code.created":
        return d.batchLabel
          ? t("history.code.created", {
              batchLabel: d.batchLabel,
              batchSize: formatNumber(Number(d.batchSize), locale),
            })
          : t("history.code.created_unlabelled", {
              batchSize: formatNumber(Number(d.batchSize), locale),
            });
      case "code.handed_out": {
        const recipient = d.name && d.email ? `${d.name} <${d.email}>` : (d.name ?? d.email);
        if (!recipient) return t("history.code.handed_out_nobody");
        return t(d.lockedToEmail ? "history.code.handed_out_locked" : "history.code.handed_out", {
          recipient: String(recipient),
        });
      }
      default:
        return i18n.exists(`codes:history.${entry.action}`)
          ? t(labelKey("codes:history", entry.action), { ...d })
          : t("history.other", { action: entry.action });
    }
  };
  return (
    <ol className="space-y-3 text-sm">
      {entries.map((entry, index) => (
        <li key={index} className="flex gap-3">
          <span
            aria-hidden="true"
            className="mt-1.5 h-2 w-2 shrink-0 rounded-full bg-slate-300 ring-4 ring-slate-100"
          />
          <div>
            <p className="text-slate-900">{text(entry)}</p>
            <p className="text-xs text-slate-500">
              <time dateTime={new Date(entry.at).toISOString()}>
                {formatDateTime(entry.at, locale)}
              </time>
              {entry.actorLabel ? ` · ${t("detail.by", { actor: entry.actorLabel })}` : null}
            </p>
          </div>
        </li>
      ))}
    </ol>
  );
}
