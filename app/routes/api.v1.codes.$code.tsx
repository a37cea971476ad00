// GET /api/v1/codes/{code} — one of the partner's codes, typed in any formatting or as #N.
import { jsonResponse, partnerApiRoute } from "~/api/handler.server";
import { codeJson } from "~/api/serialize.server";
import { db } from "~/db.server";
import { CodeNotFound } from "~/domain/codes/model.server";
import { findCode } from "~/domain/codes/reads.server";
import { clock } from "~/lib/clock.server";

const route = partnerApiRoute("/api/v1/codes/{code}", {
  GET: async ({ params, auth }) => {
    const code = await findCode(db, {
      partnerId: auth.partner.id,
      input: params.code ?? "",
      now: clock(),
    });
    if (!code) throw new CodeNotFound();
    return jsonResponse(codeJson(code));
  },
});

export const loader = route.loader;
export const action = route.action;
