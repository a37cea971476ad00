import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Flash } from "~/lib/flash.server";

const styles = {
  success: "border-emerald-200 bg-emerald-50 text-emerald-900",
  error: "border-red-200 bg-red-50 text-red-900",
  info: "border-sky-200 bg-sky-50 text-sky-900",
} as const;

export function FlashMessage({ flash }: { flash: Flash | null }) {
  const { t } = useTranslation();
  const [visible, setVisible] = useState(Boolean(flash));
  useEffect(() => setVisible(Boolean(flash)), [flash]);
  if (!flash || !visible) return null;
  return (
    <div
      role={flash.kind === "error" ? "alert" : "status"}
      className={`mx-auto mb-4 flex max-w-6xl items-start justify-between gap-4 rounded-md border px-4 py-3 text-sm ${styles[flash.kind]}`}
    >
      <p>{t(flash.key, { ...flash.values })}</p>
      <button
        type="button"
        onClick={() => setVisible(false)}
        className="text-current opacity-70 hover:opacity-100"
        aria-label={t("flash.dismiss")}
      >
        ×
      </button>
    </div>
  );
}
