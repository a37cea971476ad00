// The delivery runner (app/jobs/webhooks.server.ts, ADR 043): a first event after a quiet
// spell starts a pass at once; events during a pass make ONE more pass, started no sooner than
// the interval after the previous one, so a steady stream of claims costs a few passes a
// second, not one per claim.
import { describe, expect, test } from "vitest";
import { deliveryRunner } from "~/jobs/webhooks.server";
import { allowConsoleError } from "../console.ts";
import { testDb } from "../db.ts";

describe("webhook delivery runner", () => {
  test("passes start at once after quiet, and at most once per interval under a stream", async () => {
    const starts: number[] = [];
    const t0 = performance.now();
    const pass = async () => {
      starts.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { events: 0, attempts: 0 };
    };
    const runner = deliveryRunner(testDb().db, pass, 1_000);
    runner.kick();
    // Events during the first pass, and more after it but within the interval.
    for (let i = 0; i < 20; i++) runner.kick();
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 20; i++) runner.kick();
    await runner.idle();
    expect(starts.length).toBe(2);
    expect(starts[0]).toBeLessThan(100);
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(995);

    // Quiet again: the next event's pass starts at once.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const kicked = performance.now() - t0;
    runner.kick();
    await runner.idle();
    expect(starts.length).toBe(3);
    expect((starts[2] ?? 0) - kicked).toBeLessThan(100);
  });

  test("a pass that fails is logged and the runner goes on", async () => {
    allowConsoleError();
    let calls = 0;
    const runner = deliveryRunner(
      testDb().db,
      () => {
        calls += 1;
        return calls === 1
          ? Promise.reject(new Error("database gone"))
          : Promise.resolve({ events: 0, attempts: 0 });
      },
      0,
    );
    runner.kick();
    await runner.idle();
    runner.kick();
    await runner.idle();
    expect(calls).toBe(2);
  });
});
