// GET /api/v1/businesses/{id}/entitlements — what the business has right now (platform scope).
import { jsonResponse, platformApiRoute } from "~/api/handler.server";
import { notFoundProblem } from "~/api/problem.server";
import { entitlementsJson } from "~/api/serialize.server";
import { db } from "~/db.server";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import { isUuid } from "~/lib/ids";
import { clock } from "~/lib/clock.server";

const route = platformApiRoute("/api/v1/businesses/{id}/entitlements", {
  GET: async ({ params }) => {
    const businessId = params.id;
    const entitlements = isUuid(businessId)
      ? await getEntitlements(db, { businessId, now: clock() })
      : null;
    if (!entitlements) throw notFoundProblem("No business with this id.");
    return jsonResponse(entitlementsJson(entitlements));
  },
});

export const loader = route.loader;
export const action = route.action;
