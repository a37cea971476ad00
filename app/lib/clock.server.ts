// The one place the server reads the wall clock. A request, a guard or a job calls `clock()`
// once and passes that `now` down; domain code compares against it (also in SQL, as a
// parameter) and never reads a clock of its own (ADR 025).

/** The current instant, read once per decision by whoever starts it. */
export function clock(): Date {
  return new Date();
}

/**
 * A stopwatch for measuring how long something took (a webhook's answer time): monotonic, so
 * it never decides anything about dates; it reports whole milliseconds since it was started.
 */
export function stopwatch(): () => number {
  const started = performance.now();
  return () => Math.round(performance.now() - started);
}
