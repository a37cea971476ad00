// POST /api/v1/businesses/{id}/operations — one card operation (platform scope): 201 with
// what is left, 200 with the first answer for a repeated key, 402 with nothing recorded.
import { jsonResponse, platformApiRoute } from "~/api/handler.server";
import { parseApiInput, readJsonBody } from "~/api/json.server";
import { cardOperationProblem, notFoundProblem } from "~/api/problem.server";
import { cardOperationJson } from "~/api/serialize.server";
import { db } from "~/db.server";
import { cardOperationBodySchema, recordCardOperations } from "~/domain/usage.server";
import { isUuid } from "~/lib/ids";
import { clock } from "~/lib/clock.server";

const route = platformApiRoute("/api/v1/businesses/{id}/operations", {
  POST: async ({ request, params }) => {
    const businessId = params.id;
    if (!isUuid(businessId)) throw notFoundProblem("No business with this id.");
    const operation = parseApiInput(
      cardOperationBodySchema(businessId),
      await readJsonBody(request),
    );
    const [result] = await recordCardOperations(db, { operations: [operation], now: clock() });
    if (result.outcome === "recorded")
      return jsonResponse(cardOperationJson(result.operation), { status: 201 });
    if (result.outcome === "replayed") return jsonResponse(cardOperationJson(result.operation));
    throw cardOperationProblem(result);
  },
});

export const loader = route.loader;
export const action = route.action;
