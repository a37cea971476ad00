// A list's filter form behind a "Filters" disclosure: open on a desktop, folded away on a
// phone so the list itself is on the first screen. Rendered open, so without JavaScript (or
// before it runs) the filters are simply there; once the page runs in a narrow window it
// folds, unless a filter is in use or refused, which the user must see.
import { useEffect, useRef, type ReactNode } from "react";

/** Tailwind's md breakpoint: below it, the disclosure starts folded. */
const DESKTOP = "(min-width: 48rem)";

export function FilterDisclosure({
  title,
  active,
  children,
}: {
  title: string;
  /** A filter is applied or was refused: stay open whatever the width. */
  active: boolean;
  children: ReactNode;
}) {
  const disclosure = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (!active && disclosure.current && !window.matchMedia(DESKTOP).matches) {
      disclosure.current.open = false;
    }
    // Once, when the page arrives: later the user decides.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <details
      ref={disclosure}
      open
      className="group mb-6 rounded-lg border border-slate-200 bg-white shadow-sm"
    >
      <summary className="flex cursor-pointer list-none items-center justify-between gap-2 rounded-lg px-4 py-3 text-sm font-semibold text-slate-900 hover:bg-slate-50 [&::-webkit-details-marker]:hidden">
        {title}
        <span aria-hidden className="text-slate-500 transition-transform group-open:rotate-180">
          ▾
        </span>
      </summary>
      <div className="border-t border-slate-200 p-4">{children}</div>
    </details>
  );
}
