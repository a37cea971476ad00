// The locale of one request, in the order of ADR 035: the signed-in user's preference, the
// visitor's language cookie, the organisation's locale, Accept-Language, English. Every
// loader, action and server-rendered text (emails, PDFs, refusals) asks here.
import { env } from "~/env.server";
import { chooseLocale, isLanguage, type Language, type ResolvedLocale } from "./locale";

export const LANGUAGE_COOKIE = "7s_lang";
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/** The language the switcher stored for a visitor, if it is one we have. */
export function languageCookieOf(request: Request): Language | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const [name, value] = part.trim().split("=");
    if (name === LANGUAGE_COOKIE && isLanguage(value)) return value;
  }
  return null;
}

/** Set-Cookie for the switcher's choice; not secret, but only the server needs to read it. */
export function languageCookie(language: Language): string {
  const parts = [
    `${LANGUAGE_COOKIE}=${language}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${ONE_YEAR_SECONDS}`,
  ];
  if (env.secureCookies) parts.push("Secure");
  return parts.join("; ");
}

export function localeOfRequest(
  request: Request,
  {
    user,
    organisationLocale,
  }: { user?: { locale: string | null } | null; organisationLocale?: string | null } = {},
): ResolvedLocale {
  return chooseLocale({
    user: user?.locale,
    cookie: languageCookieOf(request),
    organisation: organisationLocale,
    acceptLanguage: request.headers.get("accept-language"),
  });
}
