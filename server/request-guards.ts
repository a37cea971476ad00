// What the HTTP layer refuses before Remix sees a request: methods the portal does not
// answer (405), addresses that do not decode (400), bodies over their cap (413, never
// buffered past it) and page posts that are not web forms (415). The API answers each as
// problem+json, pages as a short HTML page; none of these is a server failure.
import express, { type RequestHandler } from "express";
import { problemBody, PROBLEM_CONTENT_TYPE } from "~/api/problem.server";
import { errorCodes, type ErrorCode } from "~/domain/error-codes";
import { createI18n } from "~/i18n";
import { MAX_FORM_BODY_BYTES, MAX_JSON_BODY_BYTES } from "~/lib/request-limits";

const ALLOWED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const METHODS_WITHOUT_BODY = new Set(["GET", "HEAD", "OPTIONS"]);

const i18n = createI18n("en");

/** The request's path as the portal routes it (dot segments resolved). */
function pathnameOf(req: express.Request): string {
  return new URL(req.originalUrl, "http://portal.invalid").pathname;
}

/** Is this a call of the API (answered in problem+json)? "/api/../login" is not. */
export function isApiRequest(req: express.Request): boolean {
  try {
    return pathnameOf(req).startsWith("/api/");
  } catch {
    return req.originalUrl.startsWith("/api/");
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Refusal = "badRequest" | "payloadTooLarge" | "unsupportedMediaType" | "methodNotAllowed";

const problemCodes: Record<Refusal, ErrorCode> = {
  badRequest: "invalid_request",
  payloadTooLarge: "payload_too_large",
  unsupportedMediaType: "unsupported_media_type",
  methodNotAllowed: "method_not_allowed",
};

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
}

/** Answers a refused request: problem+json for the API, a short page otherwise. */
export function refuse(
  req: express.Request,
  res: express.Response,
  refusal: Refusal,
  { detail, limit }: { detail?: string; limit?: number } = {},
): void {
  if (res.headersSent) return;
  const status = errorCodes[problemCodes[refusal]].status;
  const values = { limit: limit === undefined ? "" : formatBytes(limit) };
  const title = i18n.t(`errors.${refusal}.title`, { ns: "common" });
  const body = detail ?? i18n.t(`errors.${refusal}.body`, { ns: "common", ...values });
  res.status(status).setHeader("Cache-Control", "no-store");
  if (refusal === "methodNotAllowed") res.setHeader("Allow", ALLOWED_METHODS.join(", "));
  if (isApiRequest(req)) {
    res
      .type(PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problemBody({ code: problemCodes[refusal], detail: body })));
    return;
  }
  res
    .type("html")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · 7stamp Partner Portal</title></head>` +
        `<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; color: #0f172a">` +
        `<h1 style="font-size: 1.25rem">${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>` +
        `<p><a href="/" style="color: #0369a1">${escapeHtml(i18n.t("errors.home", { ns: "common" }))}</a></p></body></html>`,
    );
}

/** TRACE, CONNECT-like and made-up methods: 405 with the methods the portal answers. */
export const refuseUnknownMethods: RequestHandler = (req, res, next) => {
  if (ALLOWED_METHODS.includes(req.method)) return next();
  refuse(req, res, "methodNotAllowed");
};

/** A path with malformed percent-encoding (`%E0%A4%A`) names nothing: 400, not a stack. */
export const refuseUndecodablePaths: RequestHandler = (req, res, next) => {
  try {
    decodeURIComponent(pathnameOf(req));
    new URLSearchParams(req.originalUrl.split("?")[1] ?? "");
  } catch {
    refuse(req, res, "badRequest", {
      detail: isApiRequest(req)
        ? "The request path is not valid percent-encoded UTF-8."
        : undefined,
    });
    return;
  }
  next();
};

function mediaType(req: express.Request): string {
  return ((req.headers["content-type"] ?? "").split(";")[0] ?? "").trim().toLowerCase();
}

/**
 * Reads every request body in the HTTP layer, up to its cap (forms and API JSON alike), and
 * hands Remix the bytes read. Past the cap (declared or counted) the answer is 413 at once:
 * nothing more is kept, and the connection closes so the rest is not read either. Page posts
 * must be web forms: no route takes files, so anything else is 415 before an action tries to
 * parse it.
 */
export const bufferCappedBodies: RequestHandler = (req, res, next) => {
  if (METHODS_WITHOUT_BODY.has(req.method)) return next();
  const api = isApiRequest(req);
  const limit = api ? MAX_JSON_BODY_BYTES : MAX_FORM_BODY_BYTES;
  if (!api && mediaType(req) !== "application/x-www-form-urlencoded") {
    stopReading(req, res);
    refuse(req, res, "unsupportedMediaType");
    return;
  }
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    stopReading(req, res);
    refuse(req, res, "payloadTooLarge", { limit });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on("data", (chunk: Buffer) => {
    if (refused) return;
    size += chunk.byteLength;
    if (size > limit) {
      refused = true;
      chunks.length = 0;
      stopReading(req, res);
      refuse(req, res, "payloadTooLarge", { limit });
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (refused) return;
    res.locals.requestBody = Buffer.concat(chunks, size);
    next();
  });
};

/** After a refusal the rest of the body is not wanted: close the connection once answered. */
function stopReading(req: express.Request, res: express.Response): void {
  res.setHeader("Connection", "close");
  res.once("finish", () => {
    req.unpipe();
    req.socket.destroySoon?.();
  });
  req.resume();
}
