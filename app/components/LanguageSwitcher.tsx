// Choose the portal's language: a form that posts to /language and comes back to this page
// (filters included). Works without JavaScript; nothing happens until the button is pressed
// (WCAG 3.2.2: choosing an option does not change the page by itself).
import { Form, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { supportedLanguages } from "~/lib/locale";

export function LanguageSwitcher({ className = "" }: { className?: string }) {
  const { t, i18n } = useTranslation();
  const location = useLocation();
  return (
    <Form
      method="post"
      action="/language"
      reloadDocument
      className={`flex items-center gap-2 text-sm ${className}`}
    >
      <input type="hidden" name="returnTo" value={`${location.pathname}${location.search}`} />
      <label htmlFor="language-switcher" className="sr-only text-slate-600 sm:not-sr-only">
        {t("languageSwitcher.label")}
      </label>
      <select
        id="language-switcher"
        name="language"
        defaultValue={i18n.language}
        className="rounded-md border border-slate-300 bg-white py-1 pl-2 pr-7 text-sm text-slate-900"
      >
        {supportedLanguages.map((code) => (
          <option key={code} value={code} lang={code}>
            {t(`languages.${code}`)}
          </option>
        ))}
      </select>
      <button
        type="submit"
        className="rounded-md border border-slate-300 bg-white px-2 py-1 font-medium text-slate-700 hover:bg-slate-50"
      >
        {t("languageSwitcher.submit")}
      </button>
    </Form>
  );
}
