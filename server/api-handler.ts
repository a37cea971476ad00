// The lean path of /api/v1 (ADR 042): the router reads Node's request as it is (headers, the
// body the HTTP layer buffered within its cap) and a JSON answer is written to the socket in
// one go. No Web Request, Headers or Response is built for it; only an answer that streams (a
// PDF) is a Response, written by the same function as Remix's.
import type express from "express";
import type { ApiAnswer, ApiRequest } from "~/api/exchange.server";
import { isReply } from "~/api/exchange.server";
import { bodyTooLarge, utf8Text } from "~/api/json.server";
import { sendResponse } from "./remix-handler.ts";

export function fromNodeRequest(req: express.Request, res: express.Response): ApiRequest {
  const target = req.originalUrl;
  const queryAt = target.indexOf("?");
  // The guards have resolved dot segments and refused undecodable paths (request-guards.ts).
  const pathname = new URL(queryAt < 0 ? target : target.slice(0, queryAt), "http://api.invalid")
    .pathname;
  let searchParams: URLSearchParams | undefined;
  let controller: AbortController | undefined;
  return {
    method: req.method.toUpperCase(),
    pathname,
    get searchParams() {
      searchParams ??= new URLSearchParams(queryAt < 0 ? "" : target.slice(queryAt + 1));
      return searchParams;
    },
    header(name) {
      const value = req.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
    get signal() {
      if (!controller) {
        const made = new AbortController();
        controller = made;
        res.on("close", () => {
          if (!res.writableFinished) made.abort();
        });
      }
      return controller.signal;
    },
    bodyText(maxBytes) {
      // bufferCappedBodies read it (within MAX_JSON_BODY_BYTES); a route's smaller cap holds too.
      const body = res.locals.requestBody as Buffer | undefined;
      if (!body) return Promise.resolve("");
      if (body.byteLength > maxBytes) return Promise.reject(bodyTooLarge(maxBytes));
      try {
        return Promise.resolve(utf8Text(body));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

/** Writes an answer: JSON in one write with its length, a Response as Remix's are written. */
export async function sendAnswer(res: express.Response, answer: ApiAnswer): Promise<void> {
  if (!isReply(answer)) return sendResponse(res, answer);
  const body = Buffer.from(answer.body, "utf8");
  res.writeHead(answer.status, { ...answer.headers, "Content-Length": body.byteLength });
  res.end(body);
}
