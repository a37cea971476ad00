// A large download streams with backpressure and without piling up listeners on the
// response (MaxListenersExceededWarning during big CSV and PDF downloads).
import express from "express";
import type { AddressInfo } from "node:net";
import { describe, expect, test } from "vitest";
import { sendResponse } from "../../server/remix-handler.ts";

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
    expect(Math.max(...closeListeners)).toBeLessThanOrEqual(closeListeners[0]);
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });
});
