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
      return { tag: tag.trim(), q: q ? Number(q.slice(2)) : 1 };
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

/**
 * The user's own setting wins; otherwise the first Accept-Language entry we have a
 * catalogue for. Formatting keeps the region the browser asked for (en-GB dates).
 */
export function resolveLocale(
  userSetting: string | null | undefined,
  acceptLanguage: string | null,
): ResolvedLocale {
  const candidates = [userSetting ?? "", ...parseAcceptLanguage(acceptLanguage)]
    .map((tag) => (tag ? canonical(tag) : null))
    .filter((tag): tag is string => Boolean(tag));
  for (const tag of candidates) {
    const language = tag.split("-")[0].toLowerCase();
    if ((supportedLanguages as readonly string[]).includes(language)) {
      return { language: language as Language, formattingLocale: tag };
    }
  }
  return { language: defaultLanguage, formattingLocale: defaultLanguage };
}
