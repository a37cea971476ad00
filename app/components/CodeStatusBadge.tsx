import { useTranslation } from "react-i18next";
import { StatusBadge, type BadgeTone } from "./StatusBadge";

const tones = {
  issued: "info",
  claimed: "success",
  revoked: "danger",
  expired: "warning",
} as const satisfies Record<string, BadgeTone>;

/** An activation code's status (expired = issued and past its expiry) as a small badge. */
export function CodeStatusBadge({ status }: { status: keyof typeof tones }) {
  const { t } = useTranslation("codes");
  return <StatusBadge tone={tones[status]}>{t(`status.${status}`)}</StatusBadge>;
}
