// POST /api/v1/operations/batch — up to 1,000 card operations of any businesses (platform
// scope), recorded in order; one result per event with the status its single call would get.
import { jsonResponse, platformApiRoute } from "~/api/handler.server";
import { parseApiInput, readJsonBody } from "~/api/json.server";
import { cardOperationProblem } from "~/api/problem.server";
import { cardOperationJson } from "~/api/serialize.server";
import { db } from "~/db.server";
import { CardOperationBatchSchema, recordCardOperations } from "~/domain/usage.server";
import { clock } from "~/lib/clock.server";

const route = platformApiRoute("/api/v1/operations/batch", {
  POST: async ({ request }) => {
    const operations = parseApiInput(CardOperationBatchSchema, await readJsonBody(request));
    const results = await recordCardOperations(db, { operations, now: clock() });
    return jsonResponse({
      results: results.map((result, index) => {
        if (result.outcome === "recorded" || result.outcome === "replayed") {
          return {
            index,
            status: result.outcome === "recorded" ? 201 : 200,
            ...cardOperationJson(result.operation),
          };
        }
        const problem = cardOperationProblem(result);
        return { index, status: problem.status, code: problem.code, detail: problem.detail };
      }),
    });
  },
});

export const loader = route.loader;
export const action = route.action;
