// GET /api/v1/bundles — the key's partner's bundles, newest first, keyset paged.
// POST /api/v1/bundles — a new bundle.
import { z } from "zod";
import { partnerApiRoute, jsonResponse } from "~/api/handler.server";
import { pageLimit, parseApiInput, queryObject, readJsonBody } from "~/api/json.server";
import { bundleJson, API_BASE } from "~/api/serialize.server";
import { db } from "~/db.server";
import { BundleInputSchema, createBundle, listBundles } from "~/domain/bundles.server";
import { clock } from "~/lib/clock.server";

const BundleListQuery = z.object({
  status: z.enum(["active", "archived", "all"]).default("active"),
  cursor: z.string().max(500).optional(),
  limit: pageLimit(100, 25),
});

const route = partnerApiRoute("/api/v1/bundles", {
  GET: async ({ request, auth }) => {
    const query = parseApiInput(BundleListQuery, queryObject(request));
    const page = await listBundles(db, {
      partnerId: auth.partner.id,
      status: query.status,
      cursor: query.cursor ?? null,
      limit: query.limit,
      now: clock(),
    });
    return jsonResponse({ data: page.rows.map(bundleJson), next_cursor: page.nextCursor });
  },
  POST: async ({ request, context, auth }) => {
    const input = parseApiInput(BundleInputSchema, await readJsonBody(request));
    const bundle = await createBundle(db, {
      partnerId: auth.partner.id,
      input,
      actor: auth.actor,
      ip: context.clientIp,
      now: clock(),
    });
    return jsonResponse(bundleJson(bundle), {
      status: 201,
      headers: { Location: `${API_BASE}/bundles/${bundle.id}` },
    });
  },
});

export const loader = route.loader;
export const action = route.action;
