// Remix's Express adapter, except for how a response body is written: the stock adapter
// ignores res.write()'s backpressure, so a large streamed download (a million-code CSV) to
// a slow client would pile up in memory. Here every chunk waits for the socket to drain.
import {
  createReadableStreamFromReadable,
  createRequestHandler as createRemixHandler,
  type AppLoadContext,
  type ServerBuild,
} from "@remix-run/node";
import type express from "express";

/**
 * The adapter's request side, unchanged (it is not part of its public exports); the /api/v1
 * router takes the same Request.
 */
export function createRemixRequest(req: express.Request, res: express.Response): Request {
  const forwardedPort = Number.parseInt(req.get("X-Forwarded-Host")?.split(":")[1] ?? "", 10);
  const hostPort = Number.parseInt(req.get("host")?.split(":")[1] ?? "", 10);
  const port = Number.isSafeInteger(forwardedPort)
    ? forwardedPort
    : Number.isSafeInteger(hostPort)
      ? hostPort
      : "";
  const url = new URL(
    `${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`,
  );
  let controller: AbortController | null = new AbortController();
  const headers = new Headers();
  for (const [key, values] of Object.entries(req.headers)) {
    if (!values) continue;
    if (Array.isArray(values)) for (const value of values) headers.append(key, value);
    else headers.set(key, values);
  }
  const init: RequestInit & { duplex?: "half" } = {
    method: req.method,
    headers,
    signal: controller.signal,
  };
  if (req.method !== "GET" && req.method !== "HEAD") {
    // The HTTP layer has read the body already, within its cap (server/request-guards.ts).
    const buffered = res.locals.requestBody as Buffer | undefined;
    init.body = buffered
      ? (new Uint8Array(buffered.buffer, buffered.byteOffset, buffered.byteLength) as BodyInit)
      : createReadableStreamFromReadable(req);
    init.duplex = "half";
  }
  res.on("finish", () => (controller = null));
  res.on("close", () => controller?.abort());
  return new Request(url.href, init);
}

export function createRequestHandler({
  build,
  getLoadContext,
  mode,
}: {
  build: ServerBuild | (() => Promise<ServerBuild>);
  getLoadContext: (req: express.Request, res: express.Response) => AppLoadContext;
  mode?: string;
}): express.RequestHandler {
  const handleRequest = createRemixHandler(build, mode);
  const handle = async (
    req: express.Request,
    res: express.Response,
    next: express.NextFunction,
  ) => {
    try {
      const request = createRemixRequest(req, res);
      const response = await handleRequest(request, getLoadContext(req, res));
      await sendResponse(res, response);
    } catch (error) {
      next(error);
    }
  };
  // Express 4 ignores a handler's promise; every failure above reaches next() instead.
  return (req, res, next) => void handle(req, res, next);
}

/**
 * Resolves when the socket drained or closed, whichever comes first, and leaves no listener
 * behind: waiting with `once(res, "close")` per chunk left one "close" listener for every
 * backpressure wait of a large download (MaxListenersExceededWarning after ten).
 */
function drainedOrClosed(res: express.Response): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      res.off("drain", settle);
      res.off("close", settle);
      resolve();
    };
    res.on("drain", settle);
    res.on("close", settle);
  });
}

export async function sendResponse(res: express.Response, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [key, value] of response.headers.entries()) res.append(key, value);
  if (/text\/event-stream/i.test(response.headers.get("Content-Type") ?? "")) res.flushHeaders();
  if (!response.body) {
    res.end();
    return;
  }
  if (/^application\/(problem\+)?json/i.test(response.headers.get("Content-Type") ?? "")) {
    // A JSON answer (the API's) is one value, made whole before it is sent: sent in one write
    // with its length rather than as a chunk and then the chunked terminator, each a write on
    // the socket (ADR 036); with a length, small answers are not worth compressing either.
    const body = Buffer.from(await response.arrayBuffer());
    res.setHeader("Content-Length", body.byteLength);
    res.end(body);
    return;
  }
  // compression() buffers; flushing keeps streamed HTML and data arriving as they are
  // rendered. A download (an attachment) is not read as it arrives: flushing each chunk would
  // only cost compression.
  const attachment = /^\s*attachment/i.test(response.headers.get("Content-Disposition") ?? "");
  const flushable = res as express.Response & { flush?: () => void };
  const flush = attachment ? undefined : flushable.flush?.bind(res);
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const accepted = res.write(value);
      flush?.();
      if (!accepted && !res.destroyed) await drainedOrClosed(res);
      if (res.destroyed) {
        await reader.cancel();
        return;
      }
    }
    res.end();
  } catch (error) {
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}
