// axe-core on every page the suite visits: each main-frame navigation (full loads and
// client-side ones) is scanned once the page has settled, and the final state once more when
// the page closes. A serious or critical violation fails the test that visited the page.
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";

const FAILING_IMPACTS = new Set(["serious", "critical"]);
/** After a navigation, how long to let React render before scanning. */
const SETTLE_MS = 250;

export interface AccessibilityWatch {
  /** Scans the page as it is now (after any scan still running), e.g. before it closes. */
  scanNow(): Promise<void>;
  /** "rule (impact) at /path: help — where", one per serious or critical violation found. */
  violations: string[];
}

export function watchAccessibility(page: Page): AccessibilityWatch {
  const violations: string[] = [];
  const seen = new Set<string>();
  let queue: Promise<void> = Promise.resolve();

  const scan = async () => {
    if (page.isClosed()) return;
    const url = page.url();
    if (!url.startsWith("http")) return;
    let results;
    try {
      results = await new AxeBuilder({ page }).analyze();
    } catch {
      // The page navigated or closed during the scan: the next page gets its own.
      return;
    }
    const path = new URL(url).pathname;
    for (const violation of results.violations) {
      if (!FAILING_IMPACTS.has(violation.impact ?? "")) continue;
      const where = violation.nodes
        .slice(0, 3)
        .map((node) => node.target.join(" "))
        .join(", ");
      const line = `${violation.id} (${violation.impact}) at ${path}: ${violation.help} — ${where}`;
      if (seen.has(line)) continue;
      seen.add(line);
      violations.push(line);
    }
  };

  const enqueue = (delayMs: number) => {
    queue = queue
      .then(() => (delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : null))
      .then(scan, scan);
    return queue;
  };

  page.on("framenavigated", (frame) => {
    if (frame !== page.mainFrame()) return;
    void enqueue(SETTLE_MS);
  });

  return { scanNow: () => enqueue(0), violations };
}
