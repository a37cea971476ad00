// The HTTP layer in front of Remix (server/http.ts, ADR 005), over a real socket: the
// cross-site refusal for state-changing requests, the security headers, the load context.
import type { AddressInfo } from "node:net";
import { request as httpRequest, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { AppLoadContext } from "@remix-run/node";
import { jsonReply } from "~/api/exchange.server";
import { createHttpApp } from "../../server/http.ts";
import { stringMatching } from "../helpers/typed.ts";

const PUBLIC_URL = "https://portal.7stamp.example";

interface Started {
  server: Server;
  base: string;
  contexts: AppLoadContext[];
}

/** The app with a stub in place of Remix: it records the load context and answers "ok". */
async function start(isProduction: boolean): Promise<Started> {
  const contexts: AppLoadContext[] = [];
  const app = createHttpApp({
    publicUrl: PUBLIC_URL,
    isProduction,
    remixHandler: (getLoadContext) => (req, res) => {
      const context = getLoadContext(req, res);
      contexts.push(context);
      if (req.path === "/set-cookie") context.appendSetCookie("renewed=1; Path=/; HttpOnly");
      res.status(200).type("text/plain").send("ok");
    },
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}`, contexts };
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
}

let dev: Started;
let prod: Started;

beforeAll(async () => {
  dev = await start(false);
  prod = await start(true);
});

afterAll(async () => {
  await stop(dev.server);
  await stop(prod.server);
});

function send(
  path: string,
  { method = "POST", headers = {} }: { method?: string; headers?: Record<string, string> } = {},
  target: Started = dev,
) {
  return fetch(`${target.base}${path}`, {
    method,
    headers,
    // A web form, as browsers post it (other bodies are refused with 415 before this check).
    body: method === "GET" || method === "HEAD" ? undefined : new URLSearchParams({ a: "1" }),
    redirect: "manual",
  });
}

describe("cross-site refusal", () => {
  test("a raw /api/../login path is not taken for the API and is refused cross-site", async () => {
    // fetch() would normalise the path; a raw socket request keeps the dot segments.
    const { port } = dev.server.address() as AddressInfo;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/api/../login",
          headers: { Origin: "https://evil.example" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end("a=1");
    });
    expect(status).toBe(403);
  });

  test("POST with a foreign Origin → 403, the route never runs", async () => {
    const before = dev.contexts.length;
    const response = await send("/login", { headers: { Origin: "https://evil.example" } });
    expect(response.status).toBe(403);
    expect(await response.text()).toBe("Cross-site request refused.");
    expect(dev.contexts).toHaveLength(before);
  });

  test("POST from the server's own origin → 200", async () => {
    const response = await send("/login", { headers: { Origin: dev.base } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok");
  });

  test("POST from PUBLIC_URL's origin → 200", async () => {
    const response = await send("/login", { headers: { Origin: PUBLIC_URL } });
    expect(response.status).toBe(200);
  });

  test("an origin that only resembles ours → 403", async () => {
    for (const origin of [
      `${PUBLIC_URL}.evil.example`,
      "http://portal.7stamp.example",
      "https://portal.7stamp.example:8443",
      `${dev.base}0`,
      "null",
    ]) {
      expect((await send("/login", { headers: { Origin: origin } })).status, origin).toBe(403);
    }
  });

  test("Sec-Fetch-Site: cross-site without Origin → 403; same-site too", async () => {
    expect((await send("/logout", { headers: { "Sec-Fetch-Site": "cross-site" } })).status).toBe(
      403,
    );
    expect((await send("/logout", { headers: { "Sec-Fetch-Site": "same-site" } })).status).toBe(
      403,
    );
  });

  test("Sec-Fetch-Site: same-origin or none without Origin → 200", async () => {
    for (const site of ["same-origin", "none"]) {
      expect((await send("/logout", { headers: { "Sec-Fetch-Site": site } })).status, site).toBe(
        200,
      );
    }
  });

  test("neither Origin nor Sec-Fetch-Site (not a browser, so no cookies to abuse) → 200", async () => {
    expect((await send("/login")).status).toBe(200);
  });

  test("every state-changing method is checked", async () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const response = await send("/account", {
        method,
        headers: { Origin: "https://evil.example" },
      });
      expect(response.status, method).toBe(403);
    }
  });

  test("GET, HEAD and OPTIONS from another site pass (they must not change anything)", async () => {
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      const response = await send("/login", {
        method,
        headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
      });
      expect(response.status, method).toBe(200);
    }
  });

  test("/api/ is not refused here (bearer tokens, no cookies)", async () => {
    const response = await send("/api/v1/redemptions", {
      headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
    });
    expect(response.status).toBe(200);
  });

  test("paths that only start like /api are still checked", async () => {
    for (const path of ["/api", "/apis/x", "/login?next=/api/"]) {
      const response = await send(path, { headers: { Origin: "https://evil.example" } });
      expect(response.status, path).toBe(403);
    }
  });
});

describe("security headers", () => {
  test("on every response, refused ones included", async () => {
    const responses = [
      await send("/login", { method: "GET" }),
      await send("/login", { headers: { Origin: "https://evil.example" } }),
      await send("/api/v1/x", { method: "GET" }),
    ];
    for (const response of responses) {
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(response.headers.get("X-Frame-Options")).toBe("DENY");
      expect(response.headers.get("Referrer-Policy")).toBe("same-origin");
      expect(response.headers.get("Cross-Origin-Opener-Policy")).toBe("same-origin");
      expect(response.headers.get("Permissions-Policy")).toContain("camera=()");
      expect(response.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
      expect(response.headers.get("X-Powered-By")).toBeNull();
    }
  });

  test("the CSP carries a fresh nonce per request, the same one the load context gets", async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await send("/", { method: "GET" });
      const csp = response.headers.get("Content-Security-Policy")!;
      const directives = csp.split(/;\s*/);
      const script = directives.find((d) => d.startsWith("script-src "))!;
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(script)?.[1];
      expect(nonce).toBeDefined();
      expect(Buffer.from(nonce!, "base64")).toHaveLength(16);
      expect(dev.contexts.at(-1)!.cspNonce).toBe(nonce);
      nonces.push(nonce!);
      expect(directives).toEqual(
        expect.arrayContaining([
          "default-src 'self'",
          "frame-ancestors 'none'",
          "form-action 'self'",
          "base-uri 'none'",
          "object-src 'none'",
        ]),
      );
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  test("production: no 'unsafe-eval', no websockets, HSTS on an https PUBLIC_URL", async () => {
    const response = await send("/", { method: "GET" }, prod);
    const csp = response.headers.get("Content-Security-Policy")!;
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toContain("ws:");
    expect(response.headers.get("Strict-Transport-Security")).toBe(
      "max-age=31536000; includeSubDomains",
    );

    const devResponse = await send("/", { method: "GET" });
    expect(devResponse.headers.get("Strict-Transport-Security")).toBeNull();
  });
});

describe("the load context", () => {
  test("carries the client address and appends cookies to the response", async () => {
    const response = await send("/set-cookie", { method: "GET" });
    expect(response.headers.getSetCookie()).toEqual(["renewed=1; Path=/; HttpOnly"]);
    expect(dev.contexts.at(-1)!.clientIp).toMatch(/127\.0\.0\.1$/);
  });
});

describe("the /api/ router, mounted before Remix", () => {
  test("gets /api/ requests (body read within its cap, client address), Remix the rest", async () => {
    const seen: { method: string; path: string; body: string; clientIp: string | null }[] = [];
    const reachedRemix: string[] = [];
    const app = createHttpApp({
      publicUrl: PUBLIC_URL,
      isProduction: false,
      api: {
        answer: async (request, context) => {
          seen.push({
            method: request.method,
            path: request.pathname,
            body: await request.bodyText(1024),
            clientIp: context.clientIp,
          });
          return jsonReply({ ok: true }, 201);
        },
      },
      remixHandler: () => (req, res) => {
        reachedRemix.push(req.path);
        res.status(200).type("text/plain").send("remix");
      },
    });
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const posted = await fetch(`${base}/api/v1/bundles`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: '{"name":"x"}',
      });
      expect(posted.status).toBe(201);
      expect(await posted.json()).toEqual({ ok: true });
      expect(posted.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(seen).toEqual([
        {
          method: "POST",
          path: "/api/v1/bundles",
          body: '{"name":"x"}',
          clientIp: stringMatching(/127\.0\.0\.1$/),
        },
      ]);

      // Over the body cap: refused by the HTTP layer, the router never runs.
      const tooLarge = await fetch(`${base}/api/v1/bundles`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "x".repeat(2 * 1024 * 1024),
      });
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.headers.get("Content-Type")).toContain("application/problem+json");
      expect(seen).toHaveLength(1);

      const page = await fetch(`${base}/login`);
      expect(await page.text()).toBe("remix");
      expect(reachedRemix).toEqual(["/login"]);
      expect(seen).toHaveLength(1);
    } finally {
      await stop(server);
    }
  });
});
