// /support/audit/:id — one audit entry: who, when, from where, about what (linked), the
// reason, and its before and after side by side with the changed fields marked.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { notFound, requireSupport } from "~/auth/guards.server";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import { db } from "~/db.server";
import { getAuditEntry } from "~/domain/audit.server";
import { auditChanges, auditSubjectHref } from "~/lib/audit";
import { formatDateTime } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = ({ params }) => [
  { title: `Audit entry ${params.id ?? ""} · Support · 7stamp Partner Portal` },
];

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const id = /^\d{1,15}$/.test(args.params.id ?? "") ? Number(args.params.id) : NaN;
  const entry = Number.isSafeInteger(id) ? await getAuditEntry(db, { id }) : null;
  if (!entry) throw notFound();
  return { entry, changes: auditChanges(entry.before, entry.after) };
}

export default function SupportAuditEntry() {
  const { t } = useTranslation("support");
  const { entry, changes } = useLoaderData<typeof loader>();
  const locale = useFormattingLocale();
  const subjectHref = entry.subject ? auditSubjectHref(entry.subject) : null;
  const link = "text-brand-700 hover:underline";
  return (
    <>
      <p className="mb-2 text-sm">
        <Link to="/support/audit" className={link}>
          ← {t("audit.title")}
        </Link>
      </p>
      <PageHeader
        title={t(`actions.${entry.action}`, { defaultValue: entry.action })}
        description={t("audit.entryNumber", { id: entry.id })}
      />
      <div className="space-y-6">
        <Card title={t("audit.entryFacts")}>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
            <Fact label={t("audit.when")}>{formatDateTime(entry.occurredAt, locale)} UTC</Fact>
            <Fact label={t("audit.who")}>
              {entry.actorIsSystem ? (
                t("systemActor")
              ) : (
                <Link
                  to={`/support/audit?actor=${encodeURIComponent(entry.actorLabel)}`}
                  className={link}
                >
                  {entry.actorLabel}
                </Link>
              )}
              {entry.actorPartners.map((partner) => (
                <span key={partner.slug}>
                  {" · "}
                  <Link to={`/support/partners/${partner.slug}`} className={link}>
                    {partner.name}
                  </Link>
                </span>
              ))}
              {entry.actorBusinesses.map((business) => (
                <span key={business.id}>
                  {" · "}
                  <Link to={`/support/businesses/${business.id}`} className={link}>
                    {business.name}
                  </Link>
                </span>
              ))}
            </Fact>
            <Fact label={t("audit.organisation")}>
              {entry.partner ? (
                <Link to={`/support/partners/${entry.partner.slug}`} className={link}>
                  {entry.partner.name}
                </Link>
              ) : null}
              {entry.partner && entry.business ? " · " : null}
              {entry.business ? (
                <Link to={`/support/businesses/${entry.business.id}`} className={link}>
                  {entry.business.name}
                </Link>
              ) : null}
              {!entry.partner && !entry.business ? "—" : null}
            </Fact>
            <Fact label={t("audit.subject")}>
              {entry.subject ? (
                <>
                  {subjectHref ? (
                    <Link to={subjectHref} className={link}>
                      {t(`audit.subjectTypes.${entry.subject.type}`)} {entry.subject.id}
                    </Link>
                  ) : (
                    `${t(`audit.subjectTypes.${entry.subject.type}`)} ${entry.subject.id}`
                  )}{" "}
                  <Link
                    to={`/support/audit?subjectType=${entry.subject.type}&subjectId=${encodeURIComponent(entry.subject.id)}`}
                    className="text-xs text-brand-700 underline"
                  >
                    {t("audit.subjectHistory")}
                  </Link>
                </>
              ) : (
                "—"
              )}
            </Fact>
            <Fact label={t("audit.reason")}>{entry.reason ?? "—"}</Fact>
            <Fact label={t("audit.ip")}>
              <span className="font-mono text-xs">{entry.ip ?? "—"}</span>
            </Fact>
          </dl>
        </Card>
        <Card title={t("audit.changes")}>
          {changes.length === 0 ? (
            <EmptyState title={t("audit.noChanges")} />
          ) : (
            <Table
              caption={t("audit.changes")}
              head={
                <tr>
                  <th scope="col" className="px-4 py-2">
                    {t("audit.field")}
                  </th>
                  <th scope="col" className="px-4 py-2">
                    {t("audit.before")}
                  </th>
                  <th scope="col" className="px-4 py-2">
                    {t("audit.after")}
                  </th>
                </tr>
              }
            >
              {changes.map((change) => (
                <tr
                  key={change.field}
                  className={change.changed ? "bg-amber-50" : undefined}
                  data-changed={change.changed ? "true" : undefined}
                >
                  <th scope="row" className="px-4 py-2 text-left font-medium">
                    {change.field || t("audit.value")}
                    {change.changed ? (
                      <span className="mt-1 block w-fit rounded bg-amber-200 px-1.5 py-0.5 text-xs font-semibold text-amber-900 sm:ml-2 sm:mt-0 sm:inline">
                        {t("audit.changed")}
                      </span>
                    ) : null}
                  </th>
                  <td className="px-4 py-2 [overflow-wrap:anywhere] font-mono text-xs text-slate-700">
                    {change.before ?? "—"}
                  </td>
                  <td className="px-4 py-2 [overflow-wrap:anywhere] font-mono text-xs text-slate-900">
                    {change.after ?? "—"}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Card>
      </div>
    </>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="text-slate-900">{children}</dd>
    </>
  );
}
