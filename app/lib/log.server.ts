// A tiny leveled logger. Never pass it secrets (tokens, codes, reset links).
import { env } from "~/env.server";

const order = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
const threshold = order[env.LOG_LEVEL];

function write(level: keyof typeof order, message: string, extra?: unknown) {
  if (order[level] < threshold) return;
  const line = `${new Date().toISOString()} ${level.toUpperCase()} ${message}`;
  if (level === "error") console.error(line, extra ?? "");
  else if (level === "warn") console.warn(line, extra ?? "");
  else console.log(line, extra ?? "");
}

export const log = {
  debug: (m: string, e?: unknown) => write("debug", m, e),
  info: (m: string, e?: unknown) => write("info", m, e),
  warn: (m: string, e?: unknown) => write("warn", m, e),
  error: (m: string, e?: unknown) => write("error", m, e),
  /** Whether a level is written: skip building a message nobody reads on a hot path. */
  enabled: (level: keyof typeof order) => order[level] >= threshold,
};

/**
 * A request's path for a log line, secrets masked: /redeem/{code} URLs carry an activation
 * code, /reset-password/{token} and /invitations/{token} a one-time token.
 */
export function loggablePath(url: string): string {
  return new URL(url).pathname
    .replace(/^\/redeem\/[^/]+/, "/redeem/[code]")
    .replace(/^\/(reset-password|invitations)\/[^/]+/, "/$1/[token]");
}
