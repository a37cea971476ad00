// /partner/:slug/terms — the partner's terms, read-only: only 7stamp support changes them.
// Owners and members alike: DESIGN.md lists terms with the owner's pages, but every member
// already reads the same terms on the dashboard and on each statement (its PDF prints them),
// so hiding this page from members would hide nothing.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requirePartnerMember } from "~/auth/guards.server";
import { WholesaleTermsFacts } from "~/components/WholesaleTermsFacts";
import { Card, EmptyState, PageHeader } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { db } from "~/db.server";
import { getPartnerTerms } from "~/domain/partners.server";
import { labelKey } from "~/lib/messages";
import { formatDate } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [{ title: "Terms · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  return { terms: await getPartnerTerms(db, { partnerId: partner.id }) };
}

/** "English (Ireland)" for en-IE, in the reader's language; the tag itself if unknown. */
function localeName(tag: string, displayLocale: string): string {
  try {
    return new Intl.DisplayNames([displayLocale], { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

export default function PartnerTermsPage() {
  const { t } = useTranslation(["partner", "common"]);
  const { terms } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  const specialTerms = terms.specialTerms.trim();

  return (
    <>
      <PageHeader title={t("terms.title")} description={t("terms.subtitle")} />
      <div className="grid gap-6 md:grid-cols-2">
        <Card title={t("terms.wholesaleHeading")}>
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-3 text-sm">
            <WholesaleTermsFacts
              discountBps={terms.discountBps}
              taxRateBps={terms.taxRateBps}
              locale={locale}
            />
            <dt className="text-slate-600">{t("terms.statementPrefix")}</dt>
            <dd className="font-mono font-medium">{terms.statementPrefix}</dd>
            <dt className="text-slate-600">{t("terms.locale")}</dt>
            <dd>
              <span className="font-medium">
                {t("terms.localeValue", {
                  name: localeName(terms.locale, locale),
                  tag: terms.locale,
                })}
              </span>
              <span className="mt-0.5 block text-xs text-slate-500">{t("terms.localeHint")}</span>
            </dd>
          </dl>
        </Card>
        <Card title={t("terms.accountHeading")}>
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-3 text-sm">
            <dt className="text-slate-600">{t("terms.partnerType")}</dt>
            <dd className="font-medium">{t(labelKey("common:partnerTypes", terms.type))}</dd>
            <dt className="text-slate-600">{t("terms.status")}</dt>
            <dd>
              <StatusBadge tone={terms.status === "active" ? "success" : "warning"}>
                {t(labelKey("common:partnerStatus", terms.status))}
              </StatusBadge>
            </dd>
            <dt className="text-slate-600">{t("terms.partnerSince")}</dt>
            <dd className="font-medium">{formatDate(terms.createdAt, locale)}</dd>
          </dl>
        </Card>
      </div>

      <section aria-labelledby="special-terms-heading" className="mt-6">
        <h2 id="special-terms-heading" className="mb-3 text-lg font-semibold text-slate-900">
          {t("terms.specialTerms")}
        </h2>
        {specialTerms ? (
          <div className="whitespace-pre-line rounded-lg border border-slate-200 bg-white p-5 text-sm text-slate-700 shadow-sm">
            {specialTerms}
          </div>
        ) : (
          <EmptyState title={t("terms.noSpecialTerms")}>{t("terms.noSpecialTermsBody")}</EmptyState>
        )}
      </section>

      <section
        aria-labelledby="terms-changes-heading"
        className="mt-6 rounded-lg border border-sky-200 bg-sky-50 p-5 text-sm text-sky-900"
      >
        <h2 id="terms-changes-heading" className="font-semibold">
          {t("terms.changesHeading")}
        </h2>
        <p className="mt-1">{t("terms.changesBody")}</p>
      </section>
    </>
  );
}
