// Reloads the route's data every `intervalMs` while `enabled`, the tab is visible and
// nothing else is loading: live progress (a batch being made, card operations being used)
// without a socket.
import { useRevalidator } from "@remix-run/react";
import { useEffect } from "react";

export function usePolling(intervalMs: number, enabled = true): void {
  const { revalidate, state } = useRevalidator();
  useEffect(() => {
    if (!enabled || state !== "idle") return;
    // Cleared as soon as a reload starts (state leaves "idle"), set again when it is done.
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") revalidate();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [enabled, state, intervalMs, revalidate]);
}
