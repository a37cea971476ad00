import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { useMemo, type ReactNode } from "react";
import { I18nextProvider, useTranslation } from "react-i18next";
import type { MessageKey } from "~/lib/messages";
import { getOptionalUser } from "~/auth/guards.server";
import { useNonce } from "~/components/Nonce";
import { createI18n } from "~/i18n";
import { takeFlash } from "~/lib/flash.server";
import { type ResolvedLocale } from "~/lib/locale";
import { localeOfRequest } from "~/lib/request-locale.server";
import { db } from "~/db.server";
import { memberPartnerLocale } from "~/domain/partners.server";
import { memberBusinessLocale } from "~/domain/businesses.server";
import stylesheet from "~/tailwind.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const user = await getOptionalUser(args);
  // On a partner's or a business's pages its members read the organisation's locale unless
  // they chose their own.
  const { slug, businessId } = args.params;
  const pathname = new URL(args.request.url).pathname;
  const organisationLocale =
    !user || user.locale
      ? null
      : slug && pathname.startsWith("/partner/")
        ? await memberPartnerLocale(db, { userId: user.id, slug })
        : businessId && pathname.startsWith("/business/")
          ? await memberBusinessLocale(db, { userId: user.id, businessId })
          : null;
  const locale = localeOfRequest(args.request, { user, organisationLocale });
  const flash = await takeFlash(args.request, args.context);
  return { locale, flash };
}

export function useRootData() {
  return useRouteLoaderData<typeof loader>("root");
}

/** The locale for formatting (Intl) on any page. */
export function useFormattingLocale(): string {
  return useRootData()?.locale.formattingLocale ?? "en";
}

function htmlLang(tag: string): string {
  try {
    return new Intl.Locale(tag).baseName;
  } catch {
    return "en";
  }
}

function Document({ locale, children }: { locale: ResolvedLocale; children: ReactNode }) {
  const nonce = useNonce();
  const i18n = useMemo(() => createI18n(locale.language), [locale.language]);
  return (
    // The language and region only ("th-TH"), without the calendar extension Intl gets.
    <html lang={htmlLang(locale.formattingLocale)} className="h-full bg-slate-50">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="h-full text-slate-900 antialiased">
        <I18nextProvider i18n={i18n}>{children}</I18nextProvider>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRootData();
  return (
    <Document locale={data?.locale ?? { language: "en", formattingLocale: "en" }}>
      {children}
    </Document>
  );
}

export default function App() {
  return <Outlet />;
}

/**
 * A message key an error response carries (`{ messageKey }` in its JSON body) to say more
 * precisely why, e.g. a member over the staff-seat limit.
 */
export function errorMessageKey(error: unknown): MessageKey | undefined {
  if (!isRouteErrorResponse(error)) return undefined;
  const data: unknown = error.data;
  if (typeof data !== "object" || data === null || !("messageKey" in data)) return undefined;
  // The guards write it from a MessageKey (app/auth); JSON only loses the type.
  return typeof data.messageKey === "string" ? (data.messageKey as MessageKey) : undefined;
}

/** The error page; standalone it is the page's <main>, inside the app shell a section. */
export function ErrorPage({
  status,
  embedded = false,
  messageKey,
}: {
  status: number;
  embedded?: boolean;
  messageKey?: MessageKey;
}) {
  const Container = embedded ? "section" : "main";
  const { t } = useTranslation();
  const kind = status === 404 ? "notFound" : status === 403 ? "forbidden" : "serverError";
  return (
    <Container className="mx-auto flex min-h-[60vh] max-w-xl flex-col items-center justify-center px-6 text-center">
      <p className="text-sm font-semibold text-brand-600">{status}</p>
      <h1 className="mt-2 text-2xl font-semibold text-slate-900">{t(`errors.${kind}.title`)}</h1>
      <p className="mt-2 text-slate-600">{t(messageKey ?? `errors.${kind}.body`)}</p>
      <a href="/" className="mt-6 text-sm font-semibold text-brand-700 hover:underline">
        {t("errors.home")}
      </a>
    </Container>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return <ErrorPage status={status} messageKey={errorMessageKey(error)} />;
}
