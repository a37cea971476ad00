// Lets a test declare that it expects console.error (see tests/setup/fail-on-console-error.ts).
const key = Symbol.for("7stamp.test.consoleError");

interface ConsoleErrorState {
  /** The arguments of every console.error call in the current test. */
  calls: unknown[][];
  allowed: boolean;
  silenced: boolean;
}

const holder = globalThis as typeof globalThis & { [key]?: ConsoleErrorState };
export const consoleErrorState: ConsoleErrorState = (holder[key] ??= {
  calls: [],
  allowed: false,
  silenced: false,
});

/**
 * The current test may call console.error without failing. The calls are not printed
 * (pass `{ print: true }` to see them); the returned array collects their arguments so the
 * test can assert on them.
 */
export function allowConsoleError({ print = false }: { print?: boolean } = {}): unknown[][] {
  consoleErrorState.allowed = true;
  consoleErrorState.silenced = !print;
  return consoleErrorState.calls;
}
