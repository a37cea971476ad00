// The audit log as people read it: an action's label from the catalogue, the subject named
// and linked to its page, and the system as one actor.
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { auditSubjectHref, type AuditSubjectView } from "~/lib/audit";
import { useFormattingLocale } from "~/root";
import { EmptyState, Table } from "./Layout";

interface AuditRowView {
  id: number;
  occurredAt: string | Date;
  actorLabel: string;
  actorIsSystem: boolean;
  action: string;
  subject: AuditSubjectView | null;
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
  const time = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "medium",
    timeZone: "UTC",
  });
  return (
    <Table
      caption={t("audit.title")}
      head={
        <tr>
          <th className="px-4 py-2">{t("audit.when")}</th>
          <th className="px-4 py-2">{t("audit.who")}</th>
          <th className="px-4 py-2">{t("audit.action")}</th>
          <th className="px-4 py-2">{t("audit.subject")}</th>
          <th className="px-4 py-2">{t("audit.ip")}</th>
        </tr>
      }
    >
      {rows.map((row) => {
        const href = row.subject ? auditSubjectHref(row.subject) : null;
        return (
          <tr key={row.id}>
            <td className="whitespace-nowrap px-4 py-2 tabular-nums text-slate-600">
              {time.format(new Date(row.occurredAt))} UTC
            </td>
            <td className="px-4 py-2">{row.actorIsSystem ? t("systemActor") : row.actorLabel}</td>
            <td className="px-4 py-2">
              <span className="font-medium">
                {t(`actions.${row.action}`, { defaultValue: row.action })}
              </span>
            </td>
            <td className="px-4 py-2">
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
            <td className="px-4 py-2 font-mono text-xs text-slate-600">{row.ip ?? "—"}</td>
          </tr>
        );
      })}
    </Table>
  );
}
