// GET /api/v1/clients — the key's partner's clients (businesses that claimed its codes), with
// what its codes gave them and how that was used; searched, filtered, sorted, keyset paged.
import { clientJson } from "~/api/serialize.server";
import { jsonResponse, partnerApiRoute } from "~/api/handler.server";
import { pageLimit, parseApiInput, queryObject } from "~/api/json.server";
import { db } from "~/db.server";
import { ClientListQuerySchema } from "~/domain/clients/model.server";
import { listClients } from "~/domain/clients/reads.server";
import { clock } from "~/lib/clock.server";

const ClientListApiQuery = ClientListQuerySchema.extend({
  limit: pageLimit(500, 50),
});

const route = partnerApiRoute("/api/v1/clients", {
  GET: async ({ request, auth }) => {
    const query = parseApiInput(ClientListApiQuery, queryObject(request));
    const page = await listClients(db, {
      partnerId: auth.partner.id,
      search: query.search,
      filter: query.filter,
      sort: query.sort,
      direction: query.direction,
      cursor: query.cursor ?? null,
      limit: query.limit,
      now: clock(),
    });
    return jsonResponse({ data: page.rows.map(clientJson), next_cursor: page.nextCursor });
  },
});

export const loader = route.loader;
export const action = route.action;
