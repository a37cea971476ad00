// The HTTP layer in front of Remix: security headers with a per-request CSP nonce, the
// refusals of request-guards.ts (methods, undecodable paths, body caps, non-form posts), the
// cross-site refusal for state-changing requests, the /api/v1 router (before Remix, ADR 023),
// static assets and the load context.
import { randomBytes } from "node:crypto";
import zlib from "node:zlib";
import compression from "compression";
import express, { type RequestHandler } from "express";
import { isCrossSiteRequest } from "~/auth/origin.server";
import type { AppLoadContext } from "@remix-run/node";
import "~/auth/context.server";
import type { TrustProxy } from "~/env.server";
import type { ApiAnswer, ApiRequest } from "~/api/exchange.server";
import { fromNodeRequest, sendAnswer } from "./api-handler.ts";
import {
  bufferCappedBodies,
  isApiRequest,
  refuseUndecodablePaths,
  refuseUnknownMethods,
} from "./request-guards.ts";

/**
 * Compression as browsers ask for it, at the fastest level for the CSV exports (every path
 * ending in .csv): a million-code file is ~150 MB, and at the default levels (gzip 6, brotli 4)
 * compressing it cost the server more CPU than PostgreSQL spent writing it (ADR 036). Pages
 * and assets keep the default levels.
 */
function compressResponses(): RequestHandler {
  const pages = compression();
  const exports = compression({
    level: 1,
    brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } },
    chunkSize: 64 * 1024,
  });
  return (req, res, next) => (req.path.endsWith(".csv") ? exports : pages)(req, res, next);
}

export interface HttpAppOptions {
  publicUrl: string;
  isProduction: boolean;
  /** Serves everything the routes answer (the Remix request handler). */
  remixHandler: (
    getLoadContext: (req: express.Request, res: express.Response) => AppLoadContext,
  ) => RequestHandler;
  /**
   * Serves /api/ (app/api/routes.server.ts) ahead of Remix, after the guards and body caps,
   * from Node's request (ADR 042); without it, /api/ requests go to remixHandler like any other.
   */
  api?: { answer(request: ApiRequest, context: AppLoadContext): Promise<ApiAnswer> };
  /** Vite's middlewares in development; static build assets otherwise. */
  assets?: RequestHandler[];
  /**
   * Which proxies to believe about the client's address (TRUST_PROXY); off by default, so a
   * client cannot pick its own address with X-Forwarded-For.
   */
  trustProxy?: TrustProxy;
}

const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

function contentSecurityPolicy(nonce: string, isProduction: boolean): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${isProduction ? "" : " 'unsafe-eval'"}`,
    // React sets style attributes (progress bar widths); no external styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${isProduction ? "" : " ws: wss:"}`,
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
  ];
  return directives.join("; ");
}

export function createHttpApp(options: HttpAppOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Every per-IP limit, audit entry and log line reads req.ip, which this decides.
  app.set("trust proxy", options.trustProxy ?? false);
  const publicOrigin = new URL(options.publicUrl).origin;

  app.use((req, res, next) => {
    if (isApiRequest(req)) {
      // JSON is never rendered as a page: a fixed policy, no nonce to make.
      res.setHeader("Content-Security-Policy", API_CONTENT_SECURITY_POLICY);
    } else {
      const nonce = randomBytes(16).toString("base64");
      res.locals.cspNonce = nonce;
      res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce, options.isProduction));
    }
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("X-Content-Type-Options", "nosniff");
    // Codes travel in /redeem/{code} URLs: never let them leak to other sites.
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    if (options.isProduction && publicOrigin.startsWith("https:")) {
      res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
    next();
  });

  app.use(refuseUnknownMethods);
  app.use(refuseUndecodablePaths);

  // /api/v1 before the cross-site check (bearer tokens, no cookies), compression (answers are
  // small and written whole) and Remix: its body read within its cap, then the router.
  const { api } = options;
  if (api) {
    app.use((req, res, next) => {
      if (!isApiRequest(req)) return next();
      bufferCappedBodies(req, res, () => {
        const context: AppLoadContext = {
          cspNonce: "",
          clientIp: req.ip ?? req.socket.remoteAddress ?? null,
          appendSetCookie: (cookie: string) => {
            res.append("Set-Cookie", cookie);
          },
        };
        api
          .answer(fromNodeRequest(req, res), context)
          .then((answer) => sendAnswer(res, answer))
          .catch(next);
      });
    });
  }

  app.use((req, res, next) => {
    // Normalised as a URL (dot segments resolved), so "/api/../login" is not taken for the API.
    const pathname = new URL(req.originalUrl, "http://portal.invalid").pathname;
    if (pathname.startsWith("/api/")) return next();
    const ownOrigin = `${req.protocol}://${req.get("host")}`;
    const refused = isCrossSiteRequest({
      method: req.method,
      origin: req.get("origin"),
      secFetchSite: req.get("sec-fetch-site"),
      allowedOrigins: [publicOrigin, ownOrigin],
    });
    if (refused) {
      res.status(403).type("text/plain").send("Cross-site request refused.");
      return;
    }
    next();
  });

  app.use(bufferCappedBodies);
  app.use(compressResponses());

  const loadContext = (req: express.Request, res: express.Response): AppLoadContext => ({
    cspNonce: res.locals.cspNonce as string,
    clientIp: req.ip ?? req.socket.remoteAddress ?? null,
    appendSetCookie: (cookie: string) => {
      res.append("Set-Cookie", cookie);
    },
  });

  for (const middleware of options.assets ?? []) app.use(middleware);
  app.all("*", options.remixHandler(loadContext));
  return app;
}
