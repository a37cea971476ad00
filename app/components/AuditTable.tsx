import { useTranslation } from "react-i18next";
import { useFormattingLocale } from "~/root";
import { EmptyState, Table } from "./Layout";

interface AuditRowView {
  id: number;
  occurredAt: string | Date;
  actorLabel: string;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  ip: string | null;
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
      {rows.map((row) => (
        <tr key={row.id}>
          <td className="whitespace-nowrap px-4 py-2 tabular-nums text-slate-600">
            {time.format(new Date(row.occurredAt))} UTC
          </td>
          <td className="px-4 py-2">{row.actorLabel}</td>
          <td className="px-4 py-2">
            <span className="font-medium">
              {t(`actions.${row.action}`, { defaultValue: row.action })}
            </span>
            <span className="ml-2 font-mono text-xs text-slate-500">{row.action}</span>
          </td>
          <td className="px-4 py-2 font-mono text-xs text-slate-600">
            {row.subjectType ? `${row.subjectType}:${row.subjectId}` : "—"}
          </td>
          <td className="px-4 py-2 font-mono text-xs text-slate-600">{row.ip ?? "—"}</td>
        </tr>
      ))}
    </Table>
  );
}
