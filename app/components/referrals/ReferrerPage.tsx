// The referrer's "Referrals" page (a business's or a partner's): the personal link with a copy
// button and a QR code, the rule in plain words, the funnel, and the referred businesses
// (named once they qualify), paged. Not connected: how to ask support for it.
import { useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "~/components/Button";
import {
  Card,
  EmptyState,
  PageHeader,
  Pager,
  Stat,
  StaleCursorNotice,
  Table,
} from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import type { ReferredRow, referrerDashboard } from "~/domain/referrals/reads.server";
import { formatDate, formatMoney, formatNumber } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export interface ReferrerPageData {
  dashboard: Awaited<ReturnType<typeof referrerDashboard>>;
  qrSvg: string | null;
  isPartner: boolean;
  isFirstPage: boolean;
  staleCursor: boolean;
}

const stateTone = {
  none: "neutral",
  waiting: "warning",
  granted: "success",
  clawed_back: "danger",
  rejected: "neutral",
} as const;

function CopyLink({ link }: { link: string }) {
  const { t } = useTranslation("referrals");
  const [canCopy, setCanCopy] = useState(false);
  const [copied, setCopied] = useState(false);
  useEffect(() => setCanCopy(typeof navigator !== "undefined" && Boolean(navigator.clipboard)), []);
  return (
    <div className="flex flex-wrap items-center gap-3">
      <label className="sr-only" htmlFor="referral-link">
        {t("page.yourLink")}
      </label>
      <input
        id="referral-link"
        readOnly
        value={link}
        className="min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm"
        onFocus={(event) => event.currentTarget.select()}
      />
      {canCopy ? (
        <Button
          type="button"
          variant="secondary"
          onClick={() => {
            void navigator.clipboard.writeText(link).then(() => setCopied(true));
          }}
        >
          {copied ? t("page.copied") : t("page.copy")}
        </Button>
      ) : null}
      <span role="status" className="sr-only">
        {copied ? t("page.copied") : ""}
      </span>
    </div>
  );
}

export function ReferrerPage() {
  const { t } = useTranslation(["referrals", "common"]);
  const locale = useFormattingLocale();
  const { dashboard, qrSvg, isPartner, isFirstPage, staleCursor } =
    useLoaderData<ReferrerPageData>();
  const n = (value: number) => formatNumber(value, locale);
  const account = dashboard.account;
  if (!account || account.status === "disconnected") {
    return (
      <>
        <PageHeader title={t("page.title")} description={t("page.subtitle")} />
        <EmptyState title={t("page.notConnectedTitle")}>
          <p>{t("page.notConnectedBody")}</p>
        </EmptyState>
      </>
    );
  }
  const rule = account.rule;
  const referred = t("rule.referred", {
    count: rule.referredOperations,
    formatted: n(rule.referredOperations),
  });
  const referrer = isPartner
    ? t("rule.referrerCredit", { amount: formatMoney(rule.referrerCreditCents, locale) })
    : t("rule.referrerOperations", {
        count: rule.referrerOperations,
        formatted: n(rule.referrerOperations),
      });
  const funnel = dashboard.funnel;
  const rows = dashboard.referred.rows;
  return (
    <>
      <PageHeader title={t("page.title")} description={t("page.subtitle")} />
      {account.status === "paused" ? (
        <p
          role="status"
          className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900"
        >
          {t("page.pausedNote")}
        </p>
      ) : null}
      <div className="space-y-6">
        <div className="grid gap-6 lg:grid-cols-3">
          <div className="lg:col-span-2">
            <Card title={t("page.yourLink")}>
              <CopyLink link={account.link} />
              <h3 className="mt-5 text-sm font-semibold text-slate-900">{t("page.rule")}</h3>
              <p className="mt-1 text-sm text-slate-700" data-testid="referral-rule">
                {t("rule.sentence", { referred, referrer, when: t("rule.when") })}{" "}
                {t("rule.lasts", { count: rule.bonusMonths })}
              </p>
            </Card>
          </div>
          {qrSvg ? (
            <Card>
              <img
                src={`data:image/svg+xml;utf8,${encodeURIComponent(qrSvg)}`}
                alt={t("page.qrAlt")}
                className="mx-auto h-40 w-40"
              />
            </Card>
          ) : null}
        </div>
        <section aria-label={t("page.funnel")}>
          <h2 className="mb-3 text-base font-semibold text-slate-900">{t("page.funnel")}</h2>
          <dl
            className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-6"
            data-testid="referral-funnel"
          >
            <Stat label={t("page.visits")} value={n(funnel.visits)} />
            <Stat label={t("page.signUps")} value={n(funnel.signUps)} />
            <Stat label={t("page.qualified")} value={n(funnel.qualified)} />
            <Stat label={t("page.rewarded")} value={n(funnel.rewarded)} />
            <Stat label={t("page.pending")} value={n(funnel.pending)} />
            <Stat label={t("page.rejected")} value={n(funnel.rejected)} />
          </dl>
        </section>
        <section aria-label={t("page.referredTitle")}>
          <h2 className="mb-3 text-base font-semibold text-slate-900">{t("page.referredTitle")}</h2>
          <StaleCursorNotice show={staleCursor} />
          {rows.length === 0 ? (
            <EmptyState title={t("page.empty")} />
          ) : (
            <Table
              caption={t("page.referredTitle")}
              stackOnPhone
              head={
                <tr>
                  <th className="px-4 py-2">{t("page.business")}</th>
                  <th className="px-4 py-2">{t("page.signedUp")}</th>
                  <th className="px-4 py-2">{t("page.qualifiedOn")}</th>
                  <th className="px-4 py-2">{t("page.reward")}</th>
                </tr>
              }
            >
              {rows.map((row) => (
                <ReferredLine key={row.id} row={row} isPartner={isPartner} />
              ))}
            </Table>
          )}
          <Pager
            nextHref={
              dashboard.referred.nextCursor ? `?cursor=${dashboard.referred.nextCursor}` : null
            }
            firstHref={isFirstPage ? null : "?"}
            labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
          />
        </section>
      </div>
    </>
  );
}

function ReferredLine({ row, isPartner }: { row: ReferredRow; isPartner: boolean }) {
  const { t } = useTranslation("referrals");
  const locale = useFormattingLocale();
  const amount =
    row.rewardState === "none" || row.rewardState === "rejected"
      ? ""
      : isPartner
        ? formatMoney(row.referrerCreditCents ?? 0, locale)
        : t("page.rewardOperations", {
            formatted: formatNumber(row.referrerOperations ?? 0, locale),
          });
  return (
    <tr>
      <td className="px-4 py-2 font-medium">
        {row.businessName ?? (
          <span className="text-slate-500">{t("page.hiddenUntilQualified")}</span>
        )}
      </td>
      <td className="px-4 py-2" data-label={t("page.signedUp")}>
        {formatDate(row.attributedAt, locale)}
      </td>
      <td className="px-4 py-2" data-label={t("page.qualifiedOn")}>
        {row.qualifiedAt ? formatDate(row.qualifiedAt, locale) : "—"}
      </td>
      <td className="px-4 py-2" data-label={t("page.reward")}>
        <StatusBadge tone={stateTone[row.rewardState]}>
          {t(`rewardState.${row.rewardState}`)}
        </StatusBadge>{" "}
        <span className="tabular-nums">{amount}</span>
      </td>
    </tr>
  );
}
