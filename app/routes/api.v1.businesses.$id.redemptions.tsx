// POST /api/v1/businesses/{id}/redemptions {code} — the platform claims a code on the
// business's behalf: 201 with the claim; refusals are the page's, as problem codes.
import { jsonResponse, platformApiRoute } from "~/api/handler.server";
import { parseApiInput, readJsonBody } from "~/api/json.server";
import { notFoundProblem } from "~/api/problem.server";
import { claimJson } from "~/api/serialize.server";
import { db } from "~/db.server";
import { claimCode, platformClaimActor, RedemptionBodySchema } from "~/domain/redemption.server";
import { isUuid } from "~/lib/ids";
import { clock } from "~/lib/clock.server";

const route = platformApiRoute("/api/v1/businesses/{id}/redemptions", {
  POST: async ({ request, params, context, auth }) => {
    const businessId = params.id;
    const actor = isUuid(businessId)
      ? await platformClaimActor(db, { businessId, actor: auth.actor })
      : null;
    if (!businessId || !actor) throw notFoundProblem("No business with this id.");
    const { code } = parseApiInput(RedemptionBodySchema, await readJsonBody(request));
    // The platform claims for every business from its own address: the business's attempt
    // limit applies, not the IP's.
    const claim = await claimCode(db, {
      businessId,
      code,
      actor,
      ip: context.clientIp,
      limitByIp: false,
      now: clock(),
    });
    return jsonResponse(claimJson(claim), { status: 201 });
  },
});

export const loader = route.loader;
export const action = route.action;
