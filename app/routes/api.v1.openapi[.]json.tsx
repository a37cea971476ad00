// GET /api/v1/openapi.json — the partner API's OpenAPI document (public, no key needed).
import { jsonResponse, publicApiRoute } from "~/api/handler.server";
import { openApiDocument } from "~/api/openapi";
import { env } from "~/env.server";

const route = publicApiRoute("/api/v1/openapi.json", {
  GET: async () => jsonResponse({ ...openApiDocument, servers: [{ url: env.PUBLIC_URL }] }),
});

export const loader = route.loader;
export const action = route.action;
