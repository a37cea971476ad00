// GET /api/v1/bundles/{id} — one of the key's partner's bundles.
import { partnerApiRoute, jsonResponse } from "~/api/handler.server";
import { notFoundProblem } from "~/api/problem.server";
import { bundleJson } from "~/api/serialize.server";
import { db } from "~/db.server";
import { getBundle } from "~/domain/bundles.server";
import { clock } from "~/lib/clock.server";

const route = partnerApiRoute("/api/v1/bundles/{id}", {
  GET: async ({ params, auth }) => {
    const bundle = await getBundle(db, {
      partnerId: auth.partner.id,
      bundleId: params.id ?? "",
      now: clock(),
    });
    if (!bundle) throw notFoundProblem("No such bundle.");
    return jsonResponse(bundleJson(bundle));
  },
});

export const loader = route.loader;
export const action = route.action;
