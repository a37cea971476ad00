// POST /api/v1/codes/{code}/revoke {reason} — revokes an unclaimed code of the partner.
import { jsonResponse, partnerApiRoute } from "~/api/handler.server";
import { parseApiInput, readJsonBody } from "~/api/json.server";
import { codeJson } from "~/api/serialize.server";
import { db } from "~/db.server";
import { CodeNotFound, RevokeInputSchema } from "~/domain/codes/model.server";
import { findCode } from "~/domain/codes/reads.server";
import { revokeCode } from "~/domain/codes/commands.server";
import { clock } from "~/lib/clock.server";

const RevokeBody = RevokeInputSchema.strict();

const route = partnerApiRoute("/api/v1/codes/{code}/revoke", {
  POST: async ({ request, params, context, auth }) => {
    const { reason } = parseApiInput(RevokeBody, await readJsonBody(request));
    const code = await findCode(db, {
      partnerId: auth.partner.id,
      input: params.code ?? "",
      now: clock(),
    });
    if (!code) throw new CodeNotFound();
    const revoked = await revokeCode(db, {
      partnerId: auth.partner.id,
      serial: code.serial,
      reason,
      actor: auth.actor,
      ip: context.clientIp,
      now: clock(),
    });
    return jsonResponse(codeJson(revoked));
  },
});

export const loader = route.loader;
export const action = route.action;
