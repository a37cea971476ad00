// GET /api/v1/codes — the key's partner's codes, newest first, keyset paged, filtered by
// status (incl. derived expired / outstanding), bundle and batch.
import { z } from "zod";
import { jsonResponse, partnerApiRoute } from "~/api/handler.server";
import { pageLimit, parseApiInput, queryObject } from "~/api/json.server";
import { codeJson } from "~/api/serialize.server";
import { db } from "~/db.server";
import { listCodes } from "~/domain/codes/reads.server";
import { clock } from "~/lib/clock.server";

const CodeListQuery = z.object({
  status: z.enum(["issued", "claimed", "revoked", "expired", "outstanding"]).optional(),
  bundle_id: z.string().uuid().optional(),
  batch_id: z.string().uuid().optional(),
  cursor: z.string().max(500).optional(),
  limit: pageLimit(500, 50),
});

const route = partnerApiRoute("/api/v1/codes", {
  GET: async ({ request, auth }) => {
    const query = parseApiInput(CodeListQuery, queryObject(request));
    const page = await listCodes(db, {
      partnerId: auth.partner.id,
      filter: { status: query.status, bundleId: query.bundle_id, batchId: query.batch_id },
      cursor: query.cursor ?? null,
      limit: query.limit,
      now: clock(),
    });
    return jsonResponse({ data: page.rows.map(codeJson), next_cursor: page.nextCursor });
  },
});

export const loader = route.loader;
export const action = route.action;
