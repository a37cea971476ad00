import { useTranslation } from "react-i18next";
import { StatusBadge } from "./StatusBadge";

/** A bundle's status as a small badge: active in green, archived in grey. */
export function BundleStatusBadge({ status }: { status: "active" | "archived" }) {
  const { t } = useTranslation("bundles");
  return (
    <StatusBadge tone={status === "active" ? "success" : "neutral"}>
      {t(`status.${status}`)}
    </StatusBadge>
  );
}
