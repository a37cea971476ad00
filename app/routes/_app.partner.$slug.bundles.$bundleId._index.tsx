import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigation, useParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { notFound, requirePartnerMember } from "~/auth/guards.server";
import { BundleStatusBadge } from "~/components/BundleStatusBadge";
import { buttonClasses } from "~/components/Button";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { Card, PageHeader } from "~/components/Layout";
import { db } from "~/db.server";
import { archiveBundle, BundleNotFound, getBundle } from "~/domain/bundles.server";
import { getPartnerTerms } from "~/domain/partners.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import { formatBasisPoints, formatDateTime, formatMoney, formatNumber } from "~/lib/format";
import { parseForm } from "~/lib/forms";
import { useFormattingLocale } from "~/root";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.bundle.name ?? "Bundle"} · 7stamp Partner Portal` },
];

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const bundle = await getBundle(db, {
    partnerId: partner.id,
    bundleId: args.params.bundleId ?? "",
    now: clock(),
  });
  if (!bundle) throw notFound();
  const [source, terms] = await Promise.all([
    bundle.duplicatedFrom
      ? getBundle(db, { partnerId: partner.id, bundleId: bundle.duplicatedFrom, now: clock() })
      : null,
    getPartnerTerms(db, { partnerId: partner.id }),
  ]);
  return {
    bundle,
    source: source ? { id: source.id, name: source.name } : null,
    discountBps: terms.discountBps,
  };
}

const BundleAction = z.object({ intent: z.literal("archive") });

// Partner members, not only owners, look after bundles (DESIGN.md §2).
export async function action(args: ActionFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug);
  const form = parseForm(BundleAction, await args.request.formData());
  if (!form.success) return formFailure(form);
  let bundle;
  try {
    bundle = await archiveBundle(db, {
      partnerId: partner.id,
      bundleId: args.params.bundleId ?? "",
      actor: { userId: user.id, label: user.email },
      ip: args.context.clientIp,
      now: clock(),
    });
  } catch (error) {
    if (error instanceof BundleNotFound) throw notFound();
    throw error;
  }
  return redirectWithFlash(args.request, `/partner/${partner.slug}/bundles/${bundle.id}`, {
    kind: "success",
    key: "bundles:flash.archived",
    values: { name: bundle.name },
  });
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex items-baseline justify-between gap-4 py-2">
      <dt className="text-slate-600">{label}</dt>
      <dd className="text-right font-medium tabular-nums text-slate-900">{children}</dd>
    </div>
  );
}

export default function BundlePage() {
  const { t } = useTranslation("bundles");
  const { bundle, source, discountBps } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  const busy = useNavigation().state === "submitting";
  const { slug } = useParams();
  const base = `/partner/${slug}/bundles`;
  const archived = bundle.status === "archived";
  const { price } = bundle;
  return (
    <>
      <nav className="mb-2 text-sm">
        <Link to={base} className="text-brand-700 hover:underline">
          ← {t("detail.back")}
        </Link>
      </nav>
      <PageHeader
        title={bundle.name}
        description={
          <span className="flex items-center gap-2">
            <BundleStatusBadge status={bundle.status} />
            <span>
              {t("detail.created")} {formatDateTime(bundle.createdAt, locale)}
            </span>
          </span>
        }
        actions={
          <>
            {archived ? null : (
              <Link to={`${base}/${bundle.id}/generate`} className={buttonClasses("primary")}>
                {t("detail.generate")}
              </Link>
            )}
            <Link to={`${base}/new?from=${bundle.id}`} className={buttonClasses("secondary")}>
              {t("detail.duplicate")}
            </Link>
            {archived ? null : (
              <ConfirmedActionForm
                intent="archive"
                confirm={t("detail.confirmArchive", { name: bundle.name })}
                disabled={busy}
              >
                {t("detail.archive")}
              </ConfirmedActionForm>
            )}
          </>
        }
      />
      {archived ? (
        <div
          role="status"
          className="mb-6 rounded-md border border-slate-200 bg-slate-100 px-4 py-3 text-sm text-slate-800"
        >
          {t("detail.archivedNotice", {
            date: formatDateTime(bundle.archivedAt ?? bundle.createdAt, locale),
          })}
        </div>
      ) : null}
      <div className="grid gap-6 md:grid-cols-3">
        <Card title={t("detail.contents")}>
          <dl className="divide-y divide-slate-100 text-sm">
            <Row label={t("detail.staffSeats")}>{formatNumber(bundle.staffSeats, locale)}</Row>
            <Row label={t("detail.cardOperations")}>
              {formatNumber(bundle.cardOperations, locale)}
            </Row>
            <Row label={t("detail.term")}>{t("months", { count: bundle.termMonths })}</Row>
            <Row label={t("detail.codeValidity")}>
              {t("days", { count: bundle.codeValidityDays })}
            </Row>
          </dl>
        </Card>
        <Card title={t("detail.prices")}>
          <dl className="divide-y divide-slate-100 text-sm">
            <Row label={t("price.retail")}>{formatMoney(price.retailCents, locale)}</Row>
            <Row label={t("price.discount", { percent: formatBasisPoints(discountBps, locale) })}>
              −{formatMoney(price.discountCents, locale)}
            </Row>
            <Row label={t("price.wholesale")}>{formatMoney(price.wholesaleCents, locale)}</Row>
            <Row label={t("price.resale")}>
              {bundle.resalePriceCents === null
                ? t("noResale")
                : formatMoney(bundle.resalePriceCents, locale)}
            </Row>
            {price.marginCents === null ? null : (
              <Row label={t("price.margin")}>
                <span className={price.marginCents < 0 ? "text-red-700" : "text-emerald-700"}>
                  {formatMoney(price.marginCents, locale)}
                </span>
              </Row>
            )}
          </dl>
          <p className="mt-3 text-xs text-slate-500">{t("detail.priceNote")}</p>
        </Card>
        <Card title={t("detail.codesTitle")}>
          <dl className="divide-y divide-slate-100 text-sm">
            <Row label={t("detail.codes")}>{formatNumber(bundle.codeCount, locale)}</Row>
            {source ? (
              <Row label={t("detail.duplicatedFrom")}>
                <Link to={`${base}/${source.id}`} className="text-brand-700 hover:underline">
                  {source.name}
                </Link>
              </Row>
            ) : null}
          </dl>
          {bundle.codeCount > 0 ? (
            <Link
              to={`/partner/${slug}/codes?bundle=${bundle.id}`}
              className="mt-3 inline-block text-sm font-medium text-brand-700 hover:underline"
            >
              {t("detail.viewCodes")}
            </Link>
          ) : null}
          <p className="mt-3 text-xs text-slate-500">{t("detail.immutable")}</p>
        </Card>
      </div>
    </>
  );
}
