import { useTranslation } from "react-i18next";
import { StatusBadge, type BadgeTone } from "./StatusBadge";

const tones = {
  generating: "info",
  ready: "success",
  failed: "danger",
} as const satisfies Record<string, BadgeTone>;

export function BatchStatusBadge({ status }: { status: keyof typeof tones }) {
  const { t } = useTranslation("batches");
  return <StatusBadge tone={tones[status]}>{t(`status.${status}`)}</StatusBadge>;
}
