// Large batches through the portal: 200,000 codes are made in the background (a pg-boss job
// on the embedded database, 5,000 codes a chunk) while the batch page shows a live progress
// bar, and end `Ready` with exactly 200,000 codes. And the crash: a server killed (SIGKILL)
// mid-batch leaves the batch `Generating` with only whole chunks stored; started again on
// the same database it resumes and ends `Ready` with exactly 200,000 codes — the batch is
// never shown complete with fewer.
//
// This file runs its own server (on its own temporary database), because it kills it. Its
// chunks are small (500 codes), so that the page sees progress early and the kill lands far
// from the batch's end even on a fast machine; the invariant does not depend on the size.
import { PGlite } from "@electric-sql/pglite";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { at, only } from "../helpers/rows.ts";
import {
  atPath,
  demo,
  describe,
  expect,
  heading,
  openPage,
  screenshotFailure,
  signIn,
  test,
  visible,
} from "./fixtures";
import type { OpenedPage } from "./fixtures";
import { startServer, type RunningServer } from "./server";

const SLUG = "brewline";
const BASE = `/partner/${SLUG}`;
const COUNT = 200_000;
const LOG_NAME = "e2e-large-batch-server.log";
const SERVER_ENV = { CODE_BATCH_CHUNK_SIZE: "500" };
/** How long a 200,000-code batch may take on PGlite (it takes well under half this). */
const GENERATION_TIMEOUT_MS = 120_000;

/** What the batch page shows at one instant, read in one go (no re-render in between). */
interface Observation {
  status: string | null;
  /** The progress bar's aria-valuenow / aria-valuemax; null when there is no bar. */
  now: number | null;
  max: number | null;
  /** The "Outstanding" count; null while the batch is generating. */
  outstanding: number | null;
}

function observe(page: Page): Promise<Observation> {
  return page.evaluate(() => {
    const number = (text: string | null | undefined) =>
      text == null || text.trim() === "" ? null : Number(text.replace(/[^\d]/g, ""));
    const statuses = [...document.querySelectorAll("span")]
      .map((span) => span.textContent?.trim() ?? "")
      .filter((text) => text === "Generating" || text === "Ready" || text === "Failed");
    const bar = document.querySelector('[role="progressbar"]');
    const outstandingTerm = [...document.querySelectorAll("dt")].find(
      (dt) => dt.textContent?.trim() === "Outstanding",
    );
    return {
      // One status is itself; several are joined, so a page showing two fails the checks.
      status: statuses.length ? statuses.join("|") : null,
      now: bar ? number(bar.getAttribute("aria-valuenow")) : null,
      max: bar ? number(bar.getAttribute("aria-valuemax")) : null,
      outstanding: number(outstandingTerm?.nextElementSibling?.textContent),
    };
  });
}

/** The one invariant: whatever the page shows is consistent, and never a short "Ready". */
function checkObservation(seen: Observation) {
  if (seen.status === "Ready") {
    expect(seen.outstanding, "a Ready batch shows all its codes").toBe(COUNT);
    expect(seen.now, "a Ready batch shows no progress bar").toBeNull();
  } else {
    expect(seen.status).toBe("Generating");
    expect(seen.max).toBe(COUNT);
    expect(seen.now).not.toBeNull();
    expect(seen.now!).toBeGreaterThanOrEqual(0);
    expect(seen.now!).toBeLessThan(COUNT);
    expect(seen.outstanding, "no counts while generating").toBeNull();
  }
}

/** Samples the page (which polls the server itself) until `stop` says so, checking each. */
async function watch(
  page: Page,
  stop: (seen: Observation) => boolean,
  timeoutMs = GENERATION_TIMEOUT_MS,
): Promise<Observation[]> {
  const seen: Observation[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const observation = await observe(page);
    checkObservation(observation);
    seen.push(observation);
    if (stop(observation)) return seen;
    if (Date.now() > deadline) {
      // Tell a stalled page from a stalled job: what does a fresh load of the page show?
      await page.reload();
      const reloaded = await observe(page).catch((error: unknown) => String(error));
      throw new Error(
        `The batch was not done within ${timeoutMs} ms; last seen: ${JSON.stringify(observation)}; ` +
          `after a reload: ${JSON.stringify(reloaded)}`,
      );
    }
    await page.waitForTimeout(150);
  }
}

/** Starts a 200,000-code batch of "Café Starter" through the form; returns the batch's path. */
async function generateLargeBatch(page: Page, label: string): Promise<string> {
  await page.goto(`${BASE}/bundles`);
  await page.getByRole("link", { name: "Café Starter", exact: true }).click();
  await visible(heading(page, "Café Starter"));
  await page.getByRole("link", { name: "Generate codes" }).click();
  await page.getByLabel("Number of codes").fill(String(COUNT));
  await page.getByLabel("Label (optional)").fill(label);
  await page.getByRole("button", { name: "Generate codes" }).click();
  await atPath(page, new RegExp(`^${BASE}/batches/[0-9a-f-]{36}$`));
  await visible(heading(page, label));
  await visible(
    page.getByRole("status").filter({ hasText: "Generating 200,000 codes in the background." }),
  );
  return new URL(page.url()).pathname;
}

/** The batch as stored, read straight from the (stopped) server's database files. */
async function storedBatch(pgliteDir: string, batchId: string) {
  const pglite = new PGlite(pgliteDir);
  try {
    const result = await pglite.query<{
      status: string;
      generated_count: number;
      code_count: number;
      stored: number;
      distinct_codes: number;
    }>(
      `select b.status, b.generated_count, b.code_count,
              (select count(*)::int from activation_codes c where c.batch_id = b.id) as stored,
              (select count(distinct code)::int from activation_codes c where c.batch_id = b.id)
                as distinct_codes
         from code_batches b where b.id = $1`,
      [batchId],
    );
    return only(result.rows, "code batch");
  } finally {
    await pglite.close();
  }
}

describe("large batches", () => {
  let server: RunningServer | undefined;
  let failed = false;
  let opened: OpenedPage[] = [];

  /** A fresh page on this file's server, signed in as the demo partner. */
  async function signedInPage(browser: Browser): Promise<Page> {
    const page = await openPage(browser, server!.baseUrl);
    opened.push(page);
    await signIn(page.page, demo.partner);
    await atPath(page.page, BASE);
    return page.page;
  }

  /** Runs a test's body; on failure, screenshots of its pages and the server's log. */
  async function reporting(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      failed = true;
      for (const [index, page] of opened.entries()) {
        if (!page.page.isClosed()) await screenshotFailure(page.page, `${name} ${index + 1}`);
      }
      if (server)
        console.error(`large-batch: last lines of the server log:\n${server.logTail(40)}`);
      throw error;
    }
  }

  beforeAll(async () => {
    server = await startServer({ logName: LOG_NAME, env: SERVER_ENV });
  }, 120_000);

  afterEach(async () => {
    const pages = opened;
    opened = [];
    const closing = await Promise.allSettled(pages.map((page) => page.close()));
    const errors = closing.flatMap((result) =>
      result.status === "rejected" ? [String(result.reason)] : [],
    );
    expect(errors, "the pages reported errors").toEqual([]);
  });

  afterAll(async () => {
    if (failed && server) console.error(`large-batch: its database is kept in ${server.dataDir}`);
    await server?.stop({ keepFiles: failed });
  }, 60_000);

  test(
    "a 200,000-code batch shows its progress and ends Ready with 200,000 codes",
    { timeout: GENERATION_TIMEOUT_MS + 60_000 },
    ({ browser, task }) =>
      reporting(task.name, async () => {
        const page = await signedInPage(browser);
        const started = Date.now();
        const batchPath = await generateLargeBatch(page, "Trade fair 200k");

        const seen = await watch(page, (observation) => observation.status === "Ready");
        const progress = seen.map((observation) => observation.now).filter((now) => now !== null);
        // The bar moved on its own (the page polls), never backwards, through several values.
        for (let i = 1; i < progress.length; i++) {
          expect(progress[i]).toBeGreaterThanOrEqual(at(progress, i - 1, "progress value"));
        }
        const between = new Set(progress.filter((now) => now > 0 && now < COUNT));
        expect(
          between.size,
          `progress values seen: ${[...new Set(progress)].join(", ")}`,
        ).toBeGreaterThanOrEqual(2);
        console.log(
          `large-batch: ${COUNT} codes in ${((Date.now() - started) / 1000).toFixed(1)} s; progress seen: ${[...between].join(", ")}`,
        );

        // The final page: Ready, all codes outstanding, nothing else.
        await atPath(page, batchPath);
        await visible(page.getByText("200,000 codes of “Café Starter”"));
        const final = await observe(page);
        expect(final).toEqual({ status: "Ready", now: null, max: null, outstanding: COUNT });
        for (const term of ["Claimed", "Expired", "Revoked"]) {
          expect(
            (
              await page
                .locator("dt", { hasText: new RegExp(`^${term}$`) })
                .locator("xpath=following-sibling::dd[1]")
                .textContent()
            )?.trim(),
          ).toBe("0");
        }
        await visible(page.getByRole("link", { name: "Download CSV" }));
      }),
  );

  test(
    "a batch whose server is killed mid-way is never shown complete, and resumes after a restart",
    { timeout: GENERATION_TIMEOUT_MS + 120_000 },
    ({ browser, task }) =>
      reporting(task.name, async () => {
        const page = await signedInPage(browser);
        const batchPath = await generateLargeBatch(page, "Crash test 200k");
        const batchId = batchPath.split("/").at(-1)!;

        // Some codes are made, far from all of them.
        const before = await watch(
          page,
          (observation) => observation.status === "Ready" || (observation.now ?? 0) > 0,
        );
        expect(before.at(-1)!.status, "progress was shown before the batch was done").toBe(
          "Generating",
        );
        const shownBeforeKill = before.at(-1)!.now!;
        // The page stops polling (it would see the server vanish), then the server dies hard.
        await page.goto("about:blank");
        await server!.kill();

        // What the crash left: still generating, and exactly the codes of whole chunks.
        const crashed = await storedBatch(server!.pgliteDir, batchId);
        expect(crashed.status).toBe("generating");
        expect(crashed.code_count).toBe(COUNT);
        expect(crashed.stored).toBe(crashed.generated_count);
        expect(crashed.distinct_codes).toBe(crashed.stored);
        expect(crashed.stored).toBeGreaterThanOrEqual(shownBeforeKill);
        expect(crashed.stored).toBeLessThan(COUNT);
        console.log(`large-batch: killed with ${crashed.stored} of ${COUNT} codes stored`);

        // Started again without background jobs, the portal shows exactly what the crash left:
        // a batch still generating, its bar at the stored count, no counts, nothing to hand out.
        server = await startServer({
          dataDir: server!.dataDir,
          logName: LOG_NAME,
          env: { ...SERVER_ENV, RUN_JOBS: "false" },
        });
        const idle = await signedInPage(browser);
        await idle.goto(batchPath);
        await visible(heading(idle, "Crash test 200k"));
        const stalled = {
          status: "Generating",
          now: crashed.stored,
          max: COUNT,
          outstanding: null,
        };
        expect(await observe(idle)).toEqual(stalled);
        for (const action of ["View codes", "Download CSV", "Print code cards (PDF)"]) {
          expect(await idle.getByRole("link", { name: action }).count(), action).toBe(0);
        }
        await idle.waitForTimeout(2_500); // two of the page's polls: nothing moves without jobs
        expect(await observe(idle)).toEqual(stalled);
        await idle.goto("about:blank");
        await server.stop({ keepFiles: true });

        // Started again with jobs: the batch resumes and ends Ready with exactly 200,000 codes,
        // and is never shown Ready before that.
        server = await startServer({ dataDir: server.dataDir, logName: LOG_NAME, env: SERVER_ENV });
        const again = await signedInPage(browser);
        await again.goto(batchPath);
        await visible(heading(again, "Crash test 200k"));
        const after = await watch(again, (observation) => observation.status === "Ready");
        for (const observation of after.filter((seen) => seen.now !== null)) {
          expect(observation.now!).toBeGreaterThanOrEqual(crashed.stored);
        }
        expect(after.at(-1)).toEqual({ status: "Ready", now: null, max: null, outstanding: COUNT });

        // The batches list agrees: both large batches are Ready with 200,000 codes.
        await again.goto(`${BASE}/batches`);
        for (const label of ["Trade fair 200k", "Crash test 200k"]) {
          const row = again.getByRole("row").filter({ hasText: label });
          await visible(row.getByText("Ready", { exact: true }));
          await visible(row.getByText("200,000", { exact: true }));
        }
      }),
  );
});
