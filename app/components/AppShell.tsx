import { Form, Link, NavLink, useLocation } from "@remix-run/react";
import { LanguageSwitcher } from "~/components/LanguageSwitcher";
import { useEffect, useRef, type ReactNode } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { labelKey } from "~/lib/messages";
import type { OrganisationLink } from "~/domain/organisations.server";

interface ShellUser {
  name: string;
  email: string;
  isSupport: boolean;
}

interface NavItem {
  to: string;
  label: string;
  end?: boolean;
}

/** Which area the URL is in, and its navigation. */
function areaOf(
  pathname: string,
  organisations: OrganisationLink[],
  isSupport: boolean,
  openRequests: number,
  t: TFunction,
) {
  // An organisation the user does not belong to (a 404 page) gets no navigation of its own.
  const elsewhere = { current: t("nav.chooseOrganisation"), kind: "", items: [] as NavItem[] };
  const partner = pathname.match(/^\/partner\/([^/]+)/);
  if (partner) {
    const base = `/partner/${partner[1]}`;
    const current = organisations.find((o) => o.href === base);
    const items: NavItem[] = [
      { to: base, label: t("nav.dashboard"), end: true },
      { to: `${base}/bundles`, label: t("nav.bundles") },
      { to: `${base}/batches`, label: t("nav.batches") },
      { to: `${base}/codes`, label: t("nav.codes") },
      { to: `${base}/clients`, label: t("nav.clients") },
      { to: `${base}/statements`, label: t("nav.statements") },
      { to: `${base}/team`, label: t("nav.team") },
      { to: `${base}/api-keys`, label: t("nav.apiKeys") },
      { to: `${base}/webhooks`, label: t("nav.webhooks") },
      { to: `${base}/referrals`, label: t("referrals:nav") },
      { to: `${base}/terms`, label: t("nav.terms") },
    ];
    if (!current) return elsewhere;
    return {
      current: current.name,
      kind: t("nav.partnerArea"),
      items,
      suspended: current.status === "suspended",
    };
  }
  const business = pathname.match(/^\/business\/([^/]+)/);
  if (business) {
    const base = `/business/${business[1]}`;
    const current = organisations.find((o) => o.href === `${base}/billing`);
    if (!current) return elsewhere;
    return {
      current: current.name,
      kind: t("nav.businessArea"),
      items: [
        { to: `${base}/billing`, label: t("nav.billing") },
        { to: `${base}/staff`, label: t("staff:nav") },
        { to: `${base}/referrals`, label: t("referrals:nav") },
      ],
    };
  }
  if (pathname.startsWith("/support")) {
    if (!isSupport) return elsewhere;
    return {
      current: t("nav.supportDesk"),
      kind: t("nav.supportArea"),
      items: [
        { to: "/support", label: t("nav.overview"), end: true },
        { to: "/support/partners", label: t("nav.partners") },
        { to: "/support/businesses", label: t("nav.businesses") },
        { to: "/support/codes", label: t("nav.codes") },
        { to: "/support/statements", label: t("nav.statements") },
        { to: "/support/invoices", label: t("nav.invoices") },
        { to: "/support/pricing", label: t("nav.pricing") },
        {
          to: "/support/requests",
          label:
            openRequests > 0 ? t("nav.requestsOpen", { count: openRequests }) : t("nav.requests"),
        },
        { to: "/support/referrals", label: t("referrals:nav") },
        { to: "/support/tokens", label: t("nav.platformTokens") },
        { to: "/support/webhooks", label: t("nav.webhooks") },
        { to: "/support/audit", label: t("nav.audit") },
      ],
    };
  }
  return { current: t("nav.account"), kind: "", items: [] as NavItem[] };
}

export function AppShell({
  user,
  organisations,
  openRequests = 0,
  flash,
  children,
}: {
  user: ShellUser;
  organisations: OrganisationLink[];
  /** Enterprise requests waiting for support (support's navigation shows the number). */
  openRequests?: number;
  flash: ReactNode;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const area = areaOf(pathname, organisations, user.isSupport, openRequests, t);
  const nav = useRef<HTMLElement>(null);
  // On a phone the items scroll sideways: bring the current one into view (the nav only,
  // never the page, so a deep link keeps its place).
  useEffect(() => {
    const bringIntoView = () => {
      const strip = nav.current;
      const current = strip?.querySelector<HTMLElement>('[aria-current="page"]');
      if (!strip || !current) return;
      // Measured on screen, so neither the offset parent nor the current scroll can mislead.
      const box = strip.getBoundingClientRect();
      const item = current.getBoundingClientRect();
      if (item.left < box.left || item.right > box.right) {
        strip.scrollLeft += item.left - box.left - (box.width - item.width) / 2;
      }
    };
    bringIntoView();
    // Web fonts arriving after the first layout widen the items: measure again then.
    void document.fonts.ready.then(bringIntoView);
  }, [pathname]);
  const switchTargets = [
    ...(user.isSupport
      ? [{ href: "/support", name: t("nav.supportDesk"), detail: t("nav.supportArea") }]
      : []),
    ...organisations.map((o) => ({
      href: o.href,
      name: o.name,
      detail: `${o.kind === "partner" ? t("nav.partnerArea") : t("nav.businessArea")} · ${t(labelKey("common:roles", o.role))}`,
    })),
  ];
  return (
    <div className="min-h-full">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-4 px-4 py-3">
          <Link to="/" className="flex items-center gap-2 font-bold text-slate-900">
            <span className="flex h-8 w-8 items-center justify-center rounded-lg bg-brand-600 text-sm text-white">
              7s
            </span>
            <span className="hidden sm:inline">{t("appName")}</span>
          </Link>
          {switchTargets.length > 0 ? (
            // Keyed by the path so the menu closes once a target is chosen (client-side
            // navigation would otherwise leave it open over the new page).
            <details key={pathname} className="relative">
              <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-3 py-1.5 text-sm ring-1 ring-slate-300 hover:bg-slate-50">
                {/* Spoken before the visible text, so the name still contains what is shown. */}
                <span className="sr-only">{t("nav.switchOrganisation")}:</span>
                {area.kind ? (
                  <span className="text-xs uppercase tracking-wide text-slate-500">
                    {area.kind}
                  </span>
                ) : null}
                <span className="font-medium">{area.current}</span>
                <span aria-hidden>▾</span>
              </summary>
              <ul className="absolute z-10 mt-2 w-72 rounded-md border border-slate-200 bg-white py-1 shadow-lg">
                {switchTargets.map((target) => (
                  <li key={target.href}>
                    <Link to={target.href} className="block px-4 py-2 hover:bg-slate-50">
                      <span className="block text-sm font-medium text-slate-900">
                        {target.name}
                      </span>
                      <span className="block text-xs text-slate-500">{target.detail}</span>
                    </Link>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
          <div className="ml-auto flex flex-wrap items-center gap-3 text-sm">
            <LanguageSwitcher />
            <Link to="/account" className="text-slate-700 hover:text-slate-900" title={user.email}>
              {user.name || user.email}
            </Link>
            <Form method="post" action="/logout">
              <button
                type="submit"
                className="rounded-md px-3 py-1.5 text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"
              >
                {t("nav.signOut")}
              </button>
            </Form>
          </div>
        </div>
        {area.items.length > 0 ? (
          <nav
            ref={nav}
            className="mx-auto flex max-w-6xl gap-1 overflow-x-auto px-4 [scrollbar-width:thin]"
            aria-label={t("nav.main")}
          >
            {area.items.map((item) => (
              <NavLink
                key={item.to}
                to={item.to}
                end={item.end}
                className={({ isActive }) =>
                  `shrink-0 whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium ${
                    isActive
                      ? "border-brand-600 text-brand-700"
                      : "border-transparent text-slate-600 hover:text-slate-900"
                  }`
                }
              >
                {item.label}
              </NavLink>
            ))}
          </nav>
        ) : null}
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8">
        {"suspended" in area && area.suspended ? (
          <div
            role="status"
            className="mb-6 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900"
          >
            <p className="font-semibold">{t("partnerSuspended.title")}</p>
            <p>{t("partnerSuspended.body")}</p>
          </div>
        ) : null}
        {flash}
        {children}
      </main>
    </div>
  );
}
