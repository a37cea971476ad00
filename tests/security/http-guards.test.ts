// What the HTTP layer refuses before Remix reads anything (issue 12 §2, §5, §8, §9, §11):
// oversized bodies (413, never buffered past the cap), page posts that are not web forms
// (415), unknown methods (405), undecodable paths (400), and which client address counts
// behind a proxy (TRUST_PROXY). Over a real socket, with a stub in place of Remix.
import type { AddressInfo } from "node:net";
import { request as httpRequest, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { AppLoadContext } from "@remix-run/node";
import type { TrustProxy } from "~/env.server";
import { parseTrustProxy } from "~/env.server";
import { MAX_FORM_BODY_BYTES, MAX_JSON_BODY_BYTES } from "~/lib/request-limits";
import { createHttpApp } from "../../server/http.ts";

interface Started {
  server: Server;
  base: string;
  port: number;
  /** What reached "Remix": the load context and the body bytes it was handed. */
  reached: { context: AppLoadContext; bodyBytes: number | null }[];
}

async function start(trustProxy: TrustProxy = false): Promise<Started> {
  const reached: Started["reached"] = [];
  const app = createHttpApp({
    publicUrl: "http://localhost:3000",
    isProduction: false,
    trustProxy,
    remixHandler: (getLoadContext) => (req, res) => {
      const body = res.locals.requestBody as Buffer | undefined;
      reached.push({ context: getLoadContext(req, res), bodyBytes: body ? body.byteLength : null });
      res.status(200).type("text/plain").send("ok");
    },
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}`, port, reached };
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
}

let plain: Started;
let behindProxy: Started;

beforeAll(async () => {
  plain = await start(false);
  behindProxy = await start(1);
});

afterAll(async () => {
  await stop(plain.server);
  await stop(behindProxy.server);
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request written by hand: `chunks` are sent one by one (chunked encoding unless a
 * content-length is given), so a body can be larger than anything the server should keep.
 */
function raw(
  target: Started,
  {
    method = "POST",
    path,
    headers = {},
    chunks = [],
  }: { method?: string; path: string; headers?: Record<string, string>; chunks?: Buffer[] },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: target.port,
        method,
        path,
        headers: { origin: "http://localhost:3000", ...headers },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    // The server may close while we still send (that is the point): the answer decides.
    req.on("error", (error) => {
      if ((error as NodeJS.ErrnoException).code !== "EPIPE") reject(error);
    });
    const send = (i: number) => {
      if (i >= chunks.length) return req.end();
      if (req.destroyed) return;
      const ok = req.write(chunks[i]);
      if (ok) setImmediate(() => send(i + 1));
      else req.once("drain", () => send(i + 1));
    };
    send(0);
  });
}

const MB = 1024 * 1024;
const form = "application/x-www-form-urlencoded";

describe("body caps", () => {
  test("a form over the cap, declared: 413 at once, a clear page, nothing reaches Remix", async () => {
    const before = plain.reached.length;
    const answer = await raw(plain, {
      path: "/login",
      headers: { "content-type": form, "content-length": String(300 * MB) },
      chunks: [Buffer.alloc(64 * 1024, "a")],
    });
    expect(answer.status).toBe(413);
    expect(answer.headers["content-type"]).toMatch(/text\/html/);
    expect(answer.body).toContain("Too much data sent");
    expect(answer.body).toContain("1 MB");
    expect(plain.reached.length).toBe(before);
  });

  test("a form over the cap, streamed without a length: 413 once the cap is passed", async () => {
    const before = plain.reached.length;
    const chunk = Buffer.alloc(256 * 1024, "a");
    const answer = await raw(plain, {
      path: "/login",
      headers: { "content-type": form },
      // 40 MB offered; the server stops reading a little past 1 MB.
      chunks: Array.from({ length: 160 }, () => chunk),
    });
    expect(answer.status).toBe(413);
    expect(plain.reached.length).toBe(before);
  });

  test("the API: JSON over the cap is a 413 problem", async () => {
    const answer = await raw(plain, {
      path: "/api/v1/bundles",
      headers: {
        "content-type": "application/json",
        "content-length": String(MAX_JSON_BODY_BYTES + 1),
      },
      chunks: [Buffer.alloc(MAX_JSON_BODY_BYTES + 1, " ")],
    });
    expect(answer.status).toBe(413);
    expect(answer.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 413, code: "payload_too_large" });
  });

  test("a body within the cap reaches Remix whole", async () => {
    const body = Buffer.from(`email=a%40b.test&password=${"x".repeat(MAX_FORM_BODY_BYTES - 100)}`);
    const answer = await raw(plain, {
      path: "/login",
      headers: { "content-type": form, "content-length": String(body.byteLength) },
      chunks: [body],
    });
    expect(answer.status).toBe(200);
    expect(plain.reached.at(-1)?.bodyBytes).toBe(body.byteLength);
  });
});

describe("page posts that are not web forms", () => {
  test.each([
    ["JSON", { "content-type": "application/json" }, '{"email":"a@b.test"}'],
    ["no content type", {}, "email=a%40b.test"],
    [
      "multipart (no route takes files)",
      { "content-type": "multipart/form-data; boundary=x" },
      "--x\r\nbroken",
    ],
    ["text", { "content-type": "text/plain" }, "hello"],
  ])("%s: 415 with a page, nothing reaches Remix", async (_name, headers, body) => {
    const before = plain.reached.length;
    const answer = await raw(plain, {
      path: "/login",
      headers: headers,
      chunks: [Buffer.from(body)],
    });
    expect(answer.status).toBe(415);
    expect(answer.body).toContain("Form not understood");
    expect(plain.reached.length).toBe(before);
  });
});

describe("methods and paths", () => {
  test.each(["TRACE", "PROPFIND", "MKCOL"])("%s: 405 with Allow, no stack", async (method) => {
    const answer = await raw(plain, { method, path: "/login" });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toContain("GET");
    expect(answer.body).not.toMatch(/at .*\.ts:\d+/);
  });

  test("TRACE on the API: a 405 problem", async () => {
    const answer = await raw(plain, { method: "TRACE", path: "/api/v1/bundles" });
    expect(answer.status).toBe(405);
    expect(JSON.parse(answer.body)).toMatchObject({ code: "method_not_allowed" });
  });

  test("malformed percent-encoding: 400 problem+json on the API, a page elsewhere", async () => {
    const api = await raw(plain, { method: "GET", path: "/api/v1/bundles/%E0%A4%A" });
    expect(api.status).toBe(400);
    expect(api.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(JSON.parse(api.body)).toMatchObject({ code: "invalid_request" });

    const page = await raw(plain, { method: "GET", path: "/partner/%E0%A4%A/codes" });
    expect(page.status).toBe(400);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.body).not.toMatch(/URIError|at .*:\d+:\d+/);
  });
});

describe("TRUST_PROXY", () => {
  test("off (the default): X-Forwarded-For is ignored, the socket's address counts", async () => {
    await raw(plain, {
      method: "GET",
      path: "/who",
      headers: { "x-forwarded-for": "203.0.113.77" },
    });
    expect(plain.reached.at(-1)?.context.clientIp).toMatch(/127\.0\.0\.1$/);
  });

  test("one hop: the address the proxy saw counts; a spoofed earlier entry does not", async () => {
    await raw(behindProxy, {
      method: "GET",
      path: "/who",
      headers: { "x-forwarded-for": "198.51.100.1, 203.0.113.77" },
    });
    expect(behindProxy.reached.at(-1)?.context.clientIp).toBe("203.0.113.77");
  });

  test("the setting: hops, addresses and ranges; anything else is refused at start-up", () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy("")).toBe(false);
    expect(parseTrustProxy("false")).toBe(false);
    expect(parseTrustProxy("2")).toBe(2);
    expect(parseTrustProxy("10.0.0.1, 10.1.0.0/16, loopback")).toEqual([
      "10.0.0.1",
      "10.1.0.0/16",
      "loopback",
    ]);
    expect(() => parseTrustProxy("true")).toThrow(/TRUST_PROXY/);
    expect(() => parseTrustProxy("10.0.0.0/99")).toThrow(/TRUST_PROXY/);
    expect(() => parseTrustProxy("proxy.internal")).toThrow(/TRUST_PROXY/);
  });
});
