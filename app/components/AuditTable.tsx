// The audit log as people read it: an action's label from the catalogue, the subject named
// and linked to its page, and the system as one actor.
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { auditSubjectHref, type AuditSubjectView } from "~/lib/audit";
import { formatTimestamp } from "~/lib/format";
import { useFormattingLocale } from "~/root";
import { EmptyState, Table } from "./Layout";

interface AuditRowView {
  id: number;
  occurredAt: string | Date;
  actorLabel: string;
  actorIsSystem: boolean;
  action: string;
  subject: AuditSubjectView | null;
  /** The organisation the entry belongs to. */
  partner: { slug: string; name: string } | null;
  business: { id: string; name: string } | null;
  ip: string | null;
}

function SubjectLabel({ subject }: { subject: AuditSubjectView }) {
  const { t } = useTranslation("support");
  const organisation =
    subject.partner?.name ?? subject.business?.name ?? t("subjects.noOrganisation");
  switch (subject.type) {
    case "user":
      return subject.userEmail
        ? t("subjects.user", { email: subject.userEmail })
        : t("subjects.userDeleted");
    case "business":
      return subject.business
        ? t("subjects.business", { business: subject.business.name })
        : t("subjects.businessUnknown");
    case "partner":
      return subject.partner
        ? t("subjects.partner", { partner: subject.partner.name })
        : t("subjects.partnerUnknown");
    case "activation_code":
    case "invitation":
    case "price_list":
    case "plan":
      return t(`subjects.${subject.type}`, { id: subject.id });
    default:
      return t(`subjects.${subject.type}`, { organisation });
  }
}

export function AuditTable({ rows }: { rows: AuditRowView[] }) {
  const { t } = useTranslation("support");
  const locale = useFormattingLocale();
  if (rows.length === 0) return <EmptyState title={t("audit.empty")} />;
  const time = { format: (value: Date | string) => formatTimestamp(value, locale) };
  return (
    <Table
      stackOnPhone
      caption={t("audit.title")}
      head={
        <tr>
          <th className="px-4 py-2">{t("audit.when")}</th>
          <th className="px-4 py-2">{t("audit.who")}</th>
          <th className="px-4 py-2">{t("audit.action")}</th>
          <th className="px-4 py-2">{t("audit.subject")}</th>
          <th className="px-4 py-2">{t("audit.organisation")}</th>
          <th className="px-4 py-2">{t("audit.ip")}</th>
          <th className="px-4 py-2">
            <span className="sr-only">{t("audit.details")}</span>
          </th>
        </tr>
      }
    >
      {rows.map((row) => {
        const href = row.subject ? auditSubjectHref(row.subject) : null;
        return (
          <tr key={row.id}>
            <td
              data-label={t("audit.when")}
              className="whitespace-nowrap px-4 py-2 tabular-nums text-slate-600"
            >
              {time.format(new Date(row.occurredAt))} UTC
            </td>
            <td data-label={t("audit.who")} className="px-4 py-2">
              {row.actorIsSystem ? (
                t("systemActor")
              ) : (
                // Everything this actor did: the log filtered by them.
                <Link
                  to={`/support/audit?actor=${encodeURIComponent(row.actorLabel)}`}
                  className="text-brand-700 hover:underline"
                >
                  {row.actorLabel}
                </Link>
              )}
            </td>
            <td data-label={t("audit.action")} className="px-4 py-2">
              <span className="font-medium">
                {t(`actions.${row.action}`, { defaultValue: row.action })}
              </span>
            </td>
            <td data-label={t("audit.subject")} className="px-4 py-2">
              {row.subject ? (
                href ? (
                  <Link to={href} className="font-medium text-brand-700 underline">
                    <SubjectLabel subject={row.subject} />
                  </Link>
                ) : (
                  <SubjectLabel subject={row.subject} />
                )
              ) : (
                "—"
              )}
            </td>
            <td data-label={t("audit.organisation")} className="px-4 py-2">
              {row.partner ? (
                <Link
                  to={`/support/partners/${encodeURIComponent(row.partner.slug)}`}
                  className="text-brand-700 hover:underline"
                >
                  {row.partner.name}
                </Link>
              ) : null}
              {row.partner && row.business ? " · " : null}
              {row.business ? (
                <Link
                  to={`/support/businesses/${encodeURIComponent(row.business.id)}`}
                  className="text-brand-700 hover:underline"
                >
                  {row.business.name}
                </Link>
              ) : null}
              {!row.partner && !row.business ? "—" : null}
            </td>
            <td data-label={t("audit.ip")} className="px-4 py-2 font-mono text-xs text-slate-600">
              {row.ip ?? "—"}
            </td>
            <td data-label={t("audit.details")} className="whitespace-nowrap px-4 py-2">
              <Link
                to={`/support/audit/${row.id}`}
                className="font-semibold text-brand-700 hover:underline"
                aria-label={t("audit.detailsLabel", { id: row.id })}
              >
                {t("audit.details")}
              </Link>
            </td>
          </tr>
        );
      })}
    </Table>
  );
}
