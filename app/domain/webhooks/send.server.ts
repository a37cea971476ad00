// One HTTP POST of a webhook: no redirects followed (a 3xx is a failure), a timeout over the
// whole exchange, the answer read up to 1 kB and then dropped, and every address the name
// resolves to — and the one the socket connected to — checked by the SSRF guard.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction, type Socket } from "node:net";
import { refusedAddress } from "./ssrf.server";
import { stopwatch } from "~/lib/clock.server";

export const RESPONSE_EXCERPT_BYTES = 1024;

export interface SendOutcome {
  statusCode: number | null;
  durationMs: number;
  excerpt: string;
  /** Why there is no status (refused, timeout, connection error); never the secret. */
  error: string | null;
}

class RefusedAddress extends Error {}

function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const list = addresses ?? [];
      for (const { address } of list) {
        const refused = refusedAddress(address, allowLoopback);
        if (refused) return callback(new RefusedAddress(`${hostname}: ${refused}`), "", 0);
      }
      if (list.length === 0) return callback(new Error(`${hostname}: no address`), "", 0);
      if (options.all) return callback(null, list, 0);
      const [first] = list as [LookupAddress, ...LookupAddress[]];
      return callback(null, first.address, first.family);
    });
  };
}

export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  { timeoutMs, allowLoopback }: { timeoutMs: number; allowLoopback: boolean },
): Promise<SendOutcome> {
  const elapsed = stopwatch();
  return new Promise((resolve) => {
    let settled = false;
    const timer: { id?: NodeJS.Timeout } = {};
    const finish = (outcome: Omit<SendOutcome, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer.id);
      resolve({ ...outcome, durationMs: elapsed() });
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return finish({ statusCode: null, excerpt: "", error: "invalid URL" });
    }
    const host = target.hostname.replace(/^\[|\]$/g, "");
    const literal = isIP(host) ? refusedAddress(host, allowLoopback) : null;
    if (literal) return finish({ statusCode: null, excerpt: "", error: `refused: ${literal}` });
    const client = target.protocol === "https:" ? https : http;
    const request = client.request(target, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        "user-agent": "7stamp-webhooks/1",
        ...headers,
      },
      lookup: guardedLookup(allowLoopback),
      agent: false,
    });
    timer.id = setTimeout(() => {
      request.destroy(new Error(`timeout after ${timeoutMs} ms`));
    }, timeoutMs);
    request.on("socket", (socket: Socket) => {
      socket.on("connect", () => {
        const refused = socket.remoteAddress
          ? refusedAddress(socket.remoteAddress, allowLoopback)
          : "no remote address";
        if (refused) request.destroy(new RefusedAddress(refused));
      });
    });
    request.on("error", (error) => {
      const refused = error instanceof RefusedAddress;
      finish({
        statusCode: null,
        excerpt: "",
        error: refused ? `refused: ${error.message}` : error.message,
      });
    });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        finish({
          statusCode: response.statusCode ?? null,
          excerpt: Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString("utf8"),
          error: null,
        });
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_EXCERPT_BYTES) {
          done();
          response.destroy();
        }
      });
      response.on("end", done);
      response.on("error", done);
    });
    request.end(body);
  });
}
