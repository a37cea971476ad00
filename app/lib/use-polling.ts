// Live figures without a socket: the route's own loader is fetched again every `intervalMs`
// while `enabled` says so, the tab is visible and nothing else is loading (a batch being made, card
// operations being used).
//
// Through a fetcher, not a revalidation: revalidating counts as a navigation, which clears
// the action's result (a refused code's message, a plan dialog's error) and re-runs the root
// loader (the flash message is read once). A fetcher only brings this route's data.
import { useFetcher, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";

export function useLiveLoaderData<T>(
  intervalMs: number,
  /** Whether to keep polling, given the latest data (e.g. only while a batch is generating). */
  enabled: (data: ReturnType<typeof useLoaderData<T>>) => boolean = () => true,
) {
  const loaded = useLoaderData<T>();
  const fetcher = useFetcher<T>();
  const location = useLocation();
  const navigating = useNavigation().state !== "idle";
  // Whichever arrived last: a navigation's data (after an action) or the latest poll.
  const [latest, setLatest] = useState(loaded);
  useEffect(() => setLatest(loaded), [loaded]);
  useEffect(() => {
    if (fetcher.data !== undefined) setLatest(fetcher.data);
  }, [fetcher.data]);

  const polling = enabled(latest) && !navigating && fetcher.state === "idle";
  const href = location.pathname + location.search;
  const load = fetcher.load;
  // A tick that found the tab hidden schedules the next one: polling resumes when the tab
  // shows again (until now a single hidden tick stopped it for good).
  const [skipped, setSkipped] = useState(0);
  useEffect(() => {
    if (!polling) return;
    // Set again after each answer (fetcher.state returns to idle): never two at once.
    const timer = setTimeout(() => {
      if (document.visibilityState === "visible") load(href);
      else setSkipped((count) => count + 1);
    }, intervalMs);
    return () => clearTimeout(timer);
  }, [polling, href, intervalMs, load, latest, skipped]);

  return latest;
}
