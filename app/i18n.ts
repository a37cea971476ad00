// i18next set-up shared by server and browser: catalogues are bundled, so an instance
// initialises synchronously and the first render is already translated.
import i18next, { type i18n } from "i18next";
import { resources, namespaces } from "./locales";
import { defaultLanguage, type Language } from "./lib/locale";

export function createI18n(language: Language): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    lng: language,
    fallbackLng: defaultLanguage,
    resources,
    ns: namespaces,
    defaultNS: "common",
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
  return instance;
}

const serverInstances = new Map<Language, i18n>();

/** A translator for server-side text (emails, API messages). */
export function translatorFor(language: Language) {
  let instance = serverInstances.get(language);
  if (!instance) {
    instance = createI18n(language);
    serverInstances.set(language, instance);
  }
  return instance.t.bind(instance);
}
