// One month's statement as a page: facts, per-bundle summary, totals, code counts, its
// referral credits and debits (ADR 039) and its lines paged by line number. The partner's page and support's show the same thing; only
// where the links lead differs (the partner's own pages, or the support desk's).
import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { buttonClasses } from "~/components/Button";
import { WholesaleTermsFacts } from "~/components/WholesaleTermsFacts";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import type { StatementPageData } from "~/domain/statement-page.server";
import {
  formatBasisPoints,
  formatDate,
  formatDayRange,
  formatMoney,
  formatNumber,
} from "~/lib/format";
import {
  formatStatementMonth,
  STATEMENT_LINES_PAGE as PAGE_SIZE,
  statementPeriod,
} from "~/lib/statement-months";

export interface StatementLinks {
  /** The list the page came from. */
  list: string;
  /** The statement page itself (page links are added to it). */
  self: string;
  pdf: (statementId: string) => string;
  code: (serial: number) => string;
  business: (businessId: string) => string;
}

/** "1–31 October 2026": the period's first and last day, as the locale writes a range. */
function periodRange(month: string, locale: string): string {
  const { start, end } = statementPeriod(month);
  return formatDayRange(start, new Date(end.getTime() - 86_400_000), locale);
}

const numberCell = "whitespace-nowrap px-4 py-2 text-right tabular-nums";
const numberHead = "whitespace-nowrap px-4 py-2 text-right";
const textHead = "whitespace-nowrap px-4 py-2";

export function StatementView({
  loaded,
  links,
  actions,
}: {
  loaded: StatementPageData & { badPage: boolean };
  links: StatementLinks;
  /** More header actions (support's "Finalise now"). */
  actions?: ReactNode;
}) {
  const { t } = useTranslation("statements");
  const { statement, lines, after, nextAfter, referralLines, taxRates, running, badPage, locale } =
    loaded;
  const self = links.self;
  const money = (cents: number) => formatMoney(cents, locale);
  const n = (value: number) => formatNumber(value, locale);
  const final = statement.status === "final";
  const { totals, partner, codes } = statement;
  const monthTitle = formatStatementMonth(statement.month, locale);
  const firstLine = lines[0]?.lineNo ?? 0;
  const lastLine = lines.at(-1)?.lineNo ?? 0;
  const previousAfter = Math.max(0, after - PAGE_SIZE);
  // Page links land on the line table, not the top of the statement.
  const linesAt = (afterLine: number) =>
    `${self}${afterLine > 0 ? `?after=${afterLine}` : ""}#lines-heading`;

  return (
    <>
      <Link to={links.list} className="mb-2 inline-block text-sm text-brand-700 hover:underline">
        ← {t("detail.back")}
      </Link>
      <PageHeader
        title={
          final && statement.number
            ? t("detail.finalTitle", { number: statement.number })
            : t("detail.draftTitle")
        }
        description={
          <>
            {monthTitle}
            <span className="ml-2 align-middle">
              {final ? (
                <StatusBadge tone="success">{t("status.final")}</StatusBadge>
              ) : (
                <StatusBadge tone={running ? "info" : "warning"}>
                  {running ? t("status.running") : t("status.awaiting")}
                </StatusBadge>
              )}
            </span>
          </>
        }
        actions={
          final && statement.id ? (
            <a href={links.pdf(statement.id)} className={buttonClasses("primary")}>
              {t("list.downloadPdf")}
            </a>
          ) : (
            (actions ?? null)
          )
        }
      />

      {!final ? (
        <p
          role="note"
          className="mb-6 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900"
        >
          {running
            ? t("detail.draftNotice", {
                date: formatDate(statement.periodEnd, locale),
              })
            : t("detail.awaitingNotice")}
        </p>
      ) : null}

      <div className="mb-6 grid gap-6 md:grid-cols-2">
        <Card title={t("detail.facts")}>
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="text-slate-600">{t("detail.number")}</dt>
            <dd className="font-medium">
              {statement.number ? (
                <span className="font-mono">{statement.number}</span>
              ) : (
                <span className="text-slate-500">{t("detail.notNumbered")}</span>
              )}
            </dd>
            <dt className="text-slate-600">{t("detail.period")}</dt>
            <dd className="font-medium">{periodRange(statement.month, locale)}</dd>
            <dt className="text-slate-600">{t("detail.issued")}</dt>
            <dd className="font-medium">
              {statement.issuedAt ? (
                formatDate(statement.issuedAt, locale)
              ) : (
                <span className="text-slate-500">{t("detail.notIssued")}</span>
              )}
            </dd>
          </dl>
        </Card>
        <Card title={t("detail.partnerHeading")}>
          <address className="text-sm not-italic">
            <span className="block font-medium text-slate-900">{partner.name}</span>
            {partner.contactName ? (
              <span className="block text-slate-700">{partner.contactName}</span>
            ) : null}
            {partner.contactEmail ? (
              <span className="block text-slate-700">{partner.contactEmail}</span>
            ) : null}
          </address>
          <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 border-t border-slate-100 pt-3 text-sm">
            <WholesaleTermsFacts
              discountBps={partner.discountBps}
              taxRateBps={partner.taxRateBps}
              locale={locale}
            />
          </dl>
        </Card>
      </div>

      <Section id="summary-heading" title={t("detail.summaryHeading")}>
        {statement.bundles.length === 0 ? (
          <EmptyState title={t("detail.noBundles")} />
        ) : (
          <Table
            caption={t("detail.summaryCaption")}
            head={
              <tr>
                <th scope="col" className={textHead}>
                  {t("detail.summaryColumns.bundle")}
                </th>
                <th scope="col" className={numberHead}>
                  {t("detail.summaryColumns.claims")}
                </th>
                <th scope="col" className={numberHead}>
                  {t("detail.summaryColumns.credits")}
                </th>
                <th scope="col" className={numberHead}>
                  {t("detail.summaryColumns.retail")}
                </th>
                <th scope="col" className={numberHead}>
                  {t("detail.summaryColumns.discount")}
                </th>
                <th scope="col" className={numberHead}>
                  {t("detail.summaryColumns.net")}
                </th>
                <th scope="col" className={numberHead}>
                  {t("detail.summaryColumns.tax")}
                </th>
                <th scope="col" className={numberHead}>
                  {t("detail.summaryColumns.total")}
                </th>
              </tr>
            }
          >
            {statement.bundles.map((bundle) => (
              <tr key={bundle.bundleId}>
                <th scope="row" className="px-4 py-2 text-left font-medium">
                  {bundle.bundleName}
                </th>
                <td className={numberCell}>{n(bundle.claims)}</td>
                <td className={numberCell}>{n(bundle.credits)}</td>
                <td className={numberCell}>{money(bundle.retailCents)}</td>
                <td className={numberCell}>{money(bundle.discountCents)}</td>
                <td className={numberCell}>{money(bundle.netCents)}</td>
                <td className={numberCell}>{money(bundle.taxCents)}</td>
                <td className={numberCell}>{money(bundle.totalCents)}</td>
              </tr>
            ))}
            <tr className="bg-slate-50 font-semibold">
              <th scope="row" className="px-4 py-2 text-left">
                {t("detail.summaryTotal")}
              </th>
              <td className={numberCell}>{n(statement.claimCount)}</td>
              <td className={numberCell}>{n(statement.creditCount)}</td>
              <td className={numberCell}>{money(totals.retailCents)}</td>
              <td className={numberCell}>{money(totals.discountCents)}</td>
              <td className={numberCell}>{money(totals.netCents)}</td>
              <td className={numberCell}>{money(totals.taxCents)}</td>
              <td className={numberCell}>{money(totals.totalCents)}</td>
            </tr>
          </Table>
        )}
      </Section>

      <div className="mb-8 grid gap-6 md:grid-cols-2">
        <Card title={t("detail.totalsHeading")}>
          <dl className="space-y-2 text-sm">
            <TotalRow label={t("detail.retailSubtotal")} value={money(totals.retailCents)} />
            <TotalRow label={t("detail.discount")} value={money(-totals.discountCents)} />
            <TotalRow label={t("detail.net")} value={money(totals.netCents)} />
            <TotalRow
              label={t("detail.taxAt", {
                rate: taxRates.map((bps) => formatBasisPoints(bps, locale)).join(", "),
              })}
              value={money(totals.taxCents)}
            />
            {statement.referralCount > 0 ? (
              <TotalRow label={t("detail.referrals.total")} value={money(totals.referralCents)} />
            ) : null}
            <div className="flex items-baseline justify-between gap-6 border-t border-slate-200 pt-2 font-semibold text-slate-900">
              <dt>{t("detail.totalDue")}</dt>
              <dd className="text-base tabular-nums">{money(totals.totalCents)}</dd>
            </div>
          </dl>
        </Card>
        <Card title={t("detail.codesHeading")}>
          <dl className="grid grid-cols-[1fr_auto] gap-x-6 gap-y-2 text-sm">
            <dt className="text-slate-600">{t("detail.codesIssued")}</dt>
            <dd className="text-right tabular-nums">{n(codes.issued)}</dd>
            <dt className="text-slate-600">
              {running ? t("detail.codesOutstandingNow") : t("detail.codesOutstanding")}
            </dt>
            <dd className="text-right tabular-nums">{n(codes.outstanding)}</dd>
            <dt className="text-slate-600">{t("detail.codesRevoked")}</dt>
            <dd className="text-right tabular-nums">{n(codes.revoked)}</dd>
          </dl>
        </Card>
      </div>

      {referralLines.length > 0 ? (
        <Section id="referrals-heading" title={t("detail.referrals.heading")}>
          <p className="mb-3 text-sm text-slate-600">{t("detail.referrals.legend")}</p>
          <Table
            caption={t("detail.referrals.caption")}
            head={
              <tr>
                <th scope="col" className={numberHead}>
                  {t("detail.referrals.columns.line")}
                </th>
                <th scope="col" className={textHead}>
                  {t("detail.referrals.columns.date")}
                </th>
                <th scope="col" className={textHead}>
                  {t("detail.referrals.columns.description")}
                </th>
                <th scope="col" className={numberHead}>
                  {t("detail.referrals.columns.amount")}
                </th>
              </tr>
            }
          >
            {referralLines.map((line) => {
              const business = line.businessName || t("detail.referrals.referredBusiness");
              return (
                <tr
                  key={line.lineNo}
                  className={line.kind === "referral_debit" ? "bg-red-50/40" : undefined}
                >
                  <td className={`${numberCell} text-slate-500`}>{n(line.lineNo)}</td>
                  <td className="whitespace-nowrap px-4 py-2 tabular-nums">
                    {formatDate(line.occurredAt, locale)}
                  </td>
                  <td className="px-4 py-2">
                    {line.kind === "referral_credit"
                      ? t("detail.referrals.credit", { business })
                      : t("detail.referrals.debit", { business })}
                  </td>
                  <td className={numberCell}>{money(line.amountCents)}</td>
                </tr>
              );
            })}
          </Table>
        </Section>
      ) : null}

      <Section id="lines-heading" title={t("detail.linesHeading")}>
        <p className="mb-3 text-sm text-slate-600">
          {t("detail.linesSummary", {
            count: statement.lineCount,
            formatted: n(statement.lineCount),
            claims: n(statement.claimCount),
            credits: n(statement.creditCount),
          })}{" "}
          {statement.creditCount > 0 ? t("detail.creditLegend") : null}
        </p>
        {badPage ? (
          <p
            role="alert"
            className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900"
          >
            {t("detail.badPage")}
          </p>
        ) : null}
        {statement.lineCount === 0 ? (
          <EmptyState title={t("detail.noLines")} />
        ) : lines.length === 0 ? (
          <EmptyState title={t("detail.pastLastLine")}>
            <Link to={linesAt(0)} className="font-semibold text-brand-700 hover:underline">
              {t("detail.firstPage")}
            </Link>
          </EmptyState>
        ) : (
          <>
            <p className="mb-2 text-right text-xs text-slate-500 tabular-nums">
              {t("detail.linesRange", {
                from: n(firstLine),
                to: n(lastLine),
                total: n(statement.lineCount),
              })}
            </p>
            <Table
              caption={t("detail.linesCaption", { from: n(firstLine), to: n(lastLine) })}
              head={
                <tr>
                  <th scope="col" className={numberHead}>
                    {t("detail.lineColumns.line")}
                  </th>
                  <th scope="col" className={textHead}>
                    {t("detail.lineColumns.date")}
                  </th>
                  <th scope="col" className={textHead}>
                    {t("detail.lineColumns.kind")}
                  </th>
                  <th scope="col" className={textHead}>
                    {t("detail.lineColumns.code")}
                  </th>
                  <th scope="col" className={textHead}>
                    {t("detail.lineColumns.business")}
                  </th>
                  <th scope="col" className={textHead}>
                    {t("detail.lineColumns.bundle")}
                  </th>
                  <th scope="col" className={numberHead}>
                    {t("detail.lineColumns.retail")}
                  </th>
                  <th scope="col" className={numberHead}>
                    {t("detail.lineColumns.discount")}
                  </th>
                  <th scope="col" className={numberHead}>
                    {t("detail.lineColumns.net")}
                  </th>
                  <th scope="col" className={numberHead}>
                    {t("detail.lineColumns.tax")}
                  </th>
                </tr>
              }
            >
              {lines.map((line) => (
                <tr
                  key={line.lineNo}
                  className={line.kind === "credit" ? "bg-red-50/40" : "hover:bg-slate-50"}
                >
                  <td className={`${numberCell} text-slate-500`}>{n(line.lineNo)}</td>
                  <td className="whitespace-nowrap px-4 py-2 tabular-nums">
                    {formatDate(line.occurredAt, locale)}
                  </td>
                  <td className="whitespace-nowrap px-4 py-2">
                    {line.kind === "credit" ? (
                      <StatusBadge tone="danger">{t("detail.kinds.credit")}</StatusBadge>
                    ) : (
                      <StatusBadge tone="neutral">{t("detail.kinds.claim")}</StatusBadge>
                    )}
                  </td>
                  <td className="whitespace-nowrap px-4 py-2">
                    <Link
                      to={links.code(line.serial)}
                      className="font-medium text-brand-700 hover:underline"
                    >
                      {t("detail.codeNumber", { serial: line.serial })}
                    </Link>
                  </td>
                  <td className="px-4 py-2">
                    <Link
                      to={links.business(line.businessId)}
                      className="text-brand-700 hover:underline"
                    >
                      {line.businessName}
                    </Link>
                  </td>
                  <td className="whitespace-nowrap px-4 py-2">{line.bundleName}</td>
                  <td className={numberCell}>{money(line.retailCents)}</td>
                  <td className={numberCell}>{money(line.discountCents)}</td>
                  <td className={numberCell}>{money(line.wholesaleCents)}</td>
                  <td className={numberCell}>{money(line.taxCents)}</td>
                </tr>
              ))}
            </Table>
          </>
        )}
        <LinePager
          label={t("detail.paging")}
          links={[
            after > 0 ? { to: linesAt(0), label: t("detail.firstPage") } : null,
            after > 0
              ? { to: linesAt(previousAfter), label: t("detail.previousPage"), rel: "prev" }
              : null,
            nextAfter !== null
              ? { to: linesAt(nextAfter), label: t("detail.nextPage"), rel: "next" }
              : null,
          ]}
        />
      </Section>
    </>
  );
}

function TotalRow({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex items-baseline justify-between gap-6">
      <dt className="text-slate-600">{label}</dt>
      <dd className="text-right tabular-nums">{value}</dd>
    </div>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="mb-8">
      <h2 id={id} className="mb-3 text-lg font-semibold text-slate-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** First / previous / next page links; stable URLs (?after=N), so a page can be shared. */
function LinePager({
  label,
  links,
}: {
  label: string;
  links: ({ to: string; label: string; rel?: string } | null)[];
}) {
  const shown = links.filter((link): link is NonNullable<typeof link> => link !== null);
  if (shown.length === 0) return null;
  return (
    <nav className="mt-4 flex justify-end gap-2" aria-label={label}>
      {shown.map((link) => (
        <Link
          key={link.label}
          to={link.to}
          rel={link.rel}
          className="rounded-md px-3 py-1.5 text-sm text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50"
        >
          {link.label}
        </Link>
      ))}
    </nav>
  );
}
