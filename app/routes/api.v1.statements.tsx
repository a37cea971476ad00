// GET /api/v1/statements — the key's partner's monthly statements, newest month first: a
// draft for every month not final yet (the running month among them), then the final ones.
// The list is short (twelve months a year), so it is one answer, without paging.
import { jsonResponse, partnerApiRoute } from "~/api/handler.server";
import { statementJson } from "~/api/serialize.server";
import { db } from "~/db.server";
import { listStatements } from "~/domain/statements/reads.server";
import { clock } from "~/lib/clock.server";

const route = partnerApiRoute("/api/v1/statements", {
  GET: async ({ auth }) => {
    const statements = await listStatements(db, { partnerId: auth.partner.id, now: clock() });
    return jsonResponse({ data: statements.map(statementJson) });
  },
});

export const loader = route.loader;
export const action = route.action;
