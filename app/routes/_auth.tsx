import { Link, Outlet } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { useRootData } from "~/root";
import { FlashMessage } from "~/components/FlashMessage";
import { LanguageSwitcher } from "~/components/LanguageSwitcher";

export default function AuthLayout() {
  const { t } = useTranslation();
  const data = useRootData();
  return (
    // Every piece inside a landmark (axe "region"): the logo in the header, the flash
    // message with the form it is about.
    <div className="flex min-h-full flex-col items-center justify-center px-4 py-12">
      <header className="mb-8 flex flex-col items-center gap-4">
        <Link to="/" className="flex items-center gap-2 text-xl font-bold text-slate-900">
          <span className="flex h-9 w-9 items-center justify-center rounded-lg bg-brand-600 text-white">
            7s
          </span>
          {t("appName")}
        </Link>
        <LanguageSwitcher />
      </header>
      <main className="w-full max-w-md">
        <FlashMessage flash={data?.flash ?? null} />
        <div className="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
          <Outlet />
        </div>
      </main>
    </div>
  );
}
