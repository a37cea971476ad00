// Which catalogue a person reads and how their numbers look. Shared by server and client.

/** Languages with a complete message catalogue (app/locales/catalogues.test.ts). */
export const supportedLanguages = ["en", "th", "uk"] as const;
export type Language = (typeof supportedLanguages)[number];
export const defaultLanguage: Language = "en";

export interface ResolvedLocale {
  /** Catalogue language, e.g. "en". */
  language: Language;
  /** BCP 47 tag for Intl formatting, e.g. "en-GB"; same language as the catalogue. */
  formattingLocale: string;
}

function parseAcceptLanguage(header: string | null): string[] {
  if (!header) return [];
  return header
    .split(",")
    .map((part) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: (tag ?? "").trim(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((entry) => entry.tag && entry.tag !== "*" && Number.isFinite(entry.q) && entry.q > 0)
    .sort((a, b) => b.q - a.q)
    .map((entry) => entry.tag);
}

function canonical(tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

/** Where a language can come from, strongest first (ADR 035). */
export interface LocaleSources {
  /** The signed-in user's saved preference (account page, or the language switcher). */
  user?: string | null;
  /** The language cookie the switcher sets for a visitor who is not signed in. */
  cookie?: string | null;
  /** The organisation's locale: a partner's statement locale, e.g. "th-TH". */
  organisation?: string | null;
  /** The browser's Accept-Language header. */
  acceptLanguage?: string | null;
}

/** The region a bare language formats in, so "th" reads Thai dates and "uk" Ukrainian ones. */
const defaultRegion: Record<Language, string | null> = { en: null, th: "TH", uk: "UA" };

/**
 * The Intl tag for a catalogue language and the tag it came from: the region asked for is
 * kept (en-GB dates), a bare language gets its usual region, and Thai always counts years
 * in the Buddhist era ("25 พฤษภาคม 2569"), whatever calendar the tag named.
 */
export function formattingTag(language: Language, tag: string): string {
  let locale: Intl.Locale;
  try {
    locale = new Intl.Locale(tag);
  } catch {
    locale = new Intl.Locale(language);
  }
  const region = locale.region ?? defaultRegion[language] ?? undefined;
  const base = new Intl.Locale(language, { region, script: locale.script });
  if (language === "th") return `${base.toString()}-u-ca-buddhist`;
  return base.toString();
}

/**
 * The first source that names a language with a catalogue wins: the user's own setting,
 * then the visitor's cookie, then the organisation's locale, then Accept-Language (in its
 * q order), else English. Formatting keeps the region the winning source asked for.
 */
export function chooseLocale(sources: LocaleSources): ResolvedLocale {
  const candidates = [
    sources.user ?? "",
    sources.cookie ?? "",
    sources.organisation ?? "",
    ...parseAcceptLanguage(sources.acceptLanguage ?? null),
  ]
    .map((tag) => (tag ? canonical(tag) : null))
    .filter((tag): tag is string => Boolean(tag));
  for (const tag of candidates) {
    const language = (tag.split("-")[0] ?? "").toLowerCase();
    if (isLanguage(language)) {
      return { language, formattingLocale: formattingTag(language, tag) };
    }
  }
  return { language: defaultLanguage, formattingLocale: defaultLanguage };
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (supportedLanguages as readonly string[]).includes(value);
}

/** The user's own setting, else Accept-Language (no cookie or organisation known here). */
export function resolveLocale(
  userSetting: string | null | undefined,
  acceptLanguage: string | null,
): ResolvedLocale {
  return chooseLocale({ user: userSetting, acceptLanguage });
}
