// GET /api/v1/batches/{id} — a batch's status and progress (poll it after a 202).
import { partnerApiRoute, jsonResponse } from "~/api/handler.server";
import { notFoundProblem } from "~/api/problem.server";
import { batchJson } from "~/api/serialize.server";
import { db } from "~/db.server";
import { getBatch } from "~/domain/batches/reads.server";

const route = partnerApiRoute("/api/v1/batches/{id}", {
  GET: async ({ params, auth }) => {
    const batch = await getBatch(db, { partnerId: auth.partner.id, batchId: params.id });
    if (!batch) throw notFoundProblem("No such batch.");
    return jsonResponse(batchJson(batch));
  },
});

export const loader = route.loader;
export const action = route.action;
