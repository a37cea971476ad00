import type { ReactNode } from "react";
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {description ? <p className="mt-1 text-sm text-slate-600">{description}</p> : null}
      </div>
      {actions ? <div className="flex gap-2">{actions}</div> : null}
    </div>
  );
}

export function Card({
  title,
  children,
  actions,
}: {
  title?: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section
      className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm"
      aria-label={title}
    >
      {title || actions ? (
        <div className="mb-4 flex items-center justify-between gap-4">
          {title ? <h2 className="text-base font-semibold text-slate-900">{title}</h2> : <span />}
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function Stat({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{value}</dd>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-slate-50 px-6 py-10 text-center">
      <p className="font-medium text-slate-800">{title}</p>
      {children ? <div className="mt-2 text-sm text-slate-600">{children}</div> : null}
    </div>
  );
}

/** Keyset paging: a link to the first page and to the next one. */
/**
 * Shown above a list whose page link was out of date or not one of ours: the loader read the
 * first page instead (`readPage`), and says so.
 */
export function StaleCursorNotice({ show }: { show: boolean }) {
  const { t } = useTranslation("common");
  if (!show) return null;
  return (
    <p
      role="status"
      className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900"
    >
      {t("paging.staleCursor")}
    </p>
  );
}

export function Pager({
  nextHref,
  firstHref,
  labels,
}: {
  nextHref: string | null;
  firstHref: string | null;
  labels: { first: string; next: string };
}) {
  if (!nextHref && !firstHref) return null;
  return (
    <nav className="mt-4 flex justify-end gap-2" aria-label="Pagination">
      {firstHref ? (
        <Link
          to={firstHref}
          className="rounded-md px-3 py-1.5 text-sm text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50"
        >
          {labels.first}
        </Link>
      ) : null}
      {nextHref ? (
        <Link
          to={nextHref}
          className="rounded-md px-3 py-1.5 text-sm text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50"
        >
          {labels.next}
        </Link>
      ) : null}
    </nav>
  );
}

/**
 * A data table. With `stackOnPhone`, below the md breakpoint each row becomes a card and each
 * cell a labelled line (give every cell a `data-label` with its column's name; a cell without
 * one, such as the row's title link, shows on its own line). See `.stacked-table` in
 * tailwind.css.
 */
export function Table({
  caption,
  head,
  children,
  stackOnPhone = false,
}: {
  caption: string;
  head: ReactNode;
  children: ReactNode;
  stackOnPhone?: boolean;
}) {
  return (
    // Focusable and named: on a narrow screen the table scrolls sideways, and a keyboard user
    // must be able to scroll it even when it holds no link (axe: scrollable-region-focusable).
    <div
      className={`relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 ${
        stackOnPhone ? "stacked-table" : ""
      }`}
      role="region"
      aria-label={caption}
      tabIndex={0}
    >
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead
          className={`bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 ${
            stackOnPhone ? "max-md:sr-only" : ""
          }`}
        >
          {head}
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}
