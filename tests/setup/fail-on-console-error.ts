// A console.error during a test fails that test: React warnings, swallowed exceptions and
// msw's unhandled-request errors all land there. Tests that expect one call
// allowConsoleError() from tests/console.ts.
import { format } from "node:util";
import { afterEach, beforeEach } from "vitest";
import { consoleErrorState } from "../console.ts";

const original = console.error;

beforeEach(() => {
  consoleErrorState.calls = [];
  consoleErrorState.allowed = false;
  consoleErrorState.silenced = false;
  // A plain wrapper rather than vi.spyOn, so vi.restoreAllMocks() in a test cannot undo it.
  console.error = (...args: unknown[]) => {
    consoleErrorState.calls.push(args);
    if (!consoleErrorState.silenced) original(...args);
  };
});

afterEach(() => {
  console.error = original;
  const { calls, allowed } = consoleErrorState;
  consoleErrorState.calls = [];
  if (calls.length === 0 || allowed) return;
  const shown = calls
    .slice(0, 3)
    .map(
      (args) =>
        `  ${format(...args)
          .split("\n")
          .join("\n  ")}`,
    )
    .join("\n");
  throw new Error(
    `console.error was called ${calls.length} time(s) during this test ` +
      `(call allowConsoleError() from tests/console.ts if that is expected):\n${shown}`,
  );
});
