// One msw server for every outside HTTP service the app talks to. Each service gets its own
// handler file next to this one (e.g. ./smtp-relay.ts exporting `handlers`), spread in here.
// Tests override per case with server.use(...); handlers reset after every test.
import type { RequestHandler } from "msw";
import { setupServer } from "msw/node";

export const handlers: RequestHandler[] = [];

export const server = setupServer(...handlers);

/** Requests to this machine (a test's own HTTP server) are not outside services. */
export function isLocalRequest(url: string): boolean {
  const { hostname } = new URL(url);
  return (
    hostname === "localhost" ||
    hostname.endsWith(".localhost") ||
    hostname === "[::1]" ||
    hostname === "::1" ||
    /^127(\.\d{1,3}){3}$/.test(hostname)
  );
}
