// The traffic simulator against the running portal: while it reports stamps through the
// platform API, the demo owner's billing page (left open, not reloaded) moves its Card
// Operations bars on its own.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { at } from "../helpers/rows.ts";
import { atPath, BASE_URL, demo, describe, expect, signIn, test } from "./fixtures";

const run = promisify(execFile);

describe("the traffic simulator", () => {
  test("moves the Card Operations bars on an open billing page", async ({ page }) => {
    await signIn(page, demo.owner);
    await atPath(page, /^\/business\/[0-9a-f-]{36}\/billing$/);
    const businessId = at(new URL(page.url()).pathname.split("/"), 2, "business id in the path");
    const services = page.getByRole("region", { name: "Available Services" });
    const thisMonth = services.getByRole("progressbar", { name: "Card Operations" });
    const total = page.getByText(/With activation codes: [\d,]+ of [\d,]+ left in total\./);
    const leftInTotal = async () => {
      const match = /([\d,]+) of/.exec((await total.textContent()) ?? "");
      return Number(at(match ?? [], 1, "codes left in total").replace(/,/g, ""));
    };
    const usedBefore = Number(await thisMonth.getAttribute("aria-valuenow"));
    const leftBefore = await leftInTotal();

    // The e2e server writes the demo's platform token beside its outbox (DEMO_TOKEN_FILE).
    const tokenFile = path.join(path.dirname(process.env.OUTBOX_DIR!), "demo-platform-token");
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/simulate.ts",
        "--business",
        businessId,
        "--rate",
        "10",
        "--seconds",
        "3",
        "--url",
        BASE_URL,
      ],
      { env: { ...process.env, DEMO_TOKEN_FILE: tokenFile }, timeout: 60_000 },
    );
    // The tallies are running totals: the last "accepted N" is the final count.
    const accepted = Number([...stdout.matchAll(/accepted (\d+)/g)].at(-1)?.[1] ?? "0");
    expect(accepted, stdout).toBeGreaterThan(0);

    // No reload: the page polls and the numbers follow the tills.
    await expect
      .poll(async () => leftBefore - (await leftInTotal()), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(accepted);
    expect(Number(await thisMonth.getAttribute("aria-valuenow"))).toBeGreaterThanOrEqual(
      usedBefore,
    );
  });
});
