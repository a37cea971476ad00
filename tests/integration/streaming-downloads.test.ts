// A large download streams with backpressure and without piling up listeners on the
// response (MaxListenersExceededWarning during big CSV and PDF downloads).
import express from "express";
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { describe, expect, test } from "vitest";
import { createHttpApp } from "../../server/http.ts";
import { sendResponse } from "../../server/remix-handler.ts";
import { first } from "../helpers/rows.ts";

describe("sendResponse", () => {
  test("a download of many chunks, each waiting for the socket, keeps one close listener", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(65);
    const chunks = 200;
    const closeListeners: number[] = [];
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);

    const app = express();
    app.get("/download", (_req, res) => {
      res.on("drain", () => closeListeners.push(res.listenerCount("close")));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < chunks) controller.enqueue(chunk);
          else controller.close();
        },
      });
      void sendResponse(res, new Response(body, { headers: { "Content-Type": "text/csv" } }));
    });
    const server = app.listen(0);
    try {
      await new Promise((resolve) => server.once("listening", resolve));
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/download`);
      const received = (await response.arrayBuffer()).byteLength;
      expect(received).toBe(chunks * chunk.byteLength);
    } finally {
      server.close();
      process.off("warning", onWarning);
    }
    // The socket made the writer wait many times; the listeners did not grow with it.
    expect(closeListeners.length).toBeGreaterThan(10);
    expect(Math.max(...closeListeners)).toBeLessThanOrEqual(
      first(closeListeners, "listener count"),
    );
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });
});

/** The raw answer to a GET (nothing decompressed): its headers and bytes. */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on("error", reject);
      })
      .on("error", reject);
  });
}

describe("compressed downloads (ADR 036)", () => {
  test("a CSV export is compressed as the browser asks, at the fast level, and arrives whole", async () => {
    const line = "12345,ABCD-EFGH-JKMN-PQRS,issued,Café Starter,,2027-01-01T00:00:00.000Z\r\n";
    const chunks = 300;
    const body = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(line.repeat(100));
          for (let i = 0; i < chunks; i++) controller.enqueue(bytes);
          controller.close();
        },
      });
    const app = createHttpApp({
      publicUrl: "http://127.0.0.1",
      isProduction: false,
      remixHandler: () => (_req, res) => {
        void sendResponse(
          res,
          new Response(body(), {
            headers: {
              "Content-Type": "text/csv; charset=utf-8",
              "Content-Disposition": 'attachment; filename="x.csv"',
            },
          }),
        );
      },
    });
    const server = app.listen(0, "127.0.0.1");
    try {
      await new Promise((resolve) => server.once("listening", resolve));
      const { port } = server.address() as AddressInfo;
      const expected = line.repeat(100 * chunks);
      for (const encoding of ["gzip", "br"]) {
        for (const path of ["/partner/x/codes.csv", "/partner/x/codes"]) {
          const answer = await rawGet(`http://127.0.0.1:${port}${path}`, {
            "Accept-Encoding": encoding,
          });
          expect(answer.headers["content-encoding"]).toBe(encoding);
          const text = (
            encoding === "gzip"
              ? zlib.gunzipSync(answer.body)
              : zlib.brotliDecompressSync(answer.body)
          ).toString("utf8");
          expect(text).toBe(expected);
        }
      }
      const plain = await rawGet(`http://127.0.0.1:${port}/partner/x/codes.csv`, {
        "Accept-Encoding": "identity",
      });
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(plain.body.toString("utf8")).toBe(expected);
    } finally {
      server.close();
    }
  });
});

describe("JSON answers (ADR 036)", () => {
  test("are sent whole with their length, not chunked, and small ones uncompressed", async () => {
    const app = express();
    app.get("/json", (_req, res) => {
      void sendResponse(
        res,
        new Response(JSON.stringify({ remaining: 41, note: "é" }), {
          status: 201,
          headers: { "Content-Type": "application/json; charset=utf-8" },
        }),
      );
    });
    const server = app.listen(0, "127.0.0.1");
    try {
      await new Promise((resolve) => server.once("listening", resolve));
      const { port } = server.address() as AddressInfo;
      const answer = await rawGet(`http://127.0.0.1:${port}/json`, { "Accept-Encoding": "gzip" });
      expect(answer.headers["transfer-encoding"]).toBeUndefined();
      expect(answer.headers["content-length"]).toBe(String(answer.body.byteLength));
      expect(JSON.parse(answer.body.toString("utf8"))).toEqual({ remaining: 41, note: "é" });
    } finally {
      server.close();
    }
  });
});
