import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireSupport } from "~/auth/guards.server";
import { AuditTable } from "~/components/AuditTable";
import { Card, PageHeader, Stat } from "~/components/Layout";
import { db } from "~/db.server";
import { listAudit } from "~/domain/audit.server";
import { supportOverview } from "~/domain/partners.server";
import { numberFormat } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [{ title: "Support desk · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const [counts, audit] = await Promise.all([
    supportOverview(db),
    listAudit(db, {}, { limit: 10 }),
  ]);
  return { counts, recent: audit.rows };
}

export default function SupportHome() {
  const { t } = useTranslation("support");
  const { counts, recent } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  const n = { format: numberFormat(locale) };
  return (
    <>
      <PageHeader title={t("home.title")} description={t("home.subtitle")} />
      <dl className="mb-8 grid gap-4 sm:grid-cols-3">
        <Stat label={t("home.partners")} value={n.format(counts.partners)} />
        <Stat label={t("home.businesses")} value={n.format(counts.businesses)} />
        <Stat label={t("home.users")} value={n.format(counts.users)} />
      </dl>
      <Card
        title={t("home.recentActivity")}
        actions={
          <Link
            to="/support/audit"
            className="text-sm font-semibold text-brand-700 hover:underline"
          >
            {t("home.allActivity")}
          </Link>
        }
      >
        <AuditTable rows={recent} />
      </Card>
    </>
  );
}
