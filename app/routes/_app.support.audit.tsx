import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireSupport } from "~/auth/guards.server";
import { AuditTable } from "~/components/AuditTable";
import { PageHeader, Pager } from "~/components/Layout";
import { db } from "~/db.server";
import { listAudit } from "~/domain/audit.server";

export const meta: MetaFunction = () => [{ title: "Audit log · 7stamp Partner Portal" }];

const Query = z.object({
  before: z.coerce
    .number()
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .catch(undefined),
});

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const query = Query.parse(Object.fromEntries(new URL(args.request.url).searchParams));
  const page = await listAudit(db, { before: query.before, limit: 50 });
  return { ...page, isFirstPage: !query.before };
}

export default function SupportAudit() {
  const { t } = useTranslation("support");
  const { rows, nextBefore, isFirstPage } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={t("audit.title")} description={t("audit.subtitle")} />
      <AuditTable rows={rows} />
      <Pager
        nextHref={nextBefore ? `?before=${nextBefore}` : null}
        firstHref={isFirstPage ? null : "?"}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </>
  );
}
