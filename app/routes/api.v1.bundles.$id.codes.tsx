// POST /api/v1/bundles/{id}/codes — a batch of codes from one of the partner's bundles:
// 201 with the codes when made in the request (up to SYNC_BATCH_LIMIT), else 202 with the
// batch to poll (a background job makes the codes).
import { partnerApiRoute, jsonResponse } from "~/api/handler.server";
import { parseApiInput, readJsonBody } from "~/api/json.server";
import { batchJson, batchUrl, generatedCodeJson } from "~/api/serialize.server";
import { db } from "~/db.server";
import { BatchInputSchema } from "~/domain/batches/model.server";
import { generateBatch } from "~/domain/batches/generation.server";
import { enqueueBatchGeneration } from "~/jobs/queue.server";
import { clock } from "~/lib/clock.server";

const route = partnerApiRoute("/api/v1/bundles/{id}/codes", {
  POST: async ({ request, params, context, auth }) => {
    const input = parseApiInput(BatchInputSchema, await readJsonBody(request));
    const { batch, codes } = await generateBatch(db, {
      partnerId: auth.partner.id,
      bundleId: params.id,
      input,
      actor: auth.actor,
      ip: context.clientIp,
      now: clock(),
    });
    const location = { Location: batchUrl(batch.id) };
    if (codes) {
      return jsonResponse(
        { batch: batchJson(batch), codes: codes.map((code) => generatedCodeJson(code, batch)) },
        { status: 201, headers: location },
      );
    }
    // After the batch's transaction committed: the job must find the batch.
    await enqueueBatchGeneration(batch.id);
    return jsonResponse({ batch: batchJson(batch) }, { status: 202, headers: location });
  },
});

export const loader = route.loader;
export const action = route.action;
